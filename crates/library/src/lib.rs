//! The content library's folders: the rep picks folders in Settings, and every PDF, Word,
//! PowerPoint, Markdown, HTML and text file in them becomes a content item, kept in step as
//! files are added, changed, renamed and deleted.
//!
//! What it does:
//! - keeps its own small SQLite state database ([`Library::open`]): the folder list and one row
//!   per file (size, modification time, SHA-256, status, the reason a file failed, and the
//!   `content_key` of the content item made from it);
//! - reconciles the folders with that database ([`Library::scan`]): new and changed files
//!   (size and time, then hash) are extracted with `closer-extract` and reported as
//!   [`LibraryEvent::Upsert`], vanished ones as [`LibraryEvent::Removed`], unreadable ones as
//!   [`LibraryEvent::Failed`] with a sentence for the rep, with [`LibraryEvent::Progress`] at
//!   least every 100 ms;
//! - watches the folders ([`Library::watch`]) with `notify` through `notify-debouncer-full`
//!   and reconciles what changed on its own thread.
//!
//! What it does not know: the store, the search index, Tauri or the UI. It tells its owner (the
//! core) what changed through a [`LibrarySink`]; the core writes content items and the index.
//!
//! # How the core uses it
//! Open it on a file of its own (`library.sqlite3` beside the store), call [`Library::watch`]
//! once at startup from a blocking thread (it reconciles everything first, with progress, then
//! follows changes), pass Settings' folder list to [`Library::set_folders`], and apply the
//! events to the store: `Upsert` creates or updates the content item whose id is
//! `content_key` (with `source_path` = `path`, keeping any metadata the rep edited by hand),
//! `Removed` deletes it. [`Library::files`] gives the error rows, [`Library::folder_states`]
//! the folders' state; [`Library::scan`] is a "Rescan" button (or the whole job, without a
//! watcher).
//!
//! # Content keys
//! A file's `content_key` (a UUIDv7, usable as the content item's id) is made the first time
//! its path is seen and kept: across edits, across failures (a file that breaks and is fixed
//! comes back as the same item), and across renames and moves inside the library (the watcher's
//! rename events, or else the same SHA-256 at a new path while the old path is gone). A renamed
//! file is reported as an `Upsert` with its old key and new path (it is read again: the name
//! feeds the inferred metadata), and no `Removed`.
//!
//! # Events and the state database
//! `Upsert` and `Removed` are sent to the sink before the row is recorded, so a crash in
//! between repeats the event at the next scan rather than losing it (for that guarantee the
//! sink writes the content item before it returns; it is called on the library's own thread,
//! so it may block): the core applies events idempotently (upsert by `content_key`, delete by
//! `content_key`). `Failed` and `Skipped` are recorded first, so the UI's error rows
//! ([`Library::files`]) already show a failure when its event arrives. The files whose row is
//! `indexed` are those with a content item: a file that was indexed and then fails (or becomes
//! a format Closer skips) is reported `Removed` before `Failed`.
//!
//! # Folders that go away
//! A library folder that is missing (an unplugged drive, a sync client's hiccup, or deleted) is
//! reported as [`LibraryEvent::FolderMissing`] and its rows are kept; while watching, it is
//! looked for every [`LibraryOptions::folder_poll`] and reconciled when it is back. Files
//! deleted from a folder that is still there are removed. Removing a folder in Settings
//! ([`Library::set_folders`]) removes its files.
//!
//! # Which files
//! Formats `closer-extract` reads ([`closer_extract::supported`]). Hidden files and folders,
//! Office owner files (`~$x.docx`), LibreOffice locks (`.~lock.x#`), `*.tmp` and `*~` are
//! ignored, as are other extensions, except legacy and spreadsheet documents (`.doc`, `.ppt`,
//! `.xlsx`, `.key`, ...), which get a `skipped` row saying Closer does not read them. Symbolic
//! links are followed; a loop is detected and skipped.
//!
//! # Crates, and why
//! - **`notify`** (8): the stack's watcher (inotify, FSEvents, ReadDirectoryChangesW).
//! - **`notify-debouncer-full`** (0.7, same maintainers): debounces a save's burst of events
//!   into one, pairs inotify's two rename halves into one rename (so a rename keeps its key
//!   without hashing), collapses a deleted folder's events, and flags when the OS dropped events
//!   (we rescan then). Its mini sibling debounces without pairing renames.
//! - **`walkdir`**: folder walks with symlink-loop detection; already in the lock file.
//! - **`sha2`**: content hashes, the version the gateway already uses.

