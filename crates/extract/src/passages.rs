//! Splitting a document's blocks into passages for search.
//!
//! A passage is the unit search ranks and shows: 80 to 200 words where the document allows
//! it, never more than 200 (unless one "word" alone is longer, e.g. a pasted URL), cut only
//! between words. Rules, in order:
//!
//! - A heading ends the current passage; the passages after it carry it in
//!   [`crate::Passage::heading`] (the heading text is not repeated in the passage text).
//! - Paragraphs are packed whole while they fit. A paragraph that does not fit goes to the next
//!   passage if the current one already has 80 words; otherwise the current passage is filled
//!   sentence by sentence, and the paragraph continues in the next one.
//! - A sentence longer than 200 words is cut every 200 words.
//! - A new page or slide ends the passage: always for slides, and for PDF pages once the
//!   passage has 40 words (so each passage's `page` is where it starts and short page tails do
//!   not become passages of their own).
//! - A heading directly followed by a subheading folds into it ("Results › Year one"); a
//!   heading that gets no text before the next slide, the next heading that is not its
//!   subheading, or the end, becomes a passage of its own (a title-only slide).
//!
//! There is no overlap between passages: the heading gives each passage its context, and
//! overlapping text would make one sentence match twice in search.

use crate::doc::{Block, BlockKind};
use crate::Passage;

pub(crate) const MIN_WORDS: usize = 80;
pub(crate) const MAX_WORDS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageBreaks {
    /// Pages are slides: every slide starts a new passage.
    Always,
    /// Pages are print pages: a new page starts a new passage when the current one has at least
    /// this many words.
    AfterWords(usize),
}

struct Packer {
    out: Vec<Passage>,
    /// Paragraph pieces of the passage being built; each is a list of words.
    paras: Vec<Vec<String>>,
    words: usize,
    page: Option<u32>,
    heading: Option<String>,
    heading_level: u8,
    /// The page the current heading is on.
    heading_page: Option<u32>,
    /// Whether the current heading has produced any passage text yet.
    heading_used: bool,
}

impl Packer {
    fn flush(&mut self) {
        if self.words == 0 {
            return;
        }
        let text = self
            .paras
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\n\n");
        self.out.push(Passage {
            index: u32::try_from(self.out.len()).unwrap_or(u32::MAX),
            text,
            page: self.page,
            heading: self.heading.clone(),
        });
        self.heading_used = true;
        self.paras.clear();
        self.words = 0;
    }

    /// A heading that never got text becomes a passage of its own.
    fn flush_bare_heading(&mut self) {
        if self.words == 0 && !self.heading_used {
            if let Some(h) = self.heading.clone() {
                self.page = self.heading_page;
                self.paras
                    .push(h.split_whitespace().map(str::to_string).collect());
                self.words = self.paras.iter().map(Vec::len).sum();
                self.flush();
            }
        }
    }

    fn push_word(&mut self, word: &str, page: Option<u32>, new_para: bool) {
        if self.words == 0 {
            self.page = page;
        }
        if new_para || self.paras.is_empty() {
            self.paras.push(Vec::new());
        }
        if let Some(last) = self.paras.last_mut() {
            last.push(word.to_string());
        }
        self.words += 1;
    }

    fn paragraph(&mut self, text: &str, page: Option<u32>) {
        let total = text.split_whitespace().count();
        if total == 0 {
            return;
        }
        if self.words > 0 && self.words + total > MAX_WORDS && self.words >= MIN_WORDS {
            self.flush();
        }
        let mut first_in_para = true;
        for sentence in sentences(text) {
            for piece in sentence.chunks(MAX_WORDS) {
                if self.words > 0 && self.words + piece.len() > MAX_WORDS {
                    self.flush();
                    first_in_para = true;
                }
                for (i, w) in piece.iter().enumerate() {
                    self.push_word(w, page, first_in_para && i == 0);
                }
                first_in_para = false;
            }
        }
    }
}

/// Splits a paragraph into sentences (lists of words). A sentence ends at a word ending in
/// `.`, `!`, `?` or `:`, optionally followed by closing quotes or brackets.
fn sentences(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for word in text.split_whitespace() {
        cur.push(word);
        let core = word.trim_end_matches(['"', '\'', ')', ']', '\u{201d}', '\u{2019}']);
        if core.ends_with(['.', '!', '?', ':', '\u{2026}']) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

pub(crate) fn split(blocks: &[Block], page_breaks: PageBreaks) -> Vec<Passage> {
    let mut p = Packer {
        out: Vec::new(),
        paras: Vec::new(),
        words: 0,
        page: None,
        heading: None,
        heading_level: 0,
        heading_page: None,
        heading_used: true,
    };
    let mut last_page: Option<u32> = None;
    for block in blocks {
        if block.page != last_page {
            if last_page.is_some() {
                let cut = match page_breaks {
                    PageBreaks::Always => true,
                    PageBreaks::AfterWords(n) => p.words >= n,
                };
                if cut {
                    p.flush();
                }
                if page_breaks == PageBreaks::Always {
                    p.flush_bare_heading();
                    p.heading = None;
                    p.heading_used = true;
                    p.heading_level = 0;
                }
            }
            last_page = block.page;
        }
        match block.kind {
            BlockKind::Heading(level) => {
                p.flush();
                if !p.heading_used && level > p.heading_level {
                    // A parent heading with no text of its own folds into its first child:
                    // "Results" then "Year one" gives "Results › Year one".
                    if let Some(parent) = p.heading.take() {
                        p.heading = Some(format!("{parent} › {}", block.text));
                        p.heading_level = level;
                        continue;
                    }
                }
                p.flush_bare_heading();
                p.heading = Some(block.text.clone());
                p.heading_page = block.page;
                p.heading_level = level;
                p.heading_used = false;
            }
            BlockKind::Paragraph => p.paragraph(&block.text, block.page),
        }
    }
    p.flush();
    p.flush_bare_heading();
    p.out
}
