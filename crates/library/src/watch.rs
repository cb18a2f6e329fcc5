//! The watcher: `notify` events, debounced by `notify-debouncer-full`, handed over a channel to
//! one thread that reconciles them (the debouncer's own thread only forwards, so a slow file
//! never delays the debouncing of others).
//!
//! The channel is unbounded: its messages are batches of paths, as many as the file system
//! produces, and the worker drains all that is waiting into one batch before reconciling.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};

use crate::error::{LibraryError, Result};
use crate::reconcile::{emit, Mode, Run};
use crate::{lock, top_level, LibraryEvent, LibrarySink, Shared};

/// A file still changing while read is looked at again after the debounce time, this many times
/// at most; the last time it is read as it is.
const MAX_ATTEMPTS: u32 = 20;

pub(crate) enum Msg {
    Fs(DebounceEventResult),
    /// The folder list changed.
    Folders,
    Stop,
}

/// A running watcher. Dropping it (or [`WatchHandle::stop`]) stops watching and waits for the
/// file being read, if any, to finish (a read is bounded by [`crate::Limits::timeout`]).
pub struct WatchHandle {
    stop: Arc<AtomicBool>,
    tx: mpsc::Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for WatchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchHandle")
            .field("running", &self.thread.is_some())
            .finish()
    }
}

impl WatchHandle {
    /// Stops watching; returns when the watcher's thread has ended.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.tx.send(Msg::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the library watcher's thread panicked");
            }
        }
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

pub(crate) fn start(shared: Arc<Shared>, sink: Arc<dyn LibrarySink>) -> Result<WatchHandle> {
    let (tx, rx) = mpsc::channel();
    let events = tx.clone();
    // The debouncer ticks every quarter of this; zero would spin.
    let debounce = shared.options.debounce.max(Duration::from_millis(10));
    let debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let _ = events.send(Msg::Fs(result));
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut worker = Worker {
        shared: shared.clone(),
        sink,
        debouncer,
        watched: BTreeSet::new(),
        missing: BTreeSet::new(),
        unwatchable: BTreeSet::new(),
        rx,
        stop: stop.clone(),
        retries: BTreeMap::new(),
        last_poll: Instant::now(),
    };
    // The watches are in place before `watch` returns: a file saved after it is seen.
    worker.sync_watches();
    lock(&shared.watchers).push(tx.clone());
    let thread = std::thread::Builder::new()
        .name("closer-library-watch".into())
        .spawn(move || worker.run())
        .map_err(LibraryError::Thread)?;
    Ok(WatchHandle {
        stop,
        tx,
        thread: Some(thread),
    })
}

/// What the waiting messages add up to.
#[derive(Default)]
struct Batch {
    dirty: BTreeSet<PathBuf>,
    renames: Vec<(PathBuf, PathBuf)>,
    rescan: bool,
    folders: bool,
}

impl Batch {
    fn absorb(&mut self, events: Vec<DebouncedEvent>) {
        for event in events {
            if event.need_rescan() {
                self.rescan = true;
                continue;
            }
            match event.kind {
                // Our own reads open and close files: only a close after writing matters.
                EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
                EventKind::Access(_) | EventKind::Other => continue,
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                    if let [from, to] = event.paths.as_slice() {
                        self.renames.push((from.clone(), to.clone()));
                    }
                }
                _ => {}
            }
            self.dirty.extend(event.event.paths);
        }
    }
}

struct Worker {
    shared: Arc<Shared>,
    sink: Arc<dyn LibrarySink>,
    debouncer: Debouncer,
    /// Top-level folders being watched.
    watched: BTreeSet<PathBuf>,
    /// Folders that are not there: looked for every `folder_poll`.
    missing: BTreeSet<PathBuf>,
    /// Folders that are there but could not be watched (reported once).
    unwatchable: BTreeSet<PathBuf>,
    rx: mpsc::Receiver<Msg>,
    stop: Arc<AtomicBool>,
    /// Files that changed while read: (attempts so far, when to look again).
    retries: BTreeMap<PathBuf, (u32, Instant)>,
    last_poll: Instant,
}

