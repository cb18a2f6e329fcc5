//! closer-server's integration tests: real SQLite files, a real PostgreSQL (see
//! `support/pg.rs`), the real server over HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used)]

mod support;

/// The storage conformance suite, run against both backends.
mod conformance;

/// Every endpoint × role × own / teammate's / other organisation's data.
mod authz;

/// Tokens, brute force, rate and size limits.
mod security;

/// The push decoder under arbitrary input (proptest).
mod decoder;

/// Inbound CRM webhooks: signatures, replay window, idempotency, on both backends.
mod webhooks;

/// Two instances against one PostgreSQL database.
mod multi_instance;

/// The `closer-server` binary: admin commands and `serve`.
mod cli;
