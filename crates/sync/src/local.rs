//! The local half of sync, synchronous and inside store transactions: staging local
//! edits into the outbox, applying acks and pulled pages. The async client
//! ([`crate::SyncClient`]) runs these on blocking threads.

use std::collections::{BTreeMap, HashMap};

use closer_store::sync::{
    self as db, ConflictKind, ConflictRecord, OutboxEntry, RowMeta, ShadowField,
};
use closer_store::{Store, StoreError};
use closer_sync_proto::{
    crdt as proto, is_crdt_field, Ack, Conflict, Entity, FieldValue, Hlc, Mutation, Op, PullPage,
    OWNER_FIELD,
};
use closer_types::{new_id, Millis};
use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::crdt;
use crate::fields::{self, Fields, SYNCED};

/// Keys of `sync_state`.
pub(crate) mod key {
    pub const CLIENT_ID: &str = "client_id";
    pub const NEXT_MUTATION_ID: &str = "next_mutation_id";
    pub const HLC: &str = "hlc";
    pub const PULL_CURSOR: &str = "pull_cursor";
    pub const ACCOUNT: &str = "account";
    pub const LAST_SYNCED_AT: &str = "last_synced_at";
}

/// Pending change_log entries staged per transaction.
const STAGE_BATCH: u32 = 1000;

/// The signed-in user this replica belongs to (kept in `sync_state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Account {
    pub user_id: String,
    pub org_id: String,
    pub email: String,
    /// `rep`, `manager` or `admin`.
    pub role: String,
}

impl Account {
    fn edits_team_content(&self) -> bool {
        matches!(self.role.as_str(), "manager" | "admin")
    }
}

fn corrupt(what: &'static str, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        entity: what,
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| corrupt("sync value", "", e))
}

pub(crate) fn decode<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, "", e))
}

pub(crate) fn get_state<T: DeserializeOwned>(
    conn: &Connection,
    k: &str,
) -> Result<Option<T>, StoreError> {
    db::state_get(conn, k)?
        .map(|text| decode("sync_state", &text))
        .transpose()
}

pub(crate) fn set_state<T: Serialize>(
    tx: &Transaction,
    k: &str,
    value: &T,
) -> Result<(), StoreError> {
    db::state_set(tx, k, &encode(value)?)
}

/// This replica's client id (also its clocks' node id), created on first use.
pub fn client_id(store: &Store) -> Result<String, StoreError> {
    store.write(ensure_client_id)
}

fn ensure_client_id(tx: &Transaction) -> Result<String, StoreError> {
    if let Some(id) = get_state::<String>(tx, key::CLIENT_ID)? {
        return Ok(id);
    }
    let id = new_id();
    set_state(tx, key::CLIENT_ID, &id)?;
    Ok(id)
}

/// The clock and the next mutation id, loaded for one transaction and saved at its end.
struct Counters {
    hlc: Hlc,
    next_mutation_id: u64,
}

impl Counters {
    fn load(tx: &Transaction) -> Result<Counters, StoreError> {
        let node = ensure_client_id(tx)?;
        let hlc = get_state::<Hlc>(tx, key::HLC)?.unwrap_or_else(|| Hlc::new(0, 0, node.clone()));
        Ok(Counters {
            hlc: Hlc { node, ..hlc },
            next_mutation_id: get_state(tx, key::NEXT_MUTATION_ID)?.unwrap_or(1),
        })
    }

    fn save(&self, tx: &Transaction) -> Result<(), StoreError> {
        set_state(tx, key::HLC, &self.hlc)?;
        set_state(tx, key::NEXT_MUTATION_ID, &self.next_mutation_id)
    }

    fn tick(&mut self, at: Millis) -> Hlc {
        self.hlc = self.hlc.tick(at);
        self.hlc.clone()
    }
}

/// Stages every pending local edit of the synced kinds into the outbox; returns the
/// number of mutations written.
pub fn stage(store: &Store, now: Millis) -> Result<u64, StoreError> {
    store.write(|tx| stage_tx(tx, now))
}

