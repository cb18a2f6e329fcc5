//! The one error type of the sync client.

use closer_store::StoreError;

/// Everything a sync round can hit, sorted so a loop knows what to do next:
/// [`SyncError::is_retryable`] errors (offline, server trouble, throttling) mean
/// "try again later, nothing is lost"; the others need the user or a fix.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached (offline, DNS, refused, reset, timeout).
    #[error("the team server cannot be reached: {0}")]
    Offline(#[source] reqwest::Error),

    /// Not signed in, or the session ended (refresh token expired, reused or revoked):
    /// the user must sign in again.
    #[error("not signed in to the team server: {0}")]
    Unauthorized(String),

    /// The server throttles this user; try again after `retry_after_secs`.
    #[error("the team server asks to slow down (retry in {retry_after_secs} s)")]
    RateLimited { retry_after_secs: u64 },

    /// The server refused a request as invalid or not allowed (4xx).
    #[error("the team server refused the request ({status}): {detail}")]
    Rejected { status: u16, detail: String },

    /// The server failed (5xx).
    #[error("the team server failed ({status}): {detail}")]
    Server { status: u16, detail: String },

    /// The server answered something this client does not understand.
    #[error("unexpected answer from the team server: {0}")]
    Protocol(String),

    /// This database is already linked to another account.
    #[error("this workspace is synced with {expected}; sign out and use a fresh workspace to sign in as {actual}")]
    OtherAccount { expected: String, actual: String },

    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// The token store (the OS keyring, for the app) failed.
    #[error("cannot keep the sign-in token: {0}")]
    TokenStore(String),

    /// A blocking task could not finish (the runtime is shutting down).
    #[error("background task failed: {0}")]
    Task(String),
}

impl SyncError {
    /// Worth retrying later without the user doing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SyncError::Offline(_) | SyncError::RateLimited { .. } | SyncError::Server { .. }
        )
    }
}

/// The sync client's result type.
pub type Result<T> = std::result::Result<T, SyncError>;
