//! The wire types of Closer's sync protocol, shared by the team server
//! (`closer-server`) and, later, the desktop's sync loop.
//!
//! - A desktop keeps an outbox of [`Mutation`]s. Each carries an increasing
//!   `mutation_id` per `client_id`, so a replayed push is recognised and answered
//!   with the same [`Ack`] as the first time.
//! - Every field value carries the [`Hlc`] of the write that produced it; the server
//!   keeps, per field, the value with the greatest clock (last writer wins) and keeps
//!   the loser in its history, returned as a [`Conflict`].
//! - [`PullPage`] returns the current state of every entity changed since a cursor
//!   (a per-organisation server version), filtered by what the user may see.
//!
//! This crate only holds shapes and the pure rules that belong to them (clock order,
//! limits). It knows nothing about HTTP, storage or authorisation.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub mod crdt;

/// Limits every decoder of these types enforces (the server answers 4xx past them).
pub mod limits {
    /// Mutations in one push batch.
    pub const MAX_MUTATIONS_PER_PUSH: usize = 500;
    /// Fields in one mutation.
    pub const MAX_FIELDS_PER_MUTATION: usize = 100;
    /// Characters of a client id, an entity id or a clock's node id.
    pub const MAX_ID_LEN: usize = 64;
    /// Characters of a field name.
    pub const MAX_FIELD_NAME_LEN: usize = 64;
    /// Bytes of one field value, as JSON.
    pub const MAX_VALUE_BYTES: usize = 256 * 1024;
    /// The largest mutation id (ids are stored as signed 64-bit integers).
    pub const MAX_MUTATION_ID: u64 = u64::MAX >> 1;
    /// Changes in one pull page.
    pub const MAX_PULL_LIMIT: u32 = 1000;
    /// Changes in one pull page when the client does not say.
    pub const DEFAULT_PULL_LIMIT: u32 = 200;
}

/// A hybrid logical clock reading: wall-clock milliseconds, a counter for events in
/// the same millisecond, and the id of the node (device) that made it.
///
/// The order is total: by `wall_ms`, then `counter`, then `node` (byte order), so two
/// different writers never tie.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hlc {
    pub wall_ms: i64,
    pub counter: u32,
    pub node: String,
}

impl Hlc {
    pub fn new(wall_ms: i64, counter: u32, node: impl Into<String>) -> Self {
        Self {
            wall_ms,
            counter,
            node: node.into(),
        }
    }

    /// The clock after a local event at wall-clock time `now_ms`.
    pub fn tick(&self, now_ms: i64) -> Self {
        if now_ms > self.wall_ms {
            Self::new(now_ms, 0, self.node.clone())
        } else {
            Self::new(
                self.wall_ms,
                self.counter.saturating_add(1),
                self.node.clone(),
            )
        }
    }

    /// The clock after receiving `remote` at wall-clock time `now_ms`: greater than
    /// both this clock and the remote one.
    pub fn receive(&self, remote: &Hlc, now_ms: i64) -> Self {
        let wall = now_ms.max(self.wall_ms).max(remote.wall_ms);
        let counter = if wall == self.wall_ms && wall == remote.wall_ms {
            self.counter.max(remote.counter).saturating_add(1)
        } else if wall == self.wall_ms {
            self.counter.saturating_add(1)
        } else if wall == remote.wall_ms {
            remote.counter.saturating_add(1)
        } else {
            0
        };
        Self::new(wall, counter, self.node.clone())
    }
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        self.wall_ms
            .cmp(&other.wall_ms)
            .then(self.counter.cmp(&other.counter))
            .then_with(|| self.node.as_bytes().cmp(other.node.as_bytes()))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}@{}", self.wall_ms, self.counter, self.node)
    }
}

/// The kinds of entity that sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Lead,
    Deal,
    Proposal,
    Call,
    BattleCard,
    ContentItem,
}

impl Entity {
    pub const ALL: [Entity; 6] = [
        Entity::Lead,
        Entity::Deal,
        Entity::Proposal,
        Entity::Call,
        Entity::BattleCard,
        Entity::ContentItem,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Lead => "lead",
            Entity::Deal => "deal",
            Entity::Proposal => "proposal",
            Entity::Call => "call",
            Entity::BattleCard => "battle_card",
            Entity::ContentItem => "content_item",
        }
    }

    pub fn parse(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Owned by one user (a rep's own work) rather than by the team.
    pub fn is_owned(self) -> bool {
        matches!(
            self,
            Entity::Lead | Entity::Deal | Entity::Proposal | Entity::Call
        )
    }
}

/// What a mutation does to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Delete,
}

/// One field's value and the clock of the write that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldValue {
    pub value: serde_json::Value,
    pub hlc: Hlc,
}

/// The name of the one field the server reads: who owns a lead, deal, proposal or call.
pub const OWNER_FIELD: &str = "owner_id";

