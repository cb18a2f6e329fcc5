//! What the team-server sync client (`closer-sync`) keeps in the local database: its
//! state (client id, mutation ids, clock, pull cursor), the per-row and per-field
//! shadow (owner, tombstone, last value and clock of each field), the outbox of
//! staged mutations, the conflicts view, and verbatim row writes for pulled changes.
//!
//! Values and clocks are opaque JSON text here: the sync client encodes, decodes and
//! compares them. This module only keeps SQL in the store, as everywhere else.

use std::collections::BTreeMap;

use closer_types::{BattleCard, Call, ContentItem, Deal, EnumText, Lead, Millis, Proposal};
use rusqlite::{
    params, params_from_iter, types::Value, Connection, OptionalExtension, Transaction,
};
use serde::{Deserialize, Serialize};

use crate::codec::{collect, first, to_json};
use crate::{battle_cards, calls, content, deals, leads, proposals, Result, StoreError};

/// A change_log entry not yet staged by the sync client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    /// `insert`, `update` or `delete`.
    pub op: String,
    pub at: Millis,
}

fn in_list(first_param: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("?{}", first_param + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The oldest `limit` pending change_log entries of the given entity kinds (others,
/// e.g. activities, stay pending for a later sync of their own).
pub fn pending_changes(
    conn: &Connection,
    entities: &[&str],
    limit: u32,
) -> Result<Vec<PendingChange>> {
    if entities.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT seq, entity, entity_id, op, at FROM change_log \
         WHERE pushed_at IS NULL AND entity IN ({}) ORDER BY seq LIMIT ?1",
        in_list(2, entities.len())
    );
    let mut args: Vec<Value> = vec![Value::Integer(i64::from(limit))];
    args.extend(entities.iter().map(|e| Value::Text((*e).to_string())));
    let mut stmt = conn.prepare_cached(&sql)?;
    collect(&mut stmt, params_from_iter(args.iter()), |row| {
        Ok(PendingChange {
            seq: row.get(0)?,
            entity: row.get(1)?,
            entity_id: row.get(2)?,
            op: row.get(3)?,
            at: row.get(4)?,
        })
    })
}

/// Marks the pending entries of these kinds up to `up_to_seq` as handled (staged into
/// the outbox, or absorbed) at `now`.
pub fn mark_changes(
    tx: &Transaction,
    entities: &[&str],
    up_to_seq: i64,
    now: Millis,
) -> Result<u64> {
    if entities.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE change_log SET pushed_at = ?2 \
         WHERE pushed_at IS NULL AND seq <= ?1 AND entity IN ({})",
        in_list(3, entities.len())
    );
    let mut args: Vec<Value> = vec![Value::Integer(up_to_seq), Value::Integer(now)];
    args.extend(entities.iter().map(|e| Value::Text((*e).to_string())));
    let n = tx.execute(&sql, params_from_iter(args.iter()))?;
    Ok(n as u64)
}

/// Marks every pending entry after `after_seq` as handled: the entries a transaction
/// applying pulled changes wrote itself (they are not local edits).
pub fn absorb_changes_after(tx: &Transaction, after_seq: i64, now: Millis) -> Result<u64> {
    let n = tx.execute(
        "UPDATE change_log SET pushed_at = ?2 WHERE pushed_at IS NULL AND seq > ?1",
        params![after_seq, now],
    )?;
    Ok(n as u64)
}

/// The newest change_log sequence number (0 when empty).
pub fn last_change_seq(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
            r.get(0)
        })?,
    )
}

/// A sync state value (JSON text), `None` when never set.
pub fn state_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn state_set(tx: &Transaction, key: &str, value: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

pub fn state_delete(tx: &Transaction, key: &str) -> Result<()> {
    tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])?;
    Ok(())
}

/// What the replica knows of a synced row on the server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowMeta {
    pub owner_id: Option<String>,
    /// JSON clock of the delete, `None` while the row lives.
    pub deleted_hlc: Option<String>,
    pub version: i64,
}