pub(crate) fn stage_tx(tx: &Transaction, now: Millis) -> Result<u64, StoreError> {
    let names = fields::synced_names();
    let account: Option<Account> = get_state(tx, key::ACCOUNT)?;
    let mut counters = Counters::load(tx)?;
    let mut staged = 0;
    loop {
        let pending = db::pending_changes(tx, &names, STAGE_BATCH)?;
        let Some(last) = pending.last() else { break };
        let up_to = last.seq;
        // One mutation per row: the latest edit's time stands for the row's clock.
        let mut order: Vec<(Entity, String)> = Vec::new();
        let mut at: HashMap<(Entity, String), Millis> = HashMap::new();
        for change in &pending {
            let Some(entity) = Entity::parse(&change.entity) else {
                continue;
            };
            let k = (entity, change.entity_id.clone());
            match at.get_mut(&k) {
                Some(t) => *t = (*t).max(change.at),
                None => {
                    at.insert(k.clone(), change.at);
                    order.push(k);
                }
            }
        }
        for k in order {
            let t = at.get(&k).copied().unwrap_or(now);
            if stage_row(tx, k.0, &k.1, t, now, account.as_ref(), &mut counters)? {
                staged += 1;
            }
        }
        db::mark_changes(tx, &names, up_to, now)?;
    }
    counters.save(tx)?;
    Ok(staged)
}

fn shadow_value(s: &ShadowField) -> Result<Value, StoreError> {
    decode("sync shadow value", &s.value)
}

/// Whether a reference field reads `null` here only because the row it names is not
/// here (not pulled yet, or deleted): not a local edit.
fn dangling_ref(
    conn: &Connection,
    entity: Entity,
    field: &str,
    value: &Value,
    shadow: &Value,
) -> Result<bool, StoreError> {
    let Some((_, target)) = fields::refs(entity).iter().find(|(f, _)| *f == field) else {
        return Ok(false);
    };
    match (value, shadow) {
        (Value::Null, Value::String(id)) => Ok(!db::row_exists(conn, target.as_str(), id)?),
        _ => Ok(false),
    }
}

