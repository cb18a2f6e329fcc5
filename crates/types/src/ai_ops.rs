//! What the AI commands answer: outcomes a rep can read ("queued until you are back
//! online", "drafted offline"), never raw gateway internals.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{
    AiBudgets, CallAnalysis, DealAnalysis, Id, LocalHealth, Proposal, SecondaryEndpoint,
    SecretStatus,
};

/// How a proposal got its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ProposalSource {
    /// Written by Claude, streamed into the editor.
    Claude,
    /// Claude's answer to the same request, from the response cache.
    Cache,
    /// Assembled on the laptop from the content library (offline or Claude unavailable).
    OfflineDraft,
    /// The rep cancelled; what had arrived was kept.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ProposalGenerated {
    pub proposal: Proposal,
    pub source: ProposalSource,
    /// An AI polish of the offline draft waits in the queue.
    pub polish_queued: bool,
    #[specta(type = Number)]
    pub cost_usd: f64,
    /// A sentence for the rep (budget warning, why it was drafted offline...).
    pub notice: Option<String>,
}

/// What scoring some leads did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, Default)]
pub struct LeadScoringReport {
    pub scored: u32,
    /// Leads whose scoring waits in the offline queue.
    pub queued: u32,
    pub failed: u32,
    pub notice: Option<String>,
}

/// A deal's health: always the local score, and Claude's analysis when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DealInsights {
    pub local: LocalHealth,
    pub analysis: Option<DealAnalysis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CallAnalysisOutcome {
    pub analysis: Option<CallAnalysis>,
    /// Claude could not be reached: the analysis runs when it can.
    pub queued: bool,
    pub notice: Option<String>,
}

/// Settings → AI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AiSettings {
    pub budgets: AiBudgets,
    pub secondary: Option<SecondaryEndpoint>,
    /// Where Claude is called (shown, not edited: set by the environment for demos).
    pub base_url: String,
    pub api_key: SecretStatus,
    /// The API is our local fake (demo mode).
    pub demo: bool,
}

/// What the rep can change in Settings → AI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AiSettingsInput {
    pub budgets: AiBudgets,
    pub secondary: Option<SecondaryEndpoint>,
}

/// Queued AI work that finished (sent as an event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AiJobsDone {
    pub completed: u32,
    pub failed: u32,
    /// "Scores for 10 leads, polish of “Proposal for Acme”".
    pub summary: String,
    /// Proposal ids whose polished text is ready.
    pub polished_proposals: Vec<Id>,
}
