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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
    #[specta(type = Number)]
    pub took_ms: f64,
}
