//! [`SearchIndex`]: the index file, the in-memory metadata and vectors, indexing and search.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use closer_embed::{from_blob, to_blob, Embedder, VectorIndex, MODEL_DIR_NAME};
use closer_types::{ContentItem, ContentKind, ContentStats, EnumText};
use rusqlite::{params, Connection, OptionalExtension};

use crate::annotate::{best_excerpt, highlights_with, kind_label, MatchedPassage};
use crate::chunk::{chunk, Chunk};
use crate::db;
use crate::error::{Result, SearchError};
use crate::facets::{
    match_item, FacetMatch, ItemFacets, QueryFacets, COMPETITORS, CONCERNS, INDUSTRIES, PERSONAS,
    REGIMES,
};
use crate::lexicon::Lexicon;
use crate::query::{facets_in, facets_of_phrase, parse_query_with, Facet, ParsedQuery};
use crate::rank::{freshness, win_rate, Mode, Tuning};
use crate::text::{is_stopword, stem, tokenize, Fnv};

/// Bumped whenever chunking or the indexed text changes, so every item is rebuilt.
const FORMAT_VERSION: &str = "closer-search/1";
/// Items embedded and written per transaction by [`SearchIndex::upsert_many`].
const BATCH_ITEMS: usize = 16;
/// Longest query read; the rest is ignored.
const MAX_QUERY_CHARS: usize = 1_000;
/// Most phrases sent to FTS5 for one query.
const MAX_TERMS: usize = 64;
/// A term in more than this share of passages weighs ~nothing in BM25 (FTS5 clamps its
/// idf to 1e-6) but costs a scan of most of the index: it is left out of the query.
const COMMON_TERM_SHARE: f64 = 0.5;
/// The passages that a query's synonyms may match, in all, as a share of the index.
const SYNONYM_POSTINGS_SHARE: f64 = 1.0;

/// What a search is for: the open deal (if any) and the clock. Usage and win counts come
/// from the `stats` of the items as last upserted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchContext {
    pub deal_industry: Option<String>,
    pub deal_competitors: Vec<String>,
    pub now_millis: i64,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub content_id: String,
    pub title: String,
    pub kind: ContentKind,
    /// Higher is better; comparable only within one result list.
    pub score: f32,
    /// The passages that matched best (keyword match first, then the semantic one).
    pub passages: Vec<MatchedPassage>,
    /// The item's metadata values the query matched, for chips: "case study",
    /// "Healthcare", "CFO", "ROI", "HIPAA", "Vantage BI".
    pub matched: Vec<String>,
    /// One line on why the item fits, made offline: the matched facets and the best
    /// sentence of the best passage.
    pub why: String,
}

/// How passages are turned into vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedText {
    /// The passage alone.
    Passage,
    /// The item's title, then the passage's heading and text: the vector knows what the
    /// passage is part of.
    TitleAndPassage,
    /// Title, a line of metadata (kind, industries, personas, topics), then the passage.
    TitleMetaAndPassage,
}

/// Index-time choices (changing one rebuilds every item on its next upsert).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    pub embed_text: EmbedText,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            embed_text: EmbedText::TitleMetaAndPassage,
        }
    }
}

struct Item {
    title: String,
    kind: ContentKind,
    industries: Vec<String>,
    personas: Vec<String>,
    topics: Vec<String>,
    mentions: Vec<String>,
    facets: ItemFacets,
    stats: ContentStats,
    created_at: i64,
    updated_at: i64,
    hash: u64,
    embedded: bool,
    passages: usize,
}

struct State {
    items: HashMap<String, Item>,
    vectors: VectorIndex,
    lexicon: Lexicon,
    passage_rows: usize,
    max_uses: u32,
}

/// The content search index: one SQLite file (derived from the content library, safe to
/// delete and rebuild) plus metadata and passage vectors held in memory.
///
/// `Send + Sync`: share it in an `Arc`. Searches use their own connection and run while
/// items are being indexed; writes are serialised.
pub struct SearchIndex {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    embedder: Option<Arc<Embedder>>,
    /// The thread that embeds queries (when the model is loaded).
    query_embedder: Option<QueryEmbedder>,
    options: IndexOptions,
    state: RwLock<State>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("semantic", &self.embedder.is_some())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// One indexed item as near-duplicate detection sees it ([`SearchIndex::items_for_dupes`]).
pub(crate) struct DupeItem {
    pub id: String,
    pub title: String,
    pub kind: ContentKind,
    /// The L2-normalised mean of its passage vectors (only while the model is loaded).
    pub vector: Option<Vec<f32>>,
    /// Its passages' text in order (empty when every item has a vector).
    pub text: String,
}

/// What an upsert has to do for one item.
enum Plan {
    /// Nothing changed.
    Skip,
    /// Only stats or timestamps changed: one UPDATE.
    Meta,
    /// Passages are unchanged but have no vectors yet (indexed without the model).
    EmbedOnly,
    /// The text or metadata changed: new passages, FTS rows and vectors.
    Rebuild(Vec<Chunk>),
}

fn vector_key(content_id: &str, idx: usize) -> String {
    format!("{content_id}\u{1f}{idx}")
}

fn split_key(key: &str) -> Option<(&str, usize)> {
    let (id, idx) = key.rsplit_once('\u{1f}')?;
    Some((id, idx.parse().ok()?))
}

fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| SearchError::Corrupt(format!("a metadata list: {e}")))
}

fn to_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string())
}

/// Kind, industries, personas and topics as one line: the metadata column of the FTS
/// rows (and a line of the embedded text, with [`EmbedText::TitleMetaAndPassage`]).
fn meta_text(
    kind: ContentKind,
    industries: &[String],
    personas: &[String],
    topics: &[String],
) -> String {
    let mut parts = vec![kind_label(kind).to_string()];
    parts.extend(industries.iter().cloned());
    parts.extend(personas.iter().cloned());
    parts.extend(topics.iter().cloned());
    parts.join(" · ")
}

