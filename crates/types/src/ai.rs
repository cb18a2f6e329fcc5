//! What Closer's AI features produce and the UI shows: Claude's deal analysis, the offline
//! deal health score, and suggested battle-card updates.
//!
//! Lead scores and call analyses reuse [`crate::LeadScore`] and [`crate::CallAnalysis`].
//! Every value here has been validated by `closer-ai` (JSON Schema + checks against the
//! context it was made from) before it reaches the store or the UI.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, Id, Millis};

/// How sure the model is of its deal analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}
enum_text!(Confidence { Low => "low", Medium => "medium", High => "high" });

/// low | medium | high, for risk severity and stakeholder influence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    #[default]
    Medium,
    High,
}
enum_text!(Level { Low => "low", Medium => "medium", High => "high" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum SignalStrength {
    Weak,
    #[default]
    Moderate,
    Strong,
}
enum_text!(SignalStrength { Weak => "weak", Moderate => "moderate", Strong => "strong" });

/// A buying signal seen on the deal's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct BuyingSignal {
    pub signal: String,
    /// `YYYY-MM-DD`.
    pub timestamp: String,
    pub strength: SignalStrength,
    /// The id of the activity (or call) of the timeline it was seen in.
    pub source: Id,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DealRisk {
    pub risk: String,
    pub severity: Level,
    /// Ids of the timeline's activities (or calls) that show it.
    pub evidence: Vec<Id>,
    pub recommended_action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NextAction {
    pub action: String,
    /// 1 (do first) .. 5.
    pub priority: u8,
    /// "within 24 hours", "before the pricing call" ...
    pub timing: String,
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ContentRecommendation {
    /// The id of an item of the content library.
    pub content_id: Id,
    /// 0..100.
    pub relevance_score: u8,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderRole {
    Champion,
    EconomicBuyer,
    DecisionMaker,
    #[default]
    Influencer,
    Blocker,
    User,
}
enum_text!(StakeholderRole {
    Champion => "champion", EconomicBuyer => "economic_buyer", DecisionMaker => "decision_maker",
    Influencer => "influencer", Blocker => "blocker", User => "user"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Supportive,
    Neutral,
    Opposed,
    #[default]
    Unknown,
}
enum_text!(Stance { Supportive => "supportive", Neutral => "neutral", Opposed => "opposed", Unknown => "unknown" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct StakeholderInsight {
    pub name: String,
    pub title: String,
    pub role: StakeholderRole,
    pub influence: Level,
    pub stance: Stance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CompetitiveThreat {
    pub competitor: String,
    pub threat: String,
    pub response: String,
}

/// Claude's reading of a whole deal timeline (seed 000, integration pattern 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DealAnalysis {
    /// 0..100.
    pub deal_health_score: u8,
    pub confidence: Confidence,
    pub summary: String,
    pub buying_signals: Vec<BuyingSignal>,
    pub risks: Vec<DealRisk>,
    pub next_actions: Vec<NextAction>,
    pub content_recommendations: Vec<ContentRecommendation>,
    pub stakeholder_map: Vec<StakeholderInsight>,
    pub competitive_threats: Vec<CompetitiveThreat>,
    /// When the analysis was made (set by Closer, not by the model).
    #[serde(default)]
    #[specta(type = Number)]
    pub analyzed_at: Millis,
    /// The model that wrote it.
    #[serde(default)]
    pub model: String,
    /// Served from an expired cache entry because Claude could not be reached.
    #[serde(default)]
    pub stale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum HealthBand {
    #[default]
    Healthy,
    AtRisk,
    Critical,
}
enum_text!(HealthBand { Healthy => "healthy", AtRisk => "at_risk", Critical => "critical" });

/// One reason for a local health score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct HealthFactor {
    /// Stable key: stage_age, activity_recency, champion_silence, competition, close_date ...
    pub key: String,
    pub label: String,
    /// Points added (positive) or taken away (negative).
    pub points: i32,
    /// "No activity for 19 days (−15)".
    pub detail: String,
}

/// A deal's health computed on the laptop, without Claude: every deal always has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LocalHealth {
    /// 0..100.
    pub score: u8,
    pub band: HealthBand,
    pub factors: Vec<HealthFactor>,
}

/// The part of a battle card a suggestion changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum CardSection {
    #[default]
    Summary,
    /// `our_strengths`.
    Strengths,
    /// `their_weaknesses`.
    Weaknesses,
    /// `pricing_comparison`.
    Pricing,
    /// `key_differentiators`.
    Differentiators,
    /// `objections`: a response to an objection.
    Objection,
    TriggerPhrases,
}
enum_text!(CardSection {
    Summary => "summary", Strengths => "strengths", Weaknesses => "weaknesses", Pricing => "pricing",
    Differentiators => "differentiators", Objection => "objection", TriggerPhrases => "trigger_phrases"
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    #[default]
    Pending,
    Accepted,
    Rejected,
}
enum_text!(SuggestionStatus { Pending => "pending", Accepted => "accepted", Rejected => "rejected" });

/// A change to a battle card proposed from what reps heard on calls and wrote in notes;
/// a manager accepts or rejects it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct BattleCardSuggestion {
    pub id: Id,
    pub card_id: Id,
    pub section: CardSection,
    /// The text replaced: an item of a list section, the whole text of `summary`/`pricing`,
    /// or the response to `objection`; `None` adds a new item.
    pub current: Option<String>,
    pub suggested: String,
    /// For `objection`: the objection the suggested response answers.
    #[serde(default)]
    pub objection: Option<String>,
    pub reason: String,
    /// Ids of the notes (activities) and calls it is based on.
    pub sources: Vec<Id>,
    pub status: SuggestionStatus,
    #[specta(type = Number)]
    pub created_at: Millis,
}
