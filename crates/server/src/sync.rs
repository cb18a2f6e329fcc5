//! The merge rules of a push, pure: given what is stored (loaded by a backend inside
//! its transaction), decide what to write and what to answer.
//!
//! - A mutation id already acknowledged for this client is answered with its stored
//!   ack and changes nothing; an unacknowledged id not greater than the client's last
//!   is refused (409), so an outbox cannot be reordered.
//! - Per field, the value with the greatest [`Hlc`] wins (last writer wins). A value
//!   replaced by another node's write, or an incoming value that loses, is kept in
//!   history and reported as a [`Conflict`]; successive writes of one node replace
//!   each other silently (they are edits, not conflicts).
//! - A delete leaves a tombstone that wins over every field write (before or after):
//!   the values it removes, and later writes to it, go to history.
//! - Each mutation that changes a row takes the organisation's next server version.
//! - Who may write: reps and everyone else write only leads, deals, proposals and
//!   calls they own (`owner_id` is set to the writer on creation and never changes);
//!   managers and admins write battle cards and content items.

use std::collections::{BTreeMap, HashMap};

use closer_sync_proto::{
    crdt, is_crdt_field, Ack, Conflict, Entity, FieldValue, Hlc, Mutation, Op, PushRequest,
    PushResponse, OWNER_FIELD,
};

use crate::model::{Actor, Role};
use crate::storage::{EntityRow, HistoryRow, StoreError, StoreResult};

/// The client's registration: which user owns this client id, its last mutation id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientState {
    pub user_id: String,
    pub last_mutation_id: u64,
}

/// What a backend loads (inside its transaction) before planning.
#[derive(Debug, Default)]
pub struct PushLoad {
    pub client: Option<ClientState>,
    /// Stored acks of this client for the batch's mutation ids.
    pub acks: HashMap<u64, Ack>,
    /// Stored rows for the batch's entities.
    pub rows: HashMap<(Entity, String), EntityRow>,
    /// The organisation's current server version.
    pub version: i64,
}

/// What a backend writes (in the same transaction).
#[derive(Debug)]
pub struct PushPlan {
    pub response: PushResponse,
    /// Rows to insert or replace (their final state).
    pub rows: Vec<EntityRow>,
    pub history: Vec<HistoryRow>,
    /// New acks to store.
    pub new_acks: Vec<Ack>,
    /// The client's last mutation id after the batch (`None` when nothing was new).
    pub client_last: Option<u64>,
    /// The organisation's server version after the batch.
    pub version: i64,
}

