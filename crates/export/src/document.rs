//! The document model both the DOCX and the PDF writer walk: Markdown parsed once with
//! `pulldown-cmark` into blocks of styled text.
//!
//! Text is cleaned on the way in: control characters (which would make the DOCX XML
//! invalid) are dropped and tabs become spaces. Nesting deeper than [`MAX_DEPTH`]
//! (quotes in quotes in lists...) is flattened into the enclosing block, so no input can
//! make the writers recurse without bound.

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::ExportMeta;

/// How deeply quotes and lists may nest before their content is flattened.
const MAX_DEPTH: usize = 8;

/// A parsed proposal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    /// Level 1 to 3 (deeper Markdown headings are shown as level 3).
    Heading {
        level: u8,
        text: Vec<Span>,
    },
    Paragraph(Vec<Span>),
    List(List),
    Quote(Vec<Block>),
    /// A fenced or indented code block: its lines, without the final newline.
    Code(Vec<String>),
    Table(Table),
    Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct List {
    /// The first number of a numbered list; `None` for bullets.
    pub start: Option<u64>,
    /// Each item's blocks: a tight item's text is one paragraph.
    pub items: Vec<Vec<Block>>,
}

/// A table: every row has as many cells as the widest row (short rows are padded).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub header: Vec<Vec<Span>>,
    pub rows: Vec<Vec<Vec<Span>>>,
    /// One per column.
    pub aligns: Vec<Align>,
}

/// How a table column's text is aligned (`|:--|`, `|:-:|`, `|--:|`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Align {
    #[default]
    Left,
    Center,
    Right,
}

impl Table {
    pub fn columns(&self) -> usize {
        self.header.len()
    }
}

/// A run of text in one style. A hard line break is a `'\n'` in `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub text: String,
    pub style: SpanStyle,
    /// The target of the link this text is part of.
    pub link: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SpanStyle {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub code: bool,
}

impl Document {
    /// Parses `markdown`. A first level-1 heading that repeats the title is dropped: the
    /// writers put the title on top themselves.
    pub fn parse(markdown: &str, meta: &ExportMeta) -> Document {
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let mut events = Parser::new_ext(markdown, options);
        let mut blocks = parse_blocks(&mut events, 0);
        if let Some(Block::Heading { level: 1, text }) = blocks.first() {
            if plain_text(text).trim().to_lowercase() == meta.display_title().to_lowercase() {
                blocks.remove(0);
            }
        }
        Document { blocks }
    }
}

/// The text of `spans` without styles.
pub(crate) fn plain_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

