//! The authorization matrix: every endpoint × role × (own data, a teammate's, another
//! organisation's) → the expected answer, over real HTTP, on both backends. Another
//! organisation's data is never readable nor changed: entity ids are scoped per
//! organisation, so a write naming another organisation's id creates or touches an
//! entity of the writer's own organisation (`Isolated`), which the test checks by
//! reading the other organisation afterwards.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{org, test_config, upsert, user, Backend, TestServer};
use closer_server::model::Role;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Own,
    Teammate,
    OtherOrg,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Status(u16),
    /// A 200 pull whose result includes (true) or not (false) the target's data.
    Sees(bool),
    /// Allowed or refused, but only ever about the actor's own organisation.
    Isolated,
}
use Expect::*;

#[derive(Clone, Copy, Debug)]
enum Action {
    Me,
    ListUsers,
    Invite,
    UpdateUser,
    PushLead,
    PushBattleCard,
    PullLead,
    PullBattleCard,
    DeleteLead,
}

/// (action, target, expected for [rep, manager, admin]).
const MATRIX: &[(Action, Target, [Expect; 3])] = &[
    (
        Action::Me,
        Target::Own,
        [Status(200), Status(200), Status(200)],
    ),
    (
        Action::ListUsers,
        Target::Own,
        [Status(403), Status(200), Status(200)],
    ),
    (
        Action::Invite,
        Target::Own,
        [Status(403), Status(403), Status(200)],
    ),
    (
        Action::UpdateUser,
        Target::Own,
        [Status(403), Status(403), Status(409)],
    ),
    (
        Action::UpdateUser,
        Target::Teammate,
        [Status(403), Status(403), Status(200)],
    ),
    (
        Action::UpdateUser,
        Target::OtherOrg,
        [Status(403), Status(403), Status(404)],
    ),
    (
        Action::PushLead,
        Target::Own,
        [Status(200), Status(200), Status(200)],
    ),
    (
        Action::PushLead,
        Target::Teammate,
        [Status(403), Status(403), Status(403)],
    ),
    (
        Action::PushLead,
        Target::OtherOrg,
        [Isolated, Isolated, Isolated],
    ),
    (
        Action::PushBattleCard,
        Target::Own,
        [Status(403), Status(200), Status(200)],
    ),
    (
        Action::PushBattleCard,
        Target::Teammate,
        [Status(403), Status(200), Status(200)],
    ),
    (
        Action::PushBattleCard,
        Target::OtherOrg,
        [Isolated, Isolated, Isolated],
    ),
    (
        Action::PullLead,
        Target::Own,
        [Sees(true), Sees(true), Sees(true)],
    ),
    (
        Action::PullLead,
        Target::Teammate,
        [Sees(false), Sees(true), Sees(true)],
    ),
    (
        Action::PullLead,
        Target::OtherOrg,
        [Sees(false), Sees(false), Sees(false)],
    ),
    (
        Action::PullBattleCard,
        Target::Teammate,
        [Sees(true), Sees(true), Sees(true)],
    ),
    (
        Action::PullBattleCard,
        Target::OtherOrg,
        [Sees(false), Sees(false), Sees(false)],
    ),
    (
        Action::DeleteLead,
        Target::Teammate,
        [Status(403), Status(403), Status(403)],
    ),
    (
        Action::DeleteLead,
        Target::OtherOrg,
        [Isolated, Isolated, Isolated],
    ),
    (
        Action::DeleteLead,
        Target::Own,
        [Status(200), Status(200), Status(200)],
    ),
];

struct Who {
    role: Role,
    email: &'static str,
    id: String,
    token: String,
    next_mutation: u64,
}

fn field(value: Value, node: &str) -> Value {
    json!({"value": value, "hlc": {"wall_ms": closer_server::now_ms(), "counter": 0, "node": node}})
}

