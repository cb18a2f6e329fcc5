//! Competitor names as a recogniser mishears them.
//!
//! Every name (the card's competitor, its trigger phrases that are names, aliases from
//! the vocabulary) is kept "squashed": lowercase letters and digits, no spaces. A segment
//! is compared by windows of one to [`MAX_WINDOW`] words, squashed the same way and once
//! more with spelled letters read as letters ("vantage bee eye" → "vantagebi"), so split
//! words ("data forge"), merged words ("vantagebi") and spelled acronyms ("nimbus eye
//! queue") all meet the name. Names of six letters or more also match at a small edit
//! distance (one edit up to nine letters, two beyond), first letter kept, so "quantiv",
//! "stratis cloud" and "healix metrics" count, while common words that sit one edit from
//! a name ("status", "vintage") and the vocabulary's protected words never do.

use std::collections::HashMap;

use crate::text::Token;

/// The most words one name may be heard as.
pub const MAX_WINDOW: usize = 4;
/// Names shorter than this (squashed) match exactly only.
const FUZZY_MIN_LEN: usize = 6;

/// English words one edit away from a demo competitor's name, or otherwise easily
/// mistaken; a window that is exactly one of these never matches by edit distance.
pub const COMMON_WORDS: &[&str] = &[
    "status",
    "statuses",
    "vintage",
    "advantage",
    "quantity",
    "quantify",
    "strata",
    "stratum",
    "nimble",
    "helps",
    "helium",
    "orbit",
    "orbits",
    "clearance",
    "cleared",
    "dataflow",
    "database",
    "forget",
    "forged",
];

#[derive(Debug, Clone)]
struct Name {
    card: usize,
    squashed: String,
    chars: usize,
}

/// One competitor heard in a segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameHit {
    pub card: usize,
    /// Token indices, `end` exclusive.
    pub start: usize,
    pub end: usize,
    /// 1.0 for an exact match, less for a match at an edit distance.
    pub score: f32,
}

/// All names of all cards.
#[derive(Debug, Default)]
pub struct NameIndex {
    exact: HashMap<String, Vec<usize>>,
    by_first: HashMap<char, Vec<usize>>,
    names: Vec<Name>,
    protected: Vec<String>,
}

/// Lowercase letters and digits of `text`, nothing else.
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl NameIndex {
    pub fn new(protected: &[String]) -> Self {
        let mut protected: Vec<String> = protected.iter().map(|w| squash(w)).collect();
        protected.extend(COMMON_WORDS.iter().map(|w| w.to_string()));
        protected.sort();
        protected.dedup();
        NameIndex {
            protected,
            ..NameIndex::default()
        }
    }

    /// Adds `name` for card `card` (ignored when it squashes to nothing or is protected).
    pub fn add(&mut self, card: usize, name: &str) {
        let squashed = squash(name);
        if squashed.is_empty() || self.is_protected(&squashed) {
            return;
        }
        if self
            .exact
            .get(&squashed)
            .is_some_and(|v| v.iter().any(|&i| self.names[i].card == card))
        {
            return;
        }
        let i = self.names.len();
        let chars = squashed.chars().count();
        self.exact.entry(squashed.clone()).or_default().push(i);
        if chars >= FUZZY_MIN_LEN {
            if let Some(c) = squashed.chars().next() {
                self.by_first.entry(c).or_default().push(i);
            }
        }
        self.names.push(Name {
            card,
            squashed,
            chars,
        });
    }

    fn is_protected(&self, squashed: &str) -> bool {
        self.protected
            .binary_search_by(|p| p.as_str().cmp(squashed))
            .is_ok()
    }

    /// Every competitor named in `tokens`, best match first, no two overlapping.
    pub fn find(&self, tokens: &[Token]) -> Vec<NameHit> {
        let mut cands: Vec<NameHit> = Vec::new();
        let mut plain = String::new();
        let mut lettered = String::new();
        for start in 0..tokens.len() {
            plain.clear();
            lettered.clear();
            let mut has_letter = false;
            for end in start + 1..=(start + MAX_WINDOW).min(tokens.len()) {
                let t = &tokens[end - 1];
                plain.push_str(&t.word);
                match t.letter {
                    Some(c) if end - start > 1 || t.word.chars().count() > 1 => {
                        lettered.push(c);
                        has_letter = true;
                    }
                    _ => lettered.push_str(&t.word),
                }
                self.candidates(&plain, start, end, &mut cands);
                if has_letter && lettered != plain {
                    self.candidates(&lettered, start, end, &mut cands);
                }
            }
        }
        // Best first: exact before fuzzy, then longer spans.
        cands.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.start.cmp(&b.start))
        });
        let mut taken: Vec<NameHit> = Vec::new();
        for c in cands {
            if taken.iter().any(|t| c.start < t.end && t.start < c.end) {
                continue;
            }
            taken.push(c);
        }
        taken.sort_by_key(|h| h.start);
        taken
    }

    fn candidates(&self, window: &str, start: usize, end: usize, out: &mut Vec<NameHit>) {
        if let Some(list) = self.exact.get(window) {
            for &i in list {
                out.push(NameHit {
                    card: self.names[i].card,
                    start,
                    end,
                    score: 1.0,
                });
            }
            return;
        }
        let len = window.chars().count();
        if len < FUZZY_MIN_LEN || self.is_protected(window) {
            return;
        }
        let Some(first) = window.chars().next() else {
            return;
        };
        let Some(list) = self.by_first.get(&first) else {
            return;
        };
        for &i in list {
            let name = &self.names[i];
            let allowed = if name.chars >= 10 { 2 } else { 1 };
            if len.abs_diff(name.chars) > allowed {
                continue;
            }
            let d = strsim::osa_distance(window, &name.squashed);
            if d <= allowed {
                out.push(NameHit {
                    card: name.card,
                    start,
                    end,
                    score: 1.0 - d as f32 / name.chars as f32,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Normalizer;

    fn index() -> NameIndex {
        let mut ix = NameIndex::new(&["Lumora".to_string()]);
        ix.add(0, "Vantage BI");
        ix.add(0, "Vantage");
        ix.add(1, "DataForge");
        ix.add(2, "Stratus Cloud");
        ix.add(2, "Stratus");
        ix.add(3, "NimbusIQ");
        ix
    }

    fn cards(text: &str) -> Vec<usize> {
        let toks = Normalizer::new().tokens(text);
        index().find(&toks).into_iter().map(|h| h.card).collect()
    }

    #[test]
    fn hears_split_merged_spelled_and_misspelled_names() {
        assert_eq!(cards("we use vantage bee eye today"), vec![0]);
        assert_eq!(cards("the data forge team"), vec![1]);
        assert_eq!(cards("moved off vantagebi"), vec![0]);
        assert_eq!(cards("nimbus eye queue said"), vec![3]);
        assert_eq!(cards("stratis cloud is free"), vec![2]);
    }

    #[test]
    fn ignores_common_words_one_edit_away() {
        assert!(cards("what is the status of the vintage deal").is_empty());
    }
}
