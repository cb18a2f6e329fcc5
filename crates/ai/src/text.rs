//! Small text and date helpers shared by the prompt builders, the checks and the offline
//! features.

use std::sync::OnceLock;

use closer_types::Millis;
use regex::Regex;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` (UTC) of a timestamp.
pub(crate) fn iso_date(ms: Millis) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of a `YYYY-MM-DD` date, `None` if it is not one.
pub(crate) fn parse_iso_date(s: &str) -> Option<i64> {
    if !closer_types::is_iso_date(s) {
        return None;
    }
    let y = s.get(0..4)?.parse::<i64>().ok()?;
    let m = s.get(5..7)?.parse::<u32>().ok()?;
    let d = s.get(8..10)?.parse::<u32>().ok()?;
    // Reject 2026-02-31 and the like: the date must survive a round trip.
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// At most `max` characters, with `…` when something was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => {
            let mut out = s[..i].trim_end().to_string();
            out.push('…');
            out
        }
    }
}

/// Whitespace (newlines included) collapsed to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("a literal pattern")
    })
}

fn phone_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // International numbers (+44 20 7946 0958) and North-American ones ((415) 555-0134,
    // 415-555-0134, 415.555.0134). Dates, amounts and percentages do not match.
    RE.get_or_init(|| {
        Regex::new(r"\+\d[\d ().-]{7,}\d|\(\d{3}\)\s?\d{3}[ .-]\d{4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b")
            .expect("a literal pattern")
    })
}

/// Free text with email addresses and phone numbers masked: contacts' details are not
/// needed by any feature, so they are not sent (names and titles are).
pub(crate) fn scrub(s: &str) -> String {
    let s = email_re().replace_all(s, "[email]");
    phone_re().replace_all(&s, "[phone]").into_owned()
}

/// Whole days from `from` to `to` (floored; negative if `to` is earlier).
pub(crate) fn days_between(from: Millis, to: Millis) -> i64 {
    (to - from).div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for (s, days) in [
            ("1970-01-01", 0),
            ("2000-02-29", 11_016),
            ("2026-11-22", 20_779),
        ] {
            assert_eq!(parse_iso_date(s), Some(days), "{s}");
            assert_eq!(iso_date(days * DAY_MS + 5), s);
        }
        assert_eq!(parse_iso_date("2026-02-31"), None);
        assert_eq!(parse_iso_date("2026-1-01"), None);
    }

    #[test]
    fn scrub_masks_contacts_but_not_numbers() {
        let cases = [
            ("mail ann.lee@acme.com now", "mail [email] now"),
            ("call +44 20 7946 0958.", "call [phone]."),
            (
                "call (415) 555-0134 or 415-555-0134",
                "call [phone] or [phone]",
            ),
            (
                "close 2026-03-31, $250,000, 14% off, 3 seats",
                "close 2026-03-31, $250,000, 14% off, 3 seats",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(scrub(input), want, "{input}");
        }
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("héllo", 10), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
    }
}
