//! Helpers shared by the test modules: an HTTP client with Anthropic's headers, an SSE
//! parser that checks the framing strictly, JSON key paths, and a small JSON Schema checker.

use std::collections::{BTreeMap, BTreeSet};

use closer_claude_fake::FakeAnthropic;
use serde_json::{json, Value};

pub const KEY: &str = "sk-ant-api03-test-key-0001";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("client")
}

/// POST `body` to `path` with a valid key and `anthropic-version`.
pub async fn post(fake: &FakeAnthropic, path: &str, body: &Value) -> reqwest::Response {
    post_with(
        &client(),
        &fake.url(),
        path,
        &[("x-api-key", KEY), ("anthropic-version", "2023-06-01")],
        body,
    )
    .await
}

pub async fn post_with(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> reqwest::Response {
    try_post(client, base, path, headers, body)
        .await
        .expect("send")
}

pub async fn try_post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    let mut req = client
        .post(format!("{base}{path}"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(body.to_string()).send().await
}

/// POST to `/v1/messages` and return status, headers and body JSON (non-streamed).
pub async fn message(
    fake: &FakeAnthropic,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = post(fake, "/v1/messages", body).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, headers, json)
}

/// POST a streamed request and return the raw SSE text.
pub async fn stream_text(fake: &FakeAnthropic, body: &Value) -> String {
    let resp = post(fake, "/v1/messages", body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "text/event-stream; charset=utf-8"
    );
    resp.text().await.expect("stream body")
}

pub fn body(prompt: &str) -> Value {
    json!({
        "model": "claude-haiku-4-5",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": prompt}]
    })
}

pub fn streamed(mut v: Value) -> Value {
    v["stream"] = json!(true);
    v
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub event: String,
    pub data: String,
    pub json: Value,
}

/// Parse an SSE body, asserting Anthropic's framing: blocks separated by a blank line,
/// each exactly `event: NAME` then `data: JSON`, LF line ends, a final blank line.
pub fn parse_sse(text: &str) -> Vec<Sse> {
    assert!(!text.contains('\r'), "CR in stream");
    assert!(
        text.ends_with("\n\n"),
        "stream does not end with a blank line"
    );
    text.trim_end_matches('\n')
        .split("\n\n")
        .map(|block| {
            let lines: Vec<&str> = block.split('\n').collect();
            assert_eq!(lines.len(), 2, "block is not event+data: {block:?}");
            let event = lines[0]
                .strip_prefix("event: ")
                .unwrap_or_else(|| panic!("no event line: {block:?}"));
            let data = lines[1]
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("no data line: {block:?}"));
            let json: Value = serde_json::from_str(data)
                .unwrap_or_else(|e| panic!("data not JSON ({e}): {data}"));
            assert_eq!(json["type"], event, "event name and data type differ");
            Sse {
                event: event.to_string(),
                data: data.to_string(),
                json,
            }
        })
        .collect()
}

/// Event names with each run of `content_block_delta` collapsed into one.
pub fn event_sequence(events: &[Sse]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if e.event == "content_block_delta"
            && out.last().map(String::as_str) == Some("content_block_delta")
        {
            continue;
        }
        out.push(e.event.clone());
    }
    out
}

/// Every key path of a JSON value (`message.usage.input_tokens`, `content[].type` ...).
pub fn key_paths(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

fn walk(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                walk(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Key paths per kind of event (`content_block_delta/text_delta`, `content_block_start/tool_use` ...).
pub fn keys_by_kind(events: &[Sse]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in events {
        let sub = e.json["delta"]["type"]
            .as_str()
            .or(e.json["content_block"]["type"].as_str())
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        out.entry(format!("{}{sub}", e.event))
            .or_default()
            .extend(key_paths(&e.json));
    }
    out
}

/// The concatenated text or partial JSON of block 0.
pub fn deltas(events: &[Sse]) -> String {
    events
        .iter()
        .filter(|e| e.event == "content_block_delta")
        .map(|e| {
            e.json["delta"]["text"]
                .as_str()
                .or(e.json["delta"]["partial_json"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// A small JSON Schema checker (the keywords the fake claims to honour).
pub fn validate(v: &Value, schema: &Value, root: &Value, path: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(&r[1..])
            .ok_or_else(|| format!("{path}: bad $ref {r}"))?;
        return validate(v, target, root, path);
    }
    if let Some(c) = schema.get("const") {
        if v != c {
            return Err(format!("{path}: {v} != const {c}"));
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        if !options.contains(v) {
            return Err(format!("{path}: {v} not in enum"));
        }
    }
    if let Some(Value::Array(alts)) = schema.get("anyOf") {
        if !alts.iter().any(|a| validate(v, a, root, path).is_ok()) {
            return Err(format!("{path}: matches no anyOf branch"));
        }
    }
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let obj = v
                .as_object()
                .ok_or_else(|| format!("{path}: not an object"))?;
            let props = schema.get("properties").and_then(Value::as_object);
            for r in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap_or_default();
                if !obj.contains_key(r) {
                    return Err(format!("{path}: missing required {r}"));
                }
            }
            for (k, child) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => validate(child, s, root, &format!("{path}.{k}"))?,
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        return Err(format!("{path}: unexpected property {k}"))
                    }
                    None => {}
                }
            }
        }
        Some("array") => {
            let items = v
                .as_array()
                .ok_or_else(|| format!("{path}: not an array"))?;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if (items.len() as u64) < min {
                    return Err(format!("{path}: fewer than {min} items"));
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if items.len() as u64 > max {
                    return Err(format!("{path}: more than {max} items"));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item, item_schema, root, &format!("{path}[{i}]"))?;
                }
            }
        }
        Some("string") => {
            let s = v.as_str().ok_or_else(|| format!("{path}: not a string"))?;
            let len = s.chars().count() as u64;
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                if len < min {
                    return Err(format!("{path}: shorter than {min}"));
                }
            }
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                if len > max {
                    return Err(format!("{path}: longer than {max}"));
                }
            }
            if schema.get("format").and_then(Value::as_str) == Some("email") && !s.contains('@') {
                return Err(format!("{path}: not an email"));
            }
        }
        Some(t @ ("integer" | "number")) => {
            let x = v.as_f64().ok_or_else(|| format!("{path}: not a number"))?;
            if t == "integer" && !(v.is_i64() || v.is_u64()) {
                return Err(format!("{path}: not an integer"));
            }
            if num("minimum").is_some_and(|m| x < m) || num("maximum").is_some_and(|m| x > m) {
                return Err(format!("{path}: {x} out of bounds"));
            }
            if num("exclusiveMinimum").is_some_and(|m| x <= m)
                || num("exclusiveMaximum").is_some_and(|m| x >= m)
            {
                return Err(format!("{path}: {x} out of exclusive bounds"));
            }
        }
        Some("boolean") if !v.is_boolean() => return Err(format!("{path}: not a boolean")),
        _ => {}
    }
    Ok(())
}
