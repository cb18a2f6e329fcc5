//! `POST /v1/messages` and `POST /v1/messages/count_tokens`: header checks, validation with
//! the real API's messages, scripted steps, usage with prompt caching, and the plain or
//! streamed answer.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::server::ConnKill;
use crate::state::Shared;
use crate::synth::{self, Rng, Synth, Writer, J};
use crate::usage::{tokens_for_chars, InputUsage, Prompt};
use crate::wire::{self, ApiError, Block, Delta, Meta};
use crate::{RecordedRequest, Step};

/// The Messages API's request size limit.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Only the most recent requests are kept (a benchmark run must not grow without bound).
pub(crate) const MAX_RECORDS: usize = 10_000;

pub(crate) async fn messages(
    State(shared): State<Arc<Shared>>,
    kill: Option<Extension<ConnKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = parse(&body);
    let step = shared
        .with(|s| {
            push_record(
                &mut s.records,
                record("/v1/messages", &headers, &parsed, &body),
            );
            s.messages_count += 1;
            s.script.pop_front()
        })
        .unwrap_or(Step::Ok);
    let rid = wire::request_id(shared.next_seq());
    first_byte_delay(&shared).await;
    match &step {
        Step::ConnectionReset => return drop_connection(kill).await,
        Step::Status {
            status,
            retry_after,
        } => return error_response(&rid, &ApiError::for_status(*status), *retry_after),
        _ => {}
    }
    let req = match check(&shared, &headers, body.len(), &parsed, true) {
        Ok(req) => req,
        Err(e) => return error_response(&rid, &e, None),
    };
    if step == Step::MidStreamError && !req.stream {
        return error_response(&rid, &ApiError::for_status(529), None);
    }
    if let Step::SlowFirstByte(wait) = step {
        tokio::time::sleep(wait).await;
    }
    let input = shared.with(|s| {
        let now = shared.cache_now(s);
        s.cache
            .apply(&req.prompt, now, shared.opts.min_cacheable_tokens)
    });
    let mut rng = Rng::for_body(req.obj);
    let outcome = answer(&shared, &req, &step, &mut rng);
    let usage = usage(input, outcome.output_tokens);
    let msg_id = wire::message_id(shared.next_seq());
    let message = wire::Message {
        model: req.model,
        id: &msg_id,
        kind: "message",
        role: "assistant",
        content: vec![outcome.block.clone()],
        stop_reason: Some(outcome.stop_reason),
        stop_sequence: outcome.stop_sequence.clone(),
        usage,
    };
    let meta = Meta {
        request_id: &rid,
        input_tokens: req.prompt.total_tokens(),
        max_tokens: req.max_tokens,
        retry_after: None,
        rate_limited: false,
    };
    let cut = step == Step::CutMidBody;
    if !req.stream {
        let json = wire::to_json(&message);
        let body = if cut {
            let half = json.len() / 2;
            let head = Bytes::copy_from_slice(&json.as_bytes()[..half]);
            stream_body(vec![head], true, Duration::ZERO)
        } else {
            Body::from(json)
        };
        return respond(StatusCode::OK, wire::headers(&meta, wire::JSON), body);
    }
    let mut events = sse_events(&shared, &message, &outcome, &mut rng);
    let tail_error = match step {
        Step::MidStreamError => {
            events.keep_first_deltas(2);
            let err = wire::error_body(&ApiError::for_status(529), &rid);
            let pad = pad(&shared, &mut rng);
            events.frames.push(wire::frame("error", &err, pad));
            false
        }
        Step::CutMidBody => {
            events.keep_first_deltas(2);
            true
        }
        _ => false,
    };
    let body = stream_body(events.frames, tail_error, shared.opts.chunk_delay);
    respond(
        StatusCode::OK,
        wire::headers(&meta, wire::EVENT_STREAM),
        body,
    )
}

