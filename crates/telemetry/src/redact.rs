//! Masks secrets and personal data in text before it reaches a log sink.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// One masking rule: a pattern and what its matches become.
struct Rule {
    re: Regex,
    /// The replacement of one match (`None`: keep it), given the whole text to look around.
    apply: fn(&str, &Captures<'_>) -> Option<String>,
}

fn rule(pattern: &str, apply: fn(&str, &Captures<'_>) -> Option<String>) -> Option<Rule> {
    // The patterns are constants checked by the tests; a bad one is skipped rather than
    // panicking in a logger.
    Regex::new(pattern).ok().map(|re| Rule { re, apply })
}

fn whole(kind: &'static str) -> String {
    format!("[REDACTED:{kind}]")
}

/// Secret-looking key names in `key=value`, `key: value`, `"key":"value"` (also JSON
/// escaped inside JSON: `\"key\":\"value\"`) and query strings. A key may carry a prefix
/// ending in `_` or `-` (`session_token`, `X-Api-Key`).
const SECRET_KEYS: &str = r"(?:x-api-key|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|password|passwd|pwd|secret|client[_-]?secret|secret[_-]?access[_-]?key|access[_-]?key|private[_-]?key|session[_-]?key)";

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let kv = format!(
        r#"(?i)(?P<key>\b(?:[A-Za-z0-9]+[_-])*{SECRET_KEYS}(?:\\?["'])?\s*[:=]\s*)(?:(?P<dq>\\?"(?:\\")?)(?P<dqv>[^"\\]*)|(?P<sq>')(?P<sqv>[^'\\]*)|(?P<v>[^\s"'\\&,;}}\]\[]+))"#
    );
    [
        rule(&kv, |_, c| {
            let key = c.name("key").map_or("", |m| m.as_str());
            let open = c
                .name("dq")
                .or_else(|| c.name("sq"))
                .map_or("", |m| m.as_str());
            let value = c
                .name("dqv")
                .or_else(|| c.name("sqv"))
                .or_else(|| c.name("v"))
                .map_or("", |m| m.as_str());
            if value.is_empty() || value.starts_with("[REDACTED") {
                None
            } else {
                Some(format!("{key}{open}[REDACTED:secret]"))
            }
        }),
        rule(r"\bsk-ant-[A-Za-z0-9_\-]{8,}", |_, _| {
            Some(whole("api_key"))
        }),
        rule(r"\b(?:sk|pk|rk)[-_][A-Za-z0-9_\-]{16,}", |_, _| {
            Some(whole("api_key"))
        }),
        rule(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*", |_, c| {
            Some(format!(
                "{} [REDACTED:token]",
                c.get(1).map_or("Bearer", |m| m.as_str())
            ))
        }),
        rule(
            r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*",
            |_, _| Some(whole("jwt")),
        ),
        rule(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", |_, _| {
            Some(whole("aws_key"))
        }),
        rule(
            r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b",
            |h, c| keep_or(h, c, "iban", iban_valid),
        ),
        rule(
            r"\b(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})\b",
            |h, c| keep_or(h, c, "card", card_like),
        ),
        rule(
            r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
            |_, _| Some(whole("email")),
        ),
        rule(
            r"\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?\d{1,4}(?:[\s.\-]?\d{2,4}){1,5}\b",
            |h, c| keep_or(h, c, "phone", |s| phone_like(s, 8, 15)),
        ),
        rule(
            r"(?:\(\d{3}\)\s?\d{3}[\s.\-]\d{4}|\b\d{3}[.\- ]\d{3}[.\- ]\d{4})\b",
            |h, c| keep_or(h, c, "phone", |s| phone_like(s, 10, 10)),
        ),
        rule(r"\b0\d{1,4}(?:[ .\-/]\d{2,8}){1,4}\b", |h, c| {
            keep_or(h, c, "phone", |s| phone_like(s, 9, 13))
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// `[REDACTED:kind]` when `test` accepts the match and it is not glued to a larger token
/// (a UUID, a dotted or dashed id), else `None` (keep the text).
fn keep_or(
    hay: &str,
    c: &Captures<'_>,
    kind: &'static str,
    test: fn(&str) -> bool,
) -> Option<String> {
    let m = c.get(0)?;
    let before = hay[..m.start()].chars().rev().take(2).collect::<Vec<_>>();
    let after = hay[m.end()..].chars().take(2).collect::<Vec<_>>();
    let joiner = |v: &[char]| {
        matches!(v.first(), Some('-' | '.' | '_' | '/' | ':'))
            && v.get(1).is_some_and(|c| c.is_ascii_alphanumeric())
    };
    if joiner(&before) || joiner(&after) || !test(m.as_str()) {
        None
    } else {
        Some(whole(kind))
    }
}

/// 13-19 digits, a known card network's first digit, Luhn-valid.
fn card_like(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    if !matches!(digits.first(), Some(2..=6)) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

static DATE_LIKE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}(?:\D|$)").ok());
static IPV4_LIKE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(?:\.\d{1,3}){3}$").ok());

fn phone_like(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().filter(char::is_ascii_digit).count();
    if !(min..=max).contains(&n) {
        return false;
    }
    let bare = s.trim_start_matches('+');
    let date = DATE_LIKE.as_ref().is_some_and(|r| r.is_match(bare)) && !s.starts_with('+');
    let ip = IPV4_LIKE.as_ref().is_some_and(|r| r.is_match(s));
    !date && !ip
}

fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Masks secrets and personal data: API keys (`sk-ant-...`, other `sk-`/`pk-` keys),
/// `Bearer` tokens, secret-named values (`x-api-key`, `api_key`, `token`, `password`,
/// `secret`, `refresh_token` ...) in headers, JSON and query strings, JWTs, AWS access key
/// ids, IBANs (checksum-valid), payment card numbers (Luhn-valid), email addresses and phone
/// numbers. Each becomes `[REDACTED:kind]`. Borrows when nothing needed masking.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for r in RULES.iter() {
        if let Some(s) = apply(r, &out) {
            out = Cow::Owned(s);
        }
    }
    out
}

/// `Some(new text)` when the rule replaced something.
fn apply(r: &Rule, text: &str) -> Option<String> {
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    for c in r.re.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        if let Some(rep) = (r.apply)(text, &c) {
            out.push_str(&text[last..m.start()]);
            out.push_str(&rep);
            last = m.end();
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// How many masking rules compiled (all of them, unless a pattern is broken).
#[cfg(test)]
pub(crate) fn rule_count() -> usize {
    RULES.len()
}
