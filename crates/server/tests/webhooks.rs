//! Inbound CRM webhooks over HTTP, on both backends: signed events become sync rows
//! the right users pull; bad, missing, stale, future and foreign signatures are
//! refused; a delivery repeated (also concurrently) is applied once and answered the same.

use closer_server::model::Role;
use closer_server::webhook::{sign, REPLAY_HEADER};
use serde_json::{json, Value};

use crate::support::{org, status_json, test_config, user, Backend, TestServer};

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if crate::support::pg::skip() {
                        eprintln!("CLOSER_SKIP_PG=1: skipped");
                        return;
                    }
                    super::$name(crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}

both_backends!(
    signed_events_are_pulled_by_the_right_users,
    bad_missing_stale_future_and_foreign_signatures_are_refused,
    a_repeated_event_is_applied_once_and_answered_the_same,
    the_secret_is_an_admins_and_rotation_retires_the_old_one,
);

/// Acme with an admin (ada), two reps (ann, ben) and a manager (mia); Globex with an admin.
struct World {
    server: TestServer,
    acme_id: String,
    globex_id: String,
    ada: String,
    ann: String,
    ben: String,
    mia: String,
    gus: String,
}

async fn world(backend: Backend) -> World {
    let server = TestServer::start(backend, test_config()).await.unwrap();
    let store = server.store.as_ref();
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    user(store, &acme, "ada@acme.test", Role::Admin).await;
    user(store, &acme, "ann@acme.test", Role::Rep).await;
    user(store, &acme, "ben@acme.test", Role::Rep).await;
    user(store, &acme, "mia@acme.test", Role::Manager).await;
    user(store, &globex, "gus@globex.test", Role::Admin).await;
    let mut tokens = Vec::new();
    for email in [
        "ada@acme.test",
        "ann@acme.test",
        "ben@acme.test",
        "mia@acme.test",
        "gus@globex.test",
    ] {
        tokens.push(server.token(email).await.access_token);
    }
    let [ada, ann, ben, mia, gus]: [String; 5] = tokens.try_into().unwrap();
    World {
        server,
        acme_id: acme.id,
        globex_id: globex.id,
        ada,
        ann,
        ben,
        mia,
        gus,
    }
}

impl World {
    /// Rotates the secret of the admin's organisation; returns the secret.
    async fn secret(&self, admin: &str, owner_email: Option<&str>) -> String {
        let body = match owner_email {
            Some(e) => json!({ "owner_email": e }),
            None => json!({}),
        };
        let (status, v) = self
            .server
            .post(admin, "/v1/webhooks/crm-secret", &body)
            .await;
        assert_eq!(status, 200, "{v}");
        v["secret"].as_str().unwrap().to_string()
    }

    /// Posts `body` to the organisation's webhook with this signature header.
    async fn deliver(&self, org: &str, body: &[u8], signature: Option<String>) -> Delivery {
        let mut request = self
            .server
            .http
            .post(self.server.url(&format!("/v1/webhooks/crm/{org}")))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(sig) = signature {
            request = request.header("x-closer-signature", sig);
        }
        let r = request.send().await.unwrap();
        let replay = r.headers().get(REPLAY_HEADER).is_some();
        let (status, body) = status_json(r).await;
        Delivery {
            status,
            body,
            replay,
        }
    }

    async fn send_signed(&self, org: &str, secret: &str, event: &Value) -> Delivery {
        let body = event.to_string().into_bytes();
        let sig = sign(secret, now_secs(), &body);
        self.deliver(org, &body, Some(sig)).await
    }

    /// Every change `token`'s user may pull, by entity id.
    async fn pulled(&self, token: &str) -> Vec<Value> {
        let (status, page) = self
            .server
            .get(token, "/v1/sync/pull?since=0&limit=1000")
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["has_more"], false);
        page["changes"].as_array().unwrap().clone()
    }
}

struct Delivery {
    status: u16,
    body: Value,
    replay: bool,
}

fn now_secs() -> i64 {
    closer_server::now_ms() / 1000
}

fn event(id: &str, kind: &str, record: &str, data: Value) -> Value {
    let mut data = data;
    data["id"] = json!(record);
    json!({"event_id": id, "type": kind, "occurred_at": closer_server::now_ms() - 1000, "data": data})
}

