//! Content search and the library folders through the core, on real files: what a rep
//! notices when they save a document in a watched folder, search for it in plain words,
//! break a file, or ask Claude (our fake, over loopback) for a second look.

#![allow(clippy::unwrap_used)] // test helpers panic on setup failures, as tests do

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use closer_claude_fake::FakeAnthropic;
use closer_core::{Closer, CollectEvents, Config, CoreError, CoreEvent};
use closer_types::*;

/// The model installed by scripts/fetch-model.sh, when it is there.
fn model_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/all-minilm-l6-v2");
    if dir.join("model.safetensors").is_file() {
        Some(dir)
    } else {
        eprintln!("note: no search model in {} (keyword-only)", dir.display());
        None
    }
}

fn open_with(
    dir: &Path,
    test: &str,
    demo: bool,
    model: Option<PathBuf>,
    url: Option<&str>,
) -> Closer {
    let mut config = Config::new(dir);
    config.keyring_service = format!("closer-content-test-{}-{test}", std::process::id());
    config.seed_demo_when_empty = demo;
    config.model_dir = model;
    if let Some(url) = url {
        config.anthropic_base_url = url.to_string();
    }
    Closer::open(config, Arc::new(CollectEvents::default())).expect("open workspace")
}

/// Polls `f` every 50 ms until it gives `Some`, for at most `secs` seconds.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < until, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_ready(closer: &Closer) {
    eventually(300, "the content index to be ready", || async {
        closer.index_status().ready.then_some(())
    })
    .await;
}

fn content_hits(r: &SearchResults) -> Vec<&SearchHit> {
    r.hits
        .iter()
        .filter(|h| h.kind == SearchKind::Content)
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const FREIGHT: &str = "# Case study: Quokka Freight cuts audit costs\n\n\
Quokka Freight, a logistics company with 4,000 trucks, replaced manual freight invoice \
audits. The CFO was worried about return on investment; the rollout paid back in five \
months and saved 1.2 million dollars in the first year.\n\n\
## How they did it\n\nFinance and operations shared one dashboard of carrier invoices.";

const DENTAL: &str = "# One-pager: scheduling for dental groups\n\n\
Dental clinics lose chair time to no-shows. Our reminders cut no-shows by a third for \
a 40-clinic group; office managers set it up in a day.";

#[tokio::test]
async fn a_document_saved_in_a_watched_folder_is_found_in_plain_words_then_removed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let closer = open_with(dir.path(), "watch", false, model_dir(), None);
    closer.start_content_index();
    wait_ready(&closer).await;
    closer
        .set_library_folders(vec![folder.path().display().to_string()])
        .await
        .unwrap();

    let file = folder.path().join("quokka-freight-case-study.md");
    write(&file, FREIGHT);
    write(&folder.path().join("dental-one-pager.md"), DENTAL);

    let query = "case study for a logistics finance leader worried about ROI";
    let hit = eventually(30, "the new file in search", || async {
        let r = closer.search(query.into(), 20, None).await.unwrap();
        content_hits(&r)
            .first()
            .filter(|h| h.title.contains("Quokka"))
            .map(|h| (*h).clone())
    })
    .await;
    let detail = hit.detail.expect("content hits carry their match");
    assert_eq!(
        detail.source_path.as_deref(),
        Some(file.display().to_string().as_str())
    );
    assert!(!detail.why.is_empty(), "a line on why it fits");
    assert!(
        detail.passages.iter().flatten().any(|s| s.hit),
        "matching words are highlighted: {:?}",
        detail.passages
    );
    let item = closer.get_content(hit.id.clone()).await.unwrap();
    assert_eq!(
        item.kind,
        ContentKind::CaseStudy,
        "kind inferred from name and text"
    );
    assert_eq!(
        closer.content_source_file(hit.id.clone()).await.unwrap(),
        file,
        "Open file opens the file in the library folder"
    );

    // Edited: the new text is what is found.
    write(&file, &FREIGHT.replace("five months", "eleven weeks"));
    eventually(30, "the edited text in the item", || async {
        let item = closer.get_content(hit.id.clone()).await.ok()?;
        item.body.contains("eleven weeks").then_some(())
    })
    .await;

    // Deleted: gone from the library and from search.
    std::fs::remove_file(&file).unwrap();
    eventually(30, "the deleted file to leave search", || async {
        let r = closer.search(query.into(), 20, None).await.unwrap();
        let gone = !content_hits(&r).iter().any(|h| h.id == hit.id);
        let deleted = closer.get_content(hit.id.clone()).await.is_err();
        (gone && deleted).then_some(())
    })
    .await;
}

