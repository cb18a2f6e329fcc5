//! Live call metrics from final segments: talk time and ratio, monologues, questions,
//! filler words and pace, with gentle alerts as data (the UI decides how to show them).
//!
//! Time is the call's own clock (the segments' `start_ms`/`end_ms`), never the wall
//! clock, so a replayed transcript gives the same numbers.

use std::collections::{BTreeMap, VecDeque};

use closer_types::{Speaker, TranscriptSegment};
use serde::{Deserialize, Serialize};

use crate::error::{CoachError, Result};

/// Thresholds and windows of the metrics and their alerts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricsOptions {
    /// The recent window the talk ratio alert looks at.
    pub talk_window_ms: u32,
    /// Rep share of talk time in that window above which the alert is raised.
    pub talk_ratio_alert: f32,
    /// Speech needed in the window before the ratio means anything.
    pub talk_min_ms: u32,
    /// A rep monologue longer than this raises an alert.
    pub monologue_alert_ms: u32,
    /// Silence that still belongs to one speaker's monologue.
    pub monologue_gap_ms: u32,
    /// The recent window pace is measured over.
    pub pace_window_ms: u32,
    /// Rep words per minute above which the pace alert is raised.
    pub pace_alert_wpm: f32,
    /// Rep speech needed in the window before pace means anything.
    pub pace_min_ms: u32,
    /// After an alert clears, the same alert is not raised again for this long.
    pub alert_cooldown_ms: u32,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            talk_window_ms: 5 * 60_000,
            talk_ratio_alert: 0.65,
            talk_min_ms: 60_000,
            monologue_alert_ms: 90_000,
            monologue_gap_ms: 3_000,
            pace_window_ms: 60_000,
            pace_alert_wpm: 180.0,
            pace_min_ms: 15_000,
            alert_cooldown_ms: 2 * 60_000,
        }
    }
}

impl MetricsOptions {
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.talk_ratio_alert) {
            return Err(CoachError::InvalidOption {
                field: "talk_ratio_alert",
                reason: "must be between 0 and 1",
            });
        }
        if self.talk_window_ms == 0 || self.pace_window_ms == 0 {
            return Err(CoachError::InvalidOption {
                field: "talk_window_ms/pace_window_ms",
                reason: "must be positive",
            });
        }
        if !self.pace_alert_wpm.is_finite() || self.pace_alert_wpm <= 0.0 {
            return Err(CoachError::InvalidOption {
                field: "pace_alert_wpm",
                reason: "must be a positive number",
            });
        }
        Ok(())
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The rep has talked most of the recent window.
    RepTalkRatio,
    /// The rep has been talking without a break for long.
    Monologue,
    /// The rep is speaking fast.
    Pace,
}

/// A gentle nudge for the rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// When it was raised (call time).
    pub at_ms: u32,
    /// The measured value (a share, milliseconds, words per minute).
    pub value: f32,
    pub threshold: f32,
    pub message: String,
}

/// A stretch of one speaker's speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monologue {
    pub speaker: Speaker,
    pub start_ms: u32,
    pub end_ms: u32,
}

impl Monologue {
    pub fn duration_ms(&self) -> u32 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// A snapshot of the call's metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CallMetrics {
    /// End of the latest segment.
    pub now_ms: u32,
    pub rep_talk_ms: u32,
    pub prospect_talk_ms: u32,
    /// Speech of an unknown speaker (not in the ratio).
    pub other_talk_ms: u32,
    /// Rep share of rep + prospect talk time over the whole call (0 before anyone spoke).
    pub rep_talk_ratio: f32,
    /// The same over the recent window ([`MetricsOptions::talk_window_ms`]).
    pub recent_rep_talk_ratio: f32,
    /// Longest stretch of one speaker, either side.
    pub longest_monologue: Option<Monologue>,
    /// Longest stretch of the rep.
    pub longest_rep_monologue: Option<Monologue>,
    /// The stretch going on now.
    pub current_monologue: Option<Monologue>,
    pub rep_questions: u32,
    pub prospect_questions: u32,
    pub rep_words: u32,
    pub rep_fillers: u32,
    /// Rep filler words by filler ("um", "you know" ...).
    pub rep_filler_counts: BTreeMap<String, u32>,
    /// Rep words per minute of rep speech, whole call.
    pub rep_wpm: f32,
    /// The same over the recent window ([`MetricsOptions::pace_window_ms`]).
    pub recent_rep_wpm: f32,
    /// Alerts whose condition holds now.
    pub active_alerts: Vec<Alert>,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    speaker: Speaker,
    start: u32,
    end: u32,
    words: u32,
}

