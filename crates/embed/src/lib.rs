//! Local semantic embeddings, offline: all-MiniLM-L6-v2 (384 dimensions) run on the CPU
//! with candle, plus exact vector search in memory.
//!
//! - [`Embedder`] loads `config.json`, `tokenizer.json` and `model.safetensors` from a
//!   folder (installed by `scripts/fetch-model.sh`, bundled with the app as a resource)
//!   and turns texts into L2-normalised vectors exactly as sentence-transformers does:
//!   word pieces cut at 256, BERT, mean pooling over the real tokens, normalisation.
//!   When the files are absent, loading fails with [`EmbedError::ModelMissing`], whose
//!   message tells the rep that search works by keywords only.
//! - [`to_blob`] / [`from_blob`] are the little-endian f32 bytes a vector is stored as in
//!   a SQLite BLOB column.
//! - [`VectorIndex`] holds every vector end to end in memory (f32, plus an 8-bit copy)
//!   and scores them all per query: a pass over the 8-bit copy picks a shortlist, the f32
//!   rows score it exactly. Exact results, fast enough at the size of one rep's library
//!   (tens of thousands of passages).
//!
//! What it deliberately does not know: SQL, FTS, what the texts are (leads, battle cards,
//! content) and how long documents are split into passages. It never touches the network.

mod error;
mod model;
mod vector;

pub use error::{EmbedError, Result};
pub use model::{EmbedOptions, Embedder, BATCH_SIZE, MAX_TOKENS, MODEL_DIR_NAME, MODEL_FILES};
pub use vector::{cosine, from_blob, to_blob, VectorIndex};

/// Dimensions of all-MiniLM-L6-v2's vectors.
pub const DIM: usize = 384;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn embedder_and_index_are_send_and_sync() {
        assert_send_sync::<Embedder>();
        assert_send_sync::<VectorIndex>();
    }
}
