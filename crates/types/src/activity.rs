use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, Id, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    #[default]
    Note,
    Call,
    Email,
    Meeting,
    StageChange,
    ProposalSent,
    Task,
}
enum_text!(ActivityKind { Note => "note", Call => "call", Email => "email", Meeting => "meeting", StageChange => "stage_change", ProposalSent => "proposal_sent", Task => "task" });

/// One entry of a deal's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Activity {
    pub id: Id,
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub kind: ActivityKind,
    pub body: String,
    pub author: Option<String>,
    /// When it happened (may differ from when it was written down).
    #[specta(type = Number)]
    pub at: Millis,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct NewActivity {
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
    pub kind: ActivityKind,
    pub body: String,
    #[specta(type = Option<Number>)]
    pub at: Option<Millis>,
}
