//! The AI features end to end: the real gateway (`closer-gateway`, with its SQLite ledger,
//! cache and queue in a temp dir) against the fake Anthropic API (`closer-claude-fake`) on
//! loopback. Scripted replies stand in for the model where a test needs a particular answer;
//! unscripted replies are synthesised by the fake from the tool's schema.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use closer_ai::{
    apply_queued, local_health, Ai, AiError, CallContext, DealContext, ProposalContext,
    QueuedResult, LEAD_BATCH_SIZE,
};
use closer_claude_fake::{FakeAnthropic, FakeOptions, Step};
use closer_gateway::{
    Feature, FeatureRate, FixedKey, Gateway, GatewayConfig, GatewayError, RetryPolicy,
};
use closer_types::{
    Activity, ActivityKind, BattleCard, Call, ContentItem, ContentKind, ContentStats, Deal,
    DealStage, Lead, LeadStatus, ObjectionResponse, Speaker, Stakeholder, TranscriptSegment,
};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

// ---- helpers -------------------------------------------------------------------------------

struct Env {
    fake: FakeAnthropic,
    ai: Ai,
    _dir: tempfile::TempDir,
}

fn config(dir: &std::path::Path, url: String) -> GatewayConfig {
    let mut cfg = GatewayConfig::new(dir.join("ai.sqlite3"), url);
    cfg.connect_timeout = Duration::from_secs(2);
    cfg.timeout = Duration::from_secs(30);
    cfg.retry = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    };
    cfg.rate_limits.per_feature = Feature::ALL
        .into_iter()
        .map(|f| {
            (
                f,
                FeatureRate {
                    per_minute: 6_000,
                    burst: 100,
                },
            )
        })
        .collect();
    cfg
}

async fn env() -> Result<Env> {
    let fake = FakeAnthropic::start().await?;
    let dir = tempfile::tempdir()?;
    let gateway = Gateway::open(
        config(dir.path(), fake.url()),
        Arc::new(FixedKey("sk-ant-test-0000".into())),
    )?;
    Ok(Env {
        fake,
        ai: Ai::new(gateway),
        _dir: dir,
    })
}

const DAY: i64 = 86_400_000;
const T0: i64 = 20_700 * DAY;

fn lead(i: usize) -> Lead {
    Lead {
        id: format!("lead-{i:03}"),
        company: format!("Company {i}"),
        domain: Some(format!("company{i}.example")),
        industry: Some(["Retail", "Healthcare", "Manufacturing"][i % 3].into()),
        employee_count: Some(100 + 37 * i as i64),
        contacts: vec![closer_types::Contact {
            name: format!("Person {i}"),
            title: Some("VP Sales".into()),
            email: Some(format!("person{i}@company{i}.example")),
            phone: None,
        }],
        source: Some("Webinar".into()),
        status: LeadStatus::New,
        owner: None,
        score: None,
        created_at: T0,
        updated_at: T0,
    }
}

fn score_item(id: &str, parts: [u8; 4]) -> Value {
    json!({"lead_id": id, "score": parts.iter().map(|&p| u32::from(p)).sum::<u32>(),
        "budget": parts[0], "authority": parts[1], "need": parts[2], "timeline": parts[3],
        "rationale": "Strong need; timeline not yet known."})
}

fn scores_for(leads: &[Lead]) -> Value {
    let items: Vec<Value> = leads
        .iter()
        .enumerate()
        .map(|(i, l)| score_item(&l.id, [(i % 26) as u8, 10, 20, 5]))
        .collect();
    json!({ "scores": items })
}

fn activity(id: &str, days_ago: i64, kind: ActivityKind, body: &str) -> Activity {
    Activity {
        id: id.into(),
        deal_id: Some("deal-1".into()),
        lead_id: Some("lead-000".into()),
        kind,
        body: body.into(),
        author: Some("Alex Rivera".into()),
        at: T0 - days_ago * DAY,
        created_at: T0,
        updated_at: T0,
    }
}

fn content(id: &str, kind: ContentKind, industry: &str, body: &str) -> ContentItem {
    ContentItem {
        id: id.into(),
        title: format!("{id} title"),
        kind,
        industries: vec![industry.into()],
        personas: vec!["CFO".into()],
        topics: vec!["ROI".into()],
        body: body.into(),
        source_path: None,
        stats: ContentStats::default(),
        created_at: T0,
        updated_at: T0,
    }
}

