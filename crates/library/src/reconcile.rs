//! Reconciling files with the state database, for a full scan and for a watcher's batch alike:
//! plan (which files to look at, which rows may be gone, which paths were renamed), execute
//! (one file at a time under the work lock: unchanged, touched, read, failed, skipped), then
//! finish (rows whose file is really gone are removed, unless their folder is missing).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use closer_extract::{ExtractError, Extracted};
use sha2::{Digest, Sha256};

use crate::db::{self, Row};
use crate::error::Result;
use crate::filter::{self, Verdict};
use crate::{lock, owner, FileStatus, LibraryDoc, LibraryEvent, LibrarySink, ScanReport, Shared};

/// At most this long between two progress events (a single long file aside).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Hands `e` to the sink; a sink that panics is logged, never allowed to stop the library.
pub(crate) fn emit(sink: &dyn LibrarySink, e: LibraryEvent) {
    if catch_unwind(AssertUnwindSafe(|| sink.event(e))).is_err() {
        tracing::error!("the library's event sink panicked; the event was dropped");
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn mtime_ns(meta: &Metadata) -> i64 {
    match meta.modified() {
        Ok(t) => match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_nanos()).unwrap_or(i64::MAX),
        },
        Err(_) => 0,
    }
}

fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A failed row worth trying again even when the file did not change: I/O errors (a permission
/// fixed with chmod does not change the modification time).
fn retry(row: &Row) -> bool {
    row.status == FileStatus::Failed && row.error_kind.as_deref() == Some("io")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A full reconcile: missing folders are reported every time.
    Scan,
    /// A watcher's batch: missing folders are reported when they go missing.
    Watch,
}

/// The files a run looks at, each with its library folder.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    present: BTreeMap<PathBuf, PathBuf>,
}

/// The content key a file gets, and what it had before.
struct Key {
    key: String,
    /// The row whose key this is, at another path (a rename).
    replaces: Option<PathBuf>,
    /// Where the key's content item was (`None`: no content item existed).
    had_content: Option<PathBuf>,
}

/// Size, time and hash of the bytes that were read.
struct Stat {
    size: u64,
    mtime_ns: i64,
    sha256: Option<String>,
}