pub(crate) async fn count_tokens(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = parse(&body);
    shared.with(|s| {
        push_record(
            &mut s.records,
            record("/v1/messages/count_tokens", &headers, &parsed, &body),
        )
    });
    let rid = wire::request_id(shared.next_seq());
    first_byte_delay(&shared).await;
    match check(&shared, &headers, body.len(), &parsed, false) {
        Ok(req) => {
            let total = req.prompt.total_tokens();
            let meta = Meta {
                request_id: &rid,
                input_tokens: total,
                max_tokens: 0,
                retry_after: None,
                rate_limited: false,
            };
            let json = format!(r#"{{"input_tokens":{total}}}"#);
            respond(
                StatusCode::OK,
                wire::headers(&meta, wire::JSON),
                Body::from(json),
            )
        }
        Err(e) => error_response(&rid, &e, None),
    }
}

/// Any other path: the real API's 404.
pub(crate) async fn not_found(State(shared): State<Arc<Shared>>) -> Response {
    let rid = wire::request_id(shared.next_seq());
    let err = ApiError {
        status: 404,
        kind: "not_found_error",
        message: "Not Found".to_string(),
    };
    error_response(&rid, &err, None)
}

// ---- Requests ---------------------------------------------------------------------------

fn parse(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("There was an error parsing the body of your request: {e}"))
}

pub(crate) fn record(
    path: &str,
    headers: &HeaderMap,
    parsed: &Result<Value, String>,
    raw: &[u8],
) -> RecordedRequest {
    let headers = headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let value = match name.as_str() {
                "x-api-key" | "authorization" => redact(&value),
                _ => value,
            };
            (name.as_str().to_string(), value)
        })
        .collect();
    let body = match parsed {
        Ok(v) => v.clone(),
        Err(_) if raw.is_empty() => Value::Null,
        Err(_) => Value::String(String::from_utf8_lossy(raw).into_owned()),
    };
    RecordedRequest {
        path: path.to_string(),
        headers,
        body,
        time: SystemTime::now(),
    }
}

pub(crate) fn push_record(records: &mut Vec<RecordedRequest>, r: RecordedRequest) {
    if records.len() >= MAX_RECORDS {
        records.remove(0);
    }
    records.push(r);
}

/// `***` and the last 4 characters.
fn redact(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    if chars.len() <= 4 {
        "***".to_string()
    } else {
        format!("***{tail}")
    }
}

async fn first_byte_delay(shared: &Shared) {
    if !shared.opts.first_byte_delay.is_zero() {
        tokio::time::sleep(shared.opts.first_byte_delay).await;
    }
}

/// A request that passed every check.
struct Checked<'a> {
    obj: &'a Map<String, Value>,
    model: &'a str,
    max_tokens: u64,
    stream: bool,
    tools: &'a [Value],
    /// The tool `tool_choice` forces (`tool` or `any`), if any.
    forced: Option<&'a Value>,
    stop_sequences: Vec<&'a str>,
    prompt: Prompt,
}