fn stage_row(
    tx: &Transaction,
    entity: Entity,
    id: &str,
    at: Millis,
    now: Millis,
    account: Option<&Account>,
    counters: &mut Counters,
) -> Result<bool, StoreError> {
    let meta = db::row_meta(tx, entity.as_str(), id)?;
    if meta.as_ref().is_some_and(|m| m.deleted_hlc.is_some()) {
        return Ok(false);
    }
    // Edits the server would refuse are not sent: another user's row (a manager's
    // copy of a rep's lead), or team content for a rep. The next pulled value wins.
    if let Some(account) = account {
        let foreign_owner = meta
            .as_ref()
            .and_then(|m| m.owner_id.as_deref())
            .is_some_and(|o| o != account.user_id);
        let team_read_only = !entity.is_owned() && !account.edits_team_content();
        if foreign_owner || team_read_only {
            tracing::warn!(
                entity = entity.as_str(),
                id,
                "local edit not synced: read-only here"
            );
            return Ok(false);
        }
    }
    let shadow = db::shadow(tx, entity.as_str(), id)?;
    let mutation = match fields::read(tx, entity, id)? {
        None => {
            if shadow.is_empty() && meta.is_none() {
                return Ok(false); // created and deleted between two syncs
            }
            let hlc = counters.tick(at);
            db::delete_shadow(tx, entity.as_str(), id)?;
            db::delete_crdt_states(tx, entity.as_str(), id)?;
            db::put_row_meta(
                tx,
                entity.as_str(),
                id,
                &RowMeta {
                    deleted_hlc: Some(encode(&hlc)?),
                    ..meta.clone().unwrap_or_default()
                },
            )?;
            Mutation {
                mutation_id: 0,
                entity,
                entity_id: id.to_string(),
                op: Op::Delete,
                fields: BTreeMap::new(),
                hlc: Some(hlc),
            }
        }
        Some(current) => {
            let mut changed: Vec<(String, Value)> = Vec::new();
            for (name, value) in current {
                match shadow.get(&name) {
                    Some(s) => {
                        let old = shadow_value(s)?;
                        if old != value && !dangling_ref(tx, entity, &name, &value, &old)? {
                            changed.push((name, value));
                        }
                    }
                    None => changed.push((name, value)),
                }
            }
            if changed.is_empty() {
                return Ok(false);
            }
            let hlc = counters.tick(at);
            let hlc_text = encode(&hlc)?;
            let mut out = BTreeMap::new();
            for (name, value) in changed {
                db::put_shadow(
                    tx,
                    entity.as_str(),
                    id,
                    &name,
                    &ShadowField {
                        value: encode(&value)?,
                        hlc: hlc_text.clone(),
                    },
                )?;
                // A merged field goes out as its document's state, edited into this text.
                let value = if is_crdt_field(entity, &name) {
                    crdt_edit(tx, entity, id, &name, &value, &counters.hlc.node)?
                } else {
                    value
                };
                out.insert(
                    name,
                    FieldValue {
                        value,
                        hlc: hlc.clone(),
                    },
                );
            }
            if meta.is_none() {
                let owner_id = if entity.is_owned() {
                    account.map(|a| a.user_id.clone())
                } else {
                    None
                };
                db::put_row_meta(
                    tx,
                    entity.as_str(),
                    id,
                    &RowMeta {
                        owner_id,
                        deleted_hlc: None,
                        version: 0,
                    },
                )?;
            }
            Mutation {
                mutation_id: 0,
                entity,
                entity_id: id.to_string(),
                op: Op::Upsert,
                fields: out,
                hlc: None,
            }
        }
    };
    let mutation = Mutation {
        mutation_id: counters.next_mutation_id,
        ..mutation
    };
    counters.next_mutation_id += 1;
    db::outbox_add(
        tx,
        &OutboxEntry {
            mutation_id: i64::try_from(mutation.mutation_id)
                .map_err(|_| corrupt("sync_outbox", id, "mutation id overflow"))?,
            entity: entity.as_str().to_string(),
            entity_id: id.to_string(),
            body: encode(&mutation)?,
        },
        now,
    )?;
    Ok(true)
}

/// Edits the document of a merged field into `text` (a minimal diff) and returns its
/// state as the field's wire value.
fn crdt_edit(
    tx: &Transaction,
    entity: Entity,
    id: &str,
    field: &str,
    text: &Value,
    client_id: &str,
) -> Result<Value, StoreError> {
    let doc = crdt::load(tx, entity, id, field, client_id)?;
    crdt::set_text(&doc, text.as_str().unwrap_or_default());
    Ok(proto::encode_value(&crdt::save(
        tx, entity, id, field, &doc,
    )?))
}

/// Applies a pulled state of a merged field to its document; returns the merged text.
fn crdt_merge(
    tx: &Transaction,
    entity: Entity,
    id: &str,
    field: &str,
    incoming: &Value,
    client_id: &str,
) -> Result<Value, StoreError> {
    let doc = crdt::load(tx, entity, id, field, client_id)?;
    let bytes = proto::decode_value(incoming).map_err(|e| corrupt("pulled document", id, e))?;
    proto::apply(&doc, &bytes).map_err(|e| corrupt("pulled document", id, e))?;
    crdt::save(tx, entity, id, field, &doc)?;
    Ok(Value::String(proto::text_of(&doc)))
}

/// The oldest staged mutations, in order.
pub fn outbox(store: &Store, limit: u32) -> Result<Vec<Mutation>, StoreError> {
    store.read(|conn| {
        db::outbox_head(conn, limit)?
            .iter()
            .map(|e| decode("sync_outbox", &e.body))
            .collect()
    })
}

