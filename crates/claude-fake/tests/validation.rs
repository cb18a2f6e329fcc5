//! Header checks and request validation, with the real API's statuses and messages.

use closer_claude_fake::{FakeAnthropic, FakeOptions, KeyPolicy};
use serde_json::{json, Value};

use crate::util::{self, KEY};

async fn send(fake: &FakeAnthropic, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    let resp = util::post_with(&util::client(), &fake.url(), "/v1/messages", headers, body).await;
    let status = resp.status().as_u16();
    assert!(resp.headers().contains_key("request-id"));
    (status, resp.json().await.expect("JSON body"))
}

const GOOD: [(&str, &str); 2] = [("x-api-key", KEY), ("anthropic-version", "2023-06-01")];

#[tokio::test]
async fn header_checks() {
    let fake = FakeAnthropic::start().await.unwrap();
    let body = util::body("hi");
    type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[("x-api-key", KEY)],
            400,
            "invalid_request_error",
            "anthropic-version: header is required",
        ),
        (
            &[("anthropic-version", "2023-06-01")],
            401,
            "authentication_error",
            "x-api-key header is required",
        ),
        (
            &[
                ("x-api-key", "sk-proj-openai"),
                ("anthropic-version", "2023-06-01"),
            ],
            401,
            "authentication_error",
            "invalid x-api-key",
        ),
        (&GOOD, 200, "", ""),
    ];
    for (headers, status, kind, message) in cases {
        let (got, json) = send(&fake, headers, &body).await;
        assert_eq!(got, status, "{headers:?}");
        if status != 200 {
            assert_eq!(json["error"]["type"], kind);
            assert_eq!(json["error"]["message"], message);
        }
    }
    fake.stop().await;
}

#[tokio::test]
async fn exact_key_policy() {
    let opts = FakeOptions {
        api_keys: KeyPolicy::Exact(vec!["sk-ant-only-this-one".into()]),
        ..FakeOptions::default()
    };
    let fake = FakeAnthropic::start_on("127.0.0.1:0".parse().unwrap(), opts)
        .await
        .unwrap();
    let (status, _) = send(&fake, &GOOD, &util::body("hi")).await;
    assert_eq!(status, 401);
    let (status, _) = send(
        &fake,
        &[
            ("x-api-key", "sk-ant-only-this-one"),
            ("anthropic-version", "2023-06-01"),
        ],
        &util::body("hi"),
    )
    .await;
    assert_eq!(status, 200);
    fake.stop().await;
}

#[tokio::test]
async fn body_validation() {
    let fake = FakeAnthropic::start().await.unwrap();
    let without = |key: &str| {
        let mut b = util::body("hi");
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let with = |key: &str, v: Value| {
        let mut b = util::body("hi");
        b[key] = v;
        b
    };
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            without("model"),
            400,
            "invalid_request_error",
            "model: Field required",
        ),
        (
            without("max_tokens"),
            400,
            "invalid_request_error",
            "max_tokens: Field required",
        ),
        (
            without("messages"),
            400,
            "invalid_request_error",
            "messages: Field required",
        ),
        (
            with("messages", json!([])),
            400,
            "invalid_request_error",
            "messages: at least one message is required",
        ),
        (
            with("max_tokens", json!(0)),
            400,
            "invalid_request_error",
            "max_tokens: Input should be greater than or equal to 1",
        ),
        (
            with("temperature", json!(1.5)),
            400,
            "invalid_request_error",
            "temperature: Input should be less than or equal to 1",
        ),
        (
            with("messages", json!([{"role": "system", "content": "x"}])),
            400,
            "invalid_request_error",
            "messages.0.role: Input should be 'user' or 'assistant'",
        ),
        (
            with(
                "messages",
                json!([{"role": "user", "content": [{"type": "text", "text": ""}]}]),
            ),
            400,
            "invalid_request_error",
            "messages: text content blocks must be non-empty",
        ),
        (
            with("tool_choice", json!({"type": "any"})),
            400,
            "invalid_request_error",
            "tool_choice may only be specified while providing tools.",
        ),
        (
            with("model", json!("gpt-4o")),
            404,
            "not_found_error",
            "model: gpt-4o",
        ),
        (
            json!([1, 2]),
            400,
            "invalid_request_error",
            "body: Input should be a valid dictionary",
        ),
    ];
    for (body, status, kind, message) in cases {
        let (got, json) = send(&fake, &GOOD, &body).await;
        assert_eq!(
            (got, json["error"]["type"].as_str()),
            (status, Some(kind)),
            "{body}"
        );
        assert_eq!(json["error"]["message"], message, "{body}");
    }
    // Not JSON at all.
    let resp = util::client()
        .post(format!("{}/v1/messages", fake.url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["error"]["type"], "invalid_request_error");
    // A final assistant message may be empty (prefill); others may not.
    let prefill = with(
        "messages",
        json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]),
    );
    assert_eq!(send(&fake, &GOOD, &prefill).await.0, 200);
    fake.stop().await;
}

