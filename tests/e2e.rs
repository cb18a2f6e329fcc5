//! End-to-end: the real Closer binary in a real window (Xvfb), driven through
//! tauri-driver + WebKitWebDriver like a rep would use it.
//!
//! Run through `scripts/test.sh` (it builds the app, installs tauri-driver and starts
//! Xvfb). The test is `#[ignore]`d for plain `cargo test` because it needs all three.

mod harness;

use std::time::Duration;

use anyhow::{ensure, Result};
use harness::{App, Driver};

const LEAD: &str = "Zephyr Robotics E2E";
const TYPED: &str = "Typed seconds before the crash: Zephyr keeps every word.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_reps_edits_survive_a_crash() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    // Claude is our fake Anthropic API on loopback, streaming with small pauses like the real one.
    let fake = closer_claude_fake::FakeAnthropic::start_on(
        "127.0.0.1:0".parse()?,
        closer_claude_fake::FakeOptions {
            chunk_delay: Duration::from_millis(25),
            ..Default::default()
        },
    )
    .await?;
    let fake_url = fake.url();
    let driver = Driver::start_with(
        workspace.path(),
        &[("CLOSER_ANTHROPIC_BASE_URL", fake_url.as_str())],
    )?;

    // ---- first run: the demo workspace, a new lead, a battle card, a proposal ----
    let app = App::launch(&driver).await?;
    app.wait_ready().await?;
    app.screenshot("01-leads").await?;

    app.click("[data-testid=new-lead-button]").await?;
    app.type_into("[data-testid=lead-company]", LEAD).await?;
    app.type_into("[data-testid=lead-domain]", "zephyr-robotics.example")
        .await?;
    app.type_into("[data-testid=lead-industry]", "Manufacturing")
        .await?;
    app.click("[data-testid=lead-save]").await?;
    app.wait_for("[data-testid=lead-detail]").await?;
    app.screenshot("02-lead-detail").await?;

    app.click("[data-testid=nav-battle-cards]").await?;
    app.wait_for("[data-testid=battle-card-tile]").await?;
    app.screenshot("03-battle-cards").await?;
    app.click("[data-testid=battle-card-tile]").await?;
    let competitor = app.text("[data-testid=battle-card-competitor]").await?;
    ensure!(
        !competitor.trim().is_empty(),
        "the battle card shows its competitor"
    );
    app.screenshot("04-battle-card").await?;

    app.click("[data-testid=nav-proposals]").await?;
    app.wait_for("[data-testid=proposal-row]").await?;
    app.screenshot("05-proposals").await?;
    app.click("[data-testid=proposal-row]").await?;
    let title = app.value("[data-testid=proposal-title]").await?;
    app.append_to("[data-testid=proposal-body]", &format!("\n\n{TYPED}"))
        .await?;
    // The editor promises at most one second of typing lost to a crash.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.screenshot("06-proposal-editor").await?;

    // ---- crash: SIGKILL, no chance to flush anything ----
    app.kill_hard()?;
    // End the dead session so WebKitWebDriver (one session at a time) takes a new one.
    app.close().await;

    // ---- second run: everything is still there ----
    let app = App::launch(&driver).await?;
    app.wait_ready().await?;
    app.type_into("[data-testid=leads-filter]", "Zephyr")
        .await?;
    app.wait_for_text("[data-testid=lead-row]", LEAD).await?;

    app.click("[data-testid=nav-proposals]").await?;
    app.wait_for_text("[data-testid=proposal-row]", &title)
        .await?;
    app.click_text("[data-testid=proposal-row]", &title).await?;
    let body = app.value("[data-testid=proposal-body]").await?;
    ensure!(
        body.contains(TYPED),
        "the proposal kept the text typed before the crash; body ends with: {:?}",
        body.chars()
            .rev()
            .take(200)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>()
    );

    app.click("[data-testid=nav-battle-cards]").await?;
    app.click_text("[data-testid=battle-card-tile]", competitor.trim())
        .await?;
    app.wait_for_text("[data-testid=battle-card-competitor]", competitor.trim())
        .await?;

    // ---- the other main views, for the screenshots a human looks at ----
    for (nav, ready, shot) in [
        ("nav-deals", "[data-testid=nav-deals]", "07-deals"),
        ("nav-content", "[data-testid=nav-content]", "08-content"),
        ("nav-calls", "[data-testid=nav-calls]", "09-calls"),
        ("nav-settings", "[data-testid=api-key-input]", "10-settings"),
    ] {
        app.click(&format!("[data-testid={nav}]")).await?;
        app.wait_for(ready).await?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        app.screenshot(shot).await?;
    }

    // ---- the Claude API key goes to the OS keyring, and nowhere else ----
    const KEY: &str = "sk-ant-api03-E2EKEYMUSTNOTLEAK-0123456789abcdefghij";
    app.type_into("[data-testid=api-key-input]", KEY).await?;
    app.click("[data-testid=api-key-save]").await?;
    app.wait_for_text("[data-testid=api-key-status]", "Set")
        .await?;
    let page = app.page_text().await?;
    ensure!(!page.contains("E2EKEYMUSTNOTLEAK"), "the key is shown back");
    app.screenshot("10b-settings-key-set").await?;

    // ---- a document saved in a watched folder is found in plain words ----
    let library = tempfile::tempdir()?;
    app.type_into(
        "[data-testid=library-folder-input]",
        &library.path().display().to_string(),
    )
    .await?;
    app.click("[data-testid=library-folder-add]").await?;
    app.wait_for("[data-testid=library-folder]").await?;
    std::fs::write(
        library.path().join("quokka-freight-case-study.md"),
        "# Case study: Quokka Freight cuts audit costs\n\n\
         Quokka Freight, a logistics company with 4,000 trucks, replaced manual freight \
         invoice audits. The CFO was worried about return on investment; the rollout paid \
         back in five months and saved 1.2 million dollars in the first year.\n",
    )?;
    let saved = std::time::Instant::now();
    app.screenshot("10c-settings-library").await?;
    app.open_search().await?;
    let query = "case study for a logistics finance leader worried about ROI";
    let mut found = false;
    // The first start also indexes the demo library (with the model, in a debug build):
    // ask again until the new document is among the results.
    for _ in 0..240 {
        app.clear("[data-testid=search-input]").await?;
        app.type_into("[data-testid=search-input]", query).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let results = app.texts_now("[data-testid=search-result]").await?;
        if results.iter().any(|r| r.contains("Quokka Freight")) {
            found = true;
            break;
        }
    }
    ensure!(found, "the new document is found by a plain-language query");
    println!(
        "watched folder: saved to found in the palette in {:.1} s (includes the first indexing of the demo library)",
        saved.elapsed().as_secs_f64()
    );
    app.wait_for("[data-testid=search-why]").await?;
    app.screenshot("11a-search-library-file").await?;
    app.close_search().await?;

    // ---- search with FTS5 syntax characters: results or nothing, never an error ----
    app.open_search().await?;
    app.type_into("[data-testid=search-input]", "healthcare ROI")
        .await?;
    app.wait_for("[data-testid=search-result]").await?;
    app.screenshot("11-search").await?;
    for nasty in ["\"", "AND (", "*", "NEAR", "🚀"] {
        app.clear("[data-testid=search-input]").await?;
        app.type_into("[data-testid=search-input]", nasty).await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let page = app.page_text().await?;
        ensure!(
            !page.to_lowercase().contains("fts5") && !page.contains("syntax error"),
            "searching {nasty:?} showed an error"
        );
    }
    app.close_search().await?;

    // ---- Claude streams a proposal into the editor ----
    app.click("[data-testid=nav-deals]").await?;
    app.wait_for("[data-testid=deal-row]").await?;
    app.click("[data-testid=deal-row]").await?;
    app.wait_for("[data-testid=deal-detail]").await?;
    app.wait_for("[data-testid=local-health]").await?;
    app.screenshot("12-deal-health").await?;
    let before = fake.request_count();
    app.click("[data-testid=generate-proposal]").await?;
    app.wait_for("[data-testid=proposal-body]").await?;
    // Mid-stream: the editor already shows part of the text.
    let mut partial = String::new();
    for _ in 0..100 {
        partial = app
            .value("[data-testid=proposal-body]")
            .await
            .unwrap_or_default();
        if !partial.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.screenshot("13-proposal-streaming").await?;
    app.wait_for_text("[data-testid=generation-status]", "Written by Claude")
        .await?;
    let streamed = app.value("[data-testid=proposal-body]").await?;
    ensure!(
        streamed.len() > partial.len() && streamed.starts_with(partial.trim_end()),
        "the text grew while streaming ({} then {} chars)",
        partial.len(),
        streamed.len()
    );
    ensure!(
        fake.request_count() > before,
        "the proposal came from the fake API"
    );
    app.screenshot("14-proposal-written").await?;

    // ---- lead scores from Claude appear in the list ----
    app.click("[data-testid=nav-leads]").await?;
    app.wait_for("[data-testid=lead-row]").await?;
    let scores_before = app.texts("[data-testid=lead-score]").await?;
    let before = fake.request_count();
    app.click("[data-testid=score-leads]").await?;
    let mut scores_after = scores_before.clone();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        scores_after = app.texts("[data-testid=lead-score]").await?;
        if scores_after != scores_before && fake.request_count() > before {
            break;
        }
    }
    ensure!(
        scores_after != scores_before,
        "new lead scores show in the list: {scores_before:?}"
    );
    ensure!(
        scores_after.iter().all(|s| s.trim().parse::<u8>().is_ok()),
        "every lead on the page has a score: {scores_after:?}"
    );
    app.screenshot("15-lead-scores").await?;

    app.click("[data-testid=nav-ai-usage]").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.screenshot("16-ai-usage").await?;

    app.close().await;
    fake.stop().await;

    // The key is in no file of the workspace: not the database, its WAL, or the logs.
    for entry in walk(workspace.path()) {
        let bytes = std::fs::read(&entry)?;
        ensure!(
            !bytes.windows(17).any(|w| w == b"E2EKEYMUSTNOTLEAK"),
            "{} contains the API key",
            entry.display()
        );
    }
    Ok(())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}