fn card() -> BattleCard {
    BattleCard {
        id: "card-vantage".into(),
        competitor: "Vantage BI".into(),
        summary: "General-purpose BI suite.".into(),
        our_strengths: vec!["Forecasts ready out of the box.".into()],
        their_weaknesses: vec!["Batch refresh.".into()],
        pricing_comparison: "Vantage $45/seat plus services.".into(),
        key_differentiators: vec!["Purpose-built revenue forecasting.".into()],
        objections: vec![ObjectionResponse {
            objection: "Vantage is cheaper per seat.".into(),
            response: "Not once services are counted.".into(),
        }],
        trigger_phrases: vec!["Vantage".into()],
        updated_by: None,
        created_at: T0,
        updated_at: T0,
    }
}

fn deal() -> Deal {
    Deal {
        id: "deal-1".into(),
        lead_id: Some("lead-000".into()),
        name: "Company 0 — Forecast Enterprise".into(),
        amount_cents: 9_600_000,
        stage: DealStage::Proposal,
        close_date: Some("2026-12-31".into()),
        competitors: vec!["Vantage BI".into()],
        owner: Some("Alex Rivera".into()),
        stakeholders: vec![
            Stakeholder {
                name: "Dana Ortiz".into(),
                title: Some("VP Sales".into()),
                role: Some("champion".into()),
            },
            Stakeholder {
                name: "Sam Lee".into(),
                title: Some("CFO".into()),
                role: Some("economic_buyer".into()),
            },
        ],
        created_at: T0 - 40 * DAY,
        updated_at: T0,
    }
}

fn deal_ctx() -> DealContext {
    DealContext {
        lead: Some(lead(0)),
        activities: vec![
            activity(
                "act-1",
                30,
                ActivityKind::Meeting,
                "Discovery with Dana Ortiz: forecast misses of 18%.",
            ),
            activity(
                "act-2",
                12,
                ActivityKind::Email,
                "Sam Lee asked for a three-year TCO against Vantage BI.",
            ),
            activity(
                "act-3",
                3,
                ActivityKind::Note,
                "Dana quiet since the pricing email.",
            ),
        ],
        battle_cards: vec![card()],
        content: vec![
            content(
                "cs-retail",
                ContentKind::CaseStudy,
                "Retail",
                "A retailer.\n\nAccuracy rose to 94%.",
            ),
            content(
                "roi-retail",
                ContentKind::RoiCalculator,
                "Retail",
                "ROI model.",
            ),
        ],
        ..DealContext::new(deal())
    }
}

fn analysis(content_id: &str) -> Value {
    json!({
        "deal_health_score": 61,
        "confidence": "medium",
        "summary": "Progressing; the CFO wants proof of TCO and the champion has gone quiet.",
        "buying_signals": [{"signal": "CFO asked for a TCO", "timestamp": "2026-09-01",
            "strength": "strong", "source": "act-2"}],
        "risks": [{"risk": "Champion quiet", "severity": "high", "evidence": ["act-3"],
            "recommended_action": "Call Dana"}],
        "next_actions": [{"action": "Send the TCO", "priority": 1, "timing": "within 24 hours",
            "rationale": "The CFO asked"}],
        "content_recommendations": [{"content_id": content_id, "relevance_score": 90,
            "reason": "Same industry, ROI"}],
        "stakeholder_map": [{"name": "Sam Lee", "title": "CFO", "role": "economic_buyer",
            "influence": "high", "stance": "neutral"}],
        "competitive_threats": [{"competitor": "Vantage BI", "threat": "Cheaper seats",
            "response": "Three-year TCO"}]
    })
}

