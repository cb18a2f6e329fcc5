//! `POST /v1/chat/completions`: a minimal OpenAI-compatible endpoint, shaped like Ollama's
//! (the gateway's secondary endpoint). Non-streamed only. `tools` are OpenAI functions; a
//! request with tools gets `tool_calls` unless `tool_choice` is `"none"` (Ollama ignores
//! `tool_choice` and lets the model call a tool, so the fake calls the named or first
//! one). `response_format: {type: "json_schema"}` gets JSON content synthesised from the
//! schema. No API key is checked (Ollama has none). Scripted separately from
//! `/v1/messages`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::anthropic::{drop_connection, push_record, record, respond};
use crate::server::ConnKill;
use crate::state::Shared;
use crate::synth::{self, Rng, Synth, Writer, J};
use crate::usage::tokens_for_chars;
use crate::wire::{self, to_json};
use crate::Step;

pub(crate) async fn chat_completions(
    State(shared): State<Arc<Shared>>,
    kill: Option<Extension<ConnKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Result<Value, String> =
        serde_json::from_slice(&body).map_err(|e| format!("invalid JSON in request body: {e}"));
    let step = shared
        .with(|s| {
            push_record(
                &mut s.openai_records,
                record("/v1/chat/completions", &headers, &parsed, &body),
            );
            s.openai_count += 1;
            s.openai_script.pop_front()
        })
        .unwrap_or(Step::Ok);
    if !shared.opts.first_byte_delay.is_zero() {
        tokio::time::sleep(shared.opts.first_byte_delay).await;
    }
    match &step {
        Step::ConnectionReset => return drop_connection(kill).await,
        Step::Status {
            status,
            retry_after,
        } => return error(*status, None, *retry_after),
        Step::MidStreamError => return error(503, Some("server overloaded, please retry"), None),
        _ => {}
    }
    let obj = match &parsed {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return error(400, Some("request body must be a JSON object"), None),
        Err(e) => return error(400, Some(e), None),
    };
    let model = match obj.get("model") {
        Some(Value::String(m)) if !m.is_empty() => m.as_str(),
        _ => return error(400, Some("model is required"), None),
    };
    match obj.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => {}
        _ => {
            return error(
                400,
                Some("messages is required and must be a non-empty array"),
                None,
            )
        }
    }
    if obj.get("stream").and_then(Value::as_bool) == Some(true) {
        return error(
            400,
            Some("streaming is not supported by this fake endpoint"),
            None,
        );
    }
    let tool = match chosen_tool(obj) {
        Ok(tool) => tool,
        Err(message) => return error(400, Some(&message), None),
    };
    if let Step::SlowFirstByte(wait) = step {
        tokio::time::sleep(wait).await;
    }

    let mut rng = Rng::for_body(obj);
    let words = synth::words(obj);
    let writer = Writer {
        rng: Rng::new(rng.next_u64()),
        words: &words,
    };
    let tool_name = || {
        tool.and_then(|t| t.pointer("/function/name"))
            .and_then(Value::as_str)
            .unwrap_or("tool")
            .to_string()
    };
    let response_schema = obj
        .get("response_format")
        .and_then(|f| f.pointer("/json_schema/schema"));
    let reply = match &step {
        Step::Text(t) => Reply::Text(t.clone()),
        Step::ToolInput(Value::String(raw)) => Reply::Call(tool_name(), raw.clone()),
        Step::ToolInput(v) => Reply::Call(tool_name(), J::from_value(v).compact()),
        _ => match (tool, response_schema) {
            (Some(t), _) => {
                let schema = t.pointer("/function/parameters").unwrap_or(&Value::Null);
                let mut synth = Synth {
                    writer,
                    root: schema,
                    budget: synth::BUDGET,
                };
                Reply::Call(tool_name(), synth.value(schema, "", 0).compact())
            }
            (None, Some(schema)) => {
                let mut synth = Synth {
                    writer,
                    root: schema,
                    budget: synth::BUDGET,
                };
                Reply::Text(synth.value(schema, "", 0).compact())
            }
            (None, None) => {
                let mut writer = writer;
                Reply::Text(writer.markdown(&synth::last_user_text(obj)))
            }
        },
    };

    let limit = obj
        .get("max_completion_tokens")
        .or_else(|| obj.get("max_tokens"))
        .and_then(Value::as_u64);
    let (message, finish_reason, completion_tokens) = match reply {
        Reply::Text(mut text) => {
            let mut tokens = tokens_for_chars(text.chars().count()).max(1);
            let mut finish = "stop";
            if let Some(limit) = limit.filter(|l| tokens > *l) {
                text = text
                    .chars()
                    .take(usize::try_from(limit.saturating_mul(4)).unwrap_or(usize::MAX))
                    .collect();
                tokens = limit;
                finish = "length";
            }
            let message = OutMessage {
                role: "assistant",
                content: text,
                tool_calls: None,
            };
            (message, finish, tokens)
        }
        Reply::Call(name, arguments) => {
            let tokens = tokens_for_chars(arguments.chars().count()).max(1);
            let call = ToolCall {
                id: format!(
                    "call_{}",
                    wire::base62(shared.next_seq() ^ 0x4341_4c4c, 8).to_lowercase()
                ),
                index: 0,
                kind: "function",
                function: Function { name, arguments },
            };
            let message = OutMessage {
                role: "assistant",
                content: String::new(),
                tool_calls: Some(vec![call]),
            };
            (message, "tool_calls", tokens)
        }
    };
    let prompt_tokens = prompt_tokens(obj);
    let completion = Completion {
        id: format!("chatcmpl-{}", 100 + shared.next_seq()),
        object: "chat.completion",
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs(),
        model,
        system_fingerprint: "fp_ollama",
        choices: vec![Choice {
            index: 0,
            message,
            finish_reason,
        }],
        usage: OutUsage {
            prompt_tokens,
            completion_tokens,
            total_tokens: prompt_tokens + completion_tokens,
        },
    };
    let json = to_json(&completion);
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static(wire::JSON));
    if step == Step::CutMidBody {
        let half = Bytes::copy_from_slice(&json.as_bytes()[..json.len() / 2]);
        let body = Body::from_stream(futures_util::stream::iter([
            Ok(half),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "fake: connection cut",
            )),
        ]));
        return respond(StatusCode::OK, headers, body);
    }
    respond(StatusCode::OK, headers, Body::from(json))
}

