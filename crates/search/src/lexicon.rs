//! The keyword half of search: an in-memory inverted index over the passages, scored with
//! the same BM25 as SQLite's FTS5 (`k1 = 1.2`, `b = 0.75`, per-column weights, phrases).
//!
//! FTS5 computed the same numbers, but its `bm25()` reads each matching row's column sizes
//! from disk and its instance lists row by row: with synonym expansion a query matches
//! thousands of passages, and that took most of a search (profiled: 70 % of the
//! instructions of a hybrid search over 20,000 items). Here a posting holds the term's
//! count in each column, a passage holds its tokens as term ids (for phrases), and the
//! index answers in a few milliseconds. It is rebuilt from the `passages` table when the
//! index is opened (the stems are recomputed, with a cache per distinct word) and kept in
//! step by every upsert and remove.
//!
//! Invariants:
//! - `df[t]` is the number of live passages whose columns contain term `t`;
//! - a removed passage leaves its slot empty and its postings in place until the next
//!   compaction (removal is O(distinct terms), not O(postings)); searches skip them;
//! - slots are reused only after a compaction has dropped every posting that named them.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::chunk::Chunk;
use crate::text::{for_each_word, stem, Fnv};

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Columns of a passage, in the order of `Tuning::bm25_columns`.
pub const COLUMNS: usize = 4;
const K1: f64 = 1.2;
const B: f64 = 0.75;

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    tf: [u16; COLUMNS],
}

#[derive(Debug)]
struct Doc {
    content_id: Arc<str>,
    idx: u32,
    /// Term ids of title, meta, heading and text, in order.
    cols: [Box<[u32]>; COLUMNS],
    /// Distinct term ids of all columns, sorted: a phrase is looked for only in passages
    /// that hold all of its words.
    distinct: Box<[u32]>,
    len: u32,
}

/// An in-memory BM25 index of passages. Not thread-safe by itself: it lives in the search
/// index's state, behind its lock.
#[derive(Debug, Default)]
pub struct Lexicon {
    terms: FastMap<String, u32>,
    /// Term id -> stem.
    stems: Vec<Arc<str>>,
    /// Lowercase word -> term id of its stem: stemming is the costly part of tokenizing.
    words: FastMap<String, u32>,
    df: Vec<u32>,
    postings: Vec<Vec<Posting>>,
    docs: Vec<Option<Doc>>,
    free: Vec<u32>,
    by_item: FastMap<Arc<str>, Vec<u32>>,
    live: u32,
    total_len: u64,
    /// Postings that name an empty slot.
    dead_postings: usize,
    live_postings: usize,
}

impl Lexicon {
    pub fn new() -> Lexicon {
        Lexicon::default()
    }

    /// Live passages.
    pub fn len(&self) -> usize {
        self.live as usize
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// In how many passages a stem occurs (0 when unknown).
    pub fn doc_freq(&self, stem: &str) -> u64 {
        self.terms
            .get(stem)
            .map_or(0, |&t| u64::from(self.df[t as usize]))
    }

    /// The stem of a lowercase word, from memory when the word was indexed.
    pub fn stem_of(&self, lower: &str) -> String {
        match self.words.get(lower) {
            Some(&t) => self.stems[t as usize].to_string(),
            None => stem(lower),
        }
    }

    fn term_id(&mut self, stem: &str) -> u32 {
        if let Some(&t) = self.terms.get(stem) {
            return t;
        }
        let t = self.df.len() as u32;
        self.terms.insert(stem.to_string(), t);
        self.stems.push(Arc::from(stem));
        self.df.push(0);
        self.postings.push(Vec::new());
        t
    }

    /// Term ids of the words of `text`, stemmed as the query side stems them.
    fn ids_of(&mut self, text: &str) -> Box<[u32]> {
        let mut out = Vec::new();
        for_each_word(text, |_, lower| {
            let id = match self.words.get(lower) {
                Some(&id) => id,
                None => {
                    let id = self.term_id(&stem(lower));
                    self.words.insert(lower.to_string(), id);
                    id
                }
            };
            out.push(id);
        });
        out.into_boxed_slice()
    }

    /// Adds an item's passages (replacing any it had). `meta` is the metadata line that
    /// the index also shows BM25 (kind, industries, personas, topics).
    pub fn add_item(&mut self, content_id: &str, title: &str, meta: &str, chunks: &[Chunk]) {
        self.remove_item(content_id);
        let id: Arc<str> = Arc::from(content_id);
        let title = self.ids_of(title);
        let meta = self.ids_of(meta);
        let mut slots = Vec::with_capacity(chunks.len());
        for (j, c) in chunks.iter().enumerate() {
            let heading = c
                .heading
                .as_deref()
                .map_or_else(|| Box::from([]), |h| self.ids_of(h));
            let text = self.ids_of(&c.text);
            let cols = [title.clone(), meta.clone(), heading, text];
            let mut distinct: Vec<u32> = cols.iter().flat_map(|c| c.iter().copied()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            slots.push(self.add_doc(Doc {
                content_id: id.clone(),
                idx: j as u32,
                len: cols.iter().map(|c| c.len() as u32).sum(),
                cols,
                distinct: distinct.into_boxed_slice(),
            }));
        }
        self.by_item.insert(id, slots);
    }

    fn add_doc(&mut self, doc: Doc) -> u32 {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.docs.push(None);
                (self.docs.len() - 1) as u32
            }
        };
        let mut tf: FastMap<u32, [u16; COLUMNS]> = FastMap::default();
        for (c, col) in doc.cols.iter().enumerate() {
            for &t in col.iter() {
                let e = tf.entry(t).or_insert([0; COLUMNS]);
                e[c] = e[c].saturating_add(1);
            }
        }
        for (t, counts) in tf {
            self.postings[t as usize].push(Posting {
                doc: slot,
                tf: counts,
            });
            self.df[t as usize] += 1;
            self.live_postings += 1;
        }
        self.live += 1;
        self.total_len += u64::from(doc.len);
        self.docs[slot as usize] = Some(doc);
        slot
    }

