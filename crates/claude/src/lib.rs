//! A typed client for Anthropic's Messages API: `POST /v1/messages` plain
//! ([`Client::messages`]) and streamed ([`Client::stream`], folded by [`MessageAccumulator`]
//! or [`collect`]), and `POST /v1/messages/count_tokens` ([`Client::count_tokens`]).
//!
//! What it knows: the wire types, the headers (request id, rate limits, retry hints), the
//! error bodies, and how an SSE stream starts, breaks and ends. Every failure is a typed
//! [`Error`]; a stream that stops before `message_stop` is an error, never a quiet end.
//!
//! What it deliberately does not know: retries, rate limiting, budgets, caching, fallbacks.
//! The gateway (`closer-gateway`) owns those, so that each logical request is accounted once;
//! this crate sends every request exactly once and never reconnects a stream (a new POST would
//! be billed again). It does not store the API key either: the caller passes it on each call
//! (from the keyring), it goes out only in an `x-api-key` header marked sensitive, and no
//! error or log line contains it.

mod accumulate;
mod client;
mod error;
mod meta;
mod stream;
mod types;

pub use accumulate::{collect, MessageAccumulator};
pub use client::{Client, ClientConfig};
pub use error::{ApiErrorKind, Error};
pub use meta::{Limit, RateLimits, Reply, ResponseMeta};
pub use stream::MessageStream;
pub use types::*;
