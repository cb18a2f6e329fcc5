//! The content audit: what in the library is out of date, duplicated, missing for the
//! open deals, and what works or does not.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{ContentKind, Id, Millis};

/// A review of the content library at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ContentAudit {
    #[specta(type = Number)]
    pub generated_at: Millis,
    /// Number of items audited.
    #[specta(type = Number)]
    pub items: u64,
    /// Items that look out of date, most reasons first.
    pub stale: Vec<StaleItem>,
    /// Pairs of items that say (nearly) the same thing, most similar first.
    pub duplicates: Vec<DuplicatePair>,
    /// What open deals need and the library has nothing for, most money at stake first.
    pub gaps: Vec<CoverageGap>,
    /// Items with the best win rates (among those used in enough deals).
    pub top: Vec<Performer>,
    /// Items used or looked at a lot that rarely win, and old items nobody uses.
    pub under: Vec<Performer>,
    /// How many items of each kind the library holds (kinds with none are left out).
    pub by_kind: Vec<KindCount>,
}

/// An item that looks out of date, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StaleItem {
    pub id: Id,
    pub title: String,
    /// One sentence each: "mentions 2022 as the current year", "quotes a price list from
    /// 2023", "not updated for 2 years".
    pub reasons: Vec<String>,
}

/// Two items that say nearly the same thing (`a` is the older one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DuplicatePair {
    pub a_id: Id,
    pub a_title: String,
    pub b_id: Id,
    pub b_title: String,
    /// 0.0-1.0: cosine similarity of their vectors, or the overlap of their wording when
    /// the embedding model is not installed.
    #[specta(type = Number)]
    pub similarity: f32,
}

/// A kind of content that open deals in an industry, with a persona, need and the library
/// does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CoverageGap {
    /// Empty when the deals name no industry.
    pub industry: String,
    /// Empty when the deals name no stakeholder.
    pub persona: String,
    pub kind: ContentKind,
    /// Open deals with that industry and persona.
    pub open_deals: u32,
    /// Their total amount.
    #[specta(type = Number)]
    pub open_amount_cents: i64,
}

/// An item and how the deals it was used in went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Performer {
    pub id: Id,
    pub title: String,
    pub uses: u32,
    pub deals_influenced: u32,
    pub deals_won: u32,
    /// `deals_won / deals_influenced`, 0.0 when it influenced none.
    #[specta(type = Number)]
    pub win_rate: f32,
}

/// How many items of one kind the library holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct KindCount {
    pub kind: ContentKind,
    pub count: u32,
}

/// How soon a recommendation should be acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AdvicePriority {
    High,
    Medium,
    Low,
}

/// What a recommendation asks the content team to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum AdviceAction {
    /// Bring a stale asset up to date.
    Update,
    /// Stop sending an asset.
    Retire,
    /// Merge near-duplicates into one.
    Merge,
    /// Write what a gap lacks.
    Create,
    /// Get a top performer in front of more reps.
    Promote,
}

/// One next action for the content library, written by Claude from an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AuditRecommendation {
    pub priority: AdvicePriority,
    pub action: AdviceAction,
    /// One line naming the asset or the gap.
    pub title: String,
    /// Why, from the audit's figures, and what to change.
    pub detail: String,
    /// The audited items concerned (none for a gap to fill).
    pub content_ids: Vec<Id>,
}

/// Claude's recommendations for one audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AuditAdvice {
    /// Most valuable first.
    pub recommendations: Vec<AuditRecommendation>,
    /// The model that wrote them.
    pub model: String,
    /// Served from the response cache because Claude could not be reached.
    pub stale: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_round_trips_through_json() {
        let audit = ContentAudit {
            generated_at: 1_793_491_200_000,
            items: 2,
            stale: vec![StaleItem {
                id: "a".into(),
                title: "Price list 2022".into(),
                reasons: vec!["quotes a price list from 2022".into()],
            }],
            duplicates: vec![DuplicatePair {
                a_id: "a".into(),
                a_title: "Price list 2022".into(),
                b_id: "b".into(),
                b_title: "Price list 2022 (v2)".into(),
                similarity: 0.93,
            }],
            gaps: vec![CoverageGap {
                industry: "Healthcare".into(),
                persona: "CFO".into(),
                kind: ContentKind::CaseStudy,
                open_deals: 2,
                open_amount_cents: 12_000_000,
            }],
            top: vec![Performer {
                id: "a".into(),
                title: "Price list 2022".into(),
                uses: 10,
                deals_influenced: 4,
                deals_won: 3,
                win_rate: 0.75,
            }],
            under: Vec::new(),
            by_kind: vec![KindCount {
                kind: ContentKind::PricingSheet,
                count: 2,
            }],
        };
        let json = serde_json::to_string(&audit).unwrap();
        assert!(json.contains("\"kind\":\"case_study\""), "{json}");
        let back: ContentAudit = serde_json::from_str(&json).unwrap();
        assert_eq!(back, audit);
    }
}
