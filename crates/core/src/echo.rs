//! Echo suppression between a call's two channels.
//!
//! When the rep is on speakers, the microphone hears the prospect too: without care the
//! prospect's words would be transcribed twice, once as the rep's. Two defences, both
//! cheap and explainable:
//!
//! 1. **Frame gating** ([`FarLevels`], [`gate_mic`]): for every 20 ms frame of the
//!    microphone, the level of the other side's frame at the same call time is looked up;
//!    when the other side is speaking and is at least as loud as the microphone (a leak
//!    through the air arrives quieter than the original), the microphone frame is
//!    silenced before the transcriber sees it. Double talk (both speaking, the rep close
//!    to the mic) keeps the rep's frames because the mic is then the louder channel.
//! 2. **Text dedupe** ([`is_echo`]): a microphone final whose words nearly equal a
//!    prospect final overlapping it in time is dropped (what frame gating let through).
//!
//! What it does not do: adaptive echo cancellation (subtracting a filtered copy of the far
//! signal). Headsets need none of this; speakers at a distance are what it is for.

use closer_audio::{level_db, FRAME};
use closer_types::TranscriptSegment;

/// The other side must be at least this loud (dBFS) to gate the microphone.
pub const FAR_VOICE_DB: f32 = -45.0;
/// The microphone frame is gated when the far frame is louder than it minus this margin.
pub const GATE_MARGIN_DB: f32 = 3.0;

/// Levels of the far channel's frames by call time (frame index = ms / 20).
#[derive(Debug, Default)]
pub struct FarLevels {
    /// Frame index of `levels[0]`.
    base: u64,
    levels: std::collections::VecDeque<f32>,
    /// Frames known (the far channel's progress).
    pub upto: u64,
    /// The far channel ended: nothing more will come.
    pub closed: bool,
    /// Call time up to which the far channel's transcriber has been fed (its finals up to
    /// there are out).
    pub heard_ms: u32,
}

/// Frames kept (about a minute).
const KEEP: usize = 3_000;

impl FarLevels {
    /// Records the far channel's audio starting at `start_sample` (16 kHz, call time).
    pub fn push(&mut self, start_sample: u64, samples: &[f32]) {
        let first = start_sample / FRAME as u64;
        if self.levels.is_empty() {
            self.base = first;
        }
        // Fill a gap (dropped audio) with silence.
        while self.base + (self.levels.len() as u64) < first {
            self.levels.push_back(closer_audio::SILENCE_DB);
        }
        for (i, frame) in samples.chunks(FRAME).enumerate() {
            let idx = first + i as u64;
            let pos = idx.saturating_sub(self.base) as usize;
            let db = level_db(frame);
            if pos < self.levels.len() {
                self.levels[pos] = self.levels[pos].max(db);
            } else {
                self.levels.push_back(db);
            }
        }
        while self.levels.len() > KEEP {
            self.levels.pop_front();
            self.base += 1;
        }
        self.upto = self.upto.max(self.base + self.levels.len() as u64);
    }

    /// The far level of frame `idx`, silence when unknown.
    pub fn level(&self, idx: u64) -> f32 {
        if idx < self.base {
            return closer_audio::SILENCE_DB;
        }
        self.levels
            .get((idx - self.base) as usize)
            .copied()
            .unwrap_or(closer_audio::SILENCE_DB)
    }
}

/// Silences the microphone frames the far channel explains; returns how many were gated.
pub fn gate_mic(start_sample: u64, mic: &mut [f32], far: &FarLevels) -> usize {
    let first = start_sample / FRAME as u64;
    let mut gated = 0;
    for (i, frame) in mic.chunks_mut(FRAME).enumerate() {
        let far_db = far.level(first + i as u64);
        if far_db < FAR_VOICE_DB {
            continue;
        }
        let mic_db = level_db(frame);
        if far_db + GATE_MARGIN_DB >= mic_db {
            frame.fill(0.0);
            gated += 1;
        }
    }
    gated
}

