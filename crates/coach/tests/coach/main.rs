//! Behaviour a rep would notice: the right card at the right moment, nothing for small
//! talk, no nagging repeats, and call metrics that add up.
#![allow(clippy::unwrap_used)]

mod eval_set;
mod metrics;
mod suggestions;

use std::sync::Arc;

use closer_coach::{
    CallContext, Coach, CoachOptions, Matcher, Speaker, Suggestion, SuggestionKind,
    TranscriptSegment, Vocabulary,
};
use closer_types::BattleCard;

/// The demo workspace's battle cards (eight competitors).
pub fn demo_cards() -> Vec<BattleCard> {
    closer_demo::generate(closer_demo::DEFAULT_SEED, 1_767_225_600_000).battle_cards
}

pub fn matcher() -> Arc<Matcher> {
    Arc::new(Matcher::new(&demo_cards(), &Vocabulary::default()))
}

pub fn coach_with(deal_competitors: &[&str]) -> Coach {
    let context = CallContext {
        deal_competitors: deal_competitors.iter().map(|s| s.to_string()).collect(),
    };
    Coach::for_call(matcher(), &context, CoachOptions::default()).unwrap()
}

pub fn seg(speaker: Speaker, start_s: u32, end_s: u32, text: &str) -> TranscriptSegment {
    TranscriptSegment {
        speaker,
        start_ms: start_s * 1000,
        end_ms: end_s * 1000,
        text: text.to_string(),
    }
}

pub fn objection(kind: closer_coach::ObjectionKind) -> SuggestionKind {
    SuggestionKind::Objection { kind }
}

pub fn kinds(s: &[Suggestion]) -> Vec<SuggestionKind> {
    s.iter().map(|s| s.kind.clone()).collect()
}

pub fn card_name(s: &Suggestion) -> Option<&str> {
    s.competitor.as_deref()
}