/// Competitors and compliance regimes named in the title or body.
fn mentions_of(it: &ContentItem) -> Vec<String> {
    let text = format!("{}\n{}", it.title, it.body);
    facets_in(&text)
        .into_iter()
        .filter_map(|f| match f {
            Facet::Competitor(c) | Facet::Compliance(c) => Some(c.to_string()),
            _ => None,
        })
        .collect()
}

type QueryReply = std::sync::mpsc::SyncSender<closer_embed::Result<Vec<f32>>>;

/// A long-lived thread that embeds queries, so a search's vector is computed beside its
/// keyword part without starting a thread per search (with one thread per search, hybrid
/// search at 20K items took p95 31.1 ms; with this one, 24.5 ms).
/// The thread ends when the index is dropped (its channel closes).
struct QueryEmbedder {
    tx: std::sync::mpsc::Sender<(String, QueryReply)>,
}

impl QueryEmbedder {
    fn start(embedder: Arc<Embedder>) -> Result<QueryEmbedder> {
        let (tx, rx) = std::sync::mpsc::channel::<(String, QueryReply)>();
        std::thread::Builder::new()
            .name("closer-query-embed".into())
            .spawn(move || {
                for (query, reply) in rx {
                    // The searcher may have given up waiting; nothing to do then.
                    let _ = reply.send(embedder.embed_query(&query));
                }
            })
            .map_err(SearchError::Thread)?;
        Ok(QueryEmbedder { tx })
    }

    /// Queues a query; `None` if the thread is gone.
    fn submit(
        &self,
        query: &str,
    ) -> Option<std::sync::mpsc::Receiver<closer_embed::Result<Vec<f32>>>> {
        let (reply, rx) = std::sync::mpsc::sync_channel(1);
        self.tx.send((query.to_string(), reply)).ok()?;
        Some(rx)
    }
}

impl SearchIndex {
    /// Opens (or creates) the index at `path`. With an embedder, semantic search is on and
    /// vectors are made while indexing; without one, search is by keywords (with the same
    /// facet boosts) and nothing fails.
    pub fn open(path: &Path, embedder: Option<Arc<Embedder>>) -> Result<SearchIndex> {
        SearchIndex::open_with(path, embedder, IndexOptions::default())
    }

