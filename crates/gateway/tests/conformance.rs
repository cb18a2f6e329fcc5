//! The gateway's conformance suite: every fault the issue lists, against the real fake
//! Anthropic server (`closer-claude-fake`) over loopback HTTP. For each: the outcome, the
//! number of upstream attempts the fake saw, and exactly one ledger row with the right cost
//! (computed here from the usage the fake returned and the published prices).
//!
//! Backoff is shortened (base 5 ms) so the suite runs in seconds; a test that needs time to
//! pass (TTL expiry, the breaker's open period, the month) moves a `ManualClock`.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use closer_claude::{
    ApiErrorKind, Error as ClaudeError, InputMessage, TextBlock, Tool, ToolChoice, Usage,
};
use closer_claude_fake::{FakeAnthropic, FakeOptions, Step};
use closer_gateway::{
    count_breakpoints, AiLedgerEntry, AiRequest, BreakerPolicy, Budgets, CircuitStatus, Feature,
    FeatureBudget, FeatureRate, FixedKey, Gateway, GatewayConfig, GatewayError, KeySource,
    ManualClock, QueueStatus, QueuedJob, RetryPolicy, SecondaryEndpoint, ServedFrom,
};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

const KEY: &str = "sk-ant-api03-conformance-SECRET-0123456789abcdef";
/// 2026-03-15T12:00:00Z.
const T0: i64 = 1_773_576_000_000;
const HOUR: Duration = Duration::from_secs(3600);

struct Env {
    dir: TempDir,
    fake: FakeAnthropic,
    /// The base URL the gateway was opened with (kept when the fake is replaced).
    url: String,
    gw: Gateway,
    clock: Arc<ManualClock>,
}

impl Env {
    async fn new() -> Env {
        Env::with(|_| {}).await
    }

    async fn with(tune: impl FnOnce(&mut GatewayConfig)) -> Env {
        let fake = FakeAnthropic::start().await.expect("fake starts");
        Env::on(fake, tune)
    }

    fn on(fake: FakeAnthropic, tune: impl FnOnce(&mut GatewayConfig)) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(T0));
        let url = fake.url();
        let mut cfg = config(dir.path(), &url, clock.clone());
        tune(&mut cfg);
        let gw = Gateway::open(cfg, Arc::new(FixedKey(KEY.into()))).expect("gateway opens");
        Env {
            dir,
            fake,
            url,
            gw,
            clock,
        }
    }

    fn rows(&self) -> Vec<AiLedgerEntry> {
        self.gw.ledger(0, 1000).expect("ledger")
    }

    /// The one ledger row there must be.
    fn one_row(&self) -> AiLedgerEntry {
        let rows = self.rows();
        assert_eq!(rows.len(), 1, "exactly one ledger row: {rows:#?}");
        rows.into_iter().next().expect("one row")
    }

    fn reopen(&mut self, tune: impl FnOnce(&mut GatewayConfig)) {
        let mut cfg = config(self.dir.path(), &self.url, self.clock.clone());
        tune(&mut cfg);
        self.gw = Gateway::open(cfg, Arc::new(FixedKey(KEY.into()))).expect("gateway re-opens");
    }
}

fn config(dir: &Path, url: &str, clock: Arc<ManualClock>) -> GatewayConfig {
    let mut cfg = GatewayConfig::new(dir.join("ai.sqlite3"), url);
    cfg.retry = RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(60),
    };
    cfg.timeout = Duration::from_secs(10);
    cfg.clock = clock;
    // Generous buckets, except in the rate-limit test.
    for f in Feature::ALL {
        cfg.rate_limits.per_feature.insert(
            f,
            FeatureRate {
                per_minute: 60_000,
                burst: 1_000,
            },
        );
    }
    cfg
}

fn req(feature: Feature, text: &str) -> AiRequest {
    let mut r = AiRequest::new(feature, 300);
    r.system = vec![TextBlock::new("You help B2B sales reps. Answer briefly.")];
    r.messages = vec![InputMessage::user_text(text)];
    r
}

fn score_tool() -> Tool {
    Tool {
        name: "record_score".into(),
        description: Some("Record a lead score".into()),
        input_schema: serde_json::json!({
            "type": "object",
            "properties": {"score": {"type": "integer"}, "why": {"type": "string"}},
            "required": ["score", "why"]
        }),
        cache_control: None,
    }
}

fn tool_req(feature: Feature, text: &str) -> AiRequest {
    let mut r = req(feature, text);
    r.tools = vec![score_tool()];
    r.tool_choice = Some(ToolChoice::Tool {
        name: "record_score".into(),
    });
    r
}

/// USD for `usage` at the published prices (per MTok: Haiku 4.5 $1/$5, Sonnet 5 $2/$10;
/// cache writes 1.25x (5 min) or 2x (1 h) input, reads 0.1x), each input token once.
fn expected_cost(model: &str, u: &Usage) -> f64 {
    let (input, output) = match model {
        "claude-haiku-4-5" => (1.0, 5.0),
        "claude-sonnet-5" => (2.0, 10.0),
        other => panic!("no price for {other}"),
    };
    let write_1h = u
        .cache_creation
        .as_ref()
        .map_or(0, |c| c.ephemeral_1h_input_tokens);
    let write_5m = u.cache_creation_input_tokens - write_1h;
    (u.input_tokens as f64 * input
        + write_5m as f64 * input * 1.25
        + write_1h as f64 * input * 2.0
        + u.cache_read_input_tokens as f64 * input * 0.1
        + u.output_tokens as f64 * output)
        / 1e6
}

