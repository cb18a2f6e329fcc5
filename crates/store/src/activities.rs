//! Activities: the entries of a deal's (or lead's) timeline.

use closer_types::{new_id, Activity, EnumText, Millis, NewActivity};
use rusqlite::{params, Connection, Row, Transaction};

use crate::codec::{clean, collect, from_enum};
use crate::{Result, StoreError};

const ENTITY: &str = "activity";

const COLUMNS: &str = "id, deal_id, lead_id, kind, body, author, at, created_at, updated_at";

fn from_row(row: &Row<'_>) -> Result<Activity> {
    let id: String = row.get(0)?;
    let kind: String = row.get(3)?;
    Ok(Activity {
        kind: from_enum(ENTITY, &id, "kind", &kind)?,
        deal_id: row.get(1)?,
        lead_id: row.get(2)?,
        body: row.get(4)?,
        author: row.get(5)?,
        at: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        id,
    })
}

/// Records an activity; `at` defaults to `now`. The body must not be blank, and the
/// deal / lead it points at must exist (a validation error otherwise).
pub fn add(
    tx: &Transaction,
    new: &NewActivity,
    author: Option<&str>,
    now: Millis,
) -> Result<Activity> {
    let mut errs = Vec::new();
    if new.body.trim().is_empty() {
        errs.push(closer_types::FieldError::new("body", "cannot be empty"));
    }
    let deal_id = clean(&new.deal_id);
    let lead_id = clean(&new.lead_id);
    crate::codec::check_refs(
        tx,
        &[
            ("deal_id", "deals", &deal_id),
            ("lead_id", "leads", &lead_id),
        ],
        &mut errs,
    )?;
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let activity = Activity {
        id: new_id(),
        deal_id,
        lead_id,
        kind: new.kind,
        body: new.body.trim().to_string(),
        author: author
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        at: new.at.unwrap_or(now),
        created_at: now,
        updated_at: now,
    };
    insert(tx, &activity)?;
    Ok(activity)
}

/// Stores an activity verbatim (e.g. demo data).
pub fn insert(tx: &Transaction, a: &Activity) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO activities (id, deal_id, lead_id, kind, body, author, at, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        a.id,
        a.deal_id,
        a.lead_id,
        a.kind.as_str(),
        a.body,
        a.author,
        a.at,
        a.created_at,
        a.updated_at,
    ])?;
    Ok(())
}

/// A deal's timeline, newest first.
pub fn for_deal(conn: &Connection, deal_id: &str) -> Result<Vec<Activity>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM activities WHERE deal_id = ?1 ORDER BY at DESC, id DESC"
    ))?;
    collect(&mut stmt, [deal_id], from_row)
}

/// A lead's activities (with or without a deal), newest first.
pub fn for_lead(conn: &Connection, lead_id: &str) -> Result<Vec<Activity>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM activities WHERE lead_id = ?1 ORDER BY at DESC, id DESC"
    ))?;
    collect(&mut stmt, [lead_id], from_row)
}