fn lost(c: &Conflict, now: Millis) -> Result<ConflictRecord, StoreError> {
    Ok(ConflictRecord {
        id: 0,
        kind: ConflictKind::Lost,
        entity: c.entity.as_str().to_string(),
        entity_id: c.entity_id.clone(),
        field: c.field.clone(),
        value: encode(&c.value)?,
        hlc: encode(&c.hlc)?,
        winner_hlc: Some(encode(&c.winner_hlc)?),
        version: Some(c.version),
        reason: None,
        recorded_at: now,
        resolved_at: None,
    })
}

/// Records the server's acks: each acknowledged mutation leaves the outbox, its
/// conflicts go to the conflicts view. Returns (acked, conflicts recorded).
pub fn apply_acks(store: &Store, acks: &[Ack], now: Millis) -> Result<(u64, u64), StoreError> {
    store.write(|tx| {
        let mut acked = 0;
        let mut recorded = 0;
        for ack in acks {
            let id = i64::try_from(ack.mutation_id)
                .map_err(|_| corrupt("ack", "", "mutation id overflow"))?;
            if db::outbox_remove(tx, id)? {
                acked += 1;
            }
            for c in &ack.conflicts {
                if db::record_conflict(tx, &lost(c, now)?)? {
                    recorded += 1;
                }
            }
        }
        Ok((acked, recorded))
    })
}

/// The server refused this one mutation: it leaves the outbox, its values go to the
/// conflicts view as refused, and the server's values win again on the next pull.
pub fn reject(store: &Store, m: &Mutation, reason: &str, now: Millis) -> Result<(), StoreError> {
    store.write(|tx| {
        let id = i64::try_from(m.mutation_id)
            .map_err(|_| corrupt("sync_outbox", &m.entity_id, "mutation id overflow"))?;
        db::outbox_remove(tx, id)?;
        let e = m.entity.as_str();
        let record = |field: &str, value: &Value, hlc: &Hlc| -> Result<(), StoreError> {
            db::record_conflict(
                tx,
                &ConflictRecord {
                    id: 0,
                    kind: ConflictKind::Rejected,
                    entity: e.to_string(),
                    entity_id: m.entity_id.clone(),
                    field: field.to_string(),
                    value: encode(value)?,
                    hlc: encode(hlc)?,
                    winner_hlc: None,
                    version: None,
                    reason: Some(reason.to_string()),
                    recorded_at: now,
                    resolved_at: None,
                },
            )?;
            Ok(())
        };
        match (&m.op, &m.hlc) {
            (Op::Delete, Some(hlc)) => {
                record("", &Value::Null, hlc)?;
                if let Some(meta) = db::row_meta(tx, e, &m.entity_id)? {
                    db::put_row_meta(
                        tx,
                        e,
                        &m.entity_id,
                        &RowMeta {
                            deleted_hlc: None,
                            ..meta
                        },
                    )?;
                }
            }
            _ => {
                for (field, fv) in &m.fields {
                    record(field, &fv.value, &fv.hlc)?;
                    db::delete_shadow_field(tx, e, &m.entity_id, field)?;
                }
            }
        }
        // Bring the row again from the server: pull from just before its last version.
        if let Some(meta) = db::row_meta(tx, e, &m.entity_id)? {
            if meta.version > 0 {
                let cursor: i64 = get_state(tx, key::PULL_CURSOR)?.unwrap_or(0);
                set_state(tx, key::PULL_CURSOR, &cursor.min(meta.version - 1))?;
            }
        }
        Ok(())
    })
}

/// What applying one pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub changes: u64,
    pub conflicts: u64,
}

