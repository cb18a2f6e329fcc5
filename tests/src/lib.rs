//! End-to-end tests for Closer live in `e2e.rs` (see `harness.rs`); this library is empty.
