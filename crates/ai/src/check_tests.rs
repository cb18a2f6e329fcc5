//! Offline tests of what a reply must satisfy, feature by feature: schema narrowing, the
//! checks against the context, the repair request's shape, queued results.

use closer_claude::{ContentBlock, InputBlock, Message, Role, StopReason, Usage};
use closer_types::{
    Activity, ActivityKind, BattleCard, Call, CardSection, ContentItem, ContentKind, ContentStats,
    Deal, DealStage, ObjectionResponse, Speaker, SuggestionStatus, TranscriptSegment,
};
use serde_json::{json, Value};

use crate::battle_card::check_suggestions;
use crate::call_analysis::check_call_analysis;
use crate::context::DealContext;
use crate::deal_analysis::{check_deal_analysis, deal_analysis_schema};
use crate::features::repair_request;
use crate::lead_score::{check_lead_scores, lead_score_request};
use crate::schema::{validate_against, ToolSchema};
use crate::{apply_queued, apply_suggestion, AiError, QueuedResult};

fn tool_message(name: &str, input: Value) -> Message {
    Message {
        id: "msg_test".into(),
        kind: "message".into(),
        role: Role::Assistant,
        content: vec![ContentBlock::ToolUse {
            id: "toolu_test".into(),
            name: name.into(),
            input,
        }],
        model: "claude-test".into(),
        stop_reason: Some(StopReason::ToolUse),
        stop_sequence: None,
        usage: Usage::default(),
    }
}

fn text_message(text: &str) -> Message {
    Message {
        content: vec![ContentBlock::Text { text: text.into() }],
        stop_reason: Some(StopReason::EndTurn),
        ..tool_message("x", json!({}))
    }
}

fn score(id: &str, parts: [u8; 4], total: u8) -> Value {
    json!({"lead_id": id, "score": total, "budget": parts[0], "authority": parts[1],
           "need": parts[2], "timeline": parts[3], "rationale": "Budget strong; timeline unclear."})
}

fn errs<T: std::fmt::Debug>(r: Result<T, Vec<String>>) -> String {
    match r {
        Ok(v) => panic!("expected errors, got {v:?}"),
        Err(e) => e.join("\n"),
    }
}

// ---- lead scores -------------------------------------------------------------------------

#[test]
fn lead_scores_are_recomputed_from_bant_and_scaled() {
    let ids = vec!["a".to_string(), "b".to_string()];
    let m = tool_message(
        "record_lead_scores",
        json!({"scores": [score("a", [20, 15, 25, 10], 99), score("b", [0, 0, 0, 1], 1)]}),
    );
    let got = check_lead_scores(&m, &ids, 7).unwrap();
    assert_eq!(got[0].0, "a");
    let s = &got[0].1;
    assert_eq!(s.score, 70, "the model's 99 is replaced by the sum");
    assert_eq!(
        (
            s.breakdown.budget,
            s.breakdown.authority,
            s.breakdown.need,
            s.breakdown.timeline
        ),
        (80, 60, 100, 40)
    );
    assert_eq!(s.scored_at, 7);
    assert_eq!(
        s.rationale.as_deref(),
        Some("Budget strong; timeline unclear.")
    );
    assert_eq!(got[1].1.score, 1);
}

