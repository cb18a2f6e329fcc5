//! What the response headers say (request id, rate limits, retry hints) and how an error
//! status plus its body becomes an [`Error::Api`].

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use serde::Serialize;

use crate::error::{ApiErrorKind, Error};
use crate::types::ErrorResponse;

/// A value with the metadata of the response that carried it.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    pub value: T,
    pub meta: ResponseMeta,
}

/// What the headers of a successful response said.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResponseMeta {
    pub status: u16,
    /// The `request-id` header: quote it when asking Anthropic about a request.
    pub request_id: Option<String>,
    pub rate_limits: RateLimits,
}

/// The `anthropic-ratelimit-*` headers; a limit is `None` when none of its headers came.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateLimits {
    pub requests: Option<Limit>,
    pub tokens: Option<Limit>,
    pub input_tokens: Option<Limit>,
    pub output_tokens: Option<Limit>,
}

/// `anthropic-ratelimit-<name>-{limit,remaining,reset}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Limit {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// When the limit is fully replenished, RFC 3339 as sent (not parsed).
    pub reset: Option<String>,
}

/// A header as trimmed, non-empty text.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn limit(headers: &HeaderMap, name: &str) -> Option<Limit> {
    let get = |part: &str| header(headers, &format!("anthropic-ratelimit-{name}-{part}"));
    let number = |part: &str| get(part).and_then(|v| v.parse::<u64>().ok());
    let l = Limit {
        limit: number("limit"),
        remaining: number("remaining"),
        reset: get("reset").map(str::to_string),
    };
    (l != Limit::default()).then_some(l)
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    header(headers, "request-id").map(str::to_string)
}

pub(crate) fn response_meta(status: u16, headers: &HeaderMap) -> ResponseMeta {
    ResponseMeta {
        status,
        request_id: request_id(headers),
        rate_limits: RateLimits {
            requests: limit(headers, "requests"),
            tokens: limit(headers, "tokens"),
            input_tokens: limit(headers, "input-tokens"),
            output_tokens: limit(headers, "output-tokens"),
        },
    }
}

/// `retry-after-ms`, else `retry-after` (seconds, possibly fractional, or an HTTP date;
/// a date in the past gives zero). Not clamped: the caller decides what it honours.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let seconds = |v: &str, scale: f64| {
        v.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .and_then(|n| Duration::try_from_secs_f64(n / scale).ok())
    };
    if let Some(d) = header(headers, "retry-after-ms").and_then(|v| seconds(v, 1000.0)) {
        return Some(d);
    }
    let v = header(headers, "retry-after")?;
    seconds(v, 1.0).or_else(|| {
        httpdate::parse_http_date(v)
            .ok()
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    })
}

