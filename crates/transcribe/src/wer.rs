//! Word error rate, to grade transcripts in tests and the bench.

/// Lower-case words without punctuation (`"Gong's price."` → `["gong's", "price"]`).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate of `hypothesis` against `reference`: (substitutions + deletions +
/// insertions) / reference words, by word-level edit distance, ignoring case and
/// punctuation. 0.0 is perfect; it can exceed 1.0. An empty reference scores 0.0 against
/// an empty hypothesis and 1.0 against anything else.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let r = words(reference);
    let h = words(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    // One row of the edit-distance table at a time.
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    let mut cur = vec![0; h.len() + 1];
    for (i, rw) in r.iter().enumerate() {
        cur[0] = i + 1;
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[h.len()] as f64 / r.len() as f64
}

#[cfg(test)]
mod tests {
    use super::wer;

    #[test]
    fn word_error_rate_counts_edits_per_reference_word() {
        let cases = [
            ("the price is too high", "The price is too high.", 0.0),
            ("the price is too high", "the prize is too high", 0.2), // 1 substitution
            ("the price is too high", "the price is high", 0.2),     // 1 deletion
            ("we use gong", "we already use gong now", 2.0 / 3.0),   // 2 insertions
            ("we use gong", "", 1.0),
            ("", "", 0.0),
            ("", "hello", 1.0),
            ("a b", "c d e f", 2.0), // can exceed 1
        ];
        for (r, h, want) in cases {
            let got = wer(r, h);
            assert!(
                (got - want).abs() < 1e-9,
                "wer({r:?}, {h:?}) = {got}, want {want}"
            );
        }
    }
}
