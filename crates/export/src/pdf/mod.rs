//! PDF export: A4 pages laid out here and written with `pdf-writer`.
//!
//! # Why `pdf-writer` and the base-14 fonts
//!
//! `pdf-writer` (the typst project's PDF writer) builds on Rust 1.95 from crates.io with
//! four small dependencies and no build script, font files or system fonts. Text uses
//! the PDF base-14 fonts (Helvetica in four faces, Courier for code), which every PDF
//! reader provides, so nothing is embedded and a proposal is a few kilobytes per page.
//! The alternatives were heavier for the same result: `printpdf` 0.12 without default
//! features still brings about 140 crates (font parsing, lopdf, serde) and gives no
//! metrics for its built-in fonts to wrap text with; `genpdf` is unmaintained and needs
//! font files; `krilla` needs a font file too. The price is the WinAnsi character set
//! (see `text` for how other characters are substituted) and doing the layout here:
//! word wrapping with the fonts' real advance widths (`tables`, generated from the
//! metric-compatible URW Nimbus Sans), headings kept with the text that follows, page
//! breaks when a page is full (table rows split across pages, with the header row
//! repeated), and "Page n of N" in every footer.

mod tables;
mod text;

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::document::{with_visible_urls, Align, Block, Document, List, Span, Table};
use crate::error::{ExportError, Result};
use crate::ExportMeta;

use text::{encode, measure, wrap, Color, Face, Ink, Line, Look};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.276;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 62.0;
const MARGIN_TOP: f32 = 62.0;
/// Content stops here; the footer sits below.
const MARGIN_BOTTOM: f32 = 72.0;
const FOOTER_BASELINE: f32 = 40.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
const CONTENT_TOP: f32 = PAGE_HEIGHT - MARGIN_TOP;

const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 15.0;
const PARAGRAPH_GAP: f32 = 7.0;
const LIST_ITEM_GAP: f32 = 3.0;
const LIST_INDENT: f32 = 18.0;
const QUOTE_INDENT: f32 = 14.0;
const CODE_SIZE: f32 = 8.5;
const CODE_LEADING: f32 = 11.5;
const TABLE_SIZE: f32 = 9.5;
const TABLE_LEADING: f32 = 12.5;
const CELL_PADDING: f32 = 4.0;
/// Quotes and lists nest at most this deep visually; deeper content stays at this indent.
const MAX_INDENT_LEVELS: usize = 6;

const BODY: Look = Look {
    size: BODY_SIZE,
    color: Color::TEXT,
    bold: false,
};

pub(crate) fn render(doc: &Document, meta: &ExportMeta) -> Result<Vec<u8>> {
    let mut layout = Layout::new();
    layout.title_block(meta);
    layout.blocks(&doc.blocks, Frame::page());
    let pages = layout.finish(meta);
    write_pdf(pages, meta)
}

/// Where blocks go: a column of the page and what surrounds it.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x: f32,
    width: f32,
    /// Nesting of lists and quotes, for markers and indentation limits.
    depth: usize,
    list_level: usize,
    quote: bool,
    /// Space after a paragraph.
    gap: f32,
}

impl Frame {
    fn page() -> Frame {
        Frame {
            x: MARGIN_X,
            width: TEXT_WIDTH,
            depth: 0,
            list_level: 0,
            quote: false,
            gap: PARAGRAPH_GAP,
        }
    }

    fn indented(self, by: f32) -> Frame {
        if self.depth >= MAX_INDENT_LEVELS {
            return Frame {
                depth: self.depth + 1,
                ..self
            };
        }
        Frame {
            x: self.x + by,
            width: self.width - by,
            depth: self.depth + 1,
            ..self
        }
    }

    fn look(self) -> Look {
        Look {
            color: if self.quote {
                Color::MUTED
            } else {
                Color::TEXT
            },
            ..BODY
        }
    }
}

/// A quote's bar, drawn when the quote ends or the page does.
struct Bar {
    x: f32,
    top: f32,
}

/// A list marker waiting to be drawn beside the next line of text.
struct Marker {
    x: f32,
    bytes: Vec<u8>,
}

