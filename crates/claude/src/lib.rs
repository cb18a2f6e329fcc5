//! A typed client for Anthropic's Messages API.
//!
//! No retries live here: the gateway (`closer-gateway`) owns retries, rate limits and the
//! circuit breaker, so that each logical request is accounted once.

mod error;
mod types;

pub use error::{ApiErrorKind, Error};
pub use types::*;
