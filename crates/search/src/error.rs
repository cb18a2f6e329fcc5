/// What can go wrong while opening, writing or searching the content index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// SQLite refused something (disk full, a damaged file, a locked database).
    #[error("search index: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The index file was written by a newer version of Closer, or a migration failed.
    #[error("search index schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// The embedding model failed while indexing (searching falls back to keywords instead).
    #[error(transparent)]
    Embed(#[from] closer_embed::EmbedError),

    /// `Mode::Vector` was asked for, but no model is loaded.
    #[error("semantic search is not available: the search model is not installed")]
    SemanticUnavailable,

    /// A stored row is not what this version wrote (the index can be deleted and rebuilt).
    #[error("the search index is damaged ({0}); delete it to rebuild")]
    Corrupt(String),

    /// The query-embedding thread could not be started (the system is out of threads).
    #[error("search could not start its embedding thread: {0}")]
    Thread(std::io::Error),

    /// Another thread panicked while holding the index.
    #[error("the search index is unusable after an earlier failure")]
    Poisoned,
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

impl<T> From<std::sync::PoisonError<T>> for SearchError {
    fn from(_: std::sync::PoisonError<T>) -> Self {
        SearchError::Poisoned
    }
}
