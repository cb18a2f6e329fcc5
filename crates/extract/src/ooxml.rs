//! Word (.docx) and PowerPoint (.pptx): a zip of XML parts, read with `zip` and `quick-xml`.
//!
//! Only the parts that hold text are read: `word/document.xml` (with `word/styles.xml` to know
//! which paragraph styles are headings), the slides in presentation order, and
//! `docProps/core.xml` / `docProps/app.xml` for the title and page count. Images and embedded
//! files are never decompressed.
//!
//! Zip bombs: before an entry is read, its sizes from the central directory are checked
//! against the total budget ([`Limits::max_uncompressed_bytes`]) and the compression ratio
//! ([`Limits::max_compression_ratio`], for entries over 1 MiB). Those sizes are only what the
//! file claims, so the bytes are also counted while they are inflated, and reading stops at
//! the budget whatever the header said. XML is parsed as a stream, never held whole.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;
use zip::result::ZipError;
use zip::ZipArchive;

use crate::doc::DocBuilder;
use crate::error::{BombCause, ExtractError, Result};
use crate::{Format, Limits};

/// Entries at most this large may have any compression ratio (small XML compresses well).
const RATIO_FREE_BYTES: u64 = 1024 * 1024;
/// Slides read at most.
const MAX_SLIDES: usize = 5_000;
/// An OLE2 compound file: legacy .doc/.ppt, or an Office file encrypted with a password.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    format: Format,
    /// Bytes that may still be inflated.
    budget: u64,
    limit: u64,
    ratio: u64,
}

/// Counts bytes as they are inflated and fails past the budget, whatever the headers say.
struct Counted<R> {
    inner: R,
    read: u64,
    budget: u64,
    exceeded: bool,
    /// The zip crate found more data than the header declares.
    overran: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                // The zip crate stops an entry that inflates past its declared size with this
                // error (and our own count below covers entries whose header declares nothing).
                if e.kind() == io::ErrorKind::InvalidData
                    && e.to_string().contains("larger than its declared")
                {
                    self.overran = true;
                }
                return Err(e);
            }
        };
        self.read += n as u64;
        if self.read > self.budget {
            self.exceeded = true;
            return Err(io::Error::other("uncompressed size limit reached"));
        }
        Ok(n)
    }
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], format: Format, limits: &Limits) -> Result<Self> {
        if bytes.starts_with(OLE_MAGIC) {
            // Password-protected OOXML is an OLE file holding "EncryptionInfo" and
            // "EncryptedPackage" streams (names stored as UTF-16LE).
            let marker: Vec<u8> = "EncryptionInfo"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
            if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
                return Err(ExtractError::Encrypted { format });
            }
            let old = if format == Format::Pptx {
                ".ppt"
            } else {
                ".doc"
            };
            return Err(ExtractError::corrupt(
                format,
                format!("it is an older Office file ({old}) with a new extension; open it and save it as {format}"),
            ));
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            tracing::debug!(error = %e, "not a zip");
            ExtractError::corrupt(
                format,
                "it is not a valid Office file (its zip container cannot be read)",
            )
        })?;
        Ok(Package {
            archive,
            format,
            budget: limits.max_uncompressed_bytes,
            limit: limits.max_uncompressed_bytes,
            ratio: u64::from(limits.max_compression_ratio.max(1)),
        })
    }

    fn has(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// Runs `parse` over the entry `name`, streaming; `Ok(None)` when there is no such entry.
    fn read<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&mut dyn BufRead) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let format = self.format;
        let (budget, ratio, limit) = (self.budget, self.ratio, self.limit);
        let bomb = |cause: BombCause| ExtractError::ZipBomb {
            format,
            limit,
            cause,
        };
        let by_ratio = BombCause::Ratio(u32::try_from(ratio).unwrap_or(u32::MAX));
        let entry = match self.archive.by_index(index) {
            Ok(entry) => entry,
            Err(ZipError::UnsupportedArchive(msg)) if msg == ZipError::PASSWORD_REQUIRED => {
                return Err(ExtractError::Encrypted { format })
            }
            Err(ZipError::InvalidPassword) => return Err(ExtractError::Encrypted { format }),
            Err(e) => {
                return Err(ExtractError::corrupt(
                    format,
                    format!("its part {name} cannot be read ({e})"),
                ))
            }
        };
        if entry.encrypted() {
            return Err(ExtractError::Encrypted { format });
        }
        let declared = entry.size();
        let compressed = entry.compressed_size();
        if declared > budget {
            return Err(bomb(BombCause::TooBig));
        }
        let ratio_cap = compressed.saturating_mul(ratio).max(RATIO_FREE_BYTES);
        if declared > ratio_cap {
            return Err(bomb(by_ratio));
        }
        let mut counted = Counted {
            inner: entry,
            read: 0,
            budget: budget.min(ratio_cap),
            exceeded: false,
            overran: false,
        };
        let result = {
            let mut reader = BufReader::new(&mut counted);
            parse(&mut reader)
        };
        if counted.exceeded {
            // Whichever bound was the tighter one is the one that stopped the read.
            return Err(bomb(if ratio_cap < budget {
                by_ratio
            } else {
                BombCause::TooBig
            }));
        }
        if counted.overran && result.is_err() {
            return Err(bomb(BombCause::LyingHeader));
        }
        self.budget = self.budget.saturating_sub(counted.read);
        result.map(Some)
    }
}