struct Layout {
    pages: Vec<Content>,
    /// The top of the next line, in PDF coordinates (from the bottom).
    y: f32,
    bars: Vec<Bar>,
    markers: Vec<Marker>,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            pages: vec![Content::new()],
            y: CONTENT_TOP,
            bars: Vec::new(),
            markers: Vec::new(),
        }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn at_top(&self) -> bool {
        self.y >= CONTENT_TOP - 0.01
    }

    fn new_page(&mut self) {
        let y = self.y;
        for i in 0..self.bars.len() {
            let (x, top) = (self.bars[i].x, self.bars[i].top);
            self.bar(x, top, y.max(MARGIN_BOTTOM));
        }
        self.pages.push(Content::new());
        self.y = CONTENT_TOP;
        for bar in &mut self.bars {
            bar.top = CONTENT_TOP;
        }
    }

    /// Starts a new page unless `height` still fits on this one (or we are at the top of
    /// a page already, where a new page would not help).
    fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN_BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space; none at the top of a page.
    fn skip(&mut self, height: f32) {
        if !self.at_top() {
            self.y = (self.y - height).max(MARGIN_BOTTOM);
        }
    }

    /// Draws `line` at `x` as the next line of the flow, on a new page if needed, with
    /// any pending list markers beside it.
    fn flow_line(&mut self, line: &Line, x: f32, leading: f32) {
        self.ensure(leading);
        let baseline = self.y - leading * 0.76;
        self.draw_markers(baseline);
        draw_line(self.page(), line, x, baseline);
        self.y -= leading;
    }

    fn draw_markers(&mut self, baseline: f32) {
        let markers = std::mem::take(&mut self.markers);
        for marker in markers {
            let line = Line::literal(
                &marker.bytes,
                Ink {
                    face: Face::Regular,
                    size: BODY_SIZE,
                    color: Color::TEXT,
                    underline: false,
                    strike: false,
                },
            );
            draw_line(self.page(), &line, marker.x, baseline);
        }
    }

    /// Draws pending markers on a line of their own (before a table or a rule).
    fn flush_markers(&mut self) {
        if !self.markers.is_empty() {
            self.ensure(BODY_LEADING);
            let baseline = self.y - BODY_LEADING * 0.76;
            self.draw_markers(baseline);
            self.y -= BODY_LEADING;
        }
    }

    fn rule(&mut self, x: f32, width: f32, y: f32, thickness: f32, color: Color) {
        let page = self.page();
        page.save_state();
        page.set_stroke_rgb(color.0, color.1, color.2);
        page.set_line_width(thickness);
        page.move_to(x, y);
        page.line_to(x + width, y);
        page.stroke();
        page.restore_state();
    }

    fn bar(&mut self, x: f32, top: f32, bottom: f32) {
        if top - bottom < 1.0 {
            return;
        }
        let page = self.page();
        page.save_state();
        page.set_stroke_rgb(0.72, 0.72, 0.72);
        page.set_line_width(2.0);
        page.move_to(x, top);
        page.line_to(x, bottom);
        page.stroke();
        page.restore_state();
    }

    fn title_block(&mut self, meta: &ExportMeta) {
        let title = [Span {
            text: meta.display_title(),
            style: Default::default(),
            link: None,
        }];
        let look = Look {
            size: 22.0,
            color: Color::ACCENT,
            bold: true,
        };
        for line in wrap(&title, look, TEXT_WIDTH) {
            self.flow_line(&line, MARGIN_X, 27.0);
        }
        let byline = meta.byline();
        if !byline.is_empty() {
            self.y -= 3.0;
            let spans = [Span {
                text: byline,
                style: Default::default(),
                link: None,
            }];
            let look = Look {
                size: 10.0,
                color: Color::MUTED,
                bold: false,
            };
            for line in wrap(&spans, look, TEXT_WIDTH) {
                self.flow_line(&line, MARGIN_X, 14.0);
            }
        }
        self.y -= 8.0;
        let y = self.y;
        self.rule(MARGIN_X, TEXT_WIDTH, y, 1.2, Color::ACCENT);
        self.y -= 20.0;
    }

    fn blocks(&mut self, blocks: &[Block], frame: Frame) {
        for block in blocks {
            self.block(block, frame);
        }
    }

    fn block(&mut self, block: &Block, frame: Frame) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text, frame),
            Block::Paragraph(spans) => {
                let lines = wrap(&with_visible_urls(spans), frame.look(), frame.width);
                for line in &lines {
                    self.flow_line(line, frame.x, BODY_LEADING);
                }
                self.skip(frame.gap);
            }
            Block::List(list) => self.list(list, frame),
            Block::Quote(blocks) => self.quote(blocks, frame),
            Block::Code(lines) => self.code(lines, frame),
            Block::Table(table) => {
                self.flush_markers();
                self.table(table, frame);
            }
            Block::Rule => {
                self.flush_markers();
                self.ensure(16.0);
                let y = self.y - 8.0;
                self.rule(frame.x, frame.width, y, 0.6, Color(0.65, 0.65, 0.65));
                self.y -= 16.0;
            }
        }
    }

    fn heading(&mut self, level: u8, text: &[Span], frame: Frame) {
        let (size, before, after) = match level {
            1 => (17.0, 14.0, 5.0),
            2 => (13.5, 11.0, 4.0),
            _ => (11.5, 9.0, 3.0),
        };
        let leading = size * 1.3;
        let look = Look {
            size,
            color: Color::ACCENT,
            bold: true,
        };
        let lines = wrap(&with_visible_urls(text), look, frame.width);
        self.skip(before);
        // Keep the heading with the first lines of what follows it.
        self.ensure(leading * lines.len() as f32 + after + 2.0 * BODY_LEADING);
        for line in &lines {
            self.flow_line(line, frame.x, leading);
        }
        self.skip(after);
    }

    fn list(&mut self, list: &List, frame: Frame) {
        let markers: Vec<Vec<u8>> = (0..list.items.len())
            .map(|i| match list.start {
                Some(start) => encode(&format!("{}.", start.saturating_add(i as u64))),
                None => encode(["\u{2022}", "\u{2013}", "\u{b7}"][frame.list_level % 3]),
            })
            .collect();
        let widest = markers
            .iter()
            .map(|m| Face::Regular.width(m, BODY_SIZE))
            .fold(0.0, f32::max);
        let indent = LIST_INDENT.max(widest + 6.0);
        let mut inner = frame.indented(indent);
        inner.list_level += 1;
        inner.gap = LIST_ITEM_GAP;
        for (item, marker) in list.items.iter().zip(markers) {
            let width = Face::Regular.width(&marker, BODY_SIZE);
            // Numbers are right-aligned before the text; bullets sit at the indent.
            let x = if list.start.is_some() {
                inner.x - 6.0 - width
            } else {
                frame.x + 4.0
            };
            self.markers.push(Marker { x, bytes: marker });
            self.blocks(item, inner);
            self.flush_markers();
        }
        if frame.list_level == 0 {
            self.skip(PARAGRAPH_GAP - LIST_ITEM_GAP);
        }
    }

    fn quote(&mut self, blocks: &[Block], frame: Frame) {
        let mut inner = frame.indented(QUOTE_INDENT);
        inner.quote = true;
        self.flush_markers();
        self.bars.push(Bar {
            x: frame.x + 3.0,
            top: self.y,
        });
        self.blocks(blocks, inner);
        if let Some(bar) = self.bars.pop() {
            let bottom = self.y + inner.gap;
            self.bar(bar.x, bar.top - 2.0, bottom);
        }
    }

    fn code(&mut self, lines: &[String], frame: Frame) {
        let ink = Ink {
            face: Face::Mono,
            size: CODE_SIZE,
            color: Color(0.15, 0.15, 0.15),
            underline: false,
            strike: false,
        };
        let char_width = Face::Mono.width(b"m", CODE_SIZE);
        let per_line = (((frame.width - 8.0) / char_width).floor() as usize).max(1);
        for source in lines {
            let bytes = encode(source);
            let chunks: Vec<&[u8]> = if bytes.is_empty() {
                vec![&[]]
            } else {
                bytes.chunks(per_line).collect()
            };
            for chunk in chunks {
                self.ensure(CODE_LEADING);
                let (x, y) = (frame.x, self.y - CODE_LEADING);
                let page = self.page();
                page.save_state();
                page.set_fill_rgb(0.95, 0.95, 0.95);
                page.rect(x, y, frame.width, CODE_LEADING);
                page.fill_nonzero();
                page.restore_state();
                self.flow_line(&Line::literal(chunk, ink), frame.x + 4.0, CODE_LEADING);
            }
        }
        self.skip(PARAGRAPH_GAP);
    }

    fn table(&mut self, table: &Table, frame: Frame) {
        let header_look = Look {
            size: TABLE_SIZE,
            color: Color::TEXT,
            bold: true,
        };
        let body_look = Look {
            size: TABLE_SIZE,
            color: frame.look().color,
            bold: false,
        };
        let widths = column_widths(table, frame.width, header_look, body_look);
        let lay_row = |cells: &[Vec<Span>], look: Look| -> Vec<Vec<Line>> {
            cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| {
                    wrap(&with_visible_urls(cell), look, width - 2.0 * CELL_PADDING)
                })
                .collect()
        };
        let header = lay_row(&table.header, header_look);
        let header_height = row_height(&header);
        // Repeat the header on each page the table continues on, unless it is huge.
        let repeat = header_height < (CONTENT_TOP - MARGIN_BOTTOM) / 4.0;
        let table_frame = TableFrame {
            x: frame.x,
            widths: &widths,
            aligns: &table.aligns,
        };
        // Keep the header with the first row.
        let first_row = table
            .rows
            .first()
            .map_or(0.0, |row| row_height(&lay_row(row, body_look)));
        self.ensure(header_height + first_row.min(CONTENT_TOP - MARGIN_BOTTOM - header_height));
        self.row(&table_frame, &header, true, None);
        for row in &table.rows {
            let cells = lay_row(row, body_look);
            let header = if repeat { Some(&header) } else { None };
            self.row(&table_frame, &cells, false, header);
        }
        self.skip(PARAGRAPH_GAP + 3.0);
    }

    /// Draws a table row, starting a new page (and repeating `header` there) when it
    /// does not fit; a row taller than a page is split between pages.
    fn row(
        &mut self,
        table: &TableFrame<'_>,
        cells: &[Vec<Line>],
        is_header: bool,
        header: Option<&Vec<Vec<Line>>>,
    ) {
        let total = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let page_room = CONTENT_TOP - MARGIN_BOTTOM - header.map_or(0.0, |h| row_height(h));
        let mut start = 0;
        while start < total {
            let remaining = total - start;
            let fits = ((self.y - MARGIN_BOTTOM - 2.0 * CELL_PADDING) / TABLE_LEADING).floor();
            let fits = if fits > 0.0 { fits as usize } else { 0 };
            let whole_row_fits_a_page =
                remaining as f32 * TABLE_LEADING + 2.0 * CELL_PADDING <= page_room;
            if fits < remaining && (fits == 0 || (start == 0 && whole_row_fits_a_page)) {
                if self.at_top() {
                    // Not even one line fits an empty page: should not happen with our
                    // sizes, but never loop.
                    return;
                }
                self.new_page();
                if let Some(header) = header {
                    self.row_chunk(table, header, 0, row_lines(header), true);
                }
                continue;
            }
            let end = start + remaining.min(fits);
            self.row_chunk(table, cells, start, end, is_header);
            start = end;
            if start < total {
                self.new_page();
                if let Some(header) = header {
                    self.row_chunk(table, header, 0, row_lines(header), true);
                }
            }
        }
    }

    /// Draws lines `start..end` of a row's cells with their borders.
    fn row_chunk(
        &mut self,
        table: &TableFrame<'_>,
        cells: &[Vec<Line>],
        start: usize,
        end: usize,
        is_header: bool,
    ) {
        let height = (end - start) as f32 * TABLE_LEADING + 2.0 * CELL_PADDING;
        let top = self.y;
        let width: f32 = table.widths.iter().sum();
        let page = self.page();
        page.save_state();
        if is_header {
            page.set_fill_rgb(0.85, 0.89, 0.95);
            page.rect(table.x, top - height, width, height);
            page.fill_nonzero();
        }
        page.set_stroke_rgb(0.6, 0.6, 0.6);
        page.set_line_width(0.5);
        let mut x = table.x;
        for ((cell, cell_width), align) in cells.iter().zip(table.widths).zip(table.aligns) {
            page.rect(x, top - height, *cell_width, height);
            page.stroke();
            let mut baseline = top - CELL_PADDING - TABLE_LEADING * 0.76;
            for line in cell.iter().take(end).skip(start) {
                let room = cell_width - 2.0 * CELL_PADDING - line.width;
                let offset = match align {
                    Align::Left => 0.0,
                    Align::Center => room / 2.0,
                    Align::Right => room,
                };
                draw_line(page, line, x + CELL_PADDING + offset.max(0.0), baseline);
                baseline -= TABLE_LEADING;
            }
            x += cell_width;
        }
        page.restore_state();
        self.y -= height;
    }

    /// Adds the footers and hands back the pages.
    fn finish(mut self, meta: &ExportMeta) -> Vec<Content> {
        let count = self.pages.len();
        let ink = Ink {
            face: Face::Regular,
            size: 8.5,
            color: Color::MUTED,
            underline: false,
            strike: false,
        };
        let title = truncate(&encode(&meta.display_title()), ink, TEXT_WIDTH * 0.65);
        for (i, page) in self.pages.iter_mut().enumerate() {
            page.save_state();
            page.set_stroke_rgb(0.8, 0.8, 0.8);
            page.set_line_width(0.5);
            page.move_to(MARGIN_X, FOOTER_BASELINE + 12.0);
            page.line_to(PAGE_WIDTH - MARGIN_X, FOOTER_BASELINE + 12.0);
            page.stroke();
            page.restore_state();
            draw_line(page, &Line::literal(&title, ink), MARGIN_X, FOOTER_BASELINE);
            let number = encode(&format!("Page {} of {count}", i + 1));
            let number = Line::literal(&number, ink);
            let x = PAGE_WIDTH - MARGIN_X - number.width;
            draw_line(page, &number, x, FOOTER_BASELINE);
        }
        self.pages
    }
}

