//! The embedded backend: one SQLite file in WAL mode, one writer connection and a few
//! reader connections, all used from `spawn_blocking` (rusqlite is synchronous and
//! must never block the async runtime). Migrations are embedded and append-only
//! (`rusqlite_migration`, SQLite's `user_version`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use closer_sync_proto::{Ack, Change, Conflict, Entity, PullPage, PushRequest, PushResponse};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use super::{
    decode_entity, decode_json, decode_role, encode_json, mutation_id_to_i64, EntityRow, NewUser,
    Storage, StoreError, StoreResult, WebhookApply, WebhookOutcome,
};
use crate::model::{
    Actor, Invite, Org, RefreshToken, Role, Rotation, User, WebhookKey, REFRESH_GRACE_MS,
};
use crate::sync::{batch_keys, plan_push, ClientState, PushLoad};

const MIGRATION_LIST: &[M<'static>] = &[
    M::up(include_str!("migrations/sqlite/0001_init.sql")),
    M::up(include_str!("migrations/sqlite/0002_webhooks.sql")),
    M::up(include_str!("migrations/sqlite/0003_refresh_grace.sql")),
];

/// The schema, for `validate()` in tests.
pub const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

const READERS: usize = 4;

pub struct SqliteStorage {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
}

fn set_pragmas(conn: &Connection, reader: bool) -> StoreResult<()> {
    // WAL: readers (pulls) never wait for the writer (pushes), and commits are cheap.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Open(format!("journal_mode is {mode}, not WAL")));
    }
    // NORMAL is durable across application crashes in WAL mode; an OS crash may lose
    // the last commits, which clients push again (their outbox keeps them until acked).
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The schema declares references; SQLite checks them only when asked.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The writer's checkpoint can briefly lock readers out; wait rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if reader {
        // A reader connection never writes, whatever a bug might ask of it.
        conn.pragma_update(None, "query_only", "ON")?;
    }
    Ok(())
}

fn blocking_error(e: tokio::task::JoinError) -> StoreError {
    StoreError::Task(e.to_string())
}

fn lock<T>(m: &Mutex<T>) -> StoreResult<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| StoreError::Task("a database connection's lock is poisoned".into()))
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut writer = Connection::open(&path)?;
            set_pragmas(&writer, false)?;
            MIGRATIONS.to_latest(&mut writer)?;
            let mut readers = Vec::with_capacity(READERS);
            for _ in 0..READERS {
                let conn = Connection::open(&path)?;
                set_pragmas(&conn, true)?;
                readers.push(Mutex::new(conn));
            }
            Ok(Self {
                writer: Arc::new(Mutex::new(writer)),
                readers: Arc::new(readers),
                next_reader: AtomicUsize::new(0),
            })
        })
        .await
        .map_err(blocking_error)?
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&writer)?;
            f(&mut conn)
        })
        .await
        .map_err(blocking_error)?
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % READERS;
        tokio::task::spawn_blocking(move || {
            let slot = readers
                .get(i)
                .ok_or_else(|| StoreError::Task("no reader connection".into()))?;
            let mut conn = lock(slot)?;
            f(&mut conn)
        })
        .await
        .map_err(blocking_error)?
    }
}

const USER_COLUMNS: &str = "id, org_id, email, role, password_hash, disabled, created_at";

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(User, String)> {
    let role: String = r.get(3)?;
    Ok((
        User {
            id: r.get(0)?,
            org_id: r.get(1)?,
            email: r.get(2)?,
            role: Role::Rep,
            password_hash: r.get(4)?,
            disabled: r.get::<_, i64>(5)? != 0,
            created_at: r.get(6)?,
        },
        role,
    ))
}

fn finish_user((mut user, role): (User, String)) -> StoreResult<User> {
    user.role = decode_role(&role)?;
    Ok(user)
}

fn user_where(
    conn: &Connection,
    clause: &str,
    p: &[&dyn rusqlite::ToSql],
) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {clause}");
    conn.query_row(&sql, p, user_from_row)
        .optional()?
        .map(finish_user)
        .transpose()
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

fn row_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

type RawRow = (String, String, Option<String>, i64, Option<String>, String);

fn decode_row(raw: RawRow) -> StoreResult<EntityRow> {
    let (entity, entity_id, owner_id, version, deleted_hlc, fields) = raw;
    Ok(EntityRow {
        entity: decode_entity(&entity)?,
        entity_id,
        owner_id,
        version,
        deleted_hlc: deleted_hlc.as_deref().map(decode_json).transpose()?,
        fields: decode_json(&fields)?,
    })
}