    pub fn open_with(
        path: &Path,
        embedder: Option<Arc<Embedder>>,
        options: IndexOptions,
    ) -> Result<SearchIndex> {
        let mut writer = db::open_writer(path)?;
        let reader = db::open_reader(path)?;
        if let Some(e) = &embedder {
            let model = format!("{MODEL_DIR_NAME}/{}/{:?}", e.dim(), options.embed_text);
            let stored: Option<String> = writer
                .query_row(
                    "SELECT value FROM settings WHERE key = 'embed_model'",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if stored.as_deref() != Some(model.as_str()) {
                // Vectors of another model (or another text) cannot be compared with ours.
                let tx = writer.transaction()?;
                tx.execute("DELETE FROM embeddings", [])?;
                tx.execute("UPDATE items SET embedded = 0", [])?;
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES ('embed_model', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [&model],
                )?;
                tx.commit()?;
            }
        }
        let state = load_state(&writer, embedder.as_deref())?;
        let query_embedder = match &embedder {
            Some(e) => Some(QueryEmbedder::start(e.clone())?),
            None => None,
        };
        Ok(SearchIndex {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            query_embedder,
            embedder,
            options,
            state: RwLock::new(state),
        })
    }

    /// Whether searches use vectors (the model is loaded). Items indexed before the model
    /// was installed get vectors from [`SearchIndex::embed_missing`] or their next upsert.
    pub fn semantic_available(&self) -> bool {
        self.embedder.is_some()
    }

    /// Number of items indexed.
    pub fn len(&self) -> Result<usize> {
        Ok(self.state.read()?.items.len())
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The ids of the items indexed.
    pub fn ids(&self) -> Result<Vec<String>> {
        Ok(self.state.read()?.items.keys().cloned().collect())
    }

    /// Number of passages indexed, and how many of them have a vector.
    pub fn passage_counts(&self) -> Result<(usize, usize)> {
        let s = self.state.read()?;
        Ok((s.passage_rows, s.vectors.len()))
    }

    /// What the search understood of a query (facets, synonyms, typos fixed), with the
    /// indexed library as the dictionary: a word of the library is never "corrected".
    pub fn parse(&self, query: &str) -> Result<ParsedQuery> {
        let state = self.state.read()?;
        Ok(parse_query_with(query, |s| state.lexicon.doc_freq(s) > 0))
    }

    /// Indexes one item (see [`SearchIndex::upsert_many`]).
    pub fn upsert(&self, item: &ContentItem) -> Result<()> {
        self.upsert_many(std::slice::from_ref(item), |_, _| {})
    }

    /// Indexes items: cuts each body into passages, embeds them (when the model is loaded)
    /// in batches, and writes each batch of items in one transaction. An item whose text
    /// and metadata are unchanged is not cut or embedded again; changed stats are still
    /// recorded. `progress(done, total)` is called after each batch.
    pub fn upsert_many(
        &self,
        items: &[ContentItem],
        progress: impl FnMut(usize, usize),
    ) -> Result<()> {
        self.upsert_with(items, progress, true)
    }

    /// Indexes one item for keyword search at once and leaves its vectors to
    /// [`SearchIndex::embed_missing`]: a file just saved is found within a moment by its
    /// words and facets, and by meaning once its passages are embedded (about 20 passages
    /// a second on two cores).
    pub fn upsert_words_first(&self, item: &ContentItem) -> Result<()> {
        self.upsert_with(std::slice::from_ref(item), |_, _| {}, false)
    }

    /// [`SearchIndex::upsert_words_first`] for many items, with `progress(done, total)`
    /// after each batch: a library is searchable by words and facets in seconds, by
    /// meaning as [`SearchIndex::embed_missing`] catches up.
    pub fn upsert_many_words_first(
        &self,
        items: &[ContentItem],
        progress: impl FnMut(usize, usize),
    ) -> Result<()> {
        self.upsert_with(items, progress, false)
    }

    fn upsert_with(
        &self,
        items: &[ContentItem],
        mut progress: impl FnMut(usize, usize),
        embed_now: bool,
    ) -> Result<()> {
        let total = items.len();
        let mut done = 0;
        for batch in items.chunks(BATCH_ITEMS) {
            let mut conn = self.writer.lock()?;
            let plans: Vec<Plan> = {
                let state = self.state.read()?;
                batch.iter().map(|it| self.plan(&state, it)).collect()
            };
            // Passage texts to embed, with the (item, passage) they belong to.
            let mut texts: Vec<String> = Vec::new();
            let mut owners: Vec<(usize, usize)> = Vec::new();
            let mut stored: HashMap<usize, Vec<Chunk>> = HashMap::new();
            if self.embedder.is_some() && embed_now {
                for (i, (it, plan)) in batch.iter().zip(&plans).enumerate() {
                    let chunks = match plan {
                        Plan::Rebuild(c) => c.clone(),
                        Plan::EmbedOnly => {
                            let c = stored_chunks(&conn, &it.id)?;
                            stored.insert(i, c.clone());
                            c
                        }
                        _ => continue,
                    };
                    let meta = meta_text(it.kind, &it.industries, &it.personas, &it.topics);
                    for (j, c) in chunks.iter().enumerate() {
                        texts.push(self.embed_text(&it.title, &meta, c));
                        owners.push((i, j));
                    }
                }
            }
            let vectors = match (&self.embedder, texts.is_empty()) {
                (Some(e), false) => {
                    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                    e.embed(&refs)?
                }
                _ => Vec::new(),
            };
            let mut per_item: HashMap<usize, Vec<Vec<f32>>> = HashMap::new();
            for ((i, _), v) in owners.into_iter().zip(vectors) {
                per_item.entry(i).or_default().push(v);
            }

            let tx = conn.transaction()?;
            for (i, (it, plan)) in batch.iter().zip(&plans).enumerate() {
                write_item(&tx, it, plan, per_item.get(&i), self.hash(it))?;
            }
            tx.commit()?;

            let mut state = self.state.write()?;
            for (i, (it, plan)) in batch.iter().zip(plans).enumerate() {
                let vecs = per_item.remove(&i);
                apply_item(&mut state, it, plan, vecs, self.hash(it))?;
            }
            state.max_uses = state
                .items
                .values()
                .map(|i| i.stats.uses)
                .max()
                .unwrap_or(0);
            drop(state);
            drop(conn);
            done += batch.len();
            progress(done, total);
        }
        Ok(())
    }

    /// Embeds the passages of items indexed while no model was loaded; returns how many
    /// items got vectors.
    pub fn embed_missing(&self, mut progress: impl FnMut(usize, usize)) -> Result<usize> {
        let Some(embedder) = &self.embedder else {
            return Ok(0);
        };
        let ids: Vec<(String, String, String)> = {
            let s = self.state.read()?;
            let mut v: Vec<(String, String, String)> = s
                .items
                .iter()
                .filter(|(_, it)| !it.embedded)
                .map(|(id, it)| {
                    let meta = meta_text(it.kind, &it.industries, &it.personas, &it.topics);
                    (id.clone(), it.title.clone(), meta)
                })
                .collect();
            v.sort();
            v
        };
        let total = ids.len();
        for (n, batch) in ids.chunks(BATCH_ITEMS).enumerate() {
            // The passages and each item's hash, read under the lock ...
            let mut texts = Vec::new();
            let mut owners = Vec::new();
            let mut hashes: HashMap<&str, u64> = HashMap::new();
            {
                let conn = self.writer.lock()?;
                let state = self.state.read()?;
                for (id, title, meta) in batch {
                    let Some(it) = state.items.get(id) else {
                        continue;
                    };
                    hashes.insert(id.as_str(), it.hash);
                    for (j, c) in stored_chunks(&conn, id)?.iter().enumerate() {
                        texts.push(self.embed_text(title, meta, c));
                        owners.push((id.clone(), j));
                    }
                }
            }
            // ... embedded without it, so a file saved meanwhile is indexed at once ...
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = embedder.embed(&refs)?;
            // ... and written only for items that did not change or go meanwhile.
            let mut conn = self.writer.lock()?;
            let current: HashSet<&str> = {
                let state = self.state.read()?;
                hashes
                    .iter()
                    .filter(|(id, h)| {
                        state
                            .items
                            .get(**id)
                            .is_some_and(|it| it.hash == **h && !it.embedded)
                    })
                    .map(|(id, _)| *id)
                    .collect()
            };
            let tx = conn.transaction()?;
            for ((id, j), v) in owners.iter().zip(&vectors) {
                if current.contains(id.as_str()) {
                    tx.execute(
                        "INSERT OR REPLACE INTO embeddings (content_id, idx, vector) VALUES (?1, ?2, ?3)",
                        params![id, *j as i64, to_blob(v)],
                    )?;
                }
            }
            for id in &current {
                tx.execute("UPDATE items SET embedded = 1 WHERE content_id = ?1", [id])?;
            }
            tx.commit()?;
            let mut state = self.state.write()?;
            for ((id, j), v) in owners.iter().zip(vectors) {
                if current.contains(id.as_str()) {
                    state.vectors.add(vector_key(id, *j), &v)?;
                }
            }
            for id in &current {
                if let Some(it) = state.items.get_mut(*id) {
                    it.embedded = true;
                }
            }
            drop(state);
            drop(conn);
            progress(((n + 1) * BATCH_ITEMS).min(total), total);
        }
        Ok(total)
    }

    /// Removes an item; removing one that is not indexed is not an error.
    pub fn remove(&self, content_id: &str) -> Result<()> {
        let mut conn = self.writer.lock()?;
        let tx = conn.transaction()?;
        delete_rows(&tx, content_id)?;
        tx.execute("DELETE FROM items WHERE content_id = ?1", [content_id])?;
        tx.commit()?;
        let mut state = self.state.write()?;
        state.lexicon.remove_item(content_id);
        if let Some(old) = state.items.remove(content_id) {
            for j in 0..old.passages {
                state.vectors.remove(&vector_key(content_id, j));
            }
            state.passage_rows -= old.passages;
        }
        Ok(())
    }

    /// Searches with the default [`Tuning`]. Any text is a valid query: FTS5 syntax,
    /// quotes, emoji or nothing at all give results or none, never an error. Without the
    /// model, [`Mode::Hybrid`] is keyword search with the facet boosts; [`Mode::Vector`]
    /// is [`SearchError::SemanticUnavailable`].
    pub fn search(
        &self,
        query: &str,
        ctx: &SearchContext,
        mode: Mode,
        k: usize,
    ) -> Result<Vec<Hit>> {
        self.search_tuned(query, ctx, mode, k, &Tuning::default())
    }

    /// Searches with explicit weights (the evaluation command compares settings with it).
    pub fn search_tuned(
        &self,
        query: &str,
        ctx: &SearchContext,
        mode: Mode,
        k: usize,
        tuning: &Tuning,
    ) -> Result<Vec<Hit>> {
        if mode == Mode::Vector && self.embedder.is_none() {
            return Err(SearchError::SemanticUnavailable);
        }
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        if k == 0 || tokenize(&query).is_empty() {
            return Ok(Vec::new());
        }
        // The query's vector is computed on the embedding thread while this one runs the
        // keyword search.
        let pending = match (&self.query_embedder, mode) {
            (Some(q), Mode::Vector | Mode::Hybrid) => Some(q.submit(&query)),
            _ => None,
        };
        self.search_with(&query, ctx, mode, k, tuning, move || match pending {
            None => Ok(None),
            Some(rx) => match rx.and_then(|rx| rx.recv().ok()) {
                Some(Ok(v)) => Ok(Some(v)),
                Some(Err(err)) if mode == Mode::Hybrid => {
                    tracing::warn!(error = %err, "query embedding failed; keyword search only");
                    Ok(None)
                }
                Some(Err(err)) => Err(err.into()),
                None if mode == Mode::Hybrid => {
                    tracing::warn!("the query embedding thread is gone; keyword search only");
                    Ok(None)
                }
                None => Err(SearchError::SemanticUnavailable),
            },
        })
    }

    fn search_with(
        &self,
        query: &str,
        ctx: &SearchContext,
        mode: Mode,
        k: usize,
        tuning: &Tuning,
        query_vector: impl FnOnce() -> Result<Option<Vec<f32>>>,
    ) -> Result<Vec<Hit>> {
        let state = self.state.read()?;
        let mut df = |stem: &str| state.lexicon.doc_freq(stem);
        let parsed = parse_query_with(query, |s| df(s) > 0);
        let raw_terms = raw_terms(query);
        let lexical_terms: Vec<Vec<String>> = match mode {
            Mode::Vector => Vec::new(),
            Mode::Bm25 => raw_terms.clone(),
            Mode::Hybrid if tuning.expand_synonyms => expanded_terms(&parsed),
            Mode::Hybrid => raw_terms.clone(),
        };
        let lexical = if lexical_terms.is_empty() {
            Vec::new()
        } else {
            let terms = prune(
                lexical_terms,
                &raw_terms,
                state.lexicon.len() as u64,
                &mut df,
            );
            state
                .lexicon
                .search(&terms, tuning.bm25_columns, tuning.depth)
        };
        // Everything that does not need the query's vector is done before waiting for it
        // (the embedding thread is still working): the keyword list, the facet
        // candidates and each candidate's keyword, facet and prior scores.
        let lex = best_per_item(&lexical);
        let qf = QueryFacets::new(&parsed);
        let deal = DealBits::new(ctx);
        let lex_best = lex.order.first().map_or(0.0, |id| lex.best[id].1);
        // A hybrid candidate's parts except the vector's: (keyword, facets, priors).
        let parts = |id: &str| -> Option<(&str, [f32; 3])> {
            let (id, item) = state.items.get_key_value(id)?;
            let lexical = tuning.fused(
                lex.rank.get(id.as_str()).copied(),
                lex.best.get(id.as_str()).map_or(0.0, |b| b.1),
                lex_best,
                tuning.lexical,
            );
            let facets = tuning.facet_score(&match_item(&qf, &item.facets, &tuning.partial));
            let prior = priors(item, ctx, &deal, &qf, state.max_uses, tuning);
            Some((id.as_str(), [lexical, facets, prior]))
        };
        let mut hybrid: HashMap<&str, [f32; 3]> = HashMap::new();
        let mut add = |id: &str| {
            if !hybrid.contains_key(id) {
                if let Some((id, p)) = parts(id) {
                    hybrid.insert(id, p);
                }
            }
        };
        if mode == Mode::Hybrid {
            let facet_ids = if qf.is_empty() {
                Vec::new()
            } else {
                facet_candidates(&state, &qf, tuning)
            };
            for id in lex.order.iter().map(String::as_str).chain(facet_ids) {
                add(id);
            }
        }

        let qvec = query_vector()?;
        let semantic = match &qvec {
            Some(v) => state
                .vectors
                .top_k(v, tuning.depth)
                .into_iter()
                .filter_map(|(key, s)| split_key(&key).map(|(id, j)| (id.to_string(), j, s)))
                .collect(),
            None => Vec::new(),
        };
        let sem = best_per_item(&semantic);
        let mut scored: Vec<(f32, &str)> = match mode {
            Mode::Bm25 => lex
                .order
                .iter()
                .map(|id| (lex.best[id].1, id.as_str()))
                .collect(),
            Mode::Vector => sem
                .order
                .iter()
                .map(|id| (sem.best[id].1, id.as_str()))
                .collect(),
            Mode::Hybrid => {
                for id in &sem.order {
                    add(id);
                }
                let sem_best = sem.order.first().map_or(0.0, |id| sem.best[id].1);
                hybrid
                    .into_iter()
                    .map(|(id, [lexical, facets, prior])| {
                        let mut s = lexical;
                        s += tuning.fused(
                            sem.rank.get(id).copied(),
                            sem.best.get(id).map_or(0.0, |b| b.1),
                            sem_best,
                            tuning.vector,
                        );
                        s += facets;
                        s += prior;
                        (s, id)
                    })
                    .collect()
            }
        };
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.truncate(k);

        let hl_terms = highlight_terms(&parsed, &raw_terms);
        let reader = self.reader.lock()?;
        let mut hits = Vec::with_capacity(scored.len());
        for (score, id) in scored {
            let Some(item) = state.items.get(id) else {
                continue;
            };
            let mut idxs: Vec<usize> = Vec::new();
            for j in [lex.best.get(id).map(|b| b.0), sem.best.get(id).map(|b| b.0)]
                .into_iter()
                .flatten()
            {
                if !idxs.contains(&j) {
                    idxs.push(j);
                }
            }
            if idxs.is_empty() && item.passages > 0 {
                idxs.push(0);
            }
            let mut passages = Vec::new();
            for j in idxs {
                if let Some((heading, text)) = passage(&reader, id, j)? {
                    let highlights =
                        highlights_with(&text, &hl_terms, |w| state.lexicon.stem_of(w));
                    passages.push(MatchedPassage {
                        idx: j,
                        heading,
                        text,
                        highlights,
                    });
                }
            }
            let fm = match_item(&qf, &item.facets, &tuning.partial);
            let matched = matched_values(item, &fm, &qf);
            let why = why(item, &matched, &passages, &parsed);
            hits.push(Hit {
                content_id: id.to_string(),
                title: item.title.clone(),
                kind: item.kind,
                score,
                passages,
                matched,
                why,
            });
        }
        Ok(hits)
    }

    fn hash(&self, it: &ContentItem) -> u64 {
        let mut h = Fnv::default();
        h.write_str(FORMAT_VERSION);
        h.write_str(&format!("{:?}", self.options.embed_text));
        h.write_str(&it.title);
        h.write_str(it.kind.as_str());
        for list in [&it.industries, &it.personas, &it.topics] {
            for s in list {
                h.write_str(s);
            }
            h.write(&[0xfe]);
        }
        h.write_str(&it.body);
        h.finish()
    }

    fn plan(&self, state: &State, it: &ContentItem) -> Plan {
        let hash = self.hash(it);
        match state.items.get(&it.id) {
            Some(old) if old.hash == hash => {
                if self.embedder.is_some() && !old.embedded {
                    Plan::EmbedOnly
                } else if old.stats != it.stats
                    || old.updated_at != it.updated_at
                    || old.created_at != it.created_at
                {
                    Plan::Meta
                } else {
                    Plan::Skip
                }
            }
            _ => {
                let mut chunks = chunk(&it.body);
                if chunks.is_empty() {
                    // The title and metadata are still searchable.
                    chunks.push(Chunk {
                        heading: None,
                        text: String::new(),
                    });
                }
                Plan::Rebuild(chunks)
            }
        }
    }

    /// Every indexed item as near-duplicate detection reads it (`audit.rs`): its mean
    /// passage vector while the model is loaded, and its passages' text when some item has
    /// no vector. Sorted by id.
    pub(crate) fn items_for_dupes(&self) -> Result<Vec<DupeItem>> {
        let mut items: HashMap<String, DupeItem> = {
            let s = self.state.read()?;
            s.items
                .iter()
                .map(|(id, it)| {
                    let d = DupeItem {
                        id: id.clone(),
                        title: it.title.clone(),
                        kind: it.kind,
                        vector: None,
                        text: String::new(),
                    };
                    (id.clone(), d)
                })
                .collect()
        };
        let reader = self.reader.lock()?;
        if self.embedder.is_some() {
            let mut sums: HashMap<String, Vec<f32>> = HashMap::new();
            let mut st = reader.prepare("SELECT content_id, vector FROM embeddings")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                if !items.contains_key(&id) {
                    continue;
                }
                let v = from_blob(&r.get::<_, Vec<u8>>(1)?)?;
                let sum = sums.entry(id).or_insert_with(|| vec![0.0; v.len()]);
                if sum.len() == v.len() {
                    for (s, x) in sum.iter_mut().zip(&v) {
                        *s += x;
                    }
                }
            }
            for (id, mut v) in sums {
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    v.iter_mut().for_each(|x| *x /= norm);
                    if let Some(d) = items.get_mut(&id) {
                        d.vector = Some(v);
                    }
                }
            }
        }
        if items.values().any(|d| d.vector.is_none()) {
            let mut st =
                reader.prepare("SELECT content_id, text FROM passages ORDER BY content_id, idx")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                if let Some(d) = items.get_mut(&id) {
                    if !d.text.is_empty() {
                        d.text.push_str("\n\n");
                    }
                    d.text.push_str(&r.get::<_, String>(1)?);
                }
            }
        }
        let mut out: Vec<DupeItem> = items.into_values().collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    fn embed_text(&self, title: &str, meta: &str, c: &Chunk) -> String {
        let head = match self.options.embed_text {
            EmbedText::Passage => String::new(),
            EmbedText::TitleAndPassage => format!("{title}\n"),
            EmbedText::TitleMetaAndPassage => format!("{title}\n{meta}\n"),
        };
        match &c.heading {
            Some(h) => format!("{head}{h}\n{}", c.text),
            None => format!("{head}{}", c.text),
        }
    }
}

