//! Anthropic's wire shapes as the fake writes them: ids, headers, error bodies, the message
//! object and the SSE events, with keys in the order the real API sends them (see the
//! recorded fixtures in `tests/fixtures/`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::synth::J;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// splitmix64: a good, tiny mixer for ids and seeds.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `len` base62 characters drawn from `seed` (deterministic).
pub(crate) fn base62(seed: u64, len: usize) -> String {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = mix(state);
            char::from(BASE62[(state % 62) as usize])
        })
        .collect()
}

/// `req_` + 24 base62 characters, like `req_011CSHoEeqs5C35K2UUqR7Fy`.
pub(crate) fn request_id(seq: u64) -> String {
    format!("req_011C{}", base62(seq ^ 0x5245_5155_4553_5400, 20))
}

/// `msg_01` + 22 base62 characters.
pub(crate) fn message_id(seq: u64) -> String {
    format!("msg_01{}", base62(seq ^ 0x4d45_5353_4147_4500, 22))
}

/// `toolu_01` + 22 base62 characters.
pub(crate) fn tool_use_id(seq: u64) -> String {
    format!("toolu_01{}", base62(seq ^ 0x544f_4f4c_5500, 22))
}

/// `2026-03-12T18:12:21Z` (RFC 3339, UTC, whole seconds).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// An error the fake answers with: status, Anthropic's error type and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            kind: "invalid_request_error",
            message: message.into(),
        }
    }

    /// The error the real API gives for this status, with its usual message.
    pub(crate) fn for_status(status: u16) -> ApiError {
        let (kind, message) = match status {
            400 => ("invalid_request_error", "Invalid request."),
            401 => ("authentication_error", "invalid x-api-key"),
            402 => (
                "billing_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
            ),
            403 => (
                "permission_error",
                "Your API key does not have permission to use the specified resource.",
            ),
            404 => ("not_found_error", "The requested resource could not be found."),
            413 => ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            429 => (
                "rate_limit_error",
                "This request would exceed the rate limit for your organization of 4,000 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.",
            ),
            500 => ("api_error", "Internal server error"),
            504 => ("timeout_error", "Request timed out"),
            529 => ("overloaded_error", "Overloaded"),
            s if s >= 500 => ("api_error", "Internal server error"),
            _ => ("invalid_request_error", "Invalid request."),
        };
        ApiError {
            status,
            kind,
            message: message.to_string(),
        }
    }
}

/// Serialise a value we built ourselves (it has no non-string keys, so this cannot fail;
/// should it, the client still gets a well-formed error).
pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        format!(r#"{{"type":"error","error":{{"type":"api_error","message":"fake: {e}"}}}}"#)
    })
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    error: ErrorInner<'a>,
    request_id: &'a str,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
}

/// `{"type":"error","error":{"type":..,"message":..},"request_id":"req_.."}`
pub(crate) fn error_body(err: &ApiError, request_id: &str) -> String {
    to_json(&ErrorEnvelope {
        kind: "error",
        error: ErrorInner {
            kind: err.kind,
            message: &err.message,
        },
        request_id,
    })
}

/// What the rate-limit headers of one response are computed from.
pub(crate) struct Meta<'a> {
    pub(crate) request_id: &'a str,
    pub(crate) input_tokens: u64,
    pub(crate) max_tokens: u64,
    /// `Some(seconds)` on a 429.
    pub(crate) retry_after: Option<u64>,
    pub(crate) rate_limited: bool,
}

const REQUESTS_LIMIT: u64 = 4_000;
const INPUT_LIMIT: u64 = 2_000_000;
const OUTPUT_LIMIT: u64 = 400_000;

/// `request-id`, the `anthropic-ratelimit-*` family, `content-type` and, on a 429,
/// `retry-after`.
pub(crate) fn headers(meta: &Meta<'_>, content_type: &'static str) -> HeaderMap {
    let now = SystemTime::now();
    let wait = Duration::from_secs(meta.retry_after.unwrap_or(1).max(1));
    let reset = rfc3339(now.checked_add(wait).unwrap_or(now));
    let (req_left, in_left, out_left) = if meta.rate_limited {
        (0, 0, 0)
    } else {
        (
            REQUESTS_LIMIT - 1,
            INPUT_LIMIT.saturating_sub(meta.input_tokens),
            // The real API rounds the output estimate to the nearest thousand.
            OUTPUT_LIMIT.saturating_sub(meta.max_tokens.div_ceil(1000) * 1000),
        )
    };
    let mut h = HeaderMap::new();
    let mut put = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(HeaderName::from_static(name), v);
        }
    };
    put("content-type", content_type.to_string());
    put("request-id", meta.request_id.to_string());
    put(
        "anthropic-ratelimit-requests-limit",
        REQUESTS_LIMIT.to_string(),
    );
    put(
        "anthropic-ratelimit-requests-remaining",
        req_left.to_string(),
    );
    put("anthropic-ratelimit-requests-reset", reset.clone());
    put(
        "anthropic-ratelimit-tokens-limit",
        (INPUT_LIMIT + OUTPUT_LIMIT).to_string(),
    );
    put(
        "anthropic-ratelimit-tokens-remaining",
        (in_left + out_left).to_string(),
    );
    put("anthropic-ratelimit-tokens-reset", reset.clone());
    put(
        "anthropic-ratelimit-input-tokens-limit",
        INPUT_LIMIT.to_string(),
    );
    put(
        "anthropic-ratelimit-input-tokens-remaining",
        in_left.to_string(),
    );
    put("anthropic-ratelimit-input-tokens-reset", reset.clone());
    put(
        "anthropic-ratelimit-output-tokens-limit",
        OUTPUT_LIMIT.to_string(),
    );
    put(
        "anthropic-ratelimit-output-tokens-remaining",
        out_left.to_string(),
    );
    put("anthropic-ratelimit-output-tokens-reset", reset);
    if let Some(secs) = meta.retry_after {
        put("retry-after", secs.to_string());
    }
    h
}

