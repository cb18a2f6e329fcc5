//! PDF text through `lopdf`, with our own reading of the page content.
//!
//! lopdf parses the file (leniently, rebuilding a damaged cross-reference table), decrypts
//! files that open without a password, bounds every stream's decompression, and maps font
//! codes to Unicode (ToUnicode CMaps, standard encodings, `/Differences`). What it does not do
//! is layout: its `extract_text` glues words that a PDF places with positioning instead of
//! space characters (LaTeX and most print drivers do). So this module runs the page's content
//! stream itself, tracks the text and graphics matrices and glyph widths, and inserts a space
//! where glyphs are apart and a line break where the baseline moves. Lines become paragraphs
//! where the vertical gap is large or the font size changes, hyphenated line ends are joined,
//! and paragraphs set clearly larger than the body text become headings (levels by size).
//!
//! Text inside form XObjects (`Do`) is read too, to a nesting depth of 4.

use std::collections::{BTreeMap, HashMap};

use lopdf::{Dictionary, Document, Encoding, LoadOptions, Object};

use crate::doc::DocBuilder;
use crate::error::{BombCause, ExtractError, Result};
use crate::{Format, Limits};

/// How many nested form XObjects are followed.
const MAX_FORM_DEPTH: u32 = 4;
/// How many form XObjects one page may draw (the same form can be drawn many times).
const MAX_FORMS_PER_PAGE: u32 = 256;
/// q/Q nesting kept; deeper saves are ignored (a malformed file can nest forever).
const MAX_GSTATE_DEPTH: usize = 64;

pub(crate) fn extract(bytes: &[u8], doc: &mut DocBuilder, limits: &Limits) -> Result<()> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(ExtractError::corrupt(
            Format::Pdf,
            "it is not a PDF file (the PDF header is missing)",
        ));
    }
    let stream_limit = usize::try_from(limits.max_uncompressed_bytes).unwrap_or(usize::MAX);
    let options = LoadOptions {
        max_decompressed_size: Some(stream_limit),
        ..LoadOptions::default()
    };
    let pdf = Document::load_mem_with_options(bytes, options).map_err(|e| load_error(e, limits))?;
    if pdf.trailer.has(b"Encrypt") {
        // lopdf tried the empty password; the /Encrypt entry stays only when that failed.
        return Err(ExtractError::Encrypted {
            format: Format::Pdf,
        });
    }
    doc.meta_title = info_title(&pdf);

    let pages = pdf.get_pages();
    if pages.is_empty() {
        return Err(ExtractError::corrupt(Format::Pdf, "it has no pages"));
    }
    doc.pages = u32::try_from(pages.len()).ok();

    let mut budget = stream_limit;
    let mut paragraphs: Vec<Para> = Vec::new();
    let mut chars = 0usize;
    for (&number, &page_id) in &pages {
        doc.check_deadline()?;
        if chars > limits.max_text_chars {
            break;
        }
        let content = match pdf.get_page_content_with_limit(page_id, budget) {
            Ok(c) => c,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                return Err(ExtractError::ZipBomb {
                    format: Format::Pdf,
                    limit: limits.max_uncompressed_bytes,
                    cause: BombCause::TooBig,
                })
            }
            Err(e) => {
                tracing::debug!(page = number, error = %e, "unreadable PDF page content");
                continue;
            }
        };
        budget = budget.saturating_sub(content.len());
        let resources = page_resources(&pdf, page_id);
        let mut reader = PageReader {
            pdf: &pdf,
            lines: Vec::new(),
            current: None,
            forms: 0,
            budget: &mut budget,
            ops: 0,
            doc,
        };
        reader.run(&content, &resources, Matrix::IDENTITY, 0)?;
        if let Some(line) = reader.current.take() {
            reader.lines.push(line);
        }
        let lines = std::mem::take(&mut reader.lines);
        for para in lines_to_paragraphs(lines, number) {
            chars += para.text.len() + 2;
            paragraphs.push(para);
        }
    }

    let levels = heading_levels(&paragraphs);
    for para in &paragraphs {
        match levels.get(&size_key(para.size)) {
            Some(&level) if looks_like_heading(&para.text) => {
                doc.heading(level, &para.text, Some(para.page))
            }
            _ => doc.paragraph(&para.text, Some(para.page)),
        }
        if doc.is_full() {
            break;
        }
    }
    Ok(())
}

