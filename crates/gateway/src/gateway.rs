//! [`Gateway`]: one logical request from the feature's [`AiRequest`] to an [`AiResponse`]
//! (or a [`GatewayError`]), with exactly one ledger row.
//!
//! The path of a request:
//! 1. build the wire request (routing, breakpoints, cache key, token estimate);
//! 2. a fresh response-cache hit answers at once (free, so also over budget);
//! 3. the API key, then the budgets (refused at 100 %);
//! 4. the circuit breaker (open: skip to 7), the feature's rate limit, Claude's quota hold;
//! 5. attempts with retries (`retry.rs`); every attempt reports to the breaker;
//! 6. success: cache write, price, budget warning;
//! 7. Claude down (retries exhausted, circuit open): the response cache (fresh or stale),
//!    then the secondary endpoint, then the offline queue if the work may wait, else
//!    `Unavailable`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use closer_claude::{
    ApiErrorKind, Client, ClientConfig, Delta, Error as ClaudeError, InputBlock, Message,
    MessageAccumulator, MessagesRequest, ResponseMeta, Role, StreamEvent, Usage,
};
use closer_types::{
    AiBudgets, AiLedgerEntry, CircuitState, QueueItem, SecondaryEndpoint, UsageReport,
};
use futures_util::StreamExt;
use rusqlite::{params, Connection, OptionalExtension};
use tokio_util::sync::CancellationToken;

use crate::breaker::{Admit, Breaker};
use crate::cache::{self, CacheEntry};
use crate::config::{GatewayConfig, KeySource};
use crate::db::Db;
use crate::error::{GatewayError, Result};
use crate::ledger::{self, Record};
use crate::limits::{self, Limiter};
use crate::models::{ModelTable, TokenCounts};
use crate::prompt::{self, RoutingDecision};
use crate::queue::{self, CompletedJob, QueueRun};
use crate::retry::{self, Next, Schedule};
use crate::{budget, secondary, usage};
use crate::{AiRequest, AiResponse, Feature, ServedFrom};

/// The local AI gateway. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: GatewayConfig,
    keys: Arc<dyn KeySource>,
    table: ModelTable,
    client: Client,
    http: reqwest::Client,
    db: Db,
    breaker: Breaker,
    limiter: Limiter,
    secondary: Mutex<Option<SecondaryEndpoint>>,
    /// One `run_queue` at a time.
    queue_lock: tokio::sync::Mutex<()>,
    /// Some budget is set (kept in step by `set_budgets`): without one, a request skips
    /// the budget check's trip to the database.
    budgets_set: std::sync::atomic::AtomicBool,
    /// The API key as last read from `keys`. A keyring read is a trip to the OS secret
    /// service (milliseconds over D-Bus on Linux), too slow for every request; the copy is
    /// dropped by [`Gateway::forget_api_key`] (the key was changed or removed in Settings)
    /// and when Claude rejects it, so the next request reads the keyring again.
    key: Mutex<Option<String>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

struct Call<'a> {
    req: AiRequest,
    on_text: Option<&'a mut (dyn FnMut(&str) + Send)>,
    cancel: CancellationToken,
    /// A queued job run by `run_queue`: waits for Claude itself (no stale answer, no
    /// secondary) and probes an open circuit at once.
    is_job: bool,
}

/// What is known about the request as it goes.
struct Ctx {
    wire: MessagesRequest,
    route: RoutingDecision,
    rec: Record,
    /// Text already passed to `on_text`.
    shown: bool,
    /// The job this request was queued as.
    queued_job: Option<i64>,
    /// Writes left for the request's closing trip to the database.
    after: Deferred,
}

/// What an answered request still has to write, done in one transaction with its ledger
/// row: one trip to the database per request instead of one per step (the gateway's p99).
#[derive(Default)]
struct Deferred {
    /// A fresh upstream answer to keep: key, feature, message, now, ttl (ms).
    cache_put: Option<(String, Feature, Message, i64, i64)>,
    /// A cache entry that answered: its hit count goes up.
    cache_touch: Option<String>,
    /// The budget warning to compute for this feature, counting this extra cost.
    warn: Option<(Feature, f64)>,
}

impl Deferred {
    /// Applies the writes and returns the budget warning, if any.
    fn apply(self, c: &Connection, now: i64) -> Result<Option<String>> {
        if let Some((key, feature, message, at, ttl)) = &self.cache_put {
            cache::put(c, key, feature.as_str(), message, *at, *ttl)?;
        }
        if let Some(key) = &self.cache_touch {
            cache::touch(c, key)?;
        }
        match self.warn {
            Some((feature, extra)) => budget::warning(c, now, feature, extra),
            None => Ok(None),
        }
    }
}

