//! The gateway's own SQLite file: response cache, ledger, offline queue, budgets and
//! settings. Kept apart from the workspace database: it is a cache and an account book,
//! it can be deleted without losing a rep's work, and its writes never contend with an
//! import.
//!
//! rusqlite is synchronous: async paths go through [`Db::run`] (`spawn_blocking`); the
//! sync public methods of the gateway are meant to be called off the UI thread by the core.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::{GatewayError, Result};

const MIGRATION_LIST: &[M<'static>] = &[M::up(
    r#"
-- Answers by request hash. Expired rows are kept for `stale_retention` to be served
-- (marked stale) while Claude is down.
CREATE TABLE response_cache (
    key        TEXT PRIMARY KEY,
    feature    TEXT NOT NULL,
    model      TEXT NOT NULL,
    message    TEXT NOT NULL,           -- closer_claude::Message as JSON
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    hits       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX response_cache_expires ON response_cache(expires_at);

-- One row per logical request, whatever answered it (or refused it).
CREATE TABLE ledger (
    id                       INTEGER PRIMARY KEY,
    ts                       INTEGER NOT NULL,
    feature                  TEXT NOT NULL,
    model                    TEXT NOT NULL,
    routing_reason           TEXT NOT NULL,
    est_input_tokens         INTEGER NOT NULL,
    input_tokens             INTEGER NOT NULL DEFAULT 0,
    output_tokens            INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens    INTEGER NOT NULL DEFAULT 0,  -- all cache writes
    cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0,  -- of which 1-hour writes
    cache_read_tokens        INTEGER NOT NULL DEFAULT 0,
    cost_usd                 REAL NOT NULL DEFAULT 0,
    latency_ms               INTEGER NOT NULL DEFAULT 0,
    cache_layer              TEXT NOT NULL CHECK (cache_layer IN ('none', 'response', 'stale')),
    served_from              TEXT,
    attempts                 INTEGER NOT NULL DEFAULT 0,
    retries                  INTEGER NOT NULL DEFAULT 0,
    outcome                  TEXT NOT NULL CHECK (outcome IN
        ('ok', 'stale', 'fallback', 'queued', 'error', 'cancelled', 'budget', 'rate_limited')),
    error                    TEXT,
    request_id               TEXT,
    prompt_excerpt           TEXT NOT NULL             -- redacted
) STRICT;
CREATE INDEX ledger_ts ON ledger(ts);
CREATE INDEX ledger_feature_ts ON ledger(feature, ts);

-- Work that waits for Claude. `request` is the whole AiRequest; `response` the answer.
CREATE TABLE queue (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    feature    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    response   TEXT,
    acked      INTEGER NOT NULL DEFAULT 0,
    ledger_id  INTEGER REFERENCES ledger(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX queue_status ON queue(status, id);

-- `monthly` or a feature name -> USD per calendar month.
CREATE TABLE budget (
    scope     TEXT PRIMARY KEY,
    limit_usd REAL NOT NULL CHECK (limit_usd >= 0)
) STRICT;

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#,
)];

pub(crate) const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    _checkpoints: Arc<Checkpointer>,
}

/// How often the WAL is copied back into the database, off the request path.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints the WAL on a thread of its own. SQLite's automatic checkpoint runs inside
/// the commit that crosses 1,000 pages, so one request in a thousand paid for copying
/// and syncing the whole WAL (the gateway's p99); a PASSIVE checkpoint never blocks the
/// writer. Stops when the last clone of the [`Db`] is dropped.
struct Checkpointer {
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Checkpointer {
    fn start(path: &Path) -> Checkpointer {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let path = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("closer-ai-checkpoint".into())
            .spawn(move || {
                let conn = match Connection::open(&path) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "no background checkpoints for the AI database");
                        return;
                    }
                };
                let _ = conn.busy_timeout(Duration::from_millis(100));
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "checkpoint skipped");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no background checkpoints for the AI database");
        }
        Checkpointer { stop }
    }
}

impl Db {
    pub fn open(path: &Path) -> Result<Db> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        MIGRATIONS.to_latest(&mut conn)?;
        // Checkpoints move to their own thread (see `Checkpointer`); should it fail to
        // start, the WAL is still checkpointed when the connection closes.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            _checkpoints: Arc::new(Checkpointer::start(path)),
        })
    }

    /// Runs `f` on the connection, on the calling thread.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.conn);
        f(&mut conn)
    }

    /// Runs a short statement or two (a primary-key read, one small transaction) on the
    /// calling task when the connection is free, else on the blocking pool like [`Db::run`].
    ///
    /// A request's own reads and writes take tens of microseconds; handing them to the
    /// blocking pool costs two thread wake-ups, which on a busy two-core laptop is what the
    /// gateway's p99 was made of. The connection is only ever held for such short work or
    /// by the blocking pool (reports, pruning), and then this waits there instead.
    pub async fn run_quick<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        // The guard is dropped with the `let` statement, before any await.
        let f = match self.conn.try_lock() {
            Ok(mut conn) => return f(&mut conn),
            Err(std::sync::TryLockError::Poisoned(p)) => return f(&mut p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => f,
        };
        self.run(f).await
    }

    /// Runs `f` on the connection on tokio's blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.with(f))
            .await
            .map_err(|e| GatewayError::Storage(format!("database task failed: {e}")))?
    }
}

/// A poisoned lock only means a closure panicked; an open transaction was rolled back
/// when dropped, so the connection is still good.
fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection) -> Result<()> {
    // WAL: the usage screen reads while requests append to the ledger, and a commit costs
    // one append instead of rewriting pages.
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if mode != "wal" && mode != "memory" {
        tracing::warn!(mode, "could not switch the AI database to WAL");
    }
    // NORMAL is durable in WAL except for the last commits before a power loss; a lost
    // cache entry or ledger row in that case is acceptable, an fsync per request is not.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The queue references its ledger row.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Two gateways on one file (a test re-opening it, a second app instance) wait for each
    // other instead of failing with SQLITE_BUSY.
    conn.busy_timeout(Duration::from_millis(5000))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        MIGRATIONS.validate().expect("migrations are valid");
    }

    #[test]
    fn opens_twice_and_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ai.sqlite3");
        let db = Db::open(&path).unwrap();
        let mode: String = db
            .with(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(db);
        Db::open(&path).unwrap();
    }
}