fn row_to_change(row: EntityRow) -> Change {
    let deleted = row.deleted_hlc.is_some();
    Change {
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
    }
}

fn push_tx(conn: &mut Connection, actor: &Actor, req: &PushRequest) -> StoreResult<PushResponse> {
    // IMMEDIATE: take the write lock now, so the version read below stays current.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let response = push_in_tx(&tx, actor, req)?;
    tx.commit()?;
    Ok(response)
}

fn client_last(
    tx: &Connection,
    org_id: &str,
    client_id: &str,
) -> StoreResult<Option<(String, u64)>> {
    Ok(tx
        .query_row(
            "SELECT user_id, last_mutation_id FROM sync_clients WHERE org_id = ?1 AND client_id = ?2",
            params![org_id, client_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?
        .map(|(user_id, last)| (user_id, u64::try_from(last).unwrap_or(0))))
}

fn webhook_tx(
    conn: &mut Connection,
    actor: &Actor,
    event: &WebhookApply,
) -> StoreResult<WebhookOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let seen = tx
        .query_row(
            "SELECT body_hash, ack FROM webhook_events WHERE org_id = ?1 AND event_id = ?2",
            params![actor.org_id, event.event_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    if let Some((hash, ack)) = seen {
        return Ok(if hash == event.body_hash {
            WebhookOutcome::Replayed(decode_json(&ack)?)
        } else {
            WebhookOutcome::EventIdReused
        });
    }
    let last = client_last(&tx, &actor.org_id, &event.client_id)?.map_or(0, |(_, last)| last);
    let mut mutation = event.mutation.clone();
    mutation.mutation_id = last + 1;
    let req = PushRequest {
        client_id: event.client_id.clone(),
        mutations: vec![mutation],
    };
    let response = push_in_tx(&tx, actor, &req)?;
    let ack = response
        .acks
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("a push of one mutation gave no ack".into()))?;
    tx.execute(
        "INSERT INTO webhook_events (org_id, event_id, body_hash, ack, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![actor.org_id, event.event_id, event.body_hash, encode_json(&ack)?, event.received_at],
    )?;
    tx.commit()?;
    Ok(WebhookOutcome::Applied(ack))
}

/// A push inside the caller's (IMMEDIATE) transaction.
fn push_in_tx(tx: &Connection, actor: &Actor, req: &PushRequest) -> StoreResult<PushResponse> {
    let version: i64 = tx
        .query_row(
            "SELECT version FROM orgs WHERE id = ?1",
            [&actor.org_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::Forbidden("unknown organisation".into()))?;
    let client =
        client_last(tx, &actor.org_id, &req.client_id)?.map(|(user_id, last)| ClientState {
            user_id,
            last_mutation_id: last,
        });
    let mut acks = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT ack FROM sync_acks WHERE org_id = ?1 AND client_id = ?2 AND mutation_id = ?3",
        )?;
        for m in &req.mutations {
            let id = mutation_id_to_i64(m.mutation_id)?;
            if let Some(ack) = stmt
                .query_row(params![actor.org_id, req.client_id, id], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                acks.insert(m.mutation_id, decode_json::<Ack>(&ack)?);
            }
        }
    }
    let mut rows = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT entity, entity_id, owner_id, version, deleted_hlc, fields FROM entities \
             WHERE org_id = ?1 AND entity = ?2 AND entity_id = ?3",
        )?;
        for (entity, id) in batch_keys(req) {
            if let Some(raw) = stmt
                .query_row(params![actor.org_id, entity.as_str(), id], row_from_sql)
                .optional()?
            {
                rows.insert((entity, id), decode_row(raw)?);
            }
        }
    }
    let plan = plan_push(
        actor,
        req,
        PushLoad {
            client,
            acks,
            rows,
            version,
        },
    )?;
    {
        let mut put = tx.prepare_cached(
            "INSERT INTO entities (org_id, entity, entity_id, owner_id, version, deleted_hlc, fields) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (org_id, entity, entity_id) DO UPDATE SET owner_id = excluded.owner_id, \
             version = excluded.version, deleted_hlc = excluded.deleted_hlc, fields = excluded.fields",
        )?;
        for row in &plan.rows {
            let deleted = row.deleted_hlc.as_ref().map(encode_json).transpose()?;
            put.execute(params![
                actor.org_id,
                row.entity.as_str(),
                row.entity_id,
                row.owner_id,
                row.version,
                deleted,
                encode_json(&row.fields)?,
            ])?;
        }
        let mut hist = tx.prepare_cached(
            "INSERT INTO history (org_id, entity, entity_id, field, value, hlc, winner_hlc, version, user_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for h in &plan.history {
            let c = &h.conflict;
            hist.execute(params![
                actor.org_id,
                c.entity.as_str(),
                c.entity_id,
                c.field,
                encode_json(&c.value)?,
                encode_json(&c.hlc)?,
                encode_json(&c.winner_hlc)?,
                c.version,
                h.user_id,
            ])?;
        }
        let mut ack_stmt = tx.prepare_cached(
            "INSERT INTO sync_acks (org_id, client_id, mutation_id, ack) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for ack in &plan.new_acks {
            ack_stmt.execute(params![
                actor.org_id,
                req.client_id,
                mutation_id_to_i64(ack.mutation_id)?,
                encode_json(ack)?
            ])?;
        }
    }
    if let Some(last) = plan.client_last {
        tx.execute(
            "INSERT INTO sync_clients (org_id, client_id, user_id, last_mutation_id) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (org_id, client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id",
            params![actor.org_id, req.client_id, actor.user_id, mutation_id_to_i64(last)?],
        )?;
    }
    if plan.version != version {
        tx.execute(
            "UPDATE orgs SET version = ?2 WHERE id = ?1",
            params![actor.org_id, plan.version],
        )?;
    }
    Ok(plan.response)
}

