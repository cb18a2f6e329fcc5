//! Voice activity and the level meter, on 20 ms frames of 16 kHz audio.
//!
//! Energy against an adaptive noise floor: speech is a frame more than `margin_db` above
//! the floor (and above an absolute minimum), confirmed by a second such frame, held for
//! `hangover` after the last one so the pauses inside a sentence stay inside it. The floor
//! is the quietest frame of the last three seconds: speech always has gaps between
//! syllables and words, a fan or a hum does not, so a steady noise becomes the floor while
//! a long sentence does not. Transparent and cheap (a few microseconds per frame); the
//! transcriber is what decides what was said.

use std::collections::VecDeque;

/// Frames the noise floor looks back over (3 s).
const FLOOR_WINDOW: usize = 150;

/// Samples per frame at 16 kHz (20 ms).
pub const FRAME: usize = 320;

/// The level of silence in a digital signal, for the meter.
pub const SILENCE_DB: f32 = -100.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadOptions {
    /// How far above the noise floor a frame must be to count as voice.
    pub margin_db: f32,
    /// Frames quieter than this are never voice, however quiet the room.
    pub min_db: f32,
    /// Voice lasts this many frames after the last voiced one.
    pub hangover_frames: u32,
}

impl Default for VadOptions {
    fn default() -> Self {
        VadOptions {
            margin_db: 10.0,
            min_db: -50.0,
            hangover_frames: 15, // 300 ms
        }
    }
}

/// What one frame was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// RMS level in dBFS.
    pub level_db: f32,
    pub voiced: bool,
}

#[derive(Debug, Clone)]
pub struct Vad {
    opts: VadOptions,
    floor_db: f32,
    recent: VecDeque<f32>,
    /// Voiced frames in a row (before confirmation).
    run: u32,
    hold: u32,
    active: bool,
    partial: Vec<f32>,
}

/// RMS level of `samples` in dBFS.
pub fn level_db(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return SILENCE_DB;
    }
    let mean = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    if mean <= 1e-10 {
        SILENCE_DB
    } else {
        (10.0 * mean.log10()).max(SILENCE_DB)
    }
}

impl Vad {
    pub fn new(opts: VadOptions) -> Vad {
        Vad {
            opts,
            floor_db: SILENCE_DB,
            recent: VecDeque::with_capacity(FLOOR_WINDOW),
            run: 0,
            hold: 0,
            active: false,
            partial: Vec::with_capacity(FRAME),
        }
    }

    /// The noise floor as estimated now (dBFS).
    pub fn floor_db(&self) -> f32 {
        self.floor_db
    }

    /// Feeds 16 kHz samples; calls `on_frame` for each whole 20 ms frame.
    pub fn push(&mut self, samples: &[f32], mut on_frame: impl FnMut(Frame)) {
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.partial.len()).min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() == FRAME {
                let level = level_db(&self.partial);
                self.partial.clear();
                on_frame(self.frame(level));
            }
        }
    }

    fn frame(&mut self, level: f32) -> Frame {
        if self.recent.len() == FLOOR_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(level);
        self.floor_db = self.recent.iter().copied().fold(f32::MAX, f32::min);
        let loud = level > self.floor_db + self.opts.margin_db && level > self.opts.min_db;
        if loud {
            self.run += 1;
            if self.run >= 2 {
                self.active = true;
                self.hold = self.opts.hangover_frames;
            }
        } else {
            self.run = 0;
            if self.hold > 0 {
                self.hold -= 1;
            } else {
                self.active = false;
            }
        }
        Frame {
            level_db: level,
            voiced: self.active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, amp: f32, seed: &mut u32) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 17;
                *seed ^= *seed << 5;
                (*seed as f32 / u32::MAX as f32 - 0.5) * 2.0 * amp
            })
            .collect()
    }

    fn tone(n: usize, amp: f32) -> Vec<f32> {
        (0..n)
            .map(|i| (i as f32 * 0.2).sin() * amp + (i as f32 * 0.05).sin() * amp * 0.5)
            .collect()
    }

    fn voiced_ms(vad: &mut Vad, samples: &[f32]) -> u32 {
        let mut ms = 0;
        vad.push(samples, |f| {
            if f.voiced {
                ms += 20;
            }
        });
        ms
    }

    #[test]
    fn speech_over_room_noise_is_found_and_noise_alone_is_not() {
        let mut seed = 7;
        let mut vad = Vad::new(VadOptions::default());
        // A second of a humming room: the floor settles, nothing is voiced after the start.
        let room = noise(16_000, 0.01, &mut seed);
        voiced_ms(&mut vad, &room[..8_000]);
        assert_eq!(voiced_ms(&mut vad, &room[8_000..]), 0);
        // A second of "speech" over it.
        let mut speech = tone(16_000, 0.3);
        for (s, n) in speech.iter_mut().zip(noise(16_000, 0.01, &mut seed)) {
            *s += n;
        }
        let ms = voiced_ms(&mut vad, &speech);
        assert!(ms >= 900, "voiced {ms} ms of 1000");
        // The hangover carries a short pause, then it ends.
        let after = voiced_ms(&mut vad, &noise(16_000, 0.01, &mut seed));
        assert!((200..=400).contains(&after), "hangover {after} ms");
    }

    #[test]
    fn a_single_click_is_not_speech_and_silence_reads_as_silence() {
        let mut vad = Vad::new(VadOptions::default());
        let mut s = vec![0.0; 16_000];
        for x in s.iter_mut().skip(8_000).take(200) {
            *x = 0.8;
        }
        assert_eq!(voiced_ms(&mut vad, &s), 0);
        assert_eq!(level_db(&[0.0; 320]), SILENCE_DB);
        assert!((level_db(&[1.0; 320]) - 0.0).abs() < 0.01);
    }
}
