use std::path::PathBuf;

/// What went wrong loading, converting or running the speech model.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error("the speech model {path} is missing: run scripts/setup.sh (it downloads and converts Whisper tiny.en)")]
    ModelMissing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CTranslate2 model is not the Whisper layout the converter knows.
    #[error("{path} is not a CTranslate2 Whisper model the converter understands: {reason}")]
    BadSource { path: PathBuf, reason: String },
    /// whisper.cpp refused the model file (corrupt, truncated, or not ggml).
    #[error("the speech model {path} could not be loaded ({reason}): delete it and run scripts/setup.sh again")]
    Load { path: PathBuf, reason: String },
    /// whisper.cpp failed while decoding audio.
    #[error("speech recognition failed: {0}")]
    Decode(String),
}

pub type Result<T> = std::result::Result<T, TranscribeError>;
