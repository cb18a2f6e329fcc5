//! Live calls: consent and the do-not-call list, the transcript as it arrives, the
//! coaching moments, and what the live call window is told.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, Id, Millis, Speaker, TranscriptSegment};

/// A number on the do-not-call list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct DncEntry {
    /// The normalised number (see [`normalize_phone`]).
    pub phone: String,
    pub reason: String,
    #[specta(type = Number)]
    pub added_at: Millis,
}

/// The do-not-call check made before a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct DncCheck {
    /// The numbers checked (the lead's contacts' phones, normalised).
    pub checked: Vec<String>,
    /// The listed number that matched, if any: the call must not be made.
    pub listed: Option<DncEntry>,
    #[specta(type = Number)]
    pub checked_at: Millis,
}

/// Whether the rep read the consent announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    #[default]
    NotAsked,
    Confirmed,
    Declined,
}
enum_text!(ConsentState { NotAsked => "not_asked", Confirmed => "confirmed", Declined => "declined" });

/// What the rep did with a coaching card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum MomentAction {
    #[default]
    Shown,
    Dismissed,
    Pinned,
    Used,
    /// The rep marked the moment by hand (Ctrl+Shift+M).
    Marked,
}
enum_text!(MomentAction { Shown => "shown", Dismissed => "dismissed", Pinned => "pinned", Used => "used", Marked => "marked" });

/// One coaching moment of a call: a card shown (and what the rep did with it), or a mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CallMoment {
    pub id: u32,
    pub call_id: Id,
    /// Call time.
    pub at_ms: u32,
    /// "objection:price", "competitor", "alert:monologue", "mark".
    pub kind: String,
    pub card_id: Option<Id>,
    /// The card's response, the alert's message or the rep's note.
    pub text: String,
    pub action: MomentAction,
}

/// What a call records about its consent step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct CallConsent {
    pub state: ConsentState,
    #[specta(type = Option<Number>)]
    pub at: Option<Millis>,
    pub dnc: Option<DncCheck>,
}

/// The call review screen: the call with its consent, moments and kept audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CallReview {
    pub call: crate::Call,
    pub consent: CallConsent,
    pub moments: Vec<CallMoment>,
    /// The WAV kept in the app data folder when Settings asks to keep call audio.
    pub audio_path: Option<String>,
}

/// Who the call is with: a deal (its lead's phones are checked) or a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CallTarget {
    pub deal_id: Option<Id>,
    pub lead_id: Option<Id>,
}

/// A call that started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct LiveCallStarted {
    pub call_id: Id,
    pub title: String,
    pub microphone: String,
    /// The input carrying the other side, when one is configured and opened.
    pub call_audio: Option<String>,
    /// Live transcription and coaching run.
    pub coaching: bool,
    /// Why not, in words for the rep.
    pub coaching_off_reason: Option<String>,
}

/// A live call, as the live call window sees it change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveCallEvent {
    /// Words still being heard (greyed); replaced by the next partial or the final.
    Partial {
        call_id: Id,
        speaker: Speaker,
        start_ms: u32,
        text: String,
    },
    /// A segment that will not change (already saved).
    Final {
        call_id: Id,
        seq: u32,
        segment: TranscriptSegment,
    },
    /// A coaching card to show now.
    Suggestion {
        call_id: Id,
        /// 0 when the moment could not be saved.
        moment_id: u32,
        card: CoachCard,
    },
    /// A gentle alert (talk ratio, monologue, pace).
    Alert {
        call_id: Id,
        at_ms: u32,
        message: String,
    },
    /// Talk metrics after a final segment.
    Metrics { call_id: Id, metrics: TalkMetrics },
    /// Audio was lost because transcription fell behind (total so far).
    Dropped {
        call_id: Id,
        speaker: Speaker,
        total_ms: u32,
    },
    /// An input went away; capture resumes on another one.
    DeviceLost {
        call_id: Id,
        speaker: Speaker,
        message: String,
    },
    DeviceResumed {
        call_id: Id,
        speaker: Speaker,
        device: String,
    },
    /// Transcription stopped on a channel (the engine failed); the call goes on.
    Problem { call_id: Id, message: String },
    /// The speech model's state (loaded once per app, at start).
    SpeechModel {
        loading: bool,
        ready: bool,
        /// Why it is not ready (missing, failed), for the rep.
        message: Option<String>,
    },
    /// The call ended and was saved.
    Ended {
        call_id: Id,
        segments: u32,
        analysis_queued: bool,
    },
}

/// A coaching card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct CoachCard {
    /// "Price", "Competitor: Vantage BI".
    pub title: String,
    pub kind: String,
    pub card_id: Option<Id>,
    pub competitor: Option<String>,
    pub objection: Option<String>,
    pub response: String,
    /// The prospect's words that raised it.
    pub evidence: Vec<String>,
    pub segment_end_ms: u32,
}

/// Live talk metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, Default)]
pub struct TalkMetrics {
    pub now_ms: u32,
    /// Rep share of talk time, 0..1.
    #[specta(type = Number)]
    pub rep_talk_ratio: f32,
    pub longest_rep_monologue_ms: u32,
    pub rep_questions: u32,
    pub rep_fillers: u32,
    #[specta(type = Number)]
    pub rep_wpm: f32,
}

/// Digits of a phone number as the do-not-call list compares them: `+` and formatting
/// dropped, an international `00` prefix dropped, and a North American `1` before ten
/// digits dropped, so "+1 (415) 555-0100", "415.555.0100" and "0014155550100" are one
/// number. `None` when fewer than 6 digits remain.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let mut digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("00") {
        digits = rest.to_string();
    }
    if digits.len() == 11 && digits.starts_with('1') {
        digits.remove(0);
    }
    (digits.len() >= 6).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_in_many_spellings() {
        let n = normalize_phone("+1 (415) 555-0100");
        assert_eq!(n.as_deref(), Some("4155550100"));
        assert_eq!(normalize_phone("415.555.0100"), n);
        assert_eq!(normalize_phone("0014155550100"), n);
        assert_eq!(
            normalize_phone("+44 20 7946 0958").as_deref(),
            Some("442079460958")
        );
        assert_eq!(normalize_phone("ext. 12"), None);
    }
}
