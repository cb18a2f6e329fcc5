//! Account administration shared by the CLI and the HTTP API: create an
//! organisation with its first admin, invite a user (one-time code) or create one
//! with a password.

use crate::auth::{
    self, check_password_policy, normalize_email, random_token, token_hash, valid_email, TokenKeys,
};
use crate::error::{Result, ServerError};
use crate::http::ApiError;
use crate::model::{Invite, Org, Role, User, WebhookKey};
use crate::storage::{NewUser, Storage, StoreError};
use crate::{new_id, now_ms};

/// An invite as created: the code is shown once and stored only as its hash.
#[derive(Debug)]
pub struct CreatedInvite {
    pub code: String,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

async fn hash_blocking(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
}

fn checked_email(email: &str) -> Result<String, ApiError> {
    let email = normalize_email(email);
    if !valid_email(&email) {
        return Err(ApiError::invalid("email", "not an email address"));
    }
    Ok(email)
}

fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "1-200 characters, no control characters",
        ));
    }
    Ok(name.to_string())
}

/// Creates an organisation and its first admin.
pub async fn init_org(
    store: &dyn Storage,
    name: &str,
    admin_email: &str,
    admin_password: &str,
) -> Result<(Org, User), AdminError> {
    let name = checked_name(name)?;
    let email = checked_email(admin_email)?;
    check_password_policy(admin_password).map_err(|r| ApiError::invalid("password", r))?;
    if store
        .user_by_email(&email)
        .await
        .map_err(ServerError::from)?
        .is_some()
    {
        return Err(AdminError::Api(ApiError::Conflict(
            "a user with this email exists".into(),
        )));
    }
    let hash = hash_blocking(admin_password.to_string()).await?;
    let now = now_ms();
    let org = store
        .create_org(&new_id(), &name, now)
        .await
        .map_err(ServerError::from)?;
    let user = store
        .create_user(NewUser {
            id: new_id(),
            org_id: org.id.clone(),
            email,
            role: Role::Admin,
            password_hash: Some(hash),
            created_at: now,
        })
        .await
        .map_err(ServerError::from)?;
    Ok((org, user))
}

/// Creates a one-time invite code for `email` in `org_id`.
pub async fn create_invite(
    store: &dyn Storage,
    org_id: &str,
    email: &str,
    role: Role,
    ttl_secs: i64,
) -> Result<CreatedInvite, ApiError> {
    let email = checked_email(email)?;
    if store.user_by_email(&email).await?.is_some() {
        return Err(ApiError::Conflict("a user with this email exists".into()));
    }
    let code = random_token();
    let expires_at = now_ms() + ttl_secs * 1000;
    store
        .create_invite(Invite {
            code_hash: token_hash(&code),
            org_id: org_id.to_string(),
            email: email.clone(),
            role,
            expires_at,
        })
        .await?;
    Ok(CreatedInvite {
        code,
        email,
        role,
        expires_at,
    })
}

/// Creates a user with a password at once (no invite).
pub async fn create_user_with_password(
    store: &dyn Storage,
    org_id: &str,
    email: &str,
    role: Role,
    password: &str,
) -> Result<User, AdminError> {
    let email = checked_email(email)?;
    check_password_policy(password).map_err(|r| ApiError::invalid("password", r))?;
    let hash = hash_blocking(password.to_string()).await?;
    Ok(store
        .create_user(NewUser {
            id: new_id(),
            org_id: org_id.to_string(),
            email,
            role,
            password_hash: Some(hash),
            created_at: now_ms(),
        })
        .await
        .map_err(ServerError::from)?)
}

/// A webhook secret as made by [`rotate_webhook_secret`]: shown once.
#[derive(Debug)]
pub struct CreatedWebhookSecret {
    pub secret: String,
    /// Where the CRM posts: `/v1/webhooks/crm/<org id>`.
    pub path: String,
    pub owner: User,
}

/// Gives organisation `org_id` a new webhook secret (the old one stops working at
/// once) whose unnamed records belong to `owner_email` (an active user of the
/// organisation).
pub async fn rotate_webhook_secret(
    store: &dyn Storage,
    keys: &TokenKeys,
    org_id: &str,
    owner_email: &str,
) -> Result<CreatedWebhookSecret, AdminError> {
    let email = normalize_email(owner_email);
    let owner = match store.user_by_email(&email).await? {
        Some(u) if u.org_id == org_id && !u.disabled => u,
        _ => {
            return Err(AdminError::Api(ApiError::invalid(
                "owner_email",
                "not an active user of this organisation",
            )))
        }
    };
    let key_id = random_token();
    store
        .put_webhook_key(WebhookKey {
            org_id: org_id.to_string(),
            key_id: key_id.clone(),
            owner_id: owner.id.clone(),
            created_at: now_ms(),
        })
        .await?;
    Ok(CreatedWebhookSecret {
        secret: keys.webhook_secret(org_id, &key_id),
        path: format!("/v1/webhooks/crm/{org_id}"),
        owner,
    })
}

/// An administration failure: a refusal with a reason, or a server error.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0:?}")]
    Api(ApiError),
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<ApiError> for AdminError {
    fn from(e: ApiError) -> Self {
        AdminError::Api(e)
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::Server(e.into())
    }
}