struct TableFrame<'a> {
    x: f32,
    widths: &'a [f32],
    aligns: &'a [Align],
}

fn row_lines(cells: &[Vec<Line>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1)
}

fn row_height(cells: &[Vec<Line>]) -> f32 {
    row_lines(cells) as f32 * TABLE_LEADING + 2.0 * CELL_PADDING
}

/// Column widths filling `total`, the way browsers lay out tables: a column whose text
/// fits in its fair share (`total / columns`) gets all of it on one line; the others get
/// at least their widest word where possible and share the rest by how much wider their
/// text would like to be.
fn column_widths(table: &Table, total: f32, header: Look, body: Look) -> Vec<f32> {
    let columns = table.columns();
    let pad = 2.0 * CELL_PADDING;
    let mut natural = vec![0.0f32; columns];
    let mut minimum = vec![0.0f32; columns];
    let rows = std::iter::once((&table.header, header)).chain(table.rows.iter().map(|r| (r, body)));
    for (row, look) in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            let (n, m) = measure(cell, look);
            natural[i] = natural[i].max(n + pad);
            minimum[i] = minimum[i].max(m + pad);
        }
    }
    let sum_natural: f32 = natural.iter().sum();
    if sum_natural <= total {
        // Everything fits on one line: share the spare width in proportion.
        let sum = sum_natural.max(1.0);
        return natural.iter().map(|n| n * total / sum).collect();
    }
    let fair = total / columns.max(1) as f32;
    let narrow: Vec<bool> = natural.iter().map(|n| *n <= fair).collect();
    let mut widths = natural.clone();
    let rest: Vec<usize> = (0..columns).filter(|i| !narrow[*i]).collect();
    let room = total
        - (0..columns)
            .filter(|i| narrow[*i])
            .map(|i| natural[i])
            .sum::<f32>();
    let rest_minimum: f32 = rest.iter().map(|i| minimum[*i]).sum();
    let rest_natural: f32 = rest.iter().map(|i| natural[*i]).sum();
    if rest_minimum >= room || rest_natural <= rest_minimum {
        // Even the widest words do not fit: shrink in proportion (long words will break).
        let sum = rest_minimum.max(1.0);
        for i in &rest {
            widths[*i] = minimum[*i].max(1.0) * room.max(0.0) / sum;
        }
    } else {
        let spare = room - rest_minimum;
        let wanted = rest_natural - rest_minimum;
        for i in &rest {
            widths[*i] = minimum[*i] + (natural[*i] - minimum[*i]) * spare / wanted;
        }
    }
    // Never wider than the frame, never too narrow to draw.
    let sum: f32 = widths.iter().sum();
    if sum > total || widths.iter().any(|w| *w < pad + 1.0) {
        let floor: Vec<f32> = widths.iter().map(|w| w.max(pad + 1.0)).collect();
        let sum: f32 = floor.iter().sum();
        return floor.iter().map(|w| w * total / sum).collect();
    }
    widths
}

