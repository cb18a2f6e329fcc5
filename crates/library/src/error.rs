//! [`LibraryError`]: what stops the library itself (its state database, a watcher that cannot
//! start, a folder setting that makes no sense). A file that cannot be read is never one of
//! these: it becomes a failed row and a [`crate::LibraryEvent::Failed`].

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The state database failed (open, read or write).
    #[error("the content library's state database failed: {0}")]
    Db(#[from] rusqlite::Error),

    /// The state database could not be brought to the current schema.
    #[error("the content library's state database could not be migrated: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// The state database's folder could not be created.
    #[error("could not create {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Library folders must be absolute paths.
    #[error("{} is not an absolute path; choose the folder again", path.display())]
    RelativeFolder { path: PathBuf },

    /// The file-system watcher could not be started.
    #[error("could not watch the library folders for changes: {0}")]
    Watch(#[from] notify::Error),

    /// A thread could not be started.
    #[error("could not start the library's watcher thread: {0}")]
    Thread(#[source] std::io::Error),
}

pub type Result<T, E = LibraryError> = std::result::Result<T, E>;
