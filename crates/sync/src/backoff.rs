//! Exponential backoff for the sync loop: `base`, doubling up to `max`, with up to a
//! quarter of jitter so many desktops coming back online do not retry in step.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
    /// A small xorshift state for jitter (no need for a real RNG here).
    seed: u64,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15)
            | 1;
        Backoff {
            base,
            max: max.max(base),
            failures: 0,
            seed,
        }
    }

    /// The delay before the next attempt after one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        let raw = self.base.saturating_mul(1u32 << exp).min(self.max);
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let quarter = raw / 4;
        let jitter_ms = match u64::try_from(quarter.as_millis()) {
            Ok(0) | Err(_) => 0,
            Ok(q) => self.seed % (q + 1),
        };
        (raw - quarter + Duration::from_millis(jitter_ms)).min(self.max)
    }

    /// Back to `base` after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

impl Default for Backoff {
    /// 1 s doubling up to 5 minutes.
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(300))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_bounded_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let expected = [100u64, 200, 400, 800, 1000, 1000];
        for want in expected {
            let d = b.next_delay().as_millis() as u64;
            assert!(d <= want && d >= want - want / 4, "{d} vs {want}");
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
        assert_eq!(b.failures(), 1);
    }
}
