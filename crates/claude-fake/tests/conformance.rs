//! The fake's wire format against recorded transcripts of Anthropic's API (sources in
//! `tests/fixtures/README.md`): same event sequence, same key paths per kind of event and
//! in the message, usage and error objects, same framing.

use closer_claude_fake::FakeAnthropic;
use serde_json::{json, Value};

use crate::util::{self, event_sequence, key_paths, keys_by_kind, parse_sse, Sse};

const TEXT_STREAM: &str = include_str!("fixtures/text_stream.sse");
const TOOL_STREAM: &str = include_str!("fixtures/tool_use_stream.sse");
const SDK_STREAM: &str = include_str!("fixtures/sdk_basic_response.sse");
const TEXT_MESSAGE: &str = include_str!("fixtures/text_message.json");
const TOOL_MESSAGE: &str = include_str!("fixtures/tool_use_message.json");
const ERROR_BODY: &str = include_str!("fixtures/error_body.json");

fn person_request(stream: bool) -> Value {
    // The request of the recorded tool-use transcript.
    json!({
        "max_tokens": 4000,
        "messages": [{"content": [{"text": "Generate information about a person named Alice who is 30 years old and lives in Paris.", "type": "text"}], "role": "user"}],
        "model": "claude-sonnet-4-20250514",
        "tool_choice": {"name": "Person", "disable_parallel_tool_use": false, "type": "tool"},
        "tools": [{"input_schema": {"properties": {"age": {"description": "The person's age", "type": "integer"}, "city": {"description": "The city where the person lives", "type": "string"}, "name": {"description": "The person's name", "type": "string"}}, "required": ["name", "age", "city"], "type": "object"}, "name": "Person", "description": "A person with name, age, and city"}],
        "stream": stream
    })
}

fn portuguese_request(stream: bool) -> Value {
    // The request of the recorded text transcript.
    json!({
        "max_tokens": 4000,
        "messages": [{"content": [{"text": "Say hi in Portuguese", "type": "text"}], "role": "user"}],
        "model": "claude-sonnet-4-20250514",
        "system": [{"text": "You are a helpful assistant", "type": "text"}],
        "stream": stream
    })
}

fn assert_same_keys(real: &[Sse], fake: &[Sse]) {
    let real = keys_by_kind(real);
    let fake = keys_by_kind(fake);
    assert_eq!(
        real.keys().collect::<Vec<_>>(),
        fake.keys().collect::<Vec<_>>(),
        "kinds of events differ"
    );
    for (kind, keys) in &real {
        assert_eq!(keys, &fake[kind], "key paths of {kind} differ");
    }
}