/// Applies a pulled page in one transaction: local edits are staged first (so they
/// keep their clocks), then every field whose pulled clock is greater than the local
/// one is written, tombstones delete, conflicts are recorded and the cursor moves on.
pub fn apply_page(store: &Store, page: &PullPage, now: Millis) -> Result<Applied, StoreError> {
    store.write(|tx| {
        stage_tx(tx, now)?;
        let before = db::last_change_seq(tx)?;
        let mut counters = Counters::load(tx)?;
        let mut applied = Applied::default();
        let mut inserted: Vec<Entity> = Vec::new();
        for change in &page.changes {
            let Some(_) = SYNCED.iter().find(|e| **e == change.entity) else {
                continue;
            };
            if apply_change(tx, change, now, &mut counters)? {
                inserted.push(change.entity);
            }
            applied.changes += 1;
            for c in &change.conflicts {
                if db::record_conflict(tx, &lost(c, now)?)? {
                    applied.conflicts += 1;
                }
            }
        }
        // References to rows that arrived in this page (or earlier) are restored.
        if !inserted.is_empty() {
            for entity in SYNCED {
                for (field, target) in fields::refs(*entity) {
                    if inserted.contains(target) {
                        db::relink(tx, entity.as_str(), field, target.as_str())?;
                    }
                }
            }
        }
        let cursor: i64 = get_state(tx, key::PULL_CURSOR)?.unwrap_or(0);
        set_state(tx, key::PULL_CURSOR, &cursor.max(page.next_cursor))?;
        counters.save(tx)?;
        // What this transaction wrote to the aggregates is not a local edit.
        db::absorb_changes_after(tx, before, now)?;
        Ok(applied)
    })
}

/// Applies one pulled entity; true when it created a row here.
fn apply_change(
    tx: &Transaction,
    change: &closer_sync_proto::Change,
    now: Millis,
    counters: &mut Counters,
) -> Result<bool, StoreError> {
    let e = change.entity.as_str();
    let id = change.entity_id.as_str();
    let meta = db::row_meta(tx, e, id)?;
    if change.deleted {
        db::delete_row(tx, e, id)?;
        db::delete_shadow(tx, e, id)?;
        db::delete_crdt_states(tx, e, id)?;
        let deleted_hlc = meta
            .as_ref()
            .and_then(|m| m.deleted_hlc.clone())
            .unwrap_or_else(|| "null".to_string());
        db::put_row_meta(
            tx,
            e,
            id,
            &RowMeta {
                owner_id: change.owner_id.clone(),
                deleted_hlc: Some(deleted_hlc),
                version: change.version,
            },
        )?;
        return Ok(false);
    }
    if meta.as_ref().is_some_and(|m| m.deleted_hlc.is_some()) {
        // Deleted here; the delete is on its way to the server and will win there.
        return Ok(false);
    }
    db::put_row_meta(
        tx,
        e,
        id,
        &RowMeta {
            owner_id: change.owner_id.clone(),
            deleted_hlc: None,
            version: change.version,
        },
    )?;
    let current = fields::read(tx, change.entity, id)?;
    let created = current.is_none();
    let mut merged: Fields = match current {
        Some(fields) => fields,
        None => fields::blank(change.entity, id)?,
    };
    let shadow = db::shadow(tx, e, id)?;
    let mut any = created;
    for (name, incoming) in &change.fields {
        if name == OWNER_FIELD {
            continue;
        }
        counters.hlc = counters.hlc.receive(&incoming.hlc, now);
        if is_crdt_field(change.entity, name) {
            // Merged, never replaced: local edits are in the document already (staged
            // before this page), so the merged text keeps both sides.
            let node = counters.hlc.node.clone();
            let text = crdt_merge(tx, change.entity, id, name, &incoming.value, &node)?;
            let hlc = match shadow.get(name) {
                Some(s) => {
                    let local = decode::<Hlc>("sync shadow clock", &s.hlc)?;
                    if local > incoming.hlc {
                        local
                    } else {
                        incoming.hlc.clone()
                    }
                }
                None => incoming.hlc.clone(),
            };
            db::put_shadow(
                tx,
                e,
                id,
                name,
                &ShadowField {
                    value: encode(&text)?,
                    hlc: encode(&hlc)?,
                },
            )?;
            if merged.get(name) != Some(&text) {
                merged.insert(name.clone(), text);
                any = true;
            }
            continue;
        }
        let local_wins = match shadow.get(name) {
            Some(s) => decode::<Hlc>("sync shadow clock", &s.hlc)? >= incoming.hlc,
            None => false,
        };
        if local_wins {
            continue;
        }
        merged.insert(name.clone(), incoming.value.clone());
        db::put_shadow(
            tx,
            e,
            id,
            name,
            &ShadowField {
                value: encode(&incoming.value)?,
                hlc: encode(&incoming.hlc)?,
            },
        )?;
        any = true;
    }
    if any {
        fields::write(tx, change.entity, id, &merged, now)?;
    }
    Ok(created)
}

