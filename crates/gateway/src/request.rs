//! The gateway's contract with the features that use it (`closer-ai`, `closer-core`).

use closer_claude::{InputMessage, Message, TextBlock, Tool, ToolChoice};
use serde::{Deserialize, Serialize};

/// What a request is for: decides the model tier, the cache TTL, the rate limit and the budget line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    LeadScore,
    Proposal,
    ProposalPolish,
    DealAnalysis,
    CallAnalysis,
    BattleCardRefresh,
    QueryUnderstanding,
    SearchRerank,
    Summary,
    ContentAudit,
}

impl Feature {
    pub const ALL: [Feature; 10] = [
        Feature::LeadScore,
        Feature::Proposal,
        Feature::ProposalPolish,
        Feature::DealAnalysis,
        Feature::CallAnalysis,
        Feature::BattleCardRefresh,
        Feature::QueryUnderstanding,
        Feature::SearchRerank,
        Feature::Summary,
        Feature::ContentAudit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::LeadScore => "lead_score",
            Feature::Proposal => "proposal",
            Feature::ProposalPolish => "proposal_polish",
            Feature::DealAnalysis => "deal_analysis",
            Feature::CallAnalysis => "call_analysis",
            Feature::BattleCardRefresh => "battle_card_refresh",
            Feature::QueryUnderstanding => "query_understanding",
            Feature::SearchRerank => "search_rerank",
            Feature::Summary => "summary",
            Feature::ContentAudit => "content_audit",
        }
    }

    pub fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Work that may wait: kept in the offline queue when Claude cannot be reached, and run
/// when it can. `kind` and `payload` are the caller's, returned untouched on completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedJob {
    pub kind: String,
    pub payload: serde_json::Value,
}

/// One logical request. The gateway picks the model, places the prompt-cache breakpoints,
/// checks budget and rate limit, consults the response cache, retries, falls back, queues.
#[derive(Debug, Clone, PartialEq)]
pub struct AiRequest {
    pub feature: Feature,
    /// Instructions: stable across requests of a feature.
    pub system: Vec<TextBlock>,
    /// Stable context (brand guidelines, a battle card, content excerpts), in order from most
    /// to least stable. Sent after `system`; the gateway marks them as cache breakpoints.
    pub context: Vec<TextBlock>,
    /// The variable part.
    pub messages: Vec<InputMessage>,
    pub tools: Vec<Tool>,
    pub tool_choice: Option<ToolChoice>,
    pub max_tokens: u32,
    /// Dropped by the gateway for models that only take the default.
    pub temperature: Option<f32>,
    /// `Some` when this work may be queued while offline or while the circuit is open.
    pub queue: Option<QueuedJob>,
    /// Skip the response cache lookup (a rep asked to regenerate). The answer is still cached.
    pub fresh: bool,
}

impl AiRequest {
    pub fn new(feature: Feature, max_tokens: u32) -> Self {
        AiRequest {
            feature,
            system: Vec::new(),
            context: Vec::new(),
            messages: Vec::new(),
            tools: Vec::new(),
            tool_choice: None,
            max_tokens,
            temperature: None,
            queue: None,
            fresh: false,
        }
    }
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServedFrom {
    Upstream,
    ResponseCache,
    /// An expired cache entry, served because the upstream failed.
    StaleCache,
    /// The optional OpenAI-compatible secondary endpoint (e.g. a local Ollama).
    Secondary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AiResponse {
    pub message: Message,
    pub served_from: ServedFrom,
    /// The model that was asked (the routing decision).
    pub model: String,
    pub routing_reason: String,
    /// The ledger row of this logical request.
    pub ledger_id: i64,
    pub cost_usd: f64,
    /// Upstream attempts made (0 for a cache hit).
    pub attempts: u32,
    /// Set when a budget passed 80 %: a sentence for the rep.
    pub budget_warning: Option<String>,
}

impl AiResponse {
    pub fn is_stale(&self) -> bool {
        self.served_from == ServedFrom::StaleCache
    }
}
