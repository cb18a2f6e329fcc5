//! Inbound CRM webhooks: a CRM pushes leads and deals to
//! `POST /v1/webhooks/crm/{org}`, signed with the organisation's webhook secret.
//!
//! - **Signature**: header `x-closer-signature: t=<unix seconds>,v1=<hex>`, where the
//!   hex is HMAC-SHA256, keyed with the secret (the whole `whsec_...` string as bytes),
//!   over `"{t}.{raw body}"`. Several `v1=` entries may be sent (one matching is
//!   enough); other keys are ignored. Compared in constant time ([`hmac::Mac::verify_slice`]).
//! - **Replay window**: `t` must be within ±[`crate::ServerConfig::webhook_tolerance_secs`]
//!   of the server's clock, so a captured request cannot be replayed later.
//! - **Idempotency**: the event's `event_id` is stored with the ack it produced; a
//!   delivery of an id seen before changes nothing and gets the same answer (a
//!   different body under a used id is refused).
//! - **Secrets**: never stored. A secret is derived from the server's signing secret
//!   and a random key id kept per organisation ([`crate::auth::TokenKeys::webhook_secret`]);
//!   rotating draws a new key id, which invalidates the old secret at once.
//!
//! An event becomes one sync [`Mutation`] with a server-made clock (node
//! [`CRM_NODE`], wall time = the event's `occurred_at`, never later than now) and goes
//! through the same merge rules as a desktop's push ([`crate::sync::plan_push`]): a
//! field a rep changed later keeps the rep's value and the CRM's goes to history.

use std::collections::BTreeMap;

use closer_sync_proto::{
    limits, valid_field_name, valid_id, Ack, Conflict, Entity, FieldValue, Hlc, Invalid, Mutation,
    Op, OWNER_FIELD,
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The request header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-closer-signature";
/// The response header set on the answer to a delivery seen before.
pub const REPLAY_HEADER: &str = "x-closer-idempotent-replay";
/// Every webhook secret starts with this.
pub const SECRET_PREFIX: &str = "whsec_";
/// The clock node of every write a CRM makes.
pub const CRM_NODE: &str = "crm";
/// Longest signature header read.
const MAX_HEADER_LEN: usize = 1024;

/// Why a signature is refused. The messages are safe to return: they name what is
/// wrong, never a secret or the expected value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing {SIGNATURE_HEADER} header")]
    Missing,
    #[error("the {SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<hex HMAC-SHA256>")]
    Malformed,
    #[error("the signature's timestamp is more than {0} s away from the server's clock")]
    OutsideWindow(i64),
    #[error("the signature does not match this organisation's webhook secret")]
    Mismatch,
}

/// A parsed signature header: the timestamp exactly as sent, and the candidate MACs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: String,
    pub seconds: i64,
    pub signatures: Vec<Vec<u8>>,
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses `t=<digits>,v1=<hex>[,v1=<hex>...]` (spaces around parts allowed, unknown
/// keys ignored).
pub fn parse_signature_header(header: &str) -> Result<SignatureHeader, SignatureError> {
    if header.len() > MAX_HEADER_LEN {
        return Err(SignatureError::Malformed);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                if timestamp.is_some()
                    || value.is_empty()
                    || value.len() > 12
                    || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(SignatureError::Malformed);
                }
                timestamp = Some(value.to_string());
            }
            "v1" => {
                // A SHA-256 MAC is 32 bytes; anything else cannot match.
                match hex_decode(value) {
                    Some(mac) if mac.len() == 32 => signatures.push(mac),
                    _ => return Err(SignatureError::Malformed),
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    let seconds = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    if signatures.is_empty() || signatures.len() > 8 {
        return Err(SignatureError::Malformed);
    }
    Ok(SignatureHeader {
        timestamp,
        seconds,
        signatures,
    })
}

/// Checks the header's timestamp against the window (no secret needed, so it runs
/// before anything is looked up).
pub fn check_window(
    header: &SignatureHeader,
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    if (now_secs - header.seconds).abs() > tolerance_secs {
        return Err(SignatureError::OutsideWindow(tolerance_secs));
    }
    Ok(())
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// True when one of the header's MACs is the MAC of `"{t}.{body}"` under `secret`
/// (each compared in constant time).
pub fn verify_signature(secret: &str, header: &SignatureHeader, body: &[u8]) -> bool {
    header.signatures.iter().any(|candidate| {
        mac(secret, &header.timestamp, body)
            .verify_slice(candidate)
            .is_ok()
    })
}

/// The header a CRM sends: `t=<timestamp>,v1=<hex>`.
pub fn sign(secret: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let t = timestamp_secs.to_string();
    let digest = mac(secret, &t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex_encode(&digest))
}

/// What a CRM event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "lead.upserted")]
    LeadUpserted,
    #[serde(rename = "lead.deleted")]
    LeadDeleted,
    #[serde(rename = "deal.upserted")]
    DealUpserted,
    #[serde(rename = "deal.deleted")]
    DealDeleted,
}

impl EventType {
    pub fn entity(self) -> Entity {
        match self {
            EventType::LeadUpserted | EventType::LeadDeleted => Entity::Lead,
            EventType::DealUpserted | EventType::DealDeleted => Entity::Deal,
        }
    }

    pub fn op(self) -> Op {
        match self {
            EventType::LeadUpserted | EventType::DealUpserted => Op::Upsert,
            EventType::LeadDeleted | EventType::DealDeleted => Op::Delete,
        }
    }
}

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmEvent {
    /// The CRM's id of this event (the idempotency key): 1-64 of `[A-Za-z0-9-_.:]`.
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the change happened in the CRM, ms since the Unix epoch: the clock of the
    /// write (a later edit, in the CRM or by a rep, wins over it).
    pub occurred_at: i64,
    pub data: CrmRecord,
}

/// The lead or deal an event carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrmRecord {
    /// The entity's id in Closer (the CRM's record id works): 1-64 of `[A-Za-z0-9-_.:]`.
    pub id: String,
    /// The rep who owns it; without it, the organisation's webhook owner.
    #[serde(default)]
    pub owner_email: Option<String>,
    /// The fields written (names `[a-z0-9_]`, values any JSON); none for a delete.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
}

/// The answer to a delivery (the same for every delivery of one event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookResponse {
    pub event_id: String,
    pub entity: Entity,
    pub entity_id: String,
    /// The organisation's server version after this event.
    pub server_version: i64,
    /// Values this event's writes lost to or replaced (kept in the server's history).
    pub conflicts: Vec<Conflict>,
}

