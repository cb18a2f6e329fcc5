use thiserror::Error;

#[derive(Debug, Error)]
pub enum AudioError {
    /// The machine has no input device at all (or the sound server is not running).
    #[error("No microphone was found. Plug one in, or check that the sound server is running, then try again.")]
    NoInputDevice,
    /// The device asked for is not (or no longer) there.
    #[error("The input \"{0}\" is not available. Choose another one in Settings → Audio.")]
    DeviceNotFound(String),
    /// The device is there but would not open or start.
    #[error("The input \"{device}\" could not be opened: {reason}")]
    Open { device: String, reason: String },
    /// The resampler could not be built for the device's rate.
    #[error("Audio at {rate} Hz cannot be converted for transcription: {reason}")]
    Resample { rate: u32, reason: String },
    #[error("The capture thread could not be started: {0}")]
    Thread(String),
}

pub type Result<T> = std::result::Result<T, AudioError>;
