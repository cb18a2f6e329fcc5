//! The shape every format is reduced to: headings and paragraphs, each maybe on a page.
//!
//! Format readers push blocks into a [`DocBuilder`]; it normalises whitespace, enforces
//! [`crate::Limits::max_text_chars`] and the deadline, and the result becomes the
//! [`crate::Extracted`] text and passages.

use std::time::{Duration, Instant};

use crate::error::{ExtractError, Result};
use crate::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// A heading, level 1 (biggest) to 6.
    Heading(u8),
    Paragraph,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: BlockKind,
    /// Whitespace-normalised: single spaces, no newlines, not empty.
    pub text: String,
    pub page: Option<u32>,
}

/// Collects blocks for one document.
pub(crate) struct DocBuilder {
    pub format: Format,
    blocks: Vec<Block>,
    chars: usize,
    max_chars: usize,
    truncated: bool,
    deadline: Option<(Instant, Duration)>,
    /// A title the file itself declares (PDF Info, Office core properties, HTML `<title>`…).
    pub meta_title: Option<String>,
    /// Page count the format reports (PDF pages, PPTX slides, DOCX app properties).
    pub pages: Option<u32>,
}

impl DocBuilder {
    pub fn new(format: Format, max_chars: usize, timeout: Option<Duration>) -> Self {
        DocBuilder {
            format,
            blocks: Vec::new(),
            chars: 0,
            max_chars,
            truncated: false,
            deadline: timeout.map(|t| (Instant::now() + t, t)),
            meta_title: None,
            pages: None,
        }
    }

    /// Whether the text limit has been reached: readers stop early when it has.
    pub fn is_full(&self) -> bool {
        self.truncated
    }

    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Fails with [`ExtractError::Timeout`] once the deadline has passed. Readers call it
    /// between pages, slides and every few thousand parser events.
    pub fn check_deadline(&self) -> Result<()> {
        match self.deadline {
            Some((at, budget)) if Instant::now() > at => Err(ExtractError::Timeout {
                format: self.format,
                secs: budget.as_secs().max(1),
            }),
            _ => Ok(()),
        }
    }

    pub fn heading(&mut self, level: u8, text: &str, page: Option<u32>) {
        self.push(BlockKind::Heading(level.clamp(1, 6)), text, page);
    }

    pub fn paragraph(&mut self, text: &str, page: Option<u32>) {
        self.push(BlockKind::Paragraph, text, page);
    }

    fn push(&mut self, kind: BlockKind, text: &str, page: Option<u32>) {
        if self.truncated {
            return;
        }
        let mut text = normalize_ws(text);
        if text.is_empty() {
            return;
        }
        let len = text.chars().count();
        // Separators between blocks count too, so `text` never exceeds the limit.
        let sep = if self.blocks.is_empty() { 0 } else { 2 };
        if self.chars + sep + len > self.max_chars {
            let room = self.max_chars.saturating_sub(self.chars + sep);
            text = cut_at_word(&text, room);
            self.truncated = true;
            if text.is_empty() {
                return;
            }
        }
        self.chars += sep + text.chars().count();
        self.blocks.push(Block { kind, text, page });
    }

    #[cfg(test)]
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    pub fn into_blocks(self) -> Vec<Block> {
        self.blocks
    }
}

/// Collapses every run of whitespace (and control characters) into one space and trims.
pub(crate) fn normalize_ws(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{ad}' {
            // U+00AD (soft hyphen) is invisible when the word is not broken.
            if c != '\u{ad}' && c != '\u{feff}' {
                pending_space = true;
            }
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// The longest prefix of `text` of at most `max_chars` characters that ends at a word end.
pub(crate) fn cut_at_word(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(max_chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let head = &text[..end];
    // `text[end]` is the first character left out; if it is not a space we are mid-word.
    let mid_word = text[end..]
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace());
    let head = if mid_word {
        match head.rfind(char::is_whitespace) {
            Some(i) => &head[..i],
            None => "",
        }
    } else {
        head
    };
    head.trim_end().to_string()
}

/// Title-like text: whitespace collapsed, at most 200 characters (cut at a word).
pub(crate) fn clean_title(text: &str) -> Option<String> {
    let t = normalize_ws(text);
    let t = t.trim_matches(|c: char| c == '#' || c.is_whitespace());
    if t.is_empty() {
        return None;
    }
    let cut = cut_at_word(t, 200);
    if cut.is_empty() {
        Some(t.chars().take(200).collect())
    } else {
        Some(cut)
    }
}

/// A readable title from a file name: "Healthcare_CFO_ROI_Case_Study_2024.pdf" becomes
/// "Healthcare CFO ROI Case Study 2024"; "roi-case-study.md" becomes "roi case study".
pub(crate) fn title_from_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    let mut t = stem.replace('_', " ");
    if !t.contains(' ') {
        t = t.replace('-', " ");
    }
    clean_title(&t).unwrap_or_else(|| "Untitled".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_never_splits_words() {
        assert_eq!(cut_at_word("alpha beta gamma", 8), "alpha");
        assert_eq!(cut_at_word("alpha beta gamma", 10), "alpha beta");
        assert_eq!(cut_at_word("alpha beta gamma", 11), "alpha beta");
        assert_eq!(cut_at_word("alpha", 3), "");
        assert_eq!(cut_at_word("héllo wörld", 7), "héllo");
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(normalize_ws("  a\t\tb\n\nc \u{0} d "), "a b c d");
        assert_eq!(normalize_ws("co\u{ad}operate"), "cooperate");
    }

    #[test]
    fn titles_from_file_names() {
        assert_eq!(
            title_from_file_name("dir/Healthcare_CFO_ROI_Case_Study_2024.pdf"),
            "Healthcare CFO ROI Case Study 2024"
        );
        assert_eq!(title_from_file_name("roi-case-study.md"), "roi case study");
        assert_eq!(
            title_from_file_name("E-commerce playbook.docx"),
            "E-commerce playbook"
        );
        assert_eq!(title_from_file_name(".pdf"), ".pdf");
        assert_eq!(title_from_file_name(""), "Untitled");
    }

    #[test]
    fn builder_truncates_at_a_word() {
        let mut b = DocBuilder::new(Format::Text, 12, None);
        b.paragraph("hello   world again", None);
        assert!(b.is_full());
        assert_eq!(b.blocks()[0].text, "hello world");
        b.paragraph("more", None);
        assert_eq!(b.blocks().len(), 1);
    }
}
