//! Group commit of pushes on PostgreSQL.
//!
//! A push must hold its organisation's row lock from reading the version to its
//! commit (that is what keeps versions gap-free and committed in order, across
//! instances). Done one push per transaction, that critical section is a dozen round
//! trips to the database, and an organisation's pushes top out at a few hundred per
//! second. So pushes that arrive together are applied together: a worker takes every
//! push waiting for one organisation (up to [`MAX_JOBS`]), and in one transaction
//! takes the lock, loads what all of them need (3 pipelined queries), plans them one
//! after the other with [`crate::sync::plan_push`] (each seeing the ones before it),
//! writes the result (5 pipelined statements over arrays) and commits. A push the
//! rules refuse gets its error and changes nothing; the others are applied.
//!
//! After a bulk load (every [`ANALYZE_AFTER_ROWS`] rows written by this instance) the
//! workers have `VACUUM (ANALYZE) entities` run in the background, at once rather than
//! when autovacuum next wakes up (up to a minute later): the planner then knows the
//! table's size for the pull's page and count, and the visibility map lets the count of
//! what remains be an index-only scan. A first sync straight after an import is fast.
//!
//! Workers are sharded by organisation, so one organisation's pushes on one instance
//! are applied in arrival order, and two instances still serialise on the row lock.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use closer_sync_proto::{Ack, Entity, PushRequest, PushResponse};
use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use super::postgres::entity_from_row;
use super::{
    decode_json, encode_json, mutation_id_to_i64, EntityRow, HistoryRow, StoreError, StoreResult,
};
use crate::model::Actor;
use crate::sync::{batch_keys, plan_push, ClientState, PushLoad};

type Param<'a> = dyn tokio_postgres::types::ToSql + Sync + 'a;

/// Pushes applied in one transaction at most.
pub const MAX_JOBS: usize = 64;
/// Mutations in one transaction at most (a full batch is still taken whole).
const MAX_MUTATIONS: usize = 4000;
/// Workers per instance (organisations are spread over them).
const WORKERS: usize = 4;
/// Rows written after which the entities table is vacuumed and analysed.
pub const ANALYZE_AFTER_ROWS: u64 = 20_000;

/// Rows written since the last `VACUUM (ANALYZE)`, and whether one is running.
#[derive(Default)]
struct Maintenance {
    written: AtomicU64,
    running: AtomicBool,
}

impl Maintenance {
    fn wrote(self: &Arc<Self>, pool: &Pool, rows: u64) {
        let total = self.written.fetch_add(rows, Ordering::Relaxed) + rows;
        if total < ANALYZE_AFTER_ROWS || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.written.store(0, Ordering::Relaxed);
        let (me, pool) = (Arc::clone(self), pool.clone());
        tokio::spawn(async move {
            let result = match pool.get().await {
                Ok(client) => client
                    .batch_execute("VACUUM (ANALYZE) entities")
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "VACUUM (ANALYZE) after a bulk load failed");
            }
            me.running.store(false, Ordering::Release);
        });
    }
}

pub struct PushJob {
    pub actor: Actor,
    pub req: PushRequest,
    pub reply: oneshot::Sender<StoreResult<PushResponse>>,
}

/// Hands pushes to the workers.
pub struct PushQueue {
    senders: Vec<mpsc::UnboundedSender<PushJob>>,
}

impl PushQueue {
    /// Starts the workers on the current tokio runtime.
    pub fn start(pool: Pool) -> Self {
        let maintenance = Arc::new(Maintenance::default());
        let senders = (0..WORKERS)
            .map(|_| {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(worker(pool.clone(), rx, Arc::clone(&maintenance)));
                tx
            })
            .collect();
        Self { senders }
    }