fn call() -> Call {
    let seg = |speaker, s: u32, text: &str| TranscriptSegment {
        speaker,
        start_ms: s * 1000,
        end_ms: s * 1000 + 4000,
        text: text.into(),
    };
    Call {
        id: "call-1".into(),
        deal_id: Some("deal-1".into()),
        lead_id: Some("lead-000".into()),
        title: "Pricing call with Dana".into(),
        started_at: T0 - DAY,
        ended_at: Some(T0 - DAY + 30 * 60_000),
        segments: vec![
            seg(Speaker::Rep, 0, "Thanks for making time, Dana."),
            seg(
                Speaker::Prospect,
                5,
                "Vantage quoted us forty dollars a seat. Why pay more?",
            ),
            seg(
                Speaker::Rep,
                12,
                "Counting their services, Lumora is cheaper over three years.",
            ),
            seg(
                Speaker::Prospect,
                20,
                "Send me that comparison and I'll take it to Sam.",
            ),
        ],
        analysis: None,
        created_at: T0,
        updated_at: T0,
    }
}

fn proposal_ctx() -> ProposalContext {
    let ctx = deal_ctx();
    ProposalContext {
        proposal_id: Some("prop-1".into()),
        deal: Some(ctx.deal),
        lead: ctx.lead,
        activities: ctx.activities,
        battle_cards: ctx.battle_cards,
        content: ctx.content,
        brand_guidelines: None,
    }
}

/// The bodies of the `/v1/messages` requests the fake received.
fn message_bodies(fake: &FakeAnthropic) -> Vec<Value> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .map(|r| r.body)
        .collect()
}

// ---- lead scoring --------------------------------------------------------------------------