/// `bytes` cut to fit `max_width`, ending in "…" when cut.
fn truncate(bytes: &[u8], ink: Ink, max_width: f32) -> Vec<u8> {
    if ink.face.width(bytes, ink.size) <= max_width {
        return bytes.to_vec();
    }
    let ellipsis = ink.face.width(&[0x85], ink.size);
    let mut out = bytes.to_vec();
    while !out.is_empty() && ink.face.width(&out, ink.size) + ellipsis > max_width {
        out.pop();
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out.push(0x85);
    out
}

/// Draws a line with its baseline at `baseline`.
fn draw_line(page: &mut Content, line: &Line, x: f32, baseline: f32) {
    for piece in &line.pieces {
        if piece.bytes.is_empty() {
            continue;
        }
        let ink = piece.ink;
        let px = x + piece.x;
        page.set_fill_rgb(ink.color.0, ink.color.1, ink.color.2);
        page.begin_text();
        page.set_font(Name(ink.face.resource()), ink.size);
        page.next_line(px, baseline);
        page.show(Str(&piece.bytes));
        page.end_text();
        if ink.underline || ink.strike {
            let y = if ink.underline {
                baseline - ink.size * 0.12
            } else {
                baseline + ink.size * 0.3
            };
            page.save_state();
            page.set_stroke_rgb(ink.color.0, ink.color.1, ink.color.2);
            page.set_line_width(ink.size * 0.06);
            page.move_to(px, y);
            page.line_to(px + piece.width, y);
            page.stroke();
            page.restore_state();
        }
    }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| ExportError::Pdf {
            reason: format!("compressing a page failed: {e}"),
        })
}