/// The ids of the entities a batch touches (for a backend to load).
pub fn batch_keys(req: &PushRequest) -> Vec<(Entity, String)> {
    let mut keys: Vec<(Entity, String)> = req
        .mutations
        .iter()
        .map(|m| (m.entity, m.entity_id.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

pub fn plan_push(actor: &Actor, req: &PushRequest, load: PushLoad) -> StoreResult<PushPlan> {
    if let Some(client) = &load.client {
        if client.user_id != actor.user_id {
            return Err(StoreError::Forbidden(
                "this client id is registered to another user".into(),
            ));
        }
    }
    let mut last = load.client.as_ref().map_or(0, |c| c.last_mutation_id);
    let mut version = load.version;
    let mut rows = load.rows;
    let mut changed: BTreeMap<(Entity, String), ()> = BTreeMap::new();
    let mut acks = Vec::with_capacity(req.mutations.len());
    let mut new_acks = Vec::new();
    let mut history = Vec::new();
    let mut client_last = None;

    for m in &req.mutations {
        if let Some(ack) = load.acks.get(&m.mutation_id) {
            acks.push(ack.clone());
            continue;
        }
        if m.mutation_id <= last {
            return Err(StoreError::Conflict(format!(
                "mutation {} is not after this client's last acknowledged mutation {last}",
                m.mutation_id
            )));
        }
        last = m.mutation_id;
        client_last = Some(last);

        let key = (m.entity, m.entity_id.clone());
        let existing = rows.get(&key);
        let owner = authorize(actor, m, existing)?;
        let (row, conflicts, row_changed) = apply(m, existing, owner, version + 1)?;
        if row_changed {
            version += 1;
            changed.insert(key.clone(), ());
        }
        for c in &conflicts {
            history.push(HistoryRow {
                user_id: actor.user_id.clone(),
                conflict: Conflict {
                    version,
                    ..c.clone()
                },
            });
        }
        let conflicts = conflicts
            .into_iter()
            .map(|c| Conflict { version, ..c })
            .collect();
        let mut row = row;
        if row_changed {
            row.version = version;
        }
        rows.insert(key, row);
        let ack = Ack {
            mutation_id: m.mutation_id,
            server_version: version,
            conflicts,
        };
        new_acks.push(ack.clone());
        acks.push(ack);
    }

    let rows = changed
        .into_keys()
        .filter_map(|k| rows.remove(&k))
        .collect();
    Ok(PushPlan {
        response: PushResponse {
            acks,
            server_version: version,
        },
        rows,
        history,
        new_acks,
        client_last,
        version,
    })
}

/// May `actor` apply `m`? Returns the entity's owner (for owned kinds).
fn authorize(
    actor: &Actor,
    m: &Mutation,
    existing: Option<&EntityRow>,
) -> StoreResult<Option<String>> {
    if !m.entity.is_owned() {
        if !actor.role.edits_team_content() {
            return Err(StoreError::Forbidden(format!(
                "a {} may read but not change a {}",
                actor.role.as_str(),
                m.entity.as_str()
            )));
        }
        if m.fields.contains_key(OWNER_FIELD) {
            return Err(StoreError::Invalid(format!(
                "a {} belongs to the team and has no {OWNER_FIELD}",
                m.entity.as_str()
            )));
        }
        return Ok(None);
    }
    let owner = match existing.and_then(|r| r.owner_id.clone()) {
        Some(owner) if owner != actor.user_id => {
            return Err(StoreError::Forbidden(format!(
                "{} {} belongs to another user",
                m.entity.as_str(),
                m.entity_id
            )));
        }
        Some(owner) => owner,
        None => actor.user_id.clone(),
    };
    if let Some(fv) = m.fields.get(OWNER_FIELD) {
        if fv.value.as_str() != Some(owner.as_str()) {
            return Err(StoreError::Forbidden(format!(
                "{OWNER_FIELD} must be the writer's own user id"
            )));
        }
    }
    // A rep is the only role with nothing extra to check; spelled out so a new role
    // has to be thought about here.
    match actor.role {
        Role::Rep | Role::Manager | Role::Admin => Ok(Some(owner)),
    }
}

/// Applies one mutation to a row: (new row, conflicts without version, changed?).
/// Refused only when a CRDT field's value is not a document update.
fn apply(
    m: &Mutation,
    existing: Option<&EntityRow>,
    owner: Option<String>,
    next_version: i64,
) -> StoreResult<(EntityRow, Vec<Conflict>, bool)> {
    let mut row = existing.cloned().unwrap_or_else(|| EntityRow {
        entity: m.entity,
        entity_id: m.entity_id.clone(),
        owner_id: owner,
        version: next_version,
        deleted_hlc: None,
        fields: BTreeMap::new(),
    });
    let conflict = |field: &str, lost: &FieldValue, winner: &Hlc| Conflict {
        entity: m.entity,
        entity_id: m.entity_id.clone(),
        field: field.to_string(),
        value: lost.value.clone(),
        hlc: lost.hlc.clone(),
        winner_hlc: winner.clone(),
        version: 0,
    };
    let mut conflicts = Vec::new();
    let mut changed = existing.is_none();
    match (m.op, &m.hlc) {
        (Op::Delete, Some(delete_hlc)) => {
            // A second delete of a tombstone changes nothing (the first clock stays).
            if row.deleted_hlc.is_none() {
                for (name, fv) in std::mem::take(&mut row.fields) {
                    if fv.hlc.node != delete_hlc.node || fv.hlc > *delete_hlc {
                        conflicts.push(conflict(&name, &fv, delete_hlc));
                    }
                }
                row.deleted_hlc = Some(delete_hlc.clone());
                changed = true;
            }
        }
        (Op::Delete, None) => {
            // Rejected by validation before a push reaches a backend.
        }
        (Op::Upsert, _) => {
            for (name, incoming) in &m.fields {
                if name == OWNER_FIELD {
                    continue;
                }
                if let Some(tomb) = &row.deleted_hlc {
                    conflicts.push(conflict(name, incoming, tomb));
                    continue;
                }
                if is_crdt_field(m.entity, name) {
                    // Merged, never replaced: both writers' edits stay, nothing loses.
                    let current = row.fields.get(name);
                    let merged = crdt::merge_values(current.map(|c| &c.value), &incoming.value)
                        .map_err(|e| {
                            StoreError::Invalid(format!(
                                "{} {} {name}: {e}",
                                m.entity.as_str(),
                                m.entity_id
                            ))
                        })?;
                    if let Some(value) = merged {
                        let hlc = match current {
                            Some(c) if c.hlc > incoming.hlc => c.hlc.clone(),
                            _ => incoming.hlc.clone(),
                        };
                        row.fields.insert(name.clone(), FieldValue { value, hlc });
                        changed = true;
                    }
                    continue;
                }
                match row.fields.get(name) {
                    None => {
                        row.fields.insert(name.clone(), incoming.clone());
                        changed = true;
                    }
                    Some(current) if incoming.hlc > current.hlc => {
                        if current.hlc.node != incoming.hlc.node {
                            conflicts.push(conflict(name, current, &incoming.hlc));
                        }
                        row.fields.insert(name.clone(), incoming.clone());
                        changed = true;
                    }
                    Some(current) if incoming.hlc == current.hlc => {
                        // The same write again (or a misbehaving client reusing a
                        // clock): keep the stored value, keep a different one in history.
                        if incoming.value != current.value {
                            conflicts.push(conflict(name, incoming, &current.hlc));
                        }
                    }
                    Some(current) => {
                        conflicts.push(conflict(name, incoming, &current.hlc));
                    }
                }
            }
        }
    }
    Ok((row, conflicts, changed))
}
