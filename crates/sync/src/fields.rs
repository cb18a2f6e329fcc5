//! Each synced aggregate as a `{field: value}` map: what a mutation carries and what
//! a pull brings back. The mapping is serde's (the same snake_case names and JSON as
//! everywhere else); the id is the entity id and `updated_at` is local bookkeeping
//! (every replica stamps its own), so neither is a field.

use std::collections::BTreeMap;

use closer_store::{deals, leads, sync as db, StoreError};
use closer_sync_proto::Entity;
use closer_types::{Deal, DealStage, Lead, LeadStatus, Millis};
use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// A row's fields by name.
pub type Fields = BTreeMap<String, Value>;

/// The entity kinds this client syncs, in the order a pull applies them.
pub const SYNCED: &[Entity] = &[Entity::Lead, Entity::Deal];

pub(crate) fn synced_names() -> Vec<&'static str> {
    SYNCED.iter().map(|e| e.as_str()).collect()
}

/// Columns of `entity` that name another synced row: (field, target kind). A pull may
/// bring a row before the one it names (or after it was deleted): the row then keeps
/// `null` locally and its shadow keeps the id, which [`db::relink`] restores later.
pub(crate) fn refs(entity: Entity) -> &'static [(&'static str, Entity)] {
    match entity {
        Entity::Deal => &[("lead_id", Entity::Lead)],
        _ => &[],
    }
}

fn corrupt(entity: Entity, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        entity: entity.as_str(),
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

fn to_fields<T: Serialize>(entity: Entity, id: &str, row: &T) -> Result<Fields, StoreError> {
    match serde_json::to_value(row).map_err(|e| corrupt(entity, id, e))? {
        Value::Object(map) => Ok(map
            .into_iter()
            .filter(|(k, _)| k != "id" && k != "updated_at")
            .collect()),
        _ => Err(corrupt(entity, id, "not a JSON object")),
    }
}

fn from_fields<T: DeserializeOwned>(
    entity: Entity,
    id: &str,
    fields: &Fields,
    updated_at: Millis,
) -> Result<T, StoreError> {
    let mut map: serde_json::Map<String, Value> =
        fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    map.insert("id".into(), Value::String(id.to_string()));
    map.insert("updated_at".into(), Value::from(updated_at));
    serde_json::from_value(Value::Object(map))
        .map_err(|e| corrupt(entity, id, format!("pulled fields do not make a row: {e}")))
}

/// The fields of a row that does not exist yet (a pull fills what it brings).
pub(crate) fn blank(entity: Entity, id: &str) -> Result<Fields, StoreError> {
    match entity {
        Entity::Lead => to_fields(
            entity,
            id,
            &Lead {
                id: id.to_string(),
                company: String::new(),
                domain: None,
                industry: None,
                employee_count: None,
                contacts: Vec::new(),
                source: None,
                status: LeadStatus::default(),
                owner: None,
                score: None,
                created_at: 0,
                updated_at: 0,
            },
        ),
        Entity::Deal => to_fields(
            entity,
            id,
            &Deal {
                id: id.to_string(),
                lead_id: None,
                name: String::new(),
                amount_cents: 0,
                stage: DealStage::default(),
                close_date: None,
                competitors: Vec::new(),
                owner: None,
                stakeholders: Vec::new(),
                created_at: 0,
                updated_at: 0,
            },
        ),
        other => Err(corrupt(other, id, "this kind is not synced yet")),
    }
}

/// The row's current fields, `None` when there is no such row here.
pub fn read(conn: &Connection, entity: Entity, id: &str) -> Result<Option<Fields>, StoreError> {
    match entity {
        Entity::Lead => leads::find(conn, id)?
            .map(|l| to_fields(entity, id, &l))
            .transpose(),
        Entity::Deal => deals::find(conn, id)?
            .map(|d| to_fields(entity, id, &d))
            .transpose(),
        _ => Ok(None),
    }
}

/// Writes a row from its fields (inserting it when new). A reference to a row that is
/// not here is stored as `None` (see [`refs`]).
pub(crate) fn write(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    fields: &Fields,
    now: Millis,
) -> Result<(), StoreError> {
    match entity {
        Entity::Lead => {
            let lead: Lead = from_fields(entity, id, fields, now)?;
            db::put_lead(tx, &lead)
        }
        Entity::Deal => {
            let mut deal: Deal = from_fields(entity, id, fields, now)?;
            if let Some(lead_id) = &deal.lead_id {
                if !db::row_exists(tx, Entity::Lead.as_str(), lead_id)? {
                    deal.lead_id = None;
                }
            }
            db::put_deal(tx, &deal)
        }
        other => Err(corrupt(other, id, "this kind is not synced yet")),
    }
}
