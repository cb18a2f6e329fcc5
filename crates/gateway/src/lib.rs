//! The local AI gateway. Every request to Claude goes through [`Gateway`].
//!
//! What it does, per logical request: picks the model from one table (`models.toml`:
//! tiers, prices with effective dates, per-feature TTLs, rates and output caps), places
//! the prompt-cache breakpoints (at most 4), answers from its SQLite response cache,
//! checks the monthly budgets and the per-feature rate limit, retries what the official
//! SDKs retry, counts failures in a circuit breaker, falls back (cache, stale cache, an
//! optional OpenAI-compatible endpoint, the offline queue), and writes exactly one ledger
//! row with tokens, cost and outcome.
//!
//! What it deliberately does not know: the features' prompts and output schemas
//! (`closer-ai`), the workspace database, where the API key is kept (a [`KeySource`]), the
//! UI. It owns its own SQLite file (`ai.sqlite3`), separate from the workspace.
//!
//! Entry points: [`Gateway::open`], then [`Gateway::send`] / [`Gateway::stream`]; the core
//! calls [`Gateway::run_queue`] when connectivity comes back, applies
//! [`Gateway::completed_jobs`] and acknowledges each with [`Gateway::ack_job`].
//!
//! ## For the core
//! - Construct once: `Gateway::open(GatewayConfig::new(data_dir.join("ai.sqlite3"),
//!   "https://api.anthropic.com"), keys)` (the directory must exist; `open` is synchronous:
//!   it migrates the file, so call it where blocking is fine). `keys` is asked once per
//!   request that needs Claude, on the blocking pool. Clone the `Gateway` freely.
//! - `send` / `stream` / `run_queue` are async and `Send`. The other methods touch SQLite
//!   synchronously (milliseconds): call them from `spawn_blocking`.
//! - On reconnect: `run_queue()`, then `completed_jobs()`, apply each, `ack_job(id)`. Also
//!   call `completed_jobs()` at startup: results reached just before a quit are kept. If
//!   the circuit is open, `run_queue` sends its first job as the probe at once.
//! - `GatewayError::Queued { job_id }` is not a failure to show as such: the work is saved.
//!   Every error's `Display` is a sentence for the rep.
//!
//! ## Decisions
//! - The circuit breaker counts failed *attempts*, not requests (see `breaker.rs`).
//! - A queued request keeps one ledger row: `queued` when saved, completed in place (tokens,
//!   cost, `ok`) when `run_queue` runs it; its `ts` becomes the time the cost was incurred.
//! - Response-cache TTLs are per feature in `models.toml` (lead_score 24 h, proposal and
//!   proposal_polish 1 h, query_understanding and search_rerank 5 min, summary 6 h,
//!   battle_card_refresh 24 h, deal_analysis 1 h, call_analysis 24 h); expired answers are
//!   kept 30 days to be served as stale while Claude is down.
//! - Budgets and months are UTC calendar months.

mod breaker;
mod budget;
mod cache;
mod config;
mod db;
mod error;
mod gateway;
mod ledger;
mod limits;
mod models;
mod prompt;
mod queue;
mod request;
mod retry;
mod secondary;
mod usage;

pub use closer_types::{
    AiBudgets as Budgets, AiLedgerEntry, BudgetState, BudgetStatus, CircuitState, CircuitStatus,
    FeatureBudget, QueueItem, QueueStatus, SecondaryEndpoint, UsageReport,
};
pub use config::{
    BreakerPolicy, Clock, FeatureRate, FixedKey, GatewayConfig, KeySource, ManualClock,
    RateLimitPolicy, RetryPolicy, SystemClock,
};
pub use error::{feature_label, GatewayError, Result};
pub use gateway::Gateway;
pub use models::{FeaturePolicy, ModelSpec, ModelTable, Multipliers, Price, TokenCounts};
pub use prompt::{cache_key, count_breakpoints, estimate_tokens, RoutingDecision, MAX_BREAKPOINTS};
pub use queue::{CompletedJob, QueueRun};
pub use request::*;