mod db;
mod error;
mod filter;
mod reconcile;
mod watch;

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use closer_extract::{Format, Limits, Passage};
pub use error::{LibraryError, Result};
pub use watch::WatchHandle;

/// Where a file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileStatus {
    /// Read; a content item exists for it.
    Indexed,
    /// Could not be read: `error` says why.
    Failed,
    /// A document format Closer does not read (`.doc`, `.xlsx`, ...).
    Skipped,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Indexed => "indexed",
            FileStatus::Failed => "failed",
            FileStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<FileStatus> {
        match s {
            "indexed" => Some(FileStatus::Indexed),
            "failed" => Some(FileStatus::Failed),
            "skipped" => Some(FileStatus::Skipped),
            _ => None,
        }
    }
}

/// One file the library knows, for the UI's list of files and error rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub path: PathBuf,
    /// The library folder it was found under.
    pub folder: PathBuf,
    pub size: u64,
    /// Modification time, ms since the Unix epoch.
    pub modified_at: i64,
    /// Hex SHA-256 of the bytes last read; `None` when the file was not read.
    pub sha256: Option<String>,
    pub status: FileStatus,
    /// Why a failed or skipped file is not in the library: a sentence for the rep.
    pub error: Option<String>,
    /// A stable name for the error (`corrupt`, `too_large`, `not_text`, `empty`, `io`, ...,
    /// `unsupported` for skipped files): closer-extract's `ExtractError::kind`.
    pub error_kind: Option<String>,
    pub content_key: String,
    /// When the row last changed, ms since the Unix epoch.
    pub updated_at: i64,
}

impl From<db::Row> for FileRow {
    fn from(r: db::Row) -> FileRow {
        FileRow {
            path: r.path,
            folder: r.folder,
            size: r.size,
            modified_at: r.mtime_ns.div_euclid(1_000_000),
            sha256: r.sha256,
            status: r.status,
            error: r.error,
            error_kind: r.error_kind,
            content_key: r.content_key,
            updated_at: r.updated_at,
        }
    }
}

/// A library folder and how it stands, for Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderState {
    pub path: PathBuf,
    /// When it was found missing (ms since the Unix epoch); `None` while it is there.
    pub missing_since: Option<i64>,
    /// Files known under it, and how many of them failed.
    pub files: u64,
    pub failed: u64,
}

/// A file read into a content item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryDoc {
    /// The content item's stable id (a UUIDv7).
    pub content_key: String,
    pub path: PathBuf,
    /// The library folder it is under.
    pub folder: PathBuf,
    pub title: String,
    pub format: Format,
    /// Inferred: `case_study`, `deck`, `one_pager`, ... (see `closer_extract::Inferred`).
    pub kind: Option<String>,
    pub industries: Vec<String>,
    pub personas: Vec<String>,
    pub topics: Vec<String>,
    pub year: Option<u16>,
    pub text: String,
    pub passages: Vec<Passage>,
    /// Pages or slides, when the format has them.
    pub pages: Option<u32>,
    /// The text was cut at [`Limits::max_text_chars`].
    pub truncated: bool,
    pub size: u64,
    /// Modification time, ms since the Unix epoch.
    pub modified_at: i64,
    pub sha256: String,
}

/// What the library tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryEvent {
    /// Files looked at so far in the current scan or batch, of `total` (which grows while the
    /// folders are still being walked, with `done` 0). `done == total` ends a scan.
    Progress { done: u64, total: u64 },
    /// A file was read: create or replace the content item `content_key` (a rename arrives
    /// as an upsert with the old key and the new path).
    Upsert(Box<LibraryDoc>),
    /// The file is gone (or can no longer be read): delete the content item `content_key` if
    /// there is one. Also sent for failed and skipped rows that go away, so the error list can
    /// refresh.
    Removed { content_key: String, path: PathBuf },
    /// The file cannot be read; `reason` is a sentence for the rep, `kind` a stable name.
    Failed {
        content_key: String,
        path: PathBuf,
        reason: String,
        kind: String,
    },
    /// A document format Closer does not read; `reason` says so.
    Skipped {
        content_key: String,
        path: PathBuf,
        reason: String,
    },
    /// A library folder is not there (its files are kept until it is back or removed).
    FolderMissing { folder: PathBuf },
    /// A folder reported missing is back (and is being reconciled).
    FolderAvailable { folder: PathBuf },
    /// Changes in `folder` cannot be watched (e.g. the OS's limit on watches is reached);
    /// they appear at the next scan.
    WatchFailed { folder: PathBuf, reason: String },
}