fn ping_is_verbatim(events: &[Sse]) {
    let pings: Vec<&Sse> = events.iter().filter(|e| e.event == "ping").collect();
    assert_eq!(pings.len(), 1);
    assert_eq!(pings[0].data, r#"{"type": "ping"}"#);
}

#[tokio::test]
async fn text_stream_matches_the_recorded_one() {
    let real = parse_sse(TEXT_STREAM);
    let fake = FakeAnthropic::start().await.unwrap();
    let ours = parse_sse(&util::stream_text(&fake, &portuguese_request(true)).await);

    assert_eq!(event_sequence(&ours), event_sequence(&real));
    assert_eq!(
        event_sequence(&ours),
        [
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    assert_same_keys(&real, &ours);
    ping_is_verbatim(&real);
    ping_is_verbatim(&ours);
    // Several text deltas, as in the recording.
    assert!(
        ours.iter()
            .filter(|e| e.event == "content_block_delta")
            .count()
            >= 3
    );
    assert_eq!(ours[0].json["message"]["usage"]["output_tokens"], 1);
    assert_eq!(ours[0].json["message"]["content"], json!([]));
    assert_eq!(ours[0].json["message"]["stop_reason"], Value::Null);
    fake.stop().await;
}

#[tokio::test]
async fn tool_use_stream_matches_the_recorded_one() {
    let real = parse_sse(TOOL_STREAM);
    let fake = FakeAnthropic::start().await.unwrap();
    let ours = parse_sse(&util::stream_text(&fake, &person_request(true)).await);

    assert_eq!(event_sequence(&ours), event_sequence(&real));
    assert_same_keys(&real, &ours);
    ping_is_verbatim(&ours);
    // The first partial_json is empty in both; the pieces join into the input.
    let first = |events: &[Sse]| {
        events
            .iter()
            .find(|e| e.event == "content_block_delta")
            .map(|e| e.json["delta"]["partial_json"].clone())
    };
    assert_eq!(first(&real), Some(json!("")));
    assert_eq!(first(&ours), Some(json!("")));
    let input: Value = serde_json::from_str(&util::deltas(&ours)).unwrap();
    assert_eq!(input.as_object().unwrap().keys().count(), 3);
    assert!(input["age"].is_i64() && input["name"].is_string() && input["city"].is_string());
    // Streamed the way the real API writes tool input: `"key": value, ...`.
    assert!(
        util::deltas(&ours).starts_with(r#"{"name": ""#),
        "{}",
        util::deltas(&ours)
    );
    let stop = ours.iter().find(|e| e.event == "message_delta").unwrap();
    assert_eq!(stop.json["delta"]["stop_reason"], "tool_use");
    fake.stop().await;
}

#[tokio::test]
async fn event_order_matches_the_sdk_fixture() {
    let sdk = parse_sse(&format!("{SDK_STREAM}\n\n"));
    let fake = FakeAnthropic::start().await.unwrap();
    let ours = parse_sse(&util::stream_text(&fake, &portuguese_request(true)).await);
    assert_eq!(event_sequence(&ours), event_sequence(&sdk));
    // The SDK fixture predates the cache fields: its keys are a subset of ours.
    let (sdk_keys, our_keys) = (keys_by_kind(&sdk), keys_by_kind(&ours));
    for (kind, keys) in &sdk_keys {
        assert!(
            keys.is_subset(&our_keys[kind]),
            "{kind}: {keys:?} not in {:?}",
            our_keys[kind]
        );
    }
    fake.stop().await;
}

#[tokio::test]
async fn data_lines_are_padded_like_the_real_ones() {
    let fake = FakeAnthropic::start().await.unwrap();
    let text = util::stream_text(&fake, &portuguese_request(true)).await;
    let padded = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("data: ") && l.ends_with(" }"))
            .count()
    };
    assert!(padded(TEXT_STREAM) > 3);
    assert!(padded(&text) > 3, "{text}");
    fake.stop().await;
}

#[tokio::test]
async fn plain_messages_match_the_recorded_ones() {
    let fake = FakeAnthropic::start().await.unwrap();
    let real_text: Value = serde_json::from_str(TEXT_MESSAGE).unwrap();
    let (status, headers, ours) = util::message(&fake, &portuguese_request(false)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(key_paths(&ours), key_paths(&real_text));
    assert_eq!(ours["stop_reason"], "end_turn");
    assert_eq!(ours["usage"]["service_tier"], "standard");

    let real_tool: Value = serde_json::from_str(TOOL_MESSAGE).unwrap();
    let (_, _, ours) = util::message(&fake, &person_request(false)).await;
    let without_input = |v: &Value| {
        key_paths(v)
            .into_iter()
            .filter(|k| !k.starts_with("content[].input."))
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(without_input(&ours), without_input(&real_tool));
    assert_eq!(
        key_paths(&ours["content"][0]["input"]),
        key_paths(&real_tool["content"][0]["input"])
    );
    assert_eq!(ours["stop_reason"], "tool_use");
    // Required properties first, in the schema's `required` order (as in the recording).
    let raw = util::post(&fake, "/v1/messages", &person_request(false))
        .await
        .text()
        .await
        .unwrap();
    let (n, a, c) = (
        raw.find("\"name\":").unwrap(),
        raw.find("\"age\":").unwrap(),
        raw.find("\"city\":").unwrap(),
    );
    assert!(n < a && a < c, "{raw}");
    fake.stop().await;
}

#[tokio::test]
async fn error_body_matches_the_documented_one() {
    let documented: Value = serde_json::from_str(ERROR_BODY).unwrap();
    let fake = FakeAnthropic::start().await.unwrap();
    let mut bad = portuguese_request(false);
    bad.as_object_mut().unwrap().remove("max_tokens");
    let (status, headers, ours) = util::message(&fake, &bad).await;
    assert_eq!(status, 400);
    assert_eq!(key_paths(&ours), key_paths(&documented));
    assert_eq!(ours["type"], "error");
    assert_eq!(ours["error"]["type"], documented["error"]["type"]);
    assert_eq!(ours["error"]["message"], "max_tokens: Field required");
    let rid = ours["request_id"].as_str().unwrap();
    assert_eq!(rid.len(), documented["request_id"].as_str().unwrap().len());
    assert_eq!(headers["request-id"], rid);
    fake.stop().await;
}

#[tokio::test]
async fn every_response_carries_request_id_and_rate_limit_headers() {
    let fake = FakeAnthropic::start().await.unwrap();
    let resp = util::post(&fake, "/v1/messages", &util::body("hello")).await;
    let h = resp.headers();
    let rid = h["request-id"].to_str().unwrap();
    assert!(
        rid.starts_with("req_")
            && rid.len() == 28
            && rid[4..].chars().all(|c| c.is_ascii_alphanumeric())
    );
    for what in ["requests", "tokens", "input-tokens", "output-tokens"] {
        for field in ["limit", "remaining"] {
            let v = h[format!("anthropic-ratelimit-{what}-{field}").as_str()]
                .to_str()
                .unwrap();
            v.parse::<u64>().unwrap();
        }
        let reset = h[format!("anthropic-ratelimit-{what}-reset").as_str()]
            .to_str()
            .unwrap();
        // RFC 3339: 2026-03-12T18:12:21Z
        assert_eq!(reset.len(), 20, "{reset}");
        assert_eq!(
            (&reset[4..5], &reset[10..11], &reset[19..]),
            ("-", "T", "Z")
        );
    }
    let second = util::post(&fake, "/v1/messages", &util::body("hello")).await;
    assert_ne!(second.headers()["request-id"], h["request-id"]);
    fake.stop().await;
}
