//! Content search and the library folders, composed: the store's content items feed the
//! search index (`closer-search`, hybrid BM25 + local vectors), and the watched folders
//! (`closer-library`) feed both.
//!
//! - [`Closer::start_content_index`] runs once on a thread of its own: it loads the
//!   embedding model (if installed), opens the index, brings it in step with the store
//!   (unchanged items are not read again), then watches the library folders. Until the
//!   index is ready, search answers from the store's keyword index: nothing ever waits.
//! - A file saved in a watched folder becomes (or updates) a content item in the store and
//!   in the index; a deleted file removes its item; an unreadable one is a row with a
//!   reason in [`Closer::library_overview`]. Metadata a rep edited by hand is kept when
//!   the file changes.
//! - Online, [`Closer::rerank_search`] asks Claude (Haiku tier, through the gateway) to
//!   judge the top results; offline, the local `why` and the highlighted passages stand.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use closer_ai::{rerank_order, QueryUnderstanding, RerankCandidate, SearchVocabulary};
use closer_embed::Embedder;
use closer_library::{FileStatus, Library, LibraryDoc, LibraryEvent, LibrarySink, WatchHandle};
use closer_search::{DealNeed, Hit, MatchedPassage, Mode, SearchContext, SearchIndex};
use closer_store::{content, deals, leads, search};
use closer_types::*;

use crate::{blocking, Closer, CoreError, CoreEvent, Inner, Result};

/// Most content hits a search returns.
const CONTENT_HITS: usize = 12;
/// Candidates sent to Claude for a rerank.
const RERANK_CANDIDATES: usize = 10;
/// The status line while passages are embedded after the words were indexed.
const EMBED_PHASE: &str = "Adding meaning to search";
/// Embedding runs of at least this many items show their progress.
const EMBED_PROGRESS_FROM: usize = 20;

/// Asset kinds as the query parser reads them (`closer_search`'s synonyms), for Claude's
/// query understanding.
const KIND_WORDS: &[&str] = &[
    "case study",
    "deck",
    "one pager",
    "pricing sheet",
    "roi calculator",
    "email template",
    "whitepaper",
    "video",
    "battle card",
];

/// The search with the names Claude read in it that the rep's own words do not already
/// contain, so the local parser (which knows each of them) applies them as facets.
fn with_understanding(query: &str, u: &QueryUnderstanding) -> String {
    let lower = query.to_lowercase();
    let mut out = query.to_string();
    for term in u.terms() {
        if !lower.contains(&term.to_lowercase()) {
            out.push(' ');
            out.push_str(term);
        }
    }
    out
}
/// Cosine similarity from which two items' mean passage vectors count as near-duplicates.
const DUPLICATE_SIMILARITY: f32 = 0.92;
/// Progress events at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The index, the library and where they stand. Lives in [`Inner`].
pub(crate) struct ContentIndex {
    dir: PathBuf,
    model_dir: Option<PathBuf>,
    index: OnceLock<Arc<SearchIndex>>,
    library: Option<Arc<Library>>,
    library_problem: Option<String>,
    status: Mutex<IndexStatus>,
    watch: Mutex<Option<WatchHandle>>,
    started: AtomicBool,
    /// An embedding thread is running; `embed_again` asks it for one more round.
    embedding: AtomicBool,
    embed_again: AtomicBool,
}

impl ContentIndex {
    pub(crate) fn new(data_dir: &Path, model_dir: Option<PathBuf>) -> ContentIndex {
        let dir = data_dir.join("search");
        let (library, library_problem) = match Library::open(&data_dir.join("library.sqlite3")) {
            Ok(l) => (Some(Arc::new(l)), None),
            Err(e) => {
                tracing::error!(error = %e, "the library folders' state could not be opened");
                (None, Some(format!("Library folders are unavailable: {e}")))
            }
        };
        ContentIndex {
            dir,
            model_dir,
            index: OnceLock::new(),
            library,
            library_problem,
            status: Mutex::new(IndexStatus {
                phase: Some("Preparing content search".into()),
                ..IndexStatus::default()
            }),
            watch: Mutex::new(None),
            started: AtomicBool::new(false),
            embedding: AtomicBool::new(false),
            embed_again: AtomicBool::new(false),
        }
    }

    /// The index once opened (library files are written to it from then on).
    fn opened(&self) -> Option<Arc<SearchIndex>> {
        self.index.get().cloned()
    }

