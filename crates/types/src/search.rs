use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Content,
    BattleCard,
    Lead,
    Deal,
}

/// A piece of a snippet; `hit` pieces matched the query and are highlighted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TextSpan {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: Id,
    pub title: String,
    /// A line under the title: content kind, competitor summary, lead industry.
    pub subtitle: String,
    pub snippet: Vec<TextSpan>,
    /// Lower is better (FTS5 bm25).
    #[specta(type = Number)]
    pub rank: f64,
    /// For content found by the content search: why it matched and where.
    pub detail: Option<ContentMatch>,
}

/// Why a content item matched, for the palette and "use in proposal".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ContentMatch {
    /// The item's metadata values the query matched ("case study", "Healthcare", "CFO", "ROI").
    pub matched: Vec<String>,
    /// One line on why it fits: made offline from the matched facets and passage, or by
    /// Claude after a rerank.
    pub why: String,
    /// How to use it in the current deal (Claude's, after a rerank).
    pub how_to_use: Option<String>,
    /// Claude's grade after a rerank: 3 exactly what was asked for ... 0 not relevant.
    pub relevance: Option<u8>,
    /// The file it was read from, when it came from a library folder.
    pub source_path: Option<String>,
    /// The best passages, with the matching words marked.
    pub passages: Vec<Vec<TextSpan>>,
    /// The item's industries and personas, for the palette's facets.
    pub industries: Vec<String>,
    pub personas: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
    #[specta(type = Number)]
    pub took_ms: f64,
    /// Content was matched by meaning as well as by words (the local model is loaded).
    pub semantic: bool,
    /// Something the rep should know about these results ("Semantic search is off: ...").
    pub note: Option<String>,
}

/// Claude's second look at the content results of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RerankedResults {
    pub query: String,
    /// The content hits, best first, each with Claude's `why` and `how_to_use`.
    pub hits: Vec<SearchHit>,
    /// The answer came from the response cache after Claude failed.
    pub stale: bool,
    /// How Claude read the search, in the library's terms ("case study", "Healthcare",
    /// "CFO", "ROI"), when it was asked; the local search ran again with them.
    pub understood: Vec<String>,
}

/// Where the content index stands, for the status line and the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct IndexStatus {
    /// Searches use the index (false while it is first built: search is by keywords meanwhile).
    pub ready: bool,
    /// The local embedding model is loaded.
    pub semantic: bool,
    /// What is being done now ("Indexing the content library", "Reading 3 files"); `None` when idle.
    pub phase: Option<String>,
    #[specta(type = Number)]
    pub done: u64,
    #[specta(type = Number)]
    pub total: u64,
    #[specta(type = Number)]
    pub items: u64,
    /// Why semantic search is off, or why the index could not be opened.
    pub problem: Option<String>,
}

/// A file of a library folder that is not in the library, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LibraryFileIssue {
    pub path: String,
    /// `failed` (could not be read) or `skipped` (a format Closer does not read).
    pub status: String,
    pub reason: String,
    /// A stable name: `corrupt`, `too_large`, `not_text`, `encrypted`, `unsupported` ...
    pub kind: String,
}

/// A watched library folder, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LibraryFolder {
    pub path: String,
    /// The folder is not there (unplugged drive, deleted); its items are kept meanwhile.
    pub missing: bool,
    #[specta(type = Number)]
    pub files: u64,
    #[specta(type = Number)]
    pub failed: u64,
}

/// The content library's folders and its files that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LibraryOverview {
    pub folders: Vec<LibraryFolder>,
    pub issues: Vec<LibraryFileIssue>,
    pub index: IndexStatus,
}
