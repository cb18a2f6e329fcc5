//! The minimal OpenAI-compatible endpoint (`/v1/chat/completions`), scripted apart.

use closer_claude_fake::{FakeAnthropic, Step};
use serde_json::{json, Value};

use crate::util::{self, validate};

async fn chat(fake: &FakeAnthropic, body: &Value) -> (u16, Value) {
    let resp = util::post_with(
        &util::client(),
        &fake.url(),
        "/v1/chat/completions",
        &[],
        body,
    )
    .await;
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON body"))
}

fn request() -> Value {
    json!({
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "You are a sales assistant."},
            {"role": "user", "content": "Summarise the call with Hooli about their renewal"}
        ]
    })
}

#[tokio::test]
async fn text_completion_has_openais_shape() {
    let fake = FakeAnthropic::start().await.unwrap();
    let (status, v) = chat(&fake, &request()).await;
    assert_eq!(status, 200);
    assert_eq!(v["object"], "chat.completion");
    assert!(v["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(v["model"], "llama3.2");
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert!(
        v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .len()
            > 100
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    let u = &v["usage"];
    assert_eq!(
        u["total_tokens"].as_u64(),
        Some(u["prompt_tokens"].as_u64().unwrap() + u["completion_tokens"].as_u64().unwrap())
    );
    assert_eq!(fake.openai_request_count(), 1);
    assert_eq!(fake.request_count(), 0, "not counted as /v1/messages");
    fake.stop().await;
}

#[tokio::test]
async fn tools_get_tool_calls_matching_the_parameters() {
    let fake = FakeAnthropic::start().await.unwrap();
    let params = json!({
        "type": "object",
        "properties": {
            "summary": {"type": "string", "minLength": 20},
            "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
            "next_steps": {"type": "array", "items": {"type": "string"}, "minItems": 1}
        },
        "required": ["summary", "sentiment", "next_steps"]
    });
    let mut body = request();
    body["tools"] = json!([{"type": "function", "function": {"name": "record_summary", "description": "Save", "parameters": params}}]);
    body["tool_choice"] = json!({"type": "function", "function": {"name": "record_summary"}});
    let (status, v) = chat(&fake, &body).await;
    assert_eq!(status, 200);
    assert_eq!(v["choices"][0]["finish_reason"], "tool_calls");
    let call = &v["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "record_summary");
    assert!(call["id"].as_str().unwrap().starts_with("call_"));
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    validate(&args, &params, &params, "args").unwrap();
    // Same request, same arguments.
    let (_, again) = chat(&fake, &body).await;
    assert_eq!(
        again["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
        call["function"]["arguments"]
    );
    fake.stop().await;
}

#[tokio::test]
async fn openai_script_is_separate() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([Step::Status {
        status: 529,
        retry_after: None,
    }]);
    fake.script_openai([
        Step::Status {
            status: 500,
            retry_after: None,
        },
        Step::Text("scripted".into()),
        Step::ToolInput(json!({"a": 1})),
    ]);
    let (status, err) = chat(&fake, &request()).await;
    assert_eq!(status, 500);
    assert!(err["error"]["message"].is_string());
    assert!(err["error"].get("type").is_some());
    let (_, text) = chat(&fake, &request()).await;
    assert_eq!(text["choices"][0]["message"]["content"], "scripted");
    let (_, call) = chat(&fake, &request()).await;
    assert_eq!(
        call["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"],
        r#"{"a":1}"#
    );
    assert_eq!(fake.openai_request_count(), 3);
    assert_eq!(fake.openai_requests().len(), 3);
    // The Anthropic script was untouched.
    let (status, _, _) = util::message(&fake, &util::body("hi")).await;
    assert_eq!(status, 529);
    fake.stop().await;
}

#[tokio::test]
async fn openai_validation_and_connection_reset() {
    let fake = FakeAnthropic::start().await.unwrap();
    let (status, v) = chat(&fake, &json!({"messages": []})).await;
    assert_eq!(status, 400);
    assert!(v["error"]["message"].is_string());
    fake.script_openai([Step::ConnectionReset]);
    let sent = util::try_post(
        &util::client(),
        &fake.url(),
        "/v1/chat/completions",
        &[],
        &request(),
    )
    .await;
    assert!(sent.is_err());
    fake.stop().await;
}