fn load_state(conn: &Connection, embedder: Option<&Embedder>) -> Result<State> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    {
        let mut st =
            conn.prepare("SELECT content_id, count(*) FROM passages GROUP BY content_id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (id, n) = row?;
            counts.insert(id, usize::try_from(n).unwrap_or(0));
        }
    }
    let mut items = HashMap::new();
    let mut st = conn.prepare(
        "SELECT content_id, title, kind, industries, personas, topics, mentions, views, uses,
                deals_influenced, deals_won, last_used_at, created_at, updated_at,
                content_hash, embedded
         FROM items",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let kind: String = r.get(2)?;
        let kind = ContentKind::parse(&kind).unwrap_or_default();
        let industries = json_list(&r.get::<_, String>(3)?)?;
        let personas = json_list(&r.get::<_, String>(4)?)?;
        let topics = json_list(&r.get::<_, String>(5)?)?;
        let mentions = json_list(&r.get::<_, String>(6)?)?;
        let title: String = r.get(1)?;
        let facets = ItemFacets::new(&title, kind, &industries, &personas, &topics, &mentions);
        let stats = ContentStats {
            views: r.get(7)?,
            uses: r.get(8)?,
            deals_influenced: r.get(9)?,
            deals_won: r.get(10)?,
            last_used_at: r.get(11)?,
        };
        let passages = counts.get(&id).copied().unwrap_or(0);
        items.insert(
            id,
            Item {
                title,
                kind,
                industries,
                personas,
                topics,
                mentions,
                facets,
                stats,
                created_at: r.get(12)?,
                updated_at: r.get(13)?,
                hash: r.get::<_, i64>(14)? as u64,
                embedded: r.get::<_, i64>(15)? != 0,
                passages,
            },
        );
    }
    let passage_rows = counts.values().sum();
    let lexicon = load_lexicon(conn, &items)?;
    let dim = embedder.map_or(closer_embed::DIM, Embedder::dim);
    let mut vectors =
        VectorIndex::with_capacity(dim, if embedder.is_some() { passage_rows } else { 0 });
    if embedder.is_some() {
        let mut st = conn.prepare("SELECT content_id, idx, vector FROM embeddings")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let idx: i64 = r.get(1)?;
            let blob: Vec<u8> = r.get(2)?;
            let v = from_blob(&blob)?;
            vectors.add(vector_key(&id, usize::try_from(idx).unwrap_or(0)), &v)?;
        }
    }
    let max_uses = items
        .values()
        .map(|i: &Item| i.stats.uses)
        .max()
        .unwrap_or(0);
    Ok(State {
        items,
        vectors,
        lexicon,
        passage_rows,
        max_uses,
    })
}