fn assert_cost(row: &AiLedgerEntry, model: &str, usage: &Usage) {
    let want = expected_cost(model, usage);
    assert!(want > 0.0);
    assert!(
        (row.cost_usd - want).abs() < 1e-12,
        "ledger cost {} vs expected {want}",
        row.cost_usd
    );
    assert_eq!(row.input_tokens, usage.input_tokens);
    assert_eq!(row.output_tokens, usage.output_tokens);
    assert_eq!(row.cache_creation_tokens, usage.cache_creation_input_tokens);
    assert_eq!(row.cache_read_tokens, usage.cache_read_input_tokens);
}

fn status(e: &GatewayError) -> Option<u16> {
    match e {
        GatewayError::Upstream(ClaudeError::Api { status, .. }) => Some(*status),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Retries: one logical request, several attempts, charged once
// ---------------------------------------------------------------------------------------

mod retries {
    use super::*;

    #[tokio::test]
    async fn rate_limited_429_with_retry_after_then_ok() {
        let env = Env::new().await;
        env.fake.script([Step::Status {
            status: 429,
            retry_after: Some(1),
        }]);
        let t = Instant::now();
        let resp = env
            .gw
            .send(req(Feature::Summary, "Summarize the Acme call."))
            .await
            .unwrap();
        assert!(
            t.elapsed() >= Duration::from_millis(950),
            "retry-after honoured"
        );
        assert_eq!(resp.served_from, ServedFrom::Upstream);
        assert_eq!(resp.attempts, 2);
        assert_eq!(env.fake.request_count(), 2);
        let row = env.one_row();
        assert_eq!(
            (row.outcome.as_str(), row.attempts, row.retries),
            ("ok", 2, 1)
        );
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);
        assert_eq!(row.cost_usd, resp.cost_usd);
        assert_eq!(row.id, resp.ledger_id);
        assert!(row.request_id.is_some());
    }

    #[tokio::test]
    async fn server_error_500_then_ok() {
        let env = Env::new().await;
        env.fake.script([Step::Status {
            status: 500,
            retry_after: None,
        }]);
        let resp = env
            .gw
            .send(req(Feature::LeadScore, "Score Acme."))
            .await
            .unwrap();
        assert_eq!((resp.attempts, env.fake.request_count()), (2, 2));
        let row = env.one_row();
        assert_eq!((row.outcome.as_str(), row.attempts), ("ok", 2));
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn overloaded_529_twice_then_ok() {
        let env = Env::new().await;
        let overloaded = Step::Status {
            status: 529,
            retry_after: None,
        };
        env.fake.script([overloaded.clone(), overloaded]);
        let resp = env
            .gw
            .send(req(Feature::DealAnalysis, "Analyse the Globex deal."))
            .await
            .unwrap();
        assert_eq!((resp.attempts, env.fake.request_count()), (3, 3));
        let row = env.one_row();
        assert_eq!(
            (row.outcome.as_str(), row.attempts, row.retries),
            ("ok", 3, 2)
        );
        assert_eq!(row.model, "claude-sonnet-5");
        assert_cost(&row, "claude-sonnet-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn client_errors_fail_fast() {
        for code in [400u16, 401, 403, 404, 413] {
            let env = Env::new().await;
            env.fake.script([Step::Status {
                status: code,
                retry_after: None,
            }]);
            let err = env
                .gw
                .send(req(Feature::Summary, "Summarize."))
                .await
                .unwrap_err();
            assert_eq!(status(&err), Some(code), "{err:?}");
            assert_eq!(env.fake.request_count(), 1, "{code}: one attempt");
            let text = err.to_string();
            assert!(text.ends_with('.'), "a sentence: {text}");
            if code == 401 {
                assert_eq!(
                    text,
                    "Your Claude API key was rejected. Check it in Settings → AI."
                );
            }
            let row = env.one_row();
            assert_eq!(
                (row.outcome.as_str(), row.attempts, row.cost_usd),
                ("error", 1, 0.0)
            );
            assert_eq!(row.error.as_deref(), Some(text.as_str()));
            // A refusal proves Claude is up: it never counts toward the breaker.
            assert_eq!(env.gw.circuit().consecutive_failures, 0);
        }
    }

    #[tokio::test]
    async fn slow_first_byte_within_timeout_is_fine() {
        let env = Env::new().await;
        env.fake
            .script([Step::SlowFirstByte(Duration::from_millis(400))]);
        let resp = env
            .gw
            .send(req(Feature::Summary, "Summarize slowly."))
            .await
            .unwrap();
        assert_eq!((resp.attempts, env.fake.request_count()), (1, 1));
        let row = env.one_row();
        assert!(row.latency_ms >= 400, "{}", row.latency_ms);
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn connection_reset_is_retried() {
        let env = Env::new().await;
        env.fake.script([Step::ConnectionReset]);
        let resp = env
            .gw
            .send(req(Feature::Summary, "Summarize after a reset."))
            .await
            .unwrap();
        assert_eq!((resp.attempts, env.fake.request_count()), (2, 2));
        let row = env.one_row();
        assert_eq!((row.outcome.as_str(), row.attempts), ("ok", 2));
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn mid_stream_overload_before_any_text_is_retried() {
        let env = Env::new().await;
        // A tool answer streams JSON deltas, not text: nothing reached the rep yet.
        env.fake.script([Step::MidStreamError]);
        let mut shown = String::new();
        let resp = env
            .gw
            .stream(
                tool_req(Feature::LeadScore, "Score Initech."),
                &mut |t: &str| shown.push_str(t),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert!(resp.message.tool_input("record_score").is_some());
        assert_eq!((resp.attempts, env.fake.request_count()), (2, 2));
        let row = env.one_row();
        assert_eq!((row.outcome.as_str(), row.attempts), ("ok", 2));
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn mid_stream_overload_after_text_is_not_retried() {
        let env = Env::new().await;
        let prompt = "Summarize the Umbrella call.";
        // Cache an answer, let it expire: the fallback has a stale answer to give.
        let first = env.gw.send(req(Feature::Summary, prompt)).await.unwrap();
        env.clock.advance(7 * HOUR);
        env.fake.script([Step::MidStreamError]);
        let mut shown = String::new();
        let resp = env
            .gw
            .stream(
                req(Feature::Summary, prompt),
                &mut |t: &str| shown.push_str(t),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert!(!shown.is_empty(), "text was shown before the error");
        assert_eq!(resp.served_from, ServedFrom::StaleCache);
        assert_eq!(resp.message.text(), first.message.text());
        assert_eq!(
            env.fake.request_count(),
            2,
            "not retried after text was shown"
        );
        let rows = env.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].outcome.as_str(), rows[0].attempts, rows[0].cost_usd),
            ("stale", 1, 0.0)
        );
    }

    #[tokio::test]
    async fn cut_body_after_text_without_fallback_fails_clearly() {
        let env = Env::new().await;
        env.fake.script([Step::MidStreamError]);
        let err = env
            .gw
            .stream(
                req(Feature::Summary, "Summarize Hooli."),
                &mut |_: &str| {},
                &CancellationToken::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, GatewayError::Unavailable { .. }), "{err:?}");
        assert!(err.to_string().contains("broke off"), "{err}");
        assert_eq!(env.fake.request_count(), 1);
        let row = env.one_row();
        assert_eq!((row.outcome.as_str(), row.cost_usd), ("error", 0.0));
    }
}

// ---------------------------------------------------------------------------------------
// Fallbacks: stale cache, circuit breaker, secondary endpoint, offline queue
// ---------------------------------------------------------------------------------------

mod fallbacks {
    use super::*;

    fn fail(n: usize, status: u16) -> Vec<Step> {
        vec![
            Step::Status {
                status,
                retry_after: None
            };
            n
        ]
    }

    #[tokio::test]
    async fn four_failures_in_a_row_serve_the_stale_answer() {
        let env = Env::new().await;
        let prompt = "Summarize the Stark account.";
        let first = env.gw.send(req(Feature::Summary, prompt)).await.unwrap();
        env.clock.advance(7 * HOUR); // summary TTL is 6 h
        env.fake.script(fail(4, 500));
        let resp = env.gw.send(req(Feature::Summary, prompt)).await.unwrap();
        assert_eq!(resp.served_from, ServedFrom::StaleCache);
        assert!(resp.is_stale());
        assert_eq!(resp.message, first.message);
        assert_eq!((resp.attempts, resp.cost_usd), (4, 0.0));
        assert_eq!(env.fake.request_count(), 1 + 4);
        let rows = env.rows();
        assert_eq!(rows.len(), 2, "one row per logical request");
        let stale = &rows[0];
        assert_eq!(
            (
                stale.outcome.as_str(),
                stale.cache_layer.as_str(),
                stale.attempts,
                stale.retries
            ),
            ("stale", "stale", 4, 3)
        );
        assert_eq!(stale.served_from.as_deref(), Some("stale_cache"));
        assert_eq!(stale.cost_usd, 0.0);
        assert!(stale.error.as_deref().unwrap_or("").contains("HTTP 500"));
        assert_cost(&rows[1], "claude-haiku-4-5", &first.message.usage);
    }

    #[tokio::test]
    async fn circuit_opens_after_ten_failures_then_cache_secondary_queue() {
        let env = Env::new().await;
        let a = env
            .gw
            .send(req(Feature::Summary, "prompt A"))
            .await
            .unwrap();
        env.clock.advance(7 * HOUR);
        env.fake.script(fail(10, 503));

        // 4 + 4 + 2 failed attempts: the tenth opens the circuit and stops the retries.
        for (p, attempts) in [("prompt B", 4), ("prompt C", 4), ("prompt D", 2)] {
            let err = env.gw.send(req(Feature::Summary, p)).await.unwrap_err();
            assert!(matches!(err, GatewayError::Unavailable { .. }), "{err:?}");
            assert_eq!(env.rows()[0].attempts, attempts, "{p}");
        }
        assert_eq!(env.fake.request_count(), 11);
        let c = env.gw.circuit();
        assert_eq!(
            (c.status, c.consecutive_failures),
            (CircuitStatus::Open, 10)
        );
        assert_eq!(c.opened_at, Some(T0 + 7 * 3_600_000));

        // 1. The response cache (here stale), without calling Claude.
        let resp = env
            .gw
            .send(req(Feature::Summary, "prompt A"))
            .await
            .unwrap();
        assert_eq!(resp.served_from, ServedFrom::StaleCache);
        assert_eq!(resp.message, a.message);
        assert_eq!(resp.attempts, 0);

        // 2. The secondary endpoint, with tools translated both ways.
        env.gw
            .set_secondary(Some(SecondaryEndpoint {
                url: env.fake.url(),
                model: "llama3.2".into(),
            }))
            .unwrap();
        let resp = env
            .gw
            .send(tool_req(Feature::LeadScore, "Score Wayne Corp."))
            .await
            .unwrap();
        assert_eq!(resp.served_from, ServedFrom::Secondary);
        assert!(
            resp.message.tool_input("record_score").is_some(),
            "{:?}",
            resp.message
        );
        assert_eq!((resp.cost_usd, resp.attempts), (0.0, 0));
        assert_eq!(env.fake.openai_request_count(), 1);
        let sent = &env.fake.openai_requests()[0].body;
        assert_eq!(sent["tools"][0]["function"]["name"], "record_score");
        assert_eq!(sent["messages"][0]["role"], "system");

        // 3. The offline queue, for work that may wait.
        env.gw.set_secondary(None).unwrap();
        let mut queued = req(Feature::Summary, "prompt F");
        queued.queue = Some(QueuedJob {
            kind: "summary".into(),
            payload: serde_json::json!({"call_id": "c-1"}),
        });
        let job_id = match env.gw.send(queued).await {
            Err(GatewayError::Queued { job_id }) => job_id,
            other => panic!("{other:?}"),
        };
        assert_eq!(env.gw.queued().unwrap()[0].id, job_id);

        // 4. Nothing else: a clear error.
        let err = env
            .gw
            .send(req(Feature::Summary, "prompt G"))
            .await
            .unwrap_err();
        match &err {
            GatewayError::Unavailable { reason } => assert!(reason.contains("pausing"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            env.fake.request_count(),
            11,
            "nothing reached Claude while open"
        );

        let outcomes: Vec<String> = env.rows().into_iter().rev().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            ["ok", "error", "error", "error", "stale", "fallback", "queued", "error"]
        );
        let rows = env.rows();
        assert!(rows[..7].iter().all(|r| r.cost_usd == 0.0));
        assert_cost(&rows[7], "claude-haiku-4-5", &a.message.usage);
    }

    #[tokio::test]
    async fn half_open_probe_closes_or_reopens_the_circuit() {
        let env = Env::with(|c| {
            c.breaker = BreakerPolicy {
                failure_threshold: 4,
                open_for: Duration::from_secs(60),
            }
        })
        .await;
        env.fake.script(fail(4, 500));
        env.gw.send(req(Feature::Summary, "x")).await.unwrap_err();
        assert_eq!(env.gw.circuit().status, CircuitStatus::Open);
        assert_eq!(env.fake.request_count(), 4);

        // Still open before the minute is over.
        env.clock.advance(Duration::from_secs(59));
        env.gw.send(req(Feature::Summary, "y")).await.unwrap_err();
        assert_eq!(env.fake.request_count(), 4);

        // The probe fails: one attempt, open again.
        env.clock.advance(Duration::from_secs(1));
        assert_eq!(env.gw.circuit().status, CircuitStatus::HalfOpen);
        env.fake.script(fail(1, 500));
        env.gw.send(req(Feature::Summary, "z")).await.unwrap_err();
        assert_eq!(env.fake.request_count(), 5, "a probe is a single attempt");
        assert_eq!(env.gw.circuit().status, CircuitStatus::Open);

        // The next probe succeeds: closed.
        env.clock.advance(Duration::from_secs(60));
        let resp = env.gw.send(req(Feature::Summary, "w")).await.unwrap();
        assert_eq!((resp.served_from, resp.attempts), (ServedFrom::Upstream, 1));
        let c = env.gw.circuit();
        assert_eq!(
            (c.status, c.consecutive_failures),
            (CircuitStatus::Closed, 0)
        );
        assert_eq!(env.fake.request_count(), 6);
        let rows = env.rows();
        assert_eq!(rows.len(), 4);
        assert_cost(&rows[0], "claude-haiku-4-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn offline_request_is_queued_survives_reopen_and_runs_when_back() {
        let fake = FakeAnthropic::start().await.unwrap();
        let addr: SocketAddr = fake.addr();
        let mut env = Env::on(fake, |_| {});
        let placeholder = FakeAnthropic::start().await.unwrap();
        let stopped = std::mem::replace(&mut env.fake, placeholder);
        stopped.stop().await;

        let mut r = tool_req(Feature::LeadScore, "Score these 10 leads.");
        r.queue = Some(QueuedJob {
            kind: "lead_score_batch".into(),
            payload: serde_json::json!({"lead_ids": ["l1", "l2"]}),
        });
        let job_id = match env.gw.send(r).await {
            Err(GatewayError::Queued { job_id }) => job_id,
            other => panic!("{other:?}"),
        };
        let row = env.one_row();
        assert_eq!(
            (row.outcome.as_str(), row.attempts, row.cost_usd),
            ("queued", 4, 0.0)
        );

        // The app restarts: the job is still there.
        env.reopen(|_| {});
        let q = env.gw.queued().unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(
            (q[0].id, q[0].status, q[0].kind.as_str()),
            (job_id, QueueStatus::Pending, "lead_score_batch")
        );
        assert!(env.gw.completed_jobs().unwrap().is_empty());

        // Claude is back on the same address.
        let back = FakeAnthropic::start_on(addr, FakeOptions::default())
            .await
            .unwrap();
        let run = env.gw.run_queue().await.unwrap();
        assert_eq!(
            (run.completed.clone(), run.remaining, run.stopped.clone()),
            (vec![job_id], 0, None)
        );
        assert_eq!(back.request_count(), 1);

        let done = env.gw.completed_jobs().unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].kind, "lead_score_batch");
        assert_eq!(
            done[0].payload,
            serde_json::json!({"lead_ids": ["l1", "l2"]})
        );
        let resp = done[0].response.clone().expect("answered");
        assert!(resp.message.tool_input("record_score").is_some());

        // Still one ledger row, now completed, priced once.
        let row = env.one_row();
        assert_eq!((row.outcome.as_str(), row.attempts), ("ok", 5));
        assert_eq!(row.id, resp.ledger_id);
        assert_cost(&row, "claude-haiku-4-5", &resp.message.usage);

        // Results survive a restart until acknowledged.
        env.reopen(|_| {});
        assert_eq!(env.gw.completed_jobs().unwrap().len(), 1);
        env.gw.ack_job(job_id).unwrap();
        assert!(env.gw.completed_jobs().unwrap().is_empty());
        assert!(env.gw.queued().unwrap().is_empty());
        back.stop().await;
    }

    #[tokio::test]
    async fn run_queue_stops_at_the_first_upstream_failure() {
        let env = Env::new().await;
        // 4 + 4 + 2 failed attempts: the third request opens the circuit.
        env.fake.script(fail(10, 503));
        let mut ids = Vec::new();
        for i in 0..3 {
            let mut r = req(Feature::Summary, &format!("queued {i}"));
            r.queue = Some(QueuedJob {
                kind: "summary".into(),
                payload: serde_json::json!(i),
            });
            match env.gw.send(r).await {
                Err(GatewayError::Queued { job_id }) => ids.push(job_id),
                other => panic!("{other:?}"),
            }
        }
        let before = env.fake.request_count();
        // Claude still fails: the first job is tried once (the probe), the rest wait.
        env.fake.script(fail(1, 503));
        let run = env.gw.run_queue().await.unwrap();
        assert!(run.completed.is_empty());
        assert_eq!(run.remaining, 3);
        assert!(run.stopped.is_some());
        assert_eq!(env.fake.request_count(), before + 1);
        let q = env.gw.queued().unwrap();
        assert_eq!(q[0].attempts, 1);
        assert!(q[0].last_error.is_some());
        // Back: all three, oldest first.
        let run = env.gw.run_queue().await.unwrap();
        assert_eq!(run.completed, ids);
        let done: Vec<i64> = env
            .gw
            .completed_jobs()
            .unwrap()
            .iter()
            .map(|j| j.job_id)
            .collect();
        assert_eq!(done, ids);
        assert_eq!(env.rows().len(), 3, "one row per logical request");
    }
}

// ---------------------------------------------------------------------------------------
// Budgets and rate limits
// ---------------------------------------------------------------------------------------

mod limits {
    use super::*;

    #[tokio::test]
    async fn budget_warns_at_80_percent_and_stops_at_100() {
        let env = Env::new().await;
        let first = env.gw.send(req(Feature::Summary, "first")).await.unwrap();
        assert!(first.budget_warning.is_none());
        let c1 = first.cost_usd;
        assert!(c1 > 0.0);
        env.gw
            .set_budgets(Budgets {
                monthly_usd: Some(c1 / 0.85),
                per_feature: vec![],
            })
            .unwrap();
        // 85 % used: a (free) cache hit carries the warning.
        let hit = env.gw.send(req(Feature::Summary, "first")).await.unwrap();
        assert_eq!(hit.served_from, ServedFrom::ResponseCache);
        let warning = hit.budget_warning.expect("warning at 85 %");
        assert!(warning.contains("85 %"), "{warning}");
        // Under 100 %: allowed; it takes the month past the limit.
        let second = env.gw.send(req(Feature::Summary, "second")).await.unwrap();
        assert!(second.budget_warning.is_some());
        let calls = env.fake.request_count();
        // At 100 %: refused, without calling Claude.
        let err = env
            .gw
            .send(req(Feature::Summary, "third"))
            .await
            .unwrap_err();
        match &err {
            GatewayError::BudgetExceeded {
                scope,
                spent_usd,
                limit_usd,
            } => {
                assert_eq!(scope, "monthly");
                assert!(spent_usd >= limit_usd);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("Monthly AI budget reached ($"));
        assert!(err
            .to_string()
            .ends_with("Raise it in Settings → AI or wait until next month."));
        assert_eq!(env.fake.request_count(), calls);
        let rows = env.rows();
        assert_eq!(rows.len(), 4);
        assert_eq!(
            (rows[0].outcome.as_str(), rows[0].attempts, rows[0].cost_usd),
            ("budget", 0, 0.0)
        );
        // A new month starts from zero.
        env.clock.advance(Duration::from_secs(31 * 24 * 3600));
        env.gw.send(req(Feature::Summary, "third")).await.unwrap();

        // A feature budget stops only that feature.
        env.gw
            .set_budgets(Budgets {
                monthly_usd: None,
                per_feature: vec![FeatureBudget {
                    feature: "proposal".into(),
                    limit_usd: 0.0,
                }],
            })
            .unwrap();
        let err = env
            .gw
            .send(req(Feature::Proposal, "a proposal"))
            .await
            .unwrap_err();
        assert!(matches!(&err, GatewayError::BudgetExceeded { scope, .. } if scope == "proposal"));
        assert!(err.to_string().contains("for proposals"));
        env.gw
            .send(req(Feature::Summary, "still fine"))
            .await
            .unwrap();
        let usage = env.gw.usage(0).unwrap();
        assert_eq!(usage.budgets.len(), 1);
        assert_eq!(env.gw.budgets().unwrap().per_feature[0].feature, "proposal");
    }

    #[tokio::test]
    async fn feature_rate_limit_refuses_after_a_short_wait() {
        let env = Env::with(|c| {
            c.rate_limits.per_feature.insert(
                Feature::Proposal,
                FeatureRate {
                    per_minute: 1,
                    burst: 1,
                },
            );
            c.rate_limits.max_wait = Duration::from_millis(100);
        })
        .await;
        let resp = env
            .gw
            .send(req(Feature::Proposal, "proposal one"))
            .await
            .unwrap();
        let t = Instant::now();
        let err = env
            .gw
            .send(req(Feature::Proposal, "proposal two"))
            .await
            .unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(2));
        match &err {
            GatewayError::RateLimited {
                feature,
                retry_after_ms,
            } => {
                assert_eq!(*feature, Feature::Proposal);
                assert!(*retry_after_ms > 1_000);
            }
            other => panic!("{other:?}"),
        }
        assert!(err
            .to_string()
            .starts_with("Too many AI requests for proposals"));
        // Other features are not held back.
        env.gw
            .send(req(Feature::Summary, "a summary"))
            .await
            .unwrap();
        assert_eq!(env.fake.request_count(), 2);
        let rows = env.rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[1].outcome.as_str(), rows[1].attempts, rows[1].cost_usd),
            ("rate_limited", 0, 0.0)
        );
        assert_cost(&rows[2], "claude-sonnet-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn no_api_key_is_a_clear_error_but_cache_hits_still_answer() {
        struct NoKey;
        impl KeySource for NoKey {
            fn api_key(&self) -> Option<String> {
                None
            }
        }
        let env = Env::new().await;
        env.gw
            .send(req(Feature::Summary, "cached before"))
            .await
            .unwrap();
        let cfg = config(env.dir.path(), &env.fake.url(), env.clock.clone());
        let gw = Gateway::open(cfg, Arc::new(NoKey)).unwrap();
        let err = gw.send(req(Feature::Summary, "new")).await.unwrap_err();
        assert!(matches!(err, GatewayError::NoApiKey));
        assert!(err.to_string().contains("Settings"));
        let hit = gw
            .send(req(Feature::Summary, "cached before"))
            .await
            .unwrap();
        assert_eq!(hit.served_from, ServedFrom::ResponseCache);
        assert_eq!(env.fake.request_count(), 1);
        assert_eq!(env.rows().len(), 3);
    }

    /// The gateway keeps the key it read in memory; a key replaced in the keyring is used
    /// after `forget_api_key` (Settings saved it) or after Claude rejects the old one.
    #[tokio::test]
    async fn a_replaced_key_is_read_again_after_settings_or_a_401() {
        struct Swappable(Mutex<String>, std::sync::atomic::AtomicUsize);
        impl KeySource for Swappable {
            fn api_key(&self) -> Option<String> {
                self.1.fetch_add(1, Ordering::SeqCst);
                Some(self.0.lock().unwrap().clone())
            }
        }
        let opts = FakeOptions {
            api_keys: closer_claude_fake::KeyPolicy::Exact(vec!["sk-ant-new-key".into()]),
            ..FakeOptions::default()
        };
        let fake = FakeAnthropic::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), opts)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let keys = Arc::new(Swappable(
            Mutex::new("sk-ant-new-key".into()),
            Default::default(),
        ));
        let gw = Gateway::open(config(dir.path(), &fake.url(), clock), keys.clone()).unwrap();
        gw.send(req(Feature::Summary, "one")).await.unwrap();
        gw.send(req(Feature::Summary, "two")).await.unwrap();
        assert_eq!(
            keys.1.load(Ordering::SeqCst),
            1,
            "read once, then from memory"
        );

        // Removed in Settings: the next request reads the keyring again and sends the new value.
        *keys.0.lock().unwrap() = "sk-ant-revoked".into();
        gw.forget_api_key();
        let err = gw.send(req(Feature::Summary, "three")).await.unwrap_err();
        assert!(err.to_string().to_lowercase().contains("key"), "{err}");
        assert_eq!(keys.1.load(Ordering::SeqCst), 2);

        // Fixed in the keyring (outside the app): the 401 made the gateway forget its copy.
        *keys.0.lock().unwrap() = "sk-ant-new-key".into();
        gw.send(req(Feature::Summary, "four")).await.unwrap();
        assert_eq!(keys.1.load(Ordering::SeqCst), 3);
    }
}

// ---------------------------------------------------------------------------------------
// Response cache
// ---------------------------------------------------------------------------------------

mod response_cache {
    use super::*;

    #[tokio::test]
    async fn cache_survives_reopen() {
        let mut env = Env::new().await;
        let first = env
            .gw
            .send(req(Feature::LeadScore, "Score Acme."))
            .await
            .unwrap();
        env.reopen(|_| {});
        let again = env
            .gw
            .send(req(Feature::LeadScore, "Score Acme."))
            .await
            .unwrap();
        assert_eq!(again.served_from, ServedFrom::ResponseCache);
        assert_eq!((again.attempts, again.cost_usd), (0, 0.0));
        assert_eq!(again.message, first.message);
        assert_eq!(env.fake.request_count(), 1);
        let rows = env.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].cache_layer.as_str(), rows[0].outcome.as_str()),
            ("response", "ok")
        );
        // A rep asking to regenerate skips the cache.
        let mut fresh = req(Feature::LeadScore, "Score Acme.");
        fresh.fresh = true;
        let regenerated = env.gw.send(fresh).await.unwrap();
        assert_eq!(regenerated.served_from, ServedFrom::Upstream);
        assert_eq!(env.fake.request_count(), 2);
    }

    #[tokio::test]
    async fn ttl_expiry_follows_the_clock() {
        let env = Env::new().await;
        let r = || {
            req(
                Feature::QueryUnderstanding,
                "enterprise deals closing this quarter",
            )
        };
        env.gw.send(r()).await.unwrap();
        env.clock.advance(Duration::from_secs(4 * 60));
        assert_eq!(
            env.gw.send(r()).await.unwrap().served_from,
            ServedFrom::ResponseCache
        );
        env.clock.advance(Duration::from_secs(2 * 60)); // 6 min > 5 min TTL
        assert_eq!(
            env.gw.send(r()).await.unwrap().served_from,
            ServedFrom::Upstream
        );
        assert_eq!(env.fake.request_count(), 2);
        // Lead scores last a day.
        let s = || req(Feature::LeadScore, "Score Acme.");
        env.gw.send(s()).await.unwrap();
        env.clock.advance(23 * HOUR);
        assert_eq!(
            env.gw.send(s()).await.unwrap().served_from,
            ServedFrom::ResponseCache
        );
        env.clock.advance(2 * HOUR);
        assert_eq!(
            env.gw.send(s()).await.unwrap().served_from,
            ServedFrom::Upstream
        );
        assert_eq!(env.fake.request_count(), 4);
    }

    #[tokio::test]
    async fn stream_cache_hit_replays_the_text() {
        let env = Env::new().await;
        let answer =
            "Acme is a strong fit: budget approved, champion in IT, decision by June. ".repeat(4);
        env.fake.script([Step::Text(answer.clone())]);
        let mut live = Vec::new();
        let first = env
            .gw
            .stream(
                req(Feature::Summary, "Summarize Acme."),
                &mut |t: &str| live.push(t.to_string()),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(live.concat(), answer);
        assert!(live.len() > 1, "streamed in several deltas");
        assert_eq!(first.message.text(), answer);

        let mut replayed = Vec::new();
        let second = env
            .gw
            .stream(
                req(Feature::Summary, "Summarize Acme."),
                &mut |t: &str| replayed.push(t.to_string()),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(second.served_from, ServedFrom::ResponseCache);
        assert_eq!(replayed.concat(), answer);
        assert!(replayed.len() > 1, "replayed in chunks, not one JSON body");
        assert_eq!(env.fake.request_count(), 1);
        let rows = env.rows();
        assert_eq!(rows.len(), 2);
        assert_cost(&rows[1], "claude-haiku-4-5", &first.message.usage);
    }

    #[tokio::test]
    async fn cancel_stops_the_stream_and_books_tokens_so_far() {
        let fake = FakeAnthropic::start_on(
            "127.0.0.1:0".parse().unwrap(),
            FakeOptions {
                chunk_delay: Duration::from_millis(30),
                ..FakeOptions::default()
            },
        )
        .await
        .unwrap();
        let env = Env::on(fake, |_| {});
        env.fake.script([Step::Text("word ".repeat(200))]);
        let cancel = CancellationToken::new();
        let seen = Arc::new(Mutex::new(String::new()));
        let fired = Arc::new(AtomicBool::new(false));
        let (s, c, f) = (seen.clone(), cancel.clone(), fired.clone());
        let mut on_text = move |t: &str| {
            s.lock().unwrap().push_str(t);
            if !f.swap(true, Ordering::SeqCst) {
                c.cancel();
            }
        };
        let err = env
            .gw
            .stream(
                req(Feature::Summary, "Summarize at length."),
                &mut on_text,
                &cancel,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, GatewayError::Cancelled), "{err:?}");
        assert!(seen.lock().unwrap().len() < 200 * 5);
        let row = env.one_row();
        assert_eq!(row.outcome, "cancelled");
        assert!(row.input_tokens > 0, "tokens so far are booked");
        assert!(row.cost_usd > 0.0);
        // Nothing half-finished went into the cache.
        env.gw
            .send(req(Feature::Summary, "Summarize at length."))
            .await
            .unwrap();
        assert_eq!(env.fake.request_count(), 2);
    }
}