pub fn row_meta(conn: &Connection, entity: &str, id: &str) -> Result<Option<RowMeta>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, deleted_hlc, version FROM sync_rows WHERE entity = ?1 AND entity_id = ?2",
    )?;
    first(&mut stmt, [entity, id], |row| {
        Ok(RowMeta {
            owner_id: row.get(0)?,
            deleted_hlc: row.get(1)?,
            version: row.get(2)?,
        })
    })
}

pub fn put_row_meta(tx: &Transaction, entity: &str, id: &str, meta: &RowMeta) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_rows (entity, entity_id, owner_id, deleted_hlc, version) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entity, entity_id) DO UPDATE SET \
         owner_id = excluded.owner_id, deleted_hlc = excluded.deleted_hlc, \
         version = excluded.version",
    )?
    .execute(params![
        entity,
        id,
        meta.owner_id,
        meta.deleted_hlc,
        meta.version
    ])?;
    Ok(())
}

/// Every synced row of a kind with its meta (tests and the conflicts view).
pub fn row_metas(conn: &Connection, entity: &str) -> Result<Vec<(String, RowMeta)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity_id, owner_id, deleted_hlc, version FROM sync_rows WHERE entity = ?1 \
         ORDER BY entity_id",
    )?;
    collect(&mut stmt, [entity], |row| {
        Ok((
            row.get(0)?,
            RowMeta {
                owner_id: row.get(1)?,
                deleted_hlc: row.get(2)?,
                version: row.get(3)?,
            },
        ))
    })
}

/// One field's shadow: the last value written or accepted here, and its clock (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShadowField {
    pub value: String,
    pub hlc: String,
}

/// The shadow of one row, by field name.
pub fn shadow(conn: &Connection, entity: &str, id: &str) -> Result<BTreeMap<String, ShadowField>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, value, hlc FROM sync_fields WHERE entity = ?1 AND entity_id = ?2",
    )?;
    let rows = collect(&mut stmt, [entity, id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            ShadowField {
                value: row.get(1)?,
                hlc: row.get(2)?,
            },
        ))
    })?;
    Ok(rows.into_iter().collect())
}

pub fn put_shadow(
    tx: &Transaction,
    entity: &str,
    id: &str,
    field: &str,
    shadow: &ShadowField,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_fields (entity, entity_id, field, value, hlc) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (entity, entity_id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc",
    )?
    .execute(params![entity, id, field, shadow.value, shadow.hlc])?;
    Ok(())
}

/// Forgets the shadow of one row (after a delete).
pub fn delete_shadow(tx: &Transaction, entity: &str, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM sync_fields WHERE entity = ?1 AND entity_id = ?2")?
        .execute([entity, id])?;
    Ok(())
}

/// Forgets one field's shadow (a refused write: the server's next value wins).
pub fn delete_shadow_field(tx: &Transaction, entity: &str, id: &str, field: &str) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM sync_fields WHERE entity = ?1 AND entity_id = ?2 AND field = ?3",
    )?
    .execute([entity, id, field])?;
    Ok(())
}

/// A staged mutation (its body is the JSON the server receives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub mutation_id: i64,
    pub entity: String,
    pub entity_id: String,
    pub body: String,
}

pub fn outbox_add(tx: &Transaction, entry: &OutboxEntry, now: Millis) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_outbox (mutation_id, entity, entity_id, body, staged_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        entry.mutation_id,
        entry.entity,
        entry.entity_id,
        entry.body,
        now
    ])?;
    Ok(())
}

/// The oldest `limit` staged mutations, in mutation-id order.
pub fn outbox_head(conn: &Connection, limit: u32) -> Result<Vec<OutboxEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT mutation_id, entity, entity_id, body FROM sync_outbox ORDER BY mutation_id LIMIT ?1",
    )?;
    collect(&mut stmt, [limit], |row| {
        Ok(OutboxEntry {
            mutation_id: row.get(0)?,
            entity: row.get(1)?,
            entity_id: row.get(2)?,
            body: row.get(3)?,
        })
    })
}

/// Removes an acknowledged (or refused) mutation; false when it was not there.
pub fn outbox_remove(tx: &Transaction, mutation_id: i64) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM sync_outbox WHERE mutation_id = ?1")?
        .execute([mutation_id])?
        > 0)
}