/// Accumulates segments into [`CallMetrics`].
#[derive(Debug, Clone)]
pub struct MetricsTracker {
    options: MetricsOptions,
    m: CallMetrics,
    recent: VecDeque<Span>,
    run: Option<Monologue>,
    last_raised: BTreeMap<AlertKindKey, u32>,
    active: Vec<Alert>,
}

type AlertKindKey = u8;

fn key(k: AlertKind) -> AlertKindKey {
    match k {
        AlertKind::RepTalkRatio => 0,
        AlertKind::Monologue => 1,
        AlertKind::Pace => 2,
    }
}

impl Default for MetricsTracker {
    /// A tracker with [`MetricsOptions::default`] (valid: see the tests).
    fn default() -> Self {
        MetricsTracker::unchecked(MetricsOptions::default())
    }
}

impl MetricsTracker {
    fn unchecked(options: MetricsOptions) -> Self {
        MetricsTracker {
            options,
            m: CallMetrics::default(),
            recent: VecDeque::new(),
            run: None,
            last_raised: BTreeMap::new(),
            active: Vec::new(),
        }
    }

    pub fn new(options: MetricsOptions) -> Result<Self> {
        options.validate()?;
        Ok(MetricsTracker::unchecked(options))
    }

    /// Adds a final segment; returns the alerts raised by it (newly true, not cooling down).
    pub fn push(&mut self, seg: &TranscriptSegment) -> Vec<Alert> {
        let start = seg.start_ms;
        let end = seg.end_ms.max(start);
        let dur = end - start;
        let words = count_words(&seg.text);
        self.m.now_ms = self.m.now_ms.max(end);
        match seg.speaker {
            Speaker::Rep => {
                self.m.rep_talk_ms = self.m.rep_talk_ms.saturating_add(dur);
                self.m.rep_words = self.m.rep_words.saturating_add(words);
                self.m.rep_questions += count_questions(&seg.text);
                for f in fillers(&seg.text) {
                    self.m.rep_fillers += 1;
                    *self.m.rep_filler_counts.entry(f.to_string()).or_default() += 1;
                }
            }
            Speaker::Prospect => {
                self.m.prospect_talk_ms = self.m.prospect_talk_ms.saturating_add(dur);
                self.m.prospect_questions += count_questions(&seg.text);
            }
            Speaker::Unknown => {
                self.m.other_talk_ms = self.m.other_talk_ms.saturating_add(dur);
            }
        }
        self.m.rep_talk_ratio = ratio(self.m.rep_talk_ms, self.m.prospect_talk_ms);
        self.m.rep_wpm = wpm(self.m.rep_words, self.m.rep_talk_ms);

        // Monologues: same speaker, gaps up to `monologue_gap_ms`.
        let run = match self.run {
            Some(r)
                if r.speaker == seg.speaker
                    && start <= r.end_ms.saturating_add(self.options.monologue_gap_ms) =>
            {
                Monologue {
                    end_ms: r.end_ms.max(end),
                    ..r
                }
            }
            _ => Monologue {
                speaker: seg.speaker,
                start_ms: start,
                end_ms: end,
            },
        };
        self.run = Some(run);
        self.m.current_monologue = Some(run);
        if self
            .m
            .longest_monologue
            .is_none_or(|l| run.duration_ms() > l.duration_ms())
        {
            self.m.longest_monologue = Some(run);
        }
        if run.speaker == Speaker::Rep
            && self
                .m
                .longest_rep_monologue
                .is_none_or(|l| run.duration_ms() > l.duration_ms())
        {
            self.m.longest_rep_monologue = Some(run);
        }

        // Recent windows.
        self.recent.push_back(Span {
            speaker: seg.speaker,
            start,
            end,
            words,
        });
        let keep_from = self
            .m
            .now_ms
            .saturating_sub(self.options.talk_window_ms.max(self.options.pace_window_ms));
        while self.recent.front().is_some_and(|s| s.end < keep_from) {
            self.recent.pop_front();
        }
        let now = self.m.now_ms;
        let (rep, prospect, _) = self.window(now.saturating_sub(self.options.talk_window_ms), now);
        self.m.recent_rep_talk_ratio = ratio(rep.0, prospect.0);
        let (rep_p, _, _) = self.window(now.saturating_sub(self.options.pace_window_ms), now);
        self.m.recent_rep_wpm = wpm(rep_p.1, rep_p.0);

        self.alerts(rep.0 + prospect.0, rep_p.0, run)
    }