/// Where the library's events go. Called from the scanning or watching thread: keep it quick
/// (send to a channel).
pub trait LibrarySink: Send + Sync {
    fn event(&self, e: LibraryEvent);
}

impl<F: Fn(LibraryEvent) + Send + Sync> LibrarySink for F {
    fn event(&self, e: LibraryEvent) {
        self(e)
    }
}

/// Tuning; the defaults are the app's.
#[derive(Debug, Clone)]
pub struct LibraryOptions {
    /// What one file may cost to read.
    pub limits: Limits,
    /// Quiet time after a file's last event before it is read. Default 300 ms.
    pub debounce: Duration,
    /// How often a missing folder is looked for while watching. Default 2 s.
    pub folder_poll: Duration,
}

impl Default for LibraryOptions {
    fn default() -> Self {
        LibraryOptions {
            limits: Limits::default(),
            debounce: Duration::from_millis(300),
            folder_poll: Duration::from_secs(2),
        }
    }
}

/// What a [`Library::scan`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Files found in the folders (read, skipped or unchanged).
    pub files: u64,
    /// Files read and extracted (changed or new); unchanged files are not read.
    pub extracted: u64,
    pub upserted: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub skipped: u64,
    pub removed: u64,
    /// Library folders that were not there.
    pub missing_folders: Vec<PathBuf>,
    /// Scanning stopped early (the watcher was dropped).
    pub stopped: bool,
}

/// The content library's folders and state. `Send + Sync`: share it in an `Arc`.
pub struct Library {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("folders", &self.folders())
            .finish()
    }
}

pub(crate) struct Shared {
    db: Mutex<Connection>,
    /// Held while one file (or one removal) is reconciled, so a scan, the watcher and
    /// `set_folders` never interleave inside a file.
    work: Mutex<()>,
    /// The folder list, as in the database.
    folders: Mutex<Vec<PathBuf>>,
    options: LibraryOptions,
    /// The running watchers, told when the folders change.
    watchers: Mutex<Vec<mpsc::Sender<watch::Msg>>>,
}

/// A poisoned lock only means a thread panicked while holding it; the data behind our locks
/// (a connection whose transaction rolled back, a folder list) is still good.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.db)
    }

    pub(crate) fn folders(&self) -> Vec<PathBuf> {
        lock(&self.folders).clone()
    }
}

/// The library folder `path` is under (the deepest, when folders nest).
pub(crate) fn owner<'a>(folders: &'a [PathBuf], path: &Path) -> Option<&'a PathBuf> {
    folders
        .iter()
        .filter(|f| path.starts_with(f))
        .max_by_key(|f| f.components().count())
}

/// Folders not inside another library folder (walking those covers the nested ones).
pub(crate) fn top_level(folders: &[PathBuf]) -> Vec<PathBuf> {
    folders
        .iter()
        .filter(|f| !folders.iter().any(|g| g != *f && f.starts_with(g)))
        .cloned()
        .collect()
}