/// Counts for a status line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LocalStatus {
    /// Staged mutations not yet acknowledged.
    pub outbox: u64,
    /// Local edits not yet staged.
    pub unstaged: u64,
    pub open_conflicts: u64,
    pub pull_cursor: i64,
    pub last_synced_at: Option<Millis>,
    pub account: Option<Account>,
}

pub fn status(store: &Store) -> Result<LocalStatus, StoreError> {
    store.read(|conn| {
        let names = fields::synced_names();
        Ok(LocalStatus {
            outbox: db::outbox_count(conn)?,
            unstaged: db::pending_changes(conn, &names, STAGE_BATCH)?.len() as u64,
            open_conflicts: db::conflict_count(conn, true)?,
            pull_cursor: get_state(conn, key::PULL_CURSOR)?.unwrap_or(0),
            last_synced_at: get_state(conn, key::LAST_SYNCED_AT)?,
            account: get_state(conn, key::ACCOUNT)?,
        })
    })
}

/// Links this replica to `account`, or refuses when it belongs to someone else.
pub fn set_account(store: &Store, account: &Account) -> Result<Result<(), Account>, StoreError> {
    store.write(|tx| {
        if let Some(existing) = get_state::<Account>(tx, key::ACCOUNT)? {
            if existing.user_id != account.user_id {
                return Ok(Err(existing));
            }
        }
        set_state(tx, key::ACCOUNT, account)?;
        ensure_client_id(tx)?;
        Ok(Ok(()))
    })
}

pub fn pull_cursor(store: &Store) -> Result<i64, StoreError> {
    store.read(|conn| Ok(get_state(conn, key::PULL_CURSOR)?.unwrap_or(0)))
}

