use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{Id, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Rep,
    Prospect,
    #[default]
    Unknown,
}

/// One stretch of speech, timed from the start of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TranscriptSegment {
    pub speaker: Speaker,
    pub start_ms: u32,
    pub end_ms: u32,
    pub text: String,
}

/// An objection met on a call and how it was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ObjectionMet {
    pub objection: String,
    pub handled: bool,
    pub note: Option<String>,
}

/// Post-call analysis (seed 001: sentiment, topics, objections, next actions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, Default)]
pub struct CallAnalysis {
    pub summary: String,
    /// -1.0 (hostile) .. 1.0 (enthusiastic).
    #[specta(type = Number)]
    pub sentiment: f32,
    pub topics: Vec<String>,
    pub objections: Vec<ObjectionMet>,
    pub next_actions: Vec<String>,
    pub follow_up_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Call {
    pub id: Id,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub title: String,
    #[specta(type = Number)]
    pub started_at: Millis,
    #[specta(type = Option<Number>)]
    pub ended_at: Option<Millis>,
    pub segments: Vec<TranscriptSegment>,
    pub analysis: Option<CallAnalysis>,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CallSummary {
    pub id: Id,
    pub title: String,
    pub company: Option<String>,
    pub deal_name: Option<String>,
    #[specta(type = Number)]
    pub started_at: Millis,
    pub duration_ms: Option<u32>,
    #[specta(type = Option<Number>)]
    pub sentiment: Option<f32>,
}