/// How the upstream part ended without an answer.
enum Failed {
    /// Claude is down or unreachable: try the fallbacks.
    Down(String),
    /// A final answer (a refusal, a cancellation, a local rate limit).
    Fatal(GatewayError),
}

enum AttemptError {
    Claude(ClaudeError),
    /// With the usage so far, for a stream cut by the caller.
    Cancelled(Option<Usage>),
}

const SECONDARY_KEY: &str = "secondary_endpoint";
/// Characters of text passed to `on_text` per call when an answer is replayed.
const REPLAY_CHUNK: usize = 48;

impl Gateway {
    /// Opens (creating if needed) the gateway database at `config.db_path` and sets up the
    /// Claude client. Jobs left running by a crash go back to pending; cache entries past
    /// their stale retention and acknowledged jobs older than it are deleted.
    pub fn open(config: GatewayConfig, keys: Arc<dyn KeySource>) -> Result<Gateway> {
        let table = ModelTable::builtin()?;
        let client = Client::new(ClientConfig {
            base_url: config.base_url.clone(),
            connect_timeout: config.connect_timeout,
            timeout: config.timeout,
            ..ClientConfig::default()
        })
        .map_err(|e| {
            GatewayError::Config(format!("the Claude API address is not usable ({e})."))
        })?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.secondary_timeout)
            .build()
            .map_err(|e| GatewayError::Config(format!("cannot set up HTTP ({e}).")))?;
        let db = Db::open(&config.db_path)?;
        let now = config.clock.now_millis();
        let retention = millis(config.stale_retention);
        let stored_secondary = db.with(|c| {
            queue::recover(c, now)?;
            cache::purge(c, now, retention)?;
            queue::purge_acked(c, now.saturating_sub(retention))?;
            let budgets = budget::load(c)?;
            let json: Option<String> = c
                .query_row(
                    "SELECT value FROM setting WHERE key = ?1",
                    [SECONDARY_KEY],
                    |r| r.get(0),
                )
                .optional()?;
            Ok((json, budgets))
        })?;
        let (stored_secondary, budgets) = stored_secondary;
        let budgets_set = budgets.monthly_usd.is_some() || !budgets.per_feature.is_empty();
        let secondary = match stored_secondary {
            Some(json) => serde_json::from_str(&json).ok(),
            None => None,
        };
        let limiter = Limiter::new(&table, &config.rate_limits);
        let breaker = Breaker::new(config.breaker.clone());
        tracing::debug!(db = %config.db_path.display(), base_url = %config.base_url, "AI gateway opened");
        Ok(Gateway {
            inner: Arc::new(Inner {
                cfg: config,
                keys,
                table,
                client,
                http,
                db,
                breaker,
                limiter,
                secondary: Mutex::new(secondary),
                queue_lock: tokio::sync::Mutex::new(()),
                budgets_set: std::sync::atomic::AtomicBool::new(budgets_set),
                key: Mutex::new(None),
            }),
        })
    }

    /// One request, answered whole.
    pub async fn send(&self, req: AiRequest) -> Result<AiResponse> {
        self.execute(Call {
            req,
            on_text: None,
            cancel: CancellationToken::new(),
            is_job: false,
        })
        .await
    }

    /// One request, its text passed to `on_text` as it arrives. Cancelling `cancel` stops
    /// reading at once (the connection is closed) and gives [`GatewayError::Cancelled`].
    ///
    /// A response-cache hit is replayed through `on_text` in small chunks. When Claude fails
    /// before any text was shown, the request is retried or answered by a fallback, whose text
    /// is replayed the same way. When it fails after text was shown, nothing is retried and
    /// nothing more is passed to `on_text`: a fallback answer (stale cache, secondary) is in
    /// the returned [`AiResponse::message`], which then replaces what was shown.
    pub async fn stream(
        &self,
        req: AiRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
        cancel: &CancellationToken,
    ) -> Result<AiResponse> {
        self.execute(Call {
            req,
            on_text: Some(on_text),
            cancel: cancel.clone(),
            is_job: false,
        })
        .await
    }

    /// The request that would be sent, and why (tests inspect breakpoints and routing).
    pub fn build_request(&self, req: &AiRequest) -> (MessagesRequest, RoutingDecision) {
        prompt::build(req, &self.inner.table)
    }

    /// The model and price table in use.
    pub fn models(&self) -> &ModelTable {
        &self.inner.table
    }

    /// Runs pending queued jobs, oldest first, while Claude answers. Stops at the first job
    /// Claude could not answer (down, rate limited, key rejected, budget reached), leaving it
    /// and the rest pending. Each result is stored before the next job starts; read them with
    /// [`Gateway::completed_jobs`]. If the circuit is open, the first job is sent as its probe
    /// at once (call this when connectivity comes back).
    pub async fn run_queue(&self) -> Result<QueueRun> {
        let _one_at_a_time = self.inner.queue_lock.lock().await;
        let now = self.now();
        // Nothing else runs jobs while we hold the lock: a `running` job is a leftover.
        self.db(move |c| queue::recover(c, now)).await?;
        let mut run = QueueRun::default();
        loop {
            let now = self.now();
            let Some(job) = self.db(move |c| queue::take_next(c, now)).await? else {
                break;
            };
            let (result, ctx) = self
                .execute_inner(Call {
                    req: job.request,
                    on_text: None,
                    cancel: CancellationToken::new(),
                    is_job: true,
                })
                .await;
            let id = job.id;
            let now = self.now();
            match result {
                Ok(mut resp) => {
                    let rec = ctx.rec;
                    let after = ctx.after;
                    let ledger_id = job.ledger_id;
                    self.db(move |c| {
                        let tx = c.transaction()?;
                        resp.budget_warning = after.apply(&tx, now)?;
                        resp.ledger_id = match ledger_id {
                            Some(lid) => {
                                ledger::complete(&tx, lid, &rec)?;
                                lid
                            }
                            None => ledger::insert(&tx, &rec)?,
                        };
                        queue::done(&tx, id, &resp, now)?;
                        tx.commit()?;
                        Ok(())
                    })
                    .await?;
                    run.completed.push(id);
                }
                Err(e) if is_final_for_job(&e) => {
                    let mut rec = ctx.rec;
                    rec.outcome = "error";
                    let text = redacted(&e.to_string());
                    rec.error = Some(text.clone());
                    let ledger_id = job.ledger_id;
                    self.db(move |c| {
                        match ledger_id {
                            Some(lid) => ledger::complete(c, lid, &rec)?,
                            None => {
                                ledger::insert(c, &rec)?;
                            }
                        }
                        queue::fail(c, id, &text, now)
                    })
                    .await?;
                    run.failed.push(id);
                }
                Err(e) => {
                    let attempts = ctx.rec.attempts;
                    let text = redacted(&e.to_string());
                    let ledger_id = job.ledger_id;
                    let why = text.clone();
                    self.db(move |c| {
                        if let Some(lid) = ledger_id {
                            ledger::add_attempts(c, lid, attempts)?;
                        }
                        queue::retry_later(c, id, &why, attempts > 0, now)
                    })
                    .await?;
                    run.stopped = Some(text);
                    break;
                }
            }
        }
        run.remaining = self.db(|c| queue::pending_count(c)).await?;
        Ok(run)
    }

    /// Finished queued jobs (answered or refused for good) not yet acknowledged. They survive
    /// restarts; the core applies each and then calls [`Gateway::ack_job`].
    pub fn completed_jobs(&self) -> Result<Vec<CompletedJob>> {
        self.inner.db.with(|c| queue::completed(c))
    }

    /// The core applied this job's result: it leaves `completed_jobs` and `queued`.
    pub fn ack_job(&self, job_id: i64) -> Result<()> {
        self.inner.db.with(|c| queue::ack(c, job_id))
    }

    /// Jobs not yet acknowledged (pending, running, done, failed), oldest first.
    pub fn queued(&self) -> Result<Vec<QueueItem>> {
        self.inner.db.with(|c| queue::list(c))
    }

    /// Everything the AI usage screen shows, for requests since `since_millis`.
    pub fn usage(&self, since_millis: i64) -> Result<UsageReport> {
        let now = self.now();
        let circuit = self.circuit();
        self.inner
            .db
            .with(|c| usage::report(c, since_millis, now, circuit))
    }

    /// Ledger rows since `since_millis`, newest first, at most `limit`.
    pub fn ledger(&self, since_millis: i64, limit: u32) -> Result<Vec<AiLedgerEntry>> {
        self.inner
            .db
            .with(|c| ledger::rows_since(c, since_millis, limit))
    }

    /// One ledger row by id.
    pub fn ledger_entry(&self, id: i64) -> Result<Option<AiLedgerEntry>> {
        self.inner.db.with(|c| ledger::get(c, id))
    }

    pub fn set_budgets(&self, b: AiBudgets) -> Result<()> {
        budget::validate(&b)?;
        self.inner.db.with(|c| budget::save(c, &b))?;
        let set = b.monthly_usd.is_some() || !b.per_feature.is_empty();
        self.inner
            .budgets_set
            .store(set, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    pub fn budgets(&self) -> Result<AiBudgets> {
        self.inner.db.with(|c| budget::load(c))
    }

    /// Sets (or removes) the OpenAI-compatible endpoint used when Claude is down. Kept in
    /// the gateway database, so it survives restarts.
    pub fn set_secondary(&self, s: Option<SecondaryEndpoint>) -> Result<()> {
        if let Some(ep) = &s {
            secondary::validate(ep)
                .map_err(|e| GatewayError::Config(format!("secondary endpoint: {e}")))?;
        }
        let json = s.as_ref().map(serde_json::to_string).transpose()?;
        self.inner.db.with(|c| {
            match &json {
                Some(j) => c.execute(
                    "INSERT INTO setting (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![SECONDARY_KEY, j],
                )?,
                None => c.execute("DELETE FROM setting WHERE key = ?1", [SECONDARY_KEY])?,
            };
            Ok(())
        })?;
        *lock(&self.inner.secondary) = s;
        Ok(())
    }

    pub fn secondary(&self) -> Option<SecondaryEndpoint> {
        lock(&self.inner.secondary).clone()
    }

    pub fn circuit(&self) -> CircuitState {
        self.inner.breaker.snapshot(self.now())
    }

    fn now(&self) -> i64 {
        self.inner.cfg.clock.now_millis()
    }

    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.inner.db.run(f).await
    }

    /// Runs one request of `send`/`stream` and writes its ledger row.
    async fn execute(&self, call: Call<'_>) -> Result<AiResponse> {
        let started = Instant::now();
        let (wire, route) = self.build_request(&call.req);
        let draft = self.record(&call.req, &route);
        let guard = AbandonGuard {
            armed: Some((self.inner.clone(), draft, started)),
        };
        let (result, ctx) = self.run(call, wire, route, started).await;
        let rec = ctx.rec;
        let queued_job = ctx.queued_job;
        let after = ctx.after;
        let now = self.now();
        let written = self
            .inner
            .db
            .run_quick(move |c| {
                let tx = c.transaction()?;
                let warning = after.apply(&tx, now)?;
                let id = ledger::insert(&tx, &rec)?;
                if let Some(job) = queued_job {
                    queue::link_ledger(&tx, job, id)?;
                }
                tx.commit()?;
                Ok((id, warning))
            })
            .await;
        guard.disarm();
        let (ledger_id, budget_warning) = match written {
            Ok(w) => w,
            Err(e) => {
                // The answer was paid for: give it to the rep even if it could not be booked.
                tracing::error!(error = %e, "could not write the ledger row");
                (0, None)
            }
        };
        result.map(|mut r| {
            r.ledger_id = ledger_id;
            r.budget_warning = budget_warning;
            r
        })
    }

    /// Runs one request without writing its ledger row (`run_queue` completes the job's row).
    async fn execute_inner(&self, call: Call<'_>) -> (Result<AiResponse>, Ctx) {
        let started = Instant::now();
        let (wire, route) = self.build_request(&call.req);
        self.run(call, wire, route, started).await
    }

    async fn run(
        &self,
        mut call: Call<'_>,
        wire: MessagesRequest,
        route: RoutingDecision,
        started: Instant,
    ) -> (Result<AiResponse>, Ctx) {
        let rec = self.record(&call.req, &route);
        let mut ctx = Ctx {
            wire,
            route,
            rec,
            shown: false,
            queued_job: None,
            after: Deferred::default(),
        };
        let result = self.pipeline(&mut call, &mut ctx).await;
        ctx.rec.latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        if let Err(e) = &result {
            ctx.rec.outcome = e.outcome();
            if ctx.rec.error.is_none() {
                ctx.rec.error = Some(e.to_string());
            }
        }
        ctx.rec.error = ctx.rec.error.as_deref().map(redacted);
        (result, ctx)
    }

    /// The ledger row as known before anything is tried.
    fn record(&self, req: &AiRequest, route: &RoutingDecision) -> Record {
        Record {
            ts: self.now(),
            feature: req.feature.as_str().to_string(),
            model: route.model.clone(),
            routing_reason: route.reason.clone(),
            est_input_tokens: route.est_input_tokens,
            tokens: TokenCounts::default(),
            cost_usd: 0.0,
            latency_ms: 0,
            cache_layer: "none",
            served_from: None,
            attempts: 0,
            outcome: "error",
            error: None,
            request_id: None,
            prompt_excerpt: excerpt(req),
        }
    }

    async fn pipeline(&self, call: &mut Call<'_>, ctx: &mut Ctx) -> Result<AiResponse> {
        let feature = call.req.feature;
        if !call.req.fresh {
            if let Some(hit) = self.cache_lookup(&ctx.route.cache_key).await? {
                if !hit.expired {
                    return self
                        .answer_from_cache(call, ctx, hit, ServedFrom::ResponseCache)
                        .await;
                }
            }
        }
        let api_key = self.api_key().await?;
        if self
            .inner
            .budgets_set
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            let now = self.now();
            self.db(move |c| budget::check(c, now, feature)).await?;
        }

        match self.upstream(call, ctx, &api_key).await {
            Ok((message, meta)) => self.answer_from_upstream(ctx, message, meta).await,
            Err(Failed::Fatal(e)) => Err(e),
            // A queued job waits for Claude itself: no stale answer, no secondary.
            Err(Failed::Down(reason)) if call.is_job => Err(GatewayError::Unavailable { reason }),
            Err(Failed::Down(reason)) => self.fallback(call, ctx, reason).await,
        }
    }

    /// The API key: the copy in memory, else read from the key source (off the runtime).
    async fn api_key(&self) -> Result<String> {
        if let Some(k) = lock(&self.inner.key).clone() {
            return Ok(k);
        }
        let keys = self.inner.keys.clone();
        let key = tokio::task::spawn_blocking(move || keys.api_key())
            .await
            .ok()
            .flatten()
            .filter(|k| !k.trim().is_empty())
            .ok_or(GatewayError::NoApiKey)?;
        *lock(&self.inner.key) = Some(key.clone());
        Ok(key)
    }

    /// Drops the gateway's copy of the API key: the next request reads it from the key
    /// source again. Call it when the key is saved or removed.
    pub fn forget_api_key(&self) {
        *lock(&self.inner.key) = None;
    }

    async fn cache_lookup(&self, key: &str) -> Result<Option<CacheEntry>> {
        let key = key.to_string();
        let now = self.now();
        let retention = millis(self.inner.cfg.stale_retention);
        self.inner
            .db
            .run_quick(move |c| cache::get(c, &key, now, retention))
            .await
    }

    /// The budget warning to compute in the closing trip, when some budget is set.
    fn budget_warning_for(&self, feature: Feature, extra: f64) -> Option<(Feature, f64)> {
        self.inner
            .budgets_set
            .load(std::sync::atomic::Ordering::Relaxed)
            .then_some((feature, extra))
    }

    async fn answer_from_cache(
        &self,
        call: &mut Call<'_>,
        ctx: &mut Ctx,
        hit: CacheEntry,
        served_from: ServedFrom,
    ) -> Result<AiResponse> {
        if !ctx.shown {
            if let Some(on_text) = call.on_text.as_deref_mut() {
                replay(on_text, &hit.message.text());
            }
        }
        let (layer, outcome) = match served_from {
            ServedFrom::StaleCache => ("stale", "stale"),
            _ => ("response", "ok"),
        };
        ctx.rec.cache_layer = layer;
        ctx.rec.served_from = Some(served_from);
        ctx.rec.outcome = outcome;
        ctx.after.cache_touch = Some(ctx.route.cache_key.clone());
        ctx.after.warn = self.budget_warning_for(call.req.feature, 0.0);
        Ok(AiResponse {
            message: hit.message,
            served_from,
            model: ctx.route.model.clone(),
            routing_reason: ctx.route.reason.clone(),
            ledger_id: 0,
            cost_usd: 0.0,
            attempts: ctx.rec.attempts,
            budget_warning: None,
        })
    }

    async fn answer_from_upstream(
        &self,
        ctx: &mut Ctx,
        message: Message,
        meta: ResponseMeta,
    ) -> Result<AiResponse> {
        let now = self.now();
        let tokens = TokenCounts::from_usage(&message.usage, ctx.route.prompt_cache_ttl);
        let cost = self.inner.table.cost_usd(&ctx.route.model, now, &tokens);
        ctx.rec.tokens = tokens;
        ctx.rec.cost_usd = cost;
        ctx.rec.served_from = Some(ServedFrom::Upstream);
        ctx.rec.outcome = "ok";
        if meta.request_id.is_some() {
            ctx.rec.request_id = meta.request_id.clone();
        }
        // The answer is complete: only now is it kept (a stream is never drained for it).
        let feature = ctx.route.feature;
        if cache::cacheable(&message) {
            ctx.after.cache_put = Some((
                ctx.route.cache_key.clone(),
                feature,
                message.clone(),
                now,
                millis(ctx.route.cache_ttl),
            ));
        }
        // The ledger row is written after the warning is computed: count this answer.
        ctx.after.warn = self.budget_warning_for(feature, cost);
        Ok(AiResponse {
            message,
            served_from: ServedFrom::Upstream,
            model: ctx.route.model.clone(),
            routing_reason: ctx.route.reason.clone(),
            ledger_id: 0,
            cost_usd: cost,
            attempts: ctx.rec.attempts,
            budget_warning: None,
        })
    }

    /// Circuit, rate limits, then attempts with retries.
    async fn upstream(
        &self,
        call: &mut Call<'_>,
        ctx: &mut Ctx,
        api_key: &str,
    ) -> std::result::Result<(Message, ResponseMeta), Failed> {
        let inner = &self.inner;
        let feature = call.req.feature;
        let admit = inner.breaker.admit(self.now(), call.is_job);
        if admit == Admit::Reject {
            return Err(Failed::Down(
                "Claude failed repeatedly, so Closer is pausing requests for a minute".into(),
            ));
        }
        let probe = admit == Admit::Probe;
        let local = async {
            inner
                .limiter
                .acquire(feature, call.is_job, &call.cancel)
                .await?;
            inner.limiter.upstream_hold(feature, &call.cancel).await
        };
        if let Err(e) = local.await {
            if probe {
                inner.breaker.release_probe();
            }
            return Err(Failed::Fatal(e));
        }

        let mut schedule = Schedule::new(&inner.cfg.retry);
        loop {
            ctx.rec.attempts += 1;
            let error = match self.attempt(call, ctx, api_key).await {
                Ok((message, meta)) => {
                    inner.breaker.success();
                    inner.limiter.observe(&meta.rate_limits);
                    return Ok((message, meta));
                }
                Err(AttemptError::Cancelled(usage)) => {
                    if probe {
                        inner.breaker.release_probe();
                    }
                    if let Some(u) = usage {
                        let tokens = TokenCounts::from_usage(&u, ctx.route.prompt_cache_ttl);
                        ctx.rec.cost_usd =
                            inner.table.cost_usd(&ctx.route.model, self.now(), &tokens);
                        ctx.rec.tokens = tokens;
                    }
                    return Err(Failed::Fatal(GatewayError::Cancelled));
                }
                Err(AttemptError::Claude(e)) => e,
            };
            if let Some(id) = error.request_id() {
                ctx.rec.request_id = Some(id.to_string());
            }
            if matches!(
                &error,
                ClaudeError::Api {
                    kind: ApiErrorKind::Authentication,
                    ..
                }
            ) {
                // The key was revoked or replaced outside the app: read it again next time.
                self.forget_api_key();
            }
            if error.is_upstream_failure() {
                inner.breaker.failure(self.now());
            } else if matches!(error, ClaudeError::Api { .. }) {
                // Claude answered (with a refusal): it is up.
                inner.breaker.success();
            } else if probe {
                inner.breaker.release_probe();
            }
            tracing::info!(
                feature = feature.as_str(),
                attempt = ctx.rec.attempts,
                error = %error,
                "Claude attempt failed"
            );
            if retry::is_spend_limit(&error) {
                return Err(Failed::Fatal(GatewayError::Upstream(error)));
            }
            match schedule.next(&error, ctx.shown) {
                Next::RetryAfter(delay) if !probe && inner.breaker.is_closed() => {
                    if let Err(e) = limits::sleep(delay, &call.cancel).await {
                        return Err(Failed::Fatal(e));
                    }
                }
                _ => {
                    return Err(if error.is_upstream_failure() {
                        Failed::Down(describe(&error, ctx.rec.attempts))
                    } else {
                        Failed::Fatal(match error {
                            ClaudeError::Decode(d) => GatewayError::InvalidReply(d),
                            other => GatewayError::Upstream(other),
                        })
                    });
                }
            }
        }
    }

    async fn attempt(
        &self,
        call: &mut Call<'_>,
        ctx: &mut Ctx,
        api_key: &str,
    ) -> std::result::Result<(Message, ResponseMeta), AttemptError> {
        let client = &self.inner.client;
        let cancel = &call.cancel;
        let Some(on_text) = call.on_text.as_deref_mut() else {
            return tokio::select! {
                _ = cancel.cancelled() => Err(AttemptError::Cancelled(None)),
                r = client.messages(api_key, &ctx.wire) => r
                    .map(|reply| (reply.value, reply.meta))
                    .map_err(AttemptError::Claude),
            };
        };
        let mut stream = tokio::select! {
            _ = cancel.cancelled() => return Err(AttemptError::Cancelled(None)),
            r = client.stream(api_key, &ctx.wire) => r.map_err(AttemptError::Claude)?,
        };
        let meta = stream.meta().clone();
        if meta.request_id.is_some() {
            ctx.rec.request_id = meta.request_id.clone();
        }
        let mut acc = MessageAccumulator::new();
        loop {
            let next = tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    let usage = acc.message().map(|m| m.usage.clone());
                    // Dropping the stream closes the connection: nothing more is read or billed.
                    drop(stream);
                    return Err(AttemptError::Cancelled(usage));
                }
                ev = stream.next() => ev,
            };
            match next {
                None => break,
                Some(Err(e)) => return Err(AttemptError::Claude(e)),
                Some(Ok(event)) => {
                    acc.push(&event).map_err(AttemptError::Claude)?;
                    if let StreamEvent::ContentBlockDelta {
                        delta: Delta::TextDelta { text },
                        ..
                    } = &event
                    {
                        if !text.is_empty() {
                            on_text(text);
                            ctx.shown = true;
                        }
                    }
                }
            }
        }
        acc.finish()
            .map(|m| (m, meta))
            .map_err(AttemptError::Claude)
    }

    /// Claude cannot answer: the response cache (fresh or stale), the secondary endpoint,
    /// the offline queue, else `Unavailable`.
    async fn fallback(
        &self,
        call: &mut Call<'_>,
        ctx: &mut Ctx,
        reason: String,
    ) -> Result<AiResponse> {
        ctx.rec.error = Some(reason.clone());
        if let Some(hit) = self.cache_lookup(&ctx.route.cache_key).await? {
            let from = if hit.expired {
                ServedFrom::StaleCache
            } else {
                ServedFrom::ResponseCache
            };
            return self.answer_from_cache(call, ctx, hit, from).await;
        }
        let mut reason = reason;
        if let Some(ep) = self.secondary() {
            let answer = tokio::select! {
                _ = call.cancel.cancelled() => return Err(GatewayError::Cancelled),
                a = secondary::complete(&self.inner.http, &ep, &ctx.wire) => a,
            };
            match answer {
                Ok(message) => {
                    if !ctx.shown {
                        if let Some(on_text) = call.on_text.as_deref_mut() {
                            replay(on_text, &message.text());
                        }
                    }
                    ctx.rec.served_from = Some(ServedFrom::Secondary);
                    ctx.rec.outcome = "fallback";
                    ctx.rec.model = ep.model.clone();
                    ctx.after.warn = self.budget_warning_for(call.req.feature, 0.0);
                    return Ok(AiResponse {
                        message,
                        served_from: ServedFrom::Secondary,
                        model: ctx.route.model.clone(),
                        routing_reason: ctx.route.reason.clone(),
                        ledger_id: 0,
                        cost_usd: 0.0,
                        attempts: ctx.rec.attempts,
                        budget_warning: None,
                    });
                }
                Err(why) => {
                    tracing::warn!(why, "secondary endpoint failed");
                    reason = format!("{reason}; {why}");
                    ctx.rec.error = Some(reason.clone());
                }
            }
        }
        if let Some(job) = call.req.queue.clone() {
            let req = call.req.clone();
            let now = self.now();
            let id = self.db(move |c| queue::insert(c, &job, &req, now)).await?;
            ctx.queued_job = Some(id);
            return Err(GatewayError::Queued { job_id: id });
        }
        Err(GatewayError::Unavailable { reason })
    }
}