    /// Talk (ms, words) of rep, prospect and others within `[from, to]`, segments
    /// clipped to the window (words in proportion).
    #[allow(clippy::type_complexity)]
    fn window(&self, from: u32, to: u32) -> ((u32, u32), (u32, u32), (u32, u32)) {
        let mut acc = [(0u32, 0u32); 3];
        for s in &self.recent {
            let a = s.start.max(from);
            let b = s.end.min(to);
            if b <= a && !(s.start == s.end && s.start >= from && s.start <= to) {
                continue;
            }
            let clipped = b.saturating_sub(a);
            let full = s.end - s.start;
            let words = if full == 0 {
                s.words
            } else {
                ((u64::from(s.words) * u64::from(clipped)) / u64::from(full)) as u32
            };
            let i = match s.speaker {
                Speaker::Rep => 0,
                Speaker::Prospect => 1,
                Speaker::Unknown => 2,
            };
            acc[i].0 += clipped;
            acc[i].1 += words;
        }
        (acc[0], acc[1], acc[2])
    }

    fn alerts(
        &mut self,
        talk_in_window: u32,
        rep_in_pace_window: u32,
        run: Monologue,
    ) -> Vec<Alert> {
        let o = self.options;
        let now = self.m.now_ms;
        let mut holding = Vec::new();
        if talk_in_window >= o.talk_min_ms && self.m.recent_rep_talk_ratio > o.talk_ratio_alert {
            holding.push(Alert {
                kind: AlertKind::RepTalkRatio,
                at_ms: now,
                value: self.m.recent_rep_talk_ratio,
                threshold: o.talk_ratio_alert,
                message: format!(
                    "You've talked {:.0}% of the last {} minutes. Try a question and let them talk.",
                    self.m.recent_rep_talk_ratio * 100.0,
                    o.talk_window_ms / 60_000
                ),
            });
        }
        if run.speaker == Speaker::Rep && run.duration_ms() > o.monologue_alert_ms {
            holding.push(Alert {
                kind: AlertKind::Monologue,
                at_ms: now,
                value: run.duration_ms() as f32,
                threshold: o.monologue_alert_ms as f32,
                message: format!(
                    "You've been talking for {} seconds. Pause and check in.",
                    run.duration_ms() / 1000
                ),
            });
        }
        if rep_in_pace_window >= o.pace_min_ms && self.m.recent_rep_wpm > o.pace_alert_wpm {
            holding.push(Alert {
                kind: AlertKind::Pace,
                at_ms: now,
                value: self.m.recent_rep_wpm,
                threshold: o.pace_alert_wpm,
                message: format!(
                    "You're at {:.0} words a minute. Slow down a little.",
                    self.m.recent_rep_wpm
                ),
            });
        }
        let mut raised = Vec::new();
        for a in &holding {
            let was_active = self.active.iter().any(|x| x.kind == a.kind);
            let cooled = self
                .last_raised
                .get(&key(a.kind))
                .is_none_or(|t| now.saturating_sub(*t) >= o.alert_cooldown_ms);
            if !was_active && cooled {
                self.last_raised.insert(key(a.kind), now);
                raised.push(a.clone());
            }
        }
        // An alert that keeps holding keeps the time it was raised.
        for a in &mut holding {
            if let Some(prev) = self.active.iter().find(|x| x.kind == a.kind) {
                a.at_ms = prev.at_ms;
            }
        }
        self.active = holding;
        self.m.active_alerts = self.active.clone();
        raised
    }

    pub fn snapshot(&self) -> CallMetrics {
        self.m.clone()
    }
}

fn ratio(rep: u32, prospect: u32) -> f32 {
    let total = u64::from(rep) + u64::from(prospect);
    if total == 0 {
        0.0
    } else {
        rep as f32 / total as f32
    }
}

fn wpm(words: u32, ms: u32) -> f32 {
    if ms == 0 {
        0.0
    } else {
        words as f32 * 60_000.0 / ms as f32
    }
}

fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
}

fn count_words(text: &str) -> u32 {
    u32::try_from(words_of(text).count()).unwrap_or(u32::MAX)
}

