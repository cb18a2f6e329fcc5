//! Cutting a body into passages: whole paragraphs packed up to [`MAX_WORDS`], long
//! paragraphs cut at sentence ends, a short tail evened out with the passage before it. A
//! passage is what gets a vector (the model reads at most 256 word pieces, about 200
//! words) and what a hit quotes.

/// A passage grows paragraph by paragraph until the next one would pass this many words.
pub const MAX_WORDS: usize = 200;
/// A last passage shorter than this takes paragraphs from the one before it.
pub const MIN_WORDS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The heading the passage sits under, if the body has headings (`# ...` lines or
    /// short title-like lines).
    pub heading: Option<String>,
    pub text: String,
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A paragraph that reads like a heading: a Markdown `#` line, or one short line without
/// closing punctuation.
fn heading_of(p: &str) -> Option<String> {
    if p.contains('\n') {
        return None;
    }
    if let Some(h) = p.strip_prefix('#') {
        let h = h.trim_start_matches('#').trim();
        return (!h.is_empty()).then(|| h.to_string());
    }
    let last = p.chars().last()?;
    let first = p.chars().next()?;
    if words(p) <= 8 && first.is_uppercase() && !".!?:;,\"')]}".contains(last) {
        return Some(p.to_string());
    }
    None
}

/// Sentences of a long paragraph (cut after `.`, `!` or `?` followed by a space), and any
/// sentence still over the limit cut every [`MAX_WORDS`] words.
fn pieces(p: &str) -> Vec<String> {
    if words(p) <= MAX_WORDS {
        return vec![p.to_string()];
    }
    let mut sentences = Vec::new();
    let mut start = 0;
    let bytes = p.as_bytes();
    for (i, c) in p.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1).is_some_and(|b| b.is_ascii_whitespace())
        {
            sentences.push(p[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    if start < p.len() && !p[start..].trim().is_empty() {
        sentences.push(p[start..].trim().to_string());
    }
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut n = 0;
    for s in sentences {
        let w = words(&s);
        if w > MAX_WORDS {
            if !cur.is_empty() {
                out.push(cur.join(" "));
                cur.clear();
                n = 0;
            }
            let ws: Vec<&str> = s.split_whitespace().collect();
            out.extend(ws.chunks(MAX_WORDS).map(|c| c.join(" ")));
            continue;
        }
        if n + w > MAX_WORDS && !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
            n = 0;
        }
        n += w;
        cur.push(s);
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

/// The passages of `body`, in order. An empty body has none.
pub fn chunk(body: &str) -> Vec<Chunk> {
    let normalized = body.replace("\r\n", "\n");
    let paragraphs: Vec<&str> = normalized
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // Sections (a heading and its pieces), then passages (groups of pieces) per section.
    let mut sections: Vec<(Option<String>, Vec<String>)> = vec![(None, Vec::new())];
    for (i, p) in paragraphs.iter().enumerate() {
        if i + 1 < paragraphs.len() {
            if let Some(h) = heading_of(p) {
                sections.push((Some(h), Vec::new()));
                continue;
            }
        }
        if let Some(last) = sections.last_mut() {
            last.1.extend(pieces(p));
        }
    }
    let mut out = Vec::new();
    for (heading, pieces) in sections {
        for group in pack(pieces) {
            out.push(Chunk {
                heading: heading.clone(),
                text: group.join("\n\n"),
            });
        }
    }
    out
}

/// Groups pieces into passages of at most [`MAX_WORDS`]; a last passage under
/// [`MIN_WORDS`] takes pieces from the end of the one before while that one keeps
/// [`MIN_WORDS`].
fn pack(pieces: Vec<String>) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut n = 0;
    for piece in pieces {
        let w = words(&piece);
        if n + w > MAX_WORDS && !cur.is_empty() {
            groups.push(std::mem::take(&mut cur));
            n = 0;
        }
        n += w;
        cur.push(piece);
    }
    if !cur.is_empty() {
        groups.push(cur);
    }
    let total = |g: &[String]| g.iter().map(|p| words(p)).sum::<usize>();
    if groups.len() >= 2 {
        let last = groups.len() - 1;
        while total(&groups[last]) < MIN_WORDS && groups[last - 1].len() > 1 {
            let moved = groups[last - 1].last().map_or(0, |p| words(p));
            if total(&groups[last - 1]) - moved < MIN_WORDS
                || total(&groups[last]) + moved > MAX_WORDS
            {
                break;
            }
            if let Some(p) = groups[last - 1].pop() {
                groups[last].insert(0, p);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(n: usize, word: &str) -> String {
        let mut s = vec![word; n].join(" ");
        s.push('.');
        s
    }

    #[test]
    fn packs_paragraphs_up_to_the_limit() {
        let body = [para(90, "a"), para(90, "b"), para(90, "c"), para(90, "d")].join("\n\n");
        let c = chunk(&body);
        assert_eq!(c.len(), 2);
        assert_eq!(words(&c[0].text), 180);
        assert_eq!(words(&c[1].text), 180);
    }

    #[test]
    fn a_short_tail_takes_paragraphs_from_the_passage_before() {
        let p: Vec<String> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|w| para(30, w))
            .collect();
        let c = chunk(&p.join("\n\n"));
        let sizes: Vec<usize> = c.iter().map(|c| words(&c.text)).collect();
        assert_eq!(sizes, [120, 90]);
        // A single large paragraph cannot be split: the tail stays short.
        let c = chunk(&[para(190, "a"), para(20, "b")].join("\n\n"));
        let sizes: Vec<usize> = c.iter().map(|c| words(&c.text)).collect();
        assert_eq!(sizes, [190, 20]);
    }

    #[test]
    fn long_paragraphs_are_cut_at_sentences_and_words() {
        let long = [para(120, "a"), para(120, "b"), vec!["z"; 450].join(" ")].join(" ");
        let c = chunk(&long);
        assert!(c
            .iter()
            .all(|c| words(&c.text) <= MAX_WORDS + MIN_WORDS / 2));
        let total: usize = c.iter().map(|c| words(&c.text)).sum();
        assert_eq!(total, 690);
    }

    #[test]
    fn headings_label_the_passages_under_them() {
        let body = format!(
            "# Results\n\n{}\n\nSecurity review\n\n{}",
            para(90, "a"),
            para(90, "b")
        );
        let c = chunk(&body);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].heading.as_deref(), Some("Results"));
        assert_eq!(c[1].heading.as_deref(), Some("Security review"));
    }

    #[test]
    fn empty_bodies_have_no_passages() {
        assert!(chunk("").is_empty());
        assert!(chunk(" \n\n \n").is_empty());
    }
}
