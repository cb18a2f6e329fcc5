//! `POST /v1/webhooks/crm/{org}` (a CRM, signed; see [`crate::webhook`]) and
//! `POST /v1/webhooks/crm-secret` (an admin rotates the organisation's secret).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::extract::{decode_json, Authed, ClientIp, JsonBody, JsonBytes};
use super::{ApiError, AppState};
use crate::admin::{self, AdminError};
use crate::auth::normalize_email;
use crate::model::{Actor, UserView};
use crate::now_ms;
use crate::storage::{WebhookApply, WebhookOutcome};
use crate::webhook::{
    self, check_window, parse_signature_header, verify_signature, CrmEvent, SignatureError,
    WebhookResponse, REPLAY_HEADER, SIGNATURE_HEADER,
};

fn refused(e: SignatureError) -> ApiError {
    ApiError::Unauthorized(e.to_string())
}

pub async fn receive(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org_key): Path<String>,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    state.limits.check_webhook(&ip)?;
    // Everything that needs no secret first: the header and its timestamp.
    let header = headers
        .get(SIGNATURE_HEADER)
        .ok_or(SignatureError::Missing)
        .and_then(|v| v.to_str().map_err(|_| SignatureError::Malformed))
        .and_then(parse_signature_header)
        .map_err(refused)?;
    let now = now_ms();
    check_window(&header, now / 1000, state.config.webhook_tolerance_secs).map_err(refused)?;
    // An unknown organisation, one without a webhook secret and a wrong signature all
    // get the same answer: the endpoint does not tell which organisations exist.
    let org = if org_key.len() <= 200 {
        state.store.find_org(&org_key).await?
    } else {
        None
    };
    let Some(org) = org else {
        return Err(refused(SignatureError::Mismatch));
    };
    let Some(key) = state.store.webhook_key(&org.id).await? else {
        return Err(refused(SignatureError::Mismatch));
    };
    let secret = state.keys.webhook_secret(&org.id, &key.key_id);
    if !verify_signature(&secret, &header, &body) {
        tracing::info!(org = %org.id, %ip, "webhook signature refused");
        return Err(refused(SignatureError::Mismatch));
    }

    let event: CrmEvent = decode_json(&body)?;
    event
        .validate(now, state.config.max_clock_skew_ms)
        .map_err(ApiError::Invalid)?;
    let owner = match &event.data.owner_email {
        Some(email) => state.store.user_by_email(&normalize_email(email)).await?,
        None => state.store.user_by_id(&key.owner_id).await?,
    };
    let owner = match owner {
        Some(u) if u.org_id == org.id && !u.disabled => u,
        _ if event.data.owner_email.is_some() => {
            return Err(ApiError::invalid(
                "data/owner_email",
                "not an active user of this organisation",
            ))
        }
        _ => {
            return Err(ApiError::Conflict(
                "the webhook's default owner is no longer active; an admin must rotate the \
                 webhook secret with another owner"
                    .into(),
            ))
        }
    };
    let actor = Actor {
        user_id: owner.id.clone(),
        org_id: org.id.clone(),
        role: owner.role,
    };
    let apply = WebhookApply {
        event_id: event.event_id.clone(),
        body_hash: body_hash(&body),
        client_id: webhook::client_id(&owner.id),
        mutation: event.to_mutation(now),
        received_at: now,
    };
    match state.store.apply_webhook(&actor, &apply).await? {
        WebhookOutcome::Applied(ack) => Ok(Json(WebhookResponse::new(&event, ack)).into_response()),
        WebhookOutcome::Replayed(ack) => {
            let mut response = Json(WebhookResponse::new(&event, ack)).into_response();
            response
                .headers_mut()
                .insert(REPLAY_HEADER, HeaderValue::from_static("true"));
            Ok(response)
        }
        WebhookOutcome::EventIdReused => Err(ApiError::Conflict(
            "this event_id was delivered before with a different body".into(),
        )),
    }
}

/// SHA-256 of a body, hex (the idempotency check compares bodies by it).
fn body_hash(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// Who owns the records a CRM sends without `owner_email`; the admin by default.
    #[serde(default)]
    pub owner_email: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RotateResponse {
    /// Shown once; the server stores only the id it is derived from.
    pub secret: String,
    /// Where the CRM posts (relative to the server's address).
    pub path: String,
    pub owner: UserView,
}

pub async fn rotate_secret(
    State(state): State<AppState>,
    Authed(actor): Authed,
    JsonBody(req): JsonBody<RotateRequest>,
) -> Result<Json<RotateResponse>, ApiError> {
    if !actor.role.manages_users() {
        return Err(ApiError::Forbidden(
            "only admins manage the webhook secret".into(),
        ));
    }
    let owner_email = match req.owner_email {
        Some(email) => email,
        None => state
            .store
            .user_by_id(&actor.user_id)
            .await?
            .map(|u| u.email)
            .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?,
    };
    let created = admin::rotate_webhook_secret(
        state.store.as_ref(),
        &state.keys,
        &actor.org_id,
        &owner_email,
    )
    .await
    .map_err(|e| match e {
        AdminError::Api(api) => api,
        AdminError::Server(s) => s.into(),
    })?;
    tracing::info!(org = %actor.org_id, by = %actor.user_id, "webhook secret rotated");
    Ok(Json(RotateResponse {
        secret: created.secret,
        path: created.path,
        owner: UserView::from(&created.owner),
    }))
}