enum Reply {
    Text(String),
    /// Function name and its arguments (a JSON string).
    Call(String, String),
}

/// The function the reply calls: none without tools or with `tool_choice: "none"`, the
/// named one for `{type: "function", function: {name}}`, else the first.
fn chosen_tool(obj: &Map<String, Value>) -> Result<Option<&Value>, String> {
    let tools = match obj.get("tools") {
        Some(Value::Array(t)) if !t.is_empty() => t,
        _ => return Ok(None),
    };
    for (i, t) in tools.iter().enumerate() {
        if t.pointer("/function/name")
            .and_then(Value::as_str)
            .is_none()
        {
            return Err(format!("tools[{i}].function.name is required"));
        }
    }
    match obj.get("tool_choice") {
        Some(Value::String(s)) if s == "none" => Ok(None),
        Some(choice @ Value::Object(_)) => {
            let Some(name) = choice.pointer("/function/name").and_then(Value::as_str) else {
                return Ok(tools.first());
            };
            tools
                .iter()
                .find(|t| t.pointer("/function/name").and_then(Value::as_str) == Some(name))
                .map(Some)
                .ok_or_else(|| format!("tool_choice names an unknown function: {name}"))
        }
        _ => Ok(tools.first()),
    }
}

fn prompt_tokens(obj: &Map<String, Value>) -> u64 {
    let mut chars = 0;
    if let Some(Value::Array(messages)) = obj.get("messages") {
        for m in messages {
            chars += match m.get("content") {
                Some(Value::String(s)) => s.chars().count(),
                Some(Value::Array(parts)) => parts
                    .iter()
                    .filter_map(|p| p.get("text").and_then(Value::as_str))
                    .map(|t| t.chars().count())
                    .sum(),
                _ => 0,
            };
        }
    }
    if let Some(tools) = obj.get("tools") {
        chars += tools.to_string().chars().count();
    }
    tokens_for_chars(chars)
}

/// OpenAI's error body: `{"error":{"message","type","param","code"}}`.
fn error(status: u16, message: Option<&str>, retry_after: Option<u64>) -> Response {
    let (kind, default) = match status {
        400 => ("invalid_request_error", "invalid request"),
        401 => ("invalid_request_error", "invalid api key"),
        404 => ("invalid_request_error", "model not found"),
        429 => ("rate_limit_error", "rate limit exceeded"),
        s if s >= 500 => ("api_error", "internal server error"),
        _ => ("invalid_request_error", "invalid request"),
    };
    let body = to_json(&ErrorBody {
        error: ErrorInner {
            message: message.unwrap_or(default),
            kind,
            param: None,
            code: None,
        },
    });
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static(wire::JSON));
    if let Some(secs) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            headers.insert("retry-after", v);
        }
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, headers, Body::from(body))
}

#[derive(Serialize)]
struct Completion<'a> {
    id: String,
    object: &'static str,
    created: u64,
    model: &'a str,
    system_fingerprint: &'static str,
    choices: Vec<Choice>,
    usage: OutUsage,
}

#[derive(Serialize)]
struct Choice {
    index: u32,
    message: OutMessage,
    finish_reason: &'static str,
}

#[derive(Serialize)]
struct OutMessage {
    role: &'static str,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_calls: Option<Vec<ToolCall>>,
}

#[derive(Serialize)]
struct ToolCall {
    id: String,
    index: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    function: Function,
}

#[derive(Serialize)]
struct Function {
    name: String,
    arguments: String,
}

#[derive(Serialize)]
struct OutUsage {
    prompt_tokens: u64,
    completion_tokens: u64,
    total_tokens: u64,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorInner<'a>,
}

#[derive(Serialize)]
struct ErrorInner<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    param: Option<&'static str>,
    code: Option<&'static str>,
}