// ---------------------------------------------------------------------------------------
// Prompt caching, routing and pricing
// ---------------------------------------------------------------------------------------

mod prompt_caching {
    use super::*;

    #[tokio::test]
    async fn never_more_than_four_breakpoints() {
        let env = Env::new().await;
        let mut r = req(Feature::Proposal, "Draft the proposal for Acme.");
        r.context = (0..6)
            .map(|i| TextBlock::new(format!("Context block {i}: {}", "brand voice ".repeat(50))))
            .collect();
        r.tools = vec![score_tool()];
        let (wire, route) = env.gw.build_request(&r);
        assert_eq!(count_breakpoints(&wire), 4);
        assert_eq!(route.breakpoints, 4);
        assert!(wire.tools[0].cache_control.is_some());
        assert_eq!(wire.system.len(), 7);
        assert!(
            wire.system.last().unwrap().cache_control.is_some(),
            "the whole prefix is cached"
        );
        // Claude (the fake enforces the limit and the TTL order) accepts it.
        let resp = env.gw.send(r).await.unwrap();
        assert_eq!(resp.served_from, ServedFrom::Upstream);
        let sent = &env.fake.requests()[0].body;
        let marks = sent.to_string().matches("cache_control").count();
        assert_eq!(marks, 4);
        assert_eq!(
            sent["tools"][0]["cache_control"]["ttl"], "1h",
            "proposals use 1-hour breakpoints"
        );
        let row = env.one_row();
        assert_cost(&row, "claude-sonnet-5", &resp.message.usage);
    }

