//! `POST /v1/sync/push` and `GET /v1/sync/pull`.

use axum::extract::{RawQuery, State};
use axum::Json;
use closer_sync_proto::{limits, PullPage, PushRequest, PushResponse};

use super::extract::{decode_json, Authed, JsonBytes};
use super::{ApiError, AppState};
use crate::now_ms;

/// Decodes and validates a push body: every failure is a 4xx problem, never a panic.
pub fn decode_push(bytes: &[u8], now: i64, max_skew_ms: i64) -> Result<PushRequest, ApiError> {
    let req: PushRequest = decode_json(bytes)?;
    req.validate(now.saturating_add(max_skew_ms))
        .map_err(ApiError::Invalid)?;
    Ok(req)
}

pub async fn push(
    State(state): State<AppState>,
    Authed(actor): Authed,
    JsonBytes(body): JsonBytes,
) -> Result<Json<PushResponse>, ApiError> {
    let now = now_ms();
    let req = decode_push(&body, now, state.config.max_clock_skew_ms)?;
    Ok(Json(state.store.push(&actor, &req, now).await?))
}

/// `since` (default 0) and `limit` (default and maximum from the protocol).
pub fn parse_pull_query(query: Option<&str>) -> Result<(i64, u32), ApiError> {
    let mut since = 0i64;
    let mut limit = limits::DEFAULT_PULL_LIMIT;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "since" => {
                since = value
                    .parse()
                    .ok()
                    .filter(|v: &i64| *v >= 0)
                    .ok_or_else(|| ApiError::invalid("since", "a server version (0 or more)"))?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|v: &u32| (1..=limits::MAX_PULL_LIMIT).contains(v))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "limit",
                            format!("between 1 and {}", limits::MAX_PULL_LIMIT),
                        )
                    })?;
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "unknown query parameter; this endpoint takes since and limit".into(),
                ))
            }
        }
    }
    Ok((since, limit))
}

pub async fn pull(
    State(state): State<AppState>,
    Authed(actor): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<PullPage>, ApiError> {
    let (since, limit) = parse_pull_query(query.as_deref())?;
    Ok(Json(state.store.pull(&actor, since, limit).await?))
}
