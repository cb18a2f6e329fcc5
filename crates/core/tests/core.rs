//! The core on a temporary directory, with no UI: the use cases a rep notices.

use std::sync::Arc;

use closer_core::{Closer, CollectEvents, Config, CoreError, CoreEvent};
use closer_types::*;

fn open(dir: &std::path::Path, events: Arc<CollectEvents>) -> Closer {
    let mut config = Config::new(dir);
    config.keyring_service = format!("closer-core-test-{}", std::process::id());
    Closer::open(config, events).expect("open workspace")
}

// ---- first run ------------------------------------------------------------------

#[tokio::test]
async fn first_run_creates_the_demo_and_a_second_open_keeps_edits() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let stats = closer.workspace_stats().await.unwrap();
    assert_eq!(stats.battle_cards, 8);
    assert_eq!(stats.content_items, 200);
    assert_eq!(stats.leads, 500);
    assert_eq!(stats.deals, 60);
    assert!(stats.calls >= 3);

    let lead = closer
        .create_lead(LeadDraft::named("Orbit Dental Group"))
        .await
        .unwrap();
    assert_eq!(
        lead.owner.as_deref(),
        Some("Alex Rivera"),
        "owner defaults to the user"
    );
    drop(closer);

    let closer = open(dir.path(), Arc::default());
    assert_eq!(
        closer.workspace_stats().await.unwrap().leads,
        501,
        "no reseed on reopen"
    );
    assert_eq!(
        closer.get_lead(lead.id).await.unwrap().company,
        "Orbit Dental Group"
    );
}

#[tokio::test]
async fn reset_demo_restores_the_demo_and_tells_the_ui() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), events.clone());
    closer
        .create_lead(LeadDraft::named("To be reset"))
        .await
        .unwrap();
    let stats = closer.reset_demo().await.unwrap();
    assert_eq!(stats.leads, 500);
    assert!(events
        .take()
        .iter()
        .any(|e| matches!(e, CoreEvent::WorkspaceChanged { .. })));
}

// ---- bad input keeps what was saved --------------------------------------------

#[tokio::test]
async fn an_invalid_lead_is_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let err = closer
        .create_lead(LeadDraft::named("  "))
        .await
        .unwrap_err();
    match err {
        CoreError::Store(closer_store::StoreError::Invalid(fields)) => {
            assert_eq!(fields[0].field, "company")
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(closer.workspace_stats().await.unwrap().leads, 500);
}

#[tokio::test]
async fn a_bad_csv_changes_nothing_and_a_good_one_imports_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), events.clone());

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "First Name,Last Name,Company,Email\nAnn,Lee,Acme,ann@acme.com\nBo,Chu,,bo@x.com\n",
    )
    .unwrap();
    assert!(closer.import_leads(bad).await.is_err());
    assert_eq!(closer.workspace_stats().await.unwrap().leads, 500);

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "First Name,Last Name,Title,Company,Email,Lead Source,Lead Status,Favourite Colour\n\
         Ann,Lee,CFO,Acme Health,ann@acmehealth.com,Webinar,Open - Not Contacted,blue\n\
         Bo,Chu,CIO,Acme Health,bo@acmehealth.com,Webinar,Working - Contacted,red\n\
         Cy,Dee,VP Sales,Borealis Freight,cy@borealis.com,Referral,Open - Not Contacted,green\n",
    )
    .unwrap();
    let preview = closer.preview_lead_import(good.clone()).await.unwrap();
    assert_eq!(preview.format, CrmFormat::Salesforce);
    assert!(preview
        .ignored_columns
        .iter()
        .any(|c| c == "Favourite Colour"));
    assert_eq!(
        closer.workspace_stats().await.unwrap().leads,
        500,
        "preview writes nothing"
    );

    let report = closer.import_leads(good).await.unwrap();
    assert_eq!(report.rows, 3);
    assert_eq!(
        report.imported, 2,
        "two rows of Acme Health became one lead"
    );
    assert_eq!(closer.workspace_stats().await.unwrap().leads, 502);
    let progress: Vec<_> = events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::ImportProgress { done, total } => Some((done, total)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.last(), Some(&(2, 2)));
}

// ---- proposals autosave ---------------------------------------------------------

#[tokio::test]
async fn autosaved_proposal_text_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let p = closer
        .create_proposal(NewProposal {
            title: "Acme proposal".into(),
            body: "# Executive summary".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..20 {
        closer
            .save_proposal(
                p.id.clone(),
                ProposalEdit {
                    title: "Acme proposal".into(),
                    body: format!("# Executive summary\n\nkeystroke {i}"),
                },
            )
            .await
            .unwrap();
    }
    drop(closer);
    let closer = open(dir.path(), Arc::default());
    assert!(closer
        .get_proposal(p.id)
        .await
        .unwrap()
        .body
        .ends_with("keystroke 19"));
}

// ---- search never errors --------------------------------------------------------

#[tokio::test]
async fn search_takes_any_text() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let found = closer
        .search("healthcare ROI".into(), 20, None)
        .await
        .unwrap();
    assert!(!found.hits.is_empty());
    for nasty in [
        "\"", "AND (", "*", "NEAR", "NEAR(", "🚀", "a:b", "(((", "-", "", "@", "@@ a@",
    ] {
        closer.search(nasty.into(), 20, None).await.unwrap();
    }
}