    #[tokio::test]
    async fn temperature_is_stripped_for_sonnet_5() {
        let env = Env::new().await;
        let mut r = req(Feature::DealAnalysis, "Analyse Globex.");
        r.temperature = Some(0.3);
        let (wire, route) = env.gw.build_request(&r);
        assert_eq!(wire.model, "claude-sonnet-5");
        assert_eq!(wire.temperature, None);
        assert_eq!(route.reason, "deal_analysis → sonnet tier: long-context reasoning; temperature dropped (the model takes only the default)");
        env.gw.send(r).await.unwrap();
        let sent = &env.fake.requests()[0].body;
        assert!(sent.get("temperature").is_none(), "{sent}");
        assert_eq!(sent["model"], "claude-sonnet-5");
        let row = env.one_row();
        assert!(row
            .routing_reason
            .starts_with("deal_analysis → sonnet tier"));
        // Haiku keeps it.
        let mut r = req(Feature::LeadScore, "Score Globex.");
        r.temperature = Some(0.3);
        env.gw.send(r).await.unwrap();
        let sent = &env.fake.requests()[1].body;
        assert_eq!(sent["model"], "claude-haiku-4-5");
        assert!((sent["temperature"].as_f64().unwrap() - 0.3).abs() < 1e-6);
    }

