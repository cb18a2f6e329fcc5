//! The Whisper model, loaded once and shared by every stream of a call.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use crate::error::{Result, TranscribeError};

/// Samples per second of the audio Whisper takes.
pub const SAMPLE_RATE: usize = 16_000;

/// Whisper's encoder positions per second of audio (the mel hop is 10 ms, the encoder
/// halves it).
const AUDIO_CTX_PER_SECOND: usize = 50;

/// The longest audio Whisper encodes at once (30 s).
const MAX_AUDIO_CTX: usize = 1500;

/// The longest vocabulary prompt, in tokens (names past it are left out).
pub const MAX_PROMPT_TOKENS: usize = 112;

/// Where scripts/setup.sh puts the converted model, relative to the repository.
pub const DEFAULT_MODEL: &str = "models/whisper-tiny.en/ggml-tiny.en.bin";

/// How to decode one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// CPU threads for whisper.cpp. 1 by default: with two threads on a busy 2-core laptop
    /// whisper.cpp spin-waits and gets several times slower (see ARCHITECTURE.md).
    pub threads: usize,
    /// Encode only as much audio as the clip holds (plus a margin) rather than Whisper's
    /// 30-s window: a 3-s clip costs a tenth. `false` encodes the full window.
    pub fit_audio_ctx: bool,
    /// Tokens of a prompt (see [`Whisper::prompt_tokens`]): names to spell right.
    pub prompt: Vec<i32>,
    /// Let whisper.cpp decode again at a higher temperature when the greedy result looks
    /// like a loop (finals); partials skip it to stay cheap.
    pub fallback: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            threads: 1,
            fit_audio_ctx: true,
            prompt: Vec::new(),
            fallback: true,
        }
    }
}

/// The encoder context for `samples` of audio: the clip plus a second, rounded up to 64
/// (whisper.cpp degrades badly when the context is cut right at the end of the speech).
pub fn audio_ctx_for(samples: usize) -> usize {
    let ctx = samples * AUDIO_CTX_PER_SECOND / SAMPLE_RATE + AUDIO_CTX_PER_SECOND;
    (ctx.div_ceil(64) * 64).min(MAX_AUDIO_CTX)
}

/// A loaded Whisper model (whisper.cpp through whisper-rs). Cheap to clone: clones share
/// the weights; each [`crate::WhisperStream`] keeps its own decoding state.
#[derive(Clone)]
pub struct Whisper {
    ctx: Arc<WhisperContext>,
    path: PathBuf,
    load_time: Duration,
}

impl std::fmt::Debug for Whisper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Whisper")
            .field("path", &self.path)
            .field("load_time", &self.load_time)
            .finish()
    }
}

static LOG_HOOK: Once = Once::new();

impl Whisper {
    /// Loads a ggml Whisper model (whisper.cpp has no load-progress hook: the load is
    /// timed instead, see [`Whisper::load_time`]; tiny.en takes a fraction of a second).
    pub fn load(path: impl AsRef<Path>) -> Result<Whisper> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(TranscribeError::ModelMissing { path });
        }
        // whisper.cpp logs to stderr; send it through `tracing` instead.
        LOG_HOOK.call_once(whisper_rs::install_logging_hooks);
        let started = Instant::now();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        let ctx =
            WhisperContext::new_with_params(&path, params).map_err(|e| TranscribeError::Load {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        Ok(Whisper {
            ctx: Arc::new(ctx),
            path,
            load_time: started.elapsed(),
        })
    }

    /// How long [`Whisper::load`] took.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens of a prompt made of `words` (competitor, product and people names):
    /// Whisper conditions on them as if they had been said just before, so it spells
    /// them the way they are written here.
    pub fn prompt_tokens(&self, words: &[String]) -> Result<Vec<i32>> {
        let text = prompt_text(words);
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let mut tokens = self.ctx.tokenize(&text, 4 * text.len() + 8).map_err(|e| {
            TranscribeError::Decode(format!("cannot tokenize the vocabulary prompt: {e}"))
        })?;
        // At most a quarter of the 448-token text context: the rest is for the transcript.
        tokens.truncate(MAX_PROMPT_TOKENS);
        Ok(tokens)
    }

    /// A fresh decoding state (the key/value caches: ~tens of MB for tiny.en).
    pub(crate) fn state(&self) -> Result<WhisperState> {
        self.ctx
            .create_state()
            .map_err(|e| TranscribeError::Decode(format!("cannot create a decoder: {e}")))
    }

    /// Transcribes one clip of 16 kHz mono audio with a state of its own.
    pub fn transcribe(&self, samples: &[f32], opts: &DecodeOptions) -> Result<String> {
        let mut state = self.state()?;
        decode(&mut state, samples, opts)
    }
}

/// "Gong, Chorus, Acme Corp." from the names (control characters dropped).
pub fn prompt_text(words: &[String]) -> String {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        String::new()
    } else {
        format!("{}.", words.join(", "))
    }
}

