//! The one error type of this crate. Messages are written for the rep: they say what
//! went wrong and, where there is one, what to do.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Result of this crate's operations.
pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file name ends in an extension we do not export to.
    #[error("Unknown file type .{extension}: use .md, .docx or .pdf")]
    UnknownFileType {
        /// The extension as given, without its dot.
        extension: String,
    },
    /// The file name has no extension, so the format is unknown.
    #[error("The file name has no extension: use .md, .docx or .pdf")]
    MissingExtension,
    /// The file could not be written; an existing file at `path` is unchanged.
    #[error("Could not write the file: {}", .problem.describe(.source))]
    Write {
        /// The file we tried to write.
        path: PathBuf,
        /// What the rep can act on.
        problem: WriteProblem,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The Word document could not be assembled (a bug rather than bad input).
    #[error("Could not build the Word document: {reason}")]
    Docx {
        /// What the DOCX writer said.
        reason: String,
    },
    /// The PDF could not be assembled (a bug rather than bad input).
    #[error("Could not build the PDF: {reason}")]
    Pdf {
        /// What went wrong.
        reason: String,
    },
}

/// Why a file could not be written, in terms the rep can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteProblem {
    /// The folder (or the file being replaced) may not be written to.
    ReadOnly,
    /// The folder does not exist (any more).
    MissingFolder,
    /// There is a folder where the file should go.
    IsAFolder,
    /// The disk (or the rep's quota) is full.
    DiskFull,
    /// Another program holds the file open (Windows: the previous export open in Word).
    InUse,
    /// Anything else; the `source` of [`ExportError::Write`] says what.
    Other,
}

impl fmt::Display for WriteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteProblem::ReadOnly => "folder is read-only",
            WriteProblem::MissingFolder => "folder does not exist",
            WriteProblem::IsAFolder => "there is a folder with that name",
            WriteProblem::DiskFull => "disk is full",
            WriteProblem::InUse => "the file is open in another program; close it and try again",
            WriteProblem::Other => "the system refused it",
        })
    }
}

impl WriteProblem {
    /// The message for the rep: ours, or for [`WriteProblem::Other`] the system's.
    fn describe(&self, source: &io::Error) -> String {
        match self {
            WriteProblem::Other => source.to_string(),
            known => known.to_string(),
        }
    }

    /// Classifies an I/O error from creating, writing or renaming the file.
    pub(crate) fn of(error: &io::Error) -> WriteProblem {
        // Windows: ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION.
        if cfg!(windows) && matches!(error.raw_os_error(), Some(32 | 33)) {
            return WriteProblem::InUse;
        }
        match error.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                WriteProblem::ReadOnly
            }
            io::ErrorKind::NotFound => WriteProblem::MissingFolder,
            io::ErrorKind::IsADirectory => WriteProblem::IsAFolder,
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => WriteProblem::DiskFull,
            io::ErrorKind::ResourceBusy => WriteProblem::InUse,
            _ => WriteProblem::Other,
        }
    }
}
