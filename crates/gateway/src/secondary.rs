//! The optional secondary endpoint: any OpenAI-compatible `POST {url}/v1/chat/completions`
//! (a local Ollama, a LAN server). Used only when Claude cannot answer. The request is
//! translated from Anthropic's shape (system blocks, messages with tool_use / tool_result
//! blocks, tools, tool_choice) and the reply back into a [`Message`] with text and
//! `tool_use` blocks, so callers see one shape whatever answered. Non-streamed; no API key
//! (a secret would have to live in the keyring, and local servers take none).

use closer_claude::{
    ContentBlock, InputBlock, Message, MessagesRequest, Role, StopReason, ToolChoice, Usage,
};
use closer_types::SecondaryEndpoint;
use serde_json::{json, Map, Value};

/// `{url}/v1/chat/completions`, accepting a base with or without `/v1`.
pub(crate) fn endpoint_url(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    format!("{base}/v1/chat/completions")
}

pub(crate) fn validate(ep: &SecondaryEndpoint) -> Result<(), String> {
    let url = ep.url.trim();
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("the URL {url:?} is not valid ({e})."))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the URL {url:?} must start with http:// or https://."
        ));
    }
    if ep.model.trim().is_empty() {
        return Err("name the model the secondary endpoint should use.".into());
    }
    Ok(())
}

/// The OpenAI chat-completions body for `req`.
pub(crate) fn to_openai(req: &MessagesRequest, model: &str) -> Value {
    let mut messages = Vec::new();
    let system: Vec<&str> = req.system.iter().map(|b| b.text.as_str()).collect();
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system.join("\n\n")}));
    }
    for m in &req.messages {
        let mut text = String::new();
        let mut tool_calls = Vec::new();
        let mut tool_results = Vec::new();
        for b in &m.content {
            match b {
                InputBlock::Text { text: t, .. } => {
                    if !text.is_empty() {
                        text.push_str("\n\n");
                    }
                    text.push_str(t);
                }
                InputBlock::ToolUse { id, name, input } => tool_calls.push(json!({
                    "id": id,
                    "type": "function",
                    "function": {"name": name, "arguments": input.to_string()},
                })),
                InputBlock::ToolResult {
                    tool_use_id,
                    content,
                    ..
                } => tool_results.push(json!({
                    "role": "tool",
                    "tool_call_id": tool_use_id,
                    "content": content,
                })),
            }
        }
        match m.role {
            Role::Assistant => {
                let mut msg = Map::new();
                msg.insert("role".into(), json!("assistant"));
                msg.insert(
                    "content".into(),
                    if text.is_empty() {
                        Value::Null
                    } else {
                        json!(text)
                    },
                );
                if !tool_calls.is_empty() {
                    msg.insert("tool_calls".into(), Value::Array(tool_calls));
                }
                messages.push(Value::Object(msg));
            }
            Role::User => {
                // Tool results answer the previous assistant turn, so they come first.
                messages.extend(tool_results);
                if !text.is_empty() {
                    messages.push(json!({"role": "user", "content": text}));
                }
            }
        }
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("max_tokens".into(), json!(req.max_tokens));
    body.insert("stream".into(), json!(false));
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), json!(t));
    }
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut f = Map::new();
                f.insert("name".into(), json!(t.name));
                if let Some(d) = &t.description {
                    f.insert("description".into(), json!(d));
                }
                f.insert("parameters".into(), t.input_schema.clone());
                json!({"type": "function", "function": f})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
        if let Some(choice) = &req.tool_choice {
            let c = match choice {
                ToolChoice::Auto => json!("auto"),
                ToolChoice::Any => json!("required"),
                ToolChoice::None => json!("none"),
                ToolChoice::Tool { name } => {
                    json!({"type": "function", "function": {"name": name}})
                }
            };
            body.insert("tool_choice".into(), c);
        }
    }
    Value::Object(body)
}

/// The reply as a [`Message`]; `Err` says what was wrong with it.
pub(crate) fn from_openai(reply: &Value, model: &str) -> Result<Message, String> {
    let choice = reply
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or("no choices in the reply")?;
    let msg = choice.get("message").ok_or("no message in the reply")?;
    let mut content = Vec::new();
    if let Some(text) = msg.get("content").and_then(Value::as_str) {
        if !text.is_empty() {
            content.push(ContentBlock::Text {
                text: text.to_string(),
            });
        }
    }
    let calls = msg
        .get("tool_calls")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, call) in calls.iter().enumerate() {
        let f = call
            .get("function")
            .ok_or("a tool call without a function")?;
        let name = f
            .get("name")
            .and_then(Value::as_str)
            .ok_or("a tool call without a name")?;
        // OpenAI sends the arguments as a JSON string; some servers send the object.
        let input = match f.get("arguments") {
            Some(Value::String(s)) if s.trim().is_empty() => json!({}),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map_err(|e| format!("tool `{name}` arguments are not JSON: {e}"))?,
            Some(v @ Value::Object(_)) => v.clone(),
            None | Some(Value::Null) => json!({}),
            Some(_) => return Err(format!("tool `{name}` arguments are not an object")),
        };
        let id = call
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("call_{i}"));
        content.push(ContentBlock::ToolUse {
            id,
            name: name.to_string(),
            input,
        });
    }
    if content.is_empty() {
        return Err("the reply was empty".into());
    }
    let stop_reason = match choice.get("finish_reason").and_then(Value::as_str) {
        Some("tool_calls") => StopReason::ToolUse,
        Some("length") => StopReason::MaxTokens,
        _ if !calls.is_empty() => StopReason::ToolUse,
        _ => StopReason::EndTurn,
    };
    let usage = reply.get("usage");
    let count = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(Message {
        id: reply
            .get("id")
            .and_then(Value::as_str)
            .map(|id| format!("secondary_{id}"))
            .unwrap_or_else(|| "secondary".into()),
        kind: "message".into(),
        role: Role::Assistant,
        content,
        model: reply
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or(model)
            .to_string(),
        stop_reason: Some(stop_reason),
        stop_sequence: None,
        usage: Usage {
            input_tokens: count("prompt_tokens"),
            output_tokens: count("completion_tokens"),
            ..Usage::default()
        },
    })
}