/// quick-xml reader with the settings every part uses.
fn xml_reader(input: &mut dyn BufRead) -> Reader<&mut dyn BufRead> {
    let mut reader = Reader::from_reader(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.expand_empty_elements = false;
    reader
}

fn xml_error(format: Format, part: &str, error: quick_xml::Error) -> ExtractError {
    ExtractError::corrupt(
        format,
        format!("its part {part} is not well-formed XML ({error})"),
    )
}

/// The value of the attribute whose local name is `local` (any namespace prefix).
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

/// The value of the namespaced attribute (`r:id`) whose local name is `local`.
fn prefixed_attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        (a.key.prefix().is_some() && a.key.local_name().as_ref() == local).then(|| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

/// Text of a general reference (`&amp;`, `&#8217;`).
fn reference(e: &quick_xml::events::BytesRef) -> Option<char> {
    if let Ok(Some(c)) = e.resolve_char_ref() {
        return Some(c);
    }
    match e.xml10_content().as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Calls `on` for every event of the part; returns when `on` says stop or at the end.
fn walk(
    input: &mut dyn BufRead,
    format: Format,
    part: &str,
    doc: &DocBuilder,
    mut on: impl FnMut(&Event) -> bool,
) -> Result<()> {
    let mut reader = xml_reader(input);
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        n += 1;
        if n.is_multiple_of(4096) {
            doc.check_deadline()?;
        }
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| xml_error(format, part, e))?;
        if matches!(event, Event::Eof) || !on(&event) {
            return Ok(());
        }
        buf.clear();
    }
}

/// `<dc:title>` of docProps/core.xml.
fn core_title(pkg: &mut Package, doc: &DocBuilder) -> Result<Option<String>> {
    let format = pkg.format;
    let title = pkg.read("docProps/core.xml", |input| {
        let mut in_title = false;
        let mut title = String::new();
        walk(input, format, "docProps/core.xml", doc, |ev| {
            match ev {
                Event::Start(e) if e.local_name().as_ref() == "title" => in_title = true,
                Event::End(e) if e.local_name().as_ref() == "title" => return false,
                Event::Text(t) if in_title => title.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if in_title => title.extend(reference(r)),
                _ => {}
            }
            true
        })?;
        Ok(crate::doc::clean_title(&title))
    });
    // A broken core.xml is not worth failing the document for.
    Ok(title.unwrap_or(None).flatten())
}

/// `<Pages>` or `<Slides>` of docProps/app.xml.
fn app_count(pkg: &mut Package, element: &str, doc: &DocBuilder) -> Option<u32> {
    let format = pkg.format;
    pkg.read("docProps/app.xml", |input| {
        let mut inside = false;
        let mut value = String::new();
        walk(input, format, "docProps/app.xml", doc, |ev| {
            match ev {
                Event::Start(e) if e.local_name().as_ref() == element => inside = true,
                Event::End(e) if e.local_name().as_ref() == element => return false,
                Event::Text(t) if inside => value.push_str(&t.xml10_content()),
                _ => {}
            }
            true
        })?;
        Ok(value.trim().parse::<u32>().ok())
    })
    .ok()
    .flatten()
    .flatten()
    .filter(|&n| n > 0)
}

// ---------------------------------------------------------------------------------------------
// DOCX

/// Heading level of each paragraph style id, from word/styles.xml: an outline level, or a
/// name "heading N" / "Title" (also through `basedOn`).
fn docx_styles(pkg: &mut Package, doc: &DocBuilder) -> Result<HashMap<String, u8>> {
    struct Style {
        name: String,
        outline: Option<u8>,
        based_on: Option<String>,
    }
    let format = pkg.format;
    let styles = pkg.read("word/styles.xml", |input| {
        let mut styles: HashMap<String, Style> = HashMap::new();
        let mut current: Option<(String, Style)> = None;
        walk(input, format, "word/styles.xml", doc, |ev| {
            match ev {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "style" => {
                        if let Some((id, s)) = current.take() {
                            styles.insert(id, s);
                        }
                        current = attr(e, "styleId").map(|id| {
                            (
                                id,
                                Style {
                                    name: String::new(),
                                    outline: None,
                                    based_on: None,
                                },
                            )
                        });
                    }
                    "name" => {
                        if let Some((_, s)) = current.as_mut() {
                            s.name = attr(e, "val").unwrap_or_default().to_lowercase();
                        }
                    }
                    "basedOn" => {
                        if let Some((_, s)) = current.as_mut() {
                            s.based_on = attr(e, "val");
                        }
                    }
                    "outlineLvl" => {
                        if let Some((_, s)) = current.as_mut() {
                            s.outline = attr(e, "val").and_then(|v| v.parse::<u8>().ok());
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == "style" => {
                    if let Some((id, s)) = current.take() {
                        styles.insert(id, s);
                    }
                }
                _ => {}
            }
            true
        })?;
        Ok(styles)
    });
    let styles = match styles {
        Ok(Some(s)) => s,
        Ok(None) => HashMap::new(),
        Err(e @ (ExtractError::ZipBomb { .. } | ExtractError::Timeout { .. })) => return Err(e),
        Err(_) => HashMap::new(),
    };
    let own_level = |s: &Style| -> Option<u8> {
        if let Some(o) = s.outline.filter(|&o| o < 9) {
            return Some(o + 1);
        }
        if s.name == "title" {
            return Some(1);
        }
        s.name
            .strip_prefix("heading ")
            .and_then(|n| n.trim().parse::<u8>().ok())
            .filter(|n| (1..=9).contains(n))
    };
    let mut levels = HashMap::new();
    for id in styles.keys() {
        let mut cursor = styles.get(id);
        for _ in 0..8 {
            let Some(s) = cursor else { break };
            if let Some(level) = own_level(s) {
                levels.insert(id.clone(), level);
                break;
            }
            cursor = s.based_on.as_ref().and_then(|b| styles.get(b));
        }
    }
    Ok(levels)
}

/// Built-in style ids, for documents without styles.xml.
fn default_style_level(id: &str) -> Option<u8> {
    if id == "Title" {
        return Some(1);
    }
    id.strip_prefix("Heading")
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=9).contains(n))
}

pub(crate) fn extract_docx(bytes: &[u8], doc: &mut DocBuilder, limits: &Limits) -> Result<()> {
    let mut pkg = Package::open(bytes, Format::Docx, limits)?;
    if !pkg.has("word/document.xml") {
        return Err(ExtractError::corrupt(
            Format::Docx,
            "it has no document body (word/document.xml is missing); it may be another kind of file renamed",
        ));
    }
    let styles = docx_styles(&mut pkg, doc)?;
    doc.meta_title = core_title(&mut pkg, doc)?;
    doc.pages = app_count(&mut pkg, "Pages", doc);

    // Paragraphs can nest (a text box inside a paragraph), so each open paragraph has a buffer.
    struct Para {
        text: String,
        level: Option<u8>,
    }
    let mut stack: Vec<Para> = Vec::new();
    let mut out: Vec<(Option<u8>, String)> = Vec::new();
    let mut row: Option<String> = None;
    let mut row_depth = 0usize;
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    let mut chars = 0usize;
    let max_chars = limits.max_text_chars;

    let format = pkg.format;
    let snapshot = &*doc;
    pkg.read("word/document.xml", |input| {
        walk(input, format, "word/document.xml", snapshot, |ev| {
            if fallback_depth > 0 {
                // mc:Fallback repeats mc:Choice's content for older readers.
                match ev {
                    Event::Start(e) if e.local_name().as_ref() == "Fallback" => fallback_depth += 1,
                    Event::End(e) if e.local_name().as_ref() == "Fallback" => fallback_depth -= 1,
                    _ => {}
                }
                return true;
            }
            match ev {
                Event::Start(e)
                    if matches!(e.local_name().as_ref(), "p" | "t" | "tr" | "Fallback") =>
                {
                    match e.local_name().as_ref() {
                        "p" => stack.push(Para {
                            text: String::new(),
                            level: None,
                        }),
                        "t" => in_text = true,
                        "tr" => {
                            row_depth += 1;
                            if row_depth == 1 {
                                row = Some(String::new());
                            }
                        }
                        _ => fallback_depth = 1,
                    }
                }
                // Property elements are normally empty (`<w:pStyle w:val=".."/>`), but need not be.
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "tab" | "br" | "cr" | "noBreakHyphen" => {
                        if let Some(p) = stack.last_mut() {
                            p.text.push(if e.local_name().as_ref() == "noBreakHyphen" {
                                '-'
                            } else {
                                ' '
                            });
                        }
                    }
                    "pStyle" => {
                        if let Some(p) = stack.last_mut() {
                            let id = attr(e, "val").unwrap_or_default();
                            p.level = styles
                                .get(&id)
                                .copied()
                                .or_else(|| default_style_level(&id));
                        }
                    }
                    "outlineLvl" => {
                        if let Some(p) = stack.last_mut() {
                            if let Some(o) = attr(e, "val")
                                .and_then(|v| v.parse::<u8>().ok())
                                .filter(|&o| o < 9)
                            {
                                p.level = Some(o + 1);
                            }
                        }
                    }
                    _ => {}
                },
                Event::Text(t) if in_text => {
                    if let Some(p) = stack.last_mut() {
                        p.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) if in_text => {
                    if let Some(p) = stack.last_mut() {
                        p.text.extend(reference(r));
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => {
                        if let Some(p) = stack.pop() {
                            let text = p.text.trim();
                            if !text.is_empty() {
                                chars += text.len();
                                match row.as_mut() {
                                    Some(r) if row_depth > 0 && p.level.is_none() => {
                                        if !r.is_empty() {
                                            r.push_str(" | ");
                                        }
                                        r.push_str(text);
                                    }
                                    _ => out.push((p.level, text.to_string())),
                                }
                            }
                        }
                        if chars > max_chars {
                            return false;
                        }
                    }
                    "tr" => {
                        row_depth = row_depth.saturating_sub(1);
                        if row_depth == 0 {
                            if let Some(r) = row.take().filter(|r| !r.is_empty()) {
                                out.push((None, r));
                            }
                        }
                    }
                    _ => {}
                },
                _ => {}
            }
            true
        })
    })?;
    for (level, text) in out {
        match level {
            Some(level) => doc.heading(level, &text, None),
            None => doc.paragraph(&text, None),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PPTX

/// Slide part names in presentation order: `p:sldIdLst` of ppt/presentation.xml through its
/// relationships; if that cannot be read, `ppt/slides/slideN.xml` by N.
fn slide_parts(pkg: &mut Package, doc: &DocBuilder) -> Result<Vec<String>> {
    let format = pkg.format;
    let ids = pkg
        .read("ppt/presentation.xml", |input| {
            let mut ids = Vec::new();
            walk(input, format, "ppt/presentation.xml", doc, |ev| {
                if let Event::Start(e) | Event::Empty(e) = ev {
                    if e.local_name().as_ref() == "sldId" {
                        ids.extend(prefixed_attr(e, "id"));
                    }
                }
                ids.len() < MAX_SLIDES
            })?;
            Ok(ids)
        })
        .ok()
        .flatten()
        .unwrap_or_default();
    let rels = pkg
        .read("ppt/_rels/presentation.xml.rels", |input| {
            let mut rels = HashMap::new();
            walk(
                input,
                format,
                "ppt/_rels/presentation.xml.rels",
                doc,
                |ev| {
                    if let Event::Start(e) | Event::Empty(e) = ev {
                        if e.local_name().as_ref() == "Relationship" {
                            if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
                                rels.insert(id, target);
                            }
                        }
                    }
                    rels.len() < MAX_SLIDES * 4
                },
            )?;
            Ok(rels)
        })
        .ok()
        .flatten()
        .unwrap_or_default();
    let ordered: Vec<String> = ids
        .iter()
        .filter_map(|id| rels.get(id))
        .map(|target| resolve_target("ppt", target))
        .filter(|name| pkg.has(name))
        .collect();
    if !ordered.is_empty() {
        return Ok(ordered);
    }
    let mut numbered: Vec<(u32, String)> = pkg
        .archive
        .file_names()
        .filter_map(|name| {
            let name = name.ok()?;
            let n = name
                .strip_prefix("ppt/slides/slide")?
                .strip_suffix(".xml")?;
            Some((n.parse::<u32>().ok()?, name.to_string()))
        })
        .collect();
    numbered.sort();
    Ok(numbered
        .into_iter()
        .take(MAX_SLIDES)
        .map(|(_, name)| name)
        .collect())
}

/// A relationship target relative to `base` ("slides/slide1.xml" → "ppt/slides/slide1.xml").
fn resolve_target(base: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[derive(Default)]
struct Slide {
    title: Option<String>,
    paragraphs: Vec<String>,
}

fn read_slide(input: &mut dyn BufRead, part: &str, doc: &DocBuilder) -> Result<Slide> {
    let mut slide = Slide::default();
    // Placeholder kind of the shape being read, and its paragraphs.
    let mut in_shape = false;
    let mut placeholder: Option<String> = None;
    let mut shape_paras: Vec<String> = Vec::new();
    let mut para: Option<String> = None;
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    walk(input, Format::Pptx, part, doc, |ev| {
        if fallback_depth > 0 {
            match ev {
                Event::Start(e) if e.local_name().as_ref() == "Fallback" => fallback_depth += 1,
                Event::End(e) if e.local_name().as_ref() == "Fallback" => fallback_depth -= 1,
                _ => {}
            }
            return true;
        }
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                "sp" => {
                    in_shape = true;
                    placeholder = None;
                    shape_paras.clear();
                }
                "p" => para = Some(String::new()),
                "t" => in_text = true,
                "Fallback" => fallback_depth = 1,
                "ph" if in_shape => {
                    placeholder = Some(attr(e, "type").unwrap_or_else(|| "body".into()))
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "ph" if in_shape => {
                    placeholder = Some(attr(e, "type").unwrap_or_else(|| "body".into()))
                }
                "br" => {
                    if let Some(p) = para.as_mut() {
                        p.push(' ');
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(p) = para.as_mut() {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = para.as_mut() {
                    p.extend(reference(r));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    if let Some(p) = para.take() {
                        let p = p.trim();
                        if !p.is_empty() {
                            if in_shape {
                                shape_paras.push(p.to_string());
                            } else {
                                // Tables and other frames outside a shape.
                                slide.paragraphs.push(p.to_string());
                            }
                        }
                    }
                }
                "sp" => {
                    in_shape = false;
                    match placeholder.as_deref() {
                        Some("title" | "ctrTitle")
                            if slide.title.is_none() && !shape_paras.is_empty() =>
                        {
                            slide.title = Some(shape_paras.join(" "));
                        }
                        // Slide numbers, dates and footers repeat on every slide.
                        Some("sldNum" | "dt" | "ftr" | "hdr") => {}
                        _ => slide.paragraphs.append(&mut shape_paras),
                    }
                    shape_paras.clear();
                }
                _ => {}
            },
            _ => {}
        }
        true
    })?;
    Ok(slide)
}

pub(crate) fn extract_pptx(bytes: &[u8], doc: &mut DocBuilder, limits: &Limits) -> Result<()> {
    let mut pkg = Package::open(bytes, Format::Pptx, limits)?;
    if !pkg.has("ppt/presentation.xml") {
        return Err(ExtractError::corrupt(
            Format::Pptx,
            "it has no presentation (ppt/presentation.xml is missing); it may be another kind of file renamed",
        ));
    }
    doc.meta_title = core_title(&mut pkg, doc)?;
    let parts = slide_parts(&mut pkg, doc)?;
    doc.pages = u32::try_from(parts.len()).ok();
    for (i, part) in parts.iter().enumerate() {
        doc.check_deadline()?;
        if doc.is_full() {
            break;
        }
        let page = Some(u32::try_from(i + 1).unwrap_or(u32::MAX));
        let snapshot = &*doc;
        let slide = match pkg.read(part, |input| read_slide(input, part, snapshot)) {
            Ok(Some(slide)) => slide,
            Ok(None) => continue,
            Err(ExtractError::Corrupt { .. }) if parts.len() > 1 => {
                // One broken slide should not hide the others.
                tracing::debug!(part, "unreadable slide skipped");
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(title) = &slide.title {
            doc.heading(1, title, page);
        }
        for p in &slide.paragraphs {
            doc.paragraph(p, page);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that yields zeros forever, as an entry with a lying header would.
    struct Endless;
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            buf.fill(b'a');
            Ok(buf.len())
        }
    }

    #[test]
    fn counting_stops_at_the_budget_whatever_the_header_says() {
        let mut counted = Counted {
            inner: Endless,
            read: 0,
            budget: 10_000,
            exceeded: false,
            overran: false,
        };
        let mut sink = Vec::new();
        assert!(io::copy(&mut counted, &mut sink).is_err());
        assert!(counted.exceeded);
        assert!(sink.len() <= 10_000);
    }

    #[test]
    fn relationship_targets() {
        assert_eq!(
            resolve_target("ppt", "slides/slide3.xml"),
            "ppt/slides/slide3.xml"
        );
        assert_eq!(
            resolve_target("ppt", "/ppt/slides/slide3.xml"),
            "ppt/slides/slide3.xml"
        );
        assert_eq!(
            resolve_target("ppt/slides", "../media/x.png"),
            "ppt/media/x.png"
        );
    }
}