fn write_pdf(pages: Vec<Content>, meta: &ExportMeta) -> Result<Vec<u8>> {
    let catalog = Ref::new(1);
    let page_tree = Ref::new(2);
    let info = Ref::new(3);
    let font_ref = |face: Face| {
        let index = Face::ALL.iter().position(|f| *f == face).unwrap_or(0);
        Ref::new(4 + index as i32)
    };
    let first_page = 4 + Face::ALL.len() as i32;
    let page_refs: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(first_page + 2 * i),
                Ref::new(first_page + 2 * i + 1),
            )
        })
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(page_tree);
    pdf.pages(page_tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(page_refs.len() as i32);
    for (content, (page_id, content_id)) in pages.into_iter().zip(&page_refs) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(page_tree)
            .contents(*content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for face in Face::ALL {
            fonts.pair(Name(face.resource()), font_ref(face));
        }
        fonts.finish();
        resources.finish();
        page.finish();
        let data = deflate(&content.finish())?;
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }
    for face in Face::ALL {
        pdf.type1_font(font_ref(face))
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = meta.display_title();
    let author = crate::document::one_line(&meta.author);
    let company = crate::document::one_line(&meta.company);
    let mut document_info = pdf.document_info(info);
    document_info.title(TextStr(&title));
    if !author.is_empty() {
        document_info.author(TextStr(&author));
    }
    if !company.is_empty() {
        document_info.subject(TextStr(&company));
    }
    document_info.creator(TextStr("Closer"));
    document_info.finish();
    Ok(pdf.finish())
}