pub fn outbox_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Whether a conflict is a value that lost under last-writer-wins or a local
/// mutation the server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    Lost,
    Rejected,
}

impl ConflictKind {
    fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Lost => "lost",
            ConflictKind::Rejected => "rejected",
        }
    }
}

/// A row of the conflicts view (values and clocks as JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub id: i64,
    pub kind: ConflictKind,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    pub value: String,
    pub hlc: String,
    pub winner_hlc: Option<String>,
    pub version: Option<i64>,
    pub reason: Option<String>,
    pub recorded_at: Millis,
    pub resolved_at: Option<Millis>,
}

/// Records a conflict (the `id` and `resolved_at` given are ignored); false when the
/// same value (kind, entity, field, clock) was recorded before.
pub fn record_conflict(tx: &Transaction, c: &ConflictRecord) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sync_conflicts (kind, entity, entity_id, field, value, hlc, \
             winner_hlc, version, reason, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            c.kind.as_str(),
            c.entity,
            c.entity_id,
            c.field,
            c.value,
            c.hlc,
            c.winner_hlc,
            c.version,
            c.reason,
            c.recorded_at
        ])?;
    Ok(n > 0)
}

/// Conflicts, oldest first; only the unresolved ones when `open_only`.
pub fn conflicts(conn: &Connection, open_only: bool, limit: u32) -> Result<Vec<ConflictRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, entity, entity_id, field, value, hlc, winner_hlc, version, reason, \
         recorded_at, resolved_at FROM sync_conflicts \
         WHERE (?1 = 0 OR resolved_at IS NULL) ORDER BY id LIMIT ?2",
    )?;
    collect(&mut stmt, params![i64::from(open_only), limit], |row| {
        let id: i64 = row.get(0)?;
        let kind: String = row.get(1)?;
        let kind = match kind.as_str() {
            "lost" => ConflictKind::Lost,
            "rejected" => ConflictKind::Rejected,
            other => {
                return Err(StoreError::Corrupt {
                    entity: "sync_conflict",
                    id: id.to_string(),
                    reason: format!("column kind: unknown value '{other}'"),
                })
            }
        };
        Ok(ConflictRecord {
            id,
            kind,
            entity: row.get(2)?,
            entity_id: row.get(3)?,
            field: row.get(4)?,
            value: row.get(5)?,
            hlc: row.get(6)?,
            winner_hlc: row.get(7)?,
            version: row.get(8)?,
            reason: row.get(9)?,
            recorded_at: row.get(10)?,
            resolved_at: row.get(11)?,
        })
    })
}

/// Marks a conflict as seen/resolved by the user; false when there is no such one.
pub fn resolve_conflict(tx: &Transaction, id: i64, now: Millis) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE sync_conflicts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
        params![id, now],
    )? > 0)
}

pub fn conflict_count(conn: &Connection, open_only: bool) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sync_conflicts WHERE (?1 = 0 OR resolved_at IS NULL)",
        [i64::from(open_only)],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Writes a lead exactly as given (all columns, score and timestamps included),
/// inserting or updating; no validation (the values come from the team server).
pub fn put_lead(tx: &Transaction, lead: &Lead) -> Result<()> {
    if leads::find(tx, &lead.id)?.is_none() {
        return leads::insert(tx, lead);
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE leads SET company = ?2, domain = ?3, industry = ?4, employee_count = ?5, \
         contacts = ?6, source = ?7, status = ?8, owner = ?9, score = ?10, score_budget = ?11, \
         score_authority = ?12, score_need = ?13, score_timeline = ?14, score_rationale = ?15, \
         scored_at = ?16, created_at = ?17, updated_at = ?18 WHERE id = ?1",
    )?;
    leads::execute_with(&mut stmt, lead)
}

/// Writes a deal exactly as given, inserting or updating. Its `lead_id` must name a
/// lead present here (foreign key); the caller stores `None` otherwise.
pub fn put_deal(tx: &Transaction, deal: &Deal) -> Result<()> {
    if deals::find(tx, &deal.id)?.is_none() {
        return deals::insert(tx, deal);
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE deals SET lead_id = ?2, name = ?3, amount_cents = ?4, stage = ?5, \
         close_date = ?6, competitors = ?7, owner = ?8, stakeholders = ?9, created_at = ?10, \
         updated_at = ?11 WHERE id = ?1",
    )?;
    deals::execute_with(&mut stmt, deal)
}