/// Fields merged as a CRDT instead of by last writer wins: a proposal's body. Two people
/// editing different paragraphs of one proposal offline both keep their text.
///
/// The value of such a field on the wire is a JSON string: the standard base64 of a
/// [yrs](https://docs.rs/yrs) (Yjs) document update, lib0 v1 encoding, whose root text
/// `"body"` holds the body. A client pushes its whole document state (an update from
/// the empty state vector); the server applies it to the stored document (updates
/// commute and are idempotent) and stores the merged state; a pull brings the merged
/// state, which the client applies to its own document and reads the text from. The
/// field's clock is the greatest clock merged into it; nothing ever loses, so a CRDT
/// field never makes a [`Conflict`] (a delete of its row still wins).
pub const CRDT_FIELDS: &[(Entity, &str)] = &[(Entity::Proposal, "body")];

/// The root text of a CRDT field's document.
pub const CRDT_ROOT: &str = "body";

/// Whether `field` of `entity` is merged as a CRDT (see [`CRDT_FIELDS`]).
pub fn is_crdt_field(entity: Entity, field: &str) -> bool {
    CRDT_FIELDS.iter().any(|(e, f)| *e == entity && *f == field)
}

/// One change made on a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Increasing per client; a replay of an id already acknowledged is a no-op.
    pub mutation_id: u64,
    pub entity: Entity,
    pub entity_id: String,
    pub op: Op,
    /// For `upsert`: the fields written. Must be empty for `delete`.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldValue>,
    /// For `delete`: the clock of the delete. Must be absent for `upsert`.
    #[serde(default)]
    pub hlc: Option<Hlc>,
}

/// `POST /v1/sync/push`: a batch of one client's mutations, applied all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub client_id: String,
    pub mutations: Vec<Mutation>,
}

/// A value that lost (or was replaced) under last-writer-wins; the server keeps it in
/// its history so that nothing is lost, and the desktop shows it as a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub entity: Entity,
    pub entity_id: String,
    pub field: String,
    /// The value that is no longer current.
    pub value: serde_json::Value,
    pub hlc: Hlc,
    /// The clock of the value (or delete) that won.
    pub winner_hlc: Hlc,
    /// The server version at which the conflict was recorded.
    pub version: i64,
}

/// The server's answer to one mutation. A replayed mutation gets the same ack again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub mutation_id: u64,
    /// The organisation's server version after this mutation.
    pub server_version: i64,
    /// Values this mutation's writes lost to, or replaced (other writers' values).
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub acks: Vec<Ack>,
    /// The organisation's server version after the batch.
    pub server_version: i64,
}

/// One entity's current state in a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub entity: Entity,
    pub entity_id: String,
    /// The server version of the entity's last change.
    pub version: i64,
    /// The owner of a lead, deal, proposal or call; `None` for team entities.
    pub owner_id: Option<String>,
    /// A tombstone: the entity was deleted; `fields` is empty.
    pub deleted: bool,
    pub fields: BTreeMap<String, FieldValue>,
    /// Values replaced since the cursor (kept in the server's history).
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

/// `GET /v1/sync/pull?since=<version>&limit=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullPage {
    pub changes: Vec<Change>,
    /// Pass as `since` for the next page.
    pub next_cursor: i64,
    /// Changes visible to this user after `next_cursor` (for a progress bar).
    pub total_remaining: u64,
    pub has_more: bool,
}

/// Why a push payload is invalid (beyond JSON shape, which serde checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// A JSON-pointer-like path to the offending part, e.g. `mutations/3/fields/name`.
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// An id the protocol accepts (client, entity, clock node): 1-64 characters of
/// `[A-Za-z0-9-_.:]`.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A field name the protocol accepts: 1-64 characters of `[a-z0-9_]`.
pub fn valid_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::MAX_FIELD_NAME_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_hlc(hlc: &Hlc, path: &str, max_wall_ms: i64, errors: &mut Vec<Invalid>) {
    if hlc.wall_ms < 0 || hlc.wall_ms > max_wall_ms {
        errors.push(Invalid {
            path: format!("{path}/wall_ms"),
            reason: "clock is negative or too far in the future".into(),
        });
    }
    if !valid_id(&hlc.node) {
        errors.push(Invalid {
            path: format!("{path}/node"),
            reason: format!(
                "node id must be 1-{} characters of [A-Za-z0-9-_.:]",
                limits::MAX_ID_LEN
            ),
        });
    }
}

