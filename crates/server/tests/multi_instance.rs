//! Two server instances (each its own pool and port) against one PostgreSQL database
//! serve one organisation consistently: pushes alternate between them and run
//! concurrently; versions are handed out without gaps or duplicates; pulls from
//! either instance agree, and a puller that follows along never misses a change; a
//! refresh token rotated on one instance is refused as reused on the other.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use closer_server::model::Role;
use closer_server::storage::postgres::PgStorage;
use closer_server::storage::Storage;
use serde_json::{json, Value};

use crate::support::{org, pg, status_json, test_config, user, TestServer};

/// Two instances on one fresh database (migrated by both at once), with Acme's
/// reps ann and ben and manager mia.
async fn two_instances() -> Option<(TestServer, TestServer)> {
    let url = pg::fresh_database().await?;
    let (a, b) = tokio::join!(PgStorage::connect(&url), PgStorage::connect(&url));
    let (a, b): (Arc<dyn Storage>, Arc<dyn Storage>) = (Arc::new(a.unwrap()), Arc::new(b.unwrap()));
    let acme = org(a.as_ref(), "Acme").await;
    user(a.as_ref(), &acme, "ann@acme.test", Role::Rep).await;
    user(a.as_ref(), &acme, "ben@acme.test", Role::Rep).await;
    user(b.as_ref(), &acme, "mia@acme.test", Role::Manager).await;
    Some((
        TestServer::over(a, test_config()).await,
        TestServer::over(b, test_config()).await,
    ))
}

fn lead(id: &str, company: &str, wall: i64, node: &str) -> Value {
    json!({"entity": "lead", "entity_id": id, "op": "upsert",
           "fields": {"company": {"value": company, "hlc": {"wall_ms": wall, "counter": 0, "node": node}}}})
}

fn batch(client: &str, first_id: u64, mutations: Vec<Value>) -> Value {
    let mutations: Vec<Value> = mutations
        .into_iter()
        .zip(first_id..)
        .map(|(mut m, id)| {
            m["mutation_id"] = json!(id);
            m
        })
        .collect();
    json!({"client_id": client, "mutations": mutations})
}

