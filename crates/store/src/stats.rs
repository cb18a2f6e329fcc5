//! Workspace counts, and clearing the workspace.

use closer_types::WorkspaceStats;
use rusqlite::{Connection, Transaction};

use crate::deals::OPEN_STAGES_SQL;
use crate::Result;

/// Counts for the home screen (and to decide whether to seed the demo).
pub fn workspace(conn: &Connection) -> Result<WorkspaceStats> {
    let sql = format!(
        "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM deals), \
         (SELECT coalesce(sum(amount_cents), 0) FROM deals WHERE {OPEN_STAGES_SQL}), \
         (SELECT count(*) FROM battle_cards), (SELECT count(*) FROM content_items), \
         (SELECT count(*) FROM proposals), (SELECT count(*) FROM calls)"
    );
    let n = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    let stats = conn.query_row(&sql, [], |r| {
        Ok(WorkspaceStats {
            leads: n(r.get(0)?),
            deals: n(r.get(1)?),
            open_pipeline_cents: r.get(2)?,
            battle_cards: n(r.get(3)?),
            content_items: n(r.get(4)?),
            proposals: n(r.get(5)?),
            calls: n(r.get(6)?),
        })
    })?;
    Ok(stats)
}

/// Deletes every aggregate row (children first). Settings are kept; the change
/// log records the deletes like any others.
pub fn clear_workspace(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM activities;
         DELETE FROM proposal_versions;
         DELETE FROM proposals;
         DELETE FROM calls;
         DELETE FROM deals;
         DELETE FROM battle_cards;
         DELETE FROM content_items;
         DELETE FROM leads;",
    )?;
    Ok(())
}