/// Asks the secondary endpoint. `Err` is a short reason for the ledger and logs.
pub(crate) async fn complete(
    http: &reqwest::Client,
    ep: &SecondaryEndpoint,
    req: &MessagesRequest,
) -> Result<Message, String> {
    let body = to_openai(req, &ep.model);
    let resp = http
        .post(endpoint_url(&ep.url))
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("secondary endpoint unreachable: {}", without_url(&e)))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!(
            "secondary endpoint answered HTTP {}",
            status.as_u16()
        ));
    }
    let reply: Value = resp
        .json()
        .await
        .map_err(|e| format!("secondary endpoint reply unreadable: {}", without_url(&e)))?;
    from_openai(&reply, &ep.model).map_err(|e| format!("secondary endpoint reply: {e}"))
}

fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_claude::{InputMessage, TextBlock, Tool};

    #[test]
    fn urls() {
        for base in [
            "http://localhost:11434",
            "http://localhost:11434/",
            "http://localhost:11434/v1",
            "http://localhost:11434/v1/",
        ] {
            assert_eq!(
                endpoint_url(base),
                "http://localhost:11434/v1/chat/completions"
            );
        }
        assert!(validate(&SecondaryEndpoint {
            url: "ftp://x".into(),
            model: "m".into()
        })
        .is_err());
        assert!(validate(&SecondaryEndpoint {
            url: "http://127.0.0.1:11434".into(),
            model: "llama3".into()
        })
        .is_ok());
    }

    #[test]
    fn request_translation() {
        let req = MessagesRequest {
            model: "claude-haiku-4-5".into(),
            max_tokens: 100,
            system: vec![TextBlock::new("be brief"), TextBlock::cached("context")],
            messages: vec![
                InputMessage::user_text("score this"),
                InputMessage {
                    role: Role::Assistant,
                    content: vec![InputBlock::ToolUse {
                        id: "tu_1".into(),
                        name: "score".into(),
                        input: json!({"a": 1}),
                    }],
                },
                InputMessage::user(vec![InputBlock::ToolResult {
                    tool_use_id: "tu_1".into(),
                    content: "ok".into(),
                    is_error: None,
                }]),
            ],
            tools: vec![Tool {
                name: "score".into(),
                description: Some("Score a lead".into()),
                input_schema: json!({"type": "object"}),
                cache_control: None,
            }],
            tool_choice: Some(ToolChoice::Tool {
                name: "score".into(),
            }),
            ..MessagesRequest::default()
        };
        let body = to_openai(&req, "llama3");
        assert_eq!(
            body,
            json!({
                "model": "llama3",
                "max_tokens": 100,
                "stream": false,
                "messages": [
                    {"role": "system", "content": "be brief\n\ncontext"},
                    {"role": "user", "content": "score this"},
                    {"role": "assistant", "content": null, "tool_calls": [
                        {"id": "tu_1", "type": "function", "function": {"name": "score", "arguments": "{\"a\":1}"}}
                    ]},
                    {"role": "tool", "tool_call_id": "tu_1", "content": "ok"},
                ],
                "tools": [{"type": "function", "function": {
                    "name": "score", "description": "Score a lead", "parameters": {"type": "object"}
                }}],
                "tool_choice": {"type": "function", "function": {"name": "score"}},
            })
        );
    }

    #[test]
    fn reply_translation() {
        let reply = json!({
            "id": "chatcmpl-1",
            "model": "llama3",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": "",
                "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "score", "arguments": "{\"score\": 80}"}}]
            }}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5}
        });
        let m = from_openai(&reply, "llama3").unwrap();
        assert_eq!(m.tool_input("score"), Some(&json!({"score": 80})));
        assert_eq!(m.stop_reason, Some(StopReason::ToolUse));
        assert_eq!((m.usage.input_tokens, m.usage.output_tokens), (12, 5));

        let text = json!({"choices": [{"message": {"content": "hello"}, "finish_reason": "stop"}]});
        let m = from_openai(&text, "llama3").unwrap();
        assert_eq!(m.text(), "hello");
        assert_eq!(m.model, "llama3");
        assert!(from_openai(&json!({"choices": []}), "m").is_err());
        let bad = json!({"choices": [{"message": {"tool_calls": [{"function": {"name": "x", "arguments": "{oops"}}]}}]});
        assert!(from_openai(&bad, "m").is_err());
    }
}