fn check<'a>(
    shared: &Shared,
    headers: &HeaderMap,
    body_len: usize,
    parsed: &'a Result<Value, String>,
    for_messages: bool,
) -> Result<Checked<'a>, ApiError> {
    check_headers(shared, headers)?;
    if body_len > MAX_BODY {
        return Err(ApiError::for_status(413));
    }
    let value = parsed.as_ref().map_err(|e| ApiError::invalid(e.clone()))?;
    let obj = value
        .as_object()
        .ok_or_else(|| ApiError::invalid("body: Input should be a valid dictionary"))?;
    let field = |k: &str| obj.get(k).filter(|v| !v.is_null());

    let model = match field("model") {
        None => return Err(ApiError::invalid("model: Field required")),
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return Err(ApiError::invalid("model: Input should be a valid string")),
    };
    let max_tokens = match field("max_tokens") {
        None if for_messages => return Err(ApiError::invalid("max_tokens: Field required")),
        None => 4096,
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => n as u64,
            Some(_) => {
                return Err(ApiError::invalid(
                    "max_tokens: Input should be greater than or equal to 1",
                ))
            }
            None => {
                return Err(ApiError::invalid(
                    "max_tokens: Input should be a valid integer",
                ))
            }
        },
    };
    check_messages(field("messages"))?;
    match field("system") {
        None | Some(Value::String(_)) | Some(Value::Array(_)) => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "system: Input should be a valid string or list",
            ))
        }
    }
    let stream = match field("stream") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::invalid("stream: Input should be a valid boolean")),
    };
    for key in ["temperature", "top_p"] {
        if let Some(v) = field(key) {
            match v.as_f64() {
                Some(x) if x < 0.0 => {
                    return Err(ApiError::invalid(format!(
                        "{key}: Input should be greater than or equal to 0"
                    )))
                }
                Some(x) if x > 1.0 => {
                    return Err(ApiError::invalid(format!(
                        "{key}: Input should be less than or equal to 1"
                    )))
                }
                Some(_) => {}
                None => {
                    return Err(ApiError::invalid(format!(
                        "{key}: Input should be a valid number"
                    )))
                }
            }
        }
    }
    if let Some(v) = field("top_k") {
        if v.as_u64().is_none() {
            return Err(ApiError::invalid(
                "top_k: Input should be a valid non-negative integer",
            ));
        }
    }
    let stop_sequences = match field("stop_sequences") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|s| {
                s.as_str().ok_or_else(|| {
                    ApiError::invalid("stop_sequences: Input should be a valid list of strings")
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid(
                "stop_sequences: Input should be a valid list",
            ))
        }
    };
    let tools: &[Value] = match field("tools") {
        None => &[],
        Some(Value::Array(t)) => t,
        Some(_) => return Err(ApiError::invalid("tools: Input should be a valid list")),
    };
    for (i, tool) in tools.iter().enumerate() {
        let Some(t) = tool.as_object() else {
            return Err(ApiError::invalid(format!(
                "tools.{i}: Input should be a valid dictionary"
            )));
        };
        if !matches!(t.get("name"), Some(Value::String(_))) {
            return Err(ApiError::invalid(format!("tools.{i}.name: Field required")));
        }
        let server_tool = t
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|ty| ty != "custom");
        if !server_tool && !matches!(t.get("input_schema"), Some(Value::Object(_))) {
            return Err(ApiError::invalid(format!(
                "tools.{i}.input_schema: Field required"
            )));
        }
    }
    let forced = forced_tool(field("tool_choice"), tools)?;

    if !model.starts_with("claude-") {
        return Err(ApiError {
            status: 404,
            kind: "not_found_error",
            message: format!("model: {model}"),
        });
    }
    if for_messages && fixed_sampling(model) {
        for key in ["temperature", "top_p", "top_k"] {
            let default = match field(key) {
                None => true,
                Some(v) => key != "top_k" && v.as_f64() == Some(1.0),
            };
            if !default {
                return Err(ApiError::invalid(format!(
                    "{key}: `{key}` is not supported by {model}: this model uses fixed sampling; \
                     remove `{key}` from the request"
                )));
            }
        }
    }
    let prompt = Prompt::read(obj, model).map_err(ApiError::invalid)?;
    Ok(Checked {
        obj,
        model,
        max_tokens,
        stream,
        tools,
        forced,
        stop_sequences,
        prompt,
    })
}

/// The newest tier rejects non-default sampling parameters.
fn fixed_sampling(model: &str) -> bool {
    model.contains("sonnet-5") || model.contains("opus-5")
}

fn check_headers(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let key =
        text("x-api-key").or_else(|| text("authorization").and_then(|a| a.strip_prefix("Bearer ")));
    let auth = |message: &str| ApiError {
        status: 401,
        kind: "authentication_error",
        message: message.to_string(),
    };
    match key {
        None | Some("") => return Err(auth("x-api-key header is required")),
        Some(k) if !shared.opts.api_keys.accepts(k) => return Err(auth("invalid x-api-key")),
        Some(_) => {}
    }
    match text("anthropic-version") {
        None | Some("") => Err(ApiError::invalid("anthropic-version: header is required")),
        Some(_) => Ok(()),
    }
}

