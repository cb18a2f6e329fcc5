//! Phrases as sequences of interned stems, found in a segment with a little slack.
//!
//! A pattern such as `"out|over of? our? budget"` expands at build time into every
//! variant ("out of our budget", "over budget", ...), and patterns of four words or more
//! also into their variants with one word missing (a dropped word), so matching is a
//! plain walk: a variant is found when its words appear in order with at most
//! [`MAX_GAP`] other words between two of them (an inserted word: "too *damn*
//! expensive"). Variants are indexed by their first word, so a segment costs one lookup
//! per word plus the few variants that start there.

use std::collections::{HashMap, HashSet};

use crate::text::Normalizer;

/// Words allowed between two consecutive words of a phrase.
pub const MAX_GAP: usize = 1;
/// Bound on the variants one pattern may expand into.
const MAX_VARIANTS: usize = 256;
/// The id of a word no pattern contains.
pub const UNKNOWN: u32 = u32::MAX;

/// Interned stems.
#[derive(Debug, Default)]
pub struct Lexicon {
    ids: HashMap<String, u32>,
}

impl Lexicon {
    /// The id of `stem`, adding it when new.
    pub fn intern(&mut self, stem: &str) -> u32 {
        if let Some(id) = self.ids.get(stem) {
            return *id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(UNKNOWN - 1);
        self.ids.insert(stem.to_string(), id);
        id
    }

    /// The id of `stem`, or [`UNKNOWN`].
    pub fn get(&self, stem: &str) -> u32 {
        self.ids.get(stem).copied().unwrap_or(UNKNOWN)
    }
}

/// Where a phrase was found: token indices, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a, T> {
    pub value: &'a T,
    pub start: usize,
    pub end: usize,
}

/// A set of phrases, each carrying a value (its kind and weight, a card index ...).
#[derive(Debug)]
pub struct PhraseSet<T> {
    phrases: Vec<(Vec<u32>, T)>,
    by_first: HashMap<u32, Vec<usize>>,
    /// Whether words may be inserted between phrase words.
    gaps: bool,
}

impl<T: Clone> PhraseSet<T> {
    pub fn new(gaps: bool) -> Self {
        PhraseSet {
            phrases: Vec::new(),
            by_first: HashMap::new(),
            gaps,
        }
    }

    /// Adds every variant of `pattern` (see the module docs) with `value`; `dropped`
    /// maps the value of a variant that lacks one word (`None`: do not add such variants).
    /// Only words in `droppable` (function words a recogniser loses: "of", "the", "our")
    /// are ever dropped, so a variant never loses the word that gives it its meaning.
    pub fn add_pattern(
        &mut self,
        norm: &Normalizer,
        lex: &mut Lexicon,
        pattern: &str,
        value: T,
        dropped: Option<&dyn Fn(&T) -> T>,
        droppable: &HashSet<u32>,
    ) {
        for variant in expand(norm, pattern) {
            let ids: Vec<u32> = variant.iter().map(|s| lex.intern(s)).collect();
            if ids.is_empty() {
                continue;
            }
            if let (Some(f), true) = (dropped, ids.len() >= 4) {
                for skip in 0..ids.len() {
                    if !droppable.contains(&ids[skip]) {
                        continue;
                    }
                    let shorter: Vec<u32> = ids
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skip)
                        .map(|(_, id)| *id)
                        .collect();
                    self.push(shorter, f(&value));
                }
            }
            self.push(ids, value.clone());
        }
    }

    /// Adds one phrase already split into stems.
    pub fn add_stems(&mut self, lex: &mut Lexicon, stems: &[String], value: T) {
        let ids: Vec<u32> = stems.iter().map(|s| lex.intern(s)).collect();
        if !ids.is_empty() {
            self.push(ids, value);
        }
    }

    fn push(&mut self, ids: Vec<u32>, value: T) {
        let Some(first) = ids.first().copied() else {
            return;
        };
        self.by_first
            .entry(first)
            .or_default()
            .push(self.phrases.len());
        self.phrases.push((ids, value));
    }

    /// Every occurrence of every phrase in `seg` (interned stems).
    pub fn find<'a>(&'a self, seg: &[u32]) -> Vec<Hit<'a, T>> {
        let mut hits = Vec::new();
        for (i, id) in seg.iter().enumerate() {
            let Some(list) = self.by_first.get(id) else {
                continue;
            };
            for &p in list {
                let (ids, value) = &self.phrases[p];
                if let Some(end) = self.match_at(ids, seg, i) {
                    hits.push(Hit {
                        value,
                        start: i,
                        end,
                    });
                }
            }
        }
        hits
    }

    fn match_at(&self, ids: &[u32], seg: &[u32], start: usize) -> Option<usize> {
        let gap = if self.gaps { MAX_GAP } else { 0 };
        let mut pos = start;
        for want in ids.iter().skip(1) {
            let found = (pos + 1..=pos + 1 + gap)
                .take_while(|&k| k < seg.len())
                .find(|&k| seg[k] == *want)?;
            pos = found;
        }
        Some(pos + 1)
    }
}

/// The variants of a pattern, each a list of stems.
pub fn expand(norm: &Normalizer, pattern: &str) -> Vec<Vec<String>> {
    let mut variants: Vec<Vec<String>> = vec![Vec::new()];
    for slot in pattern.split_whitespace() {
        let (body, optional) = match slot.strip_suffix('?') {
            Some(b) => (b, true),
            None => (slot, false),
        };
        let mut choices: Vec<Vec<String>> = body
            .split('|')
            .filter(|w| !w.is_empty())
            .map(|w| norm.stems(w))
            .filter(|s| !s.is_empty())
            .collect();
        if optional {
            choices.push(Vec::new());
        }
        if choices.is_empty() {
            continue;
        }
        let mut next = Vec::with_capacity(variants.len() * choices.len());
        'outer: for v in &variants {
            for c in &choices {
                if next.len() >= MAX_VARIANTS {
                    break 'outer;
                }
                let mut nv = v.clone();
                nv.extend(c.iter().cloned());
                next.push(nv);
            }
        }
        variants = next;
    }
    variants.retain(|v| !v.is_empty());
    variants.sort();
    variants.dedup();
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> (PhraseSet<usize>, Lexicon, Normalizer) {
        let norm = Normalizer::new();
        let mut lex = Lexicon::default();
        let mut s = PhraseSet::new(true);
        for (i, p) in patterns.iter().enumerate() {
            let droppable: HashSet<u32> =
                ["of", "our", "the"].iter().map(|w| lex.intern(w)).collect();
            s.add_pattern(&norm, &mut lex, p, i, Some(&|v: &usize| *v), &droppable);
        }
        (s, lex, norm)
    }

    fn ids(lex: &Lexicon, norm: &Normalizer, text: &str) -> Vec<u32> {
        norm.stems(text).iter().map(|s| lex.get(s)).collect()
    }

    #[test]
    fn expands_choices_and_optional_words() {
        let v = expand(&Normalizer::new(), "out|over of? our? budget");
        assert_eq!(v.len(), 8);
        assert!(v.contains(&vec!["over".to_string(), "budget".to_string()]));
    }

    #[test]
    fn tolerates_an_inserted_and_a_dropped_word() {
        let (s, lex, norm) = set(&["to expensive", "out of our budget"]);
        assert_eq!(s.find(&ids(&lex, &norm, "way too damn expensive")).len(), 1);
        assert_eq!(s.find(&ids(&lex, &norm, "that is out of budget")).len(), 1);
        assert!(s
            .find(&ids(&lex, &norm, "too much and expensive"))
            .is_empty());
    }
}
