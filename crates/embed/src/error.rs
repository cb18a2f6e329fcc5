use std::path::PathBuf;

/// What can go wrong while loading the model, embedding text or decoding a stored vector.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model files are not installed. The app keeps working with keyword search; the
    /// message is meant to be shown to the rep as it is.
    #[error(
        "The search model is not installed; search works by keywords only. \
         Run scripts/fetch-model.sh (looked in {})",
        dir.display()
    )]
    ModelMissing { dir: PathBuf },

    /// A model file is there but cannot be read or is not what it should be.
    #[error("The search model file {} is damaged ({reason}); run scripts/fetch-model.sh again", path.display())]
    Corrupt { path: PathBuf, reason: String },

    /// The tokenizer rejected a text.
    #[error("cannot tokenize the text: {reason}")]
    Tokenize { reason: String },

    /// The model failed while running (out of memory, an internal shape error).
    #[error("the search model failed: {reason}")]
    Inference { reason: String },

    /// A stored vector is not a whole number of little-endian f32 values.
    #[error("a stored vector of {len} bytes is not a list of 4-byte floats")]
    BadBlob { len: usize },

    /// A vector has another length than the index or model it is used with.
    #[error("a vector has {got} dimensions, expected {expected}")]
    DimensionMismatch { expected: usize, got: usize },
}

pub type Result<T, E = EmbedError> = std::result::Result<T, E>;

impl From<candle_core::Error> for EmbedError {
    fn from(e: candle_core::Error) -> Self {
        EmbedError::Inference {
            reason: e.to_string(),
        }
    }
}