#[tokio::test]
async fn unreadable_files_are_rows_with_reasons_and_the_rest_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    write(&folder.path().join("dental-one-pager.md"), DENTAL);
    std::fs::write(
        folder.path().join("broken.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("notes.md"),
        [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254].repeat(200),
    )
    .unwrap();
    std::fs::write(
        folder.path().join("old-deck.ppt"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
    )
    .unwrap();
    let closer = open_with(dir.path(), "bad", false, None, None);
    // Before the index runs: the folder is read at once.
    let overview = closer
        .set_library_folders(vec![folder.path().display().to_string()])
        .await
        .unwrap();
    let reason = |name: &str| {
        overview
            .issues
            .iter()
            .find(|i| i.path.ends_with(name))
            .map(|i| (i.status.clone(), i.reason.clone()))
    };
    let (status, why) = reason("broken.pdf").expect("the broken PDF is listed");
    assert_eq!(status, "failed");
    assert!(!why.is_empty());
    let (status, _) = reason("notes.md").expect("the binary renamed .md is listed");
    assert_eq!(status, "failed");
    let (status, why) = reason("old-deck.ppt").expect("the legacy deck is listed");
    assert_eq!(status, "skipped");
    assert!(
        why.to_lowercase().contains("ppt") || why.contains("does not read"),
        "{why}"
    );
    assert_eq!(overview.folders.len(), 1);
    assert_eq!(overview.folders[0].failed, 2);

    closer.start_content_index();
    wait_ready(&closer).await;
    let r = closer
        .search("dental no-shows".into(), 10, None)
        .await
        .unwrap();
    assert!(
        content_hits(&r).iter().any(|h| h.title.contains("dental")),
        "the good file is searchable: {:?}",
        r.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_folder_that_does_not_exist_is_refused_and_the_list_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let closer = open_with(dir.path(), "refuse", false, None, None);
    closer
        .set_library_folders(vec![folder.path().display().to_string()])
        .await
        .unwrap();
    for bad in ["/no/such/folder/anywhere", "relative/path", "  "] {
        let e = closer
            .set_library_folders(vec![bad.to_string()])
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Store(_)), "{bad}: {e:?}");
    }
    let overview = closer.library_overview().await.unwrap();
    assert_eq!(overview.folders.len(), 1, "the saved folder is still there");
}

#[tokio::test]
async fn the_demo_library_answers_a_reps_question_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open_with(dir.path(), "demo", true, None, None);
    // Before the index is ready the store's keyword search answers, and says so.
    let early = closer
        .search("healthcare ROI".into(), 20, None)
        .await
        .unwrap();
    if !closer.index_status().ready {
        assert!(
            early.note.is_some(),
            "the rep is told search is keyword-only for now"
        );
    }
    closer.start_content_index();
    wait_ready(&closer).await;
    let r = closer
        .search(
            "case studies for healthcare CFOs worried about ROI".into(),
            20,
            None,
        )
        .await
        .unwrap();
    let top = content_hits(&r);
    assert!(
        top.len() >= 3,
        "{:?}",
        r.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
    for h in &top[..3] {
        let d = h.detail.as_ref().unwrap();
        assert!(
            d.matched.iter().any(|m| m == "Healthcare"),
            "{}: matched {:?}",
            h.title,
            d.matched
        );
    }
    assert!(
        !r.semantic,
        "no model given: keyword search with facet boosts"
    );
    assert!(r
        .note
        .as_deref()
        .unwrap_or("")
        .contains("Semantic search is off"));
    // Battle cards and leads still come from the palette's other indexes.
    let r = closer.search("Vantage".into(), 30, None).await.unwrap();
    assert!(r.hits.iter().any(|h| h.kind == SearchKind::BattleCard));
}

#[tokio::test]
async fn claude_reranks_and_annotates_online_and_offline_the_local_results_stand() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open_with(dir.path(), "rerank", true, None, Some(&fake.url()));
    if closer
        .api_key_status()
        .await
        .unwrap()
        .backend
        .starts_with("unavailable")
    {
        eprintln!("skipped: no keyring on this machine");
        return;
    }
    closer.start_content_index();
    wait_ready(&closer).await;
    let query = "ROI case study for a hospital CFO";
    let out = closer.rerank_search(query.into(), None).await.unwrap();
    assert!(!out.hits.is_empty());
    // The rerank judges the local top 10 of the search as Claude understood it: the rep's
    // words plus the names Claude read in them that the words do not already contain.
    let mut understood_query = query.to_string();
    for t in &out.understood {
        if !query.to_lowercase().contains(&t.to_lowercase()) {
            understood_query = format!("{understood_query} {t}");
        }
    }
    let local = closer.search(understood_query, 20, None).await.unwrap();
    let local_ids: Vec<&str> = content_hits(&local)
        .iter()
        .take(10)
        .map(|h| h.id.as_str())
        .collect();
    for h in &out.hits {
        assert!(
            local_ids.contains(&h.id.as_str()),
            "rerank only reorders the local top 10"
        );
        let d = h.detail.as_ref().unwrap();
        assert!(d.how_to_use.as_deref().is_some_and(|s| !s.is_empty()));
        assert!(d.relevance.is_some());
    }
    let grades: Vec<u8> = out
        .hits
        .iter()
        .filter_map(|h| h.detail.as_ref()?.relevance)
        .collect();
    assert!(
        grades.windows(2).all(|w| w[0] >= w[1]),
        "best first: {grades:?}"
    );
    assert!(out.understood.iter().all(|t| !t.trim().is_empty()));
    let usage = closer.ai_usage().await.unwrap();
    assert!(
        usage.recent.iter().any(|r| r.feature == "search_rerank"),
        "one ledger row for the rerank"
    );
    assert!(
        usage
            .recent
            .iter()
            .any(|r| r.feature == "query_understanding"),
        "one ledger row for the query understanding"
    );

    // The audit's recommendations name only audited items, and are booked as their own feature.
    let audit = closer.content_audit().await.unwrap();
    let advice = closer
        .content_audit_advice()
        .await
        .unwrap()
        .expect("the demo library has findings");
    assert!(!advice.recommendations.is_empty());
    let audited: Vec<&str> = audit
        .stale
        .iter()
        .map(|s| s.id.as_str())
        .chain(
            audit
                .duplicates
                .iter()
                .flat_map(|d| [d.a_id.as_str(), d.b_id.as_str()]),
        )
        .chain(audit.top.iter().chain(&audit.under).map(|p| p.id.as_str()))
        .collect();
    for r in &advice.recommendations {
        assert!(!r.title.trim().is_empty() && !r.detail.trim().is_empty());
        for id in &r.content_ids {
            assert!(audited.contains(&id.as_str()), "{id} was not audited");
        }
    }
    let usage = closer.ai_usage().await.unwrap();
    assert!(usage.recent.iter().any(|r| r.feature == "content_audit"));

    // Claude gone: a clear error, and plain search still answers.
    fake.stop().await;
    let e = closer
        .rerank_search("pricing sheet for retail".into(), None)
        .await
        .unwrap_err();
    assert!(!e.to_string().is_empty());
    let r = closer
        .search("pricing sheet for retail".into(), 20, None)
        .await
        .unwrap();
    assert!(!content_hits(&r).is_empty());
}

