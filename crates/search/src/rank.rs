//! How the retrievers' lists become one ranking: rank fusion of keyword and vector
//! results, facet boosts from the parsed query, and small priors (freshness, usage, wins,
//! the open deal). Every weight lives in [`Tuning`]; the defaults are the ones the
//! evaluation set chose (see `closer-search-eval` and the crate README).

use crate::facets::{FacetMatch, Partial};

/// Which ranking to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// FTS5 BM25 over the query's own words (stopwords dropped): the keyword baseline.
    Bm25,
    /// Nearest passages to the query's vector: the semantic baseline.
    Vector,
    /// What the app uses: both lists fused, plus facet boosts and priors. Without a model
    /// it is keyword search with the same boosts.
    Hybrid,
}

/// How the keyword and vector lists are combined in [`Mode::Hybrid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fusion {
    /// Reciprocal rank fusion: `w * (k + 1) / (k + rank)` from each list (1.0 at rank 1).
    Rrf,
    /// Scores scaled to [0, 1] within each list (best = 1), then weighted and added.
    Scores,
}

/// Every weight of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    pub fusion: Fusion,
    /// The `k` of reciprocal rank fusion.
    pub rrf_k: f32,
    pub lexical: f32,
    pub vector: f32,
    /// Facet boosts: added once per facet of the query that the item's metadata matches.
    pub kind: f32,
    pub industry: f32,
    pub persona: f32,
    pub concern: f32,
    pub regime: f32,
    pub competitor: f32,
    /// The title carries a year the query names.
    pub year: f32,
    pub partial: Partial,
    /// Priors: an item updated today gets `freshness`, one a year old about a third (not
    /// applied when the query names a year).
    pub freshness: f32,
    /// log(1 + uses) relative to the most used item of the library.
    pub usage: f32,
    /// Smoothed share of influenced deals that were won.
    pub win_rate: f32,
    /// The item is for the open deal's industry (when the query names none).
    pub deal_industry: f32,
    /// The item names one of the open deal's competitors.
    pub deal_competitor: f32,
    /// Hybrid keyword search also looks for the synonyms of every recognised facet.
    pub expand_synonyms: bool,
    /// bm25 column weights: title, metadata, heading, passage text.
    pub bm25_columns: [f64; 4],
    /// Passages read from each retriever before fusion.
    pub depth: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            fusion: Fusion::Rrf,
            rrf_k: 60.0,
            lexical: 1.0,
            vector: 0.5,
            kind: 1.0,
            industry: 2.0,
            persona: 1.0,
            concern: 1.0,
            regime: 0.6,
            competitor: 1.0,
            year: 1.0,
            partial: Partial {
                secondary: 0.5,
                neighbour: 0.3,
                implied: 0.6,
                topic_secondary: 0.6,
                topic_group: 0.4,
            },
            freshness: 0.3,
            usage: 0.05,
            win_rate: 0.05,
            deal_industry: 0.3,
            deal_competitor: 0.3,
            expand_synonyms: true,
            bm25_columns: [4.0, 2.0, 2.0, 1.0],
            depth: 200,
        }
    }
}

impl Tuning {
    pub fn facet_score(&self, m: &FacetMatch) -> f32 {
        self.kind * m.kind
            + self.industry * m.industry
            + self.persona * m.persona
            + self.concern * m.concern
            + self.regime * m.regime
            + self.competitor * m.competitor
            + self.year * m.year
    }

    /// The contribution of one list: by rank (RRF) or by score relative to the best.
    pub fn fused(&self, rank: Option<usize>, score: f32, best: f32, weight: f32) -> f32 {
        let Some(rank) = rank else { return 0.0 };
        match self.fusion {
            Fusion::Rrf => weight * (self.rrf_k + 1.0) / (self.rrf_k + rank as f32),
            Fusion::Scores => {
                if best > 0.0 {
                    weight * (score / best).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            }
        }
    }
}

/// How recent an item is, 1.0 (today) falling by e per year since its last update.
pub fn freshness(now: i64, updated_at: i64) -> f32 {
    let days = ((now - updated_at).max(0) as f64) / 86_400_000.0;
    (-days / 365.0).exp() as f32
}

/// Share of influenced deals won, smoothed towards one half for items used in few deals.
pub fn win_rate(won: u32, influenced: u32) -> f32 {
    (won.min(influenced) as f32 + 1.0) / (influenced as f32 + 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrf_gives_the_weight_at_rank_one() {
        let t = Tuning::default();
        assert!((t.fused(Some(1), 0.0, 0.0, 2.0) - 2.0).abs() < 1e-6);
        assert!(t.fused(Some(2), 0.0, 0.0, 1.0) < 1.0);
        assert_eq!(t.fused(None, 1.0, 1.0, 1.0), 0.0);
    }

    #[test]
    fn priors_are_bounded() {
        assert!((freshness(1000, 1000) - 1.0).abs() < 1e-6);
        assert!(freshness(365 * 86_400_000, 0) < 0.37);
        assert!(freshness(0, 1000) <= 1.0);
        assert!((win_rate(0, 0) - 0.5).abs() < 1e-6);
        assert!(win_rate(9, 10) > 0.8);
        assert!(win_rate(20, 10) < 1.0);
    }
}
