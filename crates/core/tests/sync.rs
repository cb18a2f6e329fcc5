//! Team sync through the core, against a real `closer-server` process (this test
//! binary started again as the server: `child_server`), with the refresh token in the
//! real OS keyring (the kernel keyring on CI), and the manager view's queries on real
//! SQLite.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup is a failed test

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use closer_core::{Closer, CollectEvents, Config, CoreError, CoreEvent, TEAM};
use closer_secrets::{SecretKey, SecretStore};
use closer_server::auth::TokenKeys;
use closer_server::http::{self, AppState};
use closer_server::model::Role;
use closer_server::storage::sqlite::SqliteStorage;
use closer_server::storage::{NewUser, Storage};
use closer_server::{new_id, now_ms, ServerConfig};
use closer_types::*;

const PASSWORD: &str = "correct horse battery staple";
const SECRET: &[u8] = b"core-sync-test-secret-core-sync-test-secret-0123";
const ENV_DIR: &str = "CLOSER_CORE_TEST_SERVER_DIR";
const ENV_LISTEN: &str = "CLOSER_CORE_TEST_SERVER_LISTEN";

/// Server mode of this binary (does nothing in a normal run).
#[test]
fn child_server() {
    let Ok(dir) = std::env::var(ENV_DIR) else {
        return;
    };
    let listen = std::env::var(ENV_LISTEN).unwrap_or_else(|_| "127.0.0.1:0".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = SqliteStorage::open(&Path::new(&dir).join("server.sqlite3"))
            .await
            .unwrap();
        let state = AppState::new(
            Arc::new(store),
            TokenKeys::from_secret(SECRET).unwrap(),
            ServerConfig {
                login_burst: 1000,
                ..ServerConfig::default()
            },
        );
        let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
        println!("listening on http://{}", listener.local_addr().unwrap());
        http::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
}

fn cheap_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(8, 1, 1, None).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"closer-core-test").unwrap();
    argon
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