fn check_messages(messages: Option<&Value>) -> Result<(), ApiError> {
    let messages = match messages {
        None => return Err(ApiError::invalid("messages: Field required")),
        Some(Value::Array(m)) => m,
        Some(_) => return Err(ApiError::invalid("messages: Input should be a valid list")),
    };
    if messages.is_empty() {
        return Err(ApiError::invalid(
            "messages: at least one message is required",
        ));
    }
    let last = messages.len() - 1;
    for (i, m) in messages.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str);
        if !matches!(role, Some("user") | Some("assistant")) {
            return Err(ApiError::invalid(format!(
                "messages.{i}.role: Input should be 'user' or 'assistant'"
            )));
        }
        let empty = match m.get("content") {
            None | Some(Value::Null) => {
                return Err(ApiError::invalid(format!(
                    "messages.{i}.content: Field required"
                )))
            }
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Array(blocks)) => {
                for (j, b) in blocks.iter().enumerate() {
                    if !matches!(b.get("type"), Some(Value::String(_))) {
                        return Err(ApiError::invalid(format!(
                            "messages.{i}.content.{j}.type: Field required"
                        )));
                    }
                    if b.get("type").and_then(Value::as_str) == Some("text")
                        && b.get("text")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                    {
                        return Err(ApiError::invalid(
                            "messages: text content blocks must be non-empty",
                        ));
                    }
                }
                blocks.is_empty()
            }
            Some(_) => {
                return Err(ApiError::invalid(format!(
                    "messages.{i}.content: Input should be a valid string or list"
                )))
            }
        };
        if empty && !(i == last && role == Some("assistant")) {
            return Err(ApiError::invalid(format!(
                "messages.{i}: all messages must have non-empty content except for the optional final assistant message"
            )));
        }
    }
    Ok(())
}

fn forced_tool<'a>(
    choice: Option<&'a Value>,
    tools: &'a [Value],
) -> Result<Option<&'a Value>, ApiError> {
    let Some(choice) = choice else {
        return Ok(None);
    };
    if tools.is_empty() {
        return Err(ApiError::invalid(
            "tool_choice may only be specified while providing tools.",
        ));
    }
    let custom = |t: &&Value| t.get("input_schema").is_some();
    match choice.get("type").and_then(Value::as_str) {
        Some("auto") | Some("none") => Ok(None),
        Some("any") => Ok(tools.iter().find(custom).or(tools.first())),
        Some("tool") => {
            let Some(name) = choice.get("name").and_then(Value::as_str) else {
                return Err(ApiError::invalid("tool_choice.tool.name: Field required"));
            };
            match tools
                .iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
            {
                Some(t) => Ok(Some(t)),
                None => Err(ApiError::invalid(format!(
                    "tool_choice.name: Tool '{name}' not found in the provided tools"
                ))),
            }
        }
        _ => Err(ApiError::invalid(
            "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'",
        )),
    }
}

// ---- Answers --------------------------------------------------------------------------

/// The single content block of an answer, and how it ended.
struct Outcome {
    /// As it appears in a plain reply.
    block: Block,
    /// What the deltas carry: the text, or the tool input as the real API streams it.
    streamed: String,
    stop_reason: &'static str,
    stop_sequence: Option<String>,
    output_tokens: u64,
}