fn load_error(error: lopdf::Error, limits: &Limits) -> ExtractError {
    use lopdf::Error as E;
    let reason = match &error {
        E::InvalidPassword | E::Decryption(_) | E::AlreadyEncrypted => {
            return ExtractError::Encrypted {
                format: Format::Pdf,
            }
        }
        E::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            return ExtractError::ZipBomb {
                format: Format::Pdf,
                limit: limits.max_uncompressed_bytes,
                cause: BombCause::TooBig,
            }
        }
        E::Parse(lopdf::ParseError::InvalidFileHeader) => {
            "it does not start like a PDF file".to_string()
        }
        E::Xref(_) | E::MissingXrefEntry | E::InvalidOffset(_) | E::ObjectNotFound(_) => {
            "its table of contents is missing or broken; the file may be cut short".to_string()
        }
        other => format!("it could not be parsed ({other})"),
    };
    tracing::debug!(error = %error, "PDF did not load");
    ExtractError::corrupt(Format::Pdf, reason)
}

/// The document's /Info /Title, unless it is a placeholder a tool wrote.
fn info_title(pdf: &Document) -> Option<String> {
    let info = pdf.trailer.get(b"Info").ok()?;
    let (_, info) = pdf.dereference(info).ok()?;
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let (_, title) = pdf.dereference(title).ok()?;
    let title = lopdf::decode_text_string(title).ok()?;
    let mut title = crate::doc::clean_title(&title)?;
    for prefix in [
        "Microsoft Word - ",
        "Microsoft PowerPoint - ",
        "Microsoft Excel - ",
    ] {
        if let Some(rest) = title.strip_prefix(prefix) {
            title = rest.to_string();
        }
    }
    let lower = title.to_lowercase();
    let placeholder = [
        "untitled",
        "title",
        "document",
        "presentation",
        "slide 1",
        "powerpoint presentation",
    ]
    .contains(&lower.as_str())
        || [
            ".doc", ".docx", ".ppt", ".pptx", ".indd", ".pdf", ".key", ".pages", ".tex", ".dvi",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext));
    (!placeholder).then_some(title)
}

