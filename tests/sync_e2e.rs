//! End-to-end team sync: the real `closer-server` binary (an organisation made with its
//! admin CLI) and two real Closer apps with separate data directories and keyrings: a
//! rep (the demo workspace) and a manager (an empty workspace, filled by sync).
//!
//! The rep edits a deal while the server is down (the app keeps working, the pill says
//! what waits), the server comes back, the rep syncs, and the manager's Team view shows
//! the new amount and the deal's new (lower) health score.
//!
//! Needs the built app and server (`cargo build -p closer-app --bin closer -p
//! closer-server --bin closer-server`), Xvfb and tauri-driver: run through
//! `scripts/test.sh`.

#[allow(dead_code)] // the harness is shared with e2e.rs; this test uses part of it
mod harness;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use harness::{App, Driver};

const PASSWORD: &str = "e2e-password-long-enough";
const NEW_AMOUNT: &str = "987654";
const NEW_AMOUNT_SHOWN: &str = "$987,654";
const PAST_CLOSE: &str = "2020-01-15";

fn server_binary() -> PathBuf {
    std::env::var_os("CLOSER_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            harness::app_binary()
                .parent()
                .map(|d| d.join("closer-server"))
                .unwrap_or_default()
        })
}

/// `closer-server` on a data directory, started and stopped by the test.
struct TeamServer {
    data: PathBuf,
    listen: String,
    child: Option<Child>,
}