fn answer(shared: &Shared, req: &Checked<'_>, step: &Step, rng: &mut Rng) -> Outcome {
    let words = synth::words(req.obj);
    let tool_name = |tool: Option<&Value>| {
        tool.or(req.tools.first())
            .and_then(|t| t.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("tool")
            .to_string()
    };
    let text = |t: String| finish_text(t, req);
    let tool = |name: String, input: J, raw: Option<String>| {
        finish_tool(name, input, raw, req, wire::tool_use_id(shared.next_seq()))
    };
    match step {
        Step::Text(t) => text(t.clone()),
        Step::ToolInput(v) => {
            let raw = match v {
                Value::String(s) if serde_json::from_str::<Value>(s).is_err() => Some(s.clone()),
                _ => None,
            };
            tool(tool_name(req.forced), J::from_value(v), raw)
        }
        _ => {
            let writer = Writer {
                rng: Rng::new(rng.next_u64()),
                words: &words,
            };
            match req.forced {
                Some(t) => {
                    let schema = t.get("input_schema").unwrap_or(&Value::Null);
                    let mut synth = Synth {
                        writer,
                        root: schema,
                        budget: synth::BUDGET,
                    };
                    let input = match synth.value(schema, "", 0) {
                        J::Obj(entries) => J::Obj(entries),
                        // The API always answers a tool with an object.
                        other => J::Obj(vec![("value".to_string(), other)]),
                    };
                    tool(tool_name(Some(t)), input, None)
                }
                None => {
                    let mut writer = writer;
                    text(writer.markdown(&synth::last_user_text(req.obj)))
                }
            }
        }
    }
}

fn finish_text(mut text: String, req: &Checked<'_>) -> Outcome {
    let mut stop_reason = "end_turn";
    let mut stop_sequence = None;
    let first_stop = req
        .stop_sequences
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(*s).map(|pos| (pos, *s)))
        .min_by_key(|(pos, _)| *pos);
    if let Some((pos, seq)) = first_stop {
        text.truncate(pos);
        stop_reason = "stop_sequence";
        stop_sequence = Some(seq.to_string());
    }
    let mut output_tokens = tokens_for_chars(text.chars().count()).max(1);
    if output_tokens > req.max_tokens {
        text = take_chars(&text, req.max_tokens.saturating_mul(4));
        stop_reason = "max_tokens";
        stop_sequence = None;
        output_tokens = req.max_tokens;
    }
    Outcome {
        block: Block::Text { text: text.clone() },
        streamed: text,
        stop_reason,
        stop_sequence,
        output_tokens,
    }
}

fn finish_tool(
    name: String,
    input: J,
    raw: Option<String>,
    req: &Checked<'_>,
    id: String,
) -> Outcome {
    let (mut input, mut streamed) = match raw {
        Some(raw) => (J::Str(raw.clone()), raw),
        None => {
            let s = input.spaced();
            (input, s)
        }
    };
    let mut stop_reason = "tool_use";
    let mut output_tokens = tokens_for_chars(streamed.chars().count()).max(1);
    if output_tokens > req.max_tokens {
        // Cut mid-JSON, as the real API does; a plain reply then carries an empty input.
        streamed = take_chars(&streamed, req.max_tokens.saturating_mul(4));
        input = J::Obj(Vec::new());
        stop_reason = "max_tokens";
        output_tokens = req.max_tokens;
    }
    Outcome {
        block: Block::ToolUse {
            id,
            name,
            input,
            caller: wire::DIRECT,
        },
        streamed,
        stop_reason,
        stop_sequence: None,
        output_tokens,
    }
}

fn take_chars(s: &str, n: u64) -> String {
    s.chars()
        .take(usize::try_from(n).unwrap_or(usize::MAX))
        .collect()
}

fn usage(input: InputUsage, output_tokens: u64) -> wire::Usage {
    wire::Usage {
        input_tokens: input.input_tokens,
        cache_creation_input_tokens: input.cache_creation_input_tokens,
        cache_read_input_tokens: input.cache_read_input_tokens,
        cache_creation: wire::CacheCreation {
            ephemeral_5m_input_tokens: input.ephemeral_5m_input_tokens,
            ephemeral_1h_input_tokens: input.ephemeral_1h_input_tokens,
        },
        output_tokens,
        service_tier: "standard",
        inference_geo: "not_available",
    }
}

// ---- Streaming --------------------------------------------------------------------------

/// The frames of a streamed reply, with where the deltas end (for the scripted failures).
struct Events {
    frames: Vec<Bytes>,
    /// Index of the first delta frame (after `message_start`, `content_block_start`, `ping`).
    first_delta: usize,
    /// How many delta frames there are.
    deltas: usize,
}

impl Events {
    /// Keep what precedes the deltas and the first `n` deltas.
    fn keep_first_deltas(&mut self, n: usize) {
        self.frames.truncate(self.first_delta + n.min(self.deltas));
    }
}

fn pad(shared: &Shared, rng: &mut Rng) -> usize {
    if shared.opts.sse_padding {
        rng.below(16) as usize
    } else {
        0
    }
}

