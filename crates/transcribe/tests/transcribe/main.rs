//! Integration tests of closer-transcribe: one test binary, one module per area.
//!
//! - `convert`: the CTranslate2 → ggml converter on a small model built here (names,
//!   q/k/v split, types), the mel filter bank against its formula, and the real converted
//!   tiny.en loading and transcribing.
//! - `stream`: sales dialogue spoken by espeak-ng, fed in small chunks through a
//!   [`WhisperStream`]: finals match the sentences, partials come first, the vocabulary
//!   prompt spells a competitor right.
//!
//! The model tests need `models/whisper-tiny.en/ggml-tiny.en.bin` (scripts/setup.sh, or
//! `CLOSER_WHISPER_MODEL`) and espeak-ng. When either is missing they fail with a message
//! under CI (`CI` set) and are skipped with a printed notice otherwise.

// Helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod convert;
mod stream;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use closer_transcribe::Whisper;

/// The converted model: `CLOSER_WHISPER_MODEL` or the one scripts/setup.sh installs.
pub fn model_path() -> PathBuf {
    std::env::var_os("CLOSER_WHISPER_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../..")
                .join(closer_transcribe::DEFAULT_MODEL)
        })
}

/// Fails under CI, else prints why the test is skipped. Returns `None` to skip.
fn missing<T>(what: String) -> Option<T> {
    if std::env::var_os("CI").is_some() {
        panic!("{what}");
    }
    eprintln!("SKIPPED: {what}");
    None
}

/// The shared model, or `None` (skip) when it is not installed.
pub fn whisper() -> Option<&'static Whisper> {
    static MODEL: OnceLock<Option<Whisper>> = OnceLock::new();
    let loaded = MODEL.get_or_init(|| {
        let path = model_path();
        if !path.is_file() {
            return None;
        }
        Some(Whisper::load(&path).unwrap_or_else(|e| panic!("loading {}: {e}", path.display())))
    });
    match loaded {
        Some(w) => Some(w),
        None => missing(format!(
            "the Whisper model {} is missing: run scripts/setup.sh (or scripts/fetch-whisper.sh)",
            model_path().display()
        )),
    }
}

/// 16 kHz mono samples of `text` spoken by espeak-ng (`None`: skip, espeak-ng missing).
pub fn speak(text: &str, voice: &str, wpm: u32) -> Option<Vec<f32>> {
    match closer_transcribe::synth::espeak(text, voice, wpm) {
        Ok(s) => Some(s),
        Err(e) => missing(format!(
            "espeak-ng is missing or failed ({e}): apt-get install espeak-ng"
        )),
    }
}

/// `ms` of quiet room noise (so the voice activity detector has a floor, as in a real call).
pub fn room(ms: usize, seed: &mut u32) -> Vec<f32> {
    (0..ms * 16)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 17;
            *seed ^= *seed << 5;
            (*seed as f32 / u32::MAX as f32 - 0.5) * 0.002
        })
        .collect()
}