/// 25 leads are scored in three requests of 10, 10 and 5, each validated and summed.
#[tokio::test]
async fn scoring_25_leads_takes_three_requests() -> Result<()> {
    let e = env().await?;
    let leads: Vec<Lead> = (0..25).map(lead).collect();
    e.fake.script(
        leads
            .chunks(LEAD_BATCH_SIZE)
            .map(|b| Step::ToolInput(scores_for(b))),
    );
    let scores = e.ai.score_leads(&leads).await?;
    assert_eq!(e.fake.request_count(), 3);
    assert_eq!(scores.len(), 25);
    for ((id, s), l) in scores.iter().zip(&leads) {
        assert_eq!(id, &l.id);
        let b = s.breakdown;
        let sum = u32::from(b.budget)
            + u32::from(b.authority)
            + u32::from(b.need)
            + u32::from(b.timeline);
        assert_eq!(
            u32::from(s.score) * 4,
            sum,
            "score is the mean of the 0-100 breakdown"
        );
        assert!(s.score <= 100);
    }
    // Each request carried its batch, forced the tool, and no contact email.
    let bodies = message_bodies(&e.fake);
    let sizes: Vec<usize> = bodies
        .iter()
        .map(|b| {
            b["tools"][0]["input_schema"]["properties"]["scores"]["prefixItems"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [10, 10, 5]);
    for b in &bodies {
        assert_eq!(
            b["tool_choice"],
            json!({"type": "tool", "name": "record_lead_scores"})
        );
        assert!(
            !b.to_string().contains("@company"),
            "contact emails stay out of prompts"
        );
    }
    Ok(())
}

/// An invalid reply gets one repair request carrying the bad input and the errors.
#[tokio::test]
async fn an_invalid_reply_is_repaired_once() -> Result<()> {
    let e = env().await?;
    let leads: Vec<Lead> = (0..2).map(lead).collect();
    let bad = json!({"scores": [score_item("lead-000", [30, 1, 1, 1]), score_item("lead-999", [1, 1, 1, 1])]});
    e.fake.script([
        Step::ToolInput(bad.clone()),
        Step::ToolInput(scores_for(&leads)),
    ]);
    let scores = e.ai.score_leads(&leads).await?;
    assert_eq!(scores.len(), 2);
    assert_eq!(e.fake.request_count(), 2);
    let bodies = message_bodies(&e.fake);
    let repair = bodies[1]["messages"].as_array().context("messages")?;
    let asst = &repair[repair.len() - 2];
    assert_eq!(asst["role"], "assistant");
    assert_eq!(asst["content"][0]["type"], "tool_use");
    assert_eq!(asst["content"][0]["input"], bad);
    let result = &repair[repair.len() - 1]["content"][0];
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["is_error"], true);
    let errors = result["content"].as_str().unwrap_or_default();
    assert!(
        errors.contains("/scores/0/budget") && errors.contains("/scores/1/lead_id"),
        "{errors}"
    );
    Ok(())
}

/// Two invalid replies: `InvalidReply`, and no score at all comes back.
#[tokio::test]
async fn two_invalid_replies_return_nothing() -> Result<()> {
    let e = env().await?;
    let leads: Vec<Lead> = (0..3).map(lead).collect();
    let bad = json!({"scores": [score_item("lead-000", [5, 5, 5, 5])]});
    e.fake
        .script([Step::ToolInput(bad.clone()), Step::ToolInput(bad)]);
    match e.ai.score_leads(&leads).await {
        Err(AiError::InvalidReply { errors }) => assert!(!errors.is_empty()),
        other => bail!("expected InvalidReply, got {other:?}"),
    }
    assert_eq!(e.fake.request_count(), 2);
    // Asked again, the gateway's cache holds the invalid first answer: it is not used, the
    // request goes upstream again (fresh), and the fake's schema-synthesised answer is valid
    // by construction. One more request, no repair.
    let run = e.ai.score_leads_batched(&leads).await;
    assert_eq!((run.scores.len(), run.failed.len()), (3, 0));
    assert_eq!(e.fake.request_count(), 3);
    // Now the cache holds a valid answer: no request at all.
    assert_eq!(e.ai.score_leads(&leads).await?.len(), 3);
    assert_eq!(e.fake.request_count(), 3);
    Ok(())
}

// ---- deal analysis -------------------------------------------------------------------------

/// A recommendation of content that is not in the library is repaired.
#[tokio::test]
async fn deal_analysis_with_unknown_content_is_repaired() -> Result<()> {
    let e = env().await?;
    let ctx = deal_ctx();
    e.fake.script([
        Step::ToolInput(analysis("cs_healthcare_roi_2024")),
        Step::ToolInput(analysis("cs-retail")),
    ]);
    let a = e.ai.analyze_deal(&ctx).await?;
    assert_eq!(e.fake.request_count(), 2);
    assert_eq!(a.content_recommendations[0].content_id, "cs-retail");
    assert_eq!(a.buying_signals[0].source, "act-2");
    // The signal's date is the cited entry's date, not the model's.
    assert_eq!(a.buying_signals[0].timestamp, "2026-08-23");
    assert!(!a.model.is_empty() && a.analyzed_at > 0 && !a.stale);
    let bodies = message_bodies(&e.fake);
    let errors = bodies[1].to_string();
    assert!(
        errors.contains("content_recommendations/0/content_id"),
        "{errors}"
    );
    // The stable context is sent in order: brand guidelines, battle card, content.
    let system: Vec<String> = bodies[0]["system"]
        .as_array()
        .context("system")?
        .iter()
        .map(|b| b["text"].as_str().unwrap_or_default().to_string())
        .collect();
    let at = |needle: &str| system.iter().position(|t| t.contains(needle));
    assert!(at("Lumora brand guidelines") < at("Battle card: Vantage BI"));
    assert!(at("Battle card: Vantage BI") < at("[cs-retail]"));
    Ok(())
}

// ---- every feature against the fake's own answers -------------------------------------------

/// Unscripted, the fake answers from the tool schema; every feature's narrowed schema is
/// precise enough that those answers pass every check the first time (the demo mode).
#[tokio::test]
async fn synthesised_answers_validate_for_every_feature() -> Result<()> {
    let e = env().await?;
    let leads: Vec<Lead> = (0..7).map(lead).collect();
    assert_eq!(e.ai.score_leads(&leads).await?.len(), 7);
    let a = e.ai.analyze_deal(&deal_ctx()).await?;
    assert!(a.deal_health_score <= 100);
    let mut call_ctx = CallContext::new(call());
    call_ctx.battle_cards.push(card());
    let c = e.ai.analyze_call(&call_ctx).await?;
    assert!((-1.0..=1.0).contains(&c.sentiment));
    let notes = vec![activity(
        "act-9",
        2,
        ActivityKind::Note,
        "Vantage cut seats to $40.",
    )];
    let s =
        e.ai.suggest_battle_card_updates(&card(), &notes, &[call()])
            .await?;
    assert!(s
        .iter()
        .all(|x| x.card_id == "card-vantage" && !x.sources.is_empty()));
    assert_eq!(e.fake.request_count(), 4, "no repair was needed");
    let bodies = message_bodies(&e.fake);
    let features: Vec<&str> = bodies
        .iter()
        .map(|b| b["tools"][0]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        features,
        [
            "record_lead_scores",
            "record_deal_analysis",
            "record_call_analysis",
            "suggest_battle_card_updates"
        ]
    );
    Ok(())
}

/// Query understanding and audit recommendations: the fake's schema-built answers pass at
/// once, name only the vocabulary and the audited assets, and each is one request.
#[tokio::test]
async fn search_understanding_and_audit_advice_stay_inside_what_was_given() -> Result<()> {
    let e = env().await?;
    let vocab = closer_ai::SearchVocabulary {
        kinds: &["case study", "one-pager"],
        industries: &["Healthcare", "Logistics"],
        personas: &["CFO", "CIO"],
        concerns: &["ROI", "security"],
    };
    let (u, stale) =
        e.ai.understand_query("case studies for hospital finance chiefs", &vocab)
            .await?;
    assert!(!stale);
    assert!(u.kinds.iter().all(|k| vocab.kinds.contains(&k.as_str())));
    assert!(u
        .industries
        .iter()
        .all(|k| vocab.industries.contains(&k.as_str())));
    assert!(u
        .personas
        .iter()
        .all(|k| vocab.personas.contains(&k.as_str())));

    let audit = closer_types::ContentAudit {
        generated_at: T0,
        items: 3,
        stale: vec![closer_types::StaleItem {
            id: "c-old".into(),
            title: "Price list 2023".into(),
            reasons: vec!["quotes a price list from 2023".into()],
        }],
        duplicates: Vec::new(),
        gaps: vec![closer_types::CoverageGap {
            industry: "Healthcare".into(),
            persona: "CFO".into(),
            kind: closer_types::ContentKind::CaseStudy,
            open_deals: 2,
            open_amount_cents: 9_000_000,
        }],
        top: Vec::new(),
        under: Vec::new(),
        by_kind: Vec::new(),
    };
    let advice = e.ai.advise_on_audit(&audit).await?.expect("advice");
    assert!(!advice.recommendations.is_empty());
    assert!(advice
        .recommendations
        .iter()
        .all(|r| r.content_ids.iter().all(|id| id == "c-old") && !r.title.is_empty()));
    assert_eq!(e.fake.request_count(), 2, "no repair was needed");
    let rows = e.ai.gateway().ledger(0, 10)?;
    let mut features: Vec<&str> = rows.iter().map(|r| r.feature.as_str()).collect();
    features.sort_unstable();
    assert_eq!(features, ["content_audit", "query_understanding"]);
    Ok(())
}

// ---- proposals -----------------------------------------------------------------------------

/// A streamed proposal reaches the caller in several pieces that add up to the result.
#[tokio::test]
async fn streamed_proposal_arrives_in_chunks() -> Result<()> {
    let e = env().await?;
    let text = "# Proposal: Lumora Forecast for Company 0\n\n## Executive summary\n\nCompany 0 needs a forecast its board can trust. ".repeat(6);
    e.fake.script([Step::Text(text.clone())]);
    let chunks = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&chunks);
    let mut on_text = move |t: &str| {
        if let Ok(mut c) = sink.lock() {
            c.push(t.to_string());
        }
    };
    let out =
        e.ai.stream_proposal(&proposal_ctx(), &mut on_text, &CancellationToken::new())
            .await?;
    let chunks = chunks.lock().map(|c| c.clone()).unwrap_or_default();
    assert!(chunks.len() > 1, "{} chunk(s)", chunks.len());
    assert_eq!(chunks.concat(), text);
    assert_eq!(out, text.trim());
    Ok(())
}