/// The visibility rule of a pull, as SQL over `entities` aliased `e`:
/// `?1` org, `?3` whole team (0/1), `?4` the user's id.
const VISIBLE: &str = "e.org_id = ?1 AND (?3 = 1 OR e.owner_id IS NULL OR e.owner_id = ?4)";

fn pull_tx(conn: &mut Connection, actor: &Actor, since: i64, limit: u32) -> StoreResult<PullPage> {
    let tx = conn.transaction()?;
    let whole = i64::from(actor.role.reads_whole_team());
    let mut changes = Vec::new();
    {
        let sql = format!(
            "SELECT e.entity, e.entity_id, e.owner_id, e.version, e.deleted_hlc, e.fields \
             FROM entities e WHERE {VISIBLE} AND e.version > ?2 ORDER BY e.version LIMIT ?5"
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let raws = stmt
            .query_map(
                params![actor.org_id, since, whole, actor.user_id, i64::from(limit)],
                row_from_sql,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for raw in raws {
            changes.push(row_to_change(decode_row(raw)?));
        }
    }
    let next_cursor = changes.last().map_or(since, |c| c.version);
    let total_remaining: i64 = tx.query_row(
        &format!("SELECT count(*) FROM entities e WHERE {VISIBLE} AND e.version > ?2 AND ?5 = ?5"),
        params![actor.org_id, next_cursor, whole, actor.user_id, 0],
        |r| r.get(0),
    )?;
    if !changes.is_empty() {
        let sql = format!(
            "SELECT h.entity, h.entity_id, h.field, h.value, h.hlc, h.winner_hlc, h.version \
             FROM history h JOIN entities e \
               ON e.org_id = h.org_id AND e.entity = h.entity AND e.entity_id = h.entity_id \
             WHERE {VISIBLE} AND h.version > ?2 AND e.version > ?2 AND e.version <= ?5 ORDER BY h.id"
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let raws = stmt
            .query_map(
                params![actor.org_id, since, whole, actor.user_id, next_cursor],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        attach_conflicts(&mut changes, raws)?;
    }
    tx.commit()?;
    let total_remaining = u64::try_from(total_remaining).unwrap_or(0);
    Ok(PullPage {
        changes,
        next_cursor,
        total_remaining,
        has_more: total_remaining > 0,
    })
}

/// History rows as both backends read them.
pub(crate) type RawConflict = (String, String, String, String, String, String, i64);

pub(crate) fn attach_conflicts(changes: &mut [Change], raws: Vec<RawConflict>) -> StoreResult<()> {
    let index: HashMap<(Entity, String), usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.entity, c.entity_id.clone()), i))
        .collect();
    for (entity, entity_id, field, value, hlc, winner, version) in raws {
        let entity = decode_entity(&entity)?;
        if let Some(&i) = index.get(&(entity, entity_id.clone())) {
            if let Some(change) = changes.get_mut(i) {
                change.conflicts.push(Conflict {
                    entity,
                    entity_id,
                    field,
                    value: decode_json(&value)?,
                    hlc: decode_json(&hlc)?,
                    winner_hlc: decode_json(&winner)?,
                    version,
                });
            }
        }
    }
    Ok(())
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn create_org(&self, id: &str, name: &str, now: i64) -> StoreResult<Org> {
        let org = Org {
            id: id.to_string(),
            name: name.to_string(),
            created_at: now,
        };
        let o = org.clone();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO orgs (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![o.id, o.name, o.created_at],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("an organisation with this name exists".into())
                } else {
                    e.into()
                }
            })?;
            Ok(())
        })
        .await?;
        Ok(org)
    }

    async fn find_org(&self, id_or_name: &str) -> StoreResult<Option<Org>> {
        let key = id_or_name.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, name, created_at FROM orgs WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
                    [&key],
                    |r| {
                        Ok(Org {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            created_at: r.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO users (id, org_id, email, role, password_hash, disabled, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                params![
                    user.id,
                    user.org_id,
                    user.email,
                    user.role.as_str(),
                    user.password_hash,
                    user.created_at
                ],
            )
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
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let email = email.to_string();
        self.read(move |conn| user_where(conn, "email = ?1", &[&email]))
            .await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        let id = id.to_string();
        self.read(move |conn| user_where(conn, "id = ?1", &[&id]))
            .await
    }

    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>> {
        let org_id = org_id.to_string();
        self.read(move |conn| {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = ?1 ORDER BY email");
            let mut stmt = conn.prepare_cached(&sql)?;
            let raws = stmt
                .query_map([&org_id], user_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raws.into_iter().map(finish_user).collect()
        })
        .await
    }

    async fn update_user(
        &self,
        org_id: &str,
        user_id: &str,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> StoreResult<Option<User>> {
        let (org_id, user_id) = (org_id.to_string(), user_id.to_string());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            if let Some(role) = role {
                tx.execute(
                    "UPDATE users SET role = ?3 WHERE org_id = ?1 AND id = ?2",
                    params![org_id, user_id, role.as_str()],
                )?;
            }
            if let Some(disabled) = disabled {
                tx.execute(
                    "UPDATE users SET disabled = ?3 WHERE org_id = ?1 AND id = ?2",
                    params![org_id, user_id, i64::from(disabled)],
                )?;
            }
            let user = user_where(&tx, "org_id = ?1 AND id = ?2", &[&org_id, &user_id])?;
            tx.commit()?;
            Ok(user)
        })
        .await
    }

    async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<bool> {
        let (user_id, hash) = (user_id.to_string(), password_hash.to_string());
        self.write(move |conn| {
            Ok(conn.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![user_id, hash],
            )? == 1)
        })
        .await
    }

    async fn create_invite(&self, invite: Invite) -> StoreResult<()> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO invites (code_hash, org_id, email, role, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    invite.code_hash,
                    invite.org_id,
                    invite.email,
                    invite.role.as_str(),
                    invite.expires_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn accept_invite(
        &self,
        code_hash: &str,
        new_user_id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let (code_hash, id, hash) = (
            code_hash.to_string(),
            new_user_id.to_string(),
            password_hash.to_string(),
        );
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let invite = tx
                .query_row(
                    "UPDATE invites SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL AND expires_at > ?2 \
                     RETURNING org_id, email, role",
                    params![code_hash, now],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
                )
                .optional()?;
            let Some((org_id, email, role)) = invite else {
                return Ok(None);
            };
            let role = decode_role(&role)?;
            tx.execute(
                "INSERT INTO users (id, org_id, email, role, password_hash, disabled, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                params![id, org_id, email, role.as_str(), hash, now],
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("a user with this email exists".into())
                } else {
                    e.into()
                }
            })?;
            tx.commit()?;
            Ok(Some(User {
                id,
                org_id,
                email,
                role,
                password_hash: Some(hash),
                disabled: false,
                created_at: now,
            }))
        })
        .await
    }

    async fn insert_refresh_token(&self, t: RefreshToken) -> StoreResult<()> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![t.token_hash, t.family_id, t.user_id, t.expires_at, t.created_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: RefreshToken,
        now: i64,
    ) -> StoreResult<Rotation> {
        let old_hash = old_hash.to_string();
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = tx
                .query_row(
                    "SELECT family_id, user_id, expires_at, used_at, revoked_at, replaced_by, \
                     grace_used_at FROM refresh_tokens WHERE token_hash = ?1",
                    [&old_hash],
                    |r| {
                        Ok((
                            (
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, i64>(2)?,
                            ),
                            (
                                r.get::<_, Option<i64>>(3)?,
                                r.get::<_, Option<i64>>(4)?,
                                r.get::<_, Option<String>>(5)?,
                                r.get::<_, Option<i64>>(6)?,
                            ),
                        ))
                    },
                )
                .optional()?;
            let Some(((family, user_id, expires_at), (used_at, revoked_at, replaced_by, grace_used_at))) =
                found
            else {
                return Ok(Rotation::Unknown);
            };
            let mut grace = false;
            if let (Some(used_at), None, None, Some(successor)) =
                (used_at, revoked_at, grace_used_at, replaced_by.as_deref())
            {
                if now - used_at <= REFRESH_GRACE_MS {
                    let successor_unused: bool = tx
                        .query_row(
                            "SELECT used_at IS NULL AND revoked_at IS NULL FROM refresh_tokens WHERE token_hash = ?1",
                            [successor],
                            |r| r.get(0),
                        )
                        .optional()?
                        .unwrap_or(false);
                    if successor_unused {
                        tx.execute(
                            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE token_hash = ?1",
                            params![successor, now],
                        )?;
                        grace = true;
                    }
                }
            }
            if !grace && (used_at.is_some() || revoked_at.is_some()) {
                tx.execute(
                    "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
                    params![family, now],
                )?;
                tx.commit()?;
                return Ok(Rotation::Reused { user_id });
            }
            if expires_at <= now {
                return Ok(Rotation::Expired);
            }
            if grace {
                tx.execute(
                    "UPDATE refresh_tokens SET grace_used_at = ?2, replaced_by = ?3 WHERE token_hash = ?1",
                    params![old_hash, now, next.token_hash],
                )?;
            } else {
                tx.execute(
                    "UPDATE refresh_tokens SET used_at = ?2, replaced_by = ?3 WHERE token_hash = ?1",
                    params![old_hash, now, next.token_hash],
                )?;
            }
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![next.token_hash, family, user_id, next.expires_at, next.created_at],
            )?;
            tx.commit()?;
            Ok(Rotation::Rotated { user_id })
        })
        .await
    }

    async fn revoke_refresh_family(&self, token_hash: &str, now: i64) -> StoreResult<bool> {
        let hash = token_hash.to_string();
        self.write(move |conn| {
            let n = conn.execute(
                "UPDATE refresh_tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND family_id = \
                 (SELECT family_id FROM refresh_tokens WHERE token_hash = ?1)",
                params![hash, now],
            )?;
            Ok(n > 0)
        })
        .await
    }

    async fn revoke_user_tokens(&self, user_id: &str, now: i64) -> StoreResult<()> {
        let user_id = user_id.to_string();
        self.write(move |conn| {
            conn.execute(
                "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
                params![user_id, now],
            )?;
            Ok(())
        })
        .await
    }

    async fn push(&self, actor: &Actor, req: &PushRequest, _now: i64) -> StoreResult<PushResponse> {
        let (actor, req) = (actor.clone(), req.clone());
        self.write(move |conn| push_tx(conn, &actor, &req)).await
    }

    async fn pull(&self, actor: &Actor, since: i64, limit: u32) -> StoreResult<PullPage> {
        let actor = actor.clone();
        self.read(move |conn| pull_tx(conn, &actor, since, limit))
            .await
    }

    async fn webhook_key(&self, org_id: &str) -> StoreResult<Option<WebhookKey>> {
        let org_id = org_id.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT org_id, key_id, owner_id, created_at FROM webhook_keys WHERE org_id = ?1",
                    [&org_id],
                    |r| {
                        Ok(WebhookKey {
                            org_id: r.get(0)?,
                            key_id: r.get(1)?,
                            owner_id: r.get(2)?,
                            created_at: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    async fn put_webhook_key(&self, key: WebhookKey) -> StoreResult<()> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO webhook_keys (org_id, key_id, owner_id, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (org_id) DO UPDATE SET key_id = excluded.key_id, \
                 owner_id = excluded.owner_id, created_at = excluded.created_at",
                params![key.org_id, key.key_id, key.owner_id, key.created_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn apply_webhook(
        &self,
        actor: &Actor,
        event: &WebhookApply,
    ) -> StoreResult<WebhookOutcome> {
        let (actor, event) = (actor.clone(), event.clone());
        self.write(move |conn| webhook_tx(conn, &actor, &event))
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::MIGRATIONS.validate().is_ok());
    }
}