    #[tokio::test]
    async fn cache_writes_and_reads_are_priced_with_their_multipliers() {
        let env = Env::new().await;
        let mut r = req(Feature::CallAnalysis, "What objections came up?");
        r.max_tokens = 50;
        r.context = vec![TextBlock::new(format!(
            "Transcript: {}",
            "We need SSO and a lower price. ".repeat(400)
        ))];
        let first = env.gw.send(r.clone()).await.unwrap();
        let u1 = first.message.usage.clone();
        assert!(u1.cache_creation_input_tokens > 1000, "{u1:?}");
        let mut again = r.clone();
        again.fresh = true; // skip the response cache: a second real call
        let second = env.gw.send(again).await.unwrap();
        let u2 = second.message.usage.clone();
        assert!(u2.cache_read_input_tokens > 1000, "{u2:?}");
        assert_eq!(u2.cache_creation_input_tokens, 0);
        let rows = env.rows();
        assert_eq!(rows.len(), 2);
        assert_cost(&rows[1], "claude-sonnet-5", &u1);
        assert_cost(&rows[0], "claude-sonnet-5", &u2);
        // Reads cost a tenth of writes' base: the second call is much cheaper.
        assert!(rows[0].cost_usd < rows[1].cost_usd / 3.0);
        let usage = env.gw.usage(0).unwrap();
        assert!(
            usage.prompt_cache_hit_rate > 0.3,
            "{}",
            usage.prompt_cache_hit_rate
        );
    }
}