/// The page's resource dictionary (inherited ones merged, nearest first).
fn page_resources(pdf: &Document, page_id: lopdf::ObjectId) -> Dictionary {
    let mut merged = Dictionary::new();
    if let Ok((direct, ids)) = pdf.get_page_resources(page_id) {
        let dicts = direct
            .into_iter()
            .chain(ids.iter().filter_map(|id| pdf.get_dictionary(*id).ok()));
        for dict in dicts {
            for (key, value) in dict.iter() {
                if !merged.has(key) {
                    merged.set(key.clone(), value.clone());
                }
            }
        }
    }
    merged
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() < 6 {
            return None;
        }
        let mut m = [0.0f32; 6];
        for (slot, op) in m.iter_mut().zip(ops) {
            *slot = finite(op.as_float().ok()?);
        }
        Some(Matrix(m))
    }

    fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self × other` (PDF row-vector convention: apply `self` first).
    fn then(self, other: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn scale(self) -> f32 {
        let [a, b, c, d, _, _] = self.0;
        let s = (a * d - b * c).abs().sqrt();
        if s.is_finite() && s > 0.0 {
            s
        } else {
            1.0
        }
    }
}

fn finite(v: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// What text extraction needs from a font.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// Composite (Type0) fonts use two-byte codes.
    two_byte: bool,
    widths: HashMap<u32, f32>,
    default_width: f32,
}

impl Font<'_> {
    fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        if self.two_byte {
            bytes
                .chunks(2)
                .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
                .collect()
        } else {
            bytes.iter().map(|&b| u32::from(b)).collect()
        }
    }

    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
    }
}

fn number(obj: &Object, pdf: &Document) -> Option<f32> {
    let (_, obj) = pdf.dereference(obj).ok()?;
    obj.as_float().ok().map(finite)
}

fn array<'a>(obj: &'a Object, pdf: &'a Document) -> Option<&'a Vec<Object>> {
    let (_, obj) = pdf.dereference(obj).ok()?;
    obj.as_array().ok()
}

fn build_font<'a>(dict: &'a Dictionary, pdf: &'a Document, limit: usize) -> Font<'a> {
    let encoding = match dict.get_font_encoding_with_limit(pdf, limit) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::debug!(error = %e, "PDF font without a usable encoding");
            None
        }
    };
    let two_byte = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice());
    let mut widths = HashMap::new();
    let mut default_width = 500.0;
    if two_byte {
        default_width = 1000.0;
        let descendant = dict
            .get(b"DescendantFonts")
            .ok()
            .and_then(|o| array(o, pdf))
            .and_then(|a| a.first())
            .and_then(|o| pdf.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        if let Some(cid) = descendant {
            if let Some(dw) = cid.get(b"DW").ok().and_then(|o| number(o, pdf)) {
                default_width = dw;
            }
            if let Some(w) = cid.get(b"W").ok().and_then(|o| array(o, pdf)) {
                cid_widths(w, pdf, &mut widths);
            }
        }
    } else {
        let first = dict
            .get(b"FirstChar")
            .ok()
            .and_then(|o| number(o, pdf))
            .unwrap_or(0.0)
            .clamp(0.0, 255.0) as u32;
        if let Some(w) = dict.get(b"Widths").ok().and_then(|o| array(o, pdf)) {
            for (i, w) in w.iter().take(256).enumerate() {
                if let Some(w) = number(w, pdf) {
                    widths.insert(first + i as u32, w);
                }
            }
        }
        let missing = dict
            .get(b"FontDescriptor")
            .ok()
            .and_then(|o| pdf.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok())
            .and_then(|d| d.get(b"MissingWidth").ok())
            .and_then(|o| number(o, pdf));
        if let Some(m) = missing.filter(|m| *m > 0.0) {
            default_width = m;
        }
    }
    Font {
        encoding,
        two_byte,
        widths,
        default_width,
    }
}

/// A CIDFont /W array: `c [w1 w2 …]` or `c_first c_last w`.
fn cid_widths(w: &[Object], pdf: &Document, out: &mut HashMap<u32, f32>) {
    const MAX_ENTRIES: usize = 65_536;
    let mut i = 0;
    while i < w.len() && out.len() < MAX_ENTRIES {
        let Some(first) = number(&w[i], pdf) else {
            return;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1) {
            Some(next) if array(next, pdf).is_some() => {
                for (k, width) in array(next, pdf).into_iter().flatten().enumerate() {
                    if out.len() >= MAX_ENTRIES {
                        return;
                    }
                    if let Some(width) = number(width, pdf) {
                        out.insert(first.saturating_add(k as u32), width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(width)) =
                    (number(last, pdf), w.get(i + 2).and_then(|o| number(o, pdf)))
                else {
                    return;
                };
                let last = (last.max(0.0) as u32).min(first.saturating_add(MAX_ENTRIES as u32));
                for code in first..=last {
                    if out.len() >= MAX_ENTRIES {
                        return;
                    }
                    out.insert(code, width);
                }
                i += 3;
            }
            None => return,
        }
    }
}

/// Copies of the font dictionaries named in `resources`, by resource name. Where a font has a
/// /ToUnicode CMap it is preferred over /Encoding (it is the mapping PDF writers add for text
/// extraction): the copy leaves /Encoding out, so lopdf reads the CMap.
fn font_dicts(resources: &Dictionary, pdf: &Document) -> Vec<(Vec<u8>, Dictionary)> {
    let Some(fonts) = resources
        .get(b"Font")
        .ok()
        .and_then(|o| pdf.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return Vec::new();
    };
    fonts
        .iter()
        .take(1024)
        .filter_map(|(name, obj)| {
            let (_, obj) = pdf.dereference(obj).ok()?;
            let mut dict = obj.as_dict().ok()?.clone();
            let two_byte =
                dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0".as_slice());
            if dict.has(b"ToUnicode") && !two_byte {
                dict.remove(b"Encoding");
            }
            Some((name.clone(), dict))
        })
        .collect()
}

#[derive(Debug)]
struct Line {
    text: String,
    size: f32,
    y: f32,
    x_end: f32,
}

#[derive(Clone, Copy)]
struct GState {
    ctm: Matrix,
    font: Option<usize>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    h_scale: f32,
    leading: f32,
}

struct PageReader<'p, 'd> {
    pdf: &'p Document,
    lines: Vec<Line>,
    current: Option<Line>,
    forms: u32,
    budget: &'p mut usize,
    ops: usize,
    doc: &'d DocBuilder,
}

impl PageReader<'_, '_> {
    fn run(
        &mut self,
        content: &[u8],
        resources: &Dictionary,
        ctm: Matrix,
        depth: u32,
    ) -> Result<()> {
        let arena = font_dicts(resources, self.pdf);
        let limit = (*self.budget).max(1);
        let font_list: Vec<Font> = arena
            .iter()
            .map(|(_, dict)| build_font(dict, self.pdf, limit))
            .collect();
        let font_index: HashMap<&[u8], usize> = arena
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_slice(), i))
            .collect();
        let xobjects = resources
            .get(b"XObject")
            .ok()
            .and_then(|o| self.pdf.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());

        let mut gs = GState {
            ctm,
            font: None,
            size: 12.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;

        for op in lopdf::content::Content::decode_iter(content) {
            let Ok(op) = op else {
                // Keep what was read before the damage.
                break;
            };
            self.ops += 1;
            if self.ops.is_multiple_of(20_000) {
                self.doc.check_deadline()?;
            }
            let f = |i: usize| {
                op.operands
                    .get(i)
                    .and_then(|o| o.as_float().ok())
                    .map(finite)
            };
            match op.operator.as_str() {
                "q" if stack.len() < MAX_GSTATE_DEPTH => stack.push(gs),
                "Q" => {
                    if let Some(saved) = stack.pop() {
                        gs = saved;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(&op.operands) {
                        gs.ctm = m.then(gs.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    gs.font = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|n| font_index.get(n).copied());
                    if let Some(size) = f(1) {
                        gs.size = size;
                    }
                }
                "Tc" => gs.char_spacing = f(0).unwrap_or(0.0),
                "Tw" => gs.word_spacing = f(0).unwrap_or(0.0),
                "Tz" => gs.h_scale = f(0).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = f(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (f(0).unwrap_or(0.0), f(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = Matrix::translate(tx, ty).then(tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(&op.operands) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    next_line(&gs, &mut tm, &mut tlm);
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator == "'" || op.operator == "\"" {
                        if op.operator == "\"" {
                            gs.word_spacing = f(0).unwrap_or(gs.word_spacing);
                            gs.char_spacing = f(1).unwrap_or(gs.char_spacing);
                        }
                        next_line(&gs, &mut tm, &mut tlm);
                    }
                    let font = gs.font.and_then(|i| font_list.get(i));
                    let items: &[Object] = match (op.operator.as_str(), op.operands.first()) {
                        ("TJ", Some(Object::Array(items))) => items,
                        ("\"", _) => op.operands.get(2).map(std::slice::from_ref).unwrap_or(&[]),
                        _ => op.operands.first().map(std::slice::from_ref).unwrap_or(&[]),
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.show(bytes, font, &gs, &mut tm),
                            Object::Integer(_) | Object::Real(_) => {
                                let adjust = finite(item.as_float().unwrap_or(0.0));
                                let tx = -adjust / 1000.0 * gs.size * gs.h_scale;
                                tm = Matrix::translate(tx, 0.0).then(tm);
                            }
                            _ => {}
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH && self.forms < MAX_FORMS_PER_PAGE => {
                    let Some(form) = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| xobjects?.get(name).ok())
                        .and_then(|o| self.pdf.dereference(o).ok())
                        .and_then(|(_, o)| o.as_stream().ok())
                    else {
                        continue;
                    };
                    if form.dict.get(b"Subtype").and_then(Object::as_name).ok()
                        != Some(b"Form".as_slice())
                    {
                        continue;
                    }
                    self.forms += 1;
                    let Ok(data) = form.decompressed_content_with_limit(*self.budget) else {
                        continue;
                    };
                    *self.budget = self.budget.saturating_sub(data.len());
                    let form_resources = form
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|o| self.pdf.dereference(o).ok())
                        .and_then(|(_, o)| o.as_dict().ok())
                        .cloned()
                        .unwrap_or_else(|| resources.clone());
                    let matrix = form
                        .dict
                        .get(b"Matrix")
                        .ok()
                        .and_then(|o| o.as_array().ok())
                        .and_then(|a| Matrix::from_operands(a))
                        .unwrap_or(Matrix::IDENTITY);
                    self.run(&data, &form_resources, matrix.then(gs.ctm), depth + 1)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn show(&mut self, bytes: &[u8], font: Option<&Font>, gs: &GState, tm: &mut Matrix) {
        let Some(font) = font else {
            return;
        };
        let codes = font.codes(bytes);
        let mut advance = 0.0f32;
        for &code in &codes {
            advance += font.width(code) / 1000.0 * gs.size + gs.char_spacing;
            if !font.two_byte && code == 32 {
                advance += gs.word_spacing;
            }
        }
        let advance = finite(advance * gs.h_scale);
        let text = font
            .encoding
            .as_ref()
            .and_then(|e| e.bytes_to_string(bytes).ok())
            .unwrap_or_default()
            .replace('\u{fffd}', "");

        let start = tm.then(gs.ctm);
        let size = (gs.size.abs() * start.scale()).max(0.1);
        let (x, y) = (start.0[4], start.0[5]);
        *tm = Matrix::translate(advance, 0.0).then(*tm);
        let end = tm.then(gs.ctm);
        if text.is_empty() {
            return;
        }

        match self.current.as_mut() {
            Some(line) if (y - line.y).abs() <= 0.5 * size.max(line.size) => {
                let gap = x - line.x_end;
                let apart = gap > 0.15 * size || gap < -size;
                if apart
                    && !line.text.ends_with(char::is_whitespace)
                    && !text.starts_with(char::is_whitespace)
                {
                    line.text.push(' ');
                }
                line.text.push_str(&text);
                line.size = line.size.max(size);
                line.x_end = end.0[4];
            }
            _ => {
                if let Some(done) = self.current.take() {
                    self.lines.push(done);
                }
                self.current = Some(Line {
                    text,
                    size,
                    y,
                    x_end: end.0[4],
                });
            }
        }
    }
}

fn next_line(gs: &GState, tm: &mut Matrix, tlm: &mut Matrix) {
    // With no leading set, still move down a line so the text after is not glued on.
    let leading = if gs.leading != 0.0 {
        gs.leading
    } else {
        gs.size * 1.2
    };
    *tlm = Matrix::translate(0.0, -leading).then(*tlm);
    *tm = *tlm;
}

#[derive(Debug)]
struct Para {
    text: String,
    size: f32,
    page: u32,
}

fn lines_to_paragraphs(lines: Vec<Line>, page: u32) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::new();
    let mut last_y = 0.0f32;
    for line in lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let joined = match out.last_mut() {
            Some(para) if para.page == page => {
                let dy = (line.y - last_y).abs();
                let ratio = line.size / para.size;
                let same_size = (0.87..=1.15).contains(&ratio);
                if same_size && dy <= 1.5 * para.size.max(line.size) {
                    join_line(&mut para.text, text);
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        if !joined {
            out.push(Para {
                text: text.to_string(),
                size: line.size,
                page,
            });
        }
        last_y = line.y;
    }
    out
}

/// Appends a line to a paragraph, joining "implemen-" + "tation" into one word.
fn join_line(para: &mut String, line: &str) {
    let mut chars = para.chars().rev();
    let hyphenated = chars.next() == Some('-')
        && chars.next().is_some_and(char::is_lowercase)
        && line.chars().next().is_some_and(char::is_lowercase);
    if hyphenated {
        para.pop();
    } else {
        para.push(' ');
    }
    para.push_str(line);
}

fn size_key(size: f32) -> i32 {
    (size * 2.0).round() as i32
}

/// Font sizes (as [`size_key`]) that mark headings, with their level: sizes at least 15%
/// above the body size (the size most characters are set in), largest first, up to level 3.
fn heading_levels(paragraphs: &[Para]) -> BTreeMap<i32, u8> {
    let mut by_size: BTreeMap<i32, usize> = BTreeMap::new();
    for p in paragraphs {
        *by_size.entry(size_key(p.size)).or_default() += p.text.len();
    }
    let Some((&body, _)) = by_size.iter().max_by_key(|(_, &chars)| chars) else {
        return BTreeMap::new();
    };
    let threshold = (body as f32 * 1.15).ceil() as i32;
    by_size
        .keys()
        .rev()
        .filter(|&&k| k >= threshold)
        .enumerate()
        .map(|(i, &k)| (k, (i + 1).min(3) as u8))
        .collect()
}

fn looks_like_heading(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    (1..=20).contains(&words) && letters >= 2 && !text.ends_with([',', ';'])
}
