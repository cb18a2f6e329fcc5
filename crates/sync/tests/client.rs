//! The sync client against a real server: tokens, crash replay, progress, restarts.

use std::time::Instant;

use closer_server::model::Role;
use closer_store::{leads, sync as db};
use closer_sync::{local, Progress, SyncError, TokenStore};
use closer_sync_proto::{PushRequest, PushResponse};
use closer_types::{now_millis, LeadDraft};

use crate::support::{http, Device, Server, PASSWORD};

fn add_lead(d: &Device, company: &str) -> String {
    d.store
        .write(|tx| leads::create(tx, &LeadDraft::named(company), now_millis()))
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_refresh_rotates_and_a_reused_token_is_refused() {
    let (server, users) = Server::start(&[("ann@acme.test", Role::Rep)]).await;
    let tmp = tempfile::tempdir().unwrap();
    let d = Device::new(tmp.path(), "ann", &server.base, &users[0]);
    let wrong = d.client.sign_in("ann@acme.test", "not the password").await;
    assert!(
        matches!(wrong, Err(SyncError::Unauthorized(_))),
        "{wrong:?}"
    );
    let account = d.client.sign_in("ann@acme.test", PASSWORD).await.unwrap();
    assert_eq!(account.user_id, users[0].id);
    assert_eq!(account.role, "rep");
    let first = d.tokens.load().unwrap().unwrap();
    d.client.refresh().await.unwrap();
    let second = d.tokens.load().unwrap().unwrap();
    assert_ne!(first, second, "a refresh rotates the refresh token");
    // The second token is used too, so the first can no longer be a crashed
    // client's retry (the grace window): it is stolen.
    d.client.refresh().await.unwrap();
    // Someone replays the spent token: the server revokes the family.
    d.tokens.save(&first).unwrap();
    let reused = d.client.refresh().await;
    assert!(
        matches!(reused, Err(SyncError::Unauthorized(_))),
        "{reused:?}"
    );
    assert_eq!(
        d.tokens.load().unwrap(),
        None,
        "a refused token is forgotten"
    );
}

/// The server applied a push but the desktop crashed before recording the acks: the
/// same mutation ids are sent again and the server answers with its stored acks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_push_after_a_crash_is_a_noop() {
    let (server, users) = Server::start(&[("ann@acme.test", Role::Rep)]).await;
    let tmp = tempfile::tempdir().unwrap();
    let a = Device::new(tmp.path(), "a", &server.base, &users[0]);
    a.sign_in().await;
    let id = add_lead(&a, "Initech");
    assert_eq!(local::stage(&a.store, now_millis()).unwrap(), 1);
    let staged = local::outbox(&a.store, 100).unwrap();
    assert_eq!(staged.len(), 1);

    // What the desktop sent before it crashed: the same client id and mutations.
    let login: serde_json::Value = http()
        .post(format!("{}/v1/auth/login", server.base))
        .json(&serde_json::json!({"email": "ann@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();
    let req = PushRequest {
        client_id: local::client_id(&a.store).unwrap(),
        mutations: staged.clone(),
    };
    let first: PushResponse = http()
        .post(format!("{}/v1/sync/push", server.base))
        .bearer_auth(&token)
        .json(&req)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first.acks.len(), 1);

    // After the restart the outbox still holds the mutation: the push replays it.
    let report = a.client.push(&mut |_| {}).await.unwrap();
    assert_eq!(report.acked, 1);
    assert_eq!(report.conflicts, 0);
    assert_eq!(a.client.status().await.unwrap().outbox, 0);

    // The server changed nothing the second time: same version, one lead.
    let again: PushResponse = http()
        .post(format!("{}/v1/sync/push", server.base))
        .bearer_auth(&token)
        .json(&req)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, first);
    let b = Device::new(tmp.path(), "b", &server.base, &users[0]);
    b.sign_in().await;
    let pulled = b.client.sync_once(&mut |_| {}).await.unwrap();
    assert_eq!(pulled.pull.changes, 1);
    let lead = b.store.read(|c| leads::get(c, &id)).unwrap();
    assert_eq!(lead.company, "Initech");
    assert_eq!(b.store.read(leads::count).unwrap(), 1);
    assert_eq!(db_conflicts(&b), 0);
}

fn db_conflicts(d: &Device) -> u64 {
    d.store.read(|c| db::conflict_count(c, false)).unwrap()
}

/// A first sync of many rows pulls page by page and reports progress up to the total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_of_many_rows_reports_progress() {
    const N: usize = 1200;
    let (server, users) = Server::start(&[("ann@acme.test", Role::Rep)]).await;
    let tmp = tempfile::tempdir().unwrap();
    let a = Device::new(tmp.path(), "a", &server.base, &users[0]);
    a.sign_in().await;
    let drafts: Vec<LeadDraft> = (0..N)
        .map(|i| LeadDraft::named(&format!("Company {i}")))
        .collect();
    a.store
        .write(|tx| leads::insert_many(tx, &drafts, now_millis(), &mut |_| {}))
        .unwrap();
    let mut pushes = Vec::new();
    let report = a.client.push(&mut |p| pushes.push(p)).await.unwrap();
    assert_eq!(report.acked, N as u64);
    assert!(pushes.len() >= 2, "{pushes:?}");
    assert_eq!(
        pushes.last(),
        Some(&Progress::Push {
            done: N as u64,
            total: N as u64
        })
    );

    let b = Device::new(tmp.path(), "b", &server.base, &users[0]);
    b.sign_in().await;
    let started = Instant::now();
    let mut pulls = Vec::new();
    let report = b.client.sync_once(&mut |p| pulls.push(p)).await.unwrap();
    eprintln!("first sync of {N} leads: {:?}", started.elapsed());
    assert_eq!(report.pull.changes, N as u64);
    assert!(report.pull.pages >= 3, "{report:?}");
    let dones: Vec<(u64, u64)> = pulls
        .iter()
        .filter_map(|p| match p {
            Progress::Pull { done, total } => Some((*done, *total)),
            Progress::Push { .. } => None,
        })
        .collect();
    assert!(dones.len() >= 3, "{dones:?}");
    assert!(dones.windows(2).all(|w| w[0].0 < w[1].0), "{dones:?}");
    assert!(
        dones
            .iter()
            .all(|(done, total)| done <= total && *total == N as u64),
        "{dones:?}"
    );
    assert_eq!(dones.last(), Some(&(N as u64, N as u64)));
    assert_eq!(b.store.read(leads::count).unwrap(), N as u64);
    // Applying pulled rows is not a local edit: nothing to push back.
    assert_eq!(b.client.status().await.unwrap().outbox, 0);
    assert_eq!(b.client.push(&mut |_| {}).await.unwrap().acked, 0);
}

