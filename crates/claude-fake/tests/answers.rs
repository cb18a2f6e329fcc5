//! Deterministic answers: markdown text, tool inputs synthesised from schemas, max_tokens
//! and stop sequences.

use closer_claude_fake::FakeAnthropic;
use serde_json::{json, Value};

use crate::util::{self, parse_sse, validate};

/// A nested schema of the kind our features send (a proposal outline).
fn proposal_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "title": {"type": "string", "minLength": 5, "maxLength": 80},
            "tone": {"type": "string", "enum": ["formal", "friendly", "direct"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "sections": {
                "type": "array",
                "minItems": 2,
                "maxItems": 5,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "heading": {"type": "string", "minLength": 3},
                        "body": {"type": "string", "minLength": 40},
                        "bullets": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
                        "priority": {"type": "integer", "minimum": 1, "maximum": 3}
                    },
                    "required": ["heading", "body", "priority"]
                }
            },
            "contact": {
                "type": "object",
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "name": {"type": "string"},
                    "decision_maker": {"type": "boolean"}
                },
                "required": ["email"]
            },
            "discount": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 0, "maximum": 20}]},
            "stage": {"$ref": "#/$defs/stage"}
        },
        "required": ["title", "sections", "contact", "stage"],
        "$defs": {"stage": {"type": "string", "enum": ["discovery", "proposal", "negotiation"]}}
    })
}

fn tool_request(prompt: &str) -> Value {
    json!({
        "model": "claude-sonnet-4-6",
        "max_tokens": 4096,
        "tools": [
            {"name": "other_tool", "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}}},
            {"name": "write_outline", "description": "Outline a proposal", "input_schema": proposal_schema()}
        ],
        "tool_choice": {"type": "tool", "name": "write_outline"},
        "messages": [{"role": "user", "content": prompt}]
    })
}

#[tokio::test]
async fn tool_input_satisfies_a_nested_schema() {
    let fake = FakeAnthropic::start().await.unwrap();
    let schema = proposal_schema();
    let prompts = [
        "Draft an outline for Northwind Traders: renewal, security questionnaire, pricing tiers",
        "Globex wants a pilot of call coaching for forty reps",
        "x",
    ];
    for prompt in prompts {
        let (status, _, msg) = util::message(&fake, &tool_request(prompt)).await;
        assert_eq!(status, 200);
        let block = &msg["content"][0];
        assert_eq!(block["type"], "tool_use");
        assert_eq!(block["name"], "write_outline");
        assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
        validate(&block["input"], &schema, &schema, "input")
            .unwrap_or_else(|e| panic!("{e}: {}", block["input"]));
        assert_eq!(msg["stop_reason"], "tool_use");
    }
    // The words come from the request.
    let (_, _, msg) = util::message(&fake, &tool_request(prompts[0])).await;
    let text = msg["content"][0]["input"].to_string();
    assert!(
        [
            "Northwind",
            "Traders",
            "renewal",
            "security",
            "questionnaire",
            "pricing",
            "tiers"
        ]
        .iter()
        .any(|w| text.contains(w)),
        "{text}"
    );
    fake.stop().await;
}

#[tokio::test]
async fn tool_choice_any_uses_the_first_tool() {
    let fake = FakeAnthropic::start().await.unwrap();
    let mut body = tool_request("hello");
    body["tool_choice"] = json!({"type": "any"});
    let (_, _, msg) = util::message(&fake, &body).await;
    assert_eq!(msg["content"][0]["name"], "other_tool");
    body["tool_choice"] = json!({"type": "auto"});
    let (_, _, msg) = util::message(&fake, &body).await;
    assert_eq!(msg["content"][0]["type"], "text", "auto answers in text");
    fake.stop().await;
}

#[tokio::test]
async fn same_request_same_answer() {
    let fake = FakeAnthropic::start().await.unwrap();
    let text_req = util::body("Write a proposal for Initech about pipeline reporting");
    let (_, _, a) = util::message(&fake, &text_req).await;
    let (_, _, b) = util::message(&fake, &text_req).await;
    assert_eq!(a["content"], b["content"]);
    assert_ne!(a["id"], b["id"], "ids stay unique");
    let (_, _, other) = util::message(
        &fake,
        &util::body("Write a proposal for Umbrella about onboarding"),
    )
    .await;
    assert_ne!(a["content"], other["content"]);
    // Streamed, the same text arrives.
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(text_req)).await);
    assert_eq!(
        util::deltas(&events),
        a["content"][0]["text"].as_str().unwrap()
    );

    let tool_req = tool_request("Outline for Initech");
    let (_, _, t1) = util::message(&fake, &tool_req).await;
    let (_, _, t2) = util::message(&fake, &tool_req).await;
    assert_eq!(t1["content"][0]["input"], t2["content"][0]["input"]);
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(tool_req)).await);
    let streamed: Value = serde_json::from_str(&util::deltas(&events)).unwrap();
    assert_eq!(streamed, t1["content"][0]["input"]);
    // A restarted fake answers the same.
    let again = FakeAnthropic::start().await.unwrap();
    let (_, _, t3) = util::message(&again, &tool_request("Outline for Initech")).await;
    assert_eq!(t1["content"][0]["input"], t3["content"][0]["input"]);
    again.stop().await;
    fake.stop().await;
}