impl Worker {
    fn run(mut self) {
        self.guarded(|w| w.full(&top_level(&w.shared.folders()), Mode::Scan));
        loop {
            let first = match self.rx.recv_timeout(self.next_wake()) {
                Ok(msg) => Some(msg),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            let mut batch = Batch::default();
            let mut next = first;
            while let Some(msg) = next {
                match msg {
                    Msg::Stop => return,
                    Msg::Folders => batch.folders = true,
                    Msg::Fs(Ok(events)) => batch.absorb(events),
                    Msg::Fs(Err(errors)) => self.errors(errors, &mut batch),
                }
                next = self.rx.try_recv().ok();
            }
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            self.guarded(|w| w.handle(batch));
        }
    }

    /// Runs `f`, logging an error or a panic (a bug) instead of ending the watcher.
    fn guarded(&mut self, f: impl FnOnce(&mut Worker) -> Result<()>) {
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "library watcher batch failed"),
            Err(_) => tracing::error!("library watcher batch panicked; watching goes on"),
        }
    }

    fn next_wake(&self) -> Duration {
        let now = Instant::now();
        let poll = self.shared.options.folder_poll;
        let mut wake = poll.saturating_sub(now.duration_since(self.last_poll));
        if let Some(due) = self.retries.values().map(|(_, due)| *due).min() {
            wake = wake.min(due.saturating_duration_since(now));
        }
        wake.max(Duration::from_millis(10))
    }

    fn errors(&mut self, errors: Vec<notify::Error>, batch: &mut Batch) {
        for error in errors {
            tracing::warn!(error = %error, "file watcher error");
            if let notify::ErrorKind::MaxFilesWatch = error.kind {
                for folder in self.watched.clone() {
                    if self.unwatchable.insert(folder.clone()) {
                        emit(
                            &*self.sink,
                            LibraryEvent::WatchFailed {
                                folder,
                                reason: "The system's limit on watched folders is reached; \
                                         changes in some subfolders appear at the next scan"
                                    .into(),
                            },
                        );
                    }
                }
            }
            batch.dirty.extend(error.paths);
        }
    }

    /// Brings the watches in line with the folder list; returns the folders newly watched.
    fn sync_watches(&mut self) -> Vec<PathBuf> {
        let wanted: BTreeSet<PathBuf> = top_level(&self.shared.folders()).into_iter().collect();
        for gone in self
            .watched
            .difference(&wanted)
            .cloned()
            .collect::<Vec<_>>()
        {
            let _ = self.debouncer.unwatch(&gone);
            self.watched.remove(&gone);
        }
        self.missing.retain(|f| wanted.contains(f));
        self.unwatchable.retain(|f| wanted.contains(f));
        let mut added = Vec::new();
        for folder in &wanted {
            if self.watched.contains(folder) || self.unwatchable.contains(folder) {
                continue;
            }
            if !folder.is_dir() {
                self.missing.insert(folder.clone());
                continue;
            }
            match self.debouncer.watch(folder, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.missing.remove(folder);
                    self.watched.insert(folder.clone());
                    added.push(folder.clone());
                }
                Err(e) if !folder.is_dir() => {
                    tracing::debug!(error = %e, "folder vanished before it was watched");
                    self.missing.insert(folder.clone());
                }
                Err(e) => {
                    tracing::warn!(folder = %folder.display(), error = %e, "cannot watch");
                    self.unwatchable.insert(folder.clone());
                    emit(
                        &*self.sink,
                        LibraryEvent::WatchFailed {
                            folder: folder.clone(),
                            reason: format!(
                                "Closer cannot watch this folder for changes ({e}); \
                                 changes appear at the next scan"
                            ),
                        },
                    );
                }
            }
        }
        added
    }

    /// A full reconcile of `folders`.
    fn full(&mut self, folders: &[PathBuf], mode: Mode) -> Result<()> {
        if folders.is_empty() {
            return Ok(());
        }
        let mut run = Run::new(&self.shared, &*self.sink, &self.stop, mode);
        let plan = run.plan_folders(folders)?;
        run.execute(plan)?;
        run.finish()?;
        let unstable = std::mem::take(&mut run.unstable);
        let report = run.into_report();
        self.requeue(unstable);
        for folder in report.missing_folders {
            self.lost(folder);
        }
        Ok(())
    }

    /// A watched folder that is gone: watched again when it is back.
    fn lost(&mut self, folder: PathBuf) {
        if self.watched.remove(&folder) {
            let _ = self.debouncer.unwatch(&folder);
        }
        if top_level(&self.shared.folders()).contains(&folder) {
            self.missing.insert(folder);
        }
    }

    fn requeue(&mut self, unstable: Vec<(PathBuf, PathBuf)>) {
        let now = Instant::now();
        let due = now.checked_add(self.shared.options.debounce).unwrap_or(now);
        for (path, _) in unstable {
            let attempts = self.retries.get(&path).map_or(0, |(n, _)| *n) + 1;
            self.retries.insert(path, (attempts, due));
        }
    }

    fn handle(&mut self, mut batch: Batch) -> Result<()> {
        if batch.folders {
            // Folders new to the list are reconciled whole (reporting them if missing).
            let known: BTreeSet<PathBuf> = (self.watched.iter())
                .chain(&self.missing)
                .chain(&self.unwatchable)
                .cloned()
                .collect();
            self.sync_watches();
            let new: Vec<PathBuf> = top_level(&self.shared.folders())
                .into_iter()
                .filter(|f| !known.contains(f))
                .collect();
            self.full(&new, Mode::Scan)?;
        }
        if batch.rescan {
            tracing::info!("file events were dropped by the system; rescanning");
            self.full(&top_level(&self.shared.folders()), Mode::Watch)?;
            batch.dirty.clear();
        }

        // Files due for another look join the batch; on their last try they are read as is.
        let now = Instant::now();
        let mut accept = false;
        let due: Vec<PathBuf> = self
            .retries
            .iter()
            .filter(|(_, (_, when))| *when <= now)
            .map(|(path, _)| path.clone())
            .collect();
        let mut attempts = BTreeMap::new();
        for path in due {
            if let Some((n, _)) = self.retries.remove(&path) {
                accept |= n >= MAX_ATTEMPTS;
                attempts.insert(path.clone(), n);
                batch.dirty.insert(path);
            }
        }

        if !batch.dirty.is_empty() {
            let mut run = Run::new(&self.shared, &*self.sink, &self.stop, Mode::Watch);
            run.accept_unstable = accept;
            let plan = run.plan_paths(&batch.dirty, &batch.renames)?;
            run.execute(plan)?;
            run.finish()?;
            let unstable = std::mem::take(&mut run.unstable);
            let report = run.into_report();
            for (path, _) in &unstable {
                if let Some(n) = attempts.get(path) {
                    self.retries.insert(path.clone(), (*n, now));
                }
            }
            self.requeue(unstable);
            for folder in report.missing_folders {
                self.lost(folder);
            }
        }

        // Watched folders that went away; missing ones that came back.
        for folder in self.watched.clone() {
            if !folder.is_dir() {
                let mut run = Run::new(&self.shared, &*self.sink, &self.stop, Mode::Watch);
                run.folder_gone(&folder)?;
                self.lost(folder);
            }
        }
        if self.last_poll.elapsed() >= self.shared.options.folder_poll {
            self.last_poll = Instant::now();
            if self.missing.iter().any(|f| f.is_dir()) {
                let back = self.sync_watches();
                self.full(&back, Mode::Watch)?;
            }
        }
        Ok(())
    }
}
