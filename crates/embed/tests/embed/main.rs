//! closer-embed's integration tests, one binary.
//!
//! - `vectors`: blobs, cosine and the in-memory index (no model needed).
//! - `load`: what loading says when the model is absent or damaged (no model needed).
//! - `model`: the real all-MiniLM-L6-v2 against vectors computed by sentence-transformers.
//!   These need the files from `scripts/fetch-model.sh`; without them each test prints a
//!   note and returns (CI installs the model in its setup step, so they run there).

// Test helpers panic on setup failures, as tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;
mod load;
mod model;
mod vectors;
