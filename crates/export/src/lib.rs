//! Exports a proposal written in Markdown as a Markdown, Word (DOCX) or PDF file, the
//! forms a rep sends to a buyer.
//!
//! [`render`] turns the Markdown and an [`ExportMeta`] (title, author, the seller's
//! company, date) into the bytes of one [`Format`]; [`export_to`] picks the format from
//! the file's extension and writes the file atomically, so a failed export never leaves
//! a half-written file and never clobbers the one already there.
//!
//! The Markdown is parsed once (`pulldown-cmark`, with the tables and strikethrough
//! extensions) into a small document model (`document`), which the DOCX and PDF writers
//! walk. Supported: headings (levels 4–6 are shown as level 3), paragraphs, bold,
//! italic, strikethrough, inline code, code blocks, bullet and numbered lists (nested),
//! block quotes, tables, horizontal rules, links (text and URL) and images (their alt
//! text). Raw HTML is left out.
//!
//! What it deliberately does not know: where proposals are stored, dialogs, the UI or
//! the domain types; it takes text and returns bytes or writes one file. Callers map
//! [`ExportError`] to whatever their boundary needs.

mod document;
mod docx;
mod error;
mod markdown;
mod pdf;
mod write;

use std::path::Path;

pub use error::{ExportError, Result, WriteProblem};

/// A file format a proposal can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The Markdown itself, with a title line and `\n` line endings.
    Markdown,
    /// A Word document (Office Open XML).
    Docx,
    /// A PDF on A4 pages.
    Pdf,
}

impl Format {
    /// Every format, in the order a save dialog should offer them.
    pub const ALL: [Format; 3] = [Format::Pdf, Format::Docx, Format::Markdown];

    /// The file extension, without the dot: `md`, `docx` or `pdf`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    /// The format for a file extension, with or without its dot, in any case
    /// (`"PDF"`, `".docx"`, `"markdown"`); `None` for any other.
    pub fn from_extension(extension: &str) -> Option<Format> {
        let extension = extension.strip_prefix('.').unwrap_or(extension);
        match extension.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The format for a file path, from its extension.
    pub fn from_path(path: &Path) -> Result<Format> {
        let extension = path
            .extension()
            .ok_or(ExportError::MissingExtension)?
            .to_string_lossy();
        Format::from_extension(&extension).ok_or_else(|| ExportError::UnknownFileType {
            extension: extension.into_owned(),
        })
    }
}

/// What a document says about itself: shown on top of the DOCX and PDF (title block and
/// the line under it) and stored in their document properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportMeta {
    /// The proposal's title, e.g. "Acme Corp: analytics rollout". An empty title is
    /// exported as "Untitled proposal".
    pub title: String,
    /// The rep who wrote it.
    pub author: String,
    /// The seller, e.g. "Lumora".
    pub company: String,
    /// The date as the rep wants it shown, e.g. "12 May 2026"; used as given.
    pub date: String,
}

impl ExportMeta {
    /// The title to show: on one line, trimmed, never empty.
    pub(crate) fn display_title(&self) -> String {
        let title = document::one_line(&self.title);
        if title.is_empty() {
            "Untitled proposal".to_owned()
        } else {
            title
        }
    }

    /// The line under the title: "Lumora · Prepared by Ana Ruiz · 12 May 2026", leaving
    /// out the parts that are empty.
    pub(crate) fn byline(&self) -> String {
        let company = document::one_line(&self.company);
        let author = document::one_line(&self.author);
        let date = document::one_line(&self.date);
        let mut parts = Vec::new();
        if !company.is_empty() {
            parts.push(company);
        }
        if !author.is_empty() {
            parts.push(format!("Prepared by {author}"));
        }
        if !date.is_empty() {
            parts.push(date);
        }
        parts.join(" \u{b7} ")
    }
}

/// Renders `markdown` as a whole file in `format`.
pub fn render(markdown: &str, meta: &ExportMeta, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Markdown => Ok(markdown::render(markdown, meta)),
        Format::Docx => docx::render(&document::Document::parse(markdown, meta), meta),
        Format::Pdf => pdf::render(&document::Document::parse(markdown, meta), meta),
    }
}

/// Renders `markdown` in the format named by `path`'s extension (`.md`, `.docx`,
/// `.pdf`) and writes it to `path`.
///
/// The file is written to a temporary file in the same folder and renamed over `path`
/// only once it is complete and synced: if anything fails (unknown extension, missing or
/// read-only folder, full disk), an existing file at `path` is left as it was and no
/// temporary file stays behind.
pub fn export_to(path: &Path, markdown: &str, meta: &ExportMeta) -> Result<()> {
    let format = Format::from_path(path)?;
    let bytes = render(markdown, meta, format)?;
    write::write_atomically(path, &bytes)
}