#[test]
fn lead_scores_must_be_exactly_the_batch() {
    let ids = vec!["a".to_string(), "b".to_string()];
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown id",
            json!({"scores": [score("a", [1; 4], 4), score("zz", [1; 4], 4)]}),
            "/scores/1/lead_id",
        ),
        (
            "a lead missing",
            json!({"scores": [score("a", [1; 4], 4)]}),
            "/scores",
        ),
        (
            "a lead twice",
            json!({"scores": [score("a", [1; 4], 4), score("a", [1; 4], 4)]}),
            "/scores/1/lead_id",
        ),
        (
            "wrong order",
            json!({"scores": [score("b", [1; 4], 4), score("a", [1; 4], 4)]}),
            "/scores/0/lead_id",
        ),
        (
            "part over 25",
            json!({"scores": [score("a", [26, 1, 1, 1], 29), score("b", [1; 4], 4)]}),
            "/scores/0/budget",
        ),
        (
            "rationale on two lines",
            json!({"scores": [
            {"lead_id": "a", "score": 4, "budget": 1, "authority": 1, "need": 1, "timeline": 1, "rationale": "one\ntwo"},
            score("b", [1; 4], 4)]}),
            "/scores/0/rationale",
        ),
        ("no tool call", Value::Null, "did not call the tool"),
    ];
    for (what, input, want) in cases {
        let m = if input.is_null() {
            text_message("Here are the scores: ...")
        } else {
            tool_message("record_lead_scores", input)
        };
        let e = errs(check_lead_scores(&m, &ids, 0));
        assert!(e.contains(want), "{what}: {e}");
    }
}

#[test]
fn lead_request_is_batched_queueable_and_keeps_contact_details_out() {
    let lead = closer_types::Lead {
        id: "l1".into(),
        company: "Acme".into(),
        domain: Some("acme.example".into()),
        industry: Some("Retail".into()),
        employee_count: Some(800),
        contacts: vec![closer_types::Contact {
            name: "Ann Lee".into(),
            title: Some("CFO".into()),
            email: Some("ann@acme.example".into()),
            phone: Some("+1 415 555 0199".into()),
        }],
        source: Some("Webinar".into()),
        status: closer_types::LeadStatus::New,
        owner: None,
        score: None,
        created_at: 0,
        updated_at: 0,
    };
    let req = lead_score_request(std::slice::from_ref(&lead), "BRAND");
    let text = serde_json::to_string(&req.messages).unwrap();
    assert!(text.contains("Ann Lee (CFO)"), "{text}");
    assert!(!text.contains("ann@") && !text.contains("555"), "{text}");
    assert_eq!(req.feature, closer_gateway::Feature::LeadScore);
    let q = req.queue.as_ref().unwrap();
    assert_eq!(
        (q.kind.as_str(), &q.payload),
        ("lead_score", &json!({"lead_ids": ["l1"]}))
    );
    assert_eq!(req.context[0].text, "BRAND");
    assert_eq!(
        req.tool_choice,
        Some(closer_claude::ToolChoice::Tool {
            name: "record_lead_scores".into()
        })
    );
    let schema = &req.tools[0].input_schema;
    assert_eq!(schema["properties"]["scores"]["maxItems"], 1);
    assert_eq!(
        schema["properties"]["scores"]["prefixItems"][0]["properties"]["lead_id"]["const"],
        "l1"
    );
}

// ---- deal analysis -----------------------------------------------------------------------

fn activity(id: &str, at: i64, body: &str) -> Activity {
    Activity {
        id: id.into(),
        deal_id: Some("d1".into()),
        lead_id: None,
        kind: ActivityKind::Note,
        body: body.into(),
        author: Some("Alex Rivera".into()),
        at,
        created_at: at,
        updated_at: at,
    }
}

fn content(id: &str, kind: ContentKind) -> ContentItem {
    ContentItem {
        id: id.into(),
        title: format!("Item {id}"),
        kind,
        industries: vec!["Retail".into()],
        personas: vec!["CFO".into()],
        topics: vec!["ROI".into()],
        body: "Body text. Reach us at sales@lumora.example.".into(),
        source_path: None,
        stats: ContentStats::default(),
        created_at: 0,
        updated_at: 0,
    }
}

fn deal() -> Deal {
    Deal {
        id: "d1".into(),
        lead_id: None,
        name: "Acme — Forecast".into(),
        amount_cents: 12_000_000,
        stage: DealStage::Proposal,
        close_date: Some("2026-12-31".into()),
        competitors: vec!["Vantage BI".into()],
        owner: None,
        stakeholders: vec![],
        created_at: 0,
        updated_at: 0,
    }
}