/// The keyword index, rebuilt from the stored passages (see `lexicon.rs`).
fn load_lexicon(conn: &Connection, items: &HashMap<String, Item>) -> Result<Lexicon> {
    let mut lexicon = Lexicon::new();
    let mut st =
        conn.prepare("SELECT content_id, heading, text FROM passages ORDER BY content_id, idx")?;
    let mut rows = st.query([])?;
    let mut current: Option<String> = None;
    let mut chunks: Vec<Chunk> = Vec::new();
    let flush = |lexicon: &mut Lexicon, id: &str, chunks: &mut Vec<Chunk>| {
        if let Some(it) = items.get(id) {
            let meta = meta_text(it.kind, &it.industries, &it.personas, &it.topics);
            lexicon.add_item(id, &it.title, &meta, chunks);
        }
        chunks.clear();
    };
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if current.as_deref() != Some(id.as_str()) {
            if let Some(prev) = current.take() {
                flush(&mut lexicon, &prev, &mut chunks);
            }
            current = Some(id);
        }
        chunks.push(Chunk {
            heading: r.get(1)?,
            text: r.get(2)?,
        });
    }
    if let Some(prev) = current {
        flush(&mut lexicon, &prev, &mut chunks);
    }
    Ok(lexicon)
}

fn stored_chunks(conn: &Connection, content_id: &str) -> Result<Vec<Chunk>> {
    let mut st = conn
        .prepare_cached("SELECT heading, text FROM passages WHERE content_id = ?1 ORDER BY idx")?;
    let rows = st.query_map([content_id], |r| {
        Ok(Chunk {
            heading: r.get(0)?,
            text: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn delete_rows(tx: &Connection, content_id: &str) -> Result<()> {
    tx.execute("DELETE FROM passages WHERE content_id = ?1", [content_id])?;
    Ok(())
}

fn write_item(
    tx: &Connection,
    it: &ContentItem,
    plan: &Plan,
    vectors: Option<&Vec<Vec<f32>>>,
    hash: u64,
) -> Result<()> {
    match plan {
        Plan::Skip => Ok(()),
        Plan::Meta => {
            tx.execute(
                "UPDATE items SET views = ?2, uses = ?3, deals_influenced = ?4, deals_won = ?5,
                    last_used_at = ?6, created_at = ?7, updated_at = ?8
                 WHERE content_id = ?1",
                params![
                    it.id,
                    it.stats.views,
                    it.stats.uses,
                    it.stats.deals_influenced,
                    it.stats.deals_won,
                    it.stats.last_used_at,
                    it.created_at,
                    it.updated_at
                ],
            )?;
            Ok(())
        }
        Plan::EmbedOnly => {
            if let Some(vs) = vectors {
                for (j, v) in vs.iter().enumerate() {
                    tx.execute(
                        "INSERT OR REPLACE INTO embeddings (content_id, idx, vector) VALUES (?1, ?2, ?3)",
                        params![it.id, j as i64, to_blob(v)],
                    )?;
                }
                tx.execute(
                    "UPDATE items SET embedded = 1 WHERE content_id = ?1",
                    [&it.id],
                )?;
            }
            Ok(())
        }
        Plan::Rebuild(chunks) => {
            delete_rows(tx, &it.id)?;
            tx.execute(
                "INSERT INTO items (content_id, title, kind, industries, personas, topics, mentions,
                    views, uses, deals_influenced, deals_won, last_used_at, created_at, updated_at,
                    content_hash, embedded)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT(content_id) DO UPDATE SET
                    title = excluded.title, kind = excluded.kind, industries = excluded.industries,
                    personas = excluded.personas, topics = excluded.topics,
                    mentions = excluded.mentions, views = excluded.views, uses = excluded.uses,
                    deals_influenced = excluded.deals_influenced, deals_won = excluded.deals_won,
                    last_used_at = excluded.last_used_at, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, content_hash = excluded.content_hash,
                    embedded = excluded.embedded",
                params![
                    it.id,
                    it.title,
                    it.kind.as_str(),
                    to_json(&it.industries),
                    to_json(&it.personas),
                    to_json(&it.topics),
                    to_json(&mentions_of(it)),
                    it.stats.views,
                    it.stats.uses,
                    it.stats.deals_influenced,
                    it.stats.deals_won,
                    it.stats.last_used_at,
                    it.created_at,
                    it.updated_at,
                    hash as i64,
                    i64::from(vectors.is_some()),
                ],
            )?;
            let mut ins_p = tx.prepare_cached(
                "INSERT INTO passages (content_id, idx, heading, text) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut ins_e = tx.prepare_cached(
                "INSERT INTO embeddings (content_id, idx, vector) VALUES (?1, ?2, ?3)",
            )?;
            for (j, c) in chunks.iter().enumerate() {
                ins_p.execute(params![it.id, j as i64, c.heading, c.text])?;
                if let Some(v) = vectors.and_then(|vs| vs.get(j)) {
                    ins_e.execute(params![it.id, j as i64, to_blob(v)])?;
                }
            }
            Ok(())
        }
    }
}

fn apply_item(
    state: &mut State,
    it: &ContentItem,
    plan: Plan,
    vectors: Option<Vec<Vec<f32>>>,
    hash: u64,
) -> Result<()> {
    match plan {
        Plan::Skip => {}
        Plan::Meta => {
            if let Some(old) = state.items.get_mut(&it.id) {
                old.stats = it.stats;
                old.created_at = it.created_at;
                old.updated_at = it.updated_at;
            }
        }
        Plan::EmbedOnly => {
            if let Some(vs) = vectors {
                for (j, v) in vs.iter().enumerate() {
                    state.vectors.add(vector_key(&it.id, j), v)?;
                }
                if let Some(old) = state.items.get_mut(&it.id) {
                    old.embedded = true;
                }
            }
        }
        Plan::Rebuild(chunks) => {
            let meta = meta_text(it.kind, &it.industries, &it.personas, &it.topics);
            state.lexicon.add_item(&it.id, &it.title, &meta, &chunks);
            if let Some(old) = state.items.remove(&it.id) {
                for j in 0..old.passages {
                    state.vectors.remove(&vector_key(&it.id, j));
                }
                state.passage_rows -= old.passages;
            }
            let embedded = vectors.is_some();
            if let Some(vs) = vectors {
                for (j, v) in vs.iter().enumerate() {
                    state.vectors.add(vector_key(&it.id, j), v)?;
                }
            }
            let mentions = mentions_of(it);
            let facets = ItemFacets::new(
                &it.title,
                it.kind,
                &it.industries,
                &it.personas,
                &it.topics,
                &mentions,
            );
            state.passage_rows += chunks.len();
            state.items.insert(
                it.id.clone(),
                Item {
                    title: it.title.clone(),
                    kind: it.kind,
                    industries: it.industries.clone(),
                    personas: it.personas.clone(),
                    topics: it.topics.clone(),
                    mentions,
                    facets,
                    stats: it.stats,
                    created_at: it.created_at,
                    updated_at: it.updated_at,
                    hash,
                    embedded,
                    passages: chunks.len(),
                },
            );
        }
    }
    Ok(())
}

/// The query's own words, stemmed, without stopwords: what the BM25 baseline searches.
fn raw_terms(q: &str) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    tokenize(q)
        .into_iter()
        .filter(|t| !is_stopword(&t.lower))
        .map(|t| stem(&t.lower))
        .filter(|s| seen.insert(s.clone()))
        .map(|s| vec![s])
        .collect()
}

fn expanded_terms(p: &ParsedQuery) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    p.expanded
        .iter()
        .map(|phrase| {
            tokenize(phrase)
                .iter()
                .map(|t| stem(&t.lower))
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

/// What to highlight: the query's words and the synonyms of its facets.
fn highlight_terms(p: &ParsedQuery, raw: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out = expanded_terms(p);
    for r in raw {
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// Leaves out phrases whose rarest word is in more than [`COMMON_TERM_SHARE`] of the
/// passages (unless nothing else is left), spends a postings budget on the synonyms, and
/// caps the number of phrases.
///
/// The query's own words (`own`) are always searched. Synonyms from the facet tables are
/// taken rarest first while the passages they match add up to at most
/// [`SYNONYM_POSTINGS_SHARE`] of the index: every passage a phrase matches is scored, so
/// broad synonyms ("finance", "cost") cost most of a search while weighing least in BM25.
fn prune(
    terms: Vec<Vec<String>>,
    own: &[Vec<String>],
    rows: u64,
    df: &mut impl FnMut(&str) -> u64,
) -> Vec<Vec<String>> {
    let mut scored: Vec<(u64, bool, Vec<String>)> = terms
        .into_iter()
        .map(|p| {
            let n = p.iter().map(|s| df(s)).min().unwrap_or(0);
            let is_own = own.contains(&p);
            (n, is_own, p)
        })
        .collect();
    let limit = (rows as f64 * COMMON_TERM_SHARE) as u64;
    let budget = (rows as f64 * SYNONYM_POSTINGS_SHARE) as u64;
    let mut kept: Vec<Vec<String>> = scored
        .iter()
        .filter(|(n, is_own, _)| *is_own && *n <= limit)
        .map(|(_, _, p)| p.clone())
        .collect();
    let mut synonyms: Vec<&(u64, bool, Vec<String>)> = scored
        .iter()
        .filter(|(n, is_own, _)| !*is_own && *n > 0 && *n <= limit)
        .collect();
    synonyms.sort_by_key(|(n, _, _)| *n);
    let mut spent = 0u64;
    for (n, _, p) in synonyms {
        if spent + n > budget {
            break;
        }
        spent += n;
        kept.push(p.clone());
    }
    if kept.is_empty() {
        scored.sort_by_key(|(n, _, _)| *n);
        return scored.into_iter().take(1).map(|(_, _, p)| p).collect();
    }
    kept.truncate(MAX_TERMS);
    kept
}

/// A retriever's passages reduced to items: each item's best passage and score, and the
/// items in order (max pooling).
struct PerItem {
    order: Vec<String>,
    best: HashMap<String, (usize, f32)>,
    rank: HashMap<String, usize>,
}

fn best_per_item(passages: &[(String, usize, f32)]) -> PerItem {
    let mut best: HashMap<String, (usize, f32)> = HashMap::new();
    for (id, j, s) in passages {
        let e = best.entry(id.clone()).or_insert((*j, *s));
        if *s > e.1 {
            *e = (*j, *s);
        }
    }
    let mut order: Vec<String> = best.keys().cloned().collect();
    order.sort_by(|a, b| best[b].1.total_cmp(&best[a].1).then_with(|| a.cmp(b)));
    let rank = order
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i + 1))
        .collect();
    PerItem { order, best, rank }
}

/// The items whose metadata best matches the query's facets (they join the candidates
/// even when neither retriever found them).
fn facet_candidates<'a>(state: &'a State, qf: &QueryFacets, t: &Tuning) -> Vec<&'a str> {
    let mut v: Vec<(f32, &str)> = state
        .items
        .iter()
        .filter_map(|(id, it)| {
            let s = t.facet_score(&match_item(qf, &it.facets, &t.partial));
            (s > 0.0).then_some((s, id.as_str()))
        })
        .collect();
    let better = |a: &(f32, &str), b: &(f32, &str)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1));
    if v.len() > t.depth && t.depth > 0 {
        v.select_nth_unstable_by(t.depth - 1, better);
        v.truncate(t.depth);
    }
    v.into_iter().map(|(_, id)| id).collect()
}

/// The open deal's industry and competitors as bit sets.
struct DealBits {
    industry: u32,
    competitors: u32,
}

impl DealBits {
    fn new(ctx: &SearchContext) -> DealBits {
        let mut d = DealBits {
            industry: 0,
            competitors: 0,
        };
        let bit = |list: &[&str], n: &str| list.iter().position(|x| *x == n).map_or(0, |i| 1 << i);
        if let Some(ind) = &ctx.deal_industry {
            for f in facets_of_phrase(ind) {
                if let Facet::Industry(n) = f {
                    d.industry |= bit(INDUSTRIES, n);
                }
            }
        }
        for c in &ctx.deal_competitors {
            for f in crate::query::parse_query(c).competitors {
                d.competitors |= bit(COMPETITORS, f);
            }
        }
        d
    }
}

fn priors(
    item: &Item,
    ctx: &SearchContext,
    deal: &DealBits,
    qf: &QueryFacets,
    max_uses: u32,
    t: &Tuning,
) -> f32 {
    let mut s = if qf.years == 0 {
        t.freshness * freshness(ctx.now_millis, item.updated_at)
    } else {
        0.0
    };
    if max_uses > 0 {
        s += t.usage * (1.0 + item.stats.uses as f32).ln() / (1.0 + max_uses as f32).ln();
    }
    s += t.win_rate * win_rate(item.stats.deals_won, item.stats.deals_influenced);
    if qf.industries == 0 && item.facets.industries & deal.industry != 0 {
        s += t.deal_industry;
    }
    if item.facets.competitors & deal.competitors != 0 {
        s += t.deal_competitor;
    }
    s
}

fn passage(conn: &Connection, id: &str, idx: usize) -> Result<Option<(Option<String>, String)>> {
    let mut st = conn
        .prepare_cached("SELECT heading, text FROM passages WHERE content_id = ?1 AND idx = ?2")?;
    Ok(st
        .query_row(params![id, idx as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The item's metadata values that the query matched, most specific first.
fn matched_values(item: &Item, m: &FacetMatch, q: &QueryFacets) -> Vec<String> {
    let mut out = Vec::new();
    if m.kind > 0.0 {
        out.push(kind_label(item.kind).to_string());
    }
    let pick = |list: &[&'static str], values: &[String], bits: u32, out: &mut Vec<String>| {
        for v in values {
            for f in facets_of_phrase(v) {
                let name = match f {
                    Facet::Industry(n) | Facet::Persona(n) | Facet::Concern(n) => n,
                    _ => continue,
                };
                if let Some(i) = list.iter().position(|x| *x == name) {
                    if bits & (1 << i) != 0 && !out.contains(v) {
                        out.push(v.clone());
                    }
                }
            }
        }
    };
    pick(
        INDUSTRIES,
        &item.industries,
        q.industries | q.implied_industries,
        &mut out,
    );
    pick(
        PERSONAS,
        &item.personas,
        q.personas | q.persona_neighbours,
        &mut out,
    );
    pick(
        CONCERNS,
        &item.topics,
        q.concerns | q.concern_groups,
        &mut out,
    );
    for m in &item.mentions {
        let regime = REGIMES
            .iter()
            .position(|x| x == m)
            .is_some_and(|i| q.regimes & (1 << i) != 0);
        let comp = COMPETITORS
            .iter()
            .position(|x| x == m)
            .is_some_and(|i| q.competitors & (1 << i) != 0);
        if (regime || comp) && !out.contains(m) {
            out.push(m.clone());
        }
    }
    out
}

/// The offline "why": the matched facets, then the best sentence of the best passage.
fn why(item: &Item, matched: &[String], passages: &[MatchedPassage], p: &ParsedQuery) -> String {
    let mut s = String::new();
    if !matched.is_empty() {
        let mut facets: Vec<String> = matched.to_vec();
        if let Some(first) = facets.first_mut() {
            if *first == kind_label(item.kind) {
                let mut c = first.chars();
                if let Some(u) = c.next() {
                    *first = u.to_uppercase().chain(c).collect();
                }
            }
        }
        s.push_str("Matches ");
        s.push_str(&facets.join(" · "));
    }
    let best = passages
        .iter()
        .max_by_key(|x| (x.highlights.len(), std::cmp::Reverse(x.idx)));
    if let Some(b) = best {
        let excerpt = best_excerpt(b, 180);
        if !excerpt.is_empty() {
            if !s.is_empty() {
                s.push_str(": ");
            }
            s.push('“');
            s.push_str(&excerpt);
            s.push('”');
        }
    }
    if s.is_empty() {
        s = if p.has_facets() {
            format!("A {} close to what you asked for", kind_label(item.kind))
        } else {
            format!(
                "A {} similar in meaning to your search",
                kind_label(item.kind)
            )
        };
    }
    s
}