/// `x-should-retry: true|false`; anything else counts as absent.
pub(crate) fn should_retry(headers: &HeaderMap) -> Option<bool> {
    match header(headers, "x-should-retry")?
        .to_ascii_lowercase()
        .as_str()
    {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// How much of a non-JSON body an error message keeps.
const EXCERPT_CHARS: usize = 200;

/// An error status with its headers and (possibly truncated) body as [`Error::Api`].
///
/// Anthropic's JSON gives the kind, message and `details.error_code`; anything else (a proxy's
/// HTML page, plain text, an empty body) gives the kind the status implies and a short
/// excerpt. The request id comes from the header, else from the body.
pub(crate) fn api_error(status: u16, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Error {
    let parsed = serde_json::from_slice::<ErrorResponse>(body).ok();
    let (kind, message, error_code, body_request_id) = match parsed {
        Some(r) => {
            let code = r
                .error
                .details
                .as_ref()
                .and_then(|d| d.get("error_code"))
                .and_then(|c| c.as_str())
                .map(str::to_string);
            let message = if r.error.message.is_empty() {
                status_text(status)
            } else {
                r.error.message
            };
            (
                ApiErrorKind::from_type(&r.error.kind),
                message,
                code,
                r.request_id,
            )
        }
        None => (
            ApiErrorKind::from_status(status),
            excerpt(body).unwrap_or_else(|| status_text(status)),
            None,
            None,
        ),
    };
    Error::Api {
        status,
        kind,
        message,
        request_id: request_id(headers).or(body_request_id),
        retry_after: retry_after(headers, now),
        should_retry: should_retry(headers),
        error_code,
    }
}

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// A short, single-line excerpt of a body that is not Anthropic's JSON: an HTML page's
/// `<title>` when it has one, else its text without tags; `None` when nothing is left.
pub(crate) fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let text = if text.starts_with('<') {
        html_title(text).unwrap_or_else(|| strip_tags(text))
    } else {
        text.to_string()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    Some(match collapsed.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    })
}

fn html_title(html: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so indices found in `lower` are valid in `html`.
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = html[start..end].trim();
    (!title.is_empty()).then(|| title.to_string())
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn retry_after_table() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").unwrap();
        type Headers<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Headers, Option<Duration>)] = &[
            (&[], None),
            (&[("retry-after", "7")], Some(Duration::from_secs(7))),
            (
                &[("retry-after", " 1.5 ")],
                Some(Duration::from_millis(1500)),
            ),
            (
                &[("retry-after-ms", "250")],
                Some(Duration::from_millis(250)),
            ),
            (
                &[("retry-after-ms", "250"), ("retry-after", "9")],
                Some(Duration::from_millis(250)),
            ),
            // A bad `retry-after-ms` falls back to `retry-after`.
            (
                &[("retry-after-ms", "soon"), ("retry-after", "9")],
                Some(Duration::from_secs(9)),
            ),
            (
                &[("retry-after", "Wed, 21 Oct 2026 07:28:30 GMT")],
                Some(Duration::from_secs(30)),
            ),
            (
                &[("retry-after", "Wed, 21 Oct 2026 07:00:00 GMT")],
                Some(Duration::ZERO),
            ),
            (&[("retry-after", "-3")], None),
            (&[("retry-after", "NaN")], None),
            (&[("retry-after", "tomorrow")], None),
            (&[("retry-after", "1e400")], None),
        ];
        for (pairs, want) in cases {
            assert_eq!(retry_after(&headers(pairs), now), *want, "{pairs:?}");
        }
    }

    #[test]
    fn should_retry_table() {
        for (v, want) in [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("false", Some(false)),
            ("maybe", None),
            ("", None),
        ] {
            assert_eq!(
                should_retry(&headers(&[("x-should-retry", v)])),
                want,
                "{v}"
            );
        }
        assert_eq!(should_retry(&HeaderMap::new()), None);
    }

    #[test]
    fn rate_limits_are_parsed_and_absent_ones_stay_none() {
        let h = headers(&[
            ("request-id", "req_1"),
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "49"),
            ("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:01Z"),
            (
                "anthropic-ratelimit-output-tokens-remaining",
                "not a number",
            ),
            (
                "anthropic-ratelimit-output-tokens-reset",
                "2026-01-01T00:00:02Z",
            ),
        ]);
        let meta = response_meta(200, &h);
        assert_eq!(meta.request_id.as_deref(), Some("req_1"));
        assert_eq!(
            meta.rate_limits.requests,
            Some(Limit {
                limit: Some(50),
                remaining: Some(49),
                reset: Some("2026-01-01T00:00:01Z".into()),
            })
        );
        assert_eq!(meta.rate_limits.tokens, None);
        assert_eq!(meta.rate_limits.input_tokens, None);
        assert_eq!(
            meta.rate_limits.output_tokens,
            Some(Limit {
                limit: None,
                remaining: None,
                reset: Some("2026-01-01T00:00:02Z".into()),
            })
        );
    }

    #[test]
    fn excerpt_table() {
        let long = "x".repeat(500);
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("   \n ", None),
            ("upstream connect error", Some("upstream connect error")),
            (
                "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
                Some("502 Bad Gateway"),
            ),
            (
                "<HTML><BODY><h1>Service\n  Unavailable</h1><p>try later</p></BODY></HTML>",
                Some("Service Unavailable try later"),
            ),
        ];
        for (body, want) in cases {
            assert_eq!(excerpt(body.as_bytes()).as_deref(), *want, "{body:?}");
        }
        let cut = excerpt(long.as_bytes()).unwrap();
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        // Multi-byte characters are never cut in half.
        let cut = excerpt("é".repeat(300).as_bytes()).unwrap();
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn api_error_prefers_the_header_request_id_and_reads_details() {
        let body = br#"{"type":"error","error":{"type":"rate_limit_error","message":"Spend limit","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_body"}"#;
        let now = SystemTime::UNIX_EPOCH;
        let e = api_error(429, &headers(&[("request-id", "req_head")]), body, now);
        match &e {
            Error::Api {
                kind,
                request_id,
                error_code,
                ..
            } => {
                assert_eq!(*kind, ApiErrorKind::RateLimit);
                assert_eq!(request_id.as_deref(), Some("req_head"));
                assert_eq!(error_code.as_deref(), Some("enforced_spend_limit_reached"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!e.is_retryable());
        let e = api_error(429, &HeaderMap::new(), body, now);
        assert_eq!(e.request_id(), Some("req_body"));
    }

    #[test]
    fn api_error_without_a_body_names_the_status() {
        let e = api_error(503, &HeaderMap::new(), b"", SystemTime::UNIX_EPOCH);
        match e {
            Error::Api { kind, message, .. } => {
                assert_eq!(kind, ApiErrorKind::Api);
                assert_eq!(message, "HTTP 503 Service Unavailable");
            }
            other => panic!("{other:?}"),
        }
    }
}
