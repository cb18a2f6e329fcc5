//! Word export with `docx-rs`: A4 pages, Word's own style ids (`Title`, `Subtitle`,
//! `Heading1`–`Heading3` named "heading 1"–"heading 3" so Word and LibreOffice treat
//! them as their built-in headings, with outline levels for the navigation pane),
//! `Quote`, `ListParagraph`, `Hyperlink`), real bullet and numbered lists (each numbered
//! list restarts at its own first number), tables with a shaded header row, and
//! "Page X of Y" in the footer.
//!
//! docx-rs numbers hyperlinks from a process-wide counter that is not safe against two
//! documents being built at once, so documents are built one at a time (`BUILDING`).

use std::io::Cursor;
use std::sync::Mutex;

use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, BreakType, Docx, Footer, Hyperlink,
    HyperlinkType, IndentLevel, Level, LevelJc, LevelOverride, LevelText, LineSpacing,
    LineSpacingType, NumPages, NumberFormat, Numbering, NumberingId, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading,
    SpecialIndentType, Start, Style, StyleType, Table, TableCell, TableCellMargins, TableRow,
    WidthType,
};

use crate::document::{Align, Block, Document, List, Span};
use crate::error::{ExportError, Result};
use crate::ExportMeta;

static BUILDING: Mutex<()> = Mutex::new(());

/// A4 in twentieths of a point, and our margins (2 cm).
const PAGE_WIDTH: i32 = 11906;
const PAGE_HEIGHT: i32 = 16838;
const MARGIN: i32 = 1134;
const TEXT_WIDTH: i32 = PAGE_WIDTH - 2 * MARGIN;
/// Indentation added per list level.
const LIST_INDENT: i32 = 720;
/// Word allows list levels 0 to 8.
const MAX_LIST_LEVEL: usize = 8;

/// docx-rs always writes abstract numbering 1 and numbering 1; ours come after.
const BULLETS_ABSTRACT: usize = 2;
const NUMBERS_ABSTRACT: usize = 3;
const BULLETS_NUM: usize = 2;
const FIRST_NUMBERED_NUM: usize = 3;

const MONO: &str = "Courier New";
const BODY: &str = "Calibri";
const ACCENT: &str = "1F3864";

pub(crate) fn render(doc: &Document, meta: &ExportMeta) -> Result<Vec<u8>> {
    let _one_at_a_time = BUILDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    let mut writer = Writer {
        items: Vec::new(),
        numberings: Vec::new(),
        next_num: FIRST_NUMBERED_NUM,
    };
    writer.items.push(Item::Paragraph(Box::new(
        Paragraph::new()
            .style("Title")
            .add_run(Run::new().add_text(meta.display_title())),
    )));
    let byline = meta.byline();
    if !byline.is_empty() {
        writer.items.push(Item::Paragraph(Box::new(
            Paragraph::new()
                .style("Subtitle")
                .add_run(Run::new().add_text(byline)),
        )));
    }
    for block in &doc.blocks {
        writer.block(block, Context::default());
    }

    let mut docx = base();
    for numbering in writer.numberings {
        docx = docx.add_numbering(numbering);
    }
    for item in writer.items {
        docx = match item {
            Item::Paragraph(p) => docx.add_paragraph(*p),
            Item::Table(t) => docx.add_table(*t),
        };
    }
    let mut out = Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|e| ExportError::Docx {
        reason: e.to_string(),
    })?;
    Ok(out.into_inner())
}

enum Item {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

/// Where a block sits.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    /// Left indentation in twips (list item content, quotes).
    indent: i32,
    /// The level the next nested list gets.
    list_level: usize,
    /// Inside a block quote.
    quote: bool,
}

struct Writer {
    items: Vec<Item>,
    numberings: Vec<Numbering>,
    next_num: usize,
}