struct Server {
    dir: tempfile::TempDir,
    base: String,
    child: Option<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Server {
    async fn start(users: &[(&str, Role)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStorage::open(&dir.path().join("server.sqlite3"))
            .await
            .unwrap();
        let org = store.create_org(&new_id(), "Acme", now_ms()).await.unwrap();
        for (email, role) in users {
            store
                .create_user(NewUser {
                    id: new_id(),
                    org_id: org.id.clone(),
                    email: (*email).to_string(),
                    role: *role,
                    password_hash: Some(cheap_hash()),
                    created_at: now_ms(),
                })
                .await
                .unwrap();
        }
        drop(store);
        let mut s = Server {
            dir,
            base: "127.0.0.1:0".into(),
            child: None,
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let listen = self.base.trim_start_matches("http://").to_string();
        for attempt in 0..50 {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_server", "--nocapture", "--test-threads=1"])
                .env(ENV_DIR, self.dir.path())
                .env(ENV_LISTEN, &listen)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            while out.read_line(&mut line).unwrap() > 0 {
                if let Some((_, base)) = line.trim().split_once("listening on ") {
                    self.base = base.to_string();
                    // Keep reading stdout so the child never blocks on a full pipe.
                    std::thread::spawn(move || {
                        let mut sink = String::new();
                        while out.read_line(&mut sink).unwrap_or(0) > 0 {
                            sink.clear();
                        }
                    });
                    self.child = Some(child);
                    return;
                }
                line.clear();
            }
            let _ = child.wait();
            assert!(attempt < 49, "the server did not start on {listen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn service(name: &str) -> String {
    format!("closer-core-sync-{}-{name}", std::process::id())
}

fn open(dir: &Path, name: &str, demo: bool, events: Arc<CollectEvents>) -> Closer {
    let mut config = Config::new(dir);
    config.keyring_service = service(name);
    config.seed_demo_when_empty = demo;
    Closer::open(config, events).unwrap()
}

fn sign_in(base: &str, email: &str, password: &str) -> SyncSignIn {
    SyncSignIn {
        server_url: base.to_string(),
        email: email.to_string(),
        password: password.to_string(),
    }
}

/// Polls the status until `ok` holds (the loop runs on its own task).
async fn wait_status(c: &Closer, what: &str, ok: impl Fn(&SyncStatus) -> bool) -> SyncStatus {
    let started = Instant::now();
    loop {
        let s = c.sync_status().await.unwrap();
        if ok(&s) {
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited for {what}; status is {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_deal(c: &Closer, id: &str, ok: impl Fn(&Deal) -> bool) -> Deal {
    let started = Instant::now();
    loop {
        if let Ok(d) = c.get_deal(id.to_string()).await {
            if ok(&d.deal) {
                return d.deal;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "deal {id} never arrived as expected"
        );
        let _ = c.sync_now().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn deal_draft(name: &str, amount_cents: i64, owner: &str) -> DealDraft {
    DealDraft {
        lead_id: None,
        name: name.into(),
        amount_cents,
        stage: DealStage::Proposal,
        close_date: Some("2099-01-31".into()),
        competitors: vec![],
        owner: Some(owner.into()),
        stakeholders: vec![],
    }
}

fn draft_of(d: &Deal) -> DealDraft {
    DealDraft {
        lead_id: d.lead_id.clone(),
        name: d.name.clone(),
        amount_cents: d.amount_cents,
        stage: d.stage,
        close_date: d.close_date.clone(),
        competitors: d.competitors.clone(),
        owner: d.owner.clone(),
        stakeholders: d.stakeholders.clone(),
    }
}

/// Every file of the workspace's database (main file and WAL) as bytes.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["closer.db", "closer.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_signs_in_edits_offline_and_the_manager_sees_it() {
    let mut server = Server::start(&[
        ("rita@acme.test", Role::Rep),
        ("max@acme.test", Role::Manager),
    ])
    .await;
    let rep_dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let rep = open(rep_dir.path(), "rep", false, events.clone());

    // Signed out: everything works locally, the status says so.
    let s = rep.sync_status().await.unwrap();
    assert_eq!(s.state, SyncState::SignedOut);
    assert!(matches!(rep.sync_now().await, Err(CoreError::SyncInput(_))));

    // A wrong password or a bad address: a sentence, and still signed out.
    let err = rep
        .sync_sign_in(sign_in(&server.base, "rita@acme.test", "wrong"))
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Sync(_)), "{err:?}");
    assert!(matches!(
        rep.sync_sign_in(sign_in("closer.example", "rita@acme.test", PASSWORD))
            .await,
        Err(CoreError::SyncInput(_))
    ));
    assert_eq!(rep.sync_status().await.unwrap().state, SyncState::SignedOut);

    let deal = rep
        .create_deal(deal_draft("Globex rollout", 5_000_000, "Rita"))
        .await
        .unwrap();
    let s = rep
        .sync_sign_in(sign_in(&server.base, "rita@acme.test", PASSWORD))
        .await
        .unwrap();
    let account = s.account.clone().unwrap();
    assert_eq!(
        (account.email.as_str(), account.role.as_str()),
        ("rita@acme.test", "rep")
    );
    assert!(!account.sees_team());
    let s = wait_status(&rep, "the first round", |s| {
        s.state == SyncState::UpToDate && s.pending == 0 && s.last_synced_at.is_some()
    })
    .await;
    assert_eq!(s.server_url.as_deref(), Some(server.base.as_str()));

    // The refresh token is in the OS keyring and nowhere in the database.
    let keyring = SecretStore::new(&service("rep")).unwrap();
    let token = keyring
        .get(SecretKey::TeamServerRefreshToken)
        .unwrap()
        .expect("the refresh token is in the keyring");
    assert!(!contains(
        &database_bytes(rep_dir.path()),
        token.expose().as_bytes()
    ));
    assert!(!contains(
        &database_bytes(rep_dir.path()),
        PASSWORD.as_bytes()
    ));

    // The manager signs in on another computer and gets the rep's deal.
    let mgr_dir = tempfile::tempdir().unwrap();
    let manager = open(mgr_dir.path(), "manager", false, Arc::default());
    let s = manager
        .sync_sign_in(sign_in(&server.base, "max@acme.test", PASSWORD))
        .await
        .unwrap();
    assert!(s.account.unwrap().sees_team());
    wait_deal(&manager, &deal.id, |d| d.amount_cents == 5_000_000).await;
    let before = manager.team_overview(30).await.unwrap();
    let row = before
        .risks
        .iter()
        .find(|d| d.id == deal.id)
        .expect("the rep's deal is in the manager's risk list")
        .clone();
    assert_eq!(row.rep, "Rita");

    // The server goes away; the rep keeps working: the edit waits in the outbox.
    server.kill();
    let mut edit = draft_of(&deal);
    edit.amount_cents = 8_000_000;
    edit.close_date = Some("2020-01-31".into()); // passed: the health drops
    edit.competitors = vec!["Initech".into()];
    rep.update_deal(deal.id.clone(), edit).await.unwrap();
    rep.sync_now().await.unwrap();
    let s = wait_status(&rep, "offline", |s| s.state == SyncState::Offline).await;
    assert!(s.pending >= 1, "the edit waits: {s:?}");
    assert!(s.message.unwrap().contains("cannot be reached"));
    assert_eq!(
        rep.get_deal(deal.id.clone())
            .await
            .unwrap()
            .deal
            .amount_cents,
        8_000_000,
        "the app works offline"
    );

    // It comes back (same address): the rep syncs, the manager sees the change.
    server.spawn();
    rep.sync_now().await.unwrap();
    wait_status(&rep, "back up to date", |s| {
        s.state == SyncState::UpToDate && s.pending == 0
    })
    .await;
    let seen = wait_deal(&manager, &deal.id, |d| d.amount_cents == 8_000_000).await;
    assert_eq!(seen.close_date.as_deref(), Some("2020-01-31"));
    let after = manager.team_overview(30).await.unwrap();
    let row_after = after.risks.iter().find(|d| d.id == deal.id).unwrap();
    assert!(
        row_after.health < row.health,
        "the new health score shows: {} then {}",
        row.health,
        row_after.health
    );
    assert_eq!(
        row_after.at_risk_cents,
        closer_core::at_risk_cents(8_000_000, row_after.health)
    );

    // The rep saw the whole story in status events.
    let states: Vec<SyncState> = events
        .take()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::SyncStatus(s) => Some(s.state),
            _ => None,
        })
        .collect();
    for want in [SyncState::Syncing, SyncState::UpToDate, SyncState::Offline] {
        assert!(states.contains(&want), "{want:?} in {states:?}");
    }

    // Signing out forgets the token; the data stays.
    let s = rep.sync_sign_out().await.unwrap();
    assert_eq!(s.state, SyncState::SignedOut);
    assert!(keyring
        .get(SecretKey::TeamServerRefreshToken)
        .unwrap()
        .is_none());
    assert!(rep.get_deal(deal.id.clone()).await.is_ok());
    manager.sync_sign_out().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_edit_the_same_field_and_the_rep_keeps_theirs_or_mine() {
    let server = Server::start(&[("rita@acme.test", Role::Rep)]).await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = open(dir_a.path(), "laptop", false, Arc::default());
    let b = open(dir_b.path(), "desktop", false, Arc::default());
    a.sync_sign_in(sign_in(&server.base, "rita@acme.test", PASSWORD))
        .await
        .unwrap();
    b.sync_sign_in(sign_in(&server.base, "rita@acme.test", PASSWORD))
        .await
        .unwrap();
    let deal = a
        .create_deal(deal_draft("Initech renewal", 1_000_000, "Rita"))
        .await
        .unwrap();
    a.sync_now().await.unwrap();
    wait_deal(&b, &deal.id, |_| true).await;

    // Both change the amount; the laptop first, the desktop later (its clock wins).
    let mut on_a = draft_of(&deal);
    on_a.amount_cents = 1_100_000;
    a.update_deal(deal.id.clone(), on_a).await.unwrap();
    wait_status(&a, "the laptop's push", |s| {
        s.pending == 0 && s.state == SyncState::UpToDate
    })
    .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut on_b = draft_of(&deal);
    on_b.amount_cents = 1_200_000;
    b.update_deal(deal.id.clone(), on_b).await.unwrap();
    b.sync_now().await.unwrap();
    wait_deal(&a, &deal.id, |d| d.amount_cents == 1_200_000).await;

    // The laptop lists its lost value beside the current one.
    let started = Instant::now();
    let conflicts = loop {
        let c = a.sync_conflicts().await.unwrap();
        if !c.is_empty() || started.elapsed() > Duration::from_secs(20) {
            break c;
        }
        a.sync_now().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let c = conflicts
        .iter()
        .find(|c| c.field == "amount_cents")
        .expect("the amount conflict is listed");
    assert_eq!(c.title, "Initech renewal");
    assert_eq!(c.other_side, ConflictSide::Mine);
    assert_eq!(c.other_value, "1100000");
    assert_eq!(c.current_value, "1200000");
    assert_eq!(
        a.sync_status().await.unwrap().conflicts as usize,
        conflicts.len()
    );

    // Keep mine: the laptop's value becomes current and wins on the other device too.
    let left = a
        .resolve_sync_conflict(c.id, ConflictChoice::KeepMine)
        .await
        .unwrap();
    assert!(left.iter().all(|x| x.id != c.id));
    assert_eq!(
        a.get_deal(deal.id.clone()).await.unwrap().deal.amount_cents,
        1_100_000
    );
    wait_deal(&b, &deal.id, |d| d.amount_cents == 1_100_000).await;
    // The desktop's value lost in its turn: it is listed there as the rep's own, and
    // taking the other side (what is current) just closes it.
    let started = Instant::now();
    loop {
        let on_b = b.sync_conflicts().await.unwrap();
        if let Some(x) = on_b
            .iter()
            .find(|x| x.field == "amount_cents" && x.other_value == "1200000")
        {
            assert_eq!(x.other_side, ConflictSide::Mine);
            b.resolve_sync_conflict(x.id, ConflictChoice::TakeTheirs)
                .await
                .unwrap();
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no conflict on the desktop"
        );
        b.sync_now().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        b.get_deal(deal.id.clone()).await.unwrap().deal.amount_cents,
        1_100_000
    );
    a.sync_sign_out().await.unwrap();
    b.sync_sign_out().await.unwrap();
}

#[tokio::test]
async fn the_manager_view_from_the_demo_cache() {
    let dir = tempfile::tempdir().unwrap();
    let c = open(dir.path(), "demo", true, Arc::default());
    let o = c.team_overview(30).await.unwrap();
    assert_eq!(
        o.pipeline.iter().map(|p| p.deals).sum::<u32>(),
        60,
        "every demo deal is in the pipeline"
    );
    assert!(o.reps.len() >= 2, "deals by rep: {:?}", o.reps.len());
    let open: u32 = o.reps.iter().map(|r| r.open_deals).sum();
    assert_eq!(open as usize, o.risks.len());
    assert!(o
        .risks
        .windows(2)
        .all(|w| w[0].at_risk_cents >= w[1].at_risk_cents));
    for d in &o.risks {
        assert_eq!(
            d.at_risk_cents,
            closer_core::at_risk_cents(d.amount_cents, d.health)
        );
        assert_eq!(d.source, HealthSource::Local, "no analysis yet");
    }
    // The demo starts with history: the team line covers all 30 days.
    let team_days = o.trend.iter().filter(|p| p.rep == TEAM).count();
    assert_eq!(team_days, 30);

    // The riskiest deal is won: it leaves the risk list, and the trend's today moves.
    let top = o.risks[0].clone();
    let today_before = o.trend.iter().rfind(|p| p.rep == TEAM).unwrap().clone();
    let deal = c.get_deal(top.id.clone()).await.unwrap().deal;
    let mut draft = draft_of(&deal);
    draft.stage = DealStage::ClosedWon;
    c.update_deal(deal.id.clone(), draft).await.unwrap();
    let o2 = c.team_overview(30).await.unwrap();
    assert!(o2.risks.iter().all(|d| d.id != top.id));
    let today_after = o2.trend.iter().rfind(|p| p.rep == TEAM).unwrap();
    assert_eq!(today_after.deals + 1, today_before.deals);

    // Claude's analysis, when newer than the deal, is the score shown.
    let insights = c.deal_insights(o2.risks[0].id.clone()).await.unwrap();
    assert!(insights.local.score <= 100);
}
