//! Sign-in, token refresh (rotation with reuse detection), sign-out, invites.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::extract::{ClientIp, JsonBody};
use super::{ApiError, AppState};
use crate::auth::{
    self, check_password_policy, normalize_email, random_token, token_hash, MAX_PASSWORD_LEN,
};
use crate::model::{Actor, RefreshToken, Rotation, User, UserView};
use crate::{new_id, now_ms};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    pub code: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserView,
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized("wrong email or password".into())
}

/// Issues an access token and a refresh token; `family` continues a rotation family
/// (the refresh token is then already stored by the rotation).
async fn issue_tokens(
    state: &AppState,
    user: &User,
    refresh: Option<String>,
) -> Result<TokenResponse, ApiError> {
    let now = now_ms();
    let actor = Actor {
        user_id: user.id.clone(),
        org_id: user.org_id.clone(),
        role: user.role,
    };
    let access_token = state
        .keys
        .issue(&actor, now / 1000, state.config.access_ttl_secs)?;
    let refresh_token = match refresh {
        Some(token) => token,
        None => {
            let token = random_token();
            state
                .store
                .insert_refresh_token(RefreshToken {
                    token_hash: token_hash(&token),
                    family_id: new_id(),
                    user_id: user.id.clone(),
                    expires_at: now + state.config.refresh_ttl_secs * 1000,
                    created_at: now,
                })
                .await?;
            token
        }
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.config.access_ttl_secs,
        refresh_token,
        user: UserView::from(user),
    })
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    state.limits.check_ip(&ip)?;
    let email = normalize_email(&req.email);
    if email.is_empty() || email.len() > 254 || req.password.chars().count() > MAX_PASSWORD_LEN {
        return Err(wrong_credentials());
    }
    state.limits.check_login(&email, &ip)?;
    let user = state.store.user_by_email(&email).await?;
    let password = req.password;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => auth::verify_password(&hash, &password),
        None => {
            auth::verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let user = match user {
        Some(user) if ok && !user.disabled => user,
        _ => {
            tracing::info!(%ip, "sign-in refused");
            return Err(wrong_credentials());
        }
    };
    Ok(Json(issue_tokens(&state, &user, None).await?))
}

pub async fn refresh(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    state.limits.check_ip(&ip)?;
    if req.refresh_token.is_empty() || req.refresh_token.len() > 128 {
        return Err(ApiError::Unauthorized("unknown refresh token".into()));
    }
    let now = now_ms();
    let next = random_token();
    let rotation = state
        .store
        .rotate_refresh_token(
            &token_hash(&req.refresh_token),
            RefreshToken {
                token_hash: token_hash(&next),
                family_id: String::new(),
                user_id: String::new(),
                expires_at: now + state.config.refresh_ttl_secs * 1000,
                created_at: now,
            },
            now,
        )
        .await?;
    let user_id = match rotation {
        Rotation::Rotated { user_id } => user_id,
        Rotation::Reused { user_id } => {
            tracing::warn!(%user_id, %ip, "refresh token reused: its family is revoked");
            return Err(ApiError::Unauthorized(
                "this refresh token was already used; every session from it is signed out".into(),
            ));
        }
        Rotation::Expired => {
            return Err(ApiError::Unauthorized(
                "the refresh token has expired".into(),
            ))
        }
        Rotation::Unknown => return Err(ApiError::Unauthorized("unknown refresh token".into())),
    };
    let user = match state.store.user_by_id(&user_id).await? {
        Some(user) if !user.disabled => user,
        _ => {
            state.store.revoke_user_tokens(&user_id, now).await?;
            return Err(ApiError::Unauthorized("this account is disabled".into()));
        }
    };
    Ok(Json(issue_tokens(&state, &user, Some(next)).await?))
}

pub async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    state.limits.check_ip(&ip)?;
    if req.refresh_token.len() <= 128 {
        state
            .store
            .revoke_refresh_family(&token_hash(&req.refresh_token), now_ms())
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn accept_invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(req): JsonBody<AcceptInviteRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    state.limits.check_ip(&ip)?;
    check_password_policy(&req.password).map_err(|reason| ApiError::invalid("password", reason))?;
    if req.code.is_empty() || req.code.len() > 128 {
        return Err(ApiError::NotFound(
            "no such invite (unknown, used or expired)".into(),
        ));
    }
    let password = req.password;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|_| ApiError::Internal)??;
    let user = state
        .store
        .accept_invite(&token_hash(&req.code), &new_id(), &hash, now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("no such invite (unknown, used or expired)".into()))?;
    Ok(Json(issue_tokens(&state, &user, None).await?))
}