fn sse_events(
    shared: &Shared,
    message: &wire::Message<'_>,
    outcome: &Outcome,
    rng: &mut Rng,
) -> Events {
    let mut frames = Vec::new();
    let mut start = message.clone();
    start.content = Vec::new();
    start.stop_reason = None;
    start.stop_sequence = None;
    start.usage.output_tokens = 1;
    let p = pad(shared, rng);
    frames.push(wire::frame(
        "message_start",
        &wire::message_start(&start),
        p,
    ));
    let (first_block, pieces, is_tool) = match &outcome.block {
        Block::Text { .. } => (
            Block::Text {
                text: String::new(),
            },
            chunks(&outcome.streamed, rng, 20, 40),
            false,
        ),
        Block::ToolUse { id, name, .. } => {
            let mut pieces = vec![String::new()];
            pieces.extend(chunks(&outcome.streamed, rng, 6, 18));
            (
                Block::ToolUse {
                    id: id.clone(),
                    name: name.clone(),
                    input: J::Obj(Vec::new()),
                    caller: wire::DIRECT,
                },
                pieces,
                true,
            )
        }
    };
    let p = pad(shared, rng);
    frames.push(wire::frame(
        "content_block_start",
        &wire::block_start(0, &first_block),
        p,
    ));
    frames.push(wire::frame("ping", wire::PING, 0));
    let first_delta = frames.len();
    for piece in &pieces {
        let delta = if is_tool {
            Delta::InputJsonDelta {
                partial_json: piece,
            }
        } else {
            Delta::TextDelta { text: piece }
        };
        let p = pad(shared, rng);
        frames.push(wire::frame(
            "content_block_delta",
            &wire::block_delta(0, delta),
            p,
        ));
    }
    let p = pad(shared, rng);
    frames.push(wire::frame("content_block_stop", &wire::block_stop(0), p));
    let p = pad(shared, rng);
    let delta = wire::message_delta(
        outcome.stop_reason,
        outcome.stop_sequence.as_deref(),
        message.usage.delta(),
    );
    frames.push(wire::frame("message_delta", &delta, p));
    let p = pad(shared, rng);
    frames.push(wire::frame("message_stop", &wire::message_stop(), p));
    Events {
        frames,
        first_delta,
        deltas: pieces.len(),
    }
}

/// Split into pieces of `lo..=hi` characters (on character boundaries).
fn chunks(s: &str, rng: &mut Rng, lo: usize, hi: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let n = rng.between(lo, hi).max(1);
        let end = (i + n).min(chars.len());
        out.push(chars[i..end].iter().collect());
        i = end;
    }
    out
}

/// A body that sends each frame as its own chunk (waiting `delay` between two), then, if
/// `cut`, fails so that the server aborts the connection mid-body.
fn stream_body(frames: Vec<Bytes>, cut: bool, delay: Duration) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, io::Error>>(8);
    tokio::spawn(async move {
        for (i, frame) in frames.into_iter().enumerate() {
            if i > 0 && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if tx.send(Ok(frame)).await.is_err() {
                return;
            }
        }
        if cut {
            // Let what was sent reach the client first.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = tx
                .send(Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "fake: connection cut",
                )))
                .await;
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

// ---- Responses ------------------------------------------------------------------------

pub(crate) fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn error_response(rid: &str, err: &ApiError, retry_after: Option<u64>) -> Response {
    let meta = Meta {
        request_id: rid,
        input_tokens: 0,
        max_tokens: 0,
        retry_after: if err.status == 429 { retry_after } else { None },
        rate_limited: err.status == 429,
    };
    let mut headers = wire::headers(&meta, wire::JSON);
    if err.status != 429 {
        if let Some(secs) = retry_after {
            if let Ok(v) = secs.to_string().parse() {
                headers.insert("retry-after", v);
            }
        }
    }
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, headers, Body::from(wire::error_body(err, rid)))
}

/// Close the connection with no response; without a connection handle (not served by our
/// accept loop), cut the body instead.
pub(crate) async fn drop_connection(kill: Option<Extension<ConnKill>>) -> Response {
    match kill {
        Some(Extension(kill)) => {
            kill.kill();
            std::future::pending::<Response>().await
        }
        None => respond(
            StatusCode::OK,
            HeaderMap::new(),
            stream_body(Vec::new(), true, Duration::ZERO),
        ),
    }
}
