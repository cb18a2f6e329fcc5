//! The index file: schema (embedded, append-only migrations) and connection settings.

use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::Result;

/// The schema. A shipped migration is never edited; add a new one.
///
/// - `items`: one row per content item, with the metadata and usage stats ranking reads,
///   the competitors and compliance regimes its text names (`mentions`, JSON), and the
///   fingerprint of what its passages were built from (`content_hash`) so an
///   unchanged item is not chunked or embedded again.
/// - `passages`: the body cut into passages (`chunk.rs`).
/// - `passages_fts` / `passages_vocab` (FTS5, migration 1) are dropped by migration 2:
///   keyword search is now the in-memory BM25 of `lexicon.rs`, rebuilt from `passages`
///   on open (FTS5's `bm25()` cost 70 % of a search).
/// - `embeddings`: one little-endian f32 vector per passage, when a model was loaded.
/// - `settings`: which embedding model the vectors came from.
static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(
            "CREATE TABLE items (
            content_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            industries TEXT NOT NULL,
            personas TEXT NOT NULL,
            topics TEXT NOT NULL,
            mentions TEXT NOT NULL,
            views INTEGER NOT NULL,
            uses INTEGER NOT NULL,
            deals_influenced INTEGER NOT NULL,
            deals_won INTEGER NOT NULL,
            last_used_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            content_hash INTEGER NOT NULL,
            embedded INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            content_id TEXT NOT NULL REFERENCES items(content_id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            heading TEXT,
            text TEXT NOT NULL,
            UNIQUE (content_id, idx)
        ) STRICT;
        CREATE TABLE embeddings (
            content_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (content_id, idx),
            FOREIGN KEY (content_id, idx) REFERENCES passages(content_id, idx) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE VIRTUAL TABLE passages_fts USING fts5(
            title, meta, heading, text,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 0'
        );
        CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, row);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;",
        ),
        M::up("DROP TABLE passages_vocab; DROP TABLE passages_fts;"),
    ])
});

pub fn migrations() -> &'static Migrations<'static> {
    &MIGRATIONS
}

/// Opens (creating if needed) the index file and brings its schema up to date.
pub fn open_writer(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    MIGRATIONS.to_latest(&mut conn)?;
    Ok(conn)
}

pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

/// Per-connection settings, each with its reason.
fn configure(conn: &Connection) -> Result<()> {
    // WAL: searches read while an import writes, without waiting on each other.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The index is derived data: losing the last transaction in a power cut costs a
    // re-index of a few items, not data; NORMAL skips an fsync per commit.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Passages and vectors go with their item (ON DELETE CASCADE).
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The writer and a reader may briefly want the same lock; wait instead of failing.
    conn.busy_timeout(Duration::from_secs(5))?;
    // Search touches the same few pages again and again: keep 32 MiB of them in memory.
    conn.pragma_update(None, "cache_size", -32_768)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