/// `folder` without `.` components or a trailing separator; `..` is kept (resolving it
/// without the file system could change the meaning across symbolic links).
fn normalise(folder: &Path) -> PathBuf {
    folder
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

impl Library {
    /// Opens the state database at `state_db` (created, with its folder, if needed).
    pub fn open(state_db: &Path) -> Result<Library> {
        Library::open_with(state_db, LibraryOptions::default())
    }

    pub fn open_with(state_db: &Path, options: LibraryOptions) -> Result<Library> {
        let conn = db::open(state_db)?;
        let folders = db::folders(&conn)?.into_iter().map(|(p, _)| p).collect();
        tracing::debug!(path = %state_db.display(), "library state opened");
        Ok(Library {
            shared: Arc::new(Shared {
                db: Mutex::new(conn),
                work: Mutex::new(()),
                folders: Mutex::new(folders),
                options,
                watchers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The library folders, in the rep's order.
    pub fn folders(&self) -> Vec<PathBuf> {
        self.shared.folders()
    }

    /// Each folder with whether it is there and how many files it holds.
    pub fn folder_states(&self) -> Result<Vec<FolderState>> {
        let conn = self.shared.db();
        db::folders(&conn)?
            .into_iter()
            .map(|(path, missing_since)| {
                let (files, failed) = db::folder_counts(&conn, &path)?;
                Ok(FolderState {
                    path,
                    missing_since,
                    files,
                    failed,
                })
            })
            .collect()
    }

    /// Replaces the folder list (absolute paths; duplicates dropped; a folder need not exist
    /// yet). Files no longer under any folder are reported [`LibraryEvent::Removed`] to `sink`
    /// and forgotten. Running watchers start watching added folders and reconcile them (their
    /// events go to the watcher's sink); without a watcher, call [`Library::scan`].
    pub fn set_folders(&self, folders: Vec<PathBuf>, sink: &dyn LibrarySink) -> Result<()> {
        let mut list: Vec<PathBuf> = Vec::with_capacity(folders.len());
        for folder in folders {
            if !folder.is_absolute() {
                return Err(LibraryError::RelativeFolder { path: folder });
            }
            let folder = normalise(&folder);
            if !list.contains(&folder) {
                list.push(folder);
            }
        }
        {
            let _work = lock(&self.shared.work);
            let rows = db::all(&self.shared.db(), None)?;
            let (keep, removed): (Vec<db::Row>, Vec<db::Row>) = rows
                .into_iter()
                .partition(|r| owner(&list, &r.path).is_some());
            for row in &removed {
                reconcile::emit(
                    sink,
                    LibraryEvent::Removed {
                        content_key: row.content_key.clone(),
                        path: row.path.clone(),
                    },
                );
            }
            let mut conn = self.shared.db();
            db::save_folders(&mut conn, &list, &removed)?;
            for row in keep {
                if let Some(folder) = owner(&list, &row.path).filter(|f| **f != row.folder) {
                    db::set_folder(&conn, &row.path, folder)?;
                }
            }
            *lock(&self.shared.folders) = list;
        }
        lock(&self.shared.watchers).retain(|w| w.send(watch::Msg::Folders).is_ok());
        Ok(())
    }

    /// Reconciles every folder with the state database, reading new and changed files; blocks
    /// until done (run it off the async runtime). A folder that is missing, or disappears
    /// during the scan, is reported and the rest goes on.
    pub fn scan(&self, sink: &dyn LibrarySink) -> Result<ScanReport> {
        let stop = AtomicBool::new(false);
        let mut run = reconcile::Run::new(&self.shared, sink, &stop, reconcile::Mode::Scan);
        let folders = top_level(&self.shared.folders());
        let plan = run.plan_folders(&folders)?;
        run.execute(plan)?;
        run.settle_unstable()?;
        Ok(run.into_report())
    }

    /// Watches the folders (and folders added later) and reconciles changes on a thread of its
    /// own, sending events to `sink`. It starts with a full reconcile (so nothing that changed
    /// while the app was closed is missed, and nothing between a scan and the watch either).
    /// The watches are in place when this returns. Dropping the handle stops it.
    pub fn watch(&self, sink: Arc<dyn LibrarySink>) -> Result<WatchHandle> {
        watch::start(self.shared.clone(), sink)
    }

    /// The files the library knows, optionally only those with `status` (the UI's error rows:
    /// `Some(FileStatus::Failed)`), by folder and path.
    pub fn files(&self, status: Option<FileStatus>) -> Result<Vec<FileRow>> {
        Ok(db::all(&self.shared.db(), status)?
            .into_iter()
            .map(FileRow::from)
            .collect())
    }

    /// Makes the next scan (or the watcher's next look) read `path` again, or every file for
    /// `None`: for a core that finds a content item missing from its store, or after
    /// closer-extract improves. Returns how many rows were marked.
    pub fn invalidate(&self, path: Option<&Path>) -> Result<usize> {
        db::invalidate(&self.shared.db(), path)
    }
}