/// Edits made while the server is down stay in the outbox across an app restart and
/// reach the other devices once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_survive_a_restart_and_push_later() {
    let (mut server, users) = Server::start(&[("ann@acme.test", Role::Rep)]).await;
    let base = server.base.clone();
    let tmp = tempfile::tempdir().unwrap();
    let mut a = Device::new(tmp.path(), "a", &base, &users[0]);
    a.sign_in().await;
    let id = add_lead(&a, "Globex");
    a.client.sync_once(&mut |_| {}).await.unwrap();

    server.kill();
    let mut draft = LeadDraft::named("Globex Corporation");
    draft.industry = Some("Energy".into());
    a.store
        .write(|tx| leads::update(tx, &id, &draft, now_millis()))
        .unwrap();
    let second = add_lead(&a, "Hooli");
    let offline = a.client.sync_once(&mut |_| {}).await;
    assert!(matches!(offline, Err(SyncError::Offline(_))), "{offline:?}");
    assert!(offline.err().is_some_and(|e| e.is_retryable()));
    assert_eq!(a.client.status().await.unwrap().outbox, 2, "staged, kept");

    // The app restarts (and is edited again) while still offline.
    a.reopen(&base);
    let status = a.client.status().await.unwrap();
    assert_eq!(status.outbox, 2);
    add_lead(&a, "Umbrella");
    assert_eq!(a.client.status().await.unwrap().unstaged, 1);

    server.restart().await;
    assert_eq!(server.base, base, "same port after the restart");
    let report = a.client.sync_once(&mut |_| {}).await.unwrap();
    assert_eq!(report.push.acked, 3);
    let status = a.client.status().await.unwrap();
    assert_eq!((status.outbox, status.unstaged), (0, 0));

    let b = Device::new(tmp.path(), "b", &base, &users[0]);
    b.sign_in().await;
    b.client.sync_once(&mut |_| {}).await.unwrap();
    let lead = b.store.read(|c| leads::get(c, &id)).unwrap();
    assert_eq!(lead.company, "Globex Corporation");
    assert_eq!(lead.industry.as_deref(), Some("Energy"));
    assert!(b.store.read(|c| leads::find(c, &second)).unwrap().is_some());
    assert_eq!(b.store.read(leads::count).unwrap(), 3);
}
