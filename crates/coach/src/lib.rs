//! Live-call coaching: on every final transcript segment, the objections the prospect
//! raises and the competitors either side names, each with the battle card's answer and
//! the words that raised it; plus talk ratio, monologues, questions, filler words and
//! pace, with gentle alerts.
//!
//! - [`Matcher`] is built once from the workspace's battle cards (and a [`Vocabulary`]
//!   of extra names and phrases) and shared between calls behind an `Arc`. It is lexical:
//!   normalised, stemmed tokens ([`text`]), built-in phrase patterns per objection kind
//!   ([`patterns`]) matched with room for an inserted or dropped word, the cards' own
//!   objection lines recognised when said nearly verbatim, and competitor names matched
//!   through split, merged, spelled-out ("vantage bee eye") and slightly misheard forms.
//!   Microseconds per segment (see `closer-coach-bench`).
//! - [`Coach`] is one call: [`Coach::on_final_segment`] returns the suggestions to show
//!   (objection cards only from the prospect's words, competitor cards from either side,
//!   the same suggestion not again within [`CoachOptions::repeat_window_ms`]) and the
//!   alerts raised; [`Coach::metrics`] gives the numbers so far.
//! - [`SemanticModel`] is the optional extra: given a sentence-embedding model (with the
//!   `embed` feature, closer-embed's MiniLM), [`Matcher::with_semantic`] compares prospect
//!   segments the lexical matcher found nothing in with the cards' objection lines. The
//!   lexical matcher reaches the evaluation goal without it.
//!
//! The evaluation set is `eval/coaching.json` (run `closer-coach-eval`): 120 snippets
//! written before any matcher code, labelled by the rules in its `about` field; odd ids
//! are the "dev" half, even ids the "held_out" half. How it was used, honestly:
//! the first run of the finished matcher scored micro F1 0.949 on the whole set (dev
//! 0.950, held-out 0.947); that run printed the misses of both halves once. Tuning after
//! it looked only at dev misses and made three general fixes (a card's objection lines
//! are classified with competitor names taken into account, and only lines classified
//! with confidence raise a kind; "commit" no longer counts as contract language, since
//! it stems like "commitment"; a pattern may only lose a function word, never a content
//! word). One more came from running the demo's recorded calls, not the set: half of a
//! card's two-kind line no longer raises the kind no word of the segment points at.
//! Labels were not changed. The held-out half was not tuned on, but it is not
//! pristine either: its misses were seen once, before tuning.
//!
//! What it deliberately does not know: audio, transcription, the store, the UI or Tauri.
//! Time is the call's own clock (segment times), so a replayed call coaches the same way.

mod coach;
mod competitor;
mod error;
pub mod eval;
mod kind;
mod matcher;
mod metrics;
pub mod patterns;
mod phrase;
mod semantic;
pub mod text;

pub use closer_types::{Speaker, TranscriptSegment};
pub use coach::{
    CallContext, Coach, CoachOptions, CoachUpdate, Source, Suggestion, SuggestionKind,
};
pub use error::{CoachError, Result};
pub use kind::ObjectionKind;
pub use matcher::{
    CardInfo, CardLine, DetectedCompetitor, DetectedObjection, Detection, Evidence, Matcher,
    Vocabulary,
};
pub use metrics::{
    count_questions, fillers, Alert, AlertKind, CallMetrics, MetricsOptions, Monologue,
};
pub use semantic::{SemanticError, SemanticModel};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn matcher_and_coach_are_send_and_sync() {
        assert_send_sync::<Matcher>();
        assert_send_sync::<Coach>();
    }
}
