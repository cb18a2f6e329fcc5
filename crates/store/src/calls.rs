//! Calls: transcripts and their analysis.

use closer_types::{Call, CallSummary, Millis};
use rusqlite::{params, Connection, Row, Transaction};

use crate::codec::{collect, first, from_json, opt_from_json, to_json};
use crate::{Result, StoreError};

const ENTITY: &str = "call";

const COLUMNS: &str =
    "id, deal_id, lead_id, title, started_at, ended_at, segments, analysis, created_at, updated_at";

/// Summary columns, with the company from the call's lead or else its deal's lead.
const SUMMARY_SELECT: &str = "SELECT c.id, c.title, coalesce(l.company, dl.company), d.name, \
     c.started_at, c.ended_at, json_extract(c.analysis, '$.sentiment') FROM calls c \
     LEFT JOIN deals d ON d.id = c.deal_id \
     LEFT JOIN leads l ON l.id = c.lead_id \
     LEFT JOIN leads dl ON dl.id = d.lead_id";

fn from_row(row: &Row<'_>) -> Result<Call> {
    let id: String = row.get(0)?;
    let segments: String = row.get(6)?;
    Ok(Call {
        segments: from_json(ENTITY, &id, "segments", &segments)?,
        analysis: opt_from_json(ENTITY, &id, "analysis", row.get(7)?)?,
        deal_id: row.get(1)?,
        lead_id: row.get(2)?,
        title: row.get(3)?,
        started_at: row.get(4)?,
        ended_at: row.get(5)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        id,
    })
}

fn summary_from_row(row: &Row<'_>) -> Result<CallSummary> {
    let started_at: Millis = row.get(4)?;
    let ended_at: Option<Millis> = row.get(5)?;
    let sentiment: Option<f64> = row.get(6)?;
    Ok(CallSummary {
        id: row.get(0)?,
        title: row.get(1)?,
        company: row.get(2)?,
        deal_name: row.get(3)?,
        started_at,
        duration_ms: ended_at
            .map(|end| u32::try_from((end - started_at).max(0)).unwrap_or(u32::MAX)),
        sentiment: sentiment.map(|s| s as f32),
    })
}

/// Every call, most recent first.
pub fn list(conn: &Connection) -> Result<Vec<CallSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SUMMARY_SELECT} ORDER BY c.started_at DESC, c.id DESC"
    ))?;
    collect(&mut stmt, [], summary_from_row)
}

/// A deal's calls, most recent first.
pub fn for_deal(conn: &Connection, deal_id: &str) -> Result<Vec<CallSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SUMMARY_SELECT} WHERE c.deal_id = ?1 ORDER BY c.started_at DESC, c.id DESC"
    ))?;
    collect(&mut stmt, [deal_id], summary_from_row)
}

pub fn get(conn: &Connection, id: &str) -> Result<Call> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM calls WHERE id = ?1"))?;
    let mut call =
        first(&mut stmt, [id], from_row)?.ok_or_else(|| StoreError::not_found(ENTITY, id))?;
    // A live call's transcript is in its segment rows until the call ends.
    if call.segments.is_empty() {
        call.segments = crate::live_calls::segments(conn, id)?;
    }
    Ok(call)
}

/// Stores a call verbatim.
pub fn insert(tx: &Transaction, call: &Call) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO calls (id, deal_id, lead_id, title, started_at, ended_at, segments, \
         analysis, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        call.id,
        call.deal_id,
        call.lead_id,
        call.title,
        call.started_at,
        call.ended_at,
        to_json(&call.segments)?,
        call.analysis.as_ref().map(to_json).transpose()?,
        call.created_at,
        call.updated_at,
    ])?;
    Ok(())
}

/// Replaces a call's analysis (e.g. after it was analysed).
pub fn set_analysis(
    tx: &Transaction,
    id: &str,
    analysis: Option<&closer_types::CallAnalysis>,
    now: Millis,
) -> Result<()> {
    let n = tx.execute(
        "UPDATE calls SET analysis = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, analysis.map(to_json).transpose()?, now],
    )?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}