    /// Removes an item's passages; unknown ids are ignored.
    pub fn remove_item(&mut self, content_id: &str) {
        let Some(slots) = self.by_item.remove(content_id) else {
            return;
        };
        for slot in slots {
            let Some(doc) = self.docs[slot as usize].take() else {
                continue;
            };
            for &t in doc.distinct.iter() {
                self.df[t as usize] -= 1;
                self.live_postings -= 1;
                self.dead_postings += 1;
            }
            self.live -= 1;
            self.total_len -= u64::from(doc.len);
        }
        if self.dead_postings > 1024 && self.dead_postings > self.live_postings / 4 {
            self.compact();
        }
    }

    /// Drops the postings of removed passages and makes their slots reusable.
    fn compact(&mut self) {
        let docs = &self.docs;
        for list in &mut self.postings {
            list.retain(|p| docs[p.doc as usize].is_some());
        }
        self.dead_postings = 0;
        self.free = (0..self.docs.len() as u32)
            .filter(|&s| self.docs[s as usize].is_none())
            .rev()
            .collect();
    }

    /// The best `depth` passages for phrases (each a list of stems) OR-ed together:
    /// (content id, passage idx, BM25 score; higher is better), best first. `weights`
    /// weigh each column's occurrences as FTS5's `bm25(t, w0, w1, w2, w3)` does.
    pub fn search(
        &self,
        phrases: &[Vec<String>],
        weights: [f64; COLUMNS],
        depth: usize,
    ) -> Vec<(String, usize, f32)> {
        if self.is_empty() || depth == 0 {
            return Vec::new();
        }
        let n = f64::from(self.live);
        let avgdl = (self.total_len as f64 / n).max(1.0);
        let mut acc = vec![0f64; self.docs.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut hits: Vec<(u32, [u16; COLUMNS])> = Vec::new();
        for phrase in phrases {
            let Some(ids) = phrase
                .iter()
                .map(|s| self.terms.get(s.as_str()).copied())
                .collect::<Option<Vec<u32>>>()
            else {
                continue;
            };
            if ids.is_empty() {
                continue;
            }
            hits.clear();
            self.occurrences(&ids, &mut hits);
            if hits.is_empty() {
                continue;
            }
            let matched = hits.len() as f64;
            let mut idf = ((n - matched + 0.5) / (matched + 0.5)).ln();
            if idf <= 0.0 {
                idf = 1e-6;
            }
            for (slot, tf) in &hits {
                let Some(doc) = &self.docs[*slot as usize] else {
                    continue;
                };
                let f: f64 = tf.iter().zip(weights).map(|(&c, w)| f64::from(c) * w).sum();
                let norm = K1 * (1.0 - B + B * f64::from(doc.len) / avgdl);
                let a = &mut acc[*slot as usize];
                if *a == 0.0 {
                    touched.push(*slot);
                }
                *a += idf * (f * (K1 + 1.0)) / (f + norm);
            }
        }
        let mut ranked: Vec<(u32, f64)> =
            touched.into_iter().map(|s| (s, acc[s as usize])).collect();
        let better = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > depth {
            ranked.select_nth_unstable_by(depth - 1, better);
            ranked.truncate(depth);
        }
        ranked.sort_by(better);
        ranked
            .into_iter()
            .filter_map(|(slot, s)| {
                let doc = self.docs[slot as usize].as_ref()?;
                Some((doc.content_id.to_string(), doc.idx as usize, s as f32))
            })
            .collect()
    }

    /// Every live passage where the phrase `ids` occurs, with its count per column.
    fn occurrences(&self, ids: &[u32], out: &mut Vec<(u32, [u16; COLUMNS])>) {
        if let [t] = ids {
            out.extend(
                self.postings[*t as usize]
                    .iter()
                    .filter(|p| self.docs[p.doc as usize].is_some())
                    .map(|p| (p.doc, p.tf)),
            );
            return;
        }
        // A phrase: walk the postings of its rarest word and count the phrase in each
        // column of those passages.
        let Some(&rarest) = ids.iter().min_by_key(|&&t| self.df[t as usize]) else {
            return;
        };
        for p in &self.postings[rarest as usize] {
            let Some(doc) = &self.docs[p.doc as usize] else {
                continue;
            };
            if !ids.iter().all(|t| doc.distinct.binary_search(t).is_ok()) {
                continue;
            }
            let mut tf = [0u16; COLUMNS];
            for (c, col) in doc.cols.iter().enumerate() {
                if p.tf[c] == 0 || col.len() < ids.len() {
                    continue;
                }
                let count = col
                    .windows(ids.len())
                    .filter(|w| w[0] == ids[0] && *w == ids)
                    .count();
                tf[c] = u16::try_from(count).unwrap_or(u16::MAX);
            }
            if tf.iter().any(|&c| c > 0) {
                out.push((p.doc, tf));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(text: &str) -> Chunk {
        Chunk {
            heading: None,
            text: text.to_string(),
        }
    }

    use crate::text::tokenize;

    fn phrases(words: &[&str]) -> Vec<Vec<String>> {
        words
            .iter()
            .map(|w| tokenize(w).iter().map(|t| stem(&t.lower)).collect())
            .collect()
    }

    const W: [f64; COLUMNS] = [1.0; COLUMNS];

    #[test]
    fn rarer_and_more_frequent_words_rank_higher() {
        let mut l = Lexicon::new();
        l.add_item(
            "a",
            "Payback story",
            "",
            &[chunk("ROI and payback in months")],
        );
        l.add_item("b", "Overview", "", &[chunk("ROI overview")]);
        l.add_item("c", "Other", "", &[chunk("nothing relevant here at all")]);
        let hits = l.search(&phrases(&["payback", "roi"]), W, 10);
        assert_eq!(hits[0].0, "a");
        assert_eq!(hits.len(), 2);
        assert!(hits[0].2 > hits[1].2);
    }

    #[test]
    fn phrases_match_only_words_in_order() {
        let mut l = Lexicon::new();
        l.add_item("a", "", "", &[chunk("the finance leader signed")]);
        l.add_item("b", "", "", &[chunk("a leader in finance")]);
        let hits = l.search(&phrases(&["finance leader"]), W, 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, "a");
    }

    #[test]
    fn removed_and_replaced_items_are_not_found_and_counts_follow() {
        let mut l = Lexicon::new();
        l.add_item("a", "", "", &[chunk("zebra"), chunk("zebra again")]);
        l.add_item("b", "", "", &[chunk("zebra")]);
        assert_eq!(l.doc_freq("zebra"), 3);
        l.add_item("a", "", "", &[chunk("lion")]);
        assert_eq!(l.doc_freq("zebra"), 1);
        assert_eq!(l.search(&phrases(&["zebra"]), W, 10).len(), 1);
        l.remove_item("b");
        assert!(l.search(&phrases(&["zebra"]), W, 10).is_empty());
        assert_eq!(l.len(), 1);
        // Many removals trigger a compaction; search stays right afterwards.
        for i in 0..3000 {
            l.add_item(&format!("x{i}"), "", "", &[chunk("tiger stripes")]);
        }
        for i in 0..2500 {
            l.remove_item(&format!("x{i}"));
        }
        assert_eq!(l.search(&phrases(&["tiger"]), W, 10_000).len(), 500);
        assert_eq!(l.doc_freq("tiger"), 500);
        l.add_item("y", "", "", &[chunk("tiger")]);
        assert_eq!(l.search(&phrases(&["tiger"]), W, 10_000).len(), 501);
    }

    #[test]
    fn column_weights_favour_title_matches() {
        let mut l = Lexicon::new();
        l.add_item("title", "Security review", "", &[chunk("a short text")]);
        l.add_item("body", "Other", "", &[chunk("security in the body text")]);
        let w = [10.0, 1.0, 1.0, 1.0];
        let hits = l.search(&phrases(&["security"]), w, 10);
        assert_eq!(hits[0].0, "title");
    }
}
