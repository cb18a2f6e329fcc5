//! Where the server keeps everything: the [`Storage`] trait and its two
//! implementations, [`sqlite::SqliteStorage`] (embedded, the default) and
//! [`postgres::PgStorage`] (`--database-url postgres://...`).
//!
//! Both load what a push needs inside one transaction, let [`crate::sync::plan_push`]
//! decide (pure, shared), and write the plan in the same transaction; a push is
//! serialised per organisation (SQLite: its single writer; PostgreSQL: a row lock on
//! the organisation, held to the commit), so server versions are handed out and
//! committed in order and a pull never skips a change. PostgreSQL group-commits the
//! pushes that arrive together (`pg_batch`): one lock, one load, one write per batch.

mod pg_batch;
pub mod postgres;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use closer_sync_proto::{
    Ack, Conflict, Entity, FieldValue, Hlc, Mutation, PullPage, PushRequest, PushResponse,
};

use crate::model::{Actor, Invite, Org, RefreshToken, Role, Rotation, User, WebhookKey};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request conflicts with what is stored (an email taken, a mutation id out of order).
    #[error("{0}")]
    Conflict(String),
    /// The actor may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request is well-formed but not acceptable.
    #[error("{0}")]
    Invalid(String),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("sqlite migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("background task failed: {0}")]
    Task(String),
    /// A group-committed batch of pushes failed as a whole (PostgreSQL).
    #[error("a batch of pushes failed: {0}")]
    Batch(String),
    #[error("cannot open the database: {0}")]
    Open(String),
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// A new user. `email` must already be normalised (trimmed, lower case).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub created_at: i64,
}

/// Everything the server persists. Every method that touches an organisation's data
/// takes that organisation's id (or an [`Actor`], which carries it): nothing crosses
/// organisations.
#[async_trait]
pub trait Storage: Send + Sync {
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    async fn create_org(&self, id: &str, name: &str, now: i64) -> StoreResult<Org>;
    /// By id or by exact name.
    async fn find_org(&self, id_or_name: &str) -> StoreResult<Option<Org>>;

    /// `StoreError::Conflict` when the email is taken.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>>;
    /// Changes a user of `org_id`; `None` when there is no such user in that organisation.
    async fn update_user(
        &self,
        org_id: &str,
        user_id: &str,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> StoreResult<Option<User>>;
    async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<bool>;

    async fn create_invite(&self, invite: Invite) -> StoreResult<()>;
    /// Uses an unexpired, unused invite once: creates its user with this password.
    /// `None` when the code is unknown, used or expired.
    async fn accept_invite(
        &self,
        code_hash: &str,
        new_user_id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<User>>;

    async fn insert_refresh_token(&self, token: RefreshToken) -> StoreResult<()>;
    /// Presents `old_hash`: a current token is marked used and `next` (whose
    /// `family_id` and `user_id` are replaced by the old token's) is stored; a token
    /// used before revokes its whole family.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: RefreshToken,
        now: i64,
    ) -> StoreResult<Rotation>;
    /// Revokes the family of this token (sign-out). False when the token is unknown.
    async fn revoke_refresh_family(&self, token_hash: &str, now: i64) -> StoreResult<bool>;
    /// Revokes every refresh token of a user (disabled account).
    async fn revoke_user_tokens(&self, user_id: &str, now: i64) -> StoreResult<()>;

    /// Applies a validated push batch in one transaction.
    async fn push(&self, actor: &Actor, req: &PushRequest, now: i64) -> StoreResult<PushResponse>;
    /// Changes after `since` that `actor` may see, oldest first, at most `limit`.
    async fn pull(&self, actor: &Actor, since: i64, limit: u32) -> StoreResult<PullPage>;

    /// The organisation's webhook key, if an admin has made one.
    async fn webhook_key(&self, org_id: &str) -> StoreResult<Option<WebhookKey>>;
    /// Sets (replaces) the organisation's webhook key.
    async fn put_webhook_key(&self, key: WebhookKey) -> StoreResult<()>;
    /// Applies one webhook event as `actor`, in one transaction serialised with the
    /// organisation's pushes: an event id seen before returns its stored ack and
    /// changes nothing; otherwise the mutation gets the client's next mutation id and
    /// goes through the push path ([`crate::sync::plan_push`]), and the event is recorded.
    async fn apply_webhook(
        &self,
        actor: &Actor,
        event: &WebhookApply,
    ) -> StoreResult<WebhookOutcome>;
}

/// One webhook event, ready for [`Storage::apply_webhook`].
#[derive(Debug, Clone)]
pub struct WebhookApply {
    pub event_id: String,
    /// SHA-256 of the body: the same id with another body is refused.
    pub body_hash: String,
    /// The sync client the writes are recorded under.
    pub client_id: String,
    /// Its `mutation_id` is replaced by the client's next one.
    pub mutation: Mutation,
    pub received_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WebhookOutcome {
    /// Applied now.
    Applied(Ack),
    /// Seen before with the same body: what it did then; nothing changed now.
    Replayed(Ack),
    /// Seen before with a different body.
    EventIdReused,
}

/// Opens the storage a command line asks for: PostgreSQL for a `postgres://` or
/// `postgresql://` URL, otherwise SQLite in `<data_dir>/server.sqlite3`.
pub async fn open_storage(
    database_url: Option<&str>,
    data_dir: &Path,
) -> StoreResult<Arc<dyn Storage>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(postgres::PgStorage::connect(url).await?))
        }
        Some(url) => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .ok_or_else(|| {
                    StoreError::Open(
                        "database URL must start with postgres://, postgresql:// or sqlite:".into(),
                    )
                })?;
            Ok(Arc::new(
                sqlite::SqliteStorage::open(Path::new(path)).await?,
            ))
        }
        None => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| StoreError::Open(format!("{}: {e}", data_dir.display())))?;
            Ok(Arc::new(
                sqlite::SqliteStorage::open(&data_dir.join("server.sqlite3")).await?,
            ))
        }
    }
}

/// One entity as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub entity: Entity,
    pub entity_id: String,
    pub owner_id: Option<String>,
    pub version: i64,
    pub deleted_hlc: Option<Hlc>,
    pub fields: std::collections::BTreeMap<String, FieldValue>,
}

/// A value that lost or was replaced, as stored in `history`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub user_id: String,
    pub conflict: Conflict,
}

// ---- codecs shared by both backends (JSON text columns) ----

pub(crate) fn encode_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn decode_entity(s: &str) -> StoreResult<Entity> {
    Entity::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown entity {s:?}")))
}

pub(crate) fn decode_role(s: &str) -> StoreResult<Role> {
    Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown role {s:?}")))
}

pub(crate) fn mutation_id_to_i64(id: u64) -> StoreResult<i64> {
    i64::try_from(id).map_err(|_| StoreError::Invalid("mutation_id is too large".into()))
}
