//! The one error type the UI sees. Every core error becomes a `kind` the UI can
//! branch on and a sentence a rep can act on; field and row details ride along.

use closer_core::CoreError;
use closer_types::{FieldError, RowError};
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    NotFound,
    Invalid,
    Import,
    Storage,
    Secrets,
    /// Claude could not help: no key, budget reached, rate limited, unreachable, bad reply.
    Ai,
    /// Export to a file failed.
    Export,
    /// Content search or the library folders.
    Search,
    /// The microphone or the call audio.
    Audio,
    /// A live call could not start or stop (one already runs, none runs).
    Call,
    /// The call was refused before recording: do-not-call list, consent not confirmed.
    CallRefused,
    /// Team sync: sign-in, the server, conflicts.
    Sync,
    Internal,
}

#[derive(Debug, Serialize, Type)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub rows: Vec<RowError>,
}

impl CommandError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            fields: Vec::new(),
            rows: Vec::new(),
        }
    }
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError::new(ErrorKind::Invalid, message)
    }
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        use closer_core::{ImportError, StoreError};
        match e {
            CoreError::Store(StoreError::NotFound { entity, id }) => CommandError::new(
                ErrorKind::NotFound,
                format!("That {entity} no longer exists (id {id}). It may have been deleted."),
            ),
            CoreError::Store(StoreError::Invalid(fields)) => {
                let list: Vec<_> = fields
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.reason))
                    .collect();
                let mut err = CommandError::new(
                    ErrorKind::Invalid,
                    format!("Please fix: {}.", list.join("; ")),
                );
                err.fields = fields;
                err
            }
            CoreError::Store(other) => {
                tracing::error!(error = %other, "storage error");
                CommandError::new(
                    ErrorKind::Storage,
                    format!("Closer could not read or save its local data: {other}. Nothing you saved before was lost; if this repeats, check free disk space."),
                )
            }
            CoreError::Import(ImportError::Rows { errors, truncated }) => {
                let mut err = CommandError::new(
                    ErrorKind::Import,
                    format!(
                        "{}{} rows have problems; nothing was imported. Fix them in the file and try again.",
                        errors.len(),
                        if truncated { "+" } else { "" }
                    ),
                );
                err.rows = errors;
                err
            }
            CoreError::Import(other) => {
                CommandError::new(ErrorKind::Import, format!("{other} Nothing was imported."))
            }
            CoreError::Secrets(e) => CommandError::new(ErrorKind::Secrets, e.to_string()),
            // The AI errors are written as sentences for the rep already (and never carry
            // the API key: the gateway never puts it in an error).
            CoreError::Ai(e) => CommandError::new(ErrorKind::Ai, e.to_string()),
            CoreError::Gateway(e) => CommandError::new(ErrorKind::Ai, e.to_string()),
            CoreError::AiUnavailable(m) => {
                CommandError::new(ErrorKind::Ai, format!("AI features are unavailable: {m}"))
            }
            CoreError::Export(e) => CommandError::new(ErrorKind::Export, e.to_string()),
            CoreError::Search(m) => CommandError::new(ErrorKind::Search, m),
            CoreError::Audio(e) => CommandError::new(ErrorKind::Audio, e.to_string()),
            CoreError::Call(m) => CommandError::new(ErrorKind::Call, m),
            CoreError::CallRefused(m) => CommandError::new(ErrorKind::CallRefused, m),
            // Never the password or a token: closer-sync's errors carry neither.
            CoreError::Sync(e) => CommandError::new(ErrorKind::Sync, closer_core::sync_message(&e)),
            CoreError::SyncInput(m) => CommandError::new(ErrorKind::Sync, m),
            other => {
                tracing::error!(error = %other, "internal error");
                CommandError::new(ErrorKind::Internal, other.to_string())
            }
        }
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