#[tokio::test]
async fn a_contacts_email_finds_its_lead_in_search_and_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let first = &closer.list_leads(LeadQuery::default()).await.unwrap().items[0];
    let lead = closer.get_lead(first.id.clone()).await.unwrap();
    let email = lead.contacts[0].email.clone().unwrap();
    let found = closer.search(email.to_uppercase(), 10, None).await.unwrap();
    assert_eq!(found.hits[0].id, lead.id, "searching {email}");
    assert!(found.hits[0].snippet[0].hit);
    let listed = closer
        .list_leads(LeadQuery {
            text: Some(email.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items[0].id, lead.id);
}

// ---- secrets stay in the keyring ------------------------------------------------

#[tokio::test]
async fn the_api_key_never_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let status = closer.api_key_status().await.unwrap();
    if status.backend.starts_with("unavailable") {
        eprintln!("no keyring on this machine: {}", status.backend);
        return;
    }
    let key = "sk-ant-api03-TESTKEYDONOTSTORE0123456789abcdef";
    let status = closer.set_api_key(key.into()).await.unwrap();
    assert!(status.set);
    let status_json = serde_json::to_string(&status).unwrap();
    assert!(
        !status_json.contains("TESTKEY"),
        "the UI only learns set/not set"
    );
    drop(closer);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(7).any(|w| w == b"TESTKEY"),
                "{} contains the key",
                path.display()
            );
        }
    }
    let closer = open(dir.path(), Arc::default());
    assert!(closer.api_key_status().await.unwrap().set);
    assert!(!closer.clear_api_key().await.unwrap().set);
}

/// Every malformed file the acceptance list names: a clear error, and the workspace
/// (leads and the sync change log) exactly as it was.
#[tokio::test]
async fn malformed_csv_files_are_refused_and_change_nothing() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let header = "First Name,Last Name,Company,Email,Lead Source\n";
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut latin1 = header.as_bytes().to_vec();
    latin1.extend_from_slice(b"Jos\xe9,Mart\xednez,Caf\xe9 Norte,jose@cafenorte.com,Web\n");
    let mut long_line = header.as_bytes().to_vec();
    long_line.extend_from_slice(b"Ann,Lee,");
    long_line.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    long_line.extend_from_slice(b",ann@acme.com,Web\n");
    let million = dir.path().join("million.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&million).unwrap());
        f.write_all(header.as_bytes()).unwrap();
        for i in 0..1_000_000 {
            writeln!(f, "A,B,Company {i},a{i}@c{i}.com,Web").unwrap();
        }
    }
    let cases = [
        ("wrong encoding", write("latin1.csv", latin1), "UTF-8"),
        (
            "missing required columns",
            write(
                "nocompany.csv",
                b"First Name,Last Name,Email\nAnn,Lee,ann@acme.com\n".to_vec(),
            ),
            "ompany",
        ),
        (
            "unbalanced quotes",
            write(
                "quotes.csv",
                format!("{header}Ann,Lee,\"Acme,ann@acme.com,Web\nBo,Chu,Borealis,bo@b.com,Web\n")
                    .into_bytes(),
            ),
            "quote",
        ),
        ("a 10 MB line", write("long.csv", long_line), "line"),
        ("1M rows", million, "split"),
    ];
    let before = closer.workspace_stats().await.unwrap();
    let log_before = closer.store().read(closer_store::changelog::count).unwrap();
    for (what, path, hint) in cases {
        let err = closer.import_leads(path).await.unwrap_err();
        let msg = err.to_string();
        let rows = match &err {
            CoreError::Import(closer_import::ImportError::Rows { errors, .. }) => errors
                .iter()
                .map(|r| r.reason.clone())
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        };
        let said = format!("{msg} {rows}").to_lowercase();
        assert!(
            said.contains(&hint.to_lowercase()),
            "{what}: the error should mention {hint:?}; got {msg:?} {rows:?}"
        );
        assert_eq!(closer.workspace_stats().await.unwrap(), before, "{what}");
    }
    let log_after = closer.store().read(closer_store::changelog::count).unwrap();
    assert_eq!(log_before, log_after, "no change was recorded for sync");
}

// ---- deals ------------------------------------------------------------------------

#[tokio::test]
async fn moving_a_deal_to_another_stage_is_on_its_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Arc::default());
    let page = closer
        .list_deals(DealQuery {
            stage: Some(DealStage::Discovery),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let id = page.items[0].id.clone();
    let detail = closer.get_deal(id.clone()).await.unwrap();
    let d = detail.deal;
    let draft = DealDraft {
        lead_id: d.lead_id,
        name: d.name,
        amount_cents: d.amount_cents,
        stage: DealStage::Proposal,
        close_date: d.close_date,
        competitors: d.competitors,
        owner: d.owner,
        stakeholders: d.stakeholders,
    };
    closer.update_deal(id.clone(), draft.clone()).await.unwrap();
    let after = closer.get_deal(id.clone()).await.unwrap();
    assert_eq!(after.deal.stage, DealStage::Proposal);
    let newest = &after.timeline[0];
    assert_eq!(newest.kind, ActivityKind::StageChange);
    assert_eq!(newest.body, "Stage changed: Discovery → Proposal");
    // Saving again without a stage change adds nothing.
    closer.update_deal(id.clone(), draft).await.unwrap();
    assert_eq!(
        closer.get_deal(id).await.unwrap().timeline.len(),
        after.timeline.len()
    );
}