/// Writes a `cancelled` row when a request's future is dropped before it finished, so
/// that even an abandoned request has its one ledger row.
struct AbandonGuard {
    armed: Option<(Arc<Inner>, Record, Instant)>,
}

impl AbandonGuard {
    fn disarm(mut self) {
        self.armed = None;
    }
}

impl Drop for AbandonGuard {
    fn drop(&mut self) {
        let Some((inner, mut rec, started)) = self.armed.take() else {
            return;
        };
        rec.outcome = "cancelled";
        rec.error = Some("the request was abandoned before it finished".into());
        rec.latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        if let Err(e) = inner.db.with(|c| ledger::insert(c, &rec)) {
            tracing::warn!(error = %e, "could not write the ledger row of an abandoned request");
        }
    }
}

/// Errors after which a queued job is given up (Claude will never accept it as is);
/// anything else leaves it pending for a later run.
fn is_final_for_job(e: &GatewayError) -> bool {
    match e {
        GatewayError::InvalidReply(_) => true,
        GatewayError::Upstream(ClaudeError::Api { status, .. }) => {
            matches!(status, 400 | 404 | 413)
        }
        GatewayError::Upstream(ClaudeError::Decode(_) | ClaudeError::Invalid(_)) => true,
        _ => false,
    }
}

