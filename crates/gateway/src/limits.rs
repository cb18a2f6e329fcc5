//! Rate limits. Locally, one GCRA token bucket of requests per feature (`governor`), sized
//! by `models.toml`: a request waits for its bucket up to `max_wait` (2 s by default; a
//! queued job up to a minute), then fails with `RateLimited`. Upstream, the `anthropic-ratelimit-*` headers of the last answer: when it
//! says a quota (requests, tokens, input or output tokens) has 0 remaining, new requests are
//! held until its reset, at most `max_upstream_hold`; a later reset fails at once with
//! `RateLimited`. (`retry-after` on 429s is handled by the retry loop.)

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use closer_claude::RateLimits;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio_util::sync::CancellationToken;

use crate::config::RateLimitPolicy;
use crate::error::{GatewayError, Result};
use crate::models::ModelTable;
use crate::Feature;

pub(crate) struct Limiter {
    /// In `Feature::ALL` order.
    buckets: Vec<DefaultDirectRateLimiter>,
    max_wait: Duration,
    max_hold: Duration,
    /// Until when Claude said a quota is used up (wall-clock time of its `reset`).
    hold_until: Mutex<Option<SystemTime>>,
}

/// How long a queued job waits for its feature's bucket: `run_queue` drains a backlog at
/// the feature's rate instead of stopping at the burst.
pub(crate) const PATIENT_WAIT: Duration = Duration::from_secs(60);

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limiter {
    pub fn new(table: &ModelTable, policy: &RateLimitPolicy) -> Limiter {
        let buckets = Feature::ALL
            .into_iter()
            .map(|f| {
                let p = table.feature(f);
                let (per_minute, burst) = match policy.per_feature.get(&f) {
                    Some(r) => (r.per_minute, r.burst),
                    None => (p.per_minute, p.burst),
                };
                RateLimiter::direct(Quota::per_minute(nz(per_minute)).allow_burst(nz(burst)))
            })
            .collect();
        Limiter {
            buckets,
            max_wait: policy.max_wait,
            max_hold: policy.max_upstream_hold,
            hold_until: Mutex::new(None),
        }
    }

    /// Takes one request from `feature`'s bucket, waiting up to `max_wait` (a queued job,
    /// which nobody is watching, waits up to [`PATIENT_WAIT`]).
    pub async fn acquire(
        &self,
        feature: Feature,
        patient: bool,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let Some(bucket) = self.buckets.get(feature as usize) else {
            return Ok(());
        };
        let clock = DefaultClock::default();
        let max_wait = if patient {
            self.max_wait.max(PATIENT_WAIT)
        } else {
            self.max_wait
        };
        let deadline = tokio::time::Instant::now() + max_wait;
        loop {
            let wait = match bucket.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => not_until.wait_time_from(clock.now()),
            };
            let now = tokio::time::Instant::now();
            if now + wait > deadline {
                return Err(GatewayError::RateLimited {
                    feature,
                    retry_after_ms: millis(wait),
                });
            }
            sleep(wait, cancel).await?;
        }
    }

    /// Remembers what the last answer said about Claude's quotas.
    pub fn observe(&self, limits: &RateLimits) {
        let until = exhausted_until(limits);
        let mut hold = self.hold_until.lock().unwrap_or_else(|p| p.into_inner());
        *hold = until;
    }

    /// Waits while Claude's quota is used up (bounded), else fails with `RateLimited`.
    pub async fn upstream_hold(&self, feature: Feature, cancel: &CancellationToken) -> Result<()> {
        let until = *self.hold_until.lock().unwrap_or_else(|p| p.into_inner());
        let Some(until) = until else { return Ok(()) };
        let Ok(wait) = until.duration_since(SystemTime::now()) else {
            return Ok(());
        };
        if wait > self.max_hold {
            return Err(GatewayError::RateLimited {
                feature,
                retry_after_ms: millis(wait),
            });
        }
        tracing::info!(
            wait_ms = millis(wait),
            "holding: Claude's quota is used up until its reset"
        );
        sleep(wait, cancel).await
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Sleeps, or returns `Cancelled` as soon as `cancel` fires.
pub(crate) async fn sleep(d: Duration, cancel: &CancellationToken) -> Result<()> {
    tokio::select! {
        _ = cancel.cancelled() => Err(GatewayError::Cancelled),
        _ = tokio::time::sleep(d) => Ok(()),
    }
}

/// The latest reset among quotas with 0 remaining, if any.
pub(crate) fn exhausted_until(limits: &RateLimits) -> Option<SystemTime> {
    [
        &limits.requests,
        &limits.tokens,
        &limits.input_tokens,
        &limits.output_tokens,
    ]
    .into_iter()
    .flatten()
    .filter(|l| l.remaining == Some(0))
    .filter_map(|l| l.reset.as_deref())
    .filter_map(|r| chrono::DateTime::parse_from_rfc3339(r).ok())
    .map(SystemTime::from)
    .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_claude::Limit;

    fn limit(remaining: u64, reset: &str) -> Option<Limit> {
        Some(Limit {
            limit: Some(50),
            remaining: Some(remaining),
            reset: Some(reset.into()),
        })
    }

    #[test]
    fn exhausted_quota_holds_until_its_reset() {
        let none = RateLimits {
            requests: limit(3, "2026-01-01T00:00:10Z"),
            ..RateLimits::default()
        };
        assert_eq!(exhausted_until(&none), None);
        let l = RateLimits {
            requests: limit(0, "2026-01-01T00:00:10Z"),
            tokens: limit(0, "2026-01-01T00:00:30Z"),
            input_tokens: limit(5, "2026-01-01T00:01:00Z"),
            output_tokens: limit(0, "not a date"),
        };
        let want: SystemTime = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:30Z")
            .unwrap()
            .into();
        assert_eq!(exhausted_until(&l), Some(want));
    }

    #[tokio::test]
    async fn bucket_waits_briefly_then_refuses() {
        let table = ModelTable::builtin().unwrap();
        let mut policy = RateLimitPolicy {
            max_wait: Duration::from_millis(50),
            ..RateLimitPolicy::default()
        };
        policy.per_feature.insert(
            Feature::Summary,
            crate::config::FeatureRate {
                per_minute: 1,
                burst: 1,
            },
        );
        let l = Limiter::new(&table, &policy);
        let cancel = CancellationToken::new();
        l.acquire(Feature::Summary, false, &cancel).await.unwrap();
        match l.acquire(Feature::Summary, false, &cancel).await {
            Err(GatewayError::RateLimited {
                feature,
                retry_after_ms,
            }) => {
                assert_eq!(feature, Feature::Summary);
                assert!(retry_after_ms > 50_000, "{retry_after_ms}");
            }
            other => panic!("{other:?}"),
        }
        // Other features have their own buckets.
        l.acquire(Feature::LeadScore, false, &cancel).await.unwrap();
    }

    #[tokio::test]
    async fn upstream_hold_past_the_bound_refuses() {
        let table = ModelTable::builtin().unwrap();
        let l = Limiter::new(&table, &RateLimitPolicy::default());
        let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
        l.observe(&RateLimits {
            requests: limit(0, &in_an_hour.to_rfc3339()),
            ..RateLimits::default()
        });
        let cancel = CancellationToken::new();
        assert!(matches!(
            l.upstream_hold(Feature::Proposal, &cancel).await,
            Err(GatewayError::RateLimited { .. })
        ));
        let soon = chrono::Utc::now() + chrono::Duration::milliseconds(100);
        l.observe(&RateLimits {
            tokens: limit(0, &soon.to_rfc3339()),
            ..RateLimits::default()
        });
        let t = std::time::Instant::now();
        l.upstream_hold(Feature::Proposal, &cancel).await.unwrap();
        assert!(t.elapsed() >= Duration::from_millis(50));
    }
}