pub fn mark_synced(store: &Store, now: Millis) -> Result<(), StoreError> {
    store.write(|tx| set_state(tx, key::LAST_SYNCED_AT, &now))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use closer_store::leads;
    use closer_sync_proto::Change;
    use closer_types::LeadDraft;

    use super::*;

    fn upserts(store: &Store) -> Vec<Mutation> {
        let out = outbox(store, 100).unwrap();
        store
            .write(|tx| {
                for m in &out {
                    db::outbox_remove(tx, m.mutation_id as i64)?;
                }
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn staging_sends_only_the_fields_that_changed_with_increasing_ids() {
        let store = Store::open_in_memory().unwrap();
        let lead = store
            .write(|tx| leads::create(tx, &LeadDraft::named("Initech"), 1_000))
            .unwrap();
        assert_eq!(stage(&store, 2_000).unwrap(), 1);
        let first = upserts(&store);
        assert_eq!(first.len(), 1);
        assert!(first[0].fields.contains_key("company") && first[0].fields.contains_key("status"));
        assert!(!first[0].fields.contains_key("updated_at") && !first[0].fields.contains_key("id"));

        let mut draft = LeadDraft::named("Initech");
        draft.industry = Some("Energy".into());
        store
            .write(|tx| leads::update(tx, &lead.id, &draft, 3_000))
            .unwrap();
        store
            .write(|tx| leads::update(tx, &lead.id, &draft, 3_001))
            .unwrap();
        assert_eq!(
            stage(&store, 4_000).unwrap(),
            1,
            "two edits of one row, one mutation"
        );
        let second = upserts(&store);
        assert_eq!(
            second[0].fields.keys().collect::<Vec<_>>(),
            vec!["industry"]
        );
        assert!(second[0].mutation_id > first[0].mutation_id);
        assert!(second[0].fields["industry"].hlc > first[0].fields["company"].hlc);
        assert_eq!(stage(&store, 5_000).unwrap(), 0, "nothing left");

        store.write(|tx| leads::delete(tx, &lead.id)).unwrap();
        assert_eq!(stage(&store, 6_000).unwrap(), 1);
        let third = upserts(&store);
        assert_eq!(third[0].op, Op::Delete);
    }

    #[test]
    fn a_pull_merges_field_by_field_by_clock_and_is_not_a_local_edit() {
        let store = Store::open_in_memory().unwrap();
        let lead = store
            .write(|tx| leads::create(tx, &LeadDraft::named("Initech"), 1_000))
            .unwrap();
        stage(&store, 1_000).unwrap();
        let mine = upserts(&store)[0].fields["company"].hlc.clone();
        let older = Hlc::new(mine.wall_ms - 1, 0, "zz-other");
        let newer = Hlc::new(mine.wall_ms + 10, 0, "aa-other");
        let value = |v: &str, hlc: &Hlc| FieldValue {
            value: Value::String(v.into()),
            hlc: hlc.clone(),
        };
        let page = PullPage {
            changes: vec![Change {
                entity: Entity::Lead,
                entity_id: lead.id.clone(),
                version: 7,
                owner_id: Some("u1".into()),
                deleted: false,
                fields: [
                    ("company".to_string(), value("Old name", &older)),
                    ("industry".to_string(), value("Retail", &newer)),
                ]
                .into_iter()
                .collect(),
                conflicts: vec![Conflict {
                    entity: Entity::Lead,
                    entity_id: lead.id.clone(),
                    field: "company".into(),
                    value: Value::String("Old name".into()),
                    hlc: older.clone(),
                    winner_hlc: mine.clone(),
                    version: 7,
                }],
            }],
            next_cursor: 7,
            total_remaining: 0,
            has_more: false,
        };
        let applied = apply_page(&store, &page, 2_000).unwrap();
        assert_eq!(
            applied,
            Applied {
                changes: 1,
                conflicts: 1
            }
        );
        let now = store.read(|c| leads::get(c, &lead.id)).unwrap();
        assert_eq!(
            now.company, "Initech",
            "the local value has the greater clock"
        );
        assert_eq!(now.industry.as_deref(), Some("Retail"));
        assert_eq!(
            stage(&store, 3_000).unwrap(),
            0,
            "applied values are not pushed back"
        );
        assert_eq!(pull_cursor(&store).unwrap(), 7);
        // The same conflict again (another page) is recorded once.
        apply_page(&store, &page, 2_500).unwrap();
        assert_eq!(store.read(|c| db::conflict_count(c, false)).unwrap(), 1);

        // A local edit after the pull gets a clock after everything seen.
        let mut draft = LeadDraft::named("Initech");
        draft.industry = Some("Banking".into());
        store
            .write(|tx| leads::update(tx, &lead.id, &draft, 1))
            .unwrap();
        stage(&store, 1).unwrap();
        assert!(upserts(&store)[0].fields["industry"].hlc > newer);

        let tombstone = PullPage {
            changes: vec![Change {
                entity: Entity::Lead,
                entity_id: lead.id.clone(),
                version: 9,
                owner_id: Some("u1".into()),
                deleted: true,
                fields: BTreeMap::new(),
                conflicts: vec![],
            }],
            next_cursor: 9,
            total_remaining: 0,
            has_more: false,
        };
        apply_page(&store, &tombstone, 4_000).unwrap();
        assert!(store.read(|c| leads::find(c, &lead.id)).unwrap().is_none());
        assert_eq!(
            stage(&store, 5_000).unwrap(),
            0,
            "a pulled delete is not pushed back"
        );
    }
}
