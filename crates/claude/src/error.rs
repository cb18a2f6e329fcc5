//! Typed errors, built from Anthropic's error JSON and the response headers.

use std::time::Duration;

/// `error.type` of Anthropic's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    InvalidRequest,
    Authentication,
    Billing,
    Permission,
    NotFound,
    RequestTooLarge,
    RateLimit,
    Api,
    Timeout,
    Overloaded,
    /// A type this client does not know, kept verbatim.
    Other(String),
}

impl ApiErrorKind {
    pub fn from_type(t: &str) -> Self {
        match t {
            "invalid_request_error" => Self::InvalidRequest,
            "authentication_error" => Self::Authentication,
            "billing_error" => Self::Billing,
            "permission_error" => Self::Permission,
            "not_found_error" => Self::NotFound,
            "request_too_large" => Self::RequestTooLarge,
            "rate_limit_error" => Self::RateLimit,
            "api_error" => Self::Api,
            "timeout_error" => Self::Timeout,
            "overloaded_error" => Self::Overloaded,
            other => Self::Other(other.to_string()),
        }
    }

    /// The kind a status implies when the body is not Anthropic's JSON (a proxy's HTML page…).
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::InvalidRequest,
            401 => Self::Authentication,
            402 => Self::Billing,
            403 => Self::Permission,
            404 => Self::NotFound,
            413 => Self::RequestTooLarge,
            429 => Self::RateLimit,
            504 => Self::Timeout,
            529 => Self::Overloaded,
            _ => Self::Api,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error status.
    #[error("Claude API error {status} ({kind:?}): {message}")]
    Api {
        status: u16,
        kind: ApiErrorKind,
        message: String,
        request_id: Option<String>,
        /// From `retry-after-ms` or `retry-after` (seconds or HTTP date).
        retry_after: Option<Duration>,
        /// The `x-should-retry` header, which wins over the status when present.
        should_retry: Option<bool>,
        /// `error.details.error_code`, e.g. `enforced_spend_limit_reached`.
        error_code: Option<String>,
    },
    /// An `event: error` after the stream had started (HTTP 200 already sent).
    #[error("Claude stream error ({kind:?}): {message}")]
    Stream {
        kind: ApiErrorKind,
        message: String,
        request_id: Option<String>,
    },
    /// Could not connect (refused, DNS, TLS).
    #[error("cannot reach the Claude API: {0}")]
    Connect(String),
    /// No answer in time.
    #[error("the Claude API did not answer in time")]
    Timeout,
    /// The connection broke while sending or reading.
    #[error("connection to the Claude API broke: {0}")]
    Transport(String),
    /// The answer was not the JSON or SSE we expect.
    #[error("unexpected answer from the Claude API: {0}")]
    Decode(String),
    /// The request itself cannot be sent (bad base URL, bad header value).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl Error {
    /// What the official SDKs retry: `x-should-retry` wins; else 408, 409, 429, >= 500,
    /// connection errors and timeouts. A 429 with `enforced_spend_limit_reached` never.
    /// Mid-stream errors are not retried here (the caller decides: output was already shown).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api {
                status,
                should_retry,
                error_code,
                ..
            } => {
                if error_code.as_deref() == Some("enforced_spend_limit_reached") {
                    return false;
                }
                if let Some(s) = should_retry {
                    return *s;
                }
                matches!(status, 408 | 409 | 429) || *status >= 500
            }
            Error::Connect(_) | Error::Timeout | Error::Transport(_) => true,
            Error::Stream { .. } | Error::Decode(_) | Error::Invalid(_) => false,
        }
    }

    /// The server's requested wait, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::Stream { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The upstream could not be reached or is failing (as opposed to our request being wrong):
    /// what counts toward the circuit breaker and allows a stale cache or fallback answer.
    pub fn is_upstream_failure(&self) -> bool {
        match self {
            Error::Api { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            Error::Stream { kind, .. } => matches!(
                kind,
                ApiErrorKind::Overloaded | ApiErrorKind::Api | ApiErrorKind::Timeout
            ),
            Error::Connect(_) | Error::Timeout | Error::Transport(_) => true,
            Error::Decode(_) | Error::Invalid(_) => false,
        }
    }
}
