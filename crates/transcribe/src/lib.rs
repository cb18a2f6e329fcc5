//! Local speech-to-text for live calls: Whisper tiny.en on whisper.cpp (through whisper-rs),
//! on the laptop's CPU, offline.
//!
//! - [`Whisper::load`] loads the ggml model once; clones share it.
//! - [`Whisper::stream`] gives a [`WhisperStream`], the [`closer_types::SpeechStream`] of one
//!   channel: fed 16 kHz mono samples, it cuts utterances by voice activity
//!   ([`closer_audio::Vad`]), emits partials while one goes on and a final when it ends.
//! - [`convert`] is our CTranslate2 → ggml converter (the registry ships Whisper only as a
//!   CTranslate2 model); the `closer-whisper-convert` binary runs it for scripts/setup.sh.
//!
//! It does not capture audio, know about calls, store transcripts or talk to the UI: the
//! call pipeline in `closer-core` does that and owns the threads the streams run on.

pub mod convert;
mod error;
mod model;
mod stream;
pub mod synth;
mod wer;

pub use error::{Result, TranscribeError};
pub use model::{
    audio_ctx_for, prompt_text, DecodeOptions, Whisper, DEFAULT_MODEL, MAX_PROMPT_TOKENS,
    SAMPLE_RATE,
};
pub use stream::{StreamOptions, WhisperStream};
pub use wer::{wer, words};
