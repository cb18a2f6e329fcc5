//! closer-sync's integration tests, one binary (see each module's doc):
//!
//! - `client`: sign-in and refresh rotation, a replayed push after a crash, first-sync
//!   progress, offline edits across a restart;
//! - `entities`: proposals with concurrent paragraph edits (the CRDT body), calls,
//!   battle cards and content items, and who sees and writes them;
//! - `convergence`: randomized schedules of offline edits, disconnections and server
//!   SIGKILLs, then every replica must agree with the server.
//!
//! Every test talks HTTP to a real `closer-server` in a child process (this test
//! binary started again in server mode, see `support::child_server`), on SQLite in a
//! temporary directory.

#![allow(clippy::unwrap_used)]

mod client;
mod convergence;
mod entities;
mod support;