fn deal_ctx() -> DealContext {
    let day = 86_400_000;
    DealContext {
        activities: vec![
            activity("act-1", 20_000 * day, "CFO asked for the ROI calculator."),
            activity("act-2", 20_010 * day, "Champion silent since the demo."),
        ],
        content: vec![
            content("cs-1", ContentKind::CaseStudy),
            content("roi-1", ContentKind::RoiCalculator),
        ],
        ..DealContext::new(deal())
    }
}

fn analysis(source: &str, evidence: &str, content_ids: &[&str]) -> Value {
    json!({
        "deal_health_score": 64,
        "confidence": "medium",
        "summary": "Progressing, pricing pressure.",
        "buying_signals": [{"signal": "CFO asked for ROI", "timestamp": "2020-01-01", "strength": "strong", "source": source}],
        "risks": [{"risk": "Champion silent", "severity": "high", "evidence": [evidence], "recommended_action": "Call the champion"}],
        "next_actions": [
            {"action": "Send ROI model", "priority": 2, "timing": "today", "rationale": "asked"},
            {"action": "Book CFO call", "priority": 1, "timing": "this week", "rationale": "budget"}
        ],
        "content_recommendations": content_ids.iter().enumerate().map(|(i, c)| json!({
            "content_id": c, "relevance_score": 50 + i, "reason": "fits"})).collect::<Vec<_>>(),
        "stakeholder_map": [{"name": "Sam Lee", "title": "CFO", "role": "economic_buyer", "influence": "high", "stance": "neutral"}],
        "competitive_threats": [{"competitor": "Vantage BI", "threat": "cheaper seats", "response": "TCO"}]
    })
}

#[test]
fn deal_analysis_takes_dates_from_the_timeline_and_orders_results() {
    let ctx = deal_ctx();
    let m = tool_message(
        "record_deal_analysis",
        analysis("act-1", "act-2", &["cs-1", "roi-1", "cs-1"]),
    );
    let a = check_deal_analysis(&m, &ctx).unwrap();
    assert_eq!(
        a.buying_signals[0].timestamp,
        crate::text::iso_date(20_000 * 86_400_000)
    );
    assert_eq!(a.next_actions[0].priority, 1);
    let ids: Vec<&str> = a
        .content_recommendations
        .iter()
        .map(|c| c.content_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["cs-1", "roi-1"],
        "highest relevance first, duplicates dropped"
    );
}

#[test]
fn deal_analysis_cites_only_what_it_was_given() {
    let ctx = deal_ctx();
    for (what, input, want) in [
        (
            "content not in the library",
            analysis("act-1", "act-2", &["cs_healthcare_roi_2024"]),
            "/content_recommendations/0/content_id",
        ),
        (
            "signal from nowhere",
            analysis("call_transcript_12", "act-2", &[]),
            "/buying_signals/0/source",
        ),
        (
            "evidence from nowhere",
            analysis("act-1", "email_thread_5", &[]),
            "/risks/0/evidence/0",
        ),
    ] {
        let m = tool_message("record_deal_analysis", input);
        let e = errs(check_deal_analysis(&m, &ctx));
        assert!(e.contains(want), "{what}: {e}");
        assert!(e.len() < 400, "errors do not list every allowed id: {e}");
    }
    // With an empty library, no content may be recommended at all.
    let mut bare = deal_ctx();
    bare.content.clear();
    let schema = deal_analysis_schema(&bare);
    assert_eq!(
        schema["properties"]["content_recommendations"]["maxItems"],
        0
    );
    let m = tool_message(
        "record_deal_analysis",
        analysis("act-1", "act-2", &["cs-1"]),
    );
    assert!(errs(check_deal_analysis(&m, &bare)).contains("/content_recommendations"));
}

