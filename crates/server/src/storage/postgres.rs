//! The PostgreSQL backend (`--database-url postgres://...`), for organisations that
//! run several stateless server instances: tokio-postgres through a deadpool pool.
//! Migrations are embedded, append-only, recorded in `schema_migrations` and applied
//! under an advisory lock, so instances starting together migrate once.
//!
//! Pushes are group-committed per organisation (`storage::pg_batch`); a pull is one
//! statement (one snapshot, one round trip); statements are prepared once per
//! connection (deadpool's statement cache).
//!
//! Connections are made without TLS (a database on the same host or private
//! network); TLS to the database is not supported yet.

use std::collections::HashMap;
use std::str::FromStr;

use async_trait::async_trait;
use closer_sync_proto::{Ack, Change, PullPage, PushRequest, PushResponse};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::pg_batch::PushQueue;
use super::sqlite::{attach_conflicts, RawConflict};
use super::{
    decode_entity, decode_json, decode_role, encode_json, mutation_id_to_i64, EntityRow, NewUser,
    Storage, StoreError, StoreResult, WebhookApply, WebhookOutcome,
};
use crate::model::{
    Actor, Invite, Org, RefreshToken, Role, Rotation, User, WebhookKey, REFRESH_GRACE_MS,
};
use crate::sync::{batch_keys, plan_push, ClientState, PushLoad};

/// Embedded migrations, applied in order; never edit a shipped one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/postgres/0001_init.sql")),
    (2, include_str!("migrations/postgres/0002_webhooks.sql")),
    (
        3,
        include_str!("migrations/postgres/0003_refresh_grace.sql"),
    ),
];

/// Any constant: the advisory lock that serialises migrations across instances.
const MIGRATION_LOCK: i64 = 0x0C10_5E25;

pub struct PgStorage {
    pool: Pool,
    pushes: PushQueue,
}

fn pool_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Pool(e.to_string())
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

const USER_COLUMNS: &str = "id, org_id, email, role, password_hash, disabled, created_at";

