//! Closer's offline cache: one SQLite file (WAL, FTS5) holding every aggregate the
//! rep works with, behind one small repository module per aggregate.
//!
//! What it does:
//! - opens the database, sets the per-connection pragmas and applies the embedded,
//!   append-only migrations ([`MIGRATIONS`]);
//! - gives a [`Store`] with one writer connection (every write is one `IMMEDIATE`
//!   transaction, committed only if the closure succeeds) and one reader connection
//!   (WAL lets it read the last committed state while a write is in progress);
//! - maps domain types from `closer-types` to rows and back (enums as snake_case
//!   TEXT, lists as JSON TEXT), validating drafts before writing them;
//! - keeps full-text indexes and a `change_log` of every write up to date with SQL
//!   triggers, so no code path can forget either;
//! - turns any user text into a safe FTS5 query ([`search::search`]).
//!
//! What it does not know: Tauri, the UI, the network or the team server (the change
//! log is only recorded here; pushing it is someone else's job), secrets (never
//! stored here), lead scoring or call analysis (it stores their results), CSV
//! parsing, or where the database file lives (the caller passes a path).

mod codec;
mod error;

pub mod activities;
pub mod ai_results;
pub mod battle_cards;
pub mod calls;
pub mod changelog;
pub mod content;
pub mod deals;
pub mod health_history;
pub mod leads;
pub mod live_calls;
pub mod proposals;
pub mod search;
pub mod settings;
pub mod stats;
pub mod sync;

pub use error::{Result, StoreError};

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

/// The schema, one migration per file. Append only: never edit a released one.
const MIGRATION_LIST: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_init.sql")),
    M::up(include_str!("migrations/0002_ai.sql")),
    M::up(include_str!("migrations/0003_sync.sql")),
    M::up(include_str!("migrations/0004_live_calls.sql")),
    M::up(include_str!("migrations/0005_sync_entities.sql")),
    M::up(include_str!("migrations/0006_health_history.sql")),
];

/// The migrations [`Store::open`] applies.
pub const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// A handle on the local database. Cheap to clone; all clones share the same
/// connections.
#[derive(Clone)]
pub struct Store {
    writer: Arc<Mutex<Connection>>,
    /// A second connection on the same file, for reads; the same as `writer` for an
    /// in-memory store.
    reader: Arc<Mutex<Connection>>,
    path: Option<Arc<PathBuf>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating the file if needed, but not its directory) the database at
    /// `path`, sets the pragmas and migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        let mut writer = Connection::open(path)?;
        configure(&writer, false)?;
        MIGRATIONS.to_latest(&mut writer)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&reader, true)?;
        tracing::debug!(path = %path.display(), "store opened");
        Ok(Store {
            writer: Arc::new(Mutex::new(writer)),
            reader: Arc::new(Mutex::new(reader)),
            path: Some(Arc::new(path.to_path_buf())),
        })
    }

    /// A fresh, empty, migrated database in memory (for tests). Reads and writes
    /// share its single connection.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn, false)?;
        MIGRATIONS.to_latest(&mut conn)?;
        let shared = Arc::new(Mutex::new(conn));
        Ok(Store {
            writer: shared.clone(),
            reader: shared,
            path: None,
        })
    }

    /// Runs `f` on the read connection. It sees the last committed state.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = lock(&self.reader);
        f(&conn)
    }

    /// Runs `f` in one `IMMEDIATE` transaction on the write connection, committed
    /// only if `f` returns `Ok`; on `Err` (or a panic) nothing it did is kept.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The database file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref().map(PathBuf::as_path)
    }
}

/// A poisoned lock only means a closure panicked; its transaction was rolled back
/// when dropped, so the connection is still good.
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection, read_only: bool) -> Result<()> {
    // 16 KiB pages for a new database (a no-op on an existing one): bulk imports of
    // 100K leads write about a tenth less, and our rows (JSON lists, bodies) are
    // large. Must come before WAL, which fixes the page size.
    if !read_only {
        conn.pragma_update(None, "page_size", 16384)?;
    }
    // WAL: readers do not block the writer and the writer does not block readers,
    // so the UI can list leads while an import runs; also fewer fsyncs per commit.
    // (An in-memory database answers "memory"; that is fine.)
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if mode != "wal" && mode != "memory" {
        tracing::warn!(mode, "could not switch the database to WAL");
    }
    // NORMAL is durable in WAL mode except for the last commits before a power
    // loss, and avoids an fsync on every commit: the right trade for a local cache.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // SQLite leaves foreign keys off by default; we rely on them (cascades, SET NULL).
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Wait up to 5 s for a lock held by the other connection (or another process)
    // instead of failing at once with SQLITE_BUSY.
    conn.busy_timeout(Duration::from_millis(5000))?;
    // Up to 64 MB of page cache (default 2 MB): a 100K-lead import touches the table,
    // four indexes, the FTS index and the change log; with the small default cache
    // pages are spilled and re-read mid-transaction. Memory is only used as needed.
    conn.pragma_update(None, "cache_size", -65536)?;
    if read_only {
        // The read connection must never write: a bug doing so fails loudly.
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

/// The page size used when a query asks for 0 rows, and the largest allowed.
pub(crate) fn page_limit(limit: u32) -> u32 {
    match limit {
        0 => 50,
        n => n.min(500),
    }
}