#[test]
fn deal_prompt_has_ids_and_stable_context_order() {
    let mut ctx = deal_ctx();
    ctx.battle_cards.push(card());
    let req = crate::deal_analysis_request(&ctx, 20_020 * 86_400_000);
    assert_eq!(req.context.len(), 3);
    assert!(req.context[0].text.contains("Lumora brand guidelines"));
    assert!(req.context[1].text.contains("Battle card: Vantage BI"));
    assert!(req.context[2].text.contains("[cs-1]"));
    assert!(!req.context[2].text.contains("sales@"), "emails are masked");
    let msg = serde_json::to_string(&req.messages).unwrap();
    assert!(msg.contains("[act-1]") && msg.contains("[act-2]"), "{msg}");
    assert!(req.queue.is_none());
}

// ---- call analysis -----------------------------------------------------------------------

#[test]
fn call_analysis_matches_the_domain_type() {
    let input = json!({
        "summary": " Good call. ", "sentiment": 0.4, "topics": ["pricing", "Pricing", "security"],
        "objections": [
            {"objection": "Too expensive", "handled": true, "note": ""},
            {"objection": "Security review", "handled": false, "note": "Send SOC 2"}
        ],
        "next_actions": ["Send TCO"], "follow_up_email": "Subject: Next steps\n\nHi Dana, ..."
    });
    let a = check_call_analysis(&tool_message("record_call_analysis", input)).unwrap();
    assert_eq!(a.summary, "Good call.");
    assert_eq!(a.topics, ["pricing", "security"]);
    assert_eq!(a.objections[0].note, None);
    assert_eq!(a.objections[1].note.as_deref(), Some("Send SOC 2"));
    assert!(a.follow_up_email.is_some());

    let bad = json!({"summary": "x", "sentiment": 1.5, "topics": [], "objections": [],
        "next_actions": [], "follow_up_email": "x"});
    assert!(errs(check_call_analysis(&tool_message(
        "record_call_analysis",
        bad
    )))
    .contains("/sentiment"));
}

// ---- battle cards ------------------------------------------------------------------------

