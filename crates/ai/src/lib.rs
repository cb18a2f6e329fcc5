//! Closer's AI features, on top of the gateway (`closer-gateway`), plus what works offline.
//!
//! With Claude ([`Ai`]): lead scoring in batches of ten, deal analysis, call analysis,
//! battle-card suggestions, streamed proposals and proposal polish. Every structured reply
//! comes through a forced tool call whose input is checked twice, against the tool's JSON
//! Schema (`schemas/*.json`) and against the context it was made from (ids exist, each lead
//! scored once, card text quoted exactly...). An invalid reply gets **one** repair request
//! (same feature, `fresh: true`, carrying the previous tool input and the errors); if that
//! is invalid too the feature fails with [`AiError::InvalidReply`]. Nothing unchecked is
//! ever returned, so nothing unchecked is ever stored.
//!
//! Offline, pure and deterministic: [`local_health`] (an explained deal health score) and
//! [`draft_proposal`] (a complete Markdown first draft from the content library).
//!
//! Queued work: lead scores, call analyses and polishes may wait in the gateway's offline
//! queue. The core turns a completed job back into a typed, validated result with
//! [`apply_queued`].
//!
//! What this crate does not know: the store, the network, Tauri. The core gathers the
//! contexts ([`DealContext`], [`CallContext`], [`ProposalContext`]) and saves the results.

mod audit_advice;
mod battle_card;
mod brand;
mod call_analysis;
#[cfg(test)]
mod check_tests;
mod context;
mod deal_analysis;
mod draft;
mod error;
mod features;
mod health;
mod lead_score;
mod prompt;
mod proposal;
mod queued;
mod rerank;
mod schema;
mod text;
mod understand;

pub use audit_advice::audit_advice_request;
pub use battle_card::{apply_suggestion, battle_card_request, parse_battle_card_suggestions};
pub use brand::DEFAULT_BRAND_GUIDELINES;
pub use call_analysis::{call_analysis_request, parse_call_analysis, CALL_ANALYSIS_JOB};
pub use context::{CallContext, DealContext, ProposalContext};
pub use deal_analysis::{deal_analysis_request, parse_deal_analysis};
pub use draft::draft_proposal;
pub use error::{AiError, Result};
pub use features::{Ai, LeadScoreRun, QueuedBatch};
pub use health::{local_health, with_last_call};
pub use lead_score::{lead_score_request, parse_lead_scores, LEAD_BATCH_SIZE, LEAD_SCORE_JOB};
pub use proposal::{parse_polish, polish_request, proposal_request, PROPOSAL_POLISH_JOB};
pub use queued::{apply_queued, QueuedResult};
pub use rerank::{rerank_order, rerank_request, RerankCandidate, Reranked, RERANK_MAX};
pub use schema::ToolSchema;
pub use understand::{understand_request, QueryUnderstanding, SearchVocabulary};
