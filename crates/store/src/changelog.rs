//! The change log the triggers fill: every insert, update and delete of an
//! aggregate, oldest first, for a future sync with a team server.

use closer_types::Millis;
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};

use crate::codec::{collect, from_json};
use crate::Result;

/// One recorded write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub seq: i64,
    /// `lead`, `deal`, `battle_card`, `content_item`, `proposal`,
    /// `proposal_version`, `call` or `activity`.
    pub entity: String,
    pub entity_id: String,
    /// `insert`, `update` or `delete`.
    pub op: String,
    /// `{"id": ...}` for a delete; `None` for an insert or update, whose row a push
    /// reads as it is then (several changes to one row push once).
    pub row: Option<serde_json::Value>,
    pub at: Millis,
    pub pushed_at: Option<Millis>,
}

/// The oldest `limit` entries not yet pushed.
pub fn pending(conn: &Connection, limit: u32) -> Result<Vec<ChangeEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, entity, entity_id, op, row_json, at, pushed_at FROM change_log \
         WHERE pushed_at IS NULL ORDER BY seq LIMIT ?1",
    )?;
    collect(&mut stmt, [limit], |row| {
        let seq: i64 = row.get(0)?;
        let row_json: Option<String> = row.get(4)?;
        Ok(ChangeEntry {
            row: row_json
                .map(|j| from_json("change_log", &seq.to_string(), "row_json", &j))
                .transpose()?,
            seq,
            entity: row.get(1)?,
            entity_id: row.get(2)?,
            op: row.get(3)?,
            at: row.get(5)?,
            pushed_at: row.get(6)?,
        })
    })
}

/// Number of entries not yet pushed.
pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM change_log WHERE pushed_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Marks every pending entry up to `seq` (inclusive) as pushed at `now`; returns
/// how many were marked.
pub fn mark_pushed(tx: &Transaction, up_to_seq: i64, now: Millis) -> Result<u64> {
    let n = tx.execute(
        "UPDATE change_log SET pushed_at = ?2 WHERE seq <= ?1 AND pushed_at IS NULL",
        rusqlite::params![up_to_seq, now],
    )?;
    Ok(n as u64)
}