fn card() -> BattleCard {
    BattleCard {
        id: "card-1".into(),
        competitor: "Vantage BI".into(),
        summary: "BI suite.".into(),
        our_strengths: vec!["Ready out of the box.".into(), "No analysts needed.".into()],
        their_weaknesses: vec!["Batch refresh.".into()],
        pricing_comparison: "Vantage $45/seat.".into(),
        key_differentiators: vec!["Purpose-built.".into()],
        objections: vec![ObjectionResponse {
            objection: "Vantage is cheaper.".into(),
            response: "Not over three years.".into(),
        }],
        trigger_phrases: vec!["Vantage".into()],
        updated_by: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn call() -> Call {
    Call {
        id: "call-1".into(),
        deal_id: None,
        lead_id: None,
        title: "Pricing call".into(),
        started_at: 0,
        ended_at: Some(600_000),
        segments: vec![TranscriptSegment {
            speaker: Speaker::Prospect,
            start_ms: 0,
            end_ms: 5_000,
            text: "Vantage quoted us $40 a seat now.".into(),
        }],
        analysis: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn suggestion(
    section: &str,
    replaces: Option<u64>,
    objection: Option<&str>,
    suggested: &str,
    sources: &[&str],
) -> Value {
    let mut v = json!({"section": section, "suggested": suggested, "reason": "Heard on calls.", "sources": sources});
    if let Some(r) = replaces {
        v["replaces"] = json!(r);
    }
    if let Some(o) = objection {
        v["objection"] = json!(o);
    }
    v
}

#[test]
fn card_suggestions_point_at_items_by_number() {
    let notes = vec![activity(
        "note-1",
        0,
        "Prospect says Vantage dropped to $40.",
    )];
    let calls = vec![call()];
    let input = json!({"suggestions": [
        suggestion("strengths", Some(2), None, "Reps change forecasts without analysts.", &["note-1"]),
        suggestion("weaknesses", Some(0), None, "Discounts seats to $40 but keeps services fees.", &["call-1"]),
        suggestion("pricing", None, None, "Vantage now $40/seat.", &["call-1", "note-1"]),
        suggestion("objection", Some(1), Some(""), "Even at $40, three-year TCO is higher.", &["call-1"]),
        suggestion("objection", Some(0), Some("We're happy with Vantage dashboards."), "Keep them; Lumora feeds them.", &["note-1"]),
    ]});
    let m = tool_message("suggest_battle_card_updates", input);
    let s = check_suggestions(&m, &card(), &notes, &calls, 9).unwrap();
    assert_eq!(s.len(), 5);
    assert_eq!(
        (s[0].section, s[0].current.as_deref()),
        (CardSection::Strengths, Some("No analysts needed."))
    );
    assert_eq!(s[1].current, None);
    assert_eq!(s[2].current.as_deref(), Some("Vantage $45/seat."));
    assert_eq!(
        (s[3].objection.as_deref(), s[3].current.as_deref()),
        (Some("Vantage is cheaper."), Some("Not over three years."))
    );
    assert_eq!(
        (s[4].objection.as_deref(), s[4].current.as_deref()),
        (Some("We're happy with Vantage dashboards."), None)
    );
    assert!(s.iter().all(|x| x.status == SuggestionStatus::Pending
        && x.card_id == "card-1"
        && x.created_at == 9));

    // Accepting them one by one edits the card as suggested.
    let mut c = card();
    for x in &s {
        let d = apply_suggestion(&c, x).unwrap();
        c.our_strengths = d.our_strengths;
        c.their_weaknesses = d.their_weaknesses;
        c.pricing_comparison = d.pricing_comparison;
        c.objections = d.objections;
    }
    assert_eq!(
        c.our_strengths[1],
        "Reps change forecasts without analysts."
    );
    assert_eq!(c.their_weaknesses.len(), 2);
    assert_eq!(c.pricing_comparison, "Vantage now $40/seat.");
    assert_eq!(
        c.objections[0].response,
        "Even at $40, three-year TCO is higher."
    );
    assert_eq!(c.objections.len(), 2);
    // The same suggestion again no longer fits the edited card.
    assert!(matches!(
        apply_suggestion(&c, &s[0]),
        Err(AiError::SuggestionOutdated(_))
    ));
}

#[test]
fn card_suggestions_are_rejected_when_they_do_not_fit() {
    let notes = vec![activity("note-1", 0, "Vantage again.")];
    for (what, item, want) in [
        (
            "item number past the end",
            suggestion("weaknesses", Some(2), None, "New.", &["note-1"]),
            "/suggestions/0/replaces",
        ),
        (
            "already on the card",
            suggestion(
                "strengths",
                Some(0),
                None,
                "ready out of the box.",
                &["note-1"],
            ),
            "already in strengths",
        ),
        (
            "no change",
            suggestion("summary", None, None, "BI suite.", &["note-1"]),
            "the same as the current text",
        ),
        (
            "unknown source",
            suggestion("summary", None, None, "New summary.", &["call-9"]),
            "/suggestions/0/sources/0",
        ),
        (
            "new objection without text",
            suggestion("objection", Some(0), Some(""), "Answer.", &["note-1"]),
            "/suggestions/0/objection",
        ),
        (
            "wrong field for the section",
            suggestion("summary", Some(1), None, "New summary.", &["note-1"]),
            "/suggestions/0",
        ),
    ] {
        let m = tool_message(
            "suggest_battle_card_updates",
            json!({"suggestions": [item]}),
        );
        let e = errs(check_suggestions(&m, &card(), &notes, &[], 0));
        assert!(e.contains(want), "{what}: {e}");
    }
    // Without sources there is nothing to suggest.
    let m = tool_message(
        "suggest_battle_card_updates",
        json!({"suggestions": [suggestion("summary", None, None, "New.", &["note-1"])]}),
    );
    assert!(errs(check_suggestions(&m, &card(), &[], &[], 0)).contains("/suggestions"));
    let empty = tool_message("suggest_battle_card_updates", json!({"suggestions": []}));
    assert_eq!(check_suggestions(&empty, &card(), &[], &[], 0).unwrap(), []);
}

// ---- repair and queued results -----------------------------------------------------------

#[test]
fn repair_request_answers_the_tool_call_with_the_errors() {
    let req = lead_score_request(&[], "BRAND");
    let reply = tool_message("record_lead_scores", json!({"scores": []}));
    let errors = vec!["/scores: too short".to_string()];
    let r = repair_request(&req, &reply, Some(ToolSchema::LeadScores), &errors);
    assert!(r.fresh);
    assert_eq!(
        (r.feature, &r.queue, &r.tools),
        (req.feature, &req.queue, &req.tools)
    );
    assert_eq!(r.messages.len(), req.messages.len() + 2);
    let asst = &r.messages[r.messages.len() - 2];
    assert_eq!(asst.role, Role::Assistant);
    assert!(
        matches!(&asst.content[0], InputBlock::ToolUse { id, input, .. }
        if id == "toolu_test" && input == &json!({"scores": []}))
    );
    let user = &r.messages[r.messages.len() - 1];
    assert!(
        matches!(&user.content[0], InputBlock::ToolResult { tool_use_id, content, is_error: Some(true) }
        if tool_use_id == "toolu_test" && content.contains("/scores: too short"))
    );

    // A reply without the tool call is answered in text.
    let r = repair_request(
        &req,
        &text_message("Sorry"),
        Some(ToolSchema::LeadScores),
        &errors,
    );
    let last = serde_json::to_string(&r.messages[r.messages.len() - 1]).unwrap();
    assert!(
        last.contains("/scores: too short") && last.contains("record_lead_scores"),
        "{last}"
    );
}

#[test]
fn queued_jobs_come_back_validated() {
    let m = tool_message(
        "record_lead_scores",
        json!({"scores": [score("a", [5, 5, 5, 5], 20)]}),
    );
    match apply_queued("lead_score", &json!({"lead_ids": ["a"]}), &m) {
        Ok(QueuedResult::LeadScores(s)) => assert_eq!(s[0].1.score, 20),
        other => panic!("{other:?}"),
    }
    // The reply is checked against the payload's batch.
    assert!(matches!(
        apply_queued("lead_score", &json!({"lead_ids": ["a", "b"]}), &m),
        Err(AiError::InvalidReply { .. })
    ));
    assert!(matches!(
        apply_queued("lead_score", &json!({}), &m),
        Err(AiError::BadPayload { .. })
    ));
    assert!(matches!(
        apply_queued("nope", &json!({}), &m),
        Err(AiError::UnknownJob(_))
    ));
    match apply_queued(
        "proposal_polish",
        &json!({"proposal_id": "p1"}),
        &text_message("```markdown\n# Better\n```"),
    ) {
        Ok(QueuedResult::ProposalPolish { proposal_id, body }) => {
            assert_eq!((proposal_id.as_str(), body.as_str()), ("p1", "# Better"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn narrowed_schemas_stay_valid_schemas() {
    let ctx = deal_ctx();
    let schema = deal_analysis_schema(&ctx);
    assert!(jsonschema::validator_for(&schema).is_ok());
    assert_eq!(
        schema["properties"]["buying_signals"]["items"]["properties"]["source"]["enum"],
        json!(["act-1", "act-2"])
    );
    let s = crate::battle_card::suggestions_schema(&card(), &[], &[call()]);
    assert!(jsonschema::validator_for(&s).is_ok());
    assert!(validate_against(&s, &json!({"suggestions": []})).is_empty());
}