/// Writes a proposal as given, inserting it (with its first snapshot) or updating
/// deal, lead, title, body, status and times. The local version count is kept: it
/// numbers this replica's snapshots. Its `deal_id` / `lead_id` must be present here.
pub fn put_proposal(tx: &Transaction, p: &Proposal) -> Result<()> {
    if !row_exists(tx, "proposal", &p.id)? {
        return proposals::insert(tx, p);
    }
    tx.prepare_cached(
        "UPDATE proposals SET deal_id = ?2, lead_id = ?3, title = ?4, body = ?5, status = ?6, \
         created_at = ?7, updated_at = ?8 WHERE id = ?1",
    )?
    .execute(params![
        p.id,
        p.deal_id,
        p.lead_id,
        p.title,
        p.body,
        p.status.as_str(),
        p.created_at,
        p.updated_at
    ])?;
    Ok(())
}

/// Writes a call as given, inserting or updating. Its `deal_id` / `lead_id` must be
/// present here.
pub fn put_call(tx: &Transaction, c: &Call) -> Result<()> {
    if !row_exists(tx, "call", &c.id)? {
        return calls::insert(tx, c);
    }
    tx.prepare_cached(
        "UPDATE calls SET deal_id = ?2, lead_id = ?3, title = ?4, started_at = ?5, ended_at = ?6, \
         segments = ?7, analysis = ?8, created_at = ?9, updated_at = ?10 WHERE id = ?1",
    )?
    .execute(params![
        c.id,
        c.deal_id,
        c.lead_id,
        c.title,
        c.started_at,
        c.ended_at,
        to_json(&c.segments)?,
        c.analysis.as_ref().map(to_json).transpose()?,
        c.created_at,
        c.updated_at
    ])?;
    Ok(())
}

/// Writes a battle card as given, inserting or updating.
pub fn put_battle_card(tx: &Transaction, c: &BattleCard) -> Result<()> {
    if !row_exists(tx, "battle_card", &c.id)? {
        return battle_cards::insert(tx, c);
    }
    tx.prepare_cached(
        "UPDATE battle_cards SET competitor = ?2, summary = ?3, our_strengths = ?4, \
         their_weaknesses = ?5, pricing_comparison = ?6, key_differentiators = ?7, \
         objections = ?8, trigger_phrases = ?9, updated_by = ?10, created_at = ?11, \
         updated_at = ?12 WHERE id = ?1",
    )?
    .execute(params![
        c.id,
        c.competitor,
        c.summary,
        to_json(&c.our_strengths)?,
        to_json(&c.their_weaknesses)?,
        c.pricing_comparison,
        to_json(&c.key_differentiators)?,
        to_json(&c.objections)?,
        to_json(&c.trigger_phrases)?,
        c.updated_by,
        c.created_at,
        c.updated_at
    ])?;
    Ok(())
}

/// Writes a content item as given, inserting or updating.
pub fn put_content_item(tx: &Transaction, c: &ContentItem) -> Result<()> {
    if !row_exists(tx, "content_item", &c.id)? {
        return content::insert(tx, c);
    }
    tx.prepare_cached(
        "UPDATE content_items SET title = ?2, kind = ?3, industries = ?4, personas = ?5, \
         topics = ?6, body = ?7, source_path = ?8, views = ?9, uses = ?10, \
         deals_influenced = ?11, deals_won = ?12, last_used_at = ?13, created_at = ?14, \
         updated_at = ?15 WHERE id = ?1",
    )?
    .execute(params![
        c.id,
        c.title,
        c.kind.as_str(),
        to_json(&c.industries)?,
        to_json(&c.personas)?,
        to_json(&c.topics)?,
        c.body,
        c.source_path,
        c.stats.views,
        c.stats.uses,
        c.stats.deals_influenced,
        c.stats.deals_won,
        c.stats.last_used_at,
        c.created_at,
        c.updated_at
    ])?;
    Ok(())
}