    /// The index once it holds the whole store: searches use it from then on.
    fn ready(&self) -> Option<Arc<SearchIndex>> {
        let ready = self.status.lock().map(|s| s.ready).unwrap_or(false);
        if ready {
            self.opened()
        } else {
            None
        }
    }

    pub(crate) fn status(&self) -> IndexStatus {
        let mut s = self.status.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(index) = self.opened() {
            s.items = index.len().unwrap_or(0) as u64;
        }
        s
    }

    fn update(&self, f: impl FnOnce(&mut IndexStatus)) -> IndexStatus {
        match self.status.lock() {
            Ok(mut s) => {
                f(&mut s);
                s.clone()
            }
            Err(_) => IndexStatus::default(),
        }
    }
}

/// Loads the model; `Err` is the sentence the rep sees about why search is keyword-only.
fn load_model(dir: Option<&Path>) -> std::result::Result<Arc<Embedder>, String> {
    let Some(dir) = dir else {
        return Err(
            "Semantic search is off: no model folder is configured. Keyword search works.".into(),
        );
    };
    let started = Instant::now();
    match Embedder::load(dir) {
        Ok(e) => {
            tracing::info!(ms = started.elapsed().as_millis() as u64, "embedding model loaded");
            Ok(Arc::new(e))
        }
        Err(closer_embed::EmbedError::ModelMissing { .. }) => Err(format!(
            "Semantic search is off: the model is not installed in {} (scripts/fetch-model.sh installs it). Keyword search works.",
            dir.display()
        )),
        Err(e) => Err(format!(
            "Semantic search is off: the model could not be loaded ({e}). Keyword search works."
        )),
    }
}

/// Opens the index; a damaged file is set aside and rebuilt (it is derived data).
fn open_index(
    dir: &Path,
    embedder: Option<Arc<Embedder>>,
) -> std::result::Result<SearchIndex, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(closer_search::INDEX_FILE);
    match SearchIndex::open(&path, embedder.clone()) {
        Ok(i) => Ok(i),
        Err(first) => {
            tracing::warn!(error = %first, "search index unreadable; rebuilding it");
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", path.display()));
                let _ = std::fs::remove_file(p);
            }
            SearchIndex::open(&path, embedder).map_err(|e| e.to_string())
        }
    }
}

/// A content item made from a library file. A new item takes the metadata inferred from the
/// file; an existing one keeps its metadata (a rep may have edited it) and takes the new
/// title, text and path.
fn item_from_doc(
    tx: &rusqlite::Transaction,
    doc: &LibraryDoc,
    now: Millis,
) -> closer_store::Result<ContentItem> {
    let kind = doc
        .kind
        .as_deref()
        .and_then(<ContentKind as EnumText>::parse)
        .unwrap_or_default();
    let source_path = Some(doc.path.display().to_string());
    match content::get(tx, &doc.content_key) {
        Ok(existing) => {
            let draft = ContentDraft {
                title: doc.title.clone(),
                kind: existing.kind,
                industries: existing.industries.clone(),
                personas: existing.personas.clone(),
                topics: existing.topics.clone(),
                body: doc.text.clone(),
                source_path,
            };
            content::update(tx, &doc.content_key, &draft, now)
        }
        Err(closer_store::StoreError::NotFound { .. }) => {
            let item = ContentItem {
                id: doc.content_key.clone(),
                title: doc.title.clone(),
                kind,
                industries: doc.industries.clone(),
                personas: doc.personas.clone(),
                topics: doc.topics.clone(),
                body: doc.text.clone(),
                source_path,
                stats: ContentStats::default(),
                created_at: now,
                updated_at: now,
            };
            content::insert(tx, &item)?;
            Ok(item)
        }
        Err(e) => Err(e),
    }
}

/// Where the library's events go: the store, the index, the UI. Holds the workspace weakly
/// so that a closed workspace is not kept alive by its watcher.
struct Sink {
    inner: Weak<Inner>,
    last_progress: Mutex<Option<Instant>>,
}

impl LibrarySink for Sink {
    fn event(&self, e: LibraryEvent) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let closer = Closer { inner };
        closer.on_library_event(e, &self.last_progress);
    }
}