/// A short reason for `Unavailable` and the ledger.
fn describe(e: &ClaudeError, attempts: u32) -> String {
    let what = match e {
        ClaudeError::Api { status, .. } => format!("Claude answered HTTP {status}"),
        ClaudeError::Stream { kind, .. } => format!("Claude's answer broke off ({kind:?})"),
        ClaudeError::Connect(_) => "Claude could not be reached".into(),
        ClaudeError::Timeout => "Claude did not answer in time".into(),
        ClaudeError::Transport(_) => "the connection to Claude broke".into(),
        ClaudeError::Decode(_) | ClaudeError::Invalid(_) => "Claude's answer was unreadable".into(),
    };
    match attempts {
        0 | 1 => what,
        n => format!("{what}, {n} attempts"),
    }
}

/// Passes `text` to `on_text` in small pieces, as a stream would.
fn replay(on_text: &mut (dyn FnMut(&str) + Send), text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(REPLAY_CHUNK);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        on_text(piece);
        rest = tail;
    }
}

/// The variable part of the prompt (the last user text), cut short and redacted.
fn excerpt(req: &AiRequest) -> String {
    let text = req
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .map(|m| {
            m.content
                .iter()
                .filter_map(|b| match b {
                    InputBlock::Text { text, .. } => Some(text.as_str()),
                    InputBlock::ToolResult { content, .. } => Some(content.as_str()),
                    InputBlock::ToolUse { .. } => None,
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = short.chars().take(160).collect();
    if short.chars().count() > 160 {
        cut.push('…');
    }
    redacted(&cut)
}

fn redacted(s: &str) -> String {
    closer_telemetry::redact(s).into_owned()
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core spawns these futures on tokio: they must be `Send`, the gateway `Send + Sync`.
    #[allow(dead_code)]
    fn futures_are_send(gw: &Gateway, on_text: &mut (dyn FnMut(&str) + Send)) {
        fn is_send<T: Send>(_: &T) {}
        fn is_send_sync<T: Send + Sync>(_: &T) {}
        is_send_sync(gw);
        let cancel = CancellationToken::new();
        is_send(&gw.send(AiRequest::new(crate::Feature::Summary, 1)));
        is_send(&gw.stream(AiRequest::new(crate::Feature::Summary, 1), on_text, &cancel));
        is_send(&gw.run_queue());
    }

    #[test]
    fn replay_cuts_on_char_boundaries() {
        let text = "é".repeat(100) + "end";
        let mut pieces = Vec::new();
        replay(&mut |s: &str| pieces.push(s.to_string()), &text);
        assert!(pieces.len() > 1);
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn excerpt_is_short_and_redacted() {
        let mut r = AiRequest::new(crate::Feature::Summary, 10);
        r.messages = vec![closer_claude::InputMessage::user_text(format!(
            "mail ann@example.com key sk-ant-api03-abcdefghijklmnop {}",
            "x ".repeat(200)
        ))];
        let e = excerpt(&r);
        assert!(!e.contains("ann@example.com"), "{e}");
        assert!(!e.contains("sk-ant-api03"), "{e}");
        assert!(e.chars().count() <= 200);
    }
}