// ---------------------------------------------------------------------------------------
// Secrets and the usage report
// ---------------------------------------------------------------------------------------

mod secrets_and_report {
    use super::*;

    #[tokio::test]
    async fn api_key_never_reaches_the_database_or_errors() {
        let env = Env::new().await;
        env.fake.script([Step::Status {
            status: 401,
            retry_after: None,
        }]);
        let err = env.gw.send(req(Feature::Summary, "one")).await.unwrap_err();
        assert!(!err.to_string().contains(KEY));
        assert!(!format!("{err:?}").contains(KEY));
        assert!(!format!("{:?}", env.gw).contains(KEY));
        env.fake.script([Step::Status {
            status: 500,
            retry_after: None,
        }]);
        env.gw.send(req(Feature::Summary, "two")).await.unwrap();
        let mut q = req(Feature::Summary, "three");
        q.queue = Some(QueuedJob {
            kind: "k".into(),
            payload: serde_json::json!({}),
        });
        env.fake.script(vec![
            Step::Status {
                status: 503,
                retry_after: None
            };
            4
        ]);
        let err = env.gw.send(q).await.unwrap_err();
        assert!(matches!(err, GatewayError::Queued { .. }));
        env.gw.run_queue().await.unwrap();
        // The key went out in the header, and nowhere else.
        assert!(env
            .fake
            .requests()
            .iter()
            .all(|r| r.header("x-api-key").is_some()));
        drop(env.gw);
        for name in ["ai.sqlite3", "ai.sqlite3-wal"] {
            let path = env.dir.path().join(name);
            if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(KEY), "{name} holds the API key");
                assert!(
                    !text.contains("SECRET-0123456789"),
                    "{name} holds part of the key"
                );
            }
        }
    }

    #[tokio::test]
    async fn usage_report_sums_the_ledger() {
        let env = Env::new().await;
        let a = env
            .gw
            .send(req(Feature::LeadScore, "Score A."))
            .await
            .unwrap();
        env.gw
            .send(req(Feature::LeadScore, "Score A."))
            .await
            .unwrap(); // cache hit
        let b = env
            .gw
            .send(req(Feature::Proposal, "Propose to B."))
            .await
            .unwrap();
        env.gw
            .set_budgets(Budgets {
                monthly_usd: Some(100.0),
                per_feature: vec![FeatureBudget {
                    feature: "lead_score".into(),
                    limit_usd: 5.0,
                }],
            })
            .unwrap();
        let u = env.gw.usage(0).unwrap();
        assert_eq!(u.total.requests, 3);
        assert_eq!(u.total.cache_hits, 1);
        assert!((u.response_cache_hit_rate - 1.0 / 3.0).abs() < 1e-9);
        assert!((u.total.cost_usd - (a.cost_usd + b.cost_usd)).abs() < 1e-12);
        assert_eq!(u.features.len(), 2);
        assert_eq!(u.features[0].feature, "proposal", "highest cost first");
        assert_eq!(u.cost_by_feature_day.len(), 2);
        assert_eq!(u.cost_by_feature_day[0].day, "2026-03-15");
        assert!(u.latency_p50_ms.is_some() && u.latency_p95_ms >= u.latency_p50_ms);
        assert_eq!(u.budgets.len(), 2);
        assert_eq!(u.circuit.status, CircuitStatus::Closed);
        assert_eq!(u.recent.len(), 3);
        assert!(
            u.recent[0].prompt_excerpt.contains("Propose to B."),
            "newest first"
        );
        assert!(u.recent[2].prompt_excerpt.contains("Score A."));
        // Serializes for the UI.
        serde_json::to_string(&u).unwrap();
    }

    #[test]
    fn error_display_never_includes_the_key() {
        let e = GatewayError::Upstream(ClaudeError::Api {
            status: 401,
            kind: ApiErrorKind::Authentication,
            message: format!("invalid x-api-key {KEY}"),
            request_id: None,
            retry_after: None,
            should_retry: None,
            error_code: None,
        });
        assert!(!e.to_string().contains(KEY));
        let e = GatewayError::Upstream(ClaudeError::Api {
            status: 400,
            kind: ApiErrorKind::InvalidRequest,
            message: format!("bad {KEY}"),
            request_id: None,
            retry_after: None,
            should_retry: None,
            error_code: None,
        });
        assert!(!e.to_string().contains(KEY), "{e}");
    }
}