const QUESTION_STARTS: &[&str] = &[
    "what", "whats", "how", "hows", "why", "when", "where", "who", "whos", "which", "whose", "can",
    "could", "would", "will", "do", "does", "did", "is", "are", "should", "have", "has", "may",
    "shall", "isnt", "arent", "dont", "doesnt", "wouldnt", "couldnt",
];
const LEAD_INS: &[&str] = &[
    "so", "and", "but", "um", "uh", "ok", "okay", "well", "alright", "great", "now", "then",
    "also", "just", "yeah", "right", "oh", "hmm", "cool",
];

/// Questions in `text`: sentences ending in "?", or, when the recogniser wrote no
/// question marks at all, sentences that open (after "so", "um" ...) with a question word.
pub fn count_questions(text: &str) -> u32 {
    let marks = text.matches('?').count();
    if marks > 0 {
        return u32::try_from(marks).unwrap_or(u32::MAX);
    }
    let mut n = 0;
    for sentence in text.split(['.', '!', ';']) {
        let first = words_of(sentence).find(|w| !LEAD_INS.contains(&w.as_str()));
        if first.is_some_and(|w| QUESTION_STARTS.contains(&w.as_str())) {
            n += 1;
        }
    }
    n
}

/// Words before "like" that make it a verb or a comparison, not a filler.
const LIKE_NOT_FILLER_AFTER: &[&str] = &[
    "would",
    "id",
    "wed",
    "youd",
    "theyd",
    "hed",
    "shed",
    "i",
    "we",
    "you",
    "they",
    "looks",
    "look",
    "looked",
    "feel",
    "feels",
    "felt",
    "seem",
    "seems",
    "sound",
    "sounds",
    "something",
    "anything",
    "nothing",
    "much",
    "more",
    "really",
    "dont",
    "didnt",
    "doesnt",
    "things",
    "stuff",
    "people",
    "tools",
    "companies",
    "teams",
];
/// Words after "you know" that make it a real question or statement.
const YOU_KNOW_NOT_FILLER_BEFORE: &[&str] = &[
    "what", "that", "how", "if", "who", "where", "when", "why", "about", "him", "her", "them",
    "it", "whether", "which",
];

/// The filler words and phrases in `text`, in order ("um", "uh", "like", "you know" ...).
pub fn fillers(text: &str) -> Vec<&'static str> {
    let words: Vec<String> = words_of(text).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        let prev = i
            .checked_sub(1)
            .and_then(|p| words.get(p))
            .map(String::as_str);
        let single: Option<&'static str> = match w {
            "um" | "umm" | "uhm" | "erm" | "hmm" => Some("um"),
            "uh" | "uhh" | "er" | "ah" => Some("uh"),
            "basically" => Some("basically"),
            "literally" => Some("literally"),
            "like" => {
                let verb =
                    prev.is_some_and(|p| LIKE_NOT_FILLER_AFTER.contains(&p)) || next == Some("to");
                (!verb).then_some("like")
            }
            _ => None,
        };
        if let Some(f) = single {
            out.push(f);
            i += 1;
            continue;
        }
        let pair: Option<&'static str> = match (w, next) {
            ("you", Some("know")) => {
                let after = words.get(i + 2).map(String::as_str);
                (!after.is_some_and(|a| YOU_KNOW_NOT_FILLER_BEFORE.contains(&a)))
                    .then_some("you know")
            }
            ("i", Some("mean")) => Some("i mean"),
            ("sort", Some("of")) => Some("sort of"),
            ("kind", Some("of")) => {
                // "what kind of" is a question, not a filler.
                (!prev
                    .is_some_and(|p| matches!(p, "what" | "which" | "the" | "a" | "any" | "some")))
                .then_some("kind of")
            }
            _ => None,
        };
        if let Some(f) = pair {
            out.push(f);
            i += 2;
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_are_valid() {
        assert!(MetricsOptions::default().validate().is_ok());
    }

    #[test]
    fn questions_with_and_without_marks() {
        assert_eq!(count_questions("How many sellers? And which CRM?"), 2);
        assert_eq!(count_questions("so how does your team forecast today"), 1);
        assert_eq!(
            count_questions("we pull the crm data every five minutes"),
            0
        );
    }

    #[test]
    fn fillers_leave_verbs_alone() {
        assert_eq!(
            fillers("um so like you know we uh would like to show you"),
            vec!["um", "like", "you know", "uh"]
        );
        assert_eq!(
            fillers("do you know what the CFO wants"),
            Vec::<&str>::new()
        );
        assert_eq!(fillers("what kind of team is it"), Vec::<&str>::new());
    }
}