fn ids(changes: &[Value]) -> Vec<&str> {
    let mut ids: Vec<&str> = changes
        .iter()
        .map(|c| c["entity_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids
}

async fn signed_events_are_pulled_by_the_right_users(backend: Backend) {
    let w = world(backend).await;
    let secret = w.secret(&w.ada, Some("ann@acme.test")).await;
    assert!(secret.starts_with("whsec_"));

    // No owner named: the webhook's owner (ann).
    let lead = event(
        "evt-1",
        "lead.upserted",
        "sf-lead-1",
        json!({"fields": {"company": "Initech", "status": "new"}}),
    );
    let d = w.send_signed(&w.acme_id, &secret, &lead).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert!(!d.replay);
    assert_eq!(d.body["event_id"], "evt-1");
    assert_eq!(d.body["entity"], "lead");
    assert_eq!(d.body["entity_id"], "sf-lead-1");
    assert_eq!(d.body["server_version"], 1);
    // An owner named by email, and the organisation addressed by its name.
    let deal = event(
        "evt-2",
        "deal.upserted",
        "sf-deal-1",
        json!({"owner_email": "Ben@Acme.test", "fields": {"amount_cents": 1_200_000, "stage": "proposal"}}),
    );
    let d = w.send_signed("Acme", &secret, &deal).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body["server_version"], 2);

    let ann = w.pulled(&w.ann).await;
    assert_eq!(ids(&ann), vec!["sf-lead-1"]);
    assert_eq!(ann[0]["fields"]["company"]["value"], "Initech");
    assert_eq!(ann[0]["fields"]["company"]["hlc"]["node"], "crm");
    let ben = w.pulled(&w.ben).await;
    assert_eq!(ids(&ben), vec!["sf-deal-1"]);
    assert_eq!(ben[0]["fields"]["amount_cents"]["value"], 1_200_000);
    assert_eq!(ids(&w.pulled(&w.mia).await), vec!["sf-deal-1", "sf-lead-1"]);
    assert!(
        w.pulled(&w.gus).await.is_empty(),
        "nothing crosses organisations"
    );
    let (_, me) = w.server.get(&w.ben, "/v1/me").await;
    assert_eq!(ben[0]["owner_id"], me["id"]);

    // The rep edits the lead later on their laptop; an older CRM update then loses
    // that field (kept as a conflict) and wins the one the rep did not touch.
    let (status, v) = w
        .server
        .post(
            &w.ann,
            "/v1/sync/push",
            &json!({"client_id": "laptop", "mutations": [{"mutation_id": 1, "entity": "lead",
                "entity_id": "sf-lead-1", "op": "upsert", "fields": {"status": {"value": "qualified",
                "hlc": {"wall_ms": closer_server::now_ms(), "counter": 0, "node": "ann-laptop"}}}}]}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let mut older = event(
        "evt-3",
        "lead.upserted",
        "sf-lead-1",
        json!({"fields": {"status": "contacted", "company": "Initech Inc"}}),
    );
    older["occurred_at"] = json!(closer_server::now_ms() - 500);
    let d = w.send_signed(&w.acme_id, &secret, &older).await;
    assert_eq!(d.status, 200, "{}", d.body);
    let conflicts = d.body["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{}", d.body);
    assert_eq!(conflicts[0]["field"], "status");
    assert_eq!(conflicts[0]["value"], "contacted");
    let ann = w.pulled(&w.ann).await;
    assert_eq!(ann[0]["fields"]["status"]["value"], "qualified");
    assert_eq!(ann[0]["fields"]["company"]["value"], "Initech Inc");

    // A delete is a tombstone.
    let gone = event(
        "evt-4",
        "deal.deleted",
        "sf-deal-1",
        json!({"owner_email": "ben@acme.test"}),
    );
    let d = w.send_signed(&w.acme_id, &secret, &gone).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(w.pulled(&w.ben).await[0]["deleted"], true);

    // Invalid events are 4xx problems and change nothing.
    let version = d.body["server_version"].clone();
    for (bad, status) in [
        (
            event(
                "evt-5",
                "lead.upserted",
                "x",
                json!({"fields": {"owner_id": "me"}}),
            ),
            422,
        ),
        (
            event(
                "evt-6",
                "lead.upserted",
                "bad id",
                json!({"fields": {"a": 1}}),
            ),
            422,
        ),
        (
            event("evt-7", "lead.upserted", "y", json!({"fields": {}})),
            422,
        ),
        (
            event(
                "evt-8",
                "lead.upserted",
                "y",
                json!({"owner_email": "gus@globex.test", "fields": {"a": 1}}),
            ),
            422,
        ),
        (
            event("evt-9", "contact.created", "y", json!({"fields": {"a": 1}})),
            400,
        ),
        (
            json!({"event_id": "evt-10", "type": "lead.upserted", "occurred_at": 1, "data": {"id": "y", "fields": {"a": 1}}, "extra": 1}),
            400,
        ),
    ] {
        let d = w.send_signed(&w.acme_id, &secret, &bad).await;
        assert_eq!(d.status, status, "{bad}: {}", d.body);
    }
    // Another rep's lead cannot be taken over by naming a new owner.
    let takeover = event(
        "evt-11",
        "lead.upserted",
        "sf-lead-1",
        json!({"owner_email": "ben@acme.test", "fields": {"a": 1}}),
    );
    let d = w.send_signed(&w.acme_id, &secret, &takeover).await;
    assert_eq!(d.status, 403, "{}", d.body);
    let (_, page) = w.server.get(&w.mia, "/v1/sync/pull?since=0").await;
    assert_eq!(
        page["changes"].as_array().unwrap().last().unwrap()["version"],
        version
    );
}

async fn bad_missing_stale_future_and_foreign_signatures_are_refused(backend: Backend) {
    let w = world(backend).await;
    let secret = w.secret(&w.ada, None).await;
    let globex_secret = w.secret(&w.gus, None).await;
    assert_ne!(secret, globex_secret);
    let body = event(
        "evt-1",
        "lead.upserted",
        "l1",
        json!({"fields": {"company": "Initech"}}),
    )
    .to_string()
    .into_bytes();
    let now = now_secs();
    let good = sign(&secret, now, &body);
    let mut tampered = body.clone();
    let i = tampered.iter().position(|b| *b == b'I').unwrap();
    tampered[i] = b'J';
    let cases: Vec<(&str, &str, Vec<u8>, Option<String>)> = vec![
        ("missing header", &w.acme_id, body.clone(), None),
        (
            "empty header",
            &w.acme_id,
            body.clone(),
            Some(String::new()),
        ),
        (
            "malformed header",
            &w.acme_id,
            body.clone(),
            Some("sha256=abc".into()),
        ),
        (
            "wrong secret",
            &w.acme_id,
            body.clone(),
            Some(sign("whsec_guess", now, &body)),
        ),
        ("tampered body", &w.acme_id, tampered, Some(good.clone())),
        (
            "stale timestamp",
            &w.acme_id,
            body.clone(),
            Some(sign(&secret, now - 301, &body)),
        ),
        (
            "future timestamp",
            &w.acme_id,
            body.clone(),
            Some(sign(&secret, now + 301, &body)),
        ),
        (
            "timestamp swapped after signing",
            &w.acme_id,
            body.clone(),
            Some(good.replace(&format!("t={now}"), &format!("t={}", now + 1))),
        ),
        (
            "another organisation's secret",
            &w.acme_id,
            body.clone(),
            Some(sign(&globex_secret, now, &body)),
        ),
        (
            "unknown organisation",
            "no-such-org",
            body.clone(),
            Some(good.clone()),
        ),
        (
            "right secret, wrong organisation",
            &w.globex_id,
            body.clone(),
            Some(good.clone()),
        ),
    ];
    for (what, org, body, sig) in cases {
        let d = w.deliver(org, &body, sig).await;
        assert_eq!(d.status, 401, "{what}: {}", d.body);
        let detail = d.body["detail"].as_str().unwrap();
        assert!(!detail.contains("whsec_"), "{what}: {detail}");
    }
    // Inside the window either way is fine.
    assert_eq!(
        w.deliver(&w.acme_id, &body, Some(sign(&secret, now - 290, &body)))
            .await
            .status,
        200
    );
    assert!(w.pulled(&w.gus).await.is_empty());
    assert_eq!(w.pulled(&w.mia).await.len(), 1);

    // Not JSON, and too large: refused before anything is applied.
    let d = w
        .deliver(&w.acme_id, b"{", Some(sign(&secret, now, b"{")))
        .await;
    assert_eq!(d.status, 400, "{}", d.body);
    let big = format!(
        r#"{{"event_id":"big","type":"lead.upserted","occurred_at":1,"data":{{"id":"b","fields":{{"x":"{}"}}}}}}"#,
        "a".repeat(300 * 1024)
    )
    .into_bytes();
    let d = w
        .deliver(&w.acme_id, &big, Some(sign(&secret, now, &big)))
        .await;
    assert_eq!(d.status, 413, "{}", d.body);
    let r = w
        .server
        .http
        .post(w.server.url(&format!("/v1/webhooks/crm/{}", w.acme_id)))
        .header("content-type", "text/plain")
        .header("x-closer-signature", sign(&secret, now, &body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(r).await.0, 415);
}

async fn a_repeated_event_is_applied_once_and_answered_the_same(backend: Backend) {
    let w = world(backend).await;
    let secret = w.secret(&w.ada, Some("ann@acme.test")).await;
    let lead = event(
        "evt-1",
        "lead.upserted",
        "l1",
        json!({"fields": {"company": "Initech"}}),
    );
    let first = w.send_signed(&w.acme_id, &secret, &lead).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(!first.replay);
    // The CRM retries (a new signature, the same body): the same answer, nothing applied.
    let again = w.send_signed(&w.acme_id, &secret, &lead).await;
    assert_eq!((again.status, &again.body), (200, &first.body));
    assert!(again.replay);
    let changes = w.pulled(&w.ann).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["version"], 1);

    // The same id with another body is refused.
    let mut changed = lead.clone();
    changed["data"]["fields"]["company"] = json!("Globex");
    let d = w.send_signed(&w.acme_id, &secret, &changed).await;
    assert_eq!(d.status, 409, "{}", d.body);
    assert_eq!(
        w.pulled(&w.ann).await[0]["fields"]["company"]["value"],
        "Initech"
    );

    // One new event delivered eight times at once: applied exactly once.
    let burst = event(
        "evt-2",
        "lead.upserted",
        "l2",
        json!({"fields": {"company": "Hooli"}}),
    );
    let deliveries = deliver_concurrently(&w, &secret, &burst, 8).await;
    assert!(deliveries.iter().all(|d| d.status == 200));
    assert_eq!(deliveries.iter().filter(|d| !d.replay).count(), 1);
    assert!(deliveries.iter().all(|d| d.body == deliveries[0].body));
    assert_eq!(deliveries[0].body["server_version"], 2);
    let (_, page) = w.server.get(&w.mia, "/v1/sync/pull?since=0").await;
    assert_eq!(page["changes"].as_array().unwrap().len(), 2);
    assert_eq!(page["next_cursor"], 2);
}

/// Delivers one event `n` times at once (each on its own task and connection).
async fn deliver_concurrently(w: &World, secret: &str, event: &Value, n: usize) -> Vec<Delivery> {
    let body = event.to_string().into_bytes();
    let url = w.server.url(&format!("/v1/webhooks/crm/{}", w.acme_id));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (url, body, sig) = (url.clone(), body.clone(), sign(secret, now_secs(), &body));
        tasks.push(tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .header("x-closer-signature", sig)
                .body(body)
                .send()
                .await
                .unwrap();
            let replay = r.headers().get(REPLAY_HEADER).is_some();
            let (status, body) = status_json(r).await;
            Delivery {
                status,
                body,
                replay,
            }
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn the_secret_is_an_admins_and_rotation_retires_the_old_one(backend: Backend) {
    let w = world(backend).await;
    for token in [&w.ann, &w.mia] {
        let (status, v) = w
            .server
            .post(token, "/v1/webhooks/crm-secret", &json!({}))
            .await;
        assert_eq!(status, 403, "{v}");
    }
    let (status, v) = w
        .server
        .post(
            &w.ada,
            "/v1/webhooks/crm-secret",
            &json!({"owner_email": "gus@globex.test"}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = w
        .server
        .post(
            &w.ada,
            "/v1/webhooks/crm-secret",
            &json!({"owner_email": "ben@acme.test"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["path"], format!("/v1/webhooks/crm/{}", w.acme_id));
    assert_eq!(v["owner"]["email"], "ben@acme.test");
    let old = v["secret"].as_str().unwrap().to_string();
    let lead = event(
        "evt-1",
        "lead.upserted",
        "l1",
        json!({"fields": {"company": "Initech"}}),
    );
    assert_eq!(w.send_signed(&w.acme_id, &old, &lead).await.status, 200);
    assert_eq!(ids(&w.pulled(&w.ben).await), vec!["l1"]);

    let new = w.secret(&w.ada, Some("ann@acme.test")).await;
    assert_ne!(new, old);
    let lead2 = event(
        "evt-2",
        "lead.upserted",
        "l2",
        json!({"fields": {"company": "Hooli"}}),
    );
    assert_eq!(w.send_signed(&w.acme_id, &old, &lead2).await.status, 401);
    assert_eq!(w.send_signed(&w.acme_id, &new, &lead2).await.status, 200);
    assert_eq!(ids(&w.pulled(&w.ann).await), vec!["l2"]);

    // The default owner disabled: deliveries without an owner are refused until an
    // admin names another one.
    let (_, users) = w.server.get(&w.ada, "/v1/users").await;
    let ann_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "ann@acme.test")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = w
        .server
        .send(
            reqwest::Method::PATCH,
            &w.ada,
            &format!("/v1/users/{ann_id}"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, 200);
    let lead3 = event(
        "evt-3",
        "lead.upserted",
        "l3",
        json!({"fields": {"company": "Umbrella"}}),
    );
    assert_eq!(w.send_signed(&w.acme_id, &new, &lead3).await.status, 409);
}
