//! The state database: one row per file the library has looked at, and the folder list. Only
//! this module writes SQL.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Row as SqlRow};
use rusqlite_migration::{Migrations, M};

use crate::error::Result;
use crate::FileStatus;

/// The schema, one migration per file. Append only: never edit a released one.
const MIGRATION_LIST: &[M<'static>] = &[M::up(include_str!("migrations/0001_init.sql"))];

/// The migrations [`open`] applies.
pub(crate) const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// Opens (creating it and its folder if needed) and migrates the state database.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| crate::LibraryError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    MIGRATIONS.to_latest(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    // WAL: a crash mid-write never leaves a half-written page, and the many small writes of a
    // first indexing (one per file) do not each rewrite the main file.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
    // last transactions, which the next scan redoes (this database is derived from the files).
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Another process (a second app instance, a test) holding the file briefly waits, not fails.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Paths as bytes

#[cfg(unix)]
pub(crate) fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
pub(crate) fn path_from(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

// Windows and macOS names are Unicode; a Windows name with an unpaired surrogate (which no
// Office application writes) is stored lossily and rescanned as a new file each time.
#[cfg(not(unix))]
pub(crate) fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
pub(crate) fn path_from(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// The byte range `[lo, hi)` of every path strictly under `dir` (BLOBs compare with memcmp):
/// `dir/` up to `dir0` (`'0'` is the byte after `'/'`; `']'` after `'\'`).
fn under_range(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let sep = std::path::MAIN_SEPARATOR as u8;
    let mut lo = path_bytes(dir);
    if lo.last() != Some(&sep) {
        lo.push(sep);
    }
    let mut hi = lo.clone();
    if let Some(last) = hi.last_mut() {
        *last = sep.saturating_add(1);
    }
    (lo, hi)
}

// ---------------------------------------------------------------------------------------------
// Files

/// One file as the state database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub path: PathBuf,
    pub folder: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: Option<String>,
    pub status: FileStatus,
    pub error: Option<String>,
    pub error_kind: Option<String>,
    pub content_key: String,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "path, folder, size, mtime_ns, sha256, status, error, error_kind, content_key, updated_at";

fn row(r: &SqlRow<'_>) -> rusqlite::Result<Row> {
    let status: String = r.get(5)?;
    Ok(Row {
        path: path_from(r.get(0)?),
        folder: path_from(r.get(1)?),
        size: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        mtime_ns: r.get(3)?,
        sha256: r.get(4)?,
        // The CHECK constraint admits only the three; anything else reads as failed.
        status: FileStatus::parse(&status).unwrap_or(FileStatus::Failed),
        error: r.get(6)?,
        error_kind: r.get(7)?,
        content_key: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub(crate) fn get(conn: &Connection, path: &Path) -> Result<Option<Row>> {
    let sql = format!("SELECT {COLUMNS} FROM files WHERE path = ?1");
    Ok(conn
        .query_row(&sql, params![path_bytes(path)], row)
        .optional()?)
}

/// The row at `path` itself and every row under it, by path.
pub(crate) fn at_or_under(conn: &Connection, path: &Path) -> Result<Vec<Row>> {
    let (lo, hi) = under_range(path);
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3) ORDER BY path"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params![path_bytes(path), lo, hi], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn all(conn: &Connection, status: Option<FileStatus>) -> Result<Vec<Row>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM files WHERE ?1 IS NULL OR status = ?1 ORDER BY folder, path"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params![status.map(FileStatus::as_str)], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Writes `row` (keyed by its path); when it takes over another row's content key (a rename),
/// `replaces` names that row, deleted in the same transaction.
pub(crate) fn put(conn: &mut Connection, row: &Row, replaces: Option<&Path>) -> Result<()> {
    let tx = conn.transaction()?;
    if let Some(old) = replaces.filter(|old| *old != row.path.as_path()) {
        tx.execute(
            "DELETE FROM files WHERE path = ?1",
            params![path_bytes(old)],
        )?;
    }
    // REPLACE: a row at this path with another key (a file moved over an indexed one) gives
    // way, as does this key's row at another path.
    tx.execute(
        &format!(
            "INSERT OR REPLACE INTO files ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ),
        params![
            path_bytes(&row.path),
            path_bytes(&row.folder),
            i64::try_from(row.size).unwrap_or(i64::MAX),
            row.mtime_ns,
            row.sha256,
            row.status.as_str(),
            row.error,
            row.error_kind,
            row.content_key,
            row.updated_at,
        ],
    )?;
    tx.commit()?;
    Ok(())
}

/// Records a new size and time for a file whose bytes did not change.
pub(crate) fn touch(conn: &Connection, path: &Path, size: u64, mtime_ns: i64) -> Result<()> {
    conn.execute(
        "UPDATE files SET size = ?2, mtime_ns = ?3 WHERE path = ?1",
        params![
            path_bytes(path),
            i64::try_from(size).unwrap_or(i64::MAX),
            mtime_ns
        ],
    )?;
    Ok(())
}

/// Deletes the row at `path` if it still has `content_key`; whether it did.
pub(crate) fn delete(conn: &Connection, path: &Path, content_key: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM files WHERE path = ?1 AND content_key = ?2",
        params![path_bytes(path), content_key],
    )? > 0)
}

/// Makes the next scan read the file at `path` (every file for `None`) again.
pub(crate) fn invalidate(conn: &Connection, path: Option<&Path>) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE files SET mtime_ns = -1, sha256 = NULL WHERE ?1 IS NULL OR path = ?1",
        params![path.map(path_bytes)],
    )?)
}

pub(crate) fn set_folder(conn: &Connection, path: &Path, folder: &Path) -> Result<()> {
    conn.execute(
        "UPDATE files SET folder = ?2 WHERE path = ?1",
        params![path_bytes(path), path_bytes(folder)],
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Folders

/// The folders in the rep's order, with when each was found missing.
pub(crate) fn folders(conn: &Connection) -> Result<Vec<(PathBuf, Option<i64>)>> {
    let mut stmt = conn.prepare("SELECT path, missing_since FROM folders ORDER BY position")?;
    let rows = stmt
        .query_map([], |r| Ok((path_from(r.get(0)?), r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Replaces the folder list and deletes the rows `removed` in one transaction.
pub(crate) fn save_folders(
    conn: &mut Connection,
    folders: &[PathBuf],
    removed: &[Row],
) -> Result<()> {
    let tx = conn.transaction()?;
    let keep: Vec<Vec<u8>> = folders.iter().map(|f| path_bytes(f)).collect();
    {
        let mut existing = tx.prepare("SELECT path FROM folders")?;
        let old: Vec<Vec<u8>> = existing
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for path in old.iter().filter(|p| !keep.contains(p)) {
            tx.execute("DELETE FROM folders WHERE path = ?1", params![path])?;
        }
    }
    for (position, path) in keep.iter().enumerate() {
        tx.execute(
            "INSERT INTO folders (path, position) VALUES (?1, ?2)
             ON CONFLICT (path) DO UPDATE SET position = excluded.position",
            params![path, i64::try_from(position).unwrap_or(i64::MAX)],
        )?;
    }
    for row in removed {
        tx.execute(
            "DELETE FROM files WHERE path = ?1 AND content_key = ?2",
            params![path_bytes(&row.path), row.content_key],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub(crate) fn set_missing(conn: &Connection, folder: &Path, since: Option<i64>) -> Result<()> {
    conn.execute(
        "UPDATE folders SET missing_since = ?2 WHERE path = ?1",
        params![path_bytes(folder), since],
    )?;
    Ok(())
}

/// (files, failed) counted per folder.
pub(crate) fn folder_counts(conn: &Connection, folder: &Path) -> Result<(u64, u64)> {
    Ok(conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE status = 'failed') FROM files WHERE folder = ?1",
        params![path_bytes(folder)],
        |r| {
            Ok((
                u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            ))
        },
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn under_range_selects_children_only() {
        let mut conn = Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let sep = std::path::MAIN_SEPARATOR;
        let names = [
            format!("{sep}a"),
            format!("{sep}a{sep}x.md"),
            format!("{sep}a{sep}b{sep}y.md"),
            format!("{sep}a b{sep}z.md"),
            format!("{sep}a-c.md"),
            format!("{sep}ab{sep}w.md"),
        ];
        for (i, name) in names.iter().enumerate() {
            let row = Row {
                path: PathBuf::from(name),
                folder: PathBuf::from(format!("{sep}")),
                size: 1,
                mtime_ns: 1,
                sha256: None,
                status: FileStatus::Indexed,
                error: None,
                error_kind: None,
                content_key: format!("k{i}"),
                updated_at: 0,
            };
            put(&mut conn, &row, None).unwrap();
        }
        let found: Vec<String> = at_or_under(&conn, Path::new(&format!("{sep}a")))
            .unwrap()
            .into_iter()
            .map(|r| r.path.to_string_lossy().into_owned())
            .collect();
        let mut want = names[..3].to_vec();
        want.sort();
        assert_eq!(found, want);
    }

    #[test]
    fn put_takes_over_a_renamed_rows_key() {
        let mut conn = Connection::open_in_memory().unwrap();
        MIGRATIONS.to_latest(&mut conn).unwrap();
        let mut row = Row {
            path: PathBuf::from("/f/old.md"),
            folder: PathBuf::from("/f"),
            size: 1,
            mtime_ns: 1,
            sha256: Some("aa".into()),
            status: FileStatus::Indexed,
            error: None,
            error_kind: None,
            content_key: "k".into(),
            updated_at: 0,
        };
        put(&mut conn, &row, None).unwrap();
        row.path = PathBuf::from("/f/new.md");
        put(&mut conn, &row, Some(Path::new("/f/old.md"))).unwrap();
        let all = all(&conn, None).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].path, PathBuf::from("/f/new.md"));
        assert_eq!(all[0].content_key, "k");
    }
}
