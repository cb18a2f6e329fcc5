//! [`ExtractError`]: why a file gave no text, worded for the rep who saved it.

use std::io;
use std::path::PathBuf;

use crate::Format;

/// Why a file could not be turned into text. `Display` is a sentence a rep can act on.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file is not what its extension says, or is broken inside.
    #[error("This {format} looks damaged: {reason}")]
    Corrupt { format: Format, reason: String },

    /// A PDF that needs a password to open (one that opens without a password is read), or an
    /// Office file saved with "Encrypt with password".
    #[error("This {format} is password-protected; save a copy without the password to index it")]
    Encrypted { format: Format },

    /// The file is over [`crate::Limits::max_file_bytes`]; it was not read.
    #[error("This file is {} MB; files over {} MB are not indexed", mb_ceil(*bytes), mb_floor(*limit))]
    TooLarge { bytes: u64, limit: u64 },

    /// A DOCX/PPTX (or a PDF's streams) that would inflate past
    /// [`crate::Limits::max_uncompressed_bytes`], compresses more than
    /// [`crate::Limits::max_compression_ratio`] times, or holds more data than its zip headers
    /// declare: a zip bomb. It is refused before (or while) inflating, never after.
    #[error("{}", bomb_message(*format, *limit, *cause))]
    ZipBomb {
        format: Format,
        /// [`crate::Limits::max_uncompressed_bytes`] in force.
        limit: u64,
        cause: BombCause,
    },

    /// A text format (.md, .html, .txt) whose bytes are binary (an image or a program renamed).
    #[error("This .{extension} file is binary, not text")]
    NotText { extension: String },

    /// Text whose encoding is declared (a byte-order mark) but does not decode.
    #[error("This .{extension} file is not valid {encoding} text; save it again as UTF-8")]
    NotUtf8 {
        extension: String,
        encoding: &'static str,
    },

    /// An extension Closer does not read.
    #[error("Closer cannot read {} files yet; it reads PDF, Word (.docx), PowerPoint (.pptx), Markdown, HTML and text", describe_extension(extension))]
    Unsupported { extension: String },

    /// The path is a folder (or a device), not a file.
    #[error("{} is a folder, not a file", path.display())]
    NotAFile { path: PathBuf },

    /// The file could not be read from disk.
    #[error("Could not read {}: {}", path.display(), io_reason(source))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The file opened but holds no text, e.g. an empty file or a scanned PDF.
    #[error("{}", empty_message(*format))]
    Empty { format: Format },

    /// Reading took longer than [`crate::Limits::timeout`].
    #[error("Reading this {format} took longer than {secs} s; it was stopped")]
    Timeout { format: Format, secs: u64 },

    /// The reader for this format failed unexpectedly (a panic inside a parser, caught). The
    /// file is almost certainly malformed; nothing else is affected.
    #[error("This {format} could not be read; it may be damaged or use a feature Closer does not support")]
    Internal { format: Format },
}

impl ExtractError {
    /// A stable, machine-readable name for the error (for logs, metrics and the UI's branching).
    pub fn kind(&self) -> &'static str {
        match self {
            ExtractError::Corrupt { .. } => "corrupt",
            ExtractError::Encrypted { .. } => "encrypted",
            ExtractError::TooLarge { .. } => "too_large",
            ExtractError::ZipBomb { .. } => "zip_bomb",
            ExtractError::NotText { .. } => "not_text",
            ExtractError::NotUtf8 { .. } => "not_utf8",
            ExtractError::Unsupported { .. } => "unsupported",
            ExtractError::NotAFile { .. } => "not_a_file",
            ExtractError::Io { .. } => "io",
            ExtractError::Empty { .. } => "empty",
            ExtractError::Timeout { .. } => "timeout",
            ExtractError::Internal { .. } => "internal",
        }
    }

    pub(crate) fn corrupt(format: Format, reason: impl Into<String>) -> Self {
        ExtractError::Corrupt {
            format,
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = ExtractError> = std::result::Result<T, E>;

const MB: u64 = 1024 * 1024;

fn mb_floor(bytes: u64) -> u64 {
    bytes / MB
}

fn mb_ceil(bytes: u64) -> u64 {
    bytes.div_ceil(MB)
}

/// Which guard stopped a [`ExtractError::ZipBomb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BombCause {
    /// The total uncompressed size is over the limit.
    TooBig,
    /// One entry compresses more than this many times.
    Ratio(u32),
    /// An entry inflates to more bytes than its header declares.
    LyingHeader,
}

fn bomb_message(format: Format, limit: u64, cause: BombCause) -> String {
    match cause {
        BombCause::TooBig => format!(
            "This {format} expands to more than {} MB; it was not opened",
            mb_floor(limit)
        ),
        BombCause::Ratio(ratio) => format!(
            "This {format} is compressed more than {ratio} to 1, as zip bombs are; it was not opened"
        ),
        BombCause::LyingHeader => format!(
            "This {format} holds more data than it declares, as zip bombs do; it was not opened"
        ),
    }
}

fn describe_extension(extension: &str) -> String {
    if extension.is_empty() {
        "files without an extension".to_string()
    } else {
        format!(".{extension}")
    }
}

fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => {
            "the file does not exist (it may have been moved or deleted)".into()
        }
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

fn empty_message(format: Format) -> &'static str {
    match format {
        Format::Pdf => "No text found in this PDF; it may be a scanned image",
        Format::Pptx => "No text found in this presentation; its slides may be images",
        Format::Docx => "No text found in this document",
        Format::Markdown | Format::Html | Format::Text => "This file is empty",
    }
}
