//! Closer's team server: organisations, users and roles, and the offline-first sync
//! endpoints the desktop pushes its outbox to and pulls the team's changes from.
//!
//! - [`storage`]: the [`storage::Storage`] trait and its two implementations, SQLite
//!   (embedded, the default) and PostgreSQL; both apply the same pure merge rules from
//!   [`sync`], so they behave the same (one conformance suite runs on both).
//! - [`auth`]: argon2 password hashes, HS256 access tokens, opaque refresh tokens
//!   (stored hashed, rotated on use, a reused one revokes its family).
//! - [`http`]: the axum router; every error is an RFC 7807 `application/problem+json`.
//! - [`webhook`]: inbound CRM webhooks (HMAC-SHA256 signatures, a replay window,
//!   idempotent event ids), applied through the same merge rules as a push.
//!
//! It deliberately knows nothing about the desktop's store: entity fields are opaque
//! JSON to it, except `owner_id`, which decides who may write and read an entity.

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
pub mod http;
pub mod model;
pub mod storage;
pub mod sync;
pub mod webhook;

pub use config::ServerConfig;
pub use error::{Result, ServerError};
pub use storage::{open_storage, Storage};

/// The current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new sortable id (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
