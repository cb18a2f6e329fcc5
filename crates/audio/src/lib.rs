//! Audio capture for live calls: the rep's microphone and, where the platform offers it,
//! the other side of the call, each as 16 kHz mono with a level meter and voice activity,
//! in a bounded ring buffer the transcriber reads. No UI, no transcription.
//!
//! Start reading at [`Capture::start`].

mod capture;
mod devices;
mod error;
mod resample;
mod ring;
mod vad;

pub use capture::{Capture, CaptureEvent, CaptureOptions, Source};
pub use devices::{list_inputs, InputDevice};
pub use error::{AudioError, Result};
pub use resample::{To16k, TARGET_RATE};
pub use ring::{AudioRing, Taken};
pub use vad::{level_db, Frame, Vad, VadOptions, FRAME, SILENCE_DB};
