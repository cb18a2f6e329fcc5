//! What is retried and how long to wait, following the official SDKs:
//! - `x-should-retry` wins when present; otherwise 408, 409, 429, every 5xx (529 included),
//!   connection errors and timeouts are retried; other 4xx fail fast;
//! - a 429 with `enforced_spend_limit_reached` is never retried (the rep must act);
//! - a stream that fails mid-way (an `event: error` or a broken connection) is retried only
//!   if no text was passed on yet: a retry would show the rep a second, different answer;
//! - the wait is `retry-after-ms` / `retry-after` when the server sent one (up to
//!   `max_retry_after`; a longer one is not waited for, the request fails over), else
//!   backon's exponential schedule: `base · 2^n` plus up to 100 % jitter, capped at
//!   `max_delay`; at most `max_retries` retries.
//!
//! backon supplies the schedule (an iterator of delays); the loop is ours (`gateway.rs`)
//! because each attempt borrows the stream's `on_text` callback mutably, must check the
//! circuit breaker and must stop at once on cancellation.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use closer_claude::Error as ClaudeError;

use crate::config::RetryPolicy;

/// The delays between attempts, for one logical request.
pub(crate) struct Schedule {
    delays: backon::ExponentialBackoff,
    policy: RetryPolicy,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    RetryAfter(Duration),
    /// Do not retry; the failure stands.
    GiveUp,
}

impl Schedule {
    pub fn new(policy: &RetryPolicy) -> Self {
        let delays = ExponentialBuilder::default()
            .with_min_delay(policy.base_delay)
            .with_max_delay(policy.max_delay)
            .with_factor(2.0)
            .with_max_times(policy.max_retries as usize)
            .with_jitter()
            .build();
        Schedule {
            delays,
            policy: policy.clone(),
        }
    }

    /// After `error` (with `shown`: whether text already reached the rep), retry or not,
    /// and after how long.
    pub fn next(&mut self, error: &ClaudeError, shown: bool) -> Next {
        if !should_retry(error, shown) {
            return Next::GiveUp;
        }
        let Some(backoff) = self.delays.next() else {
            return Next::GiveUp;
        };
        match error.retry_after() {
            Some(d) if d > self.policy.max_retry_after => Next::GiveUp,
            Some(d) => Next::RetryAfter(d),
            // backon's jitter adds up to 100 %: keep the cap a cap.
            None => Next::RetryAfter(backoff.min(self.policy.max_delay)),
        }
    }
}

/// Whether a failed attempt may be repeated.
pub(crate) fn should_retry(error: &ClaudeError, shown: bool) -> bool {
    if shown {
        return false;
    }
    match error {
        // The SDK does not retry mid-stream errors because output may have been shown; we
        // know it was not, and an overloaded / api / timeout stream error is transient.
        ClaudeError::Stream { .. } => error.is_upstream_failure(),
        _ => error.is_retryable(),
    }
}

/// A 429 that only the rep can fix.
pub(crate) fn is_spend_limit(error: &ClaudeError) -> bool {
    matches!(error, ClaudeError::Api { error_code: Some(c), .. } if c == "enforced_spend_limit_reached")
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_claude::ApiErrorKind;

    fn api(
        status: u16,
        retry_after: Option<u64>,
        should: Option<bool>,
        code: Option<&str>,
    ) -> ClaudeError {
        ClaudeError::Api {
            status,
            kind: ApiErrorKind::from_status(status),
            message: String::new(),
            request_id: None,
            retry_after: retry_after.map(Duration::from_secs),
            should_retry: should,
            error_code: code.map(str::to_string),
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }

    #[test]
    fn what_is_retried() {
        let table: &[(ClaudeError, bool, bool)] = &[
            (api(400, None, None, None), false, false),
            (api(401, None, None, None), false, false),
            (api(403, None, None, None), false, false),
            (api(404, None, None, None), false, false),
            (api(413, None, None, None), false, false),
            (api(408, None, None, None), false, true),
            (api(409, None, None, None), false, true),
            (api(429, None, None, None), false, true),
            (api(500, None, None, None), false, true),
            (api(529, None, None, None), false, true),
            (api(500, None, Some(false), None), false, false),
            (api(400, None, Some(true), None), false, true),
            (
                api(429, None, Some(true), Some("enforced_spend_limit_reached")),
                false,
                false,
            ),
            (ClaudeError::Connect("refused".into()), false, true),
            (ClaudeError::Timeout, false, true),
            (ClaudeError::Transport("reset".into()), false, true),
            (ClaudeError::Transport("reset".into()), true, false),
            (
                ClaudeError::Stream {
                    kind: ApiErrorKind::Overloaded,
                    message: String::new(),
                    request_id: None,
                },
                false,
                true,
            ),
            (
                ClaudeError::Stream {
                    kind: ApiErrorKind::Overloaded,
                    message: String::new(),
                    request_id: None,
                },
                true,
                false,
            ),
            (ClaudeError::Decode("x".into()), false, false),
        ];
        for (e, shown, want) in table {
            assert_eq!(should_retry(e, *shown), *want, "{e:?} shown={shown}");
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_stops_after_three() {
        let mut p = policy();
        p.max_retries = 6;
        let mut s = Schedule::new(&p);
        let e = api(500, None, None, None);
        let mut delays = Vec::new();
        while let Next::RetryAfter(d) = s.next(&e, false) {
            delays.push(d);
        }
        assert_eq!(delays.len(), 6);
        let bases = [500u64, 1000, 2000, 4000, 8000, 8000];
        for (d, base) in delays.iter().zip(bases) {
            let ms = d.as_millis() as u64;
            assert!(
                ms >= base && ms <= (2 * base).min(8000),
                "{ms} for base {base}"
            );
        }
        let mut s = Schedule::new(&policy());
        let n = std::iter::from_fn(|| match s.next(&e, false) {
            Next::RetryAfter(d) => Some(d),
            Next::GiveUp => None,
        })
        .count();
        assert_eq!(n, 3);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_bound() {
        let mut s = Schedule::new(&policy());
        assert_eq!(
            s.next(&api(429, Some(7), None, None), false),
            Next::RetryAfter(Duration::from_secs(7))
        );
        assert_eq!(s.next(&api(429, Some(61), None, None), false), Next::GiveUp);
    }
}
