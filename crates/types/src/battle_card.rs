use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{FieldError, Id, Millis};

/// What to say when a prospect raises an objection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct ObjectionResponse {
    pub objection: String,
    pub response: String,
}

/// Everything a rep needs about one competitor, readable at a glance on a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct BattleCard {
    pub id: Id,
    pub competitor: String,
    pub summary: String,
    pub our_strengths: Vec<String>,
    pub their_weaknesses: Vec<String>,
    pub pricing_comparison: String,
    pub key_differentiators: Vec<String>,
    pub objections: Vec<ObjectionResponse>,
    /// Phrases that, heard on a call, bring this card up ("we already use X", product names).
    pub trigger_phrases: Vec<String>,
    pub updated_by: Option<String>,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct BattleCardDraft {
    pub competitor: String,
    pub summary: String,
    pub our_strengths: Vec<String>,
    pub their_weaknesses: Vec<String>,
    pub pricing_comparison: String,
    pub key_differentiators: Vec<String>,
    pub objections: Vec<ObjectionResponse>,
    pub trigger_phrases: Vec<String>,
    pub updated_by: Option<String>,
}

impl BattleCardDraft {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.competitor.trim().is_empty() {
            return Err(vec![FieldError::new(
                "competitor",
                "a competitor name is required",
            )]);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct BattleCardSummary {
    pub id: Id,
    pub competitor: String,
    pub summary: String,
    pub open_deals: u32,
    #[specta(type = Number)]
    pub updated_at: Millis,
}
