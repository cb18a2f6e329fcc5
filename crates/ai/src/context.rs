//! What the core gathers from the store before asking for an analysis or a proposal.
//!
//! The contexts hold plain domain values; nothing here reads the store. Lists may come in
//! any order: the prompt builders sort what they render (so the same workspace gives the
//! same prompt, and the gateway's response cache can answer a repeated request).

use closer_types::{Activity, BattleCard, Call, ContentItem, Deal, Id, Lead};

use crate::DEFAULT_BRAND_GUIDELINES;

/// Everything [`crate::Ai::analyze_deal`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct DealContext {
    pub deal: Deal,
    /// The deal's lead (company, industry, size, contacts' names and titles).
    pub lead: Option<Lead>,
    /// The deal's timeline. Their ids are what buying signals and risks may cite.
    pub activities: Vec<Activity>,
    /// The deal's recorded calls (their analyses, or transcript excerpts, are shown). Their
    /// ids may be cited like activities.
    pub calls: Vec<Call>,
    /// Battle cards of the competitors named on the deal.
    pub battle_cards: Vec<BattleCard>,
    /// The content the model may recommend: the core's best matches for the deal (10-30
    /// items is plenty; each is sent as a short excerpt). Only these ids are accepted.
    pub content: Vec<ContentItem>,
    /// The workspace's brand guidelines; `None` uses [`DEFAULT_BRAND_GUIDELINES`].
    pub brand_guidelines: Option<String>,
}

impl DealContext {
    pub fn new(deal: Deal) -> Self {
        DealContext {
            deal,
            lead: None,
            activities: Vec::new(),
            calls: Vec::new(),
            battle_cards: Vec::new(),
            content: Vec::new(),
            brand_guidelines: None,
        }
    }

    pub fn brand(&self) -> &str {
        brand_or_default(&self.brand_guidelines)
    }
}

/// Everything [`crate::Ai::analyze_call`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct CallContext {
    /// The call with its transcript segments.
    pub call: Call,
    pub deal: Option<Deal>,
    pub lead: Option<Lead>,
    /// Battle cards of the deal's competitors (objection handling is judged against them).
    pub battle_cards: Vec<BattleCard>,
    pub brand_guidelines: Option<String>,
}

impl CallContext {
    pub fn new(call: Call) -> Self {
        CallContext {
            call,
            deal: None,
            lead: None,
            battle_cards: Vec::new(),
            brand_guidelines: None,
        }
    }

    pub fn brand(&self) -> &str {
        brand_or_default(&self.brand_guidelines)
    }
}

/// Everything the proposal features read ([`crate::draft_proposal`],
/// [`crate::Ai::stream_proposal`], [`crate::Ai::polish_proposal`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalContext {
    /// The proposal being written, when it exists already: a polish is only queued
    /// (offline) when there is a proposal to apply it to.
    pub proposal_id: Option<Id>,
    pub deal: Option<Deal>,
    pub lead: Option<Lead>,
    /// The deal's timeline (pains and asks heard so far).
    pub activities: Vec<Activity>,
    /// Battle cards of the deal's competitors.
    pub battle_cards: Vec<BattleCard>,
    /// Content to draw on: case studies, pricing sheets, one-pagers. The whole library is
    /// fine for the offline draft; send the best matches to Claude.
    pub content: Vec<ContentItem>,
    pub brand_guidelines: Option<String>,
}

impl ProposalContext {
    pub fn new() -> Self {
        ProposalContext {
            proposal_id: None,
            deal: None,
            lead: None,
            activities: Vec::new(),
            battle_cards: Vec::new(),
            content: Vec::new(),
            brand_guidelines: None,
        }
    }

    pub fn brand(&self) -> &str {
        brand_or_default(&self.brand_guidelines)
    }
}

impl Default for ProposalContext {
    fn default() -> Self {
        ProposalContext::new()
    }
}

pub(crate) fn brand_or_default(g: &Option<String>) -> &str {
    match g.as_deref() {
        Some(s) if !s.trim().is_empty() => s,
        _ => DEFAULT_BRAND_GUIDELINES,
    }
}
