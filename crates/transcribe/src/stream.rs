//! Streaming transcription of one channel: voice activity cuts the audio into utterances,
//! Whisper decodes the growing utterance now and then (partials) and the whole of it when
//! it ends (final).

use std::collections::VecDeque;
use std::time::Instant;

use closer_audio::{Vad, VadOptions, FRAME};
use closer_types::{Speaker, SpeechError, SpeechEvent, SpeechStream, TranscriptSegment};
use whisper_rs::WhisperState;

use crate::error::Result;
use crate::model::{decode, DecodeOptions, Whisper, SAMPLE_RATE};

const SAMPLES_PER_MS: usize = SAMPLE_RATE / 1000;

/// How a stream cuts and decodes.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    /// Names to spell right (competitors, products, people), given to Whisper as its
    /// initial prompt.
    pub vocabulary: Vec<String>,
    /// whisper.cpp threads per decode (1: see [`DecodeOptions::threads`]).
    pub threads: usize,
    /// Encode only the utterance's length of audio (see [`DecodeOptions::fit_audio_ctx`]).
    pub fit_audio_ctx: bool,
    /// A partial at most this often (ms of utterance audio). When decoding takes longer,
    /// partials thin out so that they use at most half of real time.
    pub partial_every_ms: u32,
    /// An utterance ends after this much silence.
    pub end_silence_ms: u32,
    /// Past `max_utterance_ms - 3000` an utterance is cut at the next quiet frame (a gap
    /// between words), at `max_utterance_ms` wherever it is.
    pub max_utterance_ms: u32,
    /// Voiced stretches shorter than this (a cough, a click) are not decoded.
    pub min_utterance_ms: u32,
    /// Voice activity thresholds (the hangover is `end_silence_ms`).
    pub vad: VadOptions,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            vocabulary: Vec::new(),
            threads: 1,
            fit_audio_ctx: true,
            partial_every_ms: 700,
            end_silence_ms: 500,
            max_utterance_ms: 14_000,
            min_utterance_ms: 250,
            vad: VadOptions::default(),
        }
    }
}

/// Audio kept from before the voice activity detector fires (it needs two loud frames, and
/// soft consonants start below its threshold).
const PREROLL_MS: usize = 300;
/// Audio kept after the last loud frame of an utterance.
const TAIL_MS: usize = 500;

struct Utterance {
    start_ms: u32,
    samples: Vec<f32>,
    /// Where voice was detected (after the pre-roll), in samples from the start.
    voice_start: usize,
    /// End of the last loud frame, in samples from the start.
    loud_end: usize,
    /// Decode a partial once the utterance has this many samples.
    next_partial: usize,
    partial_sent: Option<String>,
}

/// A [`SpeechStream`] on Whisper for one speaker of a call.
pub struct WhisperStream {
    state: WhisperState,
    speaker: Speaker,
    opts: StreamOptions,
    decode: DecodeOptions,
    vad: Vad,
    /// Samples not yet a whole frame, and the call time of the first.
    pending: Vec<f32>,
    pending_ms: f64,
    preroll: VecDeque<f32>,
    utterance: Option<Utterance>,
}

impl Whisper {
    /// A stream for one channel of a call; it keeps its own decoding state.
    pub fn stream(&self, speaker: Speaker, opts: StreamOptions) -> Result<WhisperStream> {
        let prompt = self.prompt_tokens(&opts.vocabulary)?;
        let decode = DecodeOptions {
            threads: opts.threads,
            fit_audio_ctx: opts.fit_audio_ctx,
            prompt,
            fallback: true,
        };
        let vad = Vad::new(VadOptions {
            hangover_frames: (opts.end_silence_ms / 20).max(1),
            ..opts.vad
        });
        Ok(WhisperStream {
            state: self.state()?,
            speaker,
            opts,
            decode,
            vad,
            pending: Vec::with_capacity(FRAME),
            pending_ms: 0.0,
            preroll: VecDeque::with_capacity(PREROLL_MS * SAMPLES_PER_MS + FRAME),
            utterance: None,
        })
    }
}

fn ms_of(samples: usize) -> u32 {
    (samples / SAMPLES_PER_MS) as u32
}

impl WhisperStream {
    pub fn speaker(&self) -> Speaker {
        self.speaker
    }

