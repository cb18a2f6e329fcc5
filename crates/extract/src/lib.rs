//! Text, passages and metadata from the files reps keep their sales content in.
//!
//! A watched folder (another crate) hands files to [`extract_file`]; the text and
//! [`Passage`]s it returns are what content search indexes, and [`infer_metadata`] guesses the
//! asset's kind, industries, personas, topics and year from its words. Formats: PDF, Word
//! (.docx), PowerPoint (.pptx), Markdown, HTML and plain text ([`supported`]).
//!
//! This crate only reads: it knows nothing of the store, the index, the watcher or the UI, does
//! no I/O besides reading the one file it is given, and starts no threads. Extraction is
//! synchronous and CPU-bound; callers run it off the async runtime.
//!
//! # Untrusted input
//! Every file is treated as hostile. Nothing panics on any input (readers return
//! [`ExtractError`]; a panic inside a third-party parser is caught with
//! [`std::panic::catch_unwind`] and reported as [`ExtractError::Internal`]), and [`Limits`]
//! bounds what a file can cost: its size is checked before it is read, decompression (zip
//! entries, PDF streams) is bounded in total and by ratio, counting real bytes rather than
//! trusting headers, the text kept is capped, and a deadline is checked between pages.
//!
//! # Crates, and why
//! - **`lopdf`** (0.47, `default-features = false`): maintained, pure Rust, parses damaged
//!   files leniently (rebuilds a broken xref table), opens PDFs encrypted with an empty user
//!   password, bounds every stream's decompression, and decodes font encodings and ToUnicode
//!   CMaps. `pdf-extract` lays text out better than lopdf's own `extract_text`, but it pins an
//!   older lopdf, adds five more parsing crates and is known to panic on malformed fonts; so
//!   we use lopdf for parsing and do the layout (spaces from glyph positions and widths, lines,
//!   paragraphs, headings by font size) ourselves, in the `pdf` module.
//! - **`zip`** (9, deflate only via flate2's pure-Rust backend) and **`quick-xml`** (0.42,
//!   already in the workspace): DOCX and PPTX are zips of XML; quick-xml streams the XML so a
//!   large part is never held whole. No docx crate: they build a full document model we do
//!   not need and do not expose a way to bound decompression.
//! - **`html5ever`** (0.39, the tokenizer only): browser-grade entity decoding and raw-text
//!   handling of `<script>`/`<style>`, without building a DOM. The app already builds this
//!   exact version (through tauri), so it adds no compile time to the workspace. `html2text`
//!   would add a second html5ever and renders for terminals (wrapping, tables) rather than
//!   giving us blocks.
//! - **`pulldown-cmark`** (0.13, no default features): the CommonMark parser; its events keep
//!   heading levels, which passages carry.
//! - **`encoding_rs`** (workspace): UTF-16 and Windows-1252 decoding of text files.
//!
//! # Passages
//! See [`Passage`]: 80 to 200 words, cut between words, split at headings, paragraphs and
//! sentences, no overlap (the heading gives context; overlap would make one sentence match
//! twice).

mod doc;
mod error;
mod html;
mod infer;
mod markdown;
mod ooxml;
mod passages;
mod pdf;
mod text;

use std::fs::File;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use doc::{Block, BlockKind, DocBuilder};
pub use error::{BombCause, ExtractError, Result};
pub use infer::{infer_metadata, Inferred};
use passages::PageBreaks;

/// The file formats Closer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Docx,
    Pptx,
    Markdown,
    Html,
    Text,
}

impl Format {
    /// The format a file name's extension means, if Closer reads it.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "pptx" => Some(Format::Pptx),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "txt" => Some(Format::Text),
            _ => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Pdf => "PDF",
            Format::Docx => "DOCX",
            Format::Pptx => "PPTX",
            Format::Markdown => "Markdown file",
            Format::Html => "HTML file",
            Format::Text => "text file",
        })
    }
}

/// A piece of a document sized for search: 80 to 200 words where the document allows
/// (shorter at the end of a section, a slide or a short document; never longer than 200
/// words), split at headings, then paragraphs, then sentences, never inside a word. Passages
/// do not overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Position in the document, from 0.
    pub index: u32,
    /// Paragraphs separated by a blank line; the heading is not repeated here.
    pub text: String,
    /// The page (PDF) or slide (PPTX) the passage starts on, from 1.
    pub page: Option<u32>,
    /// The heading the passage sits under ("Parent › Child" when a heading had no text of its
    /// own before its first subheading; the slide title in a deck).
    pub heading: Option<String>,
}