pub(crate) struct Run<'a> {
    shared: &'a Shared,
    sink: &'a dyn LibrarySink,
    stop: &'a AtomicBool,
    mode: Mode,
    report: ScanReport,
    /// Rows whose file was not where they say, by path: removed at the end unless a renamed
    /// file takes their key first or their folder is missing.
    missing: BTreeMap<PathBuf, Row>,
    /// Paths of `missing` rows by hash, to find a file moved without a rename event.
    by_hash: HashMap<String, Vec<PathBuf>>,
    /// New path → old path, from rename events.
    renamed: HashMap<PathBuf, PathBuf>,
    /// Files that changed while being read, with their folder: looked at again later.
    pub(crate) unstable: Vec<(PathBuf, PathBuf)>,
    /// Read a file even if it changes while being read (the last try).
    pub(crate) accept_unstable: bool,
    folders_reported: HashSet<PathBuf>,
    /// Folders walked whole: checked again at the end (one may vanish mid-scan).
    walked: Vec<PathBuf>,
    show_progress: bool,
    last_progress: Option<Instant>,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        shared: &'a Shared,
        sink: &'a dyn LibrarySink,
        stop: &'a AtomicBool,
        mode: Mode,
    ) -> Run<'a> {
        Run {
            shared,
            sink,
            stop,
            mode,
            report: ScanReport::default(),
            missing: BTreeMap::new(),
            by_hash: HashMap::new(),
            renamed: HashMap::new(),
            unstable: Vec::new(),
            accept_unstable: false,
            folders_reported: HashSet::new(),
            walked: Vec::new(),
            show_progress: mode == Mode::Scan,
            last_progress: None,
        }
    }

    pub(crate) fn into_report(self) -> ScanReport {
        self.report
    }

    fn progress(&mut self, done: u64, total: u64, force: bool) {
        if !self.show_progress {
            return;
        }
        let now = Instant::now();
        let due = self
            .last_progress
            .is_none_or(|last| now.duration_since(last) >= PROGRESS_EVERY);
        if force || due || done == total {
            self.last_progress = Some(now);
            emit(self.sink, LibraryEvent::Progress { done, total });
        }
    }

    // -----------------------------------------------------------------------------------------
    // Folders

    /// Records that `folder` is missing; reports it once per run in a scan, on the change
    /// while watching.
    pub(crate) fn folder_gone(&mut self, folder: &Path) -> Result<()> {
        let was_missing = db::folders(&self.shared.db())?
            .into_iter()
            .any(|(p, since)| p == folder && since.is_some());
        if !was_missing {
            db::set_missing(&self.shared.db(), folder, Some(now_ms()))?;
        }
        if !self.report.missing_folders.iter().any(|f| f == folder) {
            self.report.missing_folders.push(folder.to_path_buf());
        }
        let report = match self.mode {
            Mode::Scan => true,
            Mode::Watch => !was_missing,
        };
        if report && self.folders_reported.insert(folder.to_path_buf()) {
            tracing::info!(folder = %folder.display(), "library folder missing");
            emit(
                self.sink,
                LibraryEvent::FolderMissing {
                    folder: folder.to_path_buf(),
                },
            );
        }
        Ok(())
    }

    /// Records that `folder` is there, reporting it when it had been missing.
    pub(crate) fn folder_present(&mut self, folder: &Path) -> Result<()> {
        let was_missing = db::folders(&self.shared.db())?
            .into_iter()
            .any(|(p, since)| p == folder && since.is_some());
        if was_missing {
            db::set_missing(&self.shared.db(), folder, None)?;
            tracing::info!(folder = %folder.display(), "library folder back");
            emit(
                self.sink,
                LibraryEvent::FolderAvailable {
                    folder: folder.to_path_buf(),
                },
            );
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Plans

    fn add_missing(&mut self, row: Row) {
        if let Some(sha) = &row.sha256 {
            self.by_hash
                .entry(sha.clone())
                .or_default()
                .push(row.path.clone());
        }
        self.missing.insert(row.path.clone(), row);
    }

    /// A walk's outcome: the known `rows` under it whose file it did not find are missing,
    /// the `files` it found are present under `root`.
    fn merge_walk(&mut self, plan: &mut Plan, rows: Vec<Row>, files: Vec<PathBuf>, root: &Path) {
        let found: HashSet<&PathBuf> = files.iter().collect();
        let gone: Vec<Row> = rows
            .into_iter()
            .filter(|r| !found.contains(&r.path))
            .collect();
        for row in gone {
            self.add_missing(row);
        }
        for file in files {
            plan.present.insert(file, root.to_path_buf());
        }
    }

    /// Every file under `folders` (top-level library folders).
    pub(crate) fn plan_folders(&mut self, folders: &[PathBuf]) -> Result<Plan> {
        let mut plan = Plan::default();
        let stop = self.stop;
        for root in folders {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let base = plan.present.len() as u64;
            let walk = filter::walk(root, root, stop, &mut |n| {
                self.progress(0, base + n as u64, false)
            });
            if walk.missing {
                self.folder_gone(root)?;
                continue;
            }
            self.folder_present(root)?;
            self.walked.push(root.clone());
            let rows = db::at_or_under(&self.shared.db(), root)?;
            self.merge_walk(&mut plan, rows, walk.files, root);
        }
        Ok(plan)
    }

    /// The files behind a watcher's events: `dirty` paths (files or folders, present or not)
    /// and `renames` (from, to).
    pub(crate) fn plan_paths(
        &mut self,
        dirty: &BTreeSet<PathBuf>,
        renames: &[(PathBuf, PathBuf)],
    ) -> Result<Plan> {
        let mut plan = Plan::default();
        let folders = self.shared.folders();
        let stop = self.stop;
        for path in dirty {
            let Some(root) = owner(&folders, path).cloned() else {
                continue;
            };
            let rows = db::at_or_under(&self.shared.db(), path)?;
            match fs::metadata(path) {
                Ok(meta) if meta.is_dir() && !filter::hidden_under(&root, path) => {
                    let base = plan.present.len() as u64;
                    let walk = filter::walk(&root, path, stop, &mut |n| {
                        self.progress(0, base + n as u64, false)
                    });
                    self.merge_walk(&mut plan, rows, walk.files, &root);
                    if *path == root {
                        self.folder_present(&root)?;
                    }
                }
                Ok(meta) if meta.is_file() && filter::classify(&root, path) != Verdict::Ignore => {
                    plan.present.insert(path.clone(), root.clone());
                    for row in rows.into_iter().filter(|r| r.path != *path) {
                        self.add_missing(row);
                    }
                }
                _ => {
                    if *path == root && !root.is_dir() {
                        self.folder_gone(&root)?;
                    }
                    for row in rows {
                        self.add_missing(row);
                    }
                }
            }
        }
        for (from, to) in renames {
            if owner(&folders, to).is_none() {
                continue;
            }
            if plan.present.contains_key(from) && !exists_exactly(from) {
                // A change of case on a case-insensitive file system: the old name still
                // opens the file, but the file is at its new name now.
                plan.present.remove(from);
                if let Some(row) = db::get(&self.shared.db(), from)? {
                    self.add_missing(row);
                }
            }
            for row in db::at_or_under(&self.shared.db(), from)? {
                let new = if row.path == *from {
                    to.clone()
                } else if let Ok(relative) = row.path.strip_prefix(from) {
                    to.join(relative)
                } else {
                    continue;
                };
                self.renamed.insert(new, row.path);
            }
        }
        Ok(plan)
    }

    // -----------------------------------------------------------------------------------------
    // Execution

    /// Looks at every planned file, in path order.
    pub(crate) fn execute(&mut self, plan: Plan) -> Result<()> {
        let total = plan.present.len() as u64;
        if self.mode == Mode::Watch {
            self.show_progress = total > 1;
        }
        self.progress(0, total, true);
        for (done, (path, root)) in plan.present.iter().enumerate() {
            if self.stop.load(Ordering::Relaxed) {
                self.report.stopped = true;
                return Ok(());
            }
            self.one(path, root)?;
            self.progress(done as u64 + 1, total, false);
        }
        Ok(())
    }

    /// In a scan, files that kept changing while read are tried again a few times, then read
    /// as they are; then rows whose file is gone are removed.
    pub(crate) fn settle_unstable(&mut self) -> Result<()> {
        for attempt in 0..4 {
            if self.unstable.is_empty() || self.stop.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
            self.accept_unstable = attempt == 3;
            for (path, root) in std::mem::take(&mut self.unstable) {
                self.one(&path, &root)?;
            }
        }
        self.finish()
    }

    /// Removes the rows whose file is really gone, unless its folder is missing.
    pub(crate) fn finish(&mut self) -> Result<()> {
        for root in std::mem::take(&mut self.walked) {
            if !root.is_dir() {
                self.folder_gone(&root)?;
            }
        }
        let folders = self.shared.folders();
        for (path, row) in std::mem::take(&mut self.missing) {
            if self.stop.load(Ordering::Relaxed) {
                self.report.stopped = true;
                break;
            }
            let _work = lock(&self.shared.work);
            if exists_exactly(&path) {
                // It is there after all (recreated, or a walk could not list it): a later event
                // or scan looks at it.
                continue;
            }
            let Some(root) = owner(&folders, &path) else {
                continue;
            };
            if !root.is_dir() {
                self.folder_gone(root)?;
                continue;
            }
            let still = db::get(&self.shared.db(), &path)?;
            if still.is_none_or(|r| r.content_key != row.content_key) {
                continue;
            }
            emit(
                self.sink,
                LibraryEvent::Removed {
                    content_key: row.content_key.clone(),
                    path: path.clone(),
                },
            );
            db::delete(&self.shared.db(), &path, &row.content_key)?;
            self.report.removed += 1;
        }
        Ok(())
    }

    /// Reconciles one file, holding the work lock.
    fn one(&mut self, path: &Path, root: &Path) -> Result<()> {
        let _work = lock(&self.shared.work);
        if !self.shared.folders().iter().any(|f| f == root) {
            return Ok(()); // the folder was removed from the library meanwhile
        }
        let verdict = filter::classify(root, path);
        if verdict == Verdict::Ignore {
            return Ok(());
        }
        let row = db::get(&self.shared.db(), path)?;
        let meta = match fs::metadata(path) {
            Ok(meta) if meta.is_file() => meta,
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.vanished(row),
            Err(source) => {
                let key = self.key_for(path, row.as_ref(), None)?;
                let stat = Stat {
                    size: row.as_ref().map_or(0, |r| r.size),
                    mtime_ns: -1,
                    sha256: None,
                };
                let error = ExtractError::Io {
                    path: path.to_path_buf(),
                    source,
                };
                return self.fail(path, root, key, stat, &error);
            }
        };
        self.report.files += 1;
        let (size, mtime_ns) = (meta.len(), mtime_ns(&meta));
        if let Some(r) = &row {
            if r.size == size && r.mtime_ns == mtime_ns && !retry(r) {
                self.report.unchanged += 1;
                return Ok(());
            }
        }
        let mut stat = Stat {
            size,
            mtime_ns,
            sha256: None,
        };
        if verdict == Verdict::Skip {
            let key = self.key_for(path, row.as_ref(), None)?;
            return self.skip(path, root, key, stat);
        }
        let shared = self.shared;
        let limits = &shared.options.limits;
        if size > limits.max_file_bytes {
            let key = self.key_for(path, row.as_ref(), None)?;
            let error = ExtractError::TooLarge {
                bytes: size,
                limit: limits.max_file_bytes,
            };
            return self.fail(path, root, key, stat, &error);
        }
        let bytes = match read_bounded(path, limits.max_file_bytes) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.vanished(row),
            Err(source) => {
                let key = self.key_for(path, row.as_ref(), None)?;
                let error = ExtractError::Io {
                    path: path.to_path_buf(),
                    source,
                };
                return self.fail(path, root, key, stat, &error);
            }
        };
        if !self.accept_unstable && changed(path, size, mtime_ns, bytes.len()) {
            tracing::debug!(path = %path.display(), "file changed while read; later");
            self.report.files -= 1;
            self.unstable.push((path.to_path_buf(), root.to_path_buf()));
            return Ok(());
        }
        let sha = format!("{:x}", Sha256::digest(&bytes));
        if let Some(r) = &row {
            if r.sha256.as_deref() == Some(sha.as_str()) && !retry(r) {
                // Touched (or copied over with the same bytes): nothing to read.
                db::touch(&self.shared.db(), path, size, mtime_ns)?;
                self.report.unchanged += 1;
                return Ok(());
            }
        }
        let key = self.key_for(path, row.as_ref(), Some(&sha))?;
        stat.sha256 = Some(sha);
        self.report.extracted += 1;
        match closer_extract::extract_bytes(&file_name(path), &bytes, limits) {
            Ok(extracted) => self.upsert(path, root, key, stat, extracted),
            Err(error) => self.fail(path, root, key, stat, &error),
        }
    }

    /// A file that vanished before it could be read: its row, if any, may be gone.
    fn vanished(&mut self, row: Option<Row>) -> Result<()> {
        if let Some(row) = row {
            self.add_missing(row);
        }
        Ok(())
    }

    /// The key for the file at `path`: its row's; else that of the row it was renamed from
    /// (a rename event, or the same hash at a path that is gone); else a new one.
    fn key_for(&mut self, path: &Path, row: Option<&Row>, sha: Option<&str>) -> Result<Key> {
        if let Some(r) = row {
            return Ok(Key {
                key: r.content_key.clone(),
                replaces: None,
                had_content: (r.status == FileStatus::Indexed).then(|| r.path.clone()),
            });
        }
        let renamed = self
            .renamed
            .get(path)
            .filter(|old| self.missing.contains_key(*old))
            .cloned();
        let same_bytes = || {
            let sha = sha?;
            self.by_hash.get(sha)?.iter().find(|old| {
                self.missing
                    .get(*old)
                    .is_some_and(|r| r.sha256.as_deref() == Some(sha))
            })
        };
        let candidate = renamed.or_else(|| same_bytes().cloned());
        if let Some(old) = candidate {
            if let Some(old_row) = self.missing.remove(&old) {
                let current = db::get(&self.shared.db(), &old)?;
                let same = current.is_some_and(|c| c.content_key == old_row.content_key);
                if same && !exists_exactly(&old) {
                    tracing::debug!(from = %old.display(), to = %path.display(), "renamed");
                    return Ok(Key {
                        key: old_row.content_key,
                        had_content: (old_row.status == FileStatus::Indexed).then(|| old.clone()),
                        replaces: Some(old),
                    });
                }
            }
        }
        Ok(Key {
            key: uuid::Uuid::now_v7().to_string(),
            replaces: None,
            had_content: None,
        })
    }

    fn row(path: &Path, root: &Path, key: &Key, stat: Stat, status: FileStatus) -> Row {
        Row {
            path: path.to_path_buf(),
            folder: root.to_path_buf(),
            size: stat.size,
            mtime_ns: stat.mtime_ns,
            sha256: stat.sha256,
            status,
            error: None,
            error_kind: None,
            content_key: key.key.clone(),
            updated_at: now_ms(),
        }
    }

    fn upsert(
        &mut self,
        path: &Path,
        root: &Path,
        key: Key,
        stat: Stat,
        extracted: Extracted,
    ) -> Result<()> {
        let inferred =
            closer_extract::infer_metadata(&file_name(path), &extracted.title, &extracted.text);
        let doc = LibraryDoc {
            content_key: key.key.clone(),
            path: path.to_path_buf(),
            folder: root.to_path_buf(),
            title: extracted.title,
            format: extracted.format,
            kind: inferred.kind,
            industries: inferred.industries,
            personas: inferred.personas,
            topics: inferred.topics,
            year: inferred.year,
            text: extracted.text,
            passages: extracted.passages,
            pages: extracted.pages,
            truncated: extracted.truncated,
            size: stat.size,
            modified_at: stat.mtime_ns.div_euclid(1_000_000),
            sha256: stat.sha256.clone().unwrap_or_default(),
        };
        emit(self.sink, LibraryEvent::Upsert(Box::new(doc)));
        let row = Run::row(path, root, &key, stat, FileStatus::Indexed);
        db::put(&mut self.shared.db(), &row, key.replaces.as_deref())?;
        self.report.upserted += 1;
        Ok(())
    }

    /// Reports a content item that no longer has a readable file.
    fn withdraw(&self, key: &Key) {
        if let Some(old) = &key.had_content {
            emit(
                self.sink,
                LibraryEvent::Removed {
                    content_key: key.key.clone(),
                    path: old.clone(),
                },
            );
        }
    }

    fn fail(
        &mut self,
        path: &Path,
        root: &Path,
        key: Key,
        stat: Stat,
        error: &ExtractError,
    ) -> Result<()> {
        let reason = error.to_string();
        tracing::info!(path = %path.display(), kind = error.kind(), %reason, "file not indexed");
        self.withdraw(&key);
        let mut row = Run::row(path, root, &key, stat, FileStatus::Failed);
        row.error = Some(reason.clone());
        row.error_kind = Some(error.kind().to_string());
        db::put(&mut self.shared.db(), &row, key.replaces.as_deref())?;
        emit(
            self.sink,
            LibraryEvent::Failed {
                content_key: key.key.clone(),
                path: path.to_path_buf(),
                reason,
                kind: error.kind().to_string(),
            },
        );
        self.report.failed += 1;
        Ok(())
    }

    fn skip(&mut self, path: &Path, root: &Path, key: Key, stat: Stat) -> Result<()> {
        let name = file_name(path);
        let extension = match name.rfind('.') {
            Some(i) if i > 0 => name[i + 1..].to_ascii_lowercase(),
            _ => String::new(),
        };
        let error = ExtractError::Unsupported { extension };
        let reason = error.to_string();
        self.withdraw(&key);
        let mut row = Run::row(path, root, &key, stat, FileStatus::Skipped);
        row.error = Some(reason.clone());
        row.error_kind = Some(error.kind().to_string());
        db::put(&mut self.shared.db(), &row, key.replaces.as_deref())?;
        emit(
            self.sink,
            LibraryEvent::Skipped {
                content_key: key.key.clone(),
                path: path.to_path_buf(),
                reason,
            },
        );
        self.report.skipped += 1;
        Ok(())
    }
}

/// Whether `path` exists under exactly this name: on a case-insensitive file system (macOS,
/// Windows) `Deck.pdf` still opens after a rename to `deck.pdf`, so the folder is listed.
fn exists_exactly(path: &Path) -> bool {
    if fs::symlink_metadata(path).is_err() {
        return false;
    }
    if cfg!(any(target_os = "macos", target_os = "ios", windows)) {
        if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
            if let Ok(entries) = fs::read_dir(parent) {
                return entries.flatten().any(|e| e.file_name() == name);
            }
        }
    }
    true
}

/// Whether the file changed while it was read (a copy or save still in progress).
fn changed(path: &Path, size: u64, mtime: i64, read: usize) -> bool {
    match fs::metadata(path) {
        Ok(after) => after.len() != size || mtime_ns(&after) != mtime || read as u64 != size,
        Err(_) => true,
    }
}