/// Every change `token`'s user sees, paging `limit` at a time, alternating instances.
async fn pull_all(servers: [&TestServer; 2], token: &str, limit: u32) -> Vec<Value> {
    let mut since = 0;
    let mut all = Vec::new();
    for i in 0.. {
        let (status, page) = servers[i % 2]
            .get(token, &format!("/v1/sync/pull?since={since}&limit={limit}"))
            .await;
        assert_eq!(status, 200, "{page}");
        all.extend(page["changes"].as_array().unwrap().iter().cloned());
        since = page["next_cursor"].as_i64().unwrap();
        if page["has_more"] == false {
            break;
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_serve_one_organisation_consistently() {
    let Some((a, b)) = two_instances().await else {
        eprintln!("CLOSER_SKIP_PG=1: skipped");
        return;
    };
    let ann = a.token("ann@acme.test").await.access_token;
    let ben = b.token("ben@acme.test").await.access_token;
    let mia = a.token("mia@acme.test").await.access_token;

    // One client pushing alternately to both: its mutation ids and the versions
    // continue across instances; a replay on the other instance gets the same acks.
    let mut versions = Vec::new();
    for i in 0..6u64 {
        let server = if i % 2 == 0 { &a } else { &b };
        let body = batch(
            "ann-laptop",
            i + 1,
            vec![lead(&format!("alt-{i}"), "Initech", 1000 + i as i64, "ann")],
        );
        let (status, r) = server.post(&ann, "/v1/sync/push", &body).await;
        assert_eq!(status, 200, "{r}");
        versions.push(r["acks"][0]["server_version"].as_i64().unwrap());
        let other = if i % 2 == 0 { &b } else { &a };
        let (status, replay) = other.post(&ann, "/v1/sync/push", &body).await;
        assert_eq!((status, &replay["acks"]), (200, &r["acks"]));
    }
    assert_eq!(versions, (1..=6).collect::<Vec<i64>>());
    // An acknowledged id sent to the other instance is a replay (the client state
    // is shared): its stored ack, nothing applied.
    let (status, r) = b
        .post(
            &ann,
            "/v1/sync/push",
            &batch("ann-laptop", 3, vec![lead("alt-x", "x", 1, "ann")]),
        )
        .await;
    assert_eq!(
        (status, r["acks"][0]["server_version"].as_i64()),
        (200, Some(3))
    );
    assert_eq!(
        r["server_version"], 6,
        "the organisation's version, unchanged"
    );

    // Concurrently: 8 clients (4 of ann's, 4 of ben's), 20 batches of 2 new leads
    // each, alternating instances, while a manager follows along with small pulls.
    let (clients, batches) = (8usize, 20u64);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (token, who) = if c % 2 == 0 {
            (ann.clone(), "ann")
        } else {
            (ben.clone(), "ben")
        };
        let urls = [a.url("/v1/sync/push"), b.url("/v1/sync/push")];
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut acks = Vec::new();
            for n in 0..batches {
                let body = batch(
                    &format!("{who}-{c}"),
                    2 * n + 1,
                    vec![
                        lead(&format!("c{c}-{n}-a"), "Hooli", 2000 + n as i64, who),
                        lead(&format!("c{c}-{n}-b"), "Hooli", 2000 + n as i64, who),
                    ],
                );
                let r = http
                    .post(&urls[(c + n as usize) % 2])
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let (status, r) = status_json(r).await;
                assert_eq!(status, 200, "{r}");
                for ack in r["acks"].as_array().unwrap() {
                    acks.push(ack["server_version"].as_i64().unwrap());
                }
            }
            acks
        }));
    }
    // Meanwhile pushes the rules refuse (a rep writing a battle card), batched with
    // the others: each gets its 403, and the others are applied.
    let intruder = {
        let (ann, urls) = (
            ann.clone(),
            [a.url("/v1/sync/push"), b.url("/v1/sync/push")],
        );
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for n in 0..20u64 {
                let card = json!({"entity": "battle_card", "entity_id": format!("bc-{n}"), "op": "upsert",
                    "fields": {"title": {"value": "x", "hlc": {"wall_ms": 1, "counter": 0, "node": "ann"}}}});
                let r = http
                    .post(&urls[n as usize % 2])
                    .bearer_auth(&ann)
                    .json(&batch("ann-intruder", n + 1, vec![card]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(status_json(r).await.0, 403);
            }
        })
    };
    let follower = {
        let (mia, urls) = (
            mia.clone(),
            [a.url("/v1/sync/pull"), b.url("/v1/sync/pull")],
        );
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut seen: BTreeMap<String, i64> = BTreeMap::new();
            let (mut since, mut last_version) = (0i64, 0i64);
            for i in 0..400usize {
                let r = http
                    .get(format!("{}?since={since}&limit=7", urls[i % 2]))
                    .bearer_auth(&mia)
                    .send()
                    .await
                    .unwrap();
                let (status, page) = status_json(r).await;
                assert_eq!(status, 200, "{page}");
                for c in page["changes"].as_array().unwrap() {
                    let v = c["version"].as_i64().unwrap();
                    assert!(
                        v > last_version,
                        "versions increase within and across pages"
                    );
                    last_version = v;
                    seen.insert(c["entity_id"].as_str().unwrap().to_string(), v);
                }
                since = page["next_cursor"].as_i64().unwrap();
                if since >= 6 + 2 * (clients as i64) * (batches as i64) {
                    break;
                }
            }
            seen
        })
    };
    let mut all_versions: Vec<i64> = versions.clone();
    for t in tasks {
        all_versions.extend(t.await.unwrap());
    }
    let followed = follower.await.unwrap();
    intruder.await.unwrap();
    all_versions.sort_unstable();
    let expected: Vec<i64> = (1..=6 + 2 * (clients as i64) * (batches as i64)).collect();
    assert_eq!(all_versions, expected, "every version once, no gaps");

    // Pulls from either instance agree, whatever the page size, and with what the
    // follower collected while the pushes ran.
    let from_a = pull_all([&a, &a], &mia, 1000).await;
    let from_b = pull_all([&b, &b], &mia, 1000).await;
    let mixed = pull_all([&a, &b], &mia, 13).await;
    assert_eq!(from_a, from_b);
    assert_eq!(from_a, mixed);
    assert_eq!(from_a.len(), expected.len());
    let final_versions: BTreeMap<String, i64> = from_a
        .iter()
        .map(|c| {
            (
                c["entity_id"].as_str().unwrap().to_string(),
                c["version"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(followed, final_versions, "the follower missed nothing");
    // Each rep sees only their own leads, from either instance.
    let ann_ids: BTreeSet<String> = pull_all([&b, &a], &ann, 100)
        .await
        .iter()
        .map(|c| c["entity_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ann_ids.len(), 6 + 2 * 4 * batches as usize);
    assert!(ann_ids.iter().all(|id| id.starts_with("alt-") || {
        let c: usize = id[1..].split('-').next().unwrap().parse().unwrap();
        c.is_multiple_of(2)
    }));
}

#[tokio::test]
async fn a_refresh_token_rotated_on_one_instance_is_reused_on_the_other() {
    let Some((a, b)) = two_instances().await else {
        eprintln!("CLOSER_SKIP_PG=1: skipped");
        return;
    };
    let first = a.token("ann@acme.test").await.refresh_token;
    let refresh = |server: &TestServer, token: &str| {
        server
            .http
            .post(server.url("/v1/auth/refresh"))
            .json(&json!({ "refresh_token": token }))
            .send()
    };
    let (status, rotated) = status_json(refresh(&a, &first).await.unwrap()).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    // The client uses its new token (so the first one is no longer a crash retry).
    let (status, again) = status_json(refresh(&a, &second).await.unwrap()).await;
    assert_eq!(status, 200, "{again}");
    let third = again["refresh_token"].as_str().unwrap().to_string();
    // The first token again, on the other instance: reuse; the family is revoked.
    let (status, problem) = status_json(refresh(&b, &first).await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(
        problem["detail"].as_str().unwrap().contains("already used"),
        "{problem}"
    );
    let (status, _) = status_json(refresh(&a, &third).await.unwrap()).await;
    assert_eq!(status, 401, "the rotated successor is revoked too");
    // An access token from one instance works on the other (shared signing secret).
    let access = rotated["access_token"].as_str().unwrap();
    assert_eq!(b.get(access, "/v1/me").await.0, 200);
}
