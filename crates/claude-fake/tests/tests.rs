//! Integration tests of `closer-claude-fake`, over real HTTP with reqwest.
//! One test binary (see `[[test]]` in Cargo.toml); one module per area.

/// Shared helpers: client, SSE parser, key paths, a JSON Schema checker.
mod util;

/// Deterministic answers: text, tool inputs from schemas, max_tokens, stop sequences.
mod answers;
/// Token usage and simulated prompt caching.
mod caching;
/// The fake against recorded transcripts of the real API (`tests/fixtures/`).
mod conformance;
/// Start, stop, restart on the same port, concurrency, the binary.
mod lifecycle;
/// The OpenAI-compatible `/v1/chat/completions`.
mod openai;
/// Each scripted `Step`, and the script / records / reset API.
mod steps;
/// Header checks and request validation.
mod validation;