    pub async fn push(&self, actor: &Actor, req: &PushRequest) -> StoreResult<PushResponse> {
        let mut h = DefaultHasher::new();
        actor.org_id.hash(&mut h);
        let shard = usize::try_from(h.finish() % WORKERS as u64).unwrap_or(0);
        let sender = self
            .senders
            .get(shard)
            .ok_or_else(|| StoreError::Task("no push worker".into()))?;
        let (reply, answer) = oneshot::channel();
        sender
            .send(PushJob {
                actor: actor.clone(),
                req: req.clone(),
                reply,
            })
            .map_err(|_| StoreError::Task("the push worker has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Task("the push worker dropped a push".into()))?
    }
}

async fn worker(
    pool: Pool,
    mut rx: mpsc::UnboundedReceiver<PushJob>,
    maintenance: Arc<Maintenance>,
) {
    // Jobs of other organisations taken while gathering a batch wait here, in order.
    let mut waiting: Vec<PushJob> = Vec::new();
    loop {
        let first = if waiting.is_empty() {
            match rx.recv().await {
                Some(job) => job,
                None => return,
            }
        } else {
            waiting.remove(0)
        };
        let org = first.actor.org_id.clone();
        let mut mutations = first.req.mutations.len();
        let mut batch = vec![first];
        // Same organisation from the waiting list first (they came earlier).
        let mut i = 0;
        while i < waiting.len() && batch.len() < MAX_JOBS && mutations < MAX_MUTATIONS {
            if waiting.get(i).is_some_and(|j| j.actor.org_id == org) {
                let job = waiting.remove(i);
                mutations += job.req.mutations.len();
                batch.push(job);
            } else {
                i += 1;
            }
        }
        while batch.len() < MAX_JOBS && mutations < MAX_MUTATIONS {
            match rx.try_recv() {
                Ok(job) if job.actor.org_id == org => {
                    mutations += job.req.mutations.len();
                    batch.push(job);
                }
                Ok(job) => waiting.push(job),
                Err(_) => break,
            }
        }
        let requests: Vec<(Actor, PushRequest)> = batch
            .iter()
            .map(|j| (j.actor.clone(), j.req.clone()))
            .collect();
        match apply_batch(&pool, &org, &requests).await {
            Ok((results, written)) => {
                maintenance.wrote(&pool, written);
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, pushes = batch.len(), "a batch of pushes failed");
                let message = e.to_string();
                for job in batch {
                    let _ = job.reply.send(Err(StoreError::Batch(message.clone())));
                }
            }
        }
    }
}

/// Everything the batch's pushes may read, then their combined writes.
#[derive(Default)]
struct Overlay {
    clients: HashMap<String, ClientState>,
    acks: HashMap<(String, u64), Ack>,
    rows: HashMap<(Entity, String), EntityRow>,
    dirty_rows: Vec<(Entity, String)>,
    dirty_clients: Vec<String>,
    history: Vec<HistoryRow>,
    new_acks: Vec<(String, Ack)>,
}

/// Applies `requests` (all of organisation `org`) in one transaction; one result
/// per request. An `Err` means the transaction failed and nothing was applied.
///
/// Round trips are what a batch's time is made of (each one waits for two processes
/// to be scheduled, which on a busy machine costs far more than the statements), so
/// `BEGIN` is pipelined with the lock and the reads, and `COMMIT` with the writes:
/// two round trips per batch. A write that fails aborts the transaction, and the
/// `COMMIT` behind it then rolls back; every error path also sends `ROLLBACK`, and
/// a connection whose state is unknown is not returned to the pool.
async fn apply_batch(
    pool: &Pool,
    org: &str,
    requests: &[(Actor, PushRequest)],
) -> StoreResult<(Vec<StoreResult<PushResponse>>, u64)> {
    let client = pool
        .get()
        .await
        .map_err(|e| StoreError::Pool(e.to_string()))?;
    let result = run_batch(&client, org, requests).await;
    if !matches!(result, Ok((_, true, _))) && client.batch_execute("ROLLBACK").await.is_err() {
        drop(deadpool_postgres::Object::take(client));
    }
    result.map(|(results, _, written)| (results, written))
}

/// The batch; `true` with the results when it committed.
async fn run_batch(
    client: &deadpool_postgres::Client,
    org: &str,
    requests: &[(Actor, PushRequest)],
) -> StoreResult<(Vec<StoreResult<PushResponse>>, bool, u64)> {
    let tx = client;

    // Begin, take the organisation's lock and load what every push of the batch may
    // read, pipelined: one round trip. The server runs them in order, so the reads start
    // after the lock is held and (READ COMMITTED: a snapshot per statement) see every
    // push committed before it.
    let mut client_ids: Vec<String> = requests.iter().map(|(_, r)| r.client_id.clone()).collect();
    client_ids.sort();
    client_ids.dedup();
    // Exact keys, joined from arrays: one primary-key probe each. (`col = ANY($n)` on
    // two columns lets a generic plan scan the whole organisation.)
    let (mut ack_clients, mut ack_ids) = (Vec::new(), Vec::new());
    let mut keys = HashSet::new();
    for (_, req) in requests {
        for m in &req.mutations {
            ack_clients.push(req.client_id.as_str());
            ack_ids.push(mutation_id_to_i64(m.mutation_id)?);
        }
        keys.extend(batch_keys(req));
    }
    let kinds: Vec<&str> = keys.iter().map(|(e, _)| e.as_str()).collect();
    let entity_ids: Vec<&str> = keys.iter().map(|(_, id)| id.as_str()).collect();
    let (lock_stmt, clients_stmt, acks_stmt, rows_stmt) = tokio::try_join!(
        tx.prepare_cached("SELECT version FROM orgs WHERE id = $1 FOR UPDATE"),
        tx.prepare_cached(
            "SELECT client_id, user_id, last_mutation_id FROM sync_clients \
             WHERE org_id = $1 AND client_id = ANY($2)"
        ),
        tx.prepare_cached(
            "SELECT a.client_id, a.mutation_id, a.ack \
             FROM unnest($2::text[], $3::bigint[]) AS k(client_id, mutation_id) \
             JOIN sync_acks a ON a.org_id = $1 AND a.client_id = k.client_id \
               AND a.mutation_id = k.mutation_id"
        ),
        tx.prepare_cached(
            "SELECT e.entity, e.entity_id, e.owner_id, e.version, e.deleted_hlc, e.fields \
             FROM unnest($2::text[], $3::text[]) AS k(entity, entity_id) \
             JOIN entities e ON e.org_id = $1 AND e.entity = k.entity AND e.entity_id = k.entity_id"
        ),
    )?;
    let p_clients: [&Param<'_>; 2] = [&org, &client_ids];
    let p_acks: [&Param<'_>; 3] = [&org, &ack_clients, &ack_ids];
    let p_rows: [&Param<'_>; 3] = [&org, &kinds, &entity_ids];
    let p_lock: [&Param<'_>; 1] = [&org];
    // `biased`: polled, so sent, in this order (the lock first).
    let ((), lock_row, client_rows, ack_rows, entity_rows) = tokio::try_join!(
        biased;
        tx.batch_execute("BEGIN"),
        tx.query_opt(&lock_stmt, &p_lock),
        tx.query(&clients_stmt, &p_clients),
        tx.query(&acks_stmt, &p_acks),
        tx.query(&rows_stmt, &p_rows),
    )?;
    let Some(lock_row) = lock_row else {
        let refused = requests
            .iter()
            .map(|_| Err(StoreError::Forbidden("unknown organisation".into())))
            .collect();
        return Ok((refused, false, 0));
    };
    let mut version: i64 = lock_row.try_get(0)?;
    let mut overlay = Overlay::default();
    for r in client_rows {
        let last: i64 = r.try_get(2)?;
        overlay.clients.insert(
            r.try_get(0)?,
            ClientState {
                user_id: r.try_get(1)?,
                last_mutation_id: u64::try_from(last).unwrap_or(0),
            },
        );
    }
    let wanted: HashSet<(&str, u64)> = requests
        .iter()
        .flat_map(|(_, req)| {
            req.mutations
                .iter()
                .map(|m| (req.client_id.as_str(), m.mutation_id))
        })
        .collect();
    for r in ack_rows {
        let client_id: String = r.try_get(0)?;
        let id = u64::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0);
        if wanted.contains(&(client_id.as_str(), id)) {
            let ack: String = r.try_get(2)?;
            overlay.acks.insert((client_id, id), decode_json(&ack)?);
        }
    }
    for r in entity_rows {
        let row = entity_from_row(&r)?;
        let key = (row.entity, row.entity_id.clone());
        if keys.contains(&key) {
            overlay.rows.insert(key, row);
        }
    }

    // Plan each push in turn, each seeing what the ones before it did.
    let mut results = Vec::with_capacity(requests.len());
    for (actor, req) in requests {
        let load = PushLoad {
            client: overlay.clients.get(&req.client_id).cloned(),
            acks: req
                .mutations
                .iter()
                .filter_map(|m| {
                    overlay
                        .acks
                        .get(&(req.client_id.clone(), m.mutation_id))
                        .map(|a| (m.mutation_id, a.clone()))
                })
                .collect(),
            rows: batch_keys(req)
                .into_iter()
                .filter_map(|k| overlay.rows.get(&k).cloned().map(|r| (k, r)))
                .collect(),
            version,
        };
        match plan_push(actor, req, load) {
            Ok(plan) => {
                for row in plan.rows {
                    let key = (row.entity, row.entity_id.clone());
                    overlay.dirty_rows.push(key.clone());
                    overlay.rows.insert(key, row);
                }
                overlay.history.extend(plan.history);
                for ack in plan.new_acks {
                    overlay
                        .acks
                        .insert((req.client_id.clone(), ack.mutation_id), ack.clone());
                    overlay.new_acks.push((req.client_id.clone(), ack));
                }
                if let Some(last) = plan.client_last {
                    overlay.clients.insert(
                        req.client_id.clone(),
                        ClientState {
                            user_id: actor.user_id.clone(),
                            last_mutation_id: last,
                        },
                    );
                    overlay.dirty_clients.push(req.client_id.clone());
                }
                version = plan.version;
                results.push(Ok(plan.response));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    let written = write_and_commit(tx, org, &overlay, version).await?;
    Ok((results, true, written))
}

/// Writes the batch's final rows, history, acks, clients and version (5 statements
/// over arrays) and commits, pipelined. Returns the entity rows written.
async fn write_and_commit(
    tx: &deadpool_postgres::Client,
    org: &str,
    o: &Overlay,
    version: i64,
) -> StoreResult<u64> {
    let mut rows = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut seen = HashSet::new();
    for key in o.dirty_rows.iter().rev() {
        if !seen.insert(key) {
            continue;
        }
        let Some(row) = o.rows.get(key) else { continue };
        rows.0.push(row.entity.as_str().to_string());
        rows.1.push(row.entity_id.clone());
        rows.2.push(row.owner_id.clone());
        rows.3.push(row.version);
        rows.4
            .push(row.deleted_hlc.as_ref().map(encode_json).transpose()?);
        rows.5.push(encode_json(&row.fields)?);
    }
    let mut hist = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for h in &o.history {
        let c = &h.conflict;
        hist.0.push(c.entity.as_str().to_string());
        hist.1.push(c.entity_id.clone());
        hist.2.push(c.field.clone());
        hist.3.push(encode_json(&c.value)?);
        hist.4.push(encode_json(&c.hlc)?);
        hist.5.push(encode_json(&c.winner_hlc)?);
        hist.6.push(c.version);
        hist.7.push(h.user_id.clone());
    }
    let mut acks = (Vec::new(), Vec::new(), Vec::new());
    for (client_id, ack) in &o.new_acks {
        acks.0.push(client_id.clone());
        acks.1.push(mutation_id_to_i64(ack.mutation_id)?);
        acks.2.push(encode_json(ack)?);
    }
    let mut clients = (Vec::new(), Vec::new(), Vec::new());
    let mut seen_clients = HashSet::new();
    for id in &o.dirty_clients {
        if !seen_clients.insert(id) {
            continue;
        }
        if let Some(c) = o.clients.get(id) {
            clients.0.push(id.clone());
            clients.1.push(c.user_id.clone());
            clients.2.push(mutation_id_to_i64(c.last_mutation_id)?);
        }
    }
    let (put_rows, put_hist, put_acks, put_clients, put_version) = tokio::try_join!(
        tx.prepare_cached(
            "INSERT INTO entities (org_id, entity, entity_id, owner_id, version, deleted_hlc, fields) \
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) \
             ON CONFLICT (org_id, entity, entity_id) DO UPDATE SET owner_id = excluded.owner_id, \
             version = excluded.version, deleted_hlc = excluded.deleted_hlc, fields = excluded.fields"
        ),
        tx.prepare_cached(
            "INSERT INTO history (org_id, entity, entity_id, field, value, hlc, winner_hlc, version, user_id) \
             SELECT $1, e, i, f, v, h, w, ver, usr FROM unnest($2::text[], $3::text[], $4::text[], \
             $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[]) \
             WITH ORDINALITY AS u(e, i, f, v, h, w, ver, usr, ord) ORDER BY ord"
        ),
        tx.prepare_cached(
            "INSERT INTO sync_acks (org_id, client_id, mutation_id, ack) \
             SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[])"
        ),
        tx.prepare_cached(
            "INSERT INTO sync_clients (org_id, client_id, user_id, last_mutation_id) \
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[]) \
             ON CONFLICT (org_id, client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id"
        ),
        tx.prepare_cached("UPDATE orgs SET version = $2 WHERE id = $1 AND version <> $2"),
    )?;
    let p_rows: [&Param<'_>; 7] = [&org, &rows.0, &rows.1, &rows.2, &rows.3, &rows.4, &rows.5];
    let p_hist: [&Param<'_>; 9] = [
        &org, &hist.0, &hist.1, &hist.2, &hist.3, &hist.4, &hist.5, &hist.6, &hist.7,
    ];
    let p_acks: [&Param<'_>; 4] = [&org, &acks.0, &acks.1, &acks.2];
    let p_clients: [&Param<'_>; 4] = [&org, &clients.0, &clients.1, &clients.2];
    let p_version: [&Param<'_>; 2] = [&org, &version];
    let (written, ..) = tokio::try_join!(
        biased;
        tx.execute(&put_rows, &p_rows),
        tx.execute(&put_hist, &p_hist),
        tx.execute(&put_acks, &p_acks),
        tx.execute(&put_clients, &p_clients),
        tx.execute(&put_version, &p_version),
        tx.batch_execute("COMMIT"),
    )?;
    Ok(written)
}
