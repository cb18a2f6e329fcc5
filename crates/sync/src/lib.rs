//! The desktop's sync client for Closer's team server.
//!
//! - Local edits are never sent as they happen: the store's triggers append references
//!   to `change_log`; [`local::stage`] turns them into mutations (only the fields that
//!   differ from the shadow copy, each with a new hybrid logical clock) in a persisted
//!   outbox with increasing mutation ids, in one transaction.
//! - [`SyncClient::push`] sends the outbox in order and removes a mutation only once
//!   acknowledged; after a crash or a lost answer the same ids go again and the
//!   server answers with its stored acks (a no-op).
//! - [`SyncClient::pull`] applies pages since the cursor with the server's rules
//!   (`closer-server`'s `sync.rs`): per field, the greater clock wins; tombstones
//!   delete; values that lost are kept in `sync_conflicts` for a conflicts view.
//! - [`SyncClient::sync_once`] is push then pull until caught up;
//!   [`SyncClient::run_loop`] repeats it with [`Backoff`] while offline.
//!
//! Synced kinds ([`fields::SYNCED`]): leads, deals, proposals, calls, battle cards and
//! content items. A proposal's body is merged as a CRDT ([`crdt`]): each saved body
//! becomes a text diff applied to a yrs document, whose state is what is pushed.
//!
//! What it does not know: the keyring (a [`TokenStore`] keeps the refresh token),
//! Tauri, SQL (every query is in `closer_store::sync`), the server's storage.

mod backoff;
mod client;
pub mod crdt;
mod error;
pub mod fields;
pub mod local;

pub use backoff::Backoff;
pub use client::{
    MemoryTokenStore, Progress, PullReport, PushReport, SyncClient, SyncReport, TokenStore,
    TokenStoreError,
};
pub use error::{Result, SyncError};
pub use local::{Account, LocalStatus};