/// The CRDT document state of one merged field (`sync_crdt`), `None` before its
/// first edit or pull.
pub fn crdt_state(
    conn: &Connection,
    entity: &str,
    id: &str,
    field: &str,
) -> Result<Option<Vec<u8>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT state FROM sync_crdt WHERE entity = ?1 AND entity_id = ?2 AND field = ?3",
    )?;
    first(&mut stmt, [entity, id, field], |row| Ok(row.get(0)?))
}

pub fn put_crdt_state(
    tx: &Transaction,
    entity: &str,
    id: &str,
    field: &str,
    state: &[u8],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_crdt (entity, entity_id, field, state) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (entity, entity_id, field) DO UPDATE SET state = excluded.state",
    )?
    .execute(params![entity, id, field, state])?;
    Ok(())
}

/// Forgets the CRDT documents of one row (after a delete).
pub fn delete_crdt_states(tx: &Transaction, entity: &str, id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM sync_crdt WHERE entity = ?1 AND entity_id = ?2")?
        .execute([entity, id])?;
    Ok(())
}

/// The table of a synced entity kind (our own names, never user text).
fn table(entity: &str) -> Option<&'static str> {
    match entity {
        "lead" => Some("leads"),
        "deal" => Some("deals"),
        "proposal" => Some("proposals"),
        "call" => Some("calls"),
        "battle_card" => Some("battle_cards"),
        "content_item" => Some("content_items"),
        _ => None,
    }
}

fn unknown_entity(entity: &str) -> StoreError {
    StoreError::Invalid(vec![closer_types::FieldError::new(
        "entity",
        format!("not a synced entity kind: {entity}"),
    )])
}

/// Deletes a row of a synced kind (a pulled tombstone); false when it was not here.
pub fn delete_row(tx: &Transaction, entity: &str, id: &str) -> Result<bool> {
    let table = table(entity).ok_or_else(|| unknown_entity(entity))?;
    Ok(tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])? > 0)
}

/// Whether a row of a synced kind exists here.
pub fn row_exists(conn: &Connection, entity: &str, id: &str) -> Result<bool> {
    let table = table(entity).ok_or_else(|| unknown_entity(entity))?;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
        ))?
        .query_row([id], |r| r.get(0))?)
}

/// Every id of a synced kind, sorted (tests compare replicas with it).
pub fn row_ids(conn: &Connection, entity: &str) -> Result<Vec<String>> {
    let table = table(entity).ok_or_else(|| unknown_entity(entity))?;
    let mut stmt = conn.prepare_cached(&format!("SELECT id FROM {table} ORDER BY id"))?;
    collect(&mut stmt, [], |row| Ok(row.get(0)?))
}

/// Restores references a pull could not set yet: a row whose `column` is NULL while
/// its shadow says it names a row of `target` that is now present gets that id back.
/// (`entity`/`column` are a synced kind and one of its reference columns, e.g.
/// `deal`/`lead_id` -> `lead`.) Returns the rows relinked.
pub fn relink(tx: &Transaction, entity: &str, column: &str, target: &str) -> Result<u64> {
    let table = table(entity).ok_or_else(|| unknown_entity(entity))?;
    let target_table = table_of(target)?;
    let known_column = matches!(column, "lead_id" | "deal_id");
    if !known_column {
        return Err(StoreError::Invalid(vec![closer_types::FieldError::new(
            "column",
            format!("not a reference column: {column}"),
        )]));
    }
    let sql = format!(
        "UPDATE {table} SET {column} = (SELECT f.value ->> '$' FROM sync_fields f \
             WHERE f.entity = ?1 AND f.entity_id = {table}.id AND f.field = ?2) \
         WHERE {column} IS NULL AND EXISTS (SELECT 1 FROM sync_fields f \
             JOIN {target_table} t ON t.id = f.value ->> '$' \
             WHERE f.entity = ?1 AND f.entity_id = {table}.id AND f.field = ?2)"
    );
    Ok(tx.execute(&sql, [entity, column])? as u64)
}

fn table_of(entity: &str) -> Result<&'static str> {
    table(entity).ok_or_else(|| unknown_entity(entity))
}
