//! Extractors whose every rejection is a problem response: a JSON body read under the
//! route's size limit (unknown fields are refused by the types), and the signed-in
//! actor from a bearer access token (which also spends the user's rate limit).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::{ApiError, AppState};
use crate::model::Actor;

/// A JSON body; rejections are 400, 413 or 415 problems.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        decode_json(&bytes).map(JsonBody)
    }
}

/// The bytes of a JSON body (content type and size checked), for handlers that decode
/// it themselves.
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let essence = ct.split(';').next().unwrap_or("").trim();
                essence.eq_ignore_ascii_case("application/json")
            });
        if !json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("the body could not be read".into())
            }
        })?;
        Ok(JsonBytes(bytes))
    }
}

/// Decodes a JSON body. The error names the place and the kind of problem but never
/// echoes a value (a mistyped field could hold a password).
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let detail = match e.classify() {
            serde_json::error::Category::Data => {
                let message = e.to_string();
                if message.starts_with("invalid type") || message.starts_with("invalid value") {
                    format!("a value has the wrong type or is out of range at line {line} column {column}")
                } else {
                    // unknown/missing/duplicate field, unknown variant: names, not values
                    message.chars().take(300).collect()
                }
            }
            serde_json::error::Category::Eof => "the JSON body ends too early".into(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                format!("malformed JSON at line {line} column {column}")
            }
        };
        ApiError::BadRequest(detail)
    })
}

/// The signed-in user, from `Authorization: Bearer <access token>`.
pub struct Authed(pub Actor);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthorized("send an access token as a bearer token".into())
            })?;
        let actor = state.keys.verify(token).ok_or_else(|| {
            ApiError::Unauthorized("the access token is invalid or expired".into())
        })?;
        state.limits.check_user(&actor.user_id)?;
        Ok(Authed(actor))
    }
}

/// The peer's IP address (the load balancer's when behind one).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
    }
}