#[tokio::test]
async fn the_audit_finds_stale_content_duplicates_and_gaps_in_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open_with(dir.path(), "audit", true, None, None);
    closer.start_content_index();
    wait_ready(&closer).await;
    let audit = closer.content_audit().await.unwrap();
    assert_eq!(audit.items, 200);
    assert!(
        audit.stale.iter().any(|s| s
            .reasons
            .iter()
            .any(|r| r.contains("2022") || r.contains("2023"))),
        "old price lists and years are stale: {:?}",
        audit.stale.iter().take(3).collect::<Vec<_>>()
    );
    assert!(
        audit
            .duplicates
            .iter()
            .any(|d| d.a_title.contains("(v2)") || d.b_title.contains("(v2)")),
        "a copy and its (v2) are near-duplicates"
    );
    assert!(
        !audit.gaps.is_empty(),
        "open deals need content the library lacks"
    );
    assert!(
        audit
            .gaps
            .windows(2)
            .all(|w| w[0].open_amount_cents >= w[1].open_amount_cents),
        "gaps with the most pipeline first"
    );
    assert!(audit.top.windows(2).all(|w| w[0].win_rate >= w[1].win_rate));
    assert_eq!(audit.by_kind.iter().map(|k| k.count).sum::<u32>(), 200);
}

#[tokio::test]
async fn index_progress_reaches_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let mut config = Config::new(dir.path());
    config.keyring_service = format!("closer-content-test-{}-progress", std::process::id());
    let closer = Closer::open(config, events.clone()).unwrap();
    closer.start_content_index();
    wait_ready(&closer).await;
    let statuses: Vec<IndexStatus> = events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::IndexStatus(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(
        statuses.iter().any(|s| s.total == 200 && s.done > 0),
        "{statuses:?}"
    );
    assert!(statuses
        .last()
        .is_some_and(|s| s.ready && s.phase.is_none()));
}

/// A first index is ready for search by words at once; the meaning follows on its own
/// thread, with its own progress line (which goes when it is done: not waited for here,
/// embedding the demo takes a minute in a debug build).
#[tokio::test]
async fn a_first_index_searches_by_words_at_once_and_adds_meaning_after() {
    let Some(model) = model_dir() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let mut config = Config::new(dir.path());
    config.keyring_service = format!("closer-content-test-{}-meaning", std::process::id());
    config.model_dir = Some(model);
    let closer = Closer::open(config, events.clone()).unwrap();
    closer.start_content_index();
    wait_ready(&closer).await;
    let r = closer
        .search(
            "case studies for hospital CFOs worried about ROI".into(),
            20,
            None,
        )
        .await
        .unwrap();
    assert!(
        !content_hits(&r).is_empty(),
        "words and facets answer at once"
    );
    let mut seen: Vec<IndexStatus> = Vec::new();
    eventually(300, "progress of the embedding", || {
        seen.extend(events.take().into_iter().filter_map(|e| match e {
            CoreEvent::IndexStatus(s) => Some(s),
            _ => None,
        }));
        let embedding = seen.iter().filter(|s| {
            s.ready && s.phase.as_deref() == Some("Adding meaning to search") && s.total == 200
        });
        let moved = embedding.map(|s| s.done).max().is_some_and(|d| d >= 16);
        std::future::ready(moved.then_some(()))
    })
    .await;
}
