//! Each synced aggregate as a `{field: value}` map: what a mutation carries and what
//! a pull brings back. The mapping is serde's (the same snake_case names and JSON as
//! everywhere else); the id is the entity id and `updated_at` is local bookkeeping
//! (every replica stamps its own), so neither is a field; nor is a proposal's
//! `version` (the number of this replica's own snapshots). A proposal's `body` is read
//! and written here as plain text; on the wire it is a CRDT state ([`crate::crdt`]).

use std::collections::BTreeMap;

use closer_store::{battle_cards, calls, content, deals, leads, proposals, sync as db, StoreError};
use closer_sync_proto::Entity;
use closer_types::{
    BattleCard, Call, ContentItem, ContentKind, ContentStats, Deal, DealStage, Lead, LeadStatus,
    Millis, Proposal, ProposalStatus,
};
use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// A row's fields by name.
pub type Fields = BTreeMap<String, Value>;

/// The entity kinds this client syncs, in the order a pull applies them.
pub const SYNCED: &[Entity] = &[
    Entity::Lead,
    Entity::Deal,
    Entity::Proposal,
    Entity::Call,
    Entity::BattleCard,
    Entity::ContentItem,
];

/// Columns kept per replica, never synced (besides `id` and `updated_at`).
fn local_only(entity: Entity) -> &'static [&'static str] {
    match entity {
        Entity::Proposal => &["version"],
        _ => &[],
    }
}

pub(crate) fn synced_names() -> Vec<&'static str> {
    SYNCED.iter().map(|e| e.as_str()).collect()
}

/// Columns of `entity` that name another synced row: (field, target kind). A pull may
/// bring a row before the one it names (or after it was deleted): the row then keeps
/// `null` locally and its shadow keeps the id, which [`db::relink`] restores later.
pub(crate) fn refs(entity: Entity) -> &'static [(&'static str, Entity)] {
    match entity {
        Entity::Deal => &[("lead_id", Entity::Lead)],
        Entity::Proposal | Entity::Call => &[("deal_id", Entity::Deal), ("lead_id", Entity::Lead)],
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
            .filter(|(k, _)| {
                k != "id" && k != "updated_at" && !local_only(entity).contains(&k.as_str())
            })
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
    if entity == Entity::Proposal {
        // Ignored by the write (the replica keeps its own count); 1 for a new one.
        map.insert("version".into(), Value::from(1));
    }
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
        Entity::Proposal => to_fields(
            entity,
            id,
            &Proposal {
                id: id.to_string(),
                deal_id: None,
                lead_id: None,
                title: String::new(),
                body: String::new(),
                status: ProposalStatus::default(),
                version: 1,
                created_at: 0,
                updated_at: 0,
            },
        ),
        Entity::Call => to_fields(
            entity,
            id,
            &Call {
                id: id.to_string(),
                deal_id: None,
                lead_id: None,
                title: String::new(),
                started_at: 0,
                ended_at: None,
                segments: Vec::new(),
                analysis: None,
                created_at: 0,
                updated_at: 0,
            },
        ),
        Entity::BattleCard => to_fields(
            entity,
            id,
            &BattleCard {
                id: id.to_string(),
                // Unique per replica (case-insensitive) until the pulled name arrives.
                competitor: id.to_string(),
                summary: String::new(),
                our_strengths: Vec::new(),
                their_weaknesses: Vec::new(),
                pricing_comparison: String::new(),
                key_differentiators: Vec::new(),
                objections: Vec::new(),
                trigger_phrases: Vec::new(),
                updated_by: None,
                created_at: 0,
                updated_at: 0,
            },
        ),
        Entity::ContentItem => to_fields(
            entity,
            id,
            &ContentItem {
                id: id.to_string(),
                title: String::new(),
                kind: ContentKind::default(),
                industries: Vec::new(),
                personas: Vec::new(),
                topics: Vec::new(),
                body: String::new(),
                source_path: None,
                stats: ContentStats::default(),
                created_at: 0,
                updated_at: 0,
            },
        ),
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
        _ if !db::row_exists(conn, entity.as_str(), id)? => Ok(None),
        Entity::Proposal => to_fields(entity, id, &proposals::get(conn, id)?).map(Some),
        Entity::Call => to_fields(entity, id, &calls::get(conn, id)?).map(Some),
        Entity::BattleCard => to_fields(entity, id, &battle_cards::get(conn, id)?).map(Some),
        Entity::ContentItem => to_fields(entity, id, &content::get(conn, id)?).map(Some),
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
        Entity::Proposal => {
            let mut p: Proposal = from_fields(entity, id, fields, now)?;
            p.deal_id = present(tx, Entity::Deal, p.deal_id)?;
            p.lead_id = present(tx, Entity::Lead, p.lead_id)?;
            db::put_proposal(tx, &p)
        }
        Entity::Call => {
            let mut c: Call = from_fields(entity, id, fields, now)?;
            c.deal_id = present(tx, Entity::Deal, c.deal_id)?;
            c.lead_id = present(tx, Entity::Lead, c.lead_id)?;
            db::put_call(tx, &c)
        }
        Entity::BattleCard => db::put_battle_card(tx, &from_fields(entity, id, fields, now)?),
        Entity::ContentItem => db::put_content_item(tx, &from_fields(entity, id, fields, now)?),
    }
}

/// `id` when that row is here, else `None` (the shadow keeps the id for [`db::relink`]).
fn present(
    tx: &Transaction<'_>,
    target: Entity,
    id: Option<String>,
) -> Result<Option<String>, StoreError> {
    match id {
        Some(id) if db::row_exists(tx, target.as_str(), &id)? => Ok(Some(id)),
        _ => Ok(None),
    }
}