fn spans(p: &MatchedPassage) -> Vec<TextSpan> {
    let mut out = Vec::new();
    let mut at = 0;
    for &(s, e) in &p.highlights {
        if s < at || e > p.text.len() || !p.text.is_char_boundary(s) || !p.text.is_char_boundary(e)
        {
            continue;
        }
        if s > at {
            out.push(TextSpan {
                text: p.text[at..s].to_string(),
                hit: false,
            });
        }
        out.push(TextSpan {
            text: p.text[s..e].to_string(),
            hit: true,
        });
        at = e;
    }
    if at < p.text.len() {
        out.push(TextSpan {
            text: p.text[at..].to_string(),
            hit: false,
        });
    }
    out
}

/// The palette's snippet: the best passage cut around its first highlight.
fn snippet(p: &MatchedPassage) -> Vec<TextSpan> {
    const BEFORE: usize = 60;
    const TOTAL: usize = 240;
    let start = p
        .highlights
        .first()
        .map_or(0, |&(s, _)| s.saturating_sub(BEFORE));
    let mut start = start.min(p.text.len());
    while !p.text.is_char_boundary(start) {
        start -= 1;
    }
    // Start on a word.
    if start > 0 {
        if let Some(sp) = p.text[start..].find(' ') {
            if sp < 20 {
                start += sp + 1;
            }
        }
    }
    let mut end = (start + TOTAL).min(p.text.len());
    while !p.text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = MatchedPassage {
        idx: p.idx,
        heading: None,
        text: p.text[start..end].to_string(),
        highlights: p
            .highlights
            .iter()
            .filter(|&&(s, e)| s >= start && e <= end)
            .map(|&(s, e)| (s - start, e - start))
            .collect(),
    };
    let mut out = spans(&cut);
    if start > 0 {
        out.insert(
            0,
            TextSpan {
                text: "…".into(),
                hit: false,
            },
        );
    }
    if end < p.text.len() {
        out.push(TextSpan {
            text: "…".into(),
            hit: false,
        });
    }
    out
}

fn kind_label(k: ContentKind) -> &'static str {
    match k {
        ContentKind::CaseStudy => "Case study",
        ContentKind::Deck => "Deck",
        ContentKind::OnePager => "One-pager",
        ContentKind::PricingSheet => "Pricing sheet",
        ContentKind::RoiCalculator => "ROI calculator",
        ContentKind::EmailTemplate => "Email template",
        ContentKind::Whitepaper => "Whitepaper",
        ContentKind::Video => "Video",
        ContentKind::Battlecard => "Battle card",
        ContentKind::Other => "Asset",
    }
}

fn content_hit(h: &Hit, item: Option<ContentItem>) -> SearchHit {
    let (source_path, industries, personas) = match item {
        Some(i) => (i.source_path, i.industries, i.personas),
        None => (None, Vec::new(), Vec::new()),
    };
    SearchHit {
        kind: SearchKind::Content,
        id: h.content_id.clone(),
        title: h.title.clone(),
        subtitle: kind_label(h.kind).to_string(),
        snippet: h.passages.first().map(snippet).unwrap_or_default(),
        rank: -f64::from(h.score),
        detail: Some(ContentMatch {
            matched: h.matched.clone(),
            why: h.why.clone(),
            how_to_use: None,
            relevance: None,
            source_path,
            passages: h.passages.iter().map(spans).collect(),
            industries,
            personas,
        }),
    }
}

/// The open deal as search context: its lead's industry and its competitors.
fn search_context(
    c: &rusqlite::Connection,
    deal_id: Option<&str>,
) -> closer_store::Result<(SearchContext, Option<String>)> {
    let mut ctx = SearchContext {
        now_millis: now_millis(),
        ..SearchContext::default()
    };
    let Some(id) = deal_id else {
        return Ok((ctx, None));
    };
    let detail = deals::detail(c, id)?;
    ctx.deal_industry = detail.lead.as_ref().and_then(|l| l.industry.clone());
    ctx.deal_competitors = detail.deal.competitors.clone();
    let mut line = detail.deal.name.clone();
    if let Some(i) = &ctx.deal_industry {
        line.push_str(&format!(" · industry {i}"));
    }
    if !ctx.deal_competitors.is_empty() {
        line.push_str(&format!(
            " · competing with {}",
            ctx.deal_competitors.join(", ")
        ));
    }
    line.push_str(&format!(" · stage {:?}", detail.deal.stage));
    Ok((ctx, Some(line)))
}

