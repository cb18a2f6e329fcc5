//! Content search for the rep's library, offline: "case studies for healthcare CFOs worried
//! about ROI" gives the right few assets, each with highlighted passages and a line on why
//! it fits.
//!
//! - Two retrievers over passages (bodies cut on paragraph boundaries, 80-200 words):
//!   FTS5 BM25 (title, metadata, heading and text columns, weighted) and vectors from the
//!   local embedding model (`closer-embed`), each max-pooled per item.
//! - A query parser ([`parse_query`]) that reads content kind, industry, persona, concern,
//!   compliance regime and competitor out of the rep's words through synonym tables
//!   (CFO = finance leader = budget owner, ROI = payback = cost savings ...), tolerant to
//!   plurals and typos.
//! - [`Mode::Hybrid`] fuses both lists by reciprocal rank, adds boosts for facets the
//!   item's metadata matches, and small priors for freshness, usage, win rate and the open
//!   deal's industry and competitors ([`Tuning`]). Without the model it is keyword search
//!   with the same boosts: nothing fails.
//! - Each hit carries its best passages with byte ranges to highlight and an offline
//!   annotation ([`Hit::why`]).
//! - A content audit ([`audit()`]): stale items, near-duplicates
//!   ([`SearchIndex::near_duplicates`]), what open deals need and the library lacks, and
//!   the items that win or do not.
//!
//! The index is its own SQLite file (`index.sqlite3`), derived from the content library
//! and rebuildable at any time; vectors and item metadata are also held in memory.
//!
//! What it deliberately does not know: where content comes from (the store, a watched
//! folder), how files are read (`closer-extract`), the network or Claude (a rerank step
//! runs on top of [`SearchIndex::search`], elsewhere), and the UI's types.

mod annotate;
mod audit;
mod chunk;
mod db;
mod error;
mod facets;
mod index;
mod lexicon;
pub mod metrics;
mod query;
mod rank;
mod text;

pub use annotate::MatchedPassage;
pub use audit::{
    audit, DealNeed, FALLBACK_JACCARD, GAP_KINDS, MIN_DEALS_INFLUENCED, PERFORMERS,
    SAME_KIND_ABOVE, STALE_AFTER_DAYS, UNUSED_AFTER_DAYS,
};
pub use chunk::{chunk, Chunk, MAX_WORDS, MIN_WORDS};
pub use db::migrations;
pub use error::{Result, SearchError};
pub use facets::{Partial, CONCERNS};
pub use index::{EmbedText, Hit, IndexOptions, SearchContext, SearchIndex};
pub use query::{parse_query, parse_query_with, Facet, ParsedQuery};
pub use rank::{Fusion, Mode, Tuning};

/// The name of the index file inside the folder the app gives the index.
pub const INDEX_FILE: &str = "index.sqlite3";

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_index_can_be_shared_between_threads() {
        assert_send_sync::<SearchIndex>();
    }

    #[test]
    fn migrations_validate() {
        assert!(db::migrations().validate().is_ok());
    }
}
