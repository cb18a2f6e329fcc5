//! Completed queued jobs back into typed, validated results.
//!
//! The gateway keeps `QueuedJob { kind, payload }` while Claude cannot be reached and runs it
//! later (possibly after a restart), handing the core the job's `kind`, `payload` and reply
//! `Message`. [`apply_queued`] checks that reply exactly like a live one, except that no
//! repair request can be made here: an invalid reply is [`AiError::InvalidReply`], and the
//! core should simply run the feature again (for instance score those leads again).

use closer_claude::Message;
use closer_types::{CallAnalysis, Id, LeadScore};
use serde_json::Value;

use crate::call_analysis::{parse_call_analysis, CALL_ANALYSIS_JOB};
use crate::lead_score::{parse_lead_scores, LEAD_SCORE_JOB};
use crate::proposal::{parse_polish, PROPOSAL_POLISH_JOB};
use crate::AiError;

/// What a completed queued job means for the workspace.
#[derive(Debug, Clone, PartialEq)]
pub enum QueuedResult {
    /// Kind `lead_score`: save each score on its lead.
    LeadScores(Vec<(Id, LeadScore)>),
    /// Kind `call_analysis`: save the analysis on the call.
    CallAnalysis { call_id: Id, analysis: CallAnalysis },
    /// Kind `proposal_polish`: offer the polished body to the rep (their draft may have
    /// changed since; do not overwrite it silently).
    ProposalPolish { proposal_id: Id, body: String },
}

fn bad(kind: &str, reason: &str) -> AiError {
    AiError::BadPayload {
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
}

fn id_field(kind: &str, payload: &Value, field: &str) -> Result<Id, AiError> {
    payload
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| bad(kind, &format!("no `{field}`")))
}

/// The validated result of a completed queued job.
pub fn apply_queued(
    kind: &str,
    payload: &Value,
    message: &Message,
) -> Result<QueuedResult, AiError> {
    match kind {
        LEAD_SCORE_JOB => {
            let ids: Vec<Id> = payload
                .get("lead_ids")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .filter(|v: &Vec<Id>| !v.is_empty())
                .ok_or_else(|| bad(kind, "no `lead_ids`"))?;
            parse_lead_scores(message, &ids).map(QueuedResult::LeadScores)
        }
        CALL_ANALYSIS_JOB => {
            let call_id = id_field(kind, payload, "call_id")?;
            let analysis = parse_call_analysis(message)?;
            Ok(QueuedResult::CallAnalysis { call_id, analysis })
        }
        PROPOSAL_POLISH_JOB => {
            let proposal_id = id_field(kind, payload, "proposal_id")?;
            let body = parse_polish(message)?;
            Ok(QueuedResult::ProposalPolish { proposal_id, body })
        }
        other => Err(AiError::UnknownJob(other.to_string())),
    }
}
