use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, Id, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    #[default]
    Draft,
    Sent,
    Accepted,
    Rejected,
}
enum_text!(ProposalStatus { Draft => "draft", Sent => "sent", Accepted => "accepted", Rejected => "rejected" });

/// A proposal: markdown, autosaved as the rep types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Proposal {
    pub id: Id,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub title: String,
    pub body: String,
    pub status: ProposalStatus,
    /// Number of the newest saved version (1 for a new proposal).
    pub version: u32,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct NewProposal {
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub title: String,
    pub body: String,
}

/// What the editor sends on every autosave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ProposalEdit {
    pub title: String,
    pub body: String,
}

/// A frozen copy of a proposal (taken on status changes, on request, and every few
/// minutes of editing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ProposalVersion {
    pub proposal_id: Id,
    pub version: u32,
    pub title: String,
    pub body: String,
    pub status: ProposalStatus,
    #[specta(type = Number)]
    pub saved_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ProposalSummary {
    pub id: Id,
    pub title: String,
    pub company: Option<String>,
    pub deal_name: Option<String>,
    pub status: ProposalStatus,
    pub version: u32,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

/// The editor's receipt for an autosave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ProposalSaved {
    #[specta(type = Number)]
    pub updated_at: Millis,
    pub version: u32,
}
