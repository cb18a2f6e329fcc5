//! The contract between live capture and a speech-to-text engine.
//!
//! The call pipeline (in `closer-core`) owns capture, channels and coaching; an engine
//! (`closer-transcribe`) only turns 16 kHz mono samples of one channel into text. Keeping
//! the trait here lets either side be built and tested without the other's crate.

use crate::{Speaker, TranscriptSegment};

/// What an engine has to say after being fed audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeechEvent {
    /// The words heard so far in an utterance that has not ended; replaced by the next
    /// partial or by the final segment of the same utterance.
    Partial {
        speaker: Speaker,
        start_ms: u32,
        text: String,
    },
    /// An utterance that ended: its text will not change any more.
    Final(TranscriptSegment),
}

/// Why an engine could not transcribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechError(pub String);

impl std::fmt::Display for SpeechError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpeechError {}

/// A streaming transcriber for one channel (one speaker) of a call.
///
/// Calls are blocking and may take long (the engine decodes on the caller's thread);
/// the pipeline runs each stream on a thread of its own.
pub trait SpeechStream: Send {
    /// Feeds 16 kHz mono samples, `start_ms` being the call time of the first sample.
    /// Returns the events that are ready now (often none).
    fn push(&mut self, start_ms: u32, samples: &[f32]) -> Result<Vec<SpeechEvent>, SpeechError>;

    /// The channel went quiet for good (call ended): flush what is pending as finals.
    fn finish(&mut self) -> Result<Vec<SpeechEvent>, SpeechError>;
}
