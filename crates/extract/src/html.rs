//! HTML through html5ever's tokenizer (no DOM is built): entities are decoded as browsers do,
//! `<script>`, `<style>` and friends are read as raw text and dropped, `<h1>`–`<h6>` become
//! headings, block elements end paragraphs, and `<title>` is the title. Navigation menus
//! (`<nav>`), `<svg>`, `<template>` and `<noscript>` are skipped too: they are page chrome, not
//! the content a rep saved.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::TokenizerResult;

use crate::doc::DocBuilder;
use crate::error::Result;

/// Marks a `<br>` in the paragraph being read (whitespace once the paragraph is kept).
const LINE_BREAK: char = '\u{2028}';

#[derive(Default)]
struct State {
    /// Text of the block being read.
    buf: String,
    /// Level of the heading being read, if any.
    heading: Option<u8>,
    /// Text of `<title>` while inside it.
    title: Option<String>,
    /// Blocks, in order, as (heading level, text).
    blocks: Vec<(Option<u8>, String)>,
    /// Name of the element whose content is skipped, and how deeply it is nested.
    skip: Option<(String, usize)>,
    /// Text kept so far, to stop early at the character limit.
    chars: usize,
    max_chars: usize,
}

impl State {
    fn flush(&mut self) {
        let text = self
            .buf
            .trim_end_matches(|c: char| c == '|' || c.is_whitespace());
        let text = text.trim();
        if !text.is_empty() {
            self.chars += text.len();
            self.blocks.push((self.heading, text.to_string()));
        }
        self.buf.clear();
    }
}

struct Sink {
    state: RefCell<State>,
}

/// Elements whose content is not read at all, with the tokenizer state to read it in when
/// the content is not HTML.
fn skipped(name: &str) -> Option<Option<RawKind>> {
    match name {
        "script" => Some(Some(RawKind::ScriptData)),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            Some(Some(RawKind::Rawtext))
        }
        "textarea" => Some(Some(RawKind::Rcdata)),
        // Not `<head>`: its end tag is optional, and its only text is in `<title>` anyway.
        "nav" | "svg" | "math" | "template" | "select" | "button" | "object" => Some(None),
        _ => None,
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "table"
            | "thead"
            | "tbody"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "main"
            | "blockquote"
            | "pre"
            | "hr"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "address"
            | "details"
            | "summary"
            | "caption"
            | "body"
            | "html"
    )
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

impl Sink {
    fn tag(&self, tag: Tag) -> TokenSinkResult<()> {
        let mut s = self.state.borrow_mut();
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;

        if let Some((skipping, depth)) = s.skip.as_mut() {
            if skipping.as_str() == name {
                if start && !tag.self_closing {
                    *depth += 1;
                } else if !start {
                    *depth = depth.saturating_sub(1);
                    if *depth == 0 {
                        s.skip = None;
                    }
                }
            }
            if let Some(Some(kind)) = skipped(name).filter(|_| start) {
                // A raw-text element inside a skipped one must still be tokenized as raw text.
                return TokenSinkResult::RawData(kind);
            }
            return TokenSinkResult::Continue;
        }

        if name == "title" {
            if start {
                s.title = Some(String::new());
                return TokenSinkResult::RawData(RawKind::Rcdata);
            }
            return TokenSinkResult::Continue;
        }
        if start && !tag.self_closing {
            if let Some(raw) = skipped(name) {
                s.flush();
                s.skip = Some((name.to_string(), 1));
                return match raw {
                    Some(kind) => TokenSinkResult::RawData(kind),
                    None => TokenSinkResult::Continue,
                };
            }
        }
        if name == "br" {
            // One <br> is a line break inside the paragraph; two in a row end it.
            let after_break = s
                .buf
                .trim_end_matches(|c: char| c.is_whitespace() && c != LINE_BREAK)
                .ends_with(LINE_BREAK);
            if after_break {
                s.flush();
            } else {
                s.buf.push(LINE_BREAK);
            }
        } else if let Some(level) = heading_level(name) {
            s.flush();
            s.heading = start.then_some(level);
        } else if is_block(name) {
            s.flush();
        } else if matches!(name, "td" | "th") && !start {
            s.buf.push_str(" | ");
        } else if name == "img" && start {
            // Alt text is what the image says, for a reader who cannot see it.
            if let Some(alt) = tag.attrs.iter().find(|a| &*a.name.local == "alt") {
                let alt = alt.value.trim().to_string();
                if !alt.is_empty() {
                    s.buf.push(' ');
                    s.buf.push_str(&alt);
                    s.buf.push(' ');
                }
            }
        } else if !is_inline(name) {
            // Unknown elements separate words, never glue them ("<x-a>A</x-a><x-b>B</x-b>").
            s.buf.push(' ');
        }
        TokenSinkResult::Continue
    }
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
            | "label"
    )
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                if tag.kind == TagKind::EndTag && &*tag.name == "title" {
                    let mut s = self.state.borrow_mut();
                    if let Some(title) = s.title.take() {
                        // Keep the first non-empty title.
                        if !title.trim().is_empty() {
                            s.title = None;
                            s.blocks.push((Some(0), title));
                        }
                    }
                    return TokenSinkResult::Continue;
                }
                self.tag(tag)
            }
            Token::CharacterTokens(text) => {
                let mut s = self.state.borrow_mut();
                if let Some(title) = s.title.as_mut() {
                    title.push_str(&text);
                } else if s.skip.is_none() && s.chars <= s.max_chars {
                    s.buf.push_str(&text);
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

pub(crate) fn extract(text: &str, doc: &mut DocBuilder, max_chars: usize) -> Result<()> {
    let sink = Sink {
        state: RefCell::new(State {
            max_chars,
            ..State::default()
        }),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    // Feed in slices so the deadline is checked on huge pages.
    let mut rest = text;
    while !rest.is_empty() {
        doc.check_deadline()?;
        let mut cut = rest.len().min(256 * 1024);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        queue.push_back(StrTendril::from_slice(piece));
        while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
        if tokenizer.sink.state.borrow().chars > max_chars {
            break;
        }
    }
    tokenizer.end();
    let mut state = tokenizer.sink.state.into_inner();
    state.flush();
    for (level, text) in state.blocks {
        match level {
            // Level 0 marks the document's <title>.
            Some(0) => {
                if doc.meta_title.is_none() {
                    doc.meta_title = crate::doc::clean_title(&text);
                }
            }
            Some(level) => doc.heading(level, &text, None),
            None => doc.paragraph(&text, None),
        }
    }
    Ok(())
}
