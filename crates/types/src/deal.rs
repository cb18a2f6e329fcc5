use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, FieldError, Id, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum DealStage {
    #[default]
    Discovery,
    Qualification,
    Proposal,
    Negotiation,
    ClosedWon,
    ClosedLost,
}
enum_text!(DealStage { Discovery => "discovery", Qualification => "qualification", Proposal => "proposal", Negotiation => "negotiation", ClosedWon => "closed_won", ClosedLost => "closed_lost" });

impl DealStage {
    pub fn is_open(self) -> bool {
        !matches!(self, DealStage::ClosedWon | DealStage::ClosedLost)
    }
}

/// Someone on the buying side and the part they play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct Stakeholder {
    pub name: String,
    pub title: Option<String>,
    /// champion, economic_buyer, decision_maker, influencer, blocker, user ...
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Deal {
    pub id: Id,
    pub lead_id: Option<Id>,
    pub name: String,
    #[specta(type = Number)]
    pub amount_cents: i64,
    pub stage: DealStage,
    /// `YYYY-MM-DD`.
    pub close_date: Option<String>,
    pub competitors: Vec<String>,
    pub owner: Option<String>,
    pub stakeholders: Vec<Stakeholder>,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct DealDraft {
    pub lead_id: Option<Id>,
    pub name: String,
    #[specta(type = Number)]
    pub amount_cents: i64,
    pub stage: DealStage,
    pub close_date: Option<String>,
    pub competitors: Vec<String>,
    pub owner: Option<String>,
    pub stakeholders: Vec<Stakeholder>,
}

impl DealDraft {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = Vec::new();
        if self.name.trim().is_empty() {
            errs.push(FieldError::new("name", "a deal name is required"));
        }
        if self.amount_cents < 0 {
            errs.push(FieldError::new("amount_cents", "cannot be negative"));
        }
        if let Some(d) = &self.close_date {
            if !is_iso_date(d) {
                errs.push(FieldError::new(
                    "close_date",
                    format!("'{d}' is not a date like 2026-12-31"),
                ));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// A deal as a list row, with the lead's company name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DealSummary {
    pub id: Id,
    pub name: String,
    pub company: Option<String>,
    #[specta(type = Number)]
    pub amount_cents: i64,
    pub stage: DealStage,
    pub close_date: Option<String>,
    pub competitors: Vec<String>,
    pub owner: Option<String>,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct DealQuery {
    pub text: Option<String>,
    pub stage: Option<DealStage>,
    pub open_only: bool,
    pub offset: u32,
    pub limit: u32,
}

/// A deal with everything its detail view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DealDetail {
    pub deal: Deal,
    pub lead: Option<crate::Lead>,
    pub timeline: Vec<crate::Activity>,
    pub proposals: Vec<crate::ProposalSummary>,
    pub calls: Vec<crate::CallSummary>,
    /// Battle cards of the competitors named on the deal.
    pub battle_cards: Vec<crate::BattleCardSummary>,
}
