//! How a gateway is set up: where its database lives, where Claude is, how it retries,
//! when the breaker opens, how fast each feature may go, and what time it is.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::Feature;

/// Where the Claude API key comes from. The core passes the OS keyring; tests a fixed key.
/// Asked once per logical request, so a key changed in Settings applies to the next one.
pub trait KeySource: Send + Sync {
    fn api_key(&self) -> Option<String>;
}

/// A fixed key (tests, the benchmark).
pub struct FixedKey(pub String);

impl KeySource for FixedKey {
    fn api_key(&self) -> Option<String> {
        Some(self.0.clone())
    }
}

impl std::fmt::Debug for FixedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FixedKey(..)")
    }
}

/// Wall-clock time in milliseconds since the Unix epoch. Injected so tests can expire
/// cache entries, open the breaker's half-open window and cross month boundaries.
pub trait Clock: Send + Sync {
    fn now_millis(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        closer_types::now_millis()
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(millis: i64) -> Self {
        ManualClock(AtomicI64::new(millis))
    }
    pub fn advance(&self, d: Duration) {
        self.0.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }
    pub fn set(&self, millis: i64) {
        self.0.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Retries of one logical request (the official SDKs' rules, see `retry.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` attempts).
    pub max_retries: u32,
    /// First backoff; doubles per retry, plus up to 100 % jitter, capped at `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `retry-after` longer than this is not waited for: the request fails over instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// The circuit breaker. It counts failed upstream *attempts* (a request retried three
/// times and failing is four failures), so that a dead upstream is detected after about
/// three requests instead of ten requests' worth of backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerPolicy {
    /// Consecutive failed attempts that open the circuit.
    pub failure_threshold: u32,
    /// How long it stays open before one probe request is let through.
    pub open_for: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        BreakerPolicy {
            failure_threshold: 10,
            open_for: Duration::from_secs(60),
        }
    }
}

/// A feature's local token bucket of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureRate {
    pub per_minute: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitPolicy {
    /// Overrides of the per-feature rates in `models.toml`.
    pub per_feature: HashMap<Feature, FeatureRate>,
    /// How long a request waits for its feature's bucket before failing with `RateLimited`.
    pub max_wait: Duration,
    /// How long new requests are held when Claude's last answer said a quota (requests or
    /// tokens) is used up until its reset; a longer reset fails with `RateLimited`.
    pub max_upstream_hold: Duration,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        RateLimitPolicy {
            per_feature: HashMap::new(),
            max_wait: Duration::from_secs(2),
            max_upstream_hold: Duration::from_secs(10),
        }
    }
}

#[derive(Clone)]
pub struct GatewayConfig {
    /// The gateway's own SQLite file (e.g. `<data dir>/ai.sqlite3`), apart from the workspace.
    pub db_path: PathBuf,
    /// `https://api.anthropic.com` in production; the fake's URL in tests.
    pub base_url: String,
    pub connect_timeout: Duration,
    /// Whole-request timeout (a long stream must finish within it).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub breaker: BreakerPolicy,
    pub rate_limits: RateLimitPolicy,
    /// How long expired response-cache entries are kept to be served stale while Claude is down.
    pub stale_retention: Duration,
    /// Timeouts of the secondary (OpenAI-compatible) endpoint.
    pub secondary_timeout: Duration,
    pub clock: Arc<dyn Clock>,
}

impl GatewayConfig {
    pub fn new(db_path: impl Into<PathBuf>, base_url: impl Into<String>) -> Self {
        GatewayConfig {
            db_path: db_path.into(),
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(600),
            retry: RetryPolicy::default(),
            breaker: BreakerPolicy::default(),
            rate_limits: RateLimitPolicy::default(),
            stale_retention: Duration::from_secs(30 * 24 * 3600),
            secondary_timeout: Duration::from_secs(120),
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("db_path", &self.db_path)
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("breaker", &self.breaker)
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}
