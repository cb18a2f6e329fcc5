//! The AI use cases through the real gateway against our fake Anthropic API over loopback:
//! what a rep notices when Claude answers, when it cannot be reached, and after a restart.

#![allow(clippy::unwrap_used)] // test helpers panic on setup failures, as tests do

use std::net::SocketAddr;
use std::sync::Arc;

use closer_claude_fake::{FakeAnthropic, FakeOptions};
use closer_core::{Closer, CollectEvents, Config, CoreEvent};
use closer_types::*;

fn open(dir: &std::path::Path, test: &str, url: &str, events: Arc<CollectEvents>) -> Closer {
    let mut config = Config::new(dir);
    // One keyring entry per test: tests run in parallel and some change the key.
    config.keyring_service = format!("closer-ai-test-{}-{test}", std::process::id());
    config.anthropic_base_url = url.to_string();
    Closer::open(config, events).expect("open workspace")
}

fn keyring_missing(status: &SecretStatus) -> bool {
    if status.backend.starts_with("unavailable") {
        eprintln!("skipped: no keyring on this machine ({})", status.backend);
        return true;
    }
    false
}

async fn first_leads(closer: &Closer, n: u32) -> Vec<Id> {
    let page = closer
        .list_leads(LeadQuery {
            limit: n,
            ..Default::default()
        })
        .await
        .unwrap();
    page.items.into_iter().map(|l| l.id).collect()
}

async fn first_deal(closer: &Closer) -> Id {
    let page = closer
        .list_deals(DealQuery {
            text: None,
            stage: None,
            open_only: true,
            offset: 0,
            limit: 1,
        })
        .await
        .unwrap();
    page.items[0].id.clone()
}

#[tokio::test]
async fn a_proposal_streams_from_claude_into_the_saved_proposal() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), "stream", &fake.url(), Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let deal = first_deal(&closer).await;
    let mut chunks = Vec::new();
    let out = closer
        .generate_proposal(deal, None, "s1".into(), &mut |t: &str| {
            chunks.push(t.to_string())
        })
        .await
        .unwrap();
    assert_eq!(out.source, ProposalSource::Claude);
    assert!(
        chunks.len() > 3,
        "the text arrives in pieces, got {}",
        chunks.len()
    );
    assert_eq!(out.proposal.body.trim(), chunks.concat().trim());
    let again = closer.get_proposal(out.proposal.id.clone()).await.unwrap();
    assert_eq!(again.body, out.proposal.body, "the streamed text is saved");

    let usage = closer.ai_usage().await.unwrap();
    assert_eq!(
        usage.recent.len(),
        1,
        "one ledger row for one logical request"
    );
    assert!(usage.recent[0].cost_usd > 0.0);
}

/// The acceptance item: with the API down, proposal polish and lead scoring are queued,
/// survive a restart, and complete when the API is back.
#[tokio::test]
async fn offline_work_is_queued_survives_a_restart_and_completes_when_claude_is_back() {
    // Take a port, then stop the fake: the API is "down" at a known address.
    let fake = FakeAnthropic::start().await.unwrap();
    let addr: SocketAddr = fake.addr();
    let url = fake.url();
    fake.stop().await;

    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), "offline", &url, Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let deal = first_deal(&closer).await;
    let out = closer
        .generate_proposal(deal, None, "s1".into(), &mut |_t: &str| {})
        .await
        .unwrap();
    assert_eq!(out.source, ProposalSource::OfflineDraft);
    assert!(out.polish_queued, "{:?}", out.notice);
    let draft = out.proposal.body.clone();
    assert!(draft.len() > 500, "a complete draft at once");

    let leads = first_leads(&closer, 3).await;
    let report = closer.score_leads(leads.clone()).await.unwrap();
    assert_eq!(report.queued, 3, "{report:?}");
    let queued = closer.ai_usage().await.unwrap().queue;
    assert_eq!(queued.len(), 2, "{queued:?}");
    drop(closer);

    // Restart: the queue is still there.
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), "offline", &url, events.clone());
    assert_eq!(closer.ai_usage().await.unwrap().queue.len(), 2);

    // Claude is back on the same address.
    let fake = FakeAnthropic::start_on(addr, FakeOptions::default())
        .await
        .unwrap();
    let done = closer.run_ai_queue().await.unwrap();
    assert_eq!((done.completed, done.failed), (2, 0), "{done:?}");
    assert_eq!(done.polished_proposals, vec![out.proposal.id.clone()]);
    for id in &leads {
        let lead = closer.get_lead(id.clone()).await.unwrap();
        let score = lead.score.expect("scored after the queue ran");
        assert!(score.scored_at >= out.proposal.updated_at);
    }
    let p = closer.get_proposal(out.proposal.id.clone()).await.unwrap();
    assert_ne!(p.body, draft, "the polish replaced the draft");
    let versions = closer.proposal_versions(p.id.clone()).await.unwrap();
    assert!(
        versions.iter().any(|v| v.body == draft),
        "the draft stays in the history"
    );
    assert!(events
        .take()
        .iter()
        .any(|e| matches!(e, CoreEvent::AiJobsDone(d) if d.completed == 2)));
    assert!(closer.ai_usage().await.unwrap().queue.is_empty());
    // Nothing is applied twice after another restart.
    drop(closer);
    let closer = open(dir.path(), "offline", &url, Arc::default());
    assert_eq!(closer.run_ai_queue().await.unwrap().completed, 0);
    fake.stop().await;
}

