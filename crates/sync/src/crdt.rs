//! The desktop's side of the CRDT fields (a proposal's body, see
//! [`closer_sync_proto::CRDT_FIELDS`]): one yrs document per field, kept in the store
//! (`sync_crdt`). The editor saves plain text; a saved body becomes a minimal
//! character diff against the document's text (`similar`), applied to the document as
//! inserts and deletes, so a concurrent edit of another paragraph is never overwritten.
//! A pulled state is applied to the document, whose text is written back.

use std::time::Duration;

use closer_store::{sync as db, StoreError};
use closer_sync_proto::{crdt as proto, Entity, CRDT_ROOT};
use rusqlite::{Connection, Transaction};
use similar::{Algorithm, DiffTag, TextDiff};
use yrs::{Doc, Text, Transact};

/// A diff gives up looking for the smallest edit after this long (a huge body pasted
/// over another): the result is then coarser, never wrong.
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

fn corrupt(entity: Entity, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        entity: entity.as_str(),
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

/// This replica's yrs client number, from its sync client id: stable across restarts
/// (the document keeps its own edits, so their numbering continues), different across
/// replicas, and within JavaScript's safe integers like Yjs's own.
fn client_number(client_id: &str) -> u64 {
    // FNV-1a, 64 bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in client_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h & ((1 << 53) - 1)).max(2)
}

/// The document of one field, empty before its first edit or pull.
pub(crate) fn load(
    conn: &Connection,
    entity: Entity,
    id: &str,
    field: &str,
    client_id: &str,
) -> Result<Doc, StoreError> {
    let doc = Doc::with_client_id(client_number(client_id));
    doc.get_or_insert_text(CRDT_ROOT);
    if let Some(state) = db::crdt_state(conn, entity.as_str(), id, field)? {
        proto::apply(&doc, &state).map_err(|e| corrupt(entity, id, e))?;
    }
    Ok(doc)
}

pub(crate) fn save(
    tx: &Transaction,
    entity: Entity,
    id: &str,
    field: &str,
    doc: &Doc,
) -> Result<Vec<u8>, StoreError> {
    let state = proto::state_of(doc);
    db::put_crdt_state(tx, entity.as_str(), id, field, &state)?;
    Ok(state)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Edits `doc`'s text into `target` with the fewest character inserts and deletes.
pub fn set_text(doc: &Doc, target: &str) {
    let current = proto::text_of(doc);
    if current == target {
        return;
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_DEADLINE)
        .diff_chars(current.as_str(), target);
    // Byte offsets of each character (and the end) of both texts: the diff counts
    // characters, the document (OffsetKind::Bytes) bytes.
    let offsets = |s: &str| -> Vec<usize> {
        s.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect()
    };
    let (old_at, new_at) = (offsets(&current), offsets(target));
    let bytes = |at: &[usize], r: std::ops::Range<usize>| -> (usize, usize) {
        let start = at.get(r.start).copied().unwrap_or(0);
        let end = at.get(r.end).copied().unwrap_or(start);
        (start, end)
    };
    let text = doc.get_or_insert_text(CRDT_ROOT);
    let mut txn = doc.transact_mut();
    // `pos`: where the document's text and `target` agree up to.
    let mut pos = 0usize;
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        let (os, oe) = bytes(&old_at, old);
        let (ns, ne) = bytes(&new_at, new);
        match tag {
            DiffTag::Equal => pos += oe - os,
            DiffTag::Delete => text.remove_range(&mut txn, to_u32(pos), to_u32(oe - os)),
            DiffTag::Insert | DiffTag::Replace => {
                if tag == DiffTag::Replace {
                    text.remove_range(&mut txn, to_u32(pos), to_u32(oe - os));
                }
                if let Some(chunk) = target.get(ns..ne) {
                    text.insert(&mut txn, to_u32(pos), chunk);
                }
                pos += ne - ns;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn replica(n: u64) -> Doc {
        let doc = Doc::with_client_id(n);
        doc.get_or_insert_text(CRDT_ROOT);
        doc
    }

    fn exchange(a: &Doc, b: &Doc) {
        let (sa, sb) = (proto::state_of(a), proto::state_of(b));
        proto::apply(a, &sb).unwrap();
        proto::apply(b, &sa).unwrap();
    }

    #[test]
    fn saved_bodies_become_edits_that_keep_concurrent_paragraphs() {
        let base =
            "# Proposal for Initech\n\nWe will deploy in six weeks.\n\nPrice: $40,000 per year.\n";
        let (a, b) = (replica(10), replica(20));
        set_text(&a, base);
        exchange(&a, &b);
        // Offline: A rewrites the timeline paragraph, B the price paragraph.
        set_text(
            &a,
            &base.replace("six weeks", "four weeks, with a pilot in week one"),
        );
        set_text(
            &b,
            &base.replace("$40,000", "$36,000 (10 % multi-year discount)"),
        );
        exchange(&a, &b);
        let expected = "# Proposal for Initech\n\nWe will deploy in four weeks, with a pilot in week one.\n\nPrice: $36,000 (10 % multi-year discount) per year.\n";
        assert_eq!(proto::text_of(&a), expected);
        assert_eq!(proto::text_of(&b), expected);
    }

    #[test]
    fn multibyte_text_is_edited_at_character_boundaries() {
        let doc = replica(1);
        set_text(&doc, "Café — naïve résumé 🚀 end");
        set_text(&doc, "Café — très naïve résumé 🚀🚀 fin");
        assert_eq!(proto::text_of(&doc), "Café — très naïve résumé 🚀🚀 fin");
        set_text(&doc, "");
        assert_eq!(proto::text_of(&doc), "");
    }

    #[test]
    fn client_numbers_are_stable_and_distinct() {
        assert_eq!(client_number("abc"), client_number("abc"));
        assert_ne!(client_number("abc"), client_number("abd"));
        assert!(client_number("x") < (1 << 53));
    }
}