impl Writer {
    fn block(&mut self, block: &Block, cx: Context) {
        match block {
            Block::Heading { level, text } => {
                let p = Paragraph::new().style(&format!("Heading{level}"));
                self.paragraph(runs(p, text), cx);
            }
            Block::Paragraph(spans) => {
                let p = if cx.quote {
                    Paragraph::new().style("Quote")
                } else {
                    Paragraph::new()
                };
                self.paragraph(runs(p, spans), cx);
            }
            Block::List(list) => self.list(list, cx),
            Block::Quote(blocks) => {
                let inner = Context { quote: true, ..cx };
                for block in blocks {
                    self.block(block, inner);
                }
            }
            Block::Code(lines) => {
                let mut run = Run::new();
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        run = run.add_break(BreakType::TextWrapping);
                    }
                    run = run.add_text(line.as_str());
                }
                self.paragraph(Paragraph::new().style("Code").add_run(run), cx);
            }
            Block::Table(table) => self.table(table, cx),
            Block::Rule => {
                let mut p = Paragraph::new().style("Rule");
                p.property = p.property.set_borders(
                    ParagraphBorders::with_empty().set(
                        ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                            .val(BorderType::Single)
                            .size(6)
                            .space(1)
                            .color("A6A6A6"),
                    ),
                );
                self.paragraph(p, cx);
            }
        }
    }

    /// Adds a paragraph, indented to the context unless it has its own numbering.
    fn paragraph(&mut self, p: Paragraph, cx: Context) {
        let p = if cx.indent > 0 && !p.has_numbering {
            let quote_indent = if cx.quote { LIST_INDENT } else { 0 };
            p.indent(Some(cx.indent + quote_indent), None, None, None)
        } else {
            p
        };
        self.items.push(Item::Paragraph(Box::new(p)));
    }

    fn list(&mut self, list: &List, cx: Context) {
        let level = cx.list_level.min(MAX_LIST_LEVEL);
        let num = match list.start {
            None => BULLETS_NUM,
            Some(start) => {
                let id = self.next_num;
                self.next_num += 1;
                let start = usize::try_from(start).unwrap_or(1);
                self.numberings.push(
                    Numbering::new(id, NUMBERS_ABSTRACT)
                        .add_override(LevelOverride::new(level).start(start)),
                );
                id
            }
        };
        let inner = Context {
            indent: LIST_INDENT * (level as i32 + 1),
            list_level: level + 1,
            quote: cx.quote,
        };
        for item in &list.items {
            let mut blocks = item.iter();
            let numbered = Paragraph::new()
                .style("ListParagraph")
                .numbering(NumberingId::new(num), IndentLevel::new(level));
            match item.first() {
                Some(Block::Paragraph(spans)) => {
                    blocks.next();
                    self.paragraph(runs(numbered, spans), inner);
                }
                // An item that starts with a nested list or a code block still gets its
                // marker, on a line of its own.
                _ => self.paragraph(numbered, inner),
            }
            for block in blocks {
                self.block(block, inner);
            }
        }
    }

    fn table(&mut self, table: &crate::document::Table, cx: Context) {
        let columns = table.columns();
        let width = (TEXT_WIDTH - cx.indent).max(TEXT_WIDTH / 2);
        let widths = column_widths(table, width);
        let cell = |spans: &[Span], width: usize, align: Align, header: bool| {
            let p = if header {
                let bold: Vec<Span> = spans
                    .iter()
                    .cloned()
                    .map(|mut span| {
                        span.style.bold = true;
                        span
                    })
                    .collect();
                runs(Paragraph::new().style("TableText"), &bold)
            } else {
                runs(Paragraph::new().style("TableText"), spans)
            };
            let p = match align {
                Align::Left => p,
                Align::Center => p.align(AlignmentType::Center),
                Align::Right => p.align(AlignmentType::Right),
            };
            let cell = TableCell::new()
                .add_paragraph(p)
                .width(width, WidthType::Dxa);
            if header {
                cell.shading(Shading::new().fill("D9E2F3"))
            } else {
                cell
            }
        };
        let mut rows = Vec::with_capacity(table.rows.len() + 1);
        rows.push(TableRow::new(
            (0..columns)
                .map(|i| cell(&table.header[i], widths[i], table.aligns[i], true))
                .collect(),
        ));
        for row in &table.rows {
            rows.push(TableRow::new(
                (0..columns)
                    .map(|i| cell(&row[i], widths[i], table.aligns[i], false))
                    .collect(),
            ));
        }
        let mut t = Table::new(rows)
            .set_grid(widths.clone())
            .width(widths.iter().sum(), WidthType::Dxa)
            .margins(TableCellMargins::new().margin(40, 100, 40, 100));
        if cx.indent > 0 {
            t = t.indent(cx.indent);
        }
        self.items.push(Item::Table(Box::new(t)));
        // Word glues consecutive tables together; an empty paragraph keeps them apart
        // and gives the table room below.
        self.items.push(Item::Paragraph(Box::new(
            Paragraph::new().style("TableText"),
        )));
    }
}

/// Column widths in twips summing to `total`, shared by how much text each column holds
/// (its longest cell, counted in characters between 4 and 40).
fn column_widths(table: &crate::document::Table, total: i32) -> Vec<usize> {
    let weights: Vec<usize> = (0..table.columns())
        .map(|i| {
            std::iter::once(&table.header)
                .chain(&table.rows)
                .map(|row| {
                    row.get(i)
                        .map_or(0, |cell| crate::document::plain_text(cell).chars().count())
                })
                .max()
                .unwrap_or(0)
                .clamp(4, 40)
        })
        .collect();
    let sum: usize = weights.iter().sum::<usize>().max(1);
    let total = usize::try_from(total).unwrap_or(0);
    weights.iter().map(|w| total * w / sum).collect()
}

