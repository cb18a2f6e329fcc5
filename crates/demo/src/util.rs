//! Small deterministic helpers: the seeded RNG, ids, time and calendar arithmetic.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The one source of randomness of a generator. Each part of the workspace draws from
/// its own stream so that changing one part does not reshuffle the others.
pub struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Gen { rng }
    }

    /// A UUIDv7-shaped id whose timestamp is `at` and whose other bits come from the RNG.
    pub fn id(&mut self, at: i64) -> String {
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &bytes)
            .into_uuid()
            .to_string()
    }

    /// Uniform in `lo..=hi` (returns `lo` when the range is empty).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..=hi)
        }
    }

    pub fn usize(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..=hi)
        }
    }

    pub fn float(&mut self) -> f64 {
        self.rng.gen::<f64>()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.float() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.usize(0, items.len().saturating_sub(1));
        &items[i]
    }

    /// Index chosen with the given weights (all-zero weights pick the first).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.rng.gen_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// `k` distinct items, in random order.
    pub fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        items
            .choose_multiple(&mut self.rng, k.min(items.len()))
            .cloned()
            .collect()
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        items.shuffle(&mut self.rng);
    }

    /// Log-uniform between `lo` and `hi`.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let (a, b) = (lo.max(1e-9).ln(), hi.max(1e-9).ln());
        (a + (b - a) * self.float()).exp()
    }

    /// A time between `lo` and `hi` (inclusive), in ms.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.int(lo, hi)
    }
}

/// `(year, month, day)` of a count of days since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a timestamp in ms (UTC).
pub fn iso_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar year of a timestamp in ms (UTC).
pub fn year_of(ms: i64) -> i64 {
    civil_from_days(ms.div_euclid(DAY)).0
}

/// Whole dollars in cents.
pub const fn usd(dollars: i64) -> i64 {
    dollars * 100
}

/// `$123,456` from cents.
pub use closer_types::whole_dollars as dollars;

/// Lower-case ASCII letters and digits only ("O'Brien & Sons" -> "obriensons").
pub fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Replaces `{key}` placeholders in one pass; unknown keys (and `{{...}}`) are left as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(iso_date(951_782_400_000), "2000-02-29");
        assert_eq!(iso_date(1_767_225_600_000), "2026-01-01");
        assert_eq!(iso_date(-DAY), "1969-12-31");
    }

    #[test]
    fn fills_placeholders() {
        let vars = [("a", "x"), ("bb", "yy")];
        assert_eq!(fill("{a}-{bb}-{c}-{{a}}", &vars), "x-yy-{c}-{x}");
        assert_eq!(
            fill("Hi {{first_name}}, {a}", &vars),
            "Hi {{first_name}}, x"
        );
        assert_eq!(fill("{", &vars), "{");
    }

    #[test]
    fn money() {
        assert_eq!(dollars(usd(1_234_567)), "$1,234,567");
        assert_eq!(dollars(usd(99)), "$99");
        assert_eq!(dollars(usd(100_000)), "$100,000");
    }
}
