//! The offline annotation of a hit: which words matched where (byte ranges to highlight)
//! and a line on why the item fits, built from the matched facets and the best passage.

use closer_types::ContentKind;

use crate::text::tokenize;

/// A passage of a hit, with the byte ranges of the words that matched the query (or one of
/// its synonyms). Ranges are sorted, do not overlap and lie on char boundaries of `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedPassage {
    /// Position of the passage in the item's body (0 = first).
    pub idx: usize,
    pub heading: Option<String>,
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

/// Byte ranges in `text` of every occurrence of a phrase of `terms` (each a list of
/// stems); at each word the longest phrase wins.
#[cfg(test)]
pub fn highlights(text: &str, terms: &[Vec<String>]) -> Vec<(usize, usize)> {
    highlights_with(text, terms, crate::text::stem)
}

/// [`highlights`] with the stemmer given (the search index passes one that remembers the
/// stems of words it has seen).
pub fn highlights_with(
    text: &str,
    terms: &[Vec<String>],
    stem_of: impl Fn(&str) -> String,
) -> Vec<(usize, usize)> {
    let toks = tokenize(text);
    let stems: Vec<String> = toks.iter().map(|t| stem_of(&t.lower)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let best = terms
            .iter()
            .filter(|p| {
                !p.is_empty() && i + p.len() <= stems.len() && stems[i..i + p.len()] == p[..]
            })
            .map(Vec::len)
            .max();
        match best {
            Some(n) => {
                out.push((toks[i].range.start, toks[i + n - 1].range.end));
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

/// How a kind is named in a sentence.
pub fn kind_label(k: ContentKind) -> &'static str {
    match k {
        ContentKind::CaseStudy => "case study",
        ContentKind::Deck => "deck",
        ContentKind::OnePager => "one-pager",
        ContentKind::PricingSheet => "pricing sheet",
        ContentKind::RoiCalculator => "ROI calculator",
        ContentKind::EmailTemplate => "email template",
        ContentKind::Whitepaper => "whitepaper",
        ContentKind::Video => "video",
        ContentKind::Battlecard => "battle card",
        ContentKind::Other => "asset",
    }
}

/// The sentence of `p` with the most highlighted words (the first sentence when none is),
/// cut to about `max` bytes around its first highlight.
pub fn best_excerpt(p: &MatchedPassage, max: usize) -> String {
    let text = &p.text;
    let mut sentences: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let boundary = matches!(c, '.' | '!' | '?' | '\n')
            && text[end..].chars().next().is_none_or(char::is_whitespace);
        if boundary {
            if !text[start..end].trim().is_empty() {
                sentences.push((start, end));
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        sentences.push((start, text.len()));
    }
    let count = |s: &(usize, usize)| {
        p.highlights
            .iter()
            .filter(|h| h.0 >= s.0 && h.1 <= s.1)
            .count()
    };
    let Some(best) = sentences
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (count(s), std::cmp::Reverse(*i)))
        .map(|(_, s)| *s)
    else {
        return String::new();
    };
    let sentence = text[best.0..best.1].trim();
    if sentence.len() <= max {
        return sentence.to_string();
    }
    // Keep the first highlight in view.
    let offset = best.0 + (text[best.0..best.1].len() - text[best.0..best.1].trim_start().len());
    let first = p
        .highlights
        .iter()
        .find(|h| h.0 >= best.0 && h.1 <= best.1)
        .map_or(0, |h| h.0.saturating_sub(offset));
    let from = floor_boundary(sentence, first.saturating_sub(max / 3));
    let from = sentence[..from].rfind(' ').map_or(from, |s| s + 1);
    let to = floor_boundary(sentence, (from + max).min(sentence.len()));
    let to = if to < sentence.len() {
        sentence[from..to].rfind(' ').map_or(to, |s| from + s)
    } else {
        to
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(sentence[from..to].trim());
    if to < sentence.len() {
        out.push('…');
    }
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<Vec<String>> {
        words
            .iter()
            .map(|w| {
                tokenize(w)
                    .iter()
                    .map(|t| crate::text::stem(&t.lower))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn highlights_cover_stemmed_words_and_phrases() {
        let text = "Payback came fast: the CFOs saw cost savings — “cost” alone too.";
        let h = highlights(text, &terms(&["payback", "cfo", "cost savings", "cost"]));
        let words: Vec<&str> = h.iter().map(|r| &text[r.0..r.1]).collect();
        assert_eq!(words, ["Payback", "CFOs", "cost savings", "cost"]);
    }

    #[test]
    fn excerpts_prefer_the_sentence_with_most_matches() {
        let text = "Nothing here. The payback was nine months and ROI was high. Bye.";
        let p = MatchedPassage {
            idx: 0,
            heading: None,
            text: text.into(),
            highlights: highlights(text, &terms(&["payback", "roi"])),
        };
        assert_eq!(
            best_excerpt(&p, 200),
            "The payback was nine months and ROI was high."
        );
        let short = best_excerpt(&p, 20);
        assert!(short.len() <= 20 + 2 * '…'.len_utf8(), "{short}");
        assert!(short.contains("payback"), "{short}");
    }
}