fn user_from_row(r: &tokio_postgres::Row) -> StoreResult<User> {
    let role: String = r.try_get(3)?;
    Ok(User {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        email: r.try_get(2)?,
        role: decode_role(&role)?,
        password_hash: r.try_get(4)?,
        disabled: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

pub(super) fn entity_from_row(r: &tokio_postgres::Row) -> StoreResult<EntityRow> {
    entity_from_row_at(r, 0)
}

/// An entity from six columns starting at `at`: entity, entity_id, owner_id,
/// version, deleted_hlc, fields.
fn entity_from_row_at(r: &tokio_postgres::Row, at: usize) -> StoreResult<EntityRow> {
    let entity: String = r.try_get(at)?;
    let deleted: Option<String> = r.try_get(at + 4)?;
    let fields: String = r.try_get(at + 5)?;
    Ok(EntityRow {
        entity: decode_entity(&entity)?,
        entity_id: r.try_get(at + 1)?,
        owner_id: r.try_get(at + 2)?,
        version: r.try_get(at + 3)?,
        deleted_hlc: deleted.as_deref().map(decode_json).transpose()?,
        fields: decode_json(&fields)?,
    })
}

impl PgStorage {
    /// Connects to `url`, checks the connection and migrates the schema. The push
    /// workers (`storage::pg_batch`) run on the current tokio runtime: use the
    /// storage on the runtime that opened it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Open(format!("invalid PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(pool_error)?;
        let storage = Self {
            pushes: PushQueue::start(pool.clone()),
            pool,
        };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await?;
        let current: Option<i64> = tx
            .query_one("SELECT max(version) FROM schema_migrations", &[])
            .await?
            .try_get(0)?;
        let current = current.unwrap_or(0);
        if let Some(&(newest, _)) = MIGRATIONS.last() {
            if current > newest {
                return Err(StoreError::Open(format!(
                    "the database schema ({current}) is newer than this server ({newest})"
                )));
            }
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[version],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }
}

#[async_trait]
impl Storage for PgStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn create_org(&self, id: &str, name: &str, now: i64) -> StoreResult<Org> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)",
                &[&id, &name, &now],
            )
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("an organisation with this name exists".into())
                } else {
                    e.into()
                }
            })?;
        Ok(Org {
            id: id.to_string(),
            name: name.to_string(),
            created_at: now,
        })
    }

    async fn find_org(&self, id_or_name: &str) -> StoreResult<Option<Org>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, name, created_at FROM orgs WHERE id = $1 OR name = $1 ORDER BY id = $1 DESC LIMIT 1",
                &[&id_or_name],
            )
            .await?;
        row.map(|r| {
            Ok(Org {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                created_at: r.try_get(2)?,
            })
        })
        .transpose()
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO users (id, org_id, email, role, password_hash, disabled, created_at) \
                 VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
                &[
                    &user.id,
                    &user.org_id,
                    &user.email,
                    &user.role.as_str(),
                    &user.password_hash,
                    &user.created_at,
                ],
            )
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("a user with this email exists".into())
                } else {
                    e.into()
                }
            })?;
        Ok(User {
            id: user.id,
            org_id: user.org_id,
            email: user.email,
            role: user.role,
            password_hash: user.password_hash,
            disabled: false,
            created_at: user.created_at,
        })
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let client = self.client().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        client
            .query_opt(&sql, &[&email])
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        let client = self.client().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        client
            .query_opt(&sql, &[&id])
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>> {
        let client = self.client().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = $1 ORDER BY email");
        client
            .query(&sql, &[&org_id])
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    async fn update_user(
        &self,
        org_id: &str,
        user_id: &str,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> StoreResult<Option<User>> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE users SET role = COALESCE($3, role), disabled = COALESCE($4, disabled) \
             WHERE org_id = $1 AND id = $2 RETURNING {USER_COLUMNS}"
        );
        let role = role.map(Role::as_str);
        client
            .query_opt(&sql, &[&org_id, &user_id, &role, &disabled])
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        Ok(client
            .execute(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                &[&user_id, &password_hash],
            )
            .await?
            == 1)
    }

    async fn create_invite(&self, invite: Invite) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO invites (code_hash, org_id, email, role, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &invite.code_hash,
                    &invite.org_id,
                    &invite.email,
                    &invite.role.as_str(),
                    &invite.expires_at,
                ],
            )
            .await?;
        Ok(())
    }

    async fn accept_invite(
        &self,
        code_hash: &str,
        new_user_id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "UPDATE invites SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                 RETURNING org_id, email, role",
                &[&code_hash, &now],
            )
            .await?
        else {
            return Ok(None);
        };
        let org_id: String = row.try_get(0)?;
        let email: String = row.try_get(1)?;
        let role: String = row.try_get(2)?;
        let role = decode_role(&role)?;
        tx.execute(
            "INSERT INTO users (id, org_id, email, role, password_hash, disabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, FALSE, $6)",
            &[
                &new_user_id,
                &org_id,
                &email,
                &role.as_str(),
                &password_hash,
                &now,
            ],
        )
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict("a user with this email exists".into())
            } else {
                e.into()
            }
        })?;
        tx.commit().await?;
        Ok(Some(User {
            id: new_user_id.to_string(),
            org_id,
            email,
            role,
            password_hash: Some(password_hash.to_string()),
            disabled: false,
            created_at: now,
        }))
    }

    async fn insert_refresh_token(&self, t: RefreshToken) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[&t.token_hash, &t.family_id, &t.user_id, &t.expires_at, &t.created_at],
            )
            .await?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: RefreshToken,
        now: i64,
    ) -> StoreResult<Rotation> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // FOR UPDATE: two instances presenting the same token at once cannot both rotate it.
        let Some(row) = tx
            .query_opt(
                "SELECT family_id, user_id, expires_at, used_at, revoked_at, replaced_by, grace_used_at \
                 FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
                &[&old_hash],
            )
            .await?
        else {
            return Ok(Rotation::Unknown);
        };
        let family: String = row.try_get(0)?;
        let user_id: String = row.try_get(1)?;
        let expires_at: i64 = row.try_get(2)?;
        let used_at: Option<i64> = row.try_get(3)?;
        let revoked_at: Option<i64> = row.try_get(4)?;
        let replaced_by: Option<String> = row.try_get(5)?;
        let grace_used_at: Option<i64> = row.try_get(6)?;
        let mut grace = false;
        if let (Some(used_at), None, None, Some(successor)) =
            (used_at, revoked_at, grace_used_at, replaced_by.as_deref())
        {
            if now - used_at <= REFRESH_GRACE_MS {
                // Revoked only if the client never used it (it crashed before storing it).
                grace = tx
                    .execute(
                        "UPDATE refresh_tokens SET revoked_at = $2 WHERE token_hash = $1 \
                         AND used_at IS NULL AND revoked_at IS NULL",
                        &[&successor, &now],
                    )
                    .await?
                    == 1;
            }
        }
        if !grace && (used_at.is_some() || revoked_at.is_some()) {
            tx.execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
                &[&family, &now],
            )
            .await?;
            tx.commit().await?;
            return Ok(Rotation::Reused { user_id });
        }
        if expires_at <= now {
            return Ok(Rotation::Expired);
        }
        let mark = if grace {
            "UPDATE refresh_tokens SET grace_used_at = $2, replaced_by = $3 WHERE token_hash = $1"
        } else {
            "UPDATE refresh_tokens SET used_at = $2, replaced_by = $3 WHERE token_hash = $1"
        };
        tx.execute(mark, &[&old_hash, &now, &next.token_hash])
            .await?;
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &next.token_hash,
                &family,
                &user_id,
                &next.expires_at,
                &next.created_at,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated { user_id })
    }

    async fn revoke_refresh_family(&self, token_hash: &str, now: i64) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE revoked_at IS NULL AND family_id = \
                 (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)",
                &[&token_hash, &now],
            )
            .await?;
        Ok(n > 0)
    }

    async fn revoke_user_tokens(&self, user_id: &str, now: i64) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                &[&user_id, &now],
            )
            .await?;
        Ok(())
    }

    async fn push(&self, actor: &Actor, req: &PushRequest, _now: i64) -> StoreResult<PushResponse> {
        // Group-committed with the organisation's other pending pushes (see pg_batch).
        self.pushes.push(actor, req).await
    }

    async fn pull(&self, actor: &Actor, since: i64, limit: u32) -> StoreResult<PullPage> {
        // Who may see what, as SQL over `entities` aliased by `{t}`: a manager or admin
        // sees the whole organisation (no owner test, so the count can run on the
        // (org_id, version) index alone); a rep, team entities and their own.
        // Parameters: $1 org, $2 since, $3 limit, $4 the rep's id.
        let whole = actor.role.reads_whole_team();
        let visible = |t: &str| {
            if whole {
                format!("{t}.org_id = $1")
            } else {
                format!("{t}.org_id = $1 AND ({t}.owner_id IS NULL OR {t}.owner_id = $4)")
            }
        };
        // One statement, so one snapshot and one round trip: the page (kind 0), the
        // count of everything visible after `since` (kind 1; the page is its head, so
        // what remains is the count minus the page), and the page's conflicts (kind 2).
        let sql = format!(
            "WITH page AS ( \
               SELECT e.entity, e.entity_id, e.owner_id, e.version, e.deleted_hlc, e.fields \
               FROM entities e WHERE {vis} AND e.version > $2 ORDER BY e.version LIMIT $3) \
             SELECT 0 AS kind, entity, entity_id, owner_id, version, deleted_hlc, fields, \
                    NULL::text AS field, NULL::text AS hlc, NULL::text AS winner_hlc, version AS ord \
               FROM page \
             UNION ALL \
             SELECT 1, NULL, NULL, NULL, \
                    (SELECT count(*) FROM entities e WHERE {vis} AND e.version > $2), \
                    NULL, NULL, NULL, NULL, NULL, 0 \
             UNION ALL \
             SELECT 2, h.entity, h.entity_id, NULL, h.version, NULL, h.value, h.field, h.hlc, \
                    h.winner_hlc, h.id \
               FROM history h JOIN page p \
                 ON h.org_id = $1 AND h.entity = p.entity AND h.entity_id = p.entity_id \
              WHERE h.version > $2 \
             ORDER BY kind, ord",
            vis = visible("e")
        );
        let client = self.client().await?;
        let limit = i64::from(limit);
        let stmt = client.prepare_cached(&sql).await?;
        let with_rep: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&actor.org_id, &since, &limit, &actor.user_id];
        let params = if whole { &with_rep[..3] } else { &with_rep[..] };
        let rows = client.query(&stmt, params).await?;
        let mut changes: Vec<Change> = Vec::new();
        let mut raws: Vec<RawConflict> = Vec::new();
        let mut counted = 0i64;
        for r in &rows {
            match r.try_get::<_, i32>(0)? {
                0 => {
                    let row = entity_from_row_at(r, 1)?;
                    let deleted = row.deleted_hlc.is_some();
                    changes.push(Change {
                        entity: row.entity,
                        entity_id: row.entity_id,
                        version: row.version,
                        owner_id: row.owner_id,
                        deleted,
                        fields: if deleted {
                            Default::default()
                        } else {
                            row.fields
                        },
                        conflicts: Vec::new(),
                    });
                }
                1 => counted = r.try_get(4)?,
                _ => raws.push((
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(7)?,
                    r.try_get(6)?,
                    r.try_get(8)?,
                    r.try_get(9)?,
                    r.try_get(4)?,
                )),
            }
        }
        attach_conflicts(&mut changes, raws)?;
        let next_cursor = changes.last().map_or(since, |c| c.version);
        let total_remaining = u64::try_from(counted)
            .unwrap_or(0)
            .saturating_sub(changes.len() as u64);
        Ok(PullPage {
            changes,
            next_cursor,
            total_remaining,
            has_more: total_remaining > 0,
        })
    }

    async fn webhook_key(&self, org_id: &str) -> StoreResult<Option<WebhookKey>> {
        let client = self.client().await?;
        client
            .query_opt(
                "SELECT org_id, key_id, owner_id, created_at FROM webhook_keys WHERE org_id = $1",
                &[&org_id],
            )
            .await?
            .map(|r| {
                Ok(WebhookKey {
                    org_id: r.try_get(0)?,
                    key_id: r.try_get(1)?,
                    owner_id: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            })
            .transpose()
    }

    async fn put_webhook_key(&self, key: WebhookKey) -> StoreResult<()> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO webhook_keys (org_id, key_id, owner_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id) DO UPDATE SET key_id = excluded.key_id, \
                 owner_id = excluded.owner_id, created_at = excluded.created_at",
                &[&key.org_id, &key.key_id, &key.owner_id, &key.created_at],
            )
            .await?;
        Ok(())
    }

    async fn apply_webhook(
        &self,
        actor: &Actor,
        event: &WebhookApply,
    ) -> StoreResult<WebhookOutcome> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // First the organisation's row lock (as a push takes it): two deliveries of
        // one event, to two instances at once, are applied one after the other, and
        // the second sees the first's record (READ COMMITTED reads what committed
        // before each statement).
        tx.query_opt(
            "SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE",
            &[&actor.org_id],
        )
        .await?
        .ok_or_else(|| StoreError::Forbidden("unknown organisation".into()))?;
        if let Some(r) = tx
            .query_opt(
                "SELECT body_hash, ack FROM webhook_events WHERE org_id = $1 AND event_id = $2",
                &[&actor.org_id, &event.event_id],
            )
            .await?
        {
            let hash: String = r.try_get(0)?;
            let ack: String = r.try_get(1)?;
            return Ok(if hash == event.body_hash {
                WebhookOutcome::Replayed(decode_json(&ack)?)
            } else {
                WebhookOutcome::EventIdReused
            });
        }
        let last: i64 = tx
            .query_opt(
                "SELECT last_mutation_id FROM sync_clients WHERE org_id = $1 AND client_id = $2",
                &[&actor.org_id, &event.client_id],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(0);
        let mut mutation = event.mutation.clone();
        mutation.mutation_id = u64::try_from(last).unwrap_or(0) + 1;
        let req = PushRequest {
            client_id: event.client_id.clone(),
            mutations: vec![mutation],
        };
        let response = push_in_tx(&tx, actor, &req).await?;
        let ack = response
            .acks
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("a push of one mutation gave no ack".into()))?;
        tx.execute(
            "INSERT INTO webhook_events (org_id, event_id, body_hash, ack, received_at) VALUES ($1, $2, $3, $4, $5)",
            &[&actor.org_id, &event.event_id, &event.body_hash, &encode_json(&ack)?, &event.received_at],
        )
        .await?;
        tx.commit().await?;
        Ok(WebhookOutcome::Applied(ack))
    }
}

