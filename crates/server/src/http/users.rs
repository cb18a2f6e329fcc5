//! The signed-in user, the organisation's users (managers and admins) and user
//! management (admins): invites, roles, disabling.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::extract::{Authed, JsonBody};
use super::{ApiError, AppState};
use crate::admin;
use crate::model::{Role, UserView};
use crate::now_ms;

pub async fn me(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<UserView>, ApiError> {
    match state.store.user_by_id(&actor.user_id).await? {
        Some(user) if user.org_id == actor.org_id && !user.disabled => {
            Ok(Json(UserView::from(&user)))
        }
        _ => Err(ApiError::Unauthorized(
            "this account no longer exists or is disabled".into(),
        )),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<UserView>>, ApiError> {
    if !actor.role.lists_users() {
        return Err(ApiError::Forbidden(
            "only managers and admins list the team".into(),
        ));
    }
    let users = state.store.list_users(&actor.org_id).await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InviteResponse {
    /// Shown once; the server keeps only its hash.
    pub code: String,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

pub async fn invite(
    State(state): State<AppState>,
    Authed(actor): Authed,
    JsonBody(req): JsonBody<InviteRequest>,
) -> Result<Json<InviteResponse>, ApiError> {
    if !actor.role.manages_users() {
        return Err(ApiError::Forbidden("only admins invite users".into()));
    }
    let invite = admin::create_invite(
        state.store.as_ref(),
        &actor.org_id,
        &req.email,
        req.role,
        state.config.invite_ttl_secs,
    )
    .await?;
    Ok(Json(InviteResponse {
        code: invite.code,
        email: invite.email,
        role: invite.role,
        expires_at: invite.expires_at,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

pub async fn update(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    if !actor.role.manages_users() {
        return Err(ApiError::Forbidden("only admins manage users".into()));
    }
    if id.len() > 64 {
        return Err(ApiError::NotFound("no such user".into()));
    }
    if id == actor.user_id {
        return Err(ApiError::Conflict(
            "an admin cannot change their own role or disable themselves".into(),
        ));
    }
    let user = state
        .store
        .update_user(&actor.org_id, &id, req.role, req.disabled)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    if req.disabled == Some(true) {
        state.store.revoke_user_tokens(&user.id, now_ms()).await?;
    }
    Ok(Json(UserView::from(&user)))
}
