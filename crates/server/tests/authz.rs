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
use closer_sync_proto::Entity;

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
    RotateWebhookSecret,
    Push(Entity),
    Pull(Entity),
    Delete(Entity),
}

/// (action, target, expected for [rep, manager, admin]): the account endpoints.
const ACCOUNTS: &[(Action, Target, [Expect; 3])] = &[
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
        Action::RotateWebhookSecret,
        Target::Own,
        [Status(403), Status(403), Status(200)],
    ),
];

/// The sync rows for one kind of entity, seed 001's rules: reps own their leads, deals,
/// proposals and calls (nobody else writes them; managers and admins read the team's);
/// battle cards and content belong to the team (everyone reads them, managers and admins
/// edit them). Rows run in this order, so a pull comes before the delete.
fn entity_rows(kind: Entity) -> Vec<(Action, Target, [Expect; 3])> {
    let all = |e: Expect| [e, e, e];
    if kind.is_owned() {
        vec![
            (Action::Push(kind), Target::Own, all(Status(200))),
            (Action::Push(kind), Target::Teammate, all(Status(403))),
            (Action::Push(kind), Target::OtherOrg, all(Isolated)),
            (Action::Pull(kind), Target::Own, all(Sees(true))),
            (
                Action::Pull(kind),
                Target::Teammate,
                [Sees(false), Sees(true), Sees(true)],
            ),
            (Action::Pull(kind), Target::OtherOrg, all(Sees(false))),
            (Action::Delete(kind), Target::Teammate, all(Status(403))),
            (Action::Delete(kind), Target::OtherOrg, all(Isolated)),
            (Action::Delete(kind), Target::Own, all(Status(200))),
        ]
    } else {
        let editors = [Status(403), Status(200), Status(200)];
        vec![
            (Action::Push(kind), Target::Own, editors),
            (Action::Push(kind), Target::Teammate, editors),
            (Action::Push(kind), Target::OtherOrg, all(Isolated)),
            (Action::Pull(kind), Target::Teammate, all(Sees(true))),
            (Action::Pull(kind), Target::OtherOrg, all(Sees(false))),
            (Action::Delete(kind), Target::OtherOrg, all(Isolated)),
            (Action::Delete(kind), Target::Teammate, editors),
        ]
    }
}

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

    // Seed, for every kind: a teammate's (Ben's lead, deal...; the manager's battle card
    // and content) and Globex's.
    for kind in Entity::ALL {
        let k = kind.as_str();
        let (acme_token, acme_node, globex_token, globex_node) = if kind.is_owned() {
            (&ben_token, "ben", &ray_token, "ray")
        } else {
            (&mia_token, "mia-seed", &zed_token, "zed")
        };
        let acme_id = if kind.is_owned() {
            format!("ben-{k}")
        } else {
            format!("acme-{k}")
        };
        // Each seeding client pushes one mutation per kind it writes: ids 1, 2, ...
        let mutation = Entity::ALL
            .iter()
            .filter(|e| e.is_owned() == kind.is_owned())
            .position(|e| *e == kind)
            .map_or(1, |i| i as u64 + 1);
        for (token, node, id, name) in [
            (acme_token, acme_node, acme_id, format!("acme {k}")),
            (
                globex_token,
                globex_node,
                format!("globex-{k}"),
                "GLOBEX SECRET".to_string(),
            ),
        ] {
            let (s, b) = server
                .post(
                    token,
                    "/v1/sync/push",
                    &upsert(
                        node,
                        mutation,
                        k,
                        &id,
                        json!({"name": field(json!(name), node)}),
                    ),
                )
                .await;
            assert_eq!(s, 200, "seeding {id}: {b}");
        }
    }
    let globex_before = pull_values(&server, &zed_token).await;

    let mut matrix: Vec<(Action, Target, [Expect; 3])> = ACCOUNTS.to_vec();
    for kind in Entity::ALL {
        matrix.extend(entity_rows(kind));
    }
    let mut failures = Vec::new();
    for &(action, target, expected) in &matrix {
        for (i, who) in actors.iter_mut().enumerate() {
            let expect = expected[i];
            let entity_id = |kind: Entity| -> String {
                let k = kind.as_str();
                match (target, kind.is_owned()) {
                    (Target::Own, true) => format!("{}-{k}", who.role.as_str()),
                    (Target::Own, false) => format!("{}-new-{k}", who.role.as_str()),
                    (Target::Teammate, true) => format!("ben-{k}"),
                    (Target::Teammate, false) => format!("acme-{k}"),
                    (Target::OtherOrg, _) => format!("globex-{k}"),
                }
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
                Action::RotateWebhookSecret => (
                    server
                        .post(&token, "/v1/webhooks/crm-secret", &json!({}))
                        .await
                        .0,
                    None,
                ),
                Action::Push(kind) => (
                    server
                        .post(
                            &token,
                            "/v1/sync/push",
                            &push(kind.as_str(), &entity_id(kind), "upsert"),
                        )
                        .await
                        .0,
                    None,
                ),
                Action::Delete(kind) => (
                    server
                        .post(
                            &token,
                            "/v1/sync/push",
                            &push(kind.as_str(), &entity_id(kind), "delete"),
                        )
                        .await
                        .0,
                    None,
                ),
                Action::Pull(kind) => {
                    let values = pull_values(&server, &token).await;
                    let id = entity_id(kind);
                    let sees = match target {
                        // Another organisation's data: its values never appear.
                        Target::OtherOrg => {
                            values.iter().any(|(_, v)| v == &json!("GLOBEX SECRET"))
                        }
                        _ => values.iter().any(|(e, _)| *e == id),
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
        ray_sees.iter().all(|(id, _)| id.starts_with("globex-")),
        "{ray_sees:?}"
    );
}