#[tokio::test]
async fn deals_always_have_a_local_score_and_claude_adds_an_analysis() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), "deal", &fake.url(), Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let deal = first_deal(&closer).await;
    let before = closer.deal_insights(deal.clone()).await.unwrap();
    assert!(before.analysis.is_none());
    assert!(!before.local.factors.is_empty());
    let after = closer.analyze_deal(deal.clone()).await.unwrap();
    let a = after.analysis.expect("analysis saved");
    assert!(a.deal_health_score <= 100);
    assert!(!a.summary.is_empty());
    // It is kept.
    assert!(closer.deal_insights(deal).await.unwrap().analysis.is_some());
}

#[tokio::test]
async fn a_changed_lead_is_scored_again() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), "rescore", &fake.url(), Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let lead = closer
        .create_lead(LeadDraft::named("Orbit Dental Group"))
        .await
        .unwrap();
    assert!(lead.score.is_none());
    let mut scored = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if let Some(s) = closer.get_lead(lead.id.clone()).await.unwrap().score {
            scored = Some(s);
            break;
        }
    }
    let s = scored.expect("the new lead was scored in the background");
    // BANT parts are kept on a 0-100 scale each; the score is their mean.
    let b = &s.breakdown;
    let mean =
        (u32::from(b.budget) + u32::from(b.authority) + u32::from(b.need) + u32::from(b.timeline))
            / 4;
    assert!(u32::from(s.score).abs_diff(mean) <= 1, "{s:?}");
    assert!(s.rationale.is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn battle_card_suggestions_wait_for_a_manager() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), "cards", &fake.url(), Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let cards = closer.list_battle_cards().await.unwrap();
    let card = cards.iter().max_by_key(|c| c.open_deals).unwrap();
    let suggestions = closer.refresh_battle_card(card.id.clone()).await.unwrap();
    assert!(!suggestions.is_empty());
    let pending = closer
        .battle_card_suggestions(Some(card.id.clone()))
        .await
        .unwrap();
    assert_eq!(pending.len(), suggestions.len());
    closer
        .decide_suggestion(pending[0].id.clone(), false)
        .await
        .unwrap();
    let left = closer
        .battle_card_suggestions(Some(card.id.clone()))
        .await
        .unwrap();
    assert_eq!(left.len(), pending.len() - 1);
    // Deciding twice is refused, and changes nothing.
    assert!(closer
        .decide_suggestion(pending[0].id.clone(), true)
        .await
        .is_err());
}

/// The key never reaches the SQLite files, the logs, or any reply the UI gets.
#[tokio::test]
async fn the_api_key_never_appears_in_files_logs_or_replies() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let _log = closer_telemetry::init(&dir.path().join("logs"), "debug").unwrap();
    let closer = open(dir.path(), "leak", &fake.url(), Arc::default());
    if keyring_missing(&closer.api_key_status().await.unwrap()) {
        return;
    }
    let key = "sk-ant-api03-LEAKCHECK-0123456789abcdefghijklmnop";
    let marker = "LEAKCHECK";
    let mut replies: Vec<String> = Vec::new();
    let mut json = |v: &dyn erased::Json| replies.push(v.json());
    json(&closer.set_api_key(key.into()).await.unwrap());
    let deal = first_deal(&closer).await;
    json(
        &closer
            .generate_proposal(deal.clone(), None, "s".into(), &mut |_t: &str| {})
            .await
            .unwrap(),
    );
    json(
        &closer
            .score_leads(first_leads(&closer, 12).await)
            .await
            .unwrap(),
    );
    json(&closer.analyze_deal(deal).await.unwrap());
    json(&closer.ai_usage().await.unwrap());
    json(&closer.ai_settings().await.unwrap());
    // An error reply too: a bad request the API refuses.
    fake.script([closer_claude_fake::Step::Status {
        status: 401,
        retry_after: None,
    }]);
    let deal = first_deal(&closer).await;
    if let Err(e) = closer.analyze_deal(deal).await {
        replies.push(format!("{e} {e:?}"));
    }
    for r in &replies {
        assert!(!r.contains(marker), "a reply contains the key: {r}");
    }
    assert!(fake
        .requests()
        .iter()
        .all(|r| !format!("{r:?}").contains(marker)));
    drop(closer);
    let mut checked = 0;
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{} contains the key",
            entry.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "database, AI database and a log file were checked"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

mod erased {
    /// Any reply, as the JSON the UI would receive.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