/// Adds `spans` to `p` as runs; link text becomes a hyperlink.
fn runs(mut p: Paragraph, spans: &[Span]) -> Paragraph {
    let mut i = 0;
    while i < spans.len() {
        let link = spans[i].link.as_deref().filter(|url| !url.starts_with('#'));
        match link {
            Some(url) if !url.is_empty() => {
                let mut hyperlink = Hyperlink::new(url, HyperlinkType::External);
                while i < spans.len() && spans[i].link.as_deref() == Some(url) {
                    hyperlink = hyperlink.add_run(run(&spans[i]).style("Hyperlink"));
                    i += 1;
                }
                p = p.add_hyperlink(hyperlink);
            }
            _ => {
                p = p.add_run(run(&spans[i]));
                i += 1;
            }
        }
    }
    p
}

fn run(span: &Span) -> Run {
    let mut run = Run::new();
    for (i, line) in span.text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        if !line.is_empty() {
            run = run.add_text(line);
        }
    }
    if span.style.bold {
        run = run.bold();
    }
    if span.style.italic {
        run = run.italic();
    }
    if span.style.strike {
        run = run.strike();
    }
    if span.style.code {
        run = run.style("InlineCode");
    }
    run
}

/// The document before any content: page setup, styles, numbering, footer.
fn base() -> Docx {
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH as u32, PAGE_HEIGHT as u32)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(567)
                .footer(567),
        )
        .default_fonts(fonts(BODY))
        .default_size(22)
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .style("Footer")
                    .add_run(Run::new().add_text("Page "))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" of "))
                    .add_num_pages(NumPages::new()),
            ),
        )
        .add_abstract_numbering(list_levels(BULLETS_ABSTRACT, true))
        .add_abstract_numbering(list_levels(NUMBERS_ABSTRACT, false))
        .add_numbering(Numbering::new(BULLETS_NUM, BULLETS_ABSTRACT));
    for style in styles() {
        docx = docx.add_style(style);
    }
    docx
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new()
        .before(before)
        .after(after)
        .line(264)
        .line_rule(LineSpacingType::Auto)
}

fn list_levels(id: usize, bullets: bool) -> AbstractNumbering {
    let mut numbering = AbstractNumbering::new(id);
    for level in 0..=MAX_LIST_LEVEL {
        let (format, text) = if bullets {
            (
                "bullet",
                ["\u{2022}", "\u{25e6}", "\u{25aa}"][level % 3].to_owned(),
            )
        } else {
            (
                ["decimal", "lowerLetter", "lowerRoman"][level % 3],
                format!("%{}.", level + 1),
            )
        };
        numbering = numbering.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new(format),
                LevelText::new(text),
                LevelJc::new("left"),
            )
            .indent(
                Some(LIST_INDENT * (level as i32 + 1)),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        );
    }
    numbering
}

fn styles() -> Vec<Style> {
    let paragraph = |id: &str, name: &str| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
    };
    let heading = |level: usize, size: usize, before: u32, after: u32| {
        let mut style = paragraph(&format!("Heading{level}"), &format!("heading {level}"))
            .bold()
            .size(size)
            .color(ACCENT)
            .outline_lvl(level - 1)
            .line_spacing(spacing(before, after));
        style.paragraph_property = style.paragraph_property.keep_next(true).keep_lines(true);
        style
    };
    let mut quote = paragraph("Quote", "Quote").italic().color("404040").indent(
        Some(LIST_INDENT),
        None,
        None,
        None,
    );
    quote.paragraph_property = quote.paragraph_property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Left)
                .val(BorderType::Single)
                .size(18)
                .space(8)
                .color("A6A6A6"),
        ),
    );
    let mut code = paragraph("Code", "Code")
        .fonts(fonts(MONO))
        .size(19)
        .line_spacing(LineSpacing::new().before(60).after(120).line(240));
    code.paragraph_property = code
        .paragraph_property
        .shading(Shading::new().fill("F2F2F2"));

    vec![
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .q_format(true)
            .line_spacing(spacing(0, 120)),
        paragraph("Title", "Title")
            .bold()
            .size(48)
            .color(ACCENT)
            .line_spacing(spacing(0, 60)),
        paragraph("Subtitle", "Subtitle")
            .size(22)
            .color("595959")
            .line_spacing(spacing(0, 360)),
        heading(1, 32, 360, 120),
        heading(2, 26, 280, 80),
        heading(3, 24, 240, 60),
        quote,
        paragraph("ListParagraph", "List Paragraph").line_spacing(spacing(0, 60)),
        code,
        paragraph("TableText", "Table Text").line_spacing(spacing(0, 0)),
        paragraph("Rule", "Horizontal Line").line_spacing(spacing(0, 240)),
        paragraph("Footer", "footer").size(18).color("7F7F7F"),
        Style::new("InlineCode", StyleType::Character)
            .name("Inline Code")
            .fonts(fonts(MONO)),
        Style::new("Hyperlink", StyleType::Character)
            .name("Hyperlink")
            .color("0563C1")
            .underline("single"),
    ]
}
