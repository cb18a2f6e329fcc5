//! The ledger: exactly one row per logical request. Retries, cache hits, stale answers,
//! fallbacks, refusals, errors and cancellations are each one row; a queued request's row
//! is completed in place when `run_queue` runs it, so it stays one row.

use closer_types::AiLedgerEntry;
use rusqlite::{params, Connection, Row};

use crate::error::Result;
use crate::models::TokenCounts;
use crate::ServedFrom;

/// A ledger row being written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub ts: i64,
    pub feature: String,
    pub model: String,
    pub routing_reason: String,
    pub est_input_tokens: u64,
    pub tokens: TokenCounts,
    pub cost_usd: f64,
    pub latency_ms: i64,
    /// `none`, `response` or `stale`.
    pub cache_layer: &'static str,
    pub served_from: Option<ServedFrom>,
    pub attempts: u32,
    /// `ok`, `stale`, `fallback`, `queued`, `error`, `cancelled`, `budget`, `rate_limited`.
    pub outcome: &'static str,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub prompt_excerpt: String,
}

impl Record {
    pub fn retries(&self) -> u32 {
        self.attempts.saturating_sub(1)
    }
}

pub(crate) fn served_from_str(s: ServedFrom) -> &'static str {
    match s {
        ServedFrom::Upstream => "upstream",
        ServedFrom::ResponseCache => "response_cache",
        ServedFrom::StaleCache => "stale_cache",
        ServedFrom::Secondary => "secondary",
    }
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn insert(conn: &Connection, r: &Record) -> Result<i64> {
    conn.execute(
        "INSERT INTO ledger (ts, feature, model, routing_reason, est_input_tokens, input_tokens,
            output_tokens, cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens,
            cost_usd, latency_ms, cache_layer, served_from, attempts, retries, outcome, error,
            request_id, prompt_excerpt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)",
        params![
            r.ts,
            r.feature,
            r.model,
            r.routing_reason,
            i(r.est_input_tokens),
            i(r.tokens.input),
            i(r.tokens.output),
            i(r.tokens.cache_creation),
            i(r.tokens.cache_creation_1h),
            i(r.tokens.cache_read),
            r.cost_usd,
            r.latency_ms,
            r.cache_layer,
            r.served_from.map(served_from_str),
            r.attempts,
            r.retries(),
            r.outcome,
            r.error,
            r.request_id,
            r.prompt_excerpt,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Completes a queued request's row with what running it produced. `ts` becomes the time
/// the cost was incurred, so it counts in that month's budget. Attempts add up.
pub(crate) fn complete(conn: &Connection, id: i64, r: &Record) -> Result<()> {
    conn.execute(
        "UPDATE ledger SET ts = ?2, model = ?3, routing_reason = ?4, input_tokens = ?5,
            output_tokens = ?6, cache_creation_tokens = ?7, cache_creation_1h_tokens = ?8,
            cache_read_tokens = ?9, cost_usd = ?10, latency_ms = ?11, cache_layer = ?12,
            served_from = ?13, attempts = attempts + ?14, retries = MAX(attempts + ?14 - 1, 0),
            outcome = ?15, error = ?16, request_id = ?17
         WHERE id = ?1",
        params![
            id,
            r.ts,
            r.model,
            r.routing_reason,
            i(r.tokens.input),
            i(r.tokens.output),
            i(r.tokens.cache_creation),
            i(r.tokens.cache_creation_1h),
            i(r.tokens.cache_read),
            r.cost_usd,
            r.latency_ms,
            r.cache_layer,
            r.served_from.map(served_from_str),
            r.attempts,
            r.outcome,
            r.error,
            r.request_id,
        ],
    )?;
    Ok(())
}

/// Adds failed attempts (no usage) to a queued request's row, which stays `queued`.
pub(crate) fn add_attempts(conn: &Connection, id: i64, attempts: u32) -> Result<()> {
    conn.execute(
        "UPDATE ledger SET attempts = attempts + ?2, retries = MAX(attempts + ?2 - 1, 0)
         WHERE id = ?1",
        params![id, attempts],
    )?;
    Ok(())
}

/// USD spent since `since` (all features, or one).
pub(crate) fn spent_since(conn: &Connection, since: i64, feature: Option<&str>) -> Result<f64> {
    let v: f64 = match feature {
        None => conn.query_row(
            "SELECT COALESCE(SUM(cost_usd), 0.0) FROM ledger WHERE ts >= ?1",
            [since],
            |r| r.get(0),
        )?,
        Some(f) => conn.query_row(
            "SELECT COALESCE(SUM(cost_usd), 0.0) FROM ledger WHERE ts >= ?1 AND feature = ?2",
            params![since, f],
            |r| r.get(0),
        )?,
    };
    Ok(v)
}

const COLUMNS: &str = "id, ts, feature, model, routing_reason, est_input_tokens, input_tokens,
    output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, latency_ms, cache_layer,
    served_from, attempts, retries, outcome, error, request_id, prompt_excerpt";

fn entry(r: &Row<'_>) -> rusqlite::Result<AiLedgerEntry> {
    let u = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(AiLedgerEntry {
        id: r.get(0)?,
        ts: r.get(1)?,
        feature: r.get(2)?,
        model: r.get(3)?,
        routing_reason: r.get(4)?,
        est_input_tokens: u(r.get(5)?),
        input_tokens: u(r.get(6)?),
        output_tokens: u(r.get(7)?),
        cache_creation_tokens: u(r.get(8)?),
        cache_read_tokens: u(r.get(9)?),
        cost_usd: r.get(10)?,
        latency_ms: r.get(11)?,
        cache_layer: r.get(12)?,
        served_from: r.get(13)?,
        attempts: r.get(14)?,
        retries: r.get(15)?,
        outcome: r.get(16)?,
        error: r.get(17)?,
        request_id: r.get(18)?,
        prompt_excerpt: r.get(19)?,
    })
}

/// Rows since `since`, newest first, at most `limit`.
pub(crate) fn rows_since(conn: &Connection, since: i64, limit: u32) -> Result<Vec<AiLedgerEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM ledger WHERE ts >= ?1 ORDER BY ts DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt
        .query_map(params![since, limit], entry)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn get(conn: &Connection, id: i64) -> Result<Option<AiLedgerEntry>> {
    use rusqlite::OptionalExtension;
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM ledger WHERE id = ?1"))?;
    Ok(stmt.query_row([id], entry).optional()?)
}
