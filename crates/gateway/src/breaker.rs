//! The circuit breaker. It counts consecutive failed upstream **attempts** (retries
//! included): after `failure_threshold` of them it opens, and requests are answered from
//! the cache, the secondary endpoint or the queue without waiting on Claude. After
//! `open_for`, one request (the probe) goes through with a single attempt: success closes
//! the circuit, failure re-opens it for another `open_for`.
//!
//! An answer that proves Claude is up even though the request was refused (400, 401 ...)
//! counts as a success; local problems (a reply we cannot decode) count as nothing.

use std::sync::Mutex;

use closer_types::{CircuitState, CircuitStatus};

use crate::config::BreakerPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Closed: go ahead, with retries.
    Closed,
    /// This request is the half-open probe: one attempt.
    Probe,
    /// Open: do not call Claude.
    Reject,
}

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    opened_at: Option<i64>,
    /// When the probe in flight started (a probe whose future was dropped expires after
    /// `open_for`, so the circuit cannot stay stuck).
    probe_since: Option<i64>,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    policy: BreakerPolicy,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(policy: BreakerPolicy) -> Self {
        Breaker {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open_ms(&self) -> i64 {
        i64::try_from(self.policy.open_for.as_millis()).unwrap_or(i64::MAX)
    }

    /// May a request call Claude now? `force` makes an open circuit admit a probe at
    /// once (the core saw connectivity come back and runs the queue).
    pub fn admit(&self, now: i64, force: bool) -> Admit {
        let open_ms = self.open_ms();
        let mut s = self.lock();
        let Some(opened_at) = s.opened_at else {
            return Admit::Closed;
        };
        let probe_busy = s
            .probe_since
            .is_some_and(|t| now.saturating_sub(t) < open_ms.max(1));
        if probe_busy {
            return Admit::Reject;
        }
        if force || now.saturating_sub(opened_at) >= open_ms {
            s.probe_since = Some(now);
            Admit::Probe
        } else {
            Admit::Reject
        }
    }

    /// Whether a retry may be made (the circuit did not open meanwhile).
    pub fn is_closed(&self) -> bool {
        self.lock().opened_at.is_none()
    }

    pub fn success(&self) {
        let mut s = self.lock();
        if s.opened_at.is_some() {
            tracing::info!("circuit closed: Claude answered the probe");
        }
        *s = State::default();
    }

    pub fn failure(&self, now: i64) {
        let mut s = self.lock();
        s.consecutive_failures = s.consecutive_failures.saturating_add(1);
        if s.probe_since.take().is_some() || s.opened_at.is_some() {
            // A failed probe (or a straggler of a request admitted before it opened):
            // open for another period.
            s.opened_at = Some(now);
        } else if s.consecutive_failures >= self.policy.failure_threshold {
            tracing::warn!(
                failures = s.consecutive_failures,
                "circuit opened: Claude keeps failing"
            );
            s.opened_at = Some(now);
        }
    }

    /// The probe did not reach Claude (rate limited locally, cancelled): let another try.
    pub fn release_probe(&self) {
        self.lock().probe_since = None;
    }

    pub fn snapshot(&self, now: i64) -> CircuitState {
        let s = self.lock();
        let status = match s.opened_at {
            None => CircuitStatus::Closed,
            Some(_) if s.probe_since.is_some() => CircuitStatus::HalfOpen,
            Some(t) if now.saturating_sub(t) >= self.open_ms() => CircuitStatus::HalfOpen,
            Some(_) => CircuitStatus::Open,
        };
        CircuitState {
            status,
            opened_at: s.opened_at,
            consecutive_failures: s.consecutive_failures,
        }
    }

    #[cfg(test)]
    pub fn open_for(&self) -> std::time::Duration {
        self.policy.open_for
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn breaker() -> Breaker {
        Breaker::new(BreakerPolicy {
            failure_threshold: 3,
            open_for: Duration::from_secs(60),
        })
    }

    #[test]
    fn opens_after_threshold_and_probes_after_the_wait() {
        let b = breaker();
        let open = b.open_for().as_millis() as i64;
        for _ in 0..2 {
            b.failure(1_000);
        }
        assert_eq!(b.admit(1_000, false), Admit::Closed);
        b.failure(1_000);
        assert_eq!(b.snapshot(1_000).status, CircuitStatus::Open);
        assert_eq!(b.admit(1_000 + open - 1, false), Admit::Reject);
        assert_eq!(b.admit(1_000 + open, false), Admit::Probe);
        // Only one probe at a time.
        assert_eq!(b.admit(1_000 + open, false), Admit::Reject);
        assert_eq!(b.snapshot(1_000 + open).status, CircuitStatus::HalfOpen);
        // The probe fails: open again from now.
        b.failure(1_000 + open);
        assert_eq!(b.admit(1_000 + open + 1, false), Admit::Reject);
        assert_eq!(b.admit(1_000 + 2 * open, false), Admit::Probe);
        b.success();
        assert_eq!(b.snapshot(0).status, CircuitStatus::Closed);
        assert_eq!(b.snapshot(0).consecutive_failures, 0);
    }

    #[test]
    fn success_resets_the_count_and_force_probes() {
        let b = breaker();
        b.failure(0);
        b.failure(0);
        b.success();
        b.failure(0);
        b.failure(0);
        assert!(b.is_closed());
        b.failure(0);
        assert!(!b.is_closed());
        assert_eq!(b.admit(1, true), Admit::Probe);
        b.release_probe();
        assert_eq!(b.admit(2, true), Admit::Probe);
    }
}
