//! The crate's error type. HTTP handlers turn it into a problem response
//! ([`crate::http::problem`]); nothing here carries a secret.

use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("token signing failed: {0}")]
    Token(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("i/o on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("background task failed: {0}")]
    Task(String),
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