/// A push inside the caller's transaction. The organisation's row lock (`FOR UPDATE`)
/// serialises its pushes across instances: the version read is the last committed
/// one, and the next push of the organisation waits for this transaction to end, so
/// versions are handed out without gaps or duplicates and committed in order.
async fn push_in_tx(
    tx: &deadpool_postgres::Transaction<'_>,
    actor: &Actor,
    req: &PushRequest,
) -> StoreResult<PushResponse> {
    // The organisation's row lock serialises its pushes across instances, so
    // versions are committed in the order they are handed out.
    let version: i64 = tx
        .query_opt(
            "SELECT version FROM orgs WHERE id = $1 FOR UPDATE",
            &[&actor.org_id],
        )
        .await?
        .ok_or_else(|| StoreError::Forbidden("unknown organisation".into()))?
        .try_get(0)?;
    let client_state = match tx
        .query_opt(
            "SELECT user_id, last_mutation_id FROM sync_clients WHERE org_id = $1 AND client_id = $2",
            &[&actor.org_id, &req.client_id],
        )
        .await?
    {
        Some(r) => Some(ClientState {
            user_id: r.try_get(0)?,
            last_mutation_id: u64::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0),
        }),
        None => None,
    };
    let ids = req
        .mutations
        .iter()
        .map(|m| mutation_id_to_i64(m.mutation_id))
        .collect::<StoreResult<Vec<i64>>>()?;
    let mut acks = HashMap::new();
    for r in tx
        .query(
            "SELECT mutation_id, ack FROM sync_acks WHERE org_id = $1 AND client_id = $2 AND mutation_id = ANY($3)",
            &[&actor.org_id, &req.client_id, &ids],
        )
        .await?
    {
        let id: i64 = r.try_get(0)?;
        let ack: String = r.try_get(1)?;
        acks.insert(u64::try_from(id).unwrap_or(0), decode_json::<Ack>(&ack)?);
    }
    let keys = batch_keys(req);
    let key_ids: Vec<&str> = keys.iter().map(|(_, id)| id.as_str()).collect();
    let kinds: Vec<&str> = keys.iter().map(|(e, _)| e.as_str()).collect();
    let mut rows = HashMap::new();
    // Exact keys joined from arrays: one primary-key probe each.
    for r in tx
        .query(
            "SELECT e.entity, e.entity_id, e.owner_id, e.version, e.deleted_hlc, e.fields \
             FROM unnest($2::text[], $3::text[]) AS k(entity, entity_id) \
             JOIN entities e ON e.org_id = $1 AND e.entity = k.entity AND e.entity_id = k.entity_id",
            &[&actor.org_id, &kinds, &key_ids],
        )
        .await?
    {
        let row = entity_from_row(&r)?;
        let key = (row.entity, row.entity_id.clone());
        if keys.binary_search(&key).is_ok() {
            rows.insert(key, row);
        }
    }
    let plan = plan_push(
        actor,
        req,
        PushLoad {
            client: client_state,
            acks,
            rows,
            version,
        },
    )?;
    if !plan.rows.is_empty() {
        let put = tx
            .prepare(
                "INSERT INTO entities (org_id, entity, entity_id, owner_id, version, deleted_hlc, fields) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (org_id, entity, entity_id) DO UPDATE SET owner_id = excluded.owner_id, \
                 version = excluded.version, deleted_hlc = excluded.deleted_hlc, fields = excluded.fields",
            )
            .await?;
        for row in &plan.rows {
            let deleted = row.deleted_hlc.as_ref().map(encode_json).transpose()?;
            let fields = encode_json(&row.fields)?;
            tx.execute(
                &put,
                &[
                    &actor.org_id,
                    &row.entity.as_str(),
                    &row.entity_id,
                    &row.owner_id,
                    &row.version,
                    &deleted,
                    &fields,
                ],
            )
            .await?;
        }
    }
    if !plan.history.is_empty() {
        let hist = tx
            .prepare(
                "INSERT INTO history (org_id, entity, entity_id, field, value, hlc, winner_hlc, version, user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .await?;
        for h in &plan.history {
            let c = &h.conflict;
            tx.execute(
                &hist,
                &[
                    &actor.org_id,
                    &c.entity.as_str(),
                    &c.entity_id,
                    &c.field,
                    &encode_json(&c.value)?,
                    &encode_json(&c.hlc)?,
                    &encode_json(&c.winner_hlc)?,
                    &c.version,
                    &h.user_id,
                ],
            )
            .await?;
        }
    }
    if !plan.new_acks.is_empty() {
        let put_ack = tx
            .prepare(
                "INSERT INTO sync_acks (org_id, client_id, mutation_id, ack) VALUES ($1, $2, $3, $4)",
            )
            .await?;
        for ack in &plan.new_acks {
            tx.execute(
                &put_ack,
                &[
                    &actor.org_id,
                    &req.client_id,
                    &mutation_id_to_i64(ack.mutation_id)?,
                    &encode_json(ack)?,
                ],
            )
            .await?;
        }
    }
    if let Some(last) = plan.client_last {
        tx.execute(
            "INSERT INTO sync_clients (org_id, client_id, user_id, last_mutation_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id",
            &[&actor.org_id, &req.client_id, &actor.user_id, &mutation_id_to_i64(last)?],
        )
        .await?;
    }
    if plan.version != version {
        tx.execute(
            "UPDATE orgs SET version = $2 WHERE id = $1",
            &[&actor.org_id, &plan.version],
        )
        .await?;
    }
    Ok(plan.response)
}