impl TeamServer {
    fn admin(&self, args: &[&str]) -> Result<()> {
        let out = Command::new(server_binary())
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .output()
            .with_context(|| format!("running {}", server_binary().display()))?;
        ensure!(
            out.status.success(),
            "closer-server {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }

    fn start(&mut self) -> Result<()> {
        let child = Command::new(server_binary())
            .arg("--data-dir")
            .arg(&self.data)
            .args(["serve", "--listen", &self.listen])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(&self.listen).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("closer-server did not listen on {}", self.listen);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }

    /// SIGKILL: the server is simply gone (a network outage, as the desktop sees it).
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for TeamServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn sign_in(app: &App, base: &str, email: &str) -> Result<()> {
    app.click("[data-testid=nav-settings]").await?;
    app.set_value("[data-testid=sync-url]", base).await?;
    app.set_value("[data-testid=sync-email]", email).await?;
    app.set_value("[data-testid=sync-password]", PASSWORD)
        .await?;
    app.click("[data-testid=sync-sign-in]").await?;
    wait_pill(app, "up_to_date", Duration::from_secs(40)).await
}

async fn wait_pill(app: &App, state: &str, within: Duration) -> Result<()> {
    let css = format!("[data-testid=sync-pill][data-state={state}]");
    let started = Instant::now();
    loop {
        if !app.texts_now(&css).await?.is_empty() {
            return Ok(());
        }
        if started.elapsed() > within {
            let now = app.texts_now("[data-testid=sync-pill]").await?;
            bail!("the sync pill never showed {state}; it shows {now:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The manager view's row of `deal` (in the per-rep lists), once it shows `want`.
async fn team_row(app: &App, deal: &str, want: &str, within: Duration) -> Result<Vec<String>> {
    let started = Instant::now();
    loop {
        for row in app.rows_cells("[data-testid=rep-deal-row]").await? {
            if row.iter().any(|c| c == deal) && row.iter().any(|c| c.contains(want)) {
                return Ok(row);
            }
        }
        if started.elapsed() > within {
            bail!("the Team view never showed {deal:?} with {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The health score: the last cell of a Team row (name, stage, amount, health).
fn health_of(row: &[String]) -> Result<u32> {
    row.last()
        .and_then(|c| c.split_whitespace().find_map(|w| w.parse().ok()))
        .with_context(|| format!("no health score in {row:?}"))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and server, Xvfb and tauri-driver: run scripts/test.sh"]
async fn a_reps_offline_edit_reaches_the_managers_team_view() -> Result<()> {
    let started = Instant::now();
    ensure!(
        server_binary().exists(),
        "{} is missing: cargo build -p closer-server --bin closer-server",
        server_binary().display()
    );
    let tmp = tempfile::tempdir()?;
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n"))?;
    let pw = pw.to_string_lossy().to_string();
    let mut server = TeamServer {
        data: tmp.path().join("server"),
        listen: format!("127.0.0.1:{}", free_port()?),
        child: None,
    };
    server.admin(&[
        "init-org",
        "--name",
        "Acme",
        "--admin-email",
        "ada@acme.test",
        "--admin-password-file",
        &pw,
    ])?;
    for (email, role) in [("rita@acme.test", "rep"), ("max@acme.test", "manager")] {
        server.admin(&[
            "invite",
            "--org",
            "Acme",
            "--email",
            email,
            "--role",
            role,
            "--password-file",
            &pw,
        ])?;
    }
    server.start()?;
    let base = format!("http://{}", server.listen);

    // ---- the rep: the demo workspace, signed in, first sync ----
    let pid = std::process::id();
    let rep_dir = tmp.path().join("rep");
    let rep_keyring = format!("closer-e2e-{pid}-rep");
    let rep_driver = Driver::start_with(&rep_dir, &[("CLOSER_KEYRING_SERVICE", &rep_keyring)])?;
    let rep = App::launch(&rep_driver).await?;
    rep.wait_ready().await?;
    sign_in(&rep, &base, "rita@acme.test").await?;
    rep.screenshot("sync-01-rep-signed-in").await?;

    // ---- the manager: an empty workspace that sync fills ----
    let mgr_dir = tmp.path().join("manager");
    let mgr_keyring = format!("closer-e2e-{pid}-manager");
    let mgr_driver = Driver::start_with(
        &mgr_dir,
        &[
            ("CLOSER_KEYRING_SERVICE", &mgr_keyring),
            ("CLOSER_NO_DEMO", "1"),
        ],
    )?;
    let mgr = App::launch(&mgr_driver).await?;
    mgr.wait_ready().await?;
    sign_in(&mgr, &base, "max@acme.test").await?;

    // The rep picks an open deal (the first one not closed).
    rep.click("[data-testid=nav-deals]").await?;
    rep.wait_for("[data-testid=deal-row]").await?;
    let rows = rep.rows_cells("[data-testid=deal-row]").await?;
    let names = rep.texts("[data-testid=deal-row] td.strong a").await?;
    let deal = rows
        .iter()
        .zip(&names)
        .find(|(r, _)| !r.iter().any(|c| c.contains("Closed")))
        .map(|(_, n)| n.trim().to_string())
        .with_context(|| format!("an open deal among {:?}", &rows[..rows.len().min(4)]))?;
    ensure!(!deal.is_empty(), "the deal row has a name");

    mgr.click("[data-testid=nav-team]").await?;
    let before = team_row(&mgr, &deal, "", Duration::from_secs(30)).await?;
    let health_before = health_of(&before)?;
    mgr.screenshot("sync-02-manager-team-before").await?;

    // ---- the server goes away; the rep edits the deal offline ----
    server.stop();
    rep.click_text("[data-testid=deal-row]", &deal).await?;
    rep.click("[data-testid=deal-edit]").await?;
    rep.set_value("[data-testid=deal-amount]", NEW_AMOUNT)
        .await?;
    rep.set_value("[data-testid=deal-close-date]", PAST_CLOSE)
        .await?;
    rep.click("[data-testid=deal-save]").await?;
    rep.wait_for_text("[data-testid=deal-detail]", NEW_AMOUNT_SHOWN)
        .await?;
    rep.click("[data-testid=nav-settings]").await?;
    rep.click("[data-testid=sync-now]").await?;
    wait_pill(&rep, "offline", Duration::from_secs(30)).await?;
    rep.wait_for_text("[data-testid=sync-pill]", "change")
        .await?;
    rep.screenshot("sync-03-rep-offline-waiting").await?;

    // ---- it comes back; the rep syncs; the manager sees the change ----
    server.start()?;
    rep.click("[data-testid=sync-now]").await?;
    wait_pill(&rep, "up_to_date", Duration::from_secs(30)).await?;
    rep.screenshot("sync-04-rep-synced").await?;

    mgr.click("[data-testid=nav-settings]").await?;
    mgr.click("[data-testid=sync-now]").await?;
    mgr.click("[data-testid=nav-team]").await?;
    let after = team_row(&mgr, &deal, NEW_AMOUNT_SHOWN, Duration::from_secs(40)).await?;
    let health_after = health_of(&after)?;
    ensure!(
        health_after < health_before,
        "the manager sees the new, lower health: {health_before} then {health_after} ({after:?})"
    );
    let risks_from = Instant::now();
    while !mgr
        .rows_cells("[data-testid=risk-row]")
        .await?
        .iter()
        .any(|r| r.iter().any(|c| c.contains(NEW_AMOUNT_SHOWN)))
    {
        ensure!(
            risks_from.elapsed() < Duration::from_secs(15),
            "the risk list never showed the deal at {NEW_AMOUNT_SHOWN}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    mgr.screenshot("sync-05-manager-team-after").await?;
    eprintln!(
        "sync e2e: {deal:?} health {health_before} -> {health_after}, {:.1} s",
        started.elapsed().as_secs_f64()
    );

    rep.close().await;
    mgr.close().await;
    drop(mgr_driver);
    drop(rep_driver);
    Ok(())
}
