//! Each scripted `Step` over real HTTP, and the script / records / reset API.

use std::time::{Duration, Instant};

use closer_claude_fake::{FakeAnthropic, Step};
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::util::{self, parse_sse, KEY};

fn tool_body() -> Value {
    json!({
        "model": "claude-haiku-4-5",
        "max_tokens": 1024,
        "tools": [{"name": "score_lead", "input_schema": {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}}],
        "tool_choice": {"type": "tool", "name": "score_lead"},
        "messages": [{"role": "user", "content": "Score Acme"}]
    })
}

#[tokio::test]
async fn ok_is_the_default_and_script_is_consumed_in_order() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([
        Step::Status {
            status: 529,
            retry_after: None,
        },
        Step::Text("second".into()),
    ]);
    let (s1, _, _) = util::message(&fake, &util::body("hi")).await;
    let (s2, _, b2) = util::message(&fake, &util::body("hi")).await;
    let (s3, _, b3) = util::message(&fake, &util::body("hi")).await;
    assert_eq!((s1, s2, s3), (529, 200, 200));
    assert_eq!(b2["content"][0]["text"], "second");
    assert_ne!(b3["content"][0]["text"], "second");
    assert_eq!(fake.request_count(), 3);
    fake.stop().await;
}

#[tokio::test]
async fn text_is_answered_exactly_and_streamed_in_pieces() {
    let fake = FakeAnthropic::start().await.unwrap();
    let text =
        "Exactly this answer, long enough to be cut into several deltas by the fake server. "
            .repeat(3);
    fake.script([Step::Text(text.clone()), Step::Text(text.clone())]);
    let (_, _, plain) = util::message(&fake, &util::body("hi")).await;
    assert_eq!(plain["content"][0]["text"], text.as_str());
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(util::body("hi"))).await);
    assert_eq!(util::deltas(&events), text);
    let n = events
        .iter()
        .filter(|e| e.event == "content_block_delta")
        .count();
    assert!(n >= text.len() / 40, "{n} deltas");
    for e in events.iter().filter(|e| e.event == "content_block_delta") {
        let len = e.json["delta"]["text"].as_str().unwrap().chars().count();
        assert!(len <= 40, "{len}");
    }
    fake.stop().await;
}

#[tokio::test]
async fn tool_input_is_answered_exactly() {
    let fake = FakeAnthropic::start().await.unwrap();
    let input = json!({"score": "not a number", "extra": [1, 2]});
    fake.script([
        Step::ToolInput(input.clone()),
        Step::ToolInput(input.clone()),
    ]);
    let (_, _, plain) = util::message(&fake, &tool_body()).await;
    assert_eq!(plain["content"][0]["type"], "tool_use");
    assert_eq!(plain["content"][0]["name"], "score_lead");
    assert_eq!(plain["content"][0]["input"], input);
    assert_eq!(plain["stop_reason"], "tool_use");
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(tool_body())).await);
    let joined: Value = serde_json::from_str(&util::deltas(&events)).unwrap();
    assert_eq!(joined, input);
    fake.stop().await;
}

#[tokio::test]
async fn tool_input_can_stream_unparseable_json() {
    let fake = FakeAnthropic::start().await.unwrap();
    let broken = r#"{"score": 7, "notes": "unterminated"#;
    fake.script([Step::ToolInput(json!(broken))]);
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(tool_body())).await);
    let joined = util::deltas(&events);
    assert_eq!(joined, broken);
    assert!(serde_json::from_str::<Value>(&joined).is_err());
    fake.stop().await;
}

#[tokio::test]
async fn each_status_gets_anthropics_error_body() {
    let fake = FakeAnthropic::start().await.unwrap();
    let table = [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (413, "request_too_large"),
        (429, "rate_limit_error"),
        (500, "api_error"),
        (529, "overloaded_error"),
    ];
    for (status, kind) in table {
        let retry_after = (status == 429).then_some(7);
        fake.script([Step::Status {
            status,
            retry_after,
        }]);
        let (got, headers, body) = util::message(&fake, &util::streamed(util::body("hi"))).await;
        assert_eq!(got, status);
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], kind, "{status}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(headers["request-id"], body["request_id"].as_str().unwrap());
        if status == 429 {
            assert_eq!(headers["retry-after"], "7");
            assert_eq!(headers["anthropic-ratelimit-requests-remaining"], "0");
        } else {
            assert!(headers.get("retry-after").is_none());
        }
    }
    fake.stop().await;
}

