use thiserror::Error;

/// Everything that can go wrong in a use case. The app shell turns it into the one
/// serialisable error the UI sees; here it keeps the structured cause.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] closer_store::StoreError),
    #[error(transparent)]
    Import(#[from] closer_import::ImportError),
    #[error(transparent)]
    Secrets(#[from] closer_secrets::Error),
    #[error("could not prepare the data folder {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Ai(#[from] closer_ai::AiError),
    #[error(transparent)]
    Gateway(#[from] closer_gateway::GatewayError),
    #[error(transparent)]
    Export(#[from] closer_export::ExportError),
    #[error("AI features are unavailable: {0}")]
    AiUnavailable(String),
    /// Content search or the library folders: the sentence is for the rep.
    #[error("{0}")]
    Search(String),
    /// Audio capture: the sentence is for the rep.
    #[error(transparent)]
    Audio(#[from] closer_audio::AudioError),
    /// A live call could not start or stop: the sentence is for the rep.
    #[error("{0}")]
    Call(String),
    /// The call was refused (do-not-call list, no consent); the refusal is logged.
    #[error("{0}")]
    CallRefused(String),
    /// Team sync: see [`crate::sync_message`] for the rep's sentence.
    #[error(transparent)]
    Sync(#[from] closer_sync::SyncError),
    /// Team sync input the rep must fix (server address, email, not signed in).
    #[error("{0}")]
    SyncInput(String),
    #[error("a background task stopped unexpectedly: {0}")]
    Task(String),
}

pub type Result<T> = std::result::Result<T, CoreError>;