#[tokio::test]
async fn text_answers_are_plausible_markdown() {
    let fake = FakeAnthropic::start().await.unwrap();
    let (_, _, msg) = util::message(
        &fake,
        &util::body("Write a proposal for Contoso covering onboarding, analytics and a Salesforce migration"),
    )
    .await;
    let text = msg["content"][0]["text"].as_str().unwrap();
    assert!(text.len() >= 300, "{} chars", text.len());
    assert!(
        text.matches("\n## ").count() + usize::from(text.starts_with("## ")) >= 3,
        "{text}"
    );
    assert!(
        [
            "Contoso",
            "onboarding",
            "analytics",
            "Salesforce",
            "migration"
        ]
        .iter()
        .filter(|w| text.contains(*w))
        .count()
            >= 2
    );
    assert_eq!(msg["stop_reason"], "end_turn");
    let expected = (text.chars().count() as u64).div_ceil(4);
    assert_eq!(msg["usage"]["output_tokens"], expected);
    fake.stop().await;
}

#[tokio::test]
async fn max_tokens_truncates() {
    let fake = FakeAnthropic::start().await.unwrap();
    let mut body = util::body("Write a proposal for Contoso");
    body["max_tokens"] = json!(10);
    let (_, _, msg) = util::message(&fake, &body).await;
    assert_eq!(msg["stop_reason"], "max_tokens");
    assert_eq!(msg["usage"]["output_tokens"], 10);
    assert_eq!(
        msg["content"][0]["text"].as_str().unwrap().chars().count(),
        40
    );
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(body)).await);
    let delta = events.iter().find(|e| e.event == "message_delta").unwrap();
    assert_eq!(delta.json["delta"]["stop_reason"], "max_tokens");
    assert_eq!(delta.json["usage"]["output_tokens"], 10);
    // A tool input cut by max_tokens streams incomplete JSON.
    let mut tool = tool_request("Outline");
    tool["max_tokens"] = json!(8);
    let events = parse_sse(&util::stream_text(&fake, &util::streamed(tool)).await);
    assert!(serde_json::from_str::<Value>(&util::deltas(&events)).is_err());
    let delta = events.iter().find(|e| e.event == "message_delta").unwrap();
    assert_eq!(delta.json["delta"]["stop_reason"], "max_tokens");
    fake.stop().await;
}

#[tokio::test]
async fn stop_sequences_end_the_text() {
    let fake = FakeAnthropic::start().await.unwrap();
    let mut body = util::body("Write a proposal for Contoso");
    body["stop_sequences"] = json!(["## Proposed approach"]);
    let (_, _, msg) = util::message(&fake, &body).await;
    assert_eq!(msg["stop_reason"], "stop_sequence");
    assert_eq!(msg["stop_sequence"], "## Proposed approach");
    let text = msg["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("## Executive summary") && !text.contains("Proposed approach"),
        "{text}"
    );
    fake.stop().await;
}