pub(crate) const JSON: &str = "application/json";
pub(crate) const EVENT_STREAM: &str = "text/event-stream; charset=utf-8";

// ---- The message object -------------------------------------------------------------

/// `usage` of a message (and of `message_start`).
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Usage {
    pub(crate) input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) cache_creation: CacheCreation,
    pub(crate) output_tokens: u64,
    pub(crate) service_tier: &'static str,
    pub(crate) inference_geo: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct CacheCreation {
    pub(crate) ephemeral_5m_input_tokens: u64,
    pub(crate) ephemeral_1h_input_tokens: u64,
}

/// `usage` of `message_delta`: running totals.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct DeltaUsage {
    pub(crate) input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) output_tokens: u64,
}

impl Usage {
    pub(crate) fn delta(&self) -> DeltaUsage {
        DeltaUsage {
            input_tokens: self.input_tokens,
            cache_creation_input_tokens: self.cache_creation_input_tokens,
            cache_read_input_tokens: self.cache_read_input_tokens,
            output_tokens: self.output_tokens,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: J,
        caller: Caller,
    },
}

#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Caller {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

pub(crate) const DIRECT: Caller = Caller { kind: "direct" };

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Message<'a> {
    pub(crate) model: &'a str,
    pub(crate) id: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) role: &'static str,
    pub(crate) content: Vec<Block>,
    pub(crate) stop_reason: Option<&'static str>,
    pub(crate) stop_sequence: Option<String>,
    pub(crate) usage: Usage,
}

// ---- SSE events -----------------------------------------------------------------------

#[derive(Serialize)]
struct MessageStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'a Message<'a>,
}

#[derive(Serialize)]
struct BlockStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
    content_block: &'a Block,
}

#[derive(Serialize)]
struct BlockDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
    delta: Delta<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Delta<'a> {
    TextDelta { text: &'a str },
    InputJsonDelta { partial_json: &'a str },
}

#[derive(Serialize)]
struct BlockStop {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
}

#[derive(Serialize)]
struct MessageDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    delta: StopInfo<'a>,
    usage: DeltaUsage,
}

#[derive(Serialize)]
struct StopInfo<'a> {
    stop_reason: Option<&'a str>,
    stop_sequence: Option<&'a str>,
}

#[derive(Serialize)]
struct TypeOnly {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `event: NAME\ndata: JSON\n\n`, with `pad` spaces before the JSON's closing brace (the
/// real API pads its events so that their lengths do not reveal the tokens).
pub(crate) fn frame(event: &str, json: &str, pad: usize) -> Bytes {
    let mut out = String::with_capacity(json.len() + event.len() + pad + 16);
    out.push_str("event: ");
    out.push_str(event);
    out.push_str("\ndata: ");
    match json.strip_suffix('}') {
        Some(head) if pad > 0 => {
            out.push_str(head);
            out.extend(std::iter::repeat_n(' ', pad));
            out.push('}');
        }
        _ => out.push_str(json),
    }
    out.push_str("\n\n");
    Bytes::from(out)
}

pub(crate) fn message_start(message: &Message<'_>) -> String {
    to_json(&MessageStart {
        kind: "message_start",
        message,
    })
}

pub(crate) fn block_start(index: usize, block: &Block) -> String {
    to_json(&BlockStart {
        kind: "content_block_start",
        index,
        content_block: block,
    })
}

pub(crate) fn block_delta(index: usize, delta: Delta<'_>) -> String {
    to_json(&BlockDelta {
        kind: "content_block_delta",
        index,
        delta,
    })
}

pub(crate) fn block_stop(index: usize) -> String {
    to_json(&BlockStop {
        kind: "content_block_stop",
        index,
    })
}

pub(crate) fn message_delta(
    stop_reason: &str,
    stop_sequence: Option<&str>,
    usage: DeltaUsage,
) -> String {
    to_json(&MessageDelta {
        kind: "message_delta",
        delta: StopInfo {
            stop_reason: Some(stop_reason),
            stop_sequence,
        },
        usage,
    })
}

pub(crate) fn message_stop() -> String {
    to_json(&TypeOnly {
        kind: "message_stop",
    })
}

/// The real API writes its ping with a space after the colon, and never pads it.
pub(crate) const PING: &str = r#"{"type": "ping"}"#;

// ---- Ordered JSON -------------------------------------------------------------------

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Int(i) => s.serialize_i64(*i),
            J::Num(n) => s.serialize_f64(*n),
            J::Str(v) => s.serialize_str(v),
            J::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_773_339_141);
        assert_eq!(rfc3339(t), "2026-03-12T18:12:21Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn ids_have_the_real_lengths() {
        assert_eq!(request_id(7).len(), "req_011CSHoEeqs5C35K2UUqR7Fy".len());
        assert_eq!(message_id(7).len(), "msg_01R8GdyyLQUhUfyjqSCMbnWg".len());
        assert_eq!(tool_use_id(7).len(), "toolu_01VjQqYBbz8DKsb5e7D3PPfY".len());
        assert_ne!(request_id(1), request_id(2));
    }

    #[test]
    fn frame_pads_inside_the_object() {
        let f = frame("message_stop", r#"{"type":"message_stop"}"#, 3);
        assert_eq!(
            &f[..],
            b"event: message_stop\ndata: {\"type\":\"message_stop\"   }\n\n"
        );
    }
}
