//! The one error type of the store.

use closer_types::FieldError;

/// Everything that can go wrong in the store, structured so callers can react
/// (show field errors next to inputs, a "not found" page, a corruption notice).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite itself failed (I/O, constraint, busy after the timeout ...).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The schema could not be brought to the current version.
    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// No row of this kind has this id.
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },

    /// The input failed validation; every problem is listed, by field.
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),

    /// A row exists but cannot be decoded (bad JSON, unknown enum text).
    #[error("{entity} {id} is corrupt: {reason}")]
    Corrupt {
        entity: &'static str,
        id: String,
        reason: String,
    },
}

fn describe(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

impl StoreError {
    pub(crate) fn not_found(entity: &'static str, id: &str) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, reason)])
    }
}

/// The store's result type.
pub type Result<T> = std::result::Result<T, StoreError>;