/// How close two texts must be (shared words over the longer text's words).
pub const ECHO_SIMILARITY: f32 = 0.6;
/// Slack on the time overlap (the channels' clocks and the engine's times differ a bit).
pub const ECHO_SLACK_MS: u32 = 1_000;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Shared words (with multiplicity) over the longer text's word count, 0..1.
pub fn similarity(a: &str, b: &str) -> f32 {
    let (a, b) = (words(a), words(b));
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    let mut rest = b.clone();
    let mut common = 0;
    for w in &a {
        if let Some(i) = rest.iter().position(|x| x == w) {
            rest.swap_remove(i);
            common += 1;
        }
    }
    common as f32 / longest as f32
}

/// Whether a microphone final is the prospect's words heard through the speakers.
pub fn is_echo(mic: &TranscriptSegment, prospect: &[TranscriptSegment]) -> bool {
    prospect.iter().any(|p| {
        let overlaps = mic.start_ms <= p.end_ms.saturating_add(ECHO_SLACK_MS)
            && p.start_ms <= mic.end_ms.saturating_add(ECHO_SLACK_MS);
        overlaps && similarity(&mic.text, &p.text) >= ECHO_SIMILARITY
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_types::Speaker;

    fn tone(n: usize, amp: f32) -> Vec<f32> {
        (0..n).map(|i| amp * (i as f32 * 0.07).sin()).collect()
    }

    fn seg(speaker: Speaker, start_ms: u32, end_ms: u32, text: &str) -> TranscriptSegment {
        TranscriptSegment {
            speaker,
            start_ms,
            end_ms,
            text: text.into(),
        }
    }

    #[test]
    fn the_prospects_voice_leaking_into_the_mic_is_gated_the_reps_own_voice_is_not() {
        let mut far = FarLevels::default();
        // One second of the prospect speaking loudly, then one second of silence.
        let mut far_audio = tone(16_000, 0.5);
        far_audio.extend(vec![0.0; 16_000]);
        far.push(0, &far_audio);
        // The mic: the leak (quieter copy) during the first second, the rep speaking
        // close to the mic during the second.
        let mut mic = tone(16_000, 0.05);
        mic.extend(tone(16_000, 0.4));
        let gated = gate_mic(0, &mut mic, &far);
        assert_eq!(gated, 50, "every frame of the leak, none of the rep's");
        assert!(mic[..16_000].iter().all(|s| *s == 0.0));
        assert!(mic[16_000..].iter().any(|s| s.abs() > 0.1));
    }

    #[test]
    fn double_talk_keeps_the_louder_rep() {
        let mut far = FarLevels::default();
        far.push(0, &tone(3_200, 0.05));
        let mut mic = tone(3_200, 0.5);
        assert_eq!(gate_mic(0, &mut mic, &far), 0);
    }

    #[test]
    fn frames_are_matched_by_call_time_and_unknown_far_time_is_not_gated() {
        let mut far = FarLevels::default();
        far.push(32_000, &tone(3_200, 0.5)); // 2.0 s .. 2.2 s
        let mut early = tone(3_200, 0.05);
        assert_eq!(gate_mic(0, &mut early, &far), 0);
        let mut same = tone(3_200, 0.05);
        assert_eq!(gate_mic(32_000, &mut same, &far), 10);
        assert_eq!(far.upto, 110);
    }

    #[test]
    fn a_mic_final_repeating_an_overlapping_prospect_final_is_an_echo() {
        let prospect = vec![seg(
            Speaker::Prospect,
            10_000,
            13_000,
            "Honestly the price is too high for us.",
        )];
        let echo = seg(
            Speaker::Rep,
            10_200,
            13_100,
            "honestly the price is to high for us",
        );
        assert!(is_echo(&echo, &prospect));
        let answer = seg(
            Speaker::Rep,
            13_200,
            16_000,
            "I hear you, what are you comparing the price with?",
        );
        assert!(!is_echo(&answer, &prospect), "the rep's own answer stays");
        let later = seg(Speaker::Rep, 60_000, 62_000, "the price is too high for us");
        assert!(
            !is_echo(&later, &prospect),
            "quoting them a minute later is not an echo"
        );
    }
}