impl WebhookResponse {
    pub fn new(event: &CrmEvent, ack: Ack) -> Self {
        Self {
            event_id: event.event_id.clone(),
            entity: event.kind.entity(),
            entity_id: event.data.id.clone(),
            server_version: ack.server_version,
            conflicts: ack.conflicts,
        }
    }
}

/// The sync client id under which a CRM's writes for `user_id` are recorded.
pub fn client_id(user_id: &str) -> String {
    format!("crm:{user_id}")
}

impl CrmEvent {
    /// Checks ids, field names, sizes and the clock (`occurred_at` at most
    /// `max_skew_ms` ahead of `now_ms`); returns every problem found.
    pub fn validate(&self, now_ms: i64, max_skew_ms: i64) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut bad = |path: &str, reason: String| {
            errors.push(Invalid {
                path: path.to_string(),
                reason,
            })
        };
        let id_rule = format!("1-{} characters of [A-Za-z0-9-_.:]", limits::MAX_ID_LEN);
        if !valid_id(&self.event_id) {
            bad("event_id", id_rule.clone());
        }
        if !valid_id(&self.data.id) {
            bad("data/id", id_rule);
        }
        if self.occurred_at < 0 || self.occurred_at > now_ms.saturating_add(max_skew_ms) {
            bad(
                "occurred_at",
                "ms since the Unix epoch, not in the future".into(),
            );
        }
        if let Some(email) = &self.data.owner_email {
            if email.is_empty() || email.len() > 254 {
                bad("data/owner_email", "an email address".into());
            }
        }
        match self.kind.op() {
            Op::Upsert if self.data.fields.is_empty() => {
                bad("data/fields", "an upsert writes at least one field".into())
            }
            Op::Delete if !self.data.fields.is_empty() => {
                bad("data/fields", "a delete has no fields".into())
            }
            _ => {}
        }
        if self.data.fields.len() > limits::MAX_FIELDS_PER_MUTATION {
            bad(
                "data/fields",
                format!("at most {} fields", limits::MAX_FIELDS_PER_MUTATION),
            );
        }
        for (name, value) in self
            .data
            .fields
            .iter()
            .take(limits::MAX_FIELDS_PER_MUTATION)
        {
            let path = format!("data/fields/{}", name.chars().take(64).collect::<String>());
            if name == OWNER_FIELD {
                bad(&path, "set the owner with data/owner_email".into());
            } else if !valid_field_name(name) {
                bad(
                    &path,
                    format!(
                        "field names are 1-{} characters of [a-z0-9_]",
                        limits::MAX_FIELD_NAME_LEN
                    ),
                );
            }
            let size = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len());
            if size > limits::MAX_VALUE_BYTES {
                bad(&path, format!("at most {} bytes", limits::MAX_VALUE_BYTES));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The event as a sync mutation (its id is given by the storage, in the
    /// transaction that applies it). The clock is the server's: node [`CRM_NODE`],
    /// wall time `occurred_at`, but never later than `now_ms`.
    pub fn to_mutation(&self, now_ms: i64) -> Mutation {
        let hlc = Hlc::new(self.occurred_at.min(now_ms), 0, CRM_NODE);
        let (fields, delete_hlc) = match self.kind.op() {
            Op::Upsert => (
                self.data
                    .fields
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.clone(),
                            FieldValue {
                                value: value.clone(),
                                hlc: hlc.clone(),
                            },
                        )
                    })
                    .collect(),
                None,
            ),
            Op::Delete => (BTreeMap::new(), Some(hlc)),
        };
        Mutation {
            mutation_id: 0,
            entity: self.kind.entity(),
            entity_id: self.data.id.clone(),
            op: self.kind.op(),
            fields,
            hlc: delete_hlc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    #[test]
    fn a_signed_body_verifies_and_nothing_else_does() {
        let body = br#"{"a":1}"#;
        let header = sign(SECRET, 1_700_000_000, body);
        let parsed = parse_signature_header(&header).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.seconds, 1_700_000_000);
        assert!(verify_signature(SECRET, &parsed, body));
        assert!(!verify_signature("whsec_other", &parsed, body));
        assert!(!verify_signature(SECRET, &parsed, br#"{"a":2}"#));
        // The timestamp is part of what is signed.
        let moved = header.replace("t=1700000000", "t=1700000001");
        let moved = parse_signature_header(&moved).unwrap_or_else(|e| panic!("{e}"));
        assert!(!verify_signature(SECRET, &moved, body));
        // One good MAC among several is enough; unknown keys are ignored.
        let bad = format!("v1={}", "00".repeat(32));
        let several = format!("{bad}, {header}, v0=whatever");
        let several = parse_signature_header(&several).unwrap_or_else(|e| panic!("{e}"));
        assert!(verify_signature(SECRET, &several, body));
    }

    #[test]
    fn malformed_headers_are_refused() {
        let mac = "ab".repeat(32);
        for header in [
            String::new(),
            "t=1".into(),
            format!("v1={mac}"),
            format!("t=,v1={mac}"),
            format!("t=-5,v1={mac}"),
            format!("t=+5,v1={mac}"),
            format!("t=1,t=2,v1={mac}"),
            "t=1,v1=abc".into(),
            "t=1,v1=zz".into(),
            format!("t=1,v1={}", "ab".repeat(31)),
            format!("t=1;v1={mac}"),
            format!("t=1,v1={mac},{}", "x".repeat(2000)),
        ] {
            assert_eq!(
                parse_signature_header(&header),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn the_window_is_symmetric() {
        let at = |t: i64| SignatureHeader {
            timestamp: t.to_string(),
            seconds: t,
            signatures: vec![],
        };
        assert!(check_window(&at(1000), 1000, 300).is_ok());
        assert!(check_window(&at(700), 1000, 300).is_ok());
        assert!(check_window(&at(1300), 1000, 300).is_ok());
        assert_eq!(
            check_window(&at(699), 1000, 300),
            Err(SignatureError::OutsideWindow(300))
        );
        assert_eq!(
            check_window(&at(1301), 1000, 300),
            Err(SignatureError::OutsideWindow(300))
        );
    }

    #[test]
    fn events_validate_and_become_mutations() {
        let event: CrmEvent = serde_json::from_value(serde_json::json!({
            "event_id": "evt-1", "type": "deal.upserted", "occurred_at": 5_000,
            "data": {"id": "0061x", "fields": {"amount_cents": 120000, "stage": "proposal"}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(event.validate(10_000, 0).is_ok());
        let m = event.to_mutation(4_000);
        assert_eq!(
            (m.entity, m.op, m.entity_id.as_str()),
            (Entity::Deal, Op::Upsert, "0061x")
        );
        assert_eq!(m.fields["stage"].hlc, Hlc::new(4_000, 0, CRM_NODE));

        let bad: CrmEvent = serde_json::from_value(serde_json::json!({
            "event_id": "", "type": "lead.deleted", "occurred_at": 99_999,
            "data": {"id": "a b", "fields": {"owner_id": "x", "Bad": 1}}
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let errors = bad.validate(10_000, 0).err().unwrap_or_default();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "event_id",
            "data/id",
            "occurred_at",
            "data/fields",
            "data/fields/owner_id",
            "data/fields/Bad",
        ] {
            assert!(paths.contains(&p), "{p} in {paths:?}");
        }
        let unknown = serde_json::from_str::<CrmEvent>(
            r#"{"event_id":"e","type":"contact.created","occurred_at":1,"data":{"id":"x"}}"#,
        );
        assert!(unknown.is_err());
    }
}