async fn pull_values(server: &TestServer, token: &str) -> Vec<(String, Value)> {
    let (status, page) = server.get(token, "/v1/sync/pull?since=0&limit=1000").await;
    assert_eq!(status, 200, "{page}");
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["entity_id"].as_str().unwrap().to_string(),
                c["fields"]["name"]["value"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres() {
    matrix(Backend::Postgres).await;
}

async fn matrix(backend: Backend) {
    let Some(server) = TestServer::start(backend, test_config()).await else {
        eprintln!("CLOSER_SKIP_PG=1: skipped");
        return;
    };
    let store = server.store.as_ref();
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let ben = user(store, &acme, "ben@acme.test", Role::Rep).await;
    let ray = user(store, &globex, "ray@globex.test", Role::Rep).await;
    user(store, &globex, "zed@globex.test", Role::Manager).await;
    let mut actors = Vec::new();
    for (role, email) in [
        (Role::Rep, "ann@acme.test"),
        (Role::Manager, "mia@acme.test"),
        (Role::Admin, "ada@acme.test"),
    ] {
        let u = user(store, &acme, email, role).await;
        let token = server.token(email).await.access_token;
        actors.push(Who {
            role,
            email,
            id: u.id,
            token,
            next_mutation: 1,
        });
    }
    let ben_token = server.token("ben@acme.test").await.access_token;
    let ray_token = server.token("ray@globex.test").await.access_token;
    let zed_token = server.token("zed@globex.test").await.access_token;
    let mia_token = actors[1].token.clone();

    // Seed: a teammate's lead, a teammate's (the manager's) battle card, and Globex's data.
    let (s, b) = server
        .post(
            &ben_token,
            "/v1/sync/push",
            &upsert(
                "ben",
                1,
                "lead",
                "ben-lead",
                json!({"name": field(json!("ben's"), "ben")}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = server
        .post(
            &mia_token,
            "/v1/sync/push",
            &upsert(
                "mia-seed",
                1,
                "battle_card",
                "acme-card",
                json!({"name": field(json!("acme card"), "mia")}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = server
        .post(
            &ray_token,
            "/v1/sync/push",
            &upsert(
                "ray",
                1,
                "lead",
                "ray-lead",
                json!({"name": field(json!("GLOBEX SECRET"), "ray")}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = server
        .post(
            &zed_token,
            "/v1/sync/push",
            &upsert(
                "zed",
                1,
                "battle_card",
                "globex-card",
                json!({"name": field(json!("GLOBEX SECRET"), "zed")}),
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let globex_before = pull_values(&server, &zed_token).await;

    let mut failures = Vec::new();
    for &(action, target, expected) in MATRIX {
        for (i, who) in actors.iter_mut().enumerate() {
            let expect = expected[i];
            let own_lead = format!("{}-lead", who.role.as_str());
            let lead_id = match target {
                Target::Own => own_lead.as_str(),
                Target::Teammate => "ben-lead",
                Target::OtherOrg => "ray-lead",
            };
            let card_id = match target {
                Target::Own | Target::Teammate => "acme-card",
                Target::OtherOrg => "globex-card",
            };
            let user_id = match target {
                Target::Own => who.id.clone(),
                Target::Teammate => ben.id.clone(),
                Target::OtherOrg => ray.id.clone(),
            };
            let client = format!("client-{}", who.role.as_str());
            let token = who.token.clone();
            let mut push = |entity: &str, id: &str, op: &str| {
                let m = who.next_mutation;
                who.next_mutation += 1;
                let mutation = if op == "delete" {
                    json!({"mutation_id": m, "entity": entity, "entity_id": id, "op": "delete",
                           "hlc": {"wall_ms": closer_server::now_ms(), "counter": 0, "node": client}})
                } else {
                    json!({"mutation_id": m, "entity": entity, "entity_id": id, "op": "upsert",
                           "fields": {"name": field(json!(format!("by {}", who.email)), &client)}})
                };
                json!({"client_id": client, "mutations": [mutation]})
            };
            let (status, seen) = match action {
                Action::Me => (server.get(&token, "/v1/me").await.0, None),
                Action::ListUsers => {
                    let (s, body) = server.get(&token, "/v1/users").await;
                    if s == 200 {
                        let text = body.to_string();
                        assert!(
                            !text.contains("globex"),
                            "another organisation's users listed: {text}"
                        );
                        assert!(text.contains("ben@acme.test"));
                    }
                    (s, None)
                }
                Action::Invite => {
                    let email = format!("new-{}@acme.test", who.role.as_str());
                    let (s, _) = server
                        .post(
                            &token,
                            "/v1/users/invites",
                            &json!({"email": email, "role": "rep"}),
                        )
                        .await;
                    (s, None)
                }
                Action::UpdateUser => {
                    // Re-assert the target's current role: allowed or not, nothing changes.
                    let role = match target {
                        Target::Own => who.role.as_str(),
                        _ => "rep",
                    };
                    let (s, _) = server
                        .send(
                            Method::PATCH,
                            &token,
                            &format!("/v1/users/{user_id}"),
                            &json!({"role": role}),
                        )
                        .await;
                    (s, None)
                }
                Action::PushLead => (
                    server
                        .post(&token, "/v1/sync/push", &push("lead", lead_id, "upsert"))
                        .await
                        .0,
                    None,
                ),
                Action::PushBattleCard => (
                    server
                        .post(
                            &token,
                            "/v1/sync/push",
                            &push("battle_card", card_id, "upsert"),
                        )
                        .await
                        .0,
                    None,
                ),
                Action::DeleteLead => (
                    server
                        .post(&token, "/v1/sync/push", &push("lead", lead_id, "delete"))
                        .await
                        .0,
                    None,
                ),
                Action::PullLead | Action::PullBattleCard => {
                    let values = pull_values(&server, &token).await;
                    let id = if matches!(action, Action::PullLead) {
                        lead_id
                    } else {
                        card_id
                    };
                    let sees = match target {
                        // Another organisation's data: its values never appear.
                        Target::OtherOrg => {
                            values.iter().any(|(_, v)| v == &json!("GLOBEX SECRET"))
                        }
                        _ => values.iter().any(|(e, _)| e == id),
                    };
                    (200, Some(sees))
                }
            };
            let ok = match expect {
                Status(code) => status == code,
                Sees(want) => status == 200 && seen == Some(want),
                Isolated => status == 200 || status == 403,
            };
            if !ok {
                failures.push(format!(
                    "{action:?} {target:?} as {:?}: expected {expect:?}, got {status} {seen:?}",
                    who.role
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix failures:\n{}",
        failures.join("\n")
    );

    // Nothing of Globex changed, and its people still see only Globex.
    assert_eq!(pull_values(&server, &zed_token).await, globex_before);
    let ray_sees = pull_values(&server, &ray_token).await;
    assert!(
        ray_sees
            .iter()
            .all(|(id, _)| id == "ray-lead" || id == "globex-card"),
        "{ray_sees:?}"
    );
}