/// Shortest clip handed to whisper.cpp: shorter ones are padded with silence (it refuses
/// under 100 ms and guesses badly under a second).
const MIN_SAMPLES: usize = SAMPLE_RATE * 11 / 10;

/// Runs greedy decoding of `samples` on `state`; returns the text, trimmed, without
/// Whisper's non-speech annotations (`[BLANK_AUDIO]`, `(music)`).
pub(crate) fn decode(
    state: &mut WhisperState,
    samples: &[f32],
    opts: &DecodeOptions,
) -> Result<String> {
    let mut padded;
    let audio = if samples.len() < MIN_SAMPLES {
        padded = samples.to_vec();
        padded.resize(MIN_SAMPLES, 0.0);
        &padded[..]
    } else {
        samples
    };
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(opts.threads.clamp(1, 64) as i32);
    params.set_language(Some("en"));
    params.set_translate(false);
    params.set_no_context(true);
    // Timestamps on: they let whisper.cpp stop at the end of the audio, which keeps the
    // greedy decoder out of repetition loops far better than text alone.
    params.set_no_timestamps(false);
    // A loop that starts anyway stops at a length no speaker reaches (~8 tokens a second).
    params.set_max_tokens(max_tokens_for(audio.len()) as i32);
    params.set_single_segment(true);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    params.set_suppress_blank(true);
    params.set_suppress_nst(true);
    params.set_temperature(0.0);
    if !opts.fallback {
        params.set_temperature_inc(0.0);
    }
    if opts.fit_audio_ctx {
        params.set_audio_ctx(audio_ctx_for(audio.len()) as i32);
    }
    if !opts.prompt.is_empty() {
        params.set_tokens(&opts.prompt);
    }
    state
        .full(params, audio)
        .map_err(|e| TranscribeError::Decode(e.to_string()))?;
    let mut text = String::new();
    for segment in state.as_iter() {
        let s = segment
            .to_str_lossy()
            .map_err(|e| TranscribeError::Decode(e.to_string()))?;
        text.push_str(&s);
    }
    Ok(drop_trailing_loop(&clean(&text)))
}

/// The most tokens a clip of `samples` can need: fast speech is ~4 words (~6 tokens) a
/// second.
pub fn max_tokens_for(samples: usize) -> usize {
    16 + 8 * samples.div_ceil(SAMPLE_RATE)
}

fn norm(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Cuts the repetition loop greedy Whisper sometimes ends in ("Could you do better? Could
/// you do better? Could you..."): trailing words that repeat the words a period of two or
/// more before them, two words or more, are dropped (case and punctuation ignored).
pub fn drop_trailing_loop(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let normed: Vec<String> = words.iter().map(|w| norm(w)).collect();
    let n = words.len();
    let mut best_cut = n;
    for period in 2..=n / 2 {
        // How many trailing words equal the word `period` before them.
        let run = (period..n)
            .rev()
            .take_while(|&i| normed[i] == normed[i - period])
            .count();
        if run >= 2 && run >= period.min(3) {
            best_cut = best_cut.min(n - run);
        }
    }
    words[..best_cut].join(" ")
}

/// Drops bracketed non-speech annotations and squeezes whitespace.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_ctx_covers_the_clip_and_never_exceeds_the_window() {
        // 3 s → 150 positions + 50 margin → 256.
        assert_eq!(audio_ctx_for(3 * SAMPLE_RATE), 256);
        assert!(audio_ctx_for(SAMPLE_RATE / 2) >= 25 + 50);
        assert_eq!(audio_ctx_for(40 * SAMPLE_RATE), MAX_AUDIO_CTX);
    }

    #[test]
    fn a_repetition_loop_at_the_end_is_cut_and_ordinary_text_kept() {
        let cases = [
            (
                "Could you do better? Could you do better? Could you do",
                "Could you do better?",
            ),
            ("We are all... We are all... We are all...", "We are all..."),
            (
                "I'm gonna go to the end of the end of the end of the end",
                "I'm gonna go to the end of",
            ),
            (
                "The price is too high for us this year.",
                "The price is too high for us this year.",
            ),
            ("It is very very good", "It is very very good"),
            ("We need it, we need it now.", "We need it, we need it now."),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(drop_trailing_loop(text), want, "{text:?}");
        }
    }

    #[test]
    fn annotations_are_dropped_and_names_joined_into_a_prompt() {
        assert_eq!(clean(" [BLANK_AUDIO] "), "");
        assert_eq!(clean(" Hello (music) there.  "), "Hello there.");
        assert_eq!(
            prompt_text(&[
                "Gong".into(),
                " ".into(),
                "Chorus\0".into(),
                "Acme Corp".into()
            ]),
            "Gong, Chorus, Acme Corp."
        );
        assert_eq!(prompt_text(&[]), "");
    }
}