/// `text` on one line: control characters dropped, runs of whitespace made one space,
/// trimmed. For titles and metadata.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace()
        .map(|word| word.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Drops control characters except `'\n'`; a tab becomes `tab`.
fn clean(text: &str, tab: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push_str(tab),
            '\n' => out.push('\n'),
            '\u{fffe}' | '\u{ffff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inline text being gathered for the next paragraph, heading or table cell.
#[derive(Default)]
struct Inlines {
    spans: Vec<Span>,
    bold: u32,
    italic: u32,
    strike: u32,
    links: Vec<String>,
}

impl Inlines {
    fn style(&self) -> SpanStyle {
        SpanStyle {
            bold: self.bold > 0,
            italic: self.italic > 0,
            strike: self.strike > 0,
            code: false,
        }
    }

    fn push(&mut self, text: &str, style: SpanStyle) {
        let text = clean(text, " ");
        if text.is_empty() {
            return;
        }
        let link = self.links.last().cloned();
        match self.spans.last_mut() {
            Some(last) if last.style == style && last.link == link => last.text.push_str(&text),
            _ => self.spans.push(Span { text, style, link }),
        }
    }

    /// Takes in an inline event; returns `false` for a block-level one (left untouched).
    fn take(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Text(text) => self.push(text, self.style()),
            Event::Code(text) => {
                let style = SpanStyle {
                    code: true,
                    ..self.style()
                };
                self.push(text, style);
            }
            Event::SoftBreak => self.push(" ", self.style()),
            Event::HardBreak => self.push("\n", self.style()),
            Event::InlineHtml(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
            Event::FootnoteReference(label) => self.push(&format!("[{label}]"), self.style()),
            Event::TaskListMarker(done) => {
                self.push(if *done { "[x] " } else { "[ ] " }, self.style())
            }
            Event::Start(Tag::Emphasis) => self.italic += 1,
            Event::End(TagEnd::Emphasis) => self.italic = self.italic.saturating_sub(1),
            Event::Start(Tag::Strong) => self.bold += 1,
            Event::End(TagEnd::Strong) => self.bold = self.bold.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => self.strike += 1,
            Event::End(TagEnd::Strikethrough) => self.strike = self.strike.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => self.links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                self.links.pop();
            }
            // An image shows as its alt text, which arrives as the events in between.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            Event::Start(Tag::Superscript | Tag::Subscript)
            | Event::End(TagEnd::Superscript | TagEnd::Subscript) => {}
            _ => return false,
        }
        true
    }

    /// The gathered spans, trimmed; the style state stays (it spans the container).
    fn finish(&mut self) -> Vec<Span> {
        let mut spans = std::mem::take(&mut self.spans);
        if let Some(first) = spans.first_mut() {
            first.text = first.text.trim_start().to_owned();
        }
        if let Some(last) = spans.last_mut() {
            last.text = last.text.trim_end().to_owned();
        }
        spans.retain(|s| !s.text.is_empty());
        spans
    }

    /// Ends a stretch of loose inline text (a tight list item's) as a paragraph.
    fn flush_into(&mut self, blocks: &mut Vec<Block>) {
        let spans = self.finish();
        if !spans.is_empty() {
            blocks.push(Block::Paragraph(spans));
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        _ => 3,
    }
}

/// Reads blocks up to the end of the container whose start the caller consumed (or the
/// end of input), consuming that end.
fn parse_blocks(events: &mut Parser<'_>, depth: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut inlines = Inlines::default();
    // Containers opened past MAX_DEPTH whose content goes into this list.
    let mut flattened = 0usize;
    while let Some(event) = events.next() {
        if inlines.take(&event) {
            continue;
        }
        match event {
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Heading { .. }) => {
                inlines.flush_into(&mut blocks);
            }
            Event::End(TagEnd::Paragraph) => inlines.flush_into(&mut blocks),
            Event::End(TagEnd::Heading(level)) => {
                let text = inlines.finish();
                if !text.is_empty() {
                    blocks.push(Block::Heading {
                        level: heading_level(level),
                        text,
                    });
                }
            }
            Event::Start(Tag::BlockQuote(_))
            | Event::Start(Tag::List(_))
            | Event::Start(Tag::Item)
                if depth >= MAX_DEPTH =>
            {
                inlines.flush_into(&mut blocks);
                flattened += 1;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                inlines.flush_into(&mut blocks);
                let inner = parse_blocks(events, depth + 1);
                if !inner.is_empty() {
                    blocks.push(Block::Quote(inner));
                }
            }
            Event::Start(Tag::List(start)) => {
                inlines.flush_into(&mut blocks);
                let list = parse_list(events, start, depth + 1);
                if !list.items.is_empty() {
                    blocks.push(Block::List(list));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                inlines.flush_into(&mut blocks);
                blocks.push(Block::Code(parse_code(events)));
            }
            Event::Start(Tag::Table(aligns)) => {
                inlines.flush_into(&mut blocks);
                let table = parse_table(events, &aligns);
                if table.columns() > 0 {
                    blocks.push(Block::Table(table));
                }
            }
            Event::Rule => {
                inlines.flush_into(&mut blocks);
                blocks.push(Block::Rule);
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) if flattened > 0 => {
                inlines.flush_into(&mut blocks);
                flattened -= 1;
            }
            // Raw HTML, footnote definitions, metadata blocks: not exported.
            Event::Start(_) => skip_container(events),
            // Our container ends.
            Event::End(_) => break,
            _ => {}
        }
    }
    inlines.flush_into(&mut blocks);
    blocks
}

/// Skips the content of a container whose start was just read, and its end.
fn skip_container(events: &mut Parser<'_>) {
    let mut open = 1usize;
    for event in events.by_ref() {
        match event {
            Event::Start(_) => open += 1,
            Event::End(_) => {
                open -= 1;
                if open == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// Reads list items up to the end of the list.
fn parse_list(events: &mut Parser<'_>, start: Option<u64>, depth: usize) -> List {
    let mut items = Vec::new();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::Item) => items.push(parse_blocks(events, depth)),
            Event::End(_) => break,
            _ => {}
        }
    }
    List { start, items }
}

fn parse_code(events: &mut Parser<'_>) -> Vec<String> {
    let mut text = String::new();
    for event in events.by_ref() {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::End(_) => break,
            _ => {}
        }
    }
    let text = clean(&text, "    ");
    text.trim_end_matches('\n')
        .split('\n')
        .map(str::to_owned)
        .collect()
}

/// Reads a table up to its end. Cells are plain inline text.
fn parse_table(events: &mut Parser<'_>, aligns: &[Alignment]) -> Table {
    let mut header = Vec::new();
    let mut rows: Vec<Vec<Vec<Span>>> = Vec::new();
    let mut in_head = false;
    let mut inlines = Inlines::default();
    for event in events.by_ref() {
        if inlines.take(&event) {
            continue;
        }
        match event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => inlines = Inlines::default(),
            Event::End(TagEnd::TableCell) => {
                let cell = inlines.finish();
                if in_head {
                    header.push(cell);
                } else if let Some(row) = rows.last_mut() {
                    row.push(cell);
                }
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    let columns = rows.iter().map(Vec::len).fold(header.len(), usize::max);
    header.resize(columns, Vec::new());
    for row in &mut rows {
        row.resize(columns, Vec::new());
    }
    let aligns = (0..columns)
        .map(|i| match aligns.get(i) {
            Some(Alignment::Center) => Align::Center,
            Some(Alignment::Right) => Align::Right,
            _ => Align::Left,
        })
        .collect();
    Table {
        header,
        rows,
        aligns,
    }
}

/// Spans for a medium without clickable links (the PDF): the URL follows the link text
/// in parentheses, unless the text already is the URL (or the address of a `mailto:`).
/// In-document anchors (`#pricing`) are dropped.
pub(crate) fn with_visible_urls(spans: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut i = 0;
    while i < spans.len() {
        let link = &spans[i].link;
        let mut end = i + 1;
        while end < spans.len() && &spans[end].link == link && link.is_some() {
            end += 1;
        }
        out.extend(spans[i..end].iter().cloned());
        if let Some(url) = link {
            let text = plain_text(&spans[i..end]);
            let shown = url.strip_prefix("mailto:").unwrap_or(url);
            if !url.starts_with('#') && !url.is_empty() && text.trim() != shown {
                out.push(Span {
                    text: format!(" ({url})"),
                    style: SpanStyle::default(),
                    link: Some(url.clone()),
                });
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(markdown: &str) -> Vec<Block> {
        Document::parse(markdown, &ExportMeta::default()).blocks
    }

    fn text(s: &str) -> Span {
        Span {
            text: s.to_owned(),
            style: SpanStyle::default(),
            link: None,
        }
    }

    #[test]
    fn tight_list_items_become_paragraphs_and_nest() {
        let blocks = parse("- one **two**\n  - inner\n- three\n");
        let Block::List(list) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(list.start, None);
        assert_eq!(list.items.len(), 2);
        assert_eq!(list.items[0].len(), 2, "{:?}", list.items[0]);
        let Block::Paragraph(spans) = &list.items[0][0] else {
            panic!()
        };
        assert_eq!(spans[0], text("one "));
        assert!(spans[1].style.bold);
        assert!(matches!(&list.items[0][1], Block::List(inner) if inner.items.len() == 1));
    }

    #[test]
    fn ordered_list_keeps_its_start() {
        let blocks = parse("3. c\n4. d\n");
        assert!(matches!(&blocks[0], Block::List(l) if l.start == Some(3)));
    }

    #[test]
    fn headings_past_three_are_level_three() {
        let blocks = parse("#### Deep\n");
        assert!(matches!(&blocks[0], Block::Heading { level: 3, .. }));
    }

    #[test]
    fn title_heading_is_dropped_only_when_it_repeats_the_title() {
        let meta = ExportMeta {
            title: "Acme proposal".into(),
            ..ExportMeta::default()
        };
        let doc = Document::parse("# Acme Proposal\n\nHello", &meta);
        assert_eq!(doc.blocks, vec![Block::Paragraph(vec![text("Hello")])]);
        let doc = Document::parse("# Another\n\nHello", &meta);
        assert_eq!(doc.blocks.len(), 2);
    }

    #[test]
    fn table_rows_are_padded() {
        let blocks = parse("| a | b |\n|---|--:|\n| 1 |\n");
        let Block::Table(table) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(table.columns(), 2);
        assert_eq!(table.aligns, [Align::Left, Align::Right]);
        assert_eq!(table.rows[0].len(), 2);
        assert_eq!(table.rows[0][0], vec![text("1")]);
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let markdown = format!("{}deep", "> ".repeat(500));
        let blocks = parse(&markdown);
        fn depth(blocks: &[Block]) -> usize {
            blocks
                .iter()
                .map(|b| match b {
                    Block::Quote(inner) => 1 + depth(inner),
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&blocks) <= MAX_DEPTH, "{}", depth(&blocks));
        assert!(format!("{blocks:?}").contains("deep"));
    }

    #[test]
    fn control_characters_are_dropped() {
        let blocks = parse("a\u{1}b\u{7f}c");
        assert_eq!(blocks, vec![Block::Paragraph(vec![text("abc")])]);
    }

    #[test]
    fn links_show_their_url_once() {
        let blocks = parse("See [our site](https://lumora.io) or <https://x.io>.");
        let Block::Paragraph(spans) = &blocks[0] else {
            panic!()
        };
        let shown = plain_text(&with_visible_urls(spans));
        assert_eq!(shown, "See our site (https://lumora.io) or https://x.io.");
    }

    #[test]
    fn raw_html_is_left_out_without_losing_what_follows() {
        let blocks = parse("<div>\nhidden\n</div>\n\nshown\n");
        assert_eq!(blocks, vec![Block::Paragraph(vec![text("shown")])]);
    }

    #[test]
    fn hard_break_is_a_newline() {
        let blocks = parse("line one  \nline two");
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![text("line one\nline two")])]
        );
    }
}
