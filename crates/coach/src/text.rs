//! Transcript text to normalised tokens.
//!
//! A streaming recogniser writes "we're", "were" and "we are" for the same words, "to"
//! for "too", "two" for "2", "kinda" for "kind of" and spells acronyms as letter names
//! ("bee eye"). Patterns and transcripts both go through [`Normalizer::tokens`], so the
//! two sides agree: lowercase, apostrophes dropped, hyphens and letter/digit joins split,
//! a few homophones folded to one form, number words to digits, then Snowball stemming.
//! Each token keeps its byte span in the original text, for the evidence shown to the rep.

use rust_stemmers::{Algorithm, Stemmer};

/// One word of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded and stemmed: what patterns compare against.
    pub stem: String,
    /// Folded, not stemmed: what competitor names are compared against.
    pub word: String,
    /// The letter this word names when it is spelled out ("bee" → 'b', "eye" → 'i').
    pub letter: Option<char>,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
}

/// Turns text into [`Token`]s. Holds the stemmer (built once).
pub struct Normalizer {
    stemmer: Stemmer,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Normalizer")
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Normalizer {
    pub fn new() -> Self {
        Normalizer {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The tokens of `text`, in order.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::with_capacity(text.len() / 5 + 1);
        for (start, end) in raw_words(text) {
            let raw: String = text[start..end]
                .chars()
                .filter(|c| !is_apostrophe(*c))
                .flat_map(char::to_lowercase)
                .collect();
            if raw.is_empty() {
                continue;
            }
            for folded in fold(&raw) {
                let stem = self.stemmer.stem(folded).into_owned();
                out.push(Token {
                    letter: letter_name(folded),
                    stem,
                    word: folded.to_string(),
                    start,
                    end,
                });
            }
        }
        out
    }

    /// The stems of `text` (for building patterns).
    pub fn stems(&self, text: &str) -> Vec<String> {
        self.tokens(text).into_iter().map(|t| t.stem).collect()
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`')
}

/// Byte ranges of words: runs of letters and digits (apostrophes inside a word kept),
/// split where letters meet digits ("q3" → "q", "3"; "soc2" → "soc", "2").
fn raw_words(text: &str) -> Vec<(usize, usize)> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Alpha,
        Digit,
    }
    let mut words = Vec::new();
    let mut cur: Option<(usize, Class)> = None;
    let mut last_end = 0;
    for (i, c) in text.char_indices() {
        let class = if c.is_alphabetic() {
            Some(Class::Alpha)
        } else if c.is_numeric() {
            Some(Class::Digit)
        } else {
            None
        };
        match (cur, class) {
            (Some((s, k)), Some(n)) if k == n => {
                last_end = i + c.len_utf8();
                cur = Some((s, k));
            }
            (Some((s, _)), Some(n)) => {
                words.push((s, last_end));
                cur = Some((i, n));
                last_end = i + c.len_utf8();
            }
            (Some((s, k)), None) if is_apostrophe(c) && k == Class::Alpha => {
                // "we're": the apostrophe stays inside the word (dropped when folding).
                last_end = i + c.len_utf8();
                cur = Some((s, k));
            }
            (Some((s, _)), None) => {
                words.push((s, last_end));
                cur = None;
            }
            (None, Some(n)) => {
                cur = Some((i, n));
                last_end = i + c.len_utf8();
            }
            (None, None) => {}
        }
    }
    if let Some((s, _)) = cur {
        words.push((s, last_end));
    }
    words
}

/// One spoken word to one or more folded words.
fn fold(w: &str) -> Vec<&str> {
    let one = match w {
        "too" => "to",
        "their" | "theyre" => "there",
        "youre" => "your",
        "cannot" => "cant",
        "ya" | "yeah" | "yep" | "yup" => "yes",
        "okay" | "k" => "ok",
        "zero" => "0",
        "one" => "1",
        "two" => "2",
        "three" => "3",
        "four" => "4",
        "five" => "5",
        "six" => "6",
        "seven" => "7",
        "eight" => "8",
        "nine" => "9",
        "ten" => "10",
        "kinda" => return vec!["kind", "of"],
        "sorta" => return vec!["sort", "of"],
        "gonna" => return vec!["going", "to"],
        "wanna" => return vec!["want", "to"],
        "gotta" => return vec!["got", "to"],
        "lemme" => return vec!["let", "me"],
        other => other,
    };
    vec![one]
}

/// The letter a spelled-out word names, if it names one.
fn letter_name(w: &str) -> Option<char> {
    let c = match w {
        "a" | "ay" | "eh" => 'a',
        "b" | "bee" | "be" => 'b',
        "c" | "see" | "sea" | "cee" => 'c',
        "d" | "dee" => 'd',
        "e" => 'e',
        "f" | "ef" | "eff" => 'f',
        "g" | "gee" => 'g',
        "h" | "aitch" => 'h',
        "i" | "eye" | "aye" => 'i',
        "j" | "jay" => 'j',
        "k" | "kay" => 'k',
        "l" | "el" | "ell" => 'l',
        "m" | "em" => 'm',
        "n" | "en" => 'n',
        "o" | "oh" | "owe" => 'o',
        "p" | "pee" | "pea" => 'p',
        "q" | "queue" | "cue" | "que" => 'q',
        "r" | "ar" => 'r',
        "s" | "es" | "ess" => 's',
        "t" | "tee" | "tea" => 't',
        "u" | "you" => 'u',
        "v" | "vee" => 'v',
        "w" => 'w',
        "x" | "ex" => 'x',
        "y" | "why" => 'y',
        "z" | "zee" | "zed" => 'z',
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Normalizer::new()
            .tokens(text)
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    #[test]
    fn folds_contractions_homophones_and_numbers() {
        assert_eq!(
            words("We're TOO busy, can't do Q3 - two-year SOC2"),
            vec!["were", "to", "busy", "cant", "do", "q", "3", "2", "year", "soc", "2"]
        );
        assert_eq!(words("kinda ok"), vec!["kind", "of", "ok"]);
    }

    #[test]
    fn keeps_byte_spans_of_the_original() {
        let text = "that’s too expensive";
        let toks = Normalizer::new().tokens(text);
        assert_eq!(&text[toks[0].start..toks[0].end], "that’s");
        assert_eq!(&text[toks[2].start..toks[2].end], "expensive");
        assert_eq!(toks[2].stem, "expens");
    }

    #[test]
    fn names_spelled_letters() {
        let toks = Normalizer::new().tokens("vantage bee eye");
        assert_eq!(toks[1].letter, Some('b'));
        assert_eq!(toks[2].letter, Some('i'));
        assert_eq!(toks[0].letter, None);
    }
}