fn cached_block(text: &str) -> Value {
    json!({"type": "text", "text": text, "cache_control": {"type": "ephemeral"}})
}

#[tokio::test]
async fn at_most_four_cache_breakpoints() {
    let fake = FakeAnthropic::start().await.unwrap();
    let tool = |name: &str| json!({"name": name, "input_schema": {"type": "object"}, "cache_control": {"type": "ephemeral"}});
    let mut body = util::body("hi");
    body["tools"] = json!([tool("a"), tool("b")]);
    body["system"] = json!([cached_block("rules"), cached_block("more rules")]);
    assert_eq!(send(&fake, &GOOD, &body).await.0, 200, "four are fine");
    body["messages"] = json!([{"role": "user", "content": [cached_block("question")]}]);
    let (status, json) = send(&fake, &GOOD, &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        json["error"]["message"],
        "A maximum of 4 blocks with cache_control may be provided. Found 5."
    );
    fake.stop().await;
}

#[tokio::test]
async fn newest_tier_rejects_sampling_parameters() {
    let fake = FakeAnthropic::start().await.unwrap();
    let with = |model: &str, key: &str, v: Value| {
        let mut b = util::body("hi");
        b["model"] = json!(model);
        b[key] = v;
        b
    };
    let cases = [
        (with("claude-sonnet-5", "temperature", json!(0.2)), 400),
        (with("claude-opus-5", "top_p", json!(0.9)), 400),
        (with("claude-sonnet-5-5", "top_k", json!(40)), 400),
        (with("claude-sonnet-5", "temperature", json!(1.0)), 200),
        (with("claude-sonnet-5", "temperature", Value::Null), 200),
        (with("claude-sonnet-4-6", "temperature", json!(0.2)), 200),
        (with("claude-haiku-4-5", "top_k", json!(40)), 200),
    ];
    for (body, status) in cases {
        let (got, json) = send(&fake, &GOOD, &body).await;
        assert_eq!(got, status, "{body}: {json}");
        if status == 400 {
            assert_eq!(json["error"]["type"], "invalid_request_error");
        }
    }
    fake.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413() {
    let fake = FakeAnthropic::start().await.unwrap();
    let body = util::body(&"x".repeat(33 * 1024 * 1024));
    let (status, json) = send(&fake, &GOOD, &body).await;
    assert_eq!(status, 413);
    assert_eq!(json["error"]["type"], "request_too_large");
    fake.stop().await;
}

#[tokio::test]
async fn unknown_path_is_a_404_in_anthropics_shape() {
    let fake = FakeAnthropic::start().await.unwrap();
    let resp = util::post(&fake, "/v1/complete", &util::body("hi")).await;
    assert_eq!(resp.status(), 404);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["error"]["type"], "not_found_error");
    fake.stop().await;
}