impl Closer {
    fn content_index(&self) -> &ContentIndex {
        &self.inner.content
    }

    fn emit_index_status(&self, status: IndexStatus) {
        self.emit(CoreEvent::IndexStatus(status));
    }

    /// Builds the content index and starts watching the library folders, on a thread of its
    /// own. Idempotent; returns at once. Searches use the store's keyword index until the
    /// content index is ready.
    pub fn start_content_index(&self) {
        if self.content_index().started.swap(true, Ordering::SeqCst) {
            return;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("closer-content-index".into())
            .spawn(move || me.build_content_index());
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the content indexer");
        }
    }

    fn build_content_index(&self) {
        let ci = self.content_index();
        let status = ci.update(|s| s.phase = Some("Loading the search model".into()));
        self.emit_index_status(status);
        let (embedder, problem) = match load_model(ci.model_dir.as_deref()) {
            Ok(e) => (Some(e), None),
            Err(why) => {
                tracing::warn!(%why, "semantic search unavailable");
                (None, Some(why))
            }
        };
        let semantic = embedder.is_some();
        let index = match open_index(&ci.dir, embedder) {
            Ok(i) => Arc::new(i),
            Err(e) => {
                let status = ci.update(|s| {
                    s.phase = None;
                    s.problem = Some(format!(
                        "Content search uses keywords only: the index could not be opened ({e})."
                    ));
                });
                self.emit_index_status(status);
                return;
            }
        };
        let _ = ci.index.set(index.clone());
        let status = ci.update(|s| {
            s.semantic = semantic;
            s.problem = problem;
        });
        self.emit_index_status(status);
        // Watch first: a file saved while the library is first indexed is read at once.
        if let Some(library) = &ci.library {
            let sink = Arc::new(Sink {
                inner: Arc::downgrade(&self.inner),
                last_progress: Mutex::new(None),
            });
            match library.watch(sink) {
                Ok(h) => {
                    if let Ok(mut w) = ci.watch.lock() {
                        *w = Some(h);
                    }
                }
                Err(e) => tracing::error!(error = %e, "library folders not watched"),
            }
        }
        if let Err(e) = self.sync_index_with_store(&index) {
            tracing::error!(error = %e, "content index not brought in step with the store");
        }
        let status = ci.update(|s| {
            s.ready = true;
            s.phase = None;
        });
        self.emit_index_status(status);
        self.embed_in_background(index);
    }

    /// Indexes every content item of the store (unchanged ones cost a hash) and drops the
    /// index's items the store no longer has.
    fn sync_index_with_store(&self, index: &SearchIndex) -> Result<()> {
        let items = self
            .inner
            .store
            .read(|c| content::for_context(c, None, u32::MAX))?;
        let keep: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        for id in index.ids().map_err(search_error)? {
            // Asked again of the store: a library file may have arrived since the snapshot.
            let gone = !keep.contains(id.as_str())
                && matches!(
                    self.inner.store.read(|c| content::get(c, &id)),
                    Err(closer_store::StoreError::NotFound { .. })
                );
            if gone {
                index.remove(&id).map_err(search_error)?;
            }
        }
        let total = items.len() as u64;
        let mut last = Instant::now();
        let status = self.content_index().update(|s| {
            s.phase = Some("Indexing the content library".into());
            s.done = 0;
            s.total = total;
        });
        self.emit_index_status(status);
        // Words and facets first (seconds for thousands of items): search is ready and
        // good at once; the vectors follow on the embedding thread, with their own progress.
        index
            .upsert_many_words_first(&items, |done, _| {
                if last.elapsed() >= PROGRESS_EVERY || done as u64 == total {
                    last = Instant::now();
                    let status = self.content_index().update(|s| s.done = done as u64);
                    self.emit_index_status(status);
                }
            })
            .map_err(search_error)?;
        Ok(())
    }

    /// After the store's content changed wholesale (demo reset): the index follows.
    pub(crate) fn reindex_content(&self) {
        let Some(index) = self.content_index().opened() else {
            return;
        };
        let me = self.clone();
        let _ = std::thread::Builder::new()
            .name("closer-reindex".into())
            .spawn(move || {
                if let Err(e) = me.sync_index_with_store(&index) {
                    tracing::error!(error = %e, "content index not brought in step with the store");
                }
                let status = me.content_index().update(|s| s.phase = None);
                me.emit_index_status(status);
                me.embed_in_background(index);
            });
    }

