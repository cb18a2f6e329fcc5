//! Usage and simulated prompt caching: creation then read, disjoint counts, TTLs, the
//! minimum prefix, count_tokens.

use std::time::Duration;

use closer_claude_fake::FakeAnthropic;
use serde_json::{json, Value};

use crate::util::{self, parse_sse};

/// 4800 characters of system prompt: 1200 tokens, above the 1024 minimum.
fn system_text() -> String {
    "Battle card: Acme competes on price; we win on onboarding speed. ".repeat(75)[..4800]
        .to_string()
}

fn cached_body(ttl: Option<&str>, question: &str) -> Value {
    let mut cc = json!({"type": "ephemeral"});
    if let Some(ttl) = ttl {
        cc["ttl"] = json!(ttl);
    }
    json!({
        "model": "claude-haiku-4-5",
        "max_tokens": 512,
        "system": [{"type": "text", "text": system_text(), "cache_control": cc}],
        "messages": [{"role": "user", "content": question}]
    })
}

fn counts(usage: &Value) -> (u64, u64, u64) {
    (
        usage["input_tokens"].as_u64().expect("input_tokens"),
        usage["cache_creation_input_tokens"]
            .as_u64()
            .expect("cache_creation_input_tokens"),
        usage["cache_read_input_tokens"]
            .as_u64()
            .expect("cache_read_input_tokens"),
    )
}

#[tokio::test]
async fn creation_then_read_with_disjoint_counts() {
    let fake = FakeAnthropic::start().await.unwrap();
    let question = "Which objections should I expect?"; // 33 chars: 9 tokens
    let (_, _, first) = util::message(&fake, &cached_body(None, question)).await;
    assert_eq!(counts(&first["usage"]), (9, 1200, 0));
    assert_eq!(
        first["usage"]["cache_creation"]["ephemeral_5m_input_tokens"],
        1200
    );
    assert_eq!(
        first["usage"]["cache_creation"]["ephemeral_1h_input_tokens"],
        0
    );

    let (_, _, second) = util::message(&fake, &cached_body(None, question)).await;
    assert_eq!(counts(&second["usage"]), (9, 0, 1200));

    // A different question after the same prefix still reads it.
    let (_, _, third) =
        util::message(&fake, &cached_body(None, "And pricing? Tell me more.")).await;
    let (input, creation, read) = counts(&third["usage"]);
    assert_eq!((creation, read), (0, 1200));
    assert_eq!(input, 7);

    // count_tokens gives the total of the three.
    let resp = util::post(
        &fake,
        "/v1/messages/count_tokens",
        &cached_body(None, question),
    )
    .await;
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"input_tokens": 1209})
    );
    fake.stop().await;
}

#[tokio::test]
async fn streamed_usage_reports_the_cache_too() {
    let fake = FakeAnthropic::start().await.unwrap();
    let body = util::streamed(cached_body(Some("1h"), "Summarise."));
    let first = parse_sse(&util::stream_text(&fake, &body).await);
    let start = &first[0].json["message"]["usage"];
    assert_eq!(counts(start), (3, 1200, 0));
    assert_eq!(start["cache_creation"]["ephemeral_1h_input_tokens"], 1200);
    assert_eq!(start["output_tokens"], 1);
    let second = parse_sse(&util::stream_text(&fake, &body).await);
    assert_eq!(counts(&second[0].json["message"]["usage"]), (3, 0, 1200));
    let delta = second.iter().find(|e| e.event == "message_delta").unwrap();
    assert_eq!(counts(&delta.json["usage"]), (3, 0, 1200));
    assert!(delta.json["usage"]["output_tokens"].as_u64().unwrap() > 1);
    fake.stop().await;
}

#[tokio::test]
async fn entries_expire_after_their_ttl_and_hits_refresh() {
    let fake = FakeAnthropic::start().await.unwrap();
    let five = cached_body(None, "q");
    util::message(&fake, &five).await;
    fake.advance_clock(Duration::from_secs(4 * 60));
    let (_, _, hit) = util::message(&fake, &five).await;
    assert_eq!(counts(&hit["usage"]).2, 1200, "read within 5 minutes");
    fake.advance_clock(Duration::from_secs(4 * 60));
    let (_, _, refreshed) = util::message(&fake, &five).await;
    assert_eq!(
        counts(&refreshed["usage"]).2,
        1200,
        "the hit refreshed the TTL"
    );
    fake.advance_clock(Duration::from_secs(6 * 60));
    let (_, _, expired) = util::message(&fake, &five).await;
    assert_eq!(
        counts(&expired["usage"]),
        (1, 1200, 0),
        "expired: written again"
    );

    let hour = cached_body(Some("1h"), "q");
    util::message(&fake, &hour).await;
    fake.advance_clock(Duration::from_secs(30 * 60));
    let (_, _, hit) = util::message(&fake, &hour).await;
    assert_eq!(
        counts(&hit["usage"]).2,
        1200,
        "1h entry still there after 30 minutes"
    );
    fake.stop().await;
}

#[tokio::test]
async fn short_prefixes_are_not_cached_and_reset_clears_the_cache() {
    let fake = FakeAnthropic::start().await.unwrap();
    let short = json!({
        "model": "claude-haiku-4-5",
        "max_tokens": 100,
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "hi"}]
    });
    for _ in 0..2 {
        let (_, _, r) = util::message(&fake, &short).await;
        assert_eq!(counts(&r["usage"]), (3, 0, 0));
    }
    let long = cached_body(None, "q");
    util::message(&fake, &long).await;
    fake.reset();
    let (_, _, again) = util::message(&fake, &long).await;
    assert_eq!(counts(&again["usage"]), (1, 1200, 0));
    fake.stop().await;
}

#[tokio::test]
async fn breakpoints_in_tools_system_and_messages_split_the_prefix() {
    let fake = FakeAnthropic::start().await.unwrap();
    let history = "Earlier call notes: budget approved, security review pending. ".repeat(80);
    let body = |question: &str| {
        json!({
            "model": "claude-haiku-4-5",
            "max_tokens": 100,
            "system": [{"type": "text", "text": system_text(), "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": history, "cache_control": {"type": "ephemeral"}}]},
                {"role": "assistant", "content": "Noted."},
                {"role": "user", "content": question}
            ]
        })
    };
    let (_, _, first) = util::message(&fake, &body("Next step?")).await;
    let usage = &first["usage"];
    let history_tokens = (history.len() as u64).div_ceil(4);
    assert_eq!(usage["cache_creation"]["ephemeral_1h_input_tokens"], 1200);
    assert_eq!(
        usage["cache_creation"]["ephemeral_5m_input_tokens"],
        history_tokens
    );
    let (input, creation, read) = counts(usage);
    assert_eq!(read, 0);
    assert_eq!(creation, 1200 + history_tokens);
    let total = (system_text().len() + history.len() + "Noted.".len() + "Next step?".len())
        .div_ceil(4) as u64;
    assert_eq!(input + creation + read, total);
    let (_, _, second) = util::message(&fake, &body("Next step?")).await;
    assert_eq!(counts(&second["usage"]), (input, 0, 1200 + history_tokens));
    fake.stop().await;
}
