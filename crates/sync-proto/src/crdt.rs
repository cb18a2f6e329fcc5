//! The CRDT fields' values (see [`crate::CRDT_FIELDS`]): a yrs (Yjs) document state,
//! lib0 v1 encoded, as a base64 JSON string. Pure: decode, merge, read the text.
//!
//! Merging goes through a document (not `merge_updates_v1` on the bytes): a document
//! collects the garbage of deleted text, so a stored body does not grow with every
//! paragraph ever deleted, and applying an update is how yrs checks it is well-formed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Transact, Update};

use crate::CRDT_ROOT;

/// A CRDT field value that is not a document update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrdtError(pub String);

impl std::fmt::Display for CrdtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CrdtError {}

/// The bytes of a CRDT field value.
pub fn decode_value(value: &Value) -> Result<Vec<u8>, CrdtError> {
    let text = value
        .as_str()
        .ok_or_else(|| CrdtError("a merged field's value is a base64 string".into()))?;
    STANDARD
        .decode(text)
        .map_err(|e| CrdtError(format!("a merged field's value is not base64: {e}")))
}

/// The wire value of a document state.
pub fn encode_value(state: &[u8]) -> Value {
    Value::String(STANDARD.encode(state))
}

/// Applies an encoded update to `doc`.
pub fn apply(doc: &Doc, update: &[u8]) -> Result<(), CrdtError> {
    let update =
        Update::decode_v1(update).map_err(|e| CrdtError(format!("not a document update: {e}")))?;
    doc.transact_mut()
        .apply_update(update)
        .map_err(|e| CrdtError(format!("the document update does not apply: {e}")))
}

/// The whole state of `doc`, as one update.
pub fn state_of(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// The text of `doc`'s body.
pub fn text_of(doc: &Doc) -> String {
    let text = doc.get_or_insert_text(CRDT_ROOT);
    let txn = doc.transact();
    text.get_string(&txn)
}

/// A document for merging only (it makes no edits of its own, so its client id is
/// never written into the state).
fn scratch() -> Doc {
    let doc = Doc::with_client_id(1);
    doc.get_or_insert_text(CRDT_ROOT);
    doc
}

/// Merges `incoming` into `stored` (absent: an empty document). `None` when `incoming`
/// adds nothing (the stored value stands); otherwise the merged state.
pub fn merge_values(stored: Option<&Value>, incoming: &Value) -> Result<Option<Value>, CrdtError> {
    let doc = scratch();
    let before = match stored {
        Some(v) => {
            apply(&doc, &decode_value(v)?)?;
            Some(state_of(&doc))
        }
        None => None,
    };
    apply(&doc, &decode_value(incoming)?)?;
    let after = state_of(&doc);
    Ok((before.as_ref() != Some(&after)).then(|| encode_value(&after)))
}

/// The body text a CRDT field value holds.
pub fn value_text(value: &Value) -> Result<String, CrdtError> {
    let doc = scratch();
    apply(&doc, &decode_value(value)?)?;
    Ok(text_of(&doc))
}

/// Whether every edit in `update` is already in `state` (both encoded updates).
pub fn includes(state: &[u8], update: &[u8]) -> Result<bool, CrdtError> {
    let have = Update::decode_v1(state)
        .map_err(|e| CrdtError(format!("not a document update: {e}")))?
        .state_vector();
    let want = Update::decode_v1(update)
        .map_err(|e| CrdtError(format!("not a document update: {e}")))?
        .state_vector();
    Ok(want
        .iter()
        .all(|(client, clock)| have.get(client) >= *clock))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::Text;

    fn doc_with(client: u64, text: &str) -> Doc {
        let doc = Doc::with_client_id(client);
        let body = doc.get_or_insert_text(CRDT_ROOT);
        body.insert(&mut doc.transact_mut(), 0, text);
        doc
    }

    #[test]
    fn merging_keeps_both_writers_text_and_is_idempotent() {
        let a = doc_with(11, "Intro.\n");
        let b = Doc::with_client_id(22);
        apply(&b, &state_of(&a)).unwrap_or_else(|e| panic!("{e}"));
        let body_a = a.get_or_insert_text(CRDT_ROOT);
        body_a.insert(&mut a.transact_mut(), 7, "Pricing.\n");
        let body_b = b.get_or_insert_text(CRDT_ROOT);
        body_b.insert(&mut b.transact_mut(), 0, "Summary.\n");

        let stored = merge_values(None, &encode_value(&state_of(&a)))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or(Value::Null);
        let merged = merge_values(Some(&stored), &encode_value(&state_of(&b)))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or(Value::Null);
        assert_eq!(
            value_text(&merged).unwrap_or_default(),
            "Summary.\nIntro.\nPricing.\n"
        );
        // The same update again adds nothing.
        assert_eq!(
            merge_values(Some(&merged), &encode_value(&state_of(&b))),
            Ok(None)
        );
        let merged_bytes = decode_value(&merged).unwrap_or_default();
        assert_eq!(includes(&merged_bytes, &state_of(&a)), Ok(true));
        assert_eq!(includes(&state_of(&a), &merged_bytes), Ok(false));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(merge_values(None, &Value::String("not base64!".into())).is_err());
        assert!(merge_values(None, &Value::from(3)).is_err());
        assert!(merge_values(None, &encode_value(&[0xff, 0xff, 0xff, 0x01])).is_err());
    }
}