    /// Embeds the passages of items indexed by words only, on one thread at a time, so the
    /// library's thread goes straight on to the next file.
    fn embed_in_background(&self, index: Arc<SearchIndex>) {
        let ci = self.content_index();
        ci.embed_again.store(true, Ordering::SeqCst);
        if ci.embedding.swap(true, Ordering::SeqCst) {
            return; // the running thread sees `embed_again`
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("closer-embed".into())
            .spawn(move || {
                let ci = me.content_index();
                let mut last: Option<Instant> = None;
                let mut shown = false;
                loop {
                    ci.embed_again.store(false, Ordering::SeqCst);
                    // Progress for a library's worth (a first index, a demo reset); a file
                    // or two just saved is too quick to announce.
                    let embedded = index.embed_missing(|done, total| {
                        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
                        if total < EMBED_PROGRESS_FROM || !due {
                            return;
                        }
                        last = Some(Instant::now());
                        shown = true;
                        let status = ci.update(|s| {
                            s.phase = Some(EMBED_PHASE.into());
                            s.done = done as u64;
                            s.total = total as u64;
                        });
                        me.emit_index_status(status);
                    });
                    if let Err(e) = embedded {
                        tracing::warn!(error = %e, "library files not embedded yet");
                    }
                    if shown {
                        shown = false;
                        let status = ci.update(|s| {
                            if s.phase.as_deref() == Some(EMBED_PHASE) {
                                s.phase = None;
                            }
                        });
                        me.emit_index_status(status);
                    }
                    if ci.embed_again.load(Ordering::SeqCst) {
                        continue;
                    }
                    ci.embedding.store(false, Ordering::SeqCst);
                    // A request that came between the check and the release is ours.
                    if !ci.embed_again.load(Ordering::SeqCst)
                        || ci.embedding.swap(true, Ordering::SeqCst)
                    {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            ci.embedding.store(false, Ordering::SeqCst);
            tracing::warn!(error = %e, "could not start the embedding thread");
        }
    }

    fn on_library_event(&self, e: LibraryEvent, last_progress: &Mutex<Option<Instant>>) {
        let index = self.content_index().opened();
        match e {
            LibraryEvent::Progress { done, total } => {
                let finished = done == total;
                let due = last_progress.lock().map_or(true, |mut l| {
                    let due = finished || l.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
                    if due {
                        *l = Some(Instant::now());
                    }
                    due
                });
                if due {
                    let status = self.content_index().update(|s| {
                        // While the store is first indexed, that is the progress shown.
                        if s.ready {
                            s.phase =
                                (!finished).then(|| "Reading the library folders".to_string());
                            s.done = done;
                            s.total = total;
                        }
                    });
                    self.emit_index_status(status);
                }
            }
            LibraryEvent::Upsert(doc) => {
                let now = now_millis();
                let saved = self.inner.store.write(|tx| item_from_doc(tx, &doc, now));
                match saved {
                    Ok(item) => {
                        // Words first (searchable at once), then the vectors.
                        if let Some(index) = &index {
                            if let Err(e) = index.upsert_words_first(&item) {
                                tracing::error!(error = %e, "library file not indexed");
                            } else {
                                self.embed_in_background(index.clone());
                            }
                        }
                        tracing::info!(path = %doc.path.display(), "library file indexed");
                        self.emit(CoreEvent::WorkspaceChanged {
                            reason: "content library".into(),
                        });
                    }
                    Err(e) => {
                        tracing::error!(error = %e, path = %doc.path.display(), "library file not saved")
                    }
                }
            }
            LibraryEvent::Removed { content_key, .. } => {
                match self
                    .inner
                    .store
                    .write(|tx| content::delete(tx, &content_key))
                {
                    Ok(()) | Err(closer_store::StoreError::NotFound { .. }) => {}
                    Err(e) => tracing::error!(error = %e, "library item not deleted"),
                }
                if let Some(index) = &index {
                    if let Err(e) = index.remove(&content_key) {
                        tracing::error!(error = %e, "library item not removed from the index");
                    }
                }
                self.emit(CoreEvent::WorkspaceChanged {
                    reason: "content library".into(),
                });
            }
            LibraryEvent::Failed { path, reason, .. } => {
                tracing::warn!(path = %path.display(), %reason, "library file not read");
                self.emit(CoreEvent::WorkspaceChanged {
                    reason: "content library".into(),
                });
            }
            LibraryEvent::Skipped { .. }
            | LibraryEvent::FolderMissing { .. }
            | LibraryEvent::FolderAvailable { .. }
            | LibraryEvent::WatchFailed { .. } => {
                self.emit(CoreEvent::WorkspaceChanged {
                    reason: "content library".into(),
                });
            }
        }
    }

    // ---- search ----------------------------------------------------------------

    /// Search from the palette: content through the hybrid index (keywords and meaning,
    /// with the open deal's industry and competitors as context), battle cards and leads
    /// through the store's keyword index. Any text is accepted.
    pub async fn search(
        &self,
        query: String,
        limit: u32,
        deal_id: Option<Id>,
    ) -> Result<SearchResults> {
        let limit = limit.clamp(1, 100);
        let index = self.content_index().ready();
        let status = self.content_index().status();
        let store = self.inner.store.clone();
        blocking(move || {
            let started = Instant::now();
            let (ctx, hits) = store.read(|c| {
                let (ctx, _) = match search_context(c, deal_id.as_deref()) {
                    Ok(x) => x,
                    // A deal deleted meanwhile: search without it.
                    Err(closer_store::StoreError::NotFound { .. }) => search_context(c, None)?,
                    Err(e) => return Err(e),
                };
                Ok((ctx, search::search(c, &query, limit)?))
            })?;
            let found = index.as_ref().map(|index| {
                index.search(&query, &ctx, Mode::Hybrid, CONTENT_HITS.min(limit as usize))
            });
            let (hits, semantic) = match (&index, found) {
                (Some(_), Some(Err(e))) => {
                    // The store's keyword index still answers: a rep is never left empty-handed.
                    tracing::error!(error = %e, "content index search failed; keyword results");
                    (hits, false)
                }
                (Some(index), Some(Ok(found))) => {
                    let items = store.read(|c| {
                        found
                            .iter()
                            .map(|h| content::get(c, &h.content_id).map(Some).or(Ok(None)))
                            .collect::<closer_store::Result<Vec<_>>>()
                    })?;
                    let mut out: Vec<SearchHit> = found
                        .iter()
                        .zip(items)
                        .map(|(h, it)| content_hit(h, it))
                        .collect();
                    out.extend(hits.into_iter().filter(|h| h.kind != SearchKind::Content));
                    (out, index.semantic_available())
                }
                _ => (hits, false),
            };
            let note = if index.is_none() {
                Some(match &status.phase {
                    _ if status.problem.is_some() && status.phase.is_none() => {
                        status.problem.clone().unwrap_or_default()
                    }
                    Some(p) if status.total > 0 => format!(
                        "{p}: {} of {}. Matching by keywords meanwhile.",
                        status.done, status.total
                    ),
                    _ => "The content index is being prepared. Matching by keywords meanwhile."
                        .into(),
                })
            } else {
                status.problem.clone()
            };
            Ok(SearchResults {
                query,
                hits,
                took_ms: started.elapsed().as_secs_f64() * 1000.0,
                semantic,
                note,
            })
        })
        .await
    }

    /// Claude's second look at the content results for `query`: the local top results,
    /// judged and annotated (why it fits, how to use it in the open deal), best first.
    /// Offline, without a key or over budget this is an error the palette shows beside the
    /// local results, which stay as they are.
    pub async fn rerank_search(
        &self,
        query: String,
        deal_id: Option<Id>,
    ) -> Result<RerankedResults> {
        let ai = self.ai()?;
        let Some(index) = self.content_index().ready() else {
            return Err(CoreError::Search(
                "The content index is still being prepared; try again in a moment.".into(),
            ));
        };
        // Claude reads the search in the library's terms first; if it cannot, the local
        // parser's reading stands and the rerank still runs.
        let vocab = SearchVocabulary {
            kinds: KIND_WORDS,
            industries: INDUSTRIES,
            personas: PERSONAS,
            concerns: closer_search::CONCERNS,
        };
        let understood = match ai.ai.understand_query(&query, &vocab).await {
            Ok((u, _)) => u,
            Err(e) => {
                tracing::info!(error = %e, "no query understanding; the local reading stands");
                QueryUnderstanding::default()
            }
        };
        let store = self.inner.store.clone();
        let q = with_understanding(&query, &understood);
        let understood: Vec<String> = understood.terms().map(str::to_string).collect();
        let (hits, deal_line, candidates) = blocking(move || {
            let (ctx, deal_line) = store.read(|c| match search_context(c, deal_id.as_deref()) {
                Err(closer_store::StoreError::NotFound { .. }) => search_context(c, None),
                other => other,
            })?;
            let found = index
                .search(&q, &ctx, Mode::Hybrid, RERANK_CANDIDATES)
                .map_err(search_error)?;
            let items = store.read(|c| {
                found
                    .iter()
                    .map(|h| content::get(c, &h.content_id))
                    .collect::<closer_store::Result<Vec<_>>>()
            })?;
            let candidates: Vec<RerankCandidate> = found
                .iter()
                .zip(&items)
                .map(|(h, it)| {
                    RerankCandidate::new(
                        it,
                        &kind_label(h.kind).to_lowercase(),
                        h.passages.iter().map(|p| p.text.as_str()),
                    )
                })
                .collect();
            let hits: Vec<SearchHit> = found
                .iter()
                .zip(items)
                .map(|(h, it)| content_hit(h, Some(it)))
                .collect();
            Ok((hits, deal_line, candidates))
        })
        .await?;
        if candidates.is_empty() {
            return Ok(RerankedResults {
                query,
                hits,
                stale: false,
                understood,
            });
        }
        let (judged, stale) = ai
            .ai
            .rerank(&query, deal_line.as_deref(), &candidates)
            .await?;
        let hits = rerank_order(&judged)
            .into_iter()
            .filter_map(|i| {
                let mut hit = hits.get(i)?.clone();
                let j = &judged[i];
                if let Some(d) = hit.detail.as_mut() {
                    d.why = j.why.clone();
                    d.how_to_use = Some(j.how_to_use.clone());
                    d.relevance = Some(j.relevance);
                }
                Some(hit)
            })
            .collect();
        Ok(RerankedResults {
            query,
            hits,
            stale,
            understood,
        })
    }

    // ---- library folders ---------------------------------------------------------

    fn library(&self) -> Result<Arc<Library>> {
        self.content_index().library.clone().ok_or_else(|| {
            CoreError::Search(
                self.content_index()
                    .library_problem
                    .clone()
                    .unwrap_or_else(|| "Library folders are unavailable.".into()),
            )
        })
    }

    /// The watched folders, the files that could not be read (with why), and the index.
    pub async fn library_overview(&self) -> Result<LibraryOverview> {
        let library = self.library()?;
        let index = self.content_index().status();
        blocking(move || {
            let folders = library
                .folder_states()
                .map_err(library_error)?
                .into_iter()
                .map(|f| LibraryFolder {
                    path: f.path.display().to_string(),
                    missing: f.missing_since.is_some(),
                    files: f.files,
                    failed: f.failed,
                })
                .collect();
            let issues = library
                .files(None)
                .map_err(library_error)?
                .into_iter()
                .filter(|r| r.status != FileStatus::Indexed)
                .map(|r| LibraryFileIssue {
                    path: r.path.display().to_string(),
                    status: r.status.as_str().into(),
                    reason: r.error.unwrap_or_default(),
                    kind: r.error_kind.unwrap_or_default(),
                })
                .collect();
            Ok(LibraryOverview {
                folders,
                issues,
                index,
            })
        })
        .await
    }

    /// Replaces the watched folders. Each must be an existing folder given by its full
    /// path; a bad one is refused with the reason and nothing changes. Files of removed
    /// folders leave the library; added folders are read in the background.
    pub async fn set_library_folders(&self, folders: Vec<String>) -> Result<LibraryOverview> {
        let library = self.library()?;
        let mut paths = Vec::new();
        let mut errors = Vec::new();
        for (i, f) in folders.iter().enumerate() {
            let p = PathBuf::from(f.trim());
            let field = format!("folders[{i}]");
            if f.trim().is_empty() {
                errors.push(FieldError::new(&field, "a folder path is required"));
            } else if !p.is_absolute() {
                errors.push(FieldError::new(
                    &field,
                    format!("'{f}' is not a full path (start it with /)"),
                ));
            } else if !p.is_dir() {
                errors.push(FieldError::new(
                    &field,
                    format!("'{f}' is not an existing folder"),
                ));
            } else {
                paths.push(p);
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Store(closer_store::StoreError::Invalid(errors)));
        }
        let sink = Sink {
            inner: Arc::downgrade(&self.inner),
            last_progress: Mutex::new(None),
        };
        let started = self.content_index().started.load(Ordering::SeqCst);
        blocking(move || {
            library.set_folders(paths, &sink).map_err(library_error)?;
            // Without a running watcher (tests, or before start-up) read them now.
            if !started {
                library.scan(&sink).map_err(library_error)?;
            }
            Ok(())
        })
        .await?;
        self.library_overview().await
    }

    /// Reads every library folder again now (the "Rescan" button); blocks until done.
    pub async fn rescan_library(&self) -> Result<LibraryOverview> {
        let library = self.library()?;
        let sink = Sink {
            inner: Arc::downgrade(&self.inner),
            last_progress: Mutex::new(None),
        };
        blocking(move || library.scan(&sink).map(|_| ()).map_err(library_error)).await?;
        self.library_overview().await
    }

    /// The file a content item was read from, for "Open file": only a file that exists and
    /// lies in one of the library folders (an item's path is data, never a command).
    pub async fn content_source_file(&self, id: Id) -> Result<PathBuf> {
        let library = self.library()?;
        let item = self.read(move |c| content::get(c, &id)).await?;
        let Some(path) = item.source_path.map(PathBuf::from) else {
            return Err(CoreError::Search(format!(
                "“{}” was not read from a file, so there is nothing to open.",
                item.title
            )));
        };
        let inside = library.folders().iter().any(|f| path.starts_with(f));
        if !inside || !path.is_file() {
            return Err(CoreError::Search(format!(
                "{} is not in a library folder any more (moved or deleted?).",
                path.display()
            )));
        }
        Ok(path)
    }

    // ---- content audit ---------------------------------------------------------------

    /// The content audit: stale items, near-duplicates (by meaning when the model is
    /// loaded, by wording otherwise), gaps where open deals need content that does not
    /// exist, top and under-performers, counts per kind. Computed offline from the store.
    /// Claude's recommendations for the library as audited now; `None` when the audit
    /// found nothing to act on. Offline, an error the audit screen shows beside the audit.
    pub async fn content_audit_advice(&self) -> Result<Option<AuditAdvice>> {
        let ai = self.ai()?;
        let audit = self.content_audit().await?;
        Ok(ai.ai.advise_on_audit(&audit).await?)
    }

    pub async fn content_audit(&self) -> Result<ContentAudit> {
        let index = self.content_index().ready();
        let store = self.inner.store.clone();
        blocking(move || {
            let (items, needs) = store.read(|c| {
                let items = content::for_context(c, None, u32::MAX)?;
                let open = deals::list(
                    c,
                    &DealQuery {
                        text: None,
                        stage: None,
                        open_only: true,
                        offset: 0,
                        limit: 10_000,
                    },
                )?;
                let mut needs = Vec::new();
                for d in open.items {
                    let deal = deals::get(c, &d.id)?;
                    let industry = match &deal.lead_id {
                        Some(id) => leads::find(c, id)?.and_then(|l| l.industry),
                        None => None,
                    };
                    let Some(industry) = industry else { continue };
                    needs.push(DealNeed {
                        industry,
                        personas: deal
                            .stakeholders
                            .iter()
                            .filter_map(|s| s.title.clone())
                            .collect(),
                        amount_cents: deal.amount_cents,
                    });
                }
                Ok((items, needs))
            })?;
            let dupes = match &index {
                Some(index) => index
                    .near_duplicates(DUPLICATE_SIMILARITY, 50)
                    .map_err(search_error)?,
                None => Vec::new(),
            };
            Ok(closer_search::audit(&items, &needs, &dupes, now_millis()))
        })
        .await
    }

    /// Where the content index stands.
    pub fn index_status(&self) -> IndexStatus {
        self.content_index().status()
    }
}

fn search_error(e: closer_search::SearchError) -> CoreError {
    CoreError::Search(format!("Content search failed: {e}"))
}

fn library_error(e: closer_library::LibraryError) -> CoreError {
    CoreError::Search(format!("The library folders could not be read: {e}"))
}