/// With Claude unreachable a polish is queued; once it is back the queued answer is
/// applied as a validated result.
#[tokio::test]
async fn polish_while_offline_is_queued_then_applied() -> Result<()> {
    let e = env().await?;
    let addr = e.fake.addr();
    let Env { fake, ai, _dir } = e;
    fake.stop().await;
    let ctx = proposal_ctx();
    let draft = "# Proposal\n\nA draft that needs polish.";
    let job_id = match ai.polish_proposal(&ctx, draft).await {
        Err(AiError::Gateway(GatewayError::Queued { job_id })) => job_id,
        other => bail!("expected Queued, got {other:?}"),
    };
    let queued = ai.gateway().queued()?;
    assert_eq!(queued.len(), 1);

    // Claude is back: the queue runs, and the core applies what came back.
    let fake = FakeAnthropic::start_on(addr, FakeOptions::default()).await?;
    fake.script([Step::Text("# Proposal\n\nA polished draft.".into())]);
    ai.gateway().run_queue().await?;
    let done = ai.gateway().completed_jobs()?;
    let job = done
        .iter()
        .find(|j| j.job_id == job_id)
        .context("completed job")?;
    let message = &job.response.as_ref().context("a response")?.message;
    match apply_queued(&job.kind, &job.payload, message)? {
        QueuedResult::ProposalPolish { proposal_id, body } => {
            assert_eq!(proposal_id, "prop-1");
            assert_eq!(body, "# Proposal\n\nA polished draft.");
        }
        other => bail!("unexpected {other:?}"),
    }
    ai.gateway().ack_job(job_id)?;
    Ok(())
}

