//! Every error answer is an RFC 7807 problem (`application/problem+json`): a `type`
//! URI naming the kind, a `title`, the `status`, a `detail` for people, and for
//! validation failures an `errors` list with the path of each problem. Details never
//! contain secrets; internal errors are logged and answered with a generic detail.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use closer_sync_proto::Invalid;
use serde::Serialize;

use crate::error::ServerError;
use crate::storage::StoreError;

#[derive(Debug)]
pub enum ApiError {
    /// The body or query is not what the endpoint reads (bad JSON, unknown fields).
    BadRequest(String),
    /// Well-formed but invalid values.
    Invalid(Vec<Invalid>),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    MethodNotAllowed,
    Conflict(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited {
        retry_after_secs: u64,
    },
    Internal,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<ProblemItem>>,
}

#[derive(Serialize)]
struct ProblemItem {
    path: String,
    reason: String,
}

impl ApiError {
    pub fn invalid(path: &str, reason: impl Into<String>) -> Self {
        ApiError::Invalid(vec![Invalid {
            path: path.into(),
            reason: reason.into(),
        }])
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Invalid request",
            ),
            ApiError::Unauthorized(_) => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in")
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
            ),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
        }
    }
}

impl ApiError {
    /// The sentence a person reads (the problem's `detail`).
    pub fn detail(&self) -> String {
        match self {
            ApiError::BadRequest(d)
            | ApiError::Unauthorized(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d) => d.clone(),
            ApiError::Invalid(items) => items
                .iter()
                .take(3)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::MethodNotAllowed => "this endpoint does not take this method".into(),
            ApiError::PayloadTooLarge => "the body is larger than this endpoint accepts".into(),
            ApiError::UnsupportedMediaType => "send Content-Type: application/json".into(),
            ApiError::RateLimited { retry_after_secs } => {
                format!("slow down; retry after {retry_after_secs} s")
            }
            ApiError::Internal => "the server failed; the error is logged".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let detail = self.detail();
        let errors = match self {
            ApiError::Invalid(items) => Some(
                items
                    .into_iter()
                    .map(|i| ProblemItem {
                        path: i.path,
                        reason: i.reason,
                    })
                    .collect(),
            ),
            _ => None,
        };
        let body = Problem {
            kind: format!("urn:closer:problem:{slug}"),
            title,
            status: status.as_u16(),
            detail,
            errors,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut response = (status, json).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(d) => ApiError::Conflict(d),
            StoreError::Forbidden(d) => ApiError::Forbidden(d),
            StoreError::Invalid(d) => ApiError::invalid("", d),
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Internal
            }
        }
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Store(s) => s.into(),
            other => {
                tracing::error!(error = %other, "request failed");
                ApiError::Internal
            }
        }
    }
}