    fn frame(&mut self, frame: &[f32], frame_ms: f64, events: &mut Vec<SpeechEvent>) -> Result<()> {
        let mut seen = None;
        self.vad.push(frame, |f| seen = Some(f));
        let Some(f) = seen else { return Ok(()) };
        let loud = f.level_db > self.vad.floor_db() + self.opts.vad.margin_db
            && f.level_db > self.opts.vad.min_db;

        let Some(u) = self.utterance.as_mut() else {
            if f.voiced {
                let mut samples: Vec<f32> = self.preroll.drain(..).collect();
                let start = (frame_ms - samples.len() as f64 / SAMPLES_PER_MS as f64).max(0.0);
                let voice_start = samples.len();
                samples.extend_from_slice(frame);
                self.utterance = Some(Utterance {
                    start_ms: start.round() as u32,
                    voice_start,
                    loud_end: samples.len(),
                    next_partial: voice_start
                        + self.opts.partial_every_ms as usize * SAMPLES_PER_MS,
                    samples,
                    partial_sent: None,
                });
            } else {
                self.preroll.extend(frame);
                let excess = self
                    .preroll
                    .len()
                    .saturating_sub(PREROLL_MS * SAMPLES_PER_MS);
                self.preroll.drain(..excess);
            }
            return Ok(());
        };

        u.samples.extend_from_slice(frame);
        if loud {
            u.loud_end = u.samples.len();
        }
        let len_ms = ms_of(u.samples.len());
        let hard = len_ms >= self.opts.max_utterance_ms;
        let soft = len_ms >= self.opts.max_utterance_ms.saturating_sub(3000) && !loud;
        if !f.voiced || hard || soft {
            // Cut by length while still speaking: the next frame starts a new utterance.
            let keep_going = f.voiced;
            self.end_utterance(events)?;
            if keep_going {
                self.utterance = Some(Utterance {
                    start_ms: (frame_ms + 20.0).round() as u32,
                    samples: Vec::new(),
                    voice_start: 0,
                    loud_end: 0,
                    next_partial: self.opts.partial_every_ms as usize * SAMPLES_PER_MS,
                    partial_sent: None,
                });
            }
        } else if u.samples.len() >= u.next_partial
            && ms_of(u.loud_end - u.voice_start) >= self.opts.min_utterance_ms
        {
            let started = Instant::now();
            let text = decode(
                &mut self.state,
                &u.samples,
                &DecodeOptions {
                    fallback: false,
                    ..self.decode.clone()
                },
            )?;
            // Partials may use at most half of real time: wait for twice the decode time of
            // new audio (and at least `partial_every_ms`) before the next.
            let spent = started.elapsed().as_millis() as usize;
            let gap = (self.opts.partial_every_ms as usize).max(2 * spent);
            u.next_partial = u.samples.len() + gap * SAMPLES_PER_MS;
            if !text.is_empty() && u.partial_sent.as_deref() != Some(text.as_str()) {
                events.push(SpeechEvent::Partial {
                    speaker: self.speaker,
                    start_ms: u.start_ms,
                    text: text.clone(),
                });
                u.partial_sent = Some(text);
            }
        }
        Ok(())
    }

    /// Decodes the utterance in progress (if any) and emits its final.
    fn end_utterance(&mut self, events: &mut Vec<SpeechEvent>) -> Result<()> {
        let Some(mut u) = self.utterance.take() else {
            return Ok(());
        };
        let end = (u.loud_end + TAIL_MS * SAMPLES_PER_MS).min(u.samples.len());
        u.samples.truncate(end);
        let long_enough =
            ms_of(u.loud_end.saturating_sub(u.voice_start)) >= self.opts.min_utterance_ms;
        let text = if long_enough {
            decode(&mut self.state, &u.samples, &self.decode)?
        } else {
            String::new()
        };
        // An empty final is sent only to retract a partial already shown.
        if !text.is_empty() || u.partial_sent.is_some() {
            events.push(SpeechEvent::Final(TranscriptSegment {
                speaker: self.speaker,
                start_ms: u.start_ms,
                end_ms: u.start_ms + ms_of(u.loud_end),
                text,
            }));
        }
        Ok(())
    }

    /// [`SpeechStream::push`] with this crate's error.
    pub fn feed(&mut self, start_ms: u32, samples: &[f32]) -> Result<Vec<SpeechEvent>> {
        let mut events = Vec::new();
        // Re-anchor the clock when the caller's time and ours drift apart (dropped audio).
        let expected = self.pending_ms + self.pending.len() as f64 / SAMPLES_PER_MS as f64;
        if (f64::from(start_ms) - expected).abs() > 40.0 {
            self.pending_ms =
                f64::from(start_ms) - self.pending.len() as f64 / SAMPLES_PER_MS as f64;
        }
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == FRAME {
                let frame = std::mem::take(&mut self.pending);
                let at = self.pending_ms;
                self.frame(&frame, at, &mut events)?;
                self.pending = frame;
                self.pending.clear();
                self.pending_ms = at + (FRAME / SAMPLES_PER_MS) as f64;
            }
        }
        Ok(events)
    }

    /// [`SpeechStream::finish`] with this crate's error.
    pub fn flush(&mut self) -> Result<Vec<SpeechEvent>> {
        let mut events = Vec::new();
        if let Some(u) = self.utterance.as_mut() {
            u.samples.append(&mut self.pending);
        }
        self.pending.clear();
        self.end_utterance(&mut events)?;
        self.preroll.clear();
        Ok(events)
    }
}

impl SpeechStream for WhisperStream {
    fn push(
        &mut self,
        start_ms: u32,
        samples: &[f32],
    ) -> std::result::Result<Vec<SpeechEvent>, SpeechError> {
        self.feed(start_ms, samples)
            .map_err(|e| SpeechError(e.to_string()))
    }

    fn finish(&mut self) -> std::result::Result<Vec<SpeechEvent>, SpeechError> {
        self.flush().map_err(|e| SpeechError(e.to_string()))
    }
}