/// Lead scoring while offline: every batch is queued with its lead ids; when Claude is back
/// the queue runs and each completed job is applied as validated scores.
#[tokio::test]
async fn offline_lead_scoring_queues_each_batch() -> Result<()> {
    let e = env().await?;
    let addr = e.fake.addr();
    let Env { fake, ai, _dir } = e;
    fake.stop().await;
    let leads: Vec<Lead> = (0..25).map(lead).collect();
    let run = ai.score_leads_batched(&leads).await;
    assert!(run.scores.is_empty() && run.failed.is_empty() && run.not_attempted.is_empty());
    let sizes: Vec<usize> = run.queued.iter().map(|q| q.lead_ids.len()).collect();
    assert_eq!(sizes, [10, 10, 5]);

    let fake = FakeAnthropic::start_on(addr, FakeOptions::default()).await?;
    ai.gateway().run_queue().await?;
    let mut scored = Vec::new();
    for job in ai.gateway().completed_jobs()? {
        let message = &job.response.as_ref().context("a response")?.message;
        match apply_queued(&job.kind, &job.payload, message)? {
            QueuedResult::LeadScores(s) => scored.extend(s),
            other => bail!("unexpected {other:?}"),
        }
        ai.gateway().ack_job(job.job_id)?;
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0));
    let ids: Vec<&str> = scored.iter().map(|(id, _)| id.as_str()).collect();
    let want: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, want);
    assert_eq!(fake.request_count(), 3);
    Ok(())
}

/// Cancelling a streamed proposal stops it; what was shown was shown.
#[tokio::test]
async fn a_streamed_proposal_can_be_cancelled() -> Result<()> {
    let fake = FakeAnthropic::start_on(
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        FakeOptions {
            chunk_delay: Duration::from_millis(20),
            ..FakeOptions::default()
        },
    )
    .await?;
    let dir = tempfile::tempdir()?;
    let gateway = Gateway::open(
        config(dir.path(), fake.url()),
        Arc::new(FixedKey("sk-ant-test-0000".into())),
    )?;
    let ai = Ai::new(gateway);
    fake.script([Step::Text(
        "# Proposal\n\n".to_string() + &"Lumora helps. ".repeat(200),
    )]);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let mut pieces = 0usize;
    let mut on_text = |_: &str| {
        pieces += 1;
        stop.cancel();
    };
    let res = ai
        .stream_proposal(&proposal_ctx(), &mut on_text, &cancel)
        .await;
    assert!(
        matches!(res, Err(AiError::Gateway(GatewayError::Cancelled))),
        "{res:?}"
    );
    assert!(pieces >= 1);
    Ok(())
}

// ---- offline -------------------------------------------------------------------------------

/// The offline features need no gateway at all.
#[test]
fn offline_features_work_on_the_same_contexts() {
    let ctx = deal_ctx();
    let h = local_health(&ctx.deal, &ctx.activities, T0);
    assert!(h.score <= 100 && !h.factors.is_empty());
    let md = closer_ai::draft_proposal(&proposal_ctx());
    assert!(md.starts_with("# Proposal: Lumora Forecast Enterprise for Company 0"));
    assert!(md.contains("### cs-retail title"));
}
