//! The objections a rep meets.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoachError;

/// What the prospect is pushing back on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionKind {
    /// Too expensive, no budget, a cheaper alternative.
    Price,
    /// Not now, next quarter, after the reorg.
    Timing,
    /// Someone else decides or must sign off.
    Authority,
    /// No need, the spreadsheet is fine, not convinced of the value.
    Need,
    /// "We already use X": a competitor or an own build is in place.
    Incumbent,
    /// Security review, compliance, where the data lives.
    Security,
    /// Term length, cancellation, renewal, legal paper.
    Contract,
}

impl ObjectionKind {
    pub const ALL: [ObjectionKind; 7] = [
        ObjectionKind::Price,
        ObjectionKind::Timing,
        ObjectionKind::Authority,
        ObjectionKind::Need,
        ObjectionKind::Incumbent,
        ObjectionKind::Security,
        ObjectionKind::Contract,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionKind::Price => "price",
            ObjectionKind::Timing => "timing",
            ObjectionKind::Authority => "authority",
            ObjectionKind::Need => "need",
            ObjectionKind::Incumbent => "incumbent",
            ObjectionKind::Security => "security",
            ObjectionKind::Contract => "contract",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What to say when no battle card answers this kind: a short, general move.
    pub fn generic_response(self) -> &'static str {
        match self {
            ObjectionKind::Price => "Ask what they compare the price against, then move to payback: the cost of a missed forecast and the manager hours the spreadsheet takes.",
            ObjectionKind::Timing => "Ask what changes by then. Offer a small pilot now so the numbers are proven before the date they named.",
            ObjectionKind::Authority => "Ask who else decides and what they need to see. Offer a short summary or a call with them.",
            ObjectionKind::Need => "Ask how far off the forecast was last quarter and what that miss cost. If it costs nothing, say so.",
            ObjectionKind::Incumbent => "Ask what works and what doesn't with what they use today; position alongside it rather than against it.",
            ObjectionKind::Security => "Offer the security package (SOC 2 Type II, ISO 27001) today and a call with the security team.",
            ObjectionKind::Contract => "Ask which term they need; offer annual terms, a renewal cap in writing, or a pilot that converts.",
        }
    }
}

impl fmt::Display for ObjectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ObjectionKind {
    type Err = CoachError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        ObjectionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t || (t == "contract_terms" && *k == ObjectionKind::Contract))
            .ok_or_else(|| CoachError::UnknownKind(s.to_string()))
    }
}
