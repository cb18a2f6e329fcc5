//! What the AI usage screen shows: spend by feature and day, cache hit rates, latency,
//! budgets, the circuit breaker and the offline queue. Filled by `closer-gateway` from its
//! ledger; plain data here.
//!
//! Money in this module is in US dollars as `f64` (the ledger prices fractions of a cent;
//! the screen rounds), unlike the domain's `amount_cents`.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

/// The spend limits a rep sets in Settings → AI. `None`/absent means no limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type, Default)]
pub struct AiBudgets {
    /// All features together, per calendar month (UTC).
    #[specta(type = Option<Number>)]
    pub monthly_usd: Option<f64>,
    /// Per feature, per calendar month (UTC).
    pub per_feature: Vec<FeatureBudget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct FeatureBudget {
    /// The feature's snake_case name (`lead_score`, `proposal` ...).
    pub feature: String,
    #[specta(type = Number)]
    pub limit_usd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    Ok,
    /// 80 % or more spent.
    Warning,
    /// 100 % spent: requests of this scope are refused until the month ends.
    Exceeded,
}

/// One budget and how much of it this month has used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct BudgetStatus {
    /// `monthly` or a feature's snake_case name.
    pub scope: String,
    #[specta(type = Number)]
    pub spent_usd: f64,
    #[specta(type = Number)]
    pub limit_usd: f64,
    /// Spent / limit × 100.
    #[specta(type = Number)]
    pub percent: f64,
    pub state: BudgetState,
}

/// An optional OpenAI-compatible endpoint (e.g. a local Ollama) used when Claude is down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SecondaryEndpoint {
    /// Base URL; the gateway posts to `{url}/v1/chat/completions`.
    pub url: String,
    pub model: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CircuitStatus {
    /// Requests go to Claude.
    Closed,
    /// Claude failed too often: answers come from the cache, the secondary endpoint or the queue.
    Open,
    /// The wait is over: the next request probes Claude.
    HalfOpen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct CircuitState {
    pub status: CircuitStatus,
    /// When it last opened (ms since the epoch).
    #[specta(type = Option<Number>)]
    pub opened_at: Option<i64>,
    pub consecutive_failures: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    Pending,
    Running,
    Done,
    Failed,
}

/// Work waiting in (or finished by) the offline queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct QueueItem {
    #[specta(type = Number)]
    pub id: i64,
    pub kind: String,
    pub feature: String,
    pub status: QueueStatus,
    #[specta(type = Number)]
    pub created_at: i64,
    #[specta(type = Number)]
    pub updated_at: i64,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// Spend of one feature on one day (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct FeatureDayCost {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub feature: String,
    #[specta(type = Number)]
    pub cost_usd: f64,
}

/// Totals of one feature (or of all, `feature = "all"`) over the report's period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct FeatureUsage {
    pub feature: String,
    /// Logical requests (one ledger row each, whatever served them).
    #[specta(type = Number)]
    pub requests: u64,
    /// Requests answered from the response cache (fresh or stale).
    #[specta(type = Number)]
    pub cache_hits: u64,
    #[specta(type = Number)]
    pub input_tokens: u64,
    #[specta(type = Number)]
    pub output_tokens: u64,
    #[specta(type = Number)]
    pub cache_creation_tokens: u64,
    #[specta(type = Number)]
    pub cache_read_tokens: u64,
    #[specta(type = Number)]
    pub cost_usd: f64,
}

/// One ledger row as the usage screen shows it. The prompt excerpt is redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AiLedgerEntry {
    #[specta(type = Number)]
    pub id: i64,
    #[specta(type = Number)]
    pub ts: i64,
    pub feature: String,
    pub model: String,
    pub routing_reason: String,
    #[specta(type = Number)]
    pub est_input_tokens: u64,
    #[specta(type = Number)]
    pub input_tokens: u64,
    #[specta(type = Number)]
    pub output_tokens: u64,
    #[specta(type = Number)]
    pub cache_creation_tokens: u64,
    #[specta(type = Number)]
    pub cache_read_tokens: u64,
    #[specta(type = Number)]
    pub cost_usd: f64,
    #[specta(type = Number)]
    pub latency_ms: i64,
    /// `none`, `response` or `stale`.
    pub cache_layer: String,
    /// `upstream`, `response_cache`, `stale_cache`, `secondary`, or absent when nothing answered.
    pub served_from: Option<String>,
    pub attempts: u32,
    pub retries: u32,
    /// `ok`, `stale`, `fallback`, `queued`, `error`, `cancelled`, `budget` or `rate_limited`.
    pub outcome: String,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub prompt_excerpt: String,
}

/// Everything the AI usage screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct UsageReport {
    /// Start of the period (ms since the epoch).
    #[specta(type = Number)]
    pub since: i64,
    pub cost_by_feature_day: Vec<FeatureDayCost>,
    /// One entry per feature that had requests, by cost, highest first.
    pub features: Vec<FeatureUsage>,
    /// All features together.
    pub total: FeatureUsage,
    /// Share of requests answered from the response cache (fresh or stale), 0 to 1.
    #[specta(type = Number)]
    pub response_cache_hit_rate: f64,
    /// Prompt-cache reads over all input tokens sent upstream, 0 to 1.
    #[specta(type = Number)]
    pub prompt_cache_hit_rate: f64,
    /// Latency of requests answered by Claude itself (not caches or fallbacks).
    #[specta(type = Option<Number>)]
    pub latency_p50_ms: Option<i64>,
    #[specta(type = Option<Number>)]
    pub latency_p95_ms: Option<i64>,
    pub budgets: Vec<BudgetStatus>,
    pub circuit: CircuitState,
    pub queue: Vec<QueueItem>,
    /// The last 50 requests, newest first.
    pub recent: Vec<AiLedgerEntry>,
}
