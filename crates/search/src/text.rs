//! Words: how text is cut into tokens, normalised and stemmed. The index and the queries go
//! through the same functions, so a query term, its document frequency and its highlight in
//! a passage always agree.

use std::ops::Range;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// One word of a text: where it is (byte range, on char boundaries) and its lowercase form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub range: Range<usize>,
    pub lower: String,
}

/// The words of `text`: maximal runs of letters and digits. A possessive `'s` (or `’s`)
/// belongs to no word; any other character separates words.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_word(text, |range, lower| {
        out.push(Token {
            range,
            lower: lower.to_string(),
        })
    });
    out
}

/// [`tokenize`] without an allocation per word: `f(range, lowercase)` for each word, the
/// lowercase form in a buffer reused from word to word.
pub fn for_each_word(text: &str, mut f: impl FnMut(Range<usize>, &str)) {
    let mut buf = String::new();
    let mut emit = |s: usize, e: usize| {
        buf.clear();
        let word = &text[s..e];
        if word.is_ascii() {
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            buf.push_str(&word.to_lowercase());
        }
        f(s..e, &buf);
    };
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            emit(s, i);
            // "Meridian's" -> "Meridian": skip the possessive s.
            if c == '\'' || c == '\u{2019}' {
                if let Some(&(_, n)) = chars.peek() {
                    if n == 's' || n == 'S' {
                        let mut look = chars.clone();
                        look.next();
                        if look.peek().is_none_or(|&(_, a)| !a.is_alphanumeric()) {
                            chars.next();
                        }
                    }
                }
            }
        }
    }
    if let Some(s) = start {
        emit(s, text.len());
    }
}

/// The stem of a lowercase word (Snowball English); numbers and very short words are kept.
/// Snowball keeps the `s` of short words ending in vowel + s, which are mostly plural
/// acronyms in sales text ("CFOs", "CROs", "KPIs"): that `s` is dropped.
pub fn stem(lower: &str) -> String {
    let n = lower.chars().count();
    if n <= 2 || lower.chars().any(|c| c.is_ascii_digit()) {
        return lower.to_string();
    }
    let s = STEMMER.stem(lower);
    if (3..=5).contains(&n) && s == lower {
        let mut cs = lower.chars().rev();
        if cs.next() == Some('s') && cs.next().is_some_and(|c| "aeiou".contains(c)) {
            return lower[..lower.len() - 1].to_string();
        }
    }
    s.into_owned()
}

/// English function words: they carry no topic and are left out of every query.
#[rustfmt::skip]
pub const STOPWORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has",
    "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my",
    "of", "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "too", "us", "was", "we", "were", "what",
    "when", "where", "which", "who", "whose", "why", "will", "with", "would", "you", "your",
];

pub fn is_stopword(lower: &str) -> bool {
    STOPWORDS.binary_search(&lower).is_ok()
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `None`
/// when it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = d[i * w];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let v = d[a.len() * w + b.len()];
    (v <= max).then_some(v)
}

/// How many typos a word of this length may carry and still be recognised.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of what an item's index rows are built from (std's
/// hasher may change between Rust releases; this never does).
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

/// FNV-1a as a `Hasher` for maps keyed by short words (SipHash cost a fifth of opening a
/// 20,000-item index). The keys are our own stems, not attacker-chosen.
impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        Fnv::write(self, bytes);
    }
}

impl Fnv {
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// A string followed by a separator byte, so ("ab", "c") and ("a", "bc") differ.
    pub fn write_str(&mut self, s: &str) {
        self.write(s.as_bytes());
        self.write(&[0xff]);
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tokens_drop_possessives_and_keep_byte_ranges() {
        let text = "Meridian’s CFO's ROI — 469% (v2) naïve";
        let toks = tokenize(text);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.range.clone()]).collect();
        assert_eq!(words, ["Meridian", "CFO", "ROI", "469", "v2", "naïve"]);
        assert_eq!(toks[1].lower, "cfo");
    }

    #[test]
    fn stems_conflate_plurals_and_forms() {
        assert_eq!(stem("studies"), stem("study"));
        assert_eq!(stem("cfos"), "cfo");
        assert_eq!(stem("cros"), stem("cro"));
        assert_eq!(stem("kpis"), "kpi");
        assert_eq!(stem("insurer"), stem("insurance"));
        assert_eq!(stem("27001"), "27001");
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("retial", "retail", 2), Some(1));
        assert_eq!(edit_distance("manufacturng", "manufacturing", 2), Some(1));
        assert_eq!(edit_distance("whitepapper", "whitepaper", 2), Some(1));
        assert_eq!(edit_distance("deck", "desk", 0), None);
        assert_eq!(edit_distance("abc", "xyz", 2), None);
    }
}