#[tokio::test]
async fn mid_stream_error_after_some_deltas() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([Step::MidStreamError, Step::MidStreamError]);
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(util::body("hi"))).await);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "error"
        ]
    );
    let err = &events.last().unwrap().json;
    assert_eq!(err["error"]["type"], "overloaded_error");
    assert_eq!(err["error"]["message"], "Overloaded");
    // Not streamed: a plain 529.
    let (status, _, body) = util::message(&fake, &util::body("hi")).await;
    assert_eq!(status, 529);
    assert_eq!(body["error"]["type"], "overloaded_error");
    fake.stop().await;
}

#[tokio::test]
async fn slow_first_byte_delays_the_headers() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([Step::SlowFirstByte(Duration::from_millis(300))]);
    let start = Instant::now();
    let resp = util::post(&fake, "/v1/messages", &util::body("hi")).await;
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(resp.status(), 200);
    let start = Instant::now();
    util::post(&fake, "/v1/messages", &util::body("hi")).await;
    assert!(
        start.elapsed() < Duration::from_millis(300),
        "no delay by default"
    );
    fake.stop().await;
}

#[tokio::test]
async fn connection_reset_is_a_transport_error() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([Step::ConnectionReset, Step::ConnectionReset]);
    let client = util::client();
    let headers = [("x-api-key", KEY), ("anthropic-version", "2023-06-01")];
    for body in [util::body("hi"), util::streamed(util::body("hi"))] {
        let err = util::try_post(&client, &fake.url(), "/v1/messages", &headers, &body)
            .await
            .expect_err("a reset connection gives no response");
        assert!(!err.is_status(), "{err}");
    }
    // The same client then works again.
    let ok = util::post_with(
        &client,
        &fake.url(),
        "/v1/messages",
        &headers,
        &util::body("hi"),
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(fake.request_count(), 3);
    fake.stop().await;
}

#[tokio::test]
async fn cut_mid_body_fails_while_reading() {
    let fake = FakeAnthropic::start().await.unwrap();
    fake.script([Step::CutMidBody, Step::CutMidBody]);
    let resp = util::post(&fake, "/v1/messages", &util::streamed(util::body("hi"))).await;
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let mut got = Vec::new();
    let mut failed = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => got.extend_from_slice(&bytes),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the body should fail");
    let text = String::from_utf8(got).unwrap();
    assert!(text.starts_with("event: message_start"), "{text}");
    assert!(!text.contains("message_stop"));

    let resp = util::post(&fake, "/v1/messages", &util::body("hi")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err());
    fake.stop().await;
}

#[tokio::test]
async fn requests_are_recorded_with_the_key_redacted() {
    let fake = FakeAnthropic::start().await.unwrap();
    util::post(&fake, "/v1/messages", &util::body("first")).await;
    util::post(&fake, "/v1/messages/count_tokens", &util::body("second")).await;
    let records = fake.requests();
    assert_eq!(records.len(), 2);
    assert_eq!(fake.request_count(), 1, "count_tokens is not counted");
    assert_eq!(records[0].path, "/v1/messages");
    assert_eq!(records[1].path, "/v1/messages/count_tokens");
    assert_eq!(records[0].body["messages"][0]["content"], "first");
    assert_eq!(records[0].header("x-api-key"), Some("***0001"));
    assert_eq!(records[0].header("Anthropic-Version"), Some("2023-06-01"));
    assert!(!format!("{records:?}").contains(KEY));
    assert!(records[0].time <= records[1].time);

    fake.script([Step::Status {
        status: 500,
        retry_after: None,
    }]);
    fake.reset();
    assert!(fake.requests().is_empty());
    assert_eq!(fake.request_count(), 0);
    let (status, _, _) = util::message(&fake, &util::body("hi")).await;
    assert_eq!(status, 200, "reset cleared the script");
    fake.stop().await;
}