/// What a file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    /// The title the file declares (PDF Info, Office properties, HTML `<title>`, Markdown front
    /// matter), else its first top-level heading, else its file name made readable.
    pub title: String,
    /// All text, one block (heading or paragraph) per paragraph, separated by blank lines.
    pub text: String,
    /// Pages (PDF), slides (PPTX), or the page count Word saved (DOCX); `None` otherwise.
    pub pages: Option<u32>,
    pub format: Format,
    pub passages: Vec<Passage>,
    /// Whether the text was cut at [`Limits::max_text_chars`].
    pub truncated: bool,
}

/// What one file may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Larger files are rejected before they are read. Default 50 MiB.
    pub max_file_bytes: u64,
    /// Total bytes a file may decompress to (DOCX/PPTX parts, PDF content streams). Default
    /// 200 MiB.
    pub max_uncompressed_bytes: u64,
    /// A zip entry over 1 MiB may be at most this many times its compressed size. Default 100
    /// (Office XML compresses 5–20×; a bomb, thousands).
    pub max_compression_ratio: u32,
    /// Text kept, in characters; the rest is dropped and [`Extracted::truncated`] set. Default
    /// 2,000,000 (about 600 pages).
    pub max_text_chars: usize,
    /// Reading stops with [`ExtractError::Timeout`] after this long. It is checked between
    /// pages, slides and every few thousand parser events, so a single step can overrun it a
    /// little. Default 30 s; `None` for no limit.
    pub timeout: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_compression_ratio: 100,
            max_text_chars: 2_000_000,
            timeout: Some(Duration::from_secs(30)),
        }
    }
}

fn extension_of(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) if i > 0 => base[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Whether Closer reads files with this path's extension: pdf, docx, pptx, md, markdown, html,
/// htm, txt (any case).
pub fn supported(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| Format::from_extension(&extension_of(n)))
        .is_some()
}

/// Reads the file at `path` and extracts it. The size is checked before anything is read, so
/// an oversized file costs nothing.
pub fn extract_file(path: &Path, limits: &Limits) -> Result<Extracted> {
    let io = |source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ExtractError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let extension = extension_of(&name);
    if Format::from_extension(&extension).is_none() {
        return Err(ExtractError::Unsupported { extension });
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ExtractError::TooLarge {
            bytes: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    let file = File::open(path).map_err(io)?;
    // The file may grow between the check and the read: read one byte past the limit at most.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    extract_bytes(&name, &bytes, limits)
}

/// Extracts a file already in memory; `name` (a file name or path) gives the format by its
/// extension and the fallback title.
pub fn extract_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Result<Extracted> {
    let extension = extension_of(name);
    let Some(format) = Format::from_extension(&extension) else {
        return Err(ExtractError::Unsupported { extension });
    };
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes {
        return Err(ExtractError::TooLarge {
            bytes: len,
            limit: limits.max_file_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(ExtractError::Empty { format });
    }
    let mut doc = DocBuilder::new(format, limits.max_text_chars, limits.timeout);
    let read = catch_unwind(AssertUnwindSafe(|| {
        read(format, &extension, bytes, &mut doc, limits)
    }));
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => {
            tracing::warn!(%format, "a parser panicked; the file is reported as unreadable");
            return Err(ExtractError::Internal { format });
        }
    }
    finish(name, doc)
}

fn read(
    format: Format,
    extension: &str,
    bytes: &[u8],
    doc: &mut DocBuilder,
    limits: &Limits,
) -> Result<()> {
    match format {
        Format::Pdf => pdf::extract(bytes, doc, limits),
        Format::Docx => ooxml::extract_docx(bytes, doc, limits),
        Format::Pptx => ooxml::extract_pptx(bytes, doc, limits),
        Format::Markdown => markdown::extract(&text::decode(bytes, extension)?, doc),
        Format::Html => html::extract(&text::decode(bytes, extension)?, doc, limits.max_text_chars),
        Format::Text => text::extract(&text::decode(bytes, extension)?, doc),
    }
}

fn finish(name: &str, doc: DocBuilder) -> Result<Extracted> {
    let format = doc.format;
    let truncated = doc.truncated();
    let pages = doc.pages;
    let meta_title = doc.meta_title.clone().and_then(|t| doc::clean_title(&t));
    let blocks: Vec<Block> = doc.into_blocks();
    if blocks.is_empty() {
        return Err(ExtractError::Empty { format });
    }
    let title = meta_title
        .or_else(|| {
            blocks
                .iter()
                .take(3)
                .find(|b| b.kind == BlockKind::Heading(1))
                .and_then(|b| doc::clean_title(&b.text))
        })
        .unwrap_or_else(|| doc::title_from_file_name(name));
    let breaks = match format {
        Format::Pptx => PageBreaks::Always,
        _ => PageBreaks::AfterWords(passages::MIN_WORDS / 2),
    };
    let passages = passages::split(&blocks, breaks);
    let text = blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(Extracted {
        title,
        text,
        pages,
        format,
        passages,
        truncated,
    })
}