impl PushRequest {
    /// Checks everything serde does not: ids, limits, clocks no later than
    /// `max_wall_ms`, strictly increasing mutation ids, the fields a delete may not
    /// have. Returns every problem found (at most a few dozen).
    pub fn validate(&self, max_wall_ms: i64) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        if !valid_id(&self.client_id) {
            errors.push(Invalid {
                path: "client_id".into(),
                reason: format!(
                    "must be 1-{} characters of [A-Za-z0-9-_.:]",
                    limits::MAX_ID_LEN
                ),
            });
        }
        if self.mutations.len() > limits::MAX_MUTATIONS_PER_PUSH {
            errors.push(Invalid {
                path: "mutations".into(),
                reason: format!("at most {} per push", limits::MAX_MUTATIONS_PER_PUSH),
            });
            return Err(errors);
        }
        let mut previous: Option<u64> = None;
        for (i, m) in self.mutations.iter().enumerate() {
            if errors.len() >= 50 {
                break;
            }
            let path = format!("mutations/{i}");
            if previous.is_some_and(|p| m.mutation_id <= p) {
                errors.push(Invalid {
                    path: format!("{path}/mutation_id"),
                    reason: "mutation ids must increase within a batch".into(),
                });
            }
            previous = Some(m.mutation_id);
            if m.mutation_id > limits::MAX_MUTATION_ID {
                errors.push(Invalid {
                    path: format!("{path}/mutation_id"),
                    reason: format!("at most {}", limits::MAX_MUTATION_ID),
                });
            }
            if !valid_id(&m.entity_id) {
                errors.push(Invalid {
                    path: format!("{path}/entity_id"),
                    reason: format!(
                        "must be 1-{} characters of [A-Za-z0-9-_.:]",
                        limits::MAX_ID_LEN
                    ),
                });
            }
            match m.op {
                Op::Upsert => {
                    if m.hlc.is_some() {
                        errors.push(Invalid {
                            path: format!("{path}/hlc"),
                            reason: "an upsert carries a clock per field, not one for the mutation"
                                .into(),
                        });
                    }
                    if m.fields.is_empty() {
                        errors.push(Invalid {
                            path: format!("{path}/fields"),
                            reason: "an upsert writes at least one field".into(),
                        });
                    }
                }
                Op::Delete => {
                    if !m.fields.is_empty() {
                        errors.push(Invalid {
                            path: format!("{path}/fields"),
                            reason: "a delete has no fields".into(),
                        });
                    }
                    match &m.hlc {
                        Some(hlc) => {
                            check_hlc(hlc, &format!("{path}/hlc"), max_wall_ms, &mut errors)
                        }
                        None => errors.push(Invalid {
                            path: format!("{path}/hlc"),
                            reason: "a delete needs a clock".into(),
                        }),
                    }
                }
            }
            if m.fields.len() > limits::MAX_FIELDS_PER_MUTATION {
                errors.push(Invalid {
                    path: format!("{path}/fields"),
                    reason: format!("at most {} fields", limits::MAX_FIELDS_PER_MUTATION),
                });
                continue;
            }
            for (name, fv) in &m.fields {
                let fpath = format!(
                    "{path}/fields/{}",
                    name.chars().take(64).collect::<String>()
                );
                if !valid_field_name(name) {
                    errors.push(Invalid {
                        path: fpath.clone(),
                        reason: format!(
                            "field names are 1-{} characters of [a-z0-9_]",
                            limits::MAX_FIELD_NAME_LEN
                        ),
                    });
                }
                check_hlc(&fv.hlc, &format!("{fpath}/hlc"), max_wall_ms, &mut errors);
                let size = serde_json::to_vec(&fv.value)
                    .map(|v| v.len())
                    .unwrap_or(usize::MAX);
                if size > limits::MAX_VALUE_BYTES {
                    errors.push(Invalid {
                        path: format!("{fpath}/value"),
                        reason: format!("at most {} bytes", limits::MAX_VALUE_BYTES),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_order_is_total_and_ticks_forward() {
        let a = Hlc::new(10, 0, "a");
        let b = Hlc::new(10, 0, "b");
        assert!(a < b);
        assert!(Hlc::new(10, 1, "a") > b);
        assert!(Hlc::new(11, 0, "a") > Hlc::new(10, 9, "z"));
        assert!(a.tick(5) > a);
        assert!(a.tick(20) > a);
        let r = a.receive(&Hlc::new(50, 3, "z"), 20);
        assert!(r > Hlc::new(50, 3, "z"));
        assert_eq!(r.node, "a");
    }

    #[test]
    fn entity_names_round_trip() {
        for e in Entity::ALL {
            assert_eq!(Entity::parse(e.as_str()), Some(e));
            let json = serde_json::to_string(&e).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
        }
    }

    #[test]
    fn validation_reports_each_problem() {
        let req: PushRequest = serde_json::from_value(serde_json::json!({
            "client_id": "",
            "mutations": [
                {"mutation_id": 2, "entity": "lead", "entity_id": "l1", "op": "upsert",
                 "fields": {"Name!": {"value": 1, "hlc": {"wall_ms": 1, "counter": 0, "node": "n"}}}},
                {"mutation_id": 1, "entity": "lead", "entity_id": "l1", "op": "delete"}
            ]
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let errors = req.validate(1000).err().unwrap_or_default();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"client_id"), "{paths:?}");
        assert!(paths.contains(&"mutations/0/fields/Name!"), "{paths:?}");
        assert!(paths.contains(&"mutations/1/mutation_id"), "{paths:?}");
        assert!(paths.contains(&"mutations/1/hlc"), "{paths:?}");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r: Result<PushRequest, _> =
            serde_json::from_str(r#"{"client_id":"c","mutations":[],"extra":1}"#);
        assert!(r.is_err());
    }
}
