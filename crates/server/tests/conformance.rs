//! One suite, two backends: every test here runs on SQLite and on PostgreSQL
//! (`conformance::sqlite::*`, `conformance::postgres::*`) and must behave the same.

use std::collections::BTreeMap;

use closer_server::model::{Actor, Invite, RefreshToken, Role, Rotation, User, REFRESH_GRACE_MS};
use closer_server::storage::{NewUser, Storage, StoreError};
use closer_server::{new_id, now_ms};
use closer_sync_proto::{Entity, FieldValue, Hlc, Mutation, Op, PushRequest};
use serde_json::json;

use crate::support::{org, user};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let s = crate::support::store(crate::support::Backend::Sqlite).await.unwrap();
                    super::$name(s.store.as_ref()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(s) = crate::support::store(crate::support::Backend::Postgres).await else {
                        eprintln!("CLOSER_SKIP_PG=1: skipped");
                        return;
                    };
                    super::$name(s.store.as_ref()).await;
                }
            )*
        }
    };
}

conformance!(
    accounts_are_unique_and_scoped,
    invites_work_once,
    refresh_tokens_rotate_and_detect_reuse,
    a_crashed_refresh_is_retried_once_within_the_grace_window,
    proposal_bodies_merge_both_writers_paragraphs,
    push_assigns_versions_and_replays_are_noops,
    push_refuses_reordered_and_foreign_clients,
    last_writer_wins_per_field_and_keeps_the_loser,
    deletes_are_tombstones,
    pull_shows_only_what_the_role_may_read,
    pull_pages_with_progress,
    push_rules_by_role_and_owner,
    a_refused_batch_changes_nothing,
    concurrent_pushes_get_gap_free_versions,
);

fn actor(u: &User) -> Actor {
    Actor {
        user_id: u.id.clone(),
        org_id: u.org_id.clone(),
        role: u.role,
    }
}

fn hlc(wall_ms: i64, node: &str) -> Hlc {
    Hlc::new(wall_ms, 0, node)
}

fn set(
    entity: Entity,
    id: &str,
    mutation_id: u64,
    fields: &[(&str, serde_json::Value, i64, &str)],
) -> Mutation {
    Mutation {
        mutation_id,
        entity,
        entity_id: id.into(),
        op: Op::Upsert,
        fields: fields
            .iter()
            .map(|(name, value, wall, node)| {
                (
                    name.to_string(),
                    FieldValue {
                        value: value.clone(),
                        hlc: hlc(*wall, node),
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        hlc: None,
    }
}

fn delete(entity: Entity, id: &str, mutation_id: u64, wall: i64, node: &str) -> Mutation {
    Mutation {
        mutation_id,
        entity,
        entity_id: id.into(),
        op: Op::Delete,
        fields: BTreeMap::new(),
        hlc: Some(hlc(wall, node)),
    }
}

fn batch(client: &str, mutations: Vec<Mutation>) -> PushRequest {
    PushRequest {
        client_id: client.into(),
        mutations,
    }
}

async fn pull_all(store: &dyn Storage, who: &Actor) -> Vec<closer_sync_proto::Change> {
    let mut since = 0;
    let mut all = Vec::new();
    loop {
        let page = store.pull(who, since, 1000).await.unwrap();
        all.extend(page.changes);
        since = page.next_cursor;
        if !page.has_more {
            return all;
        }
    }
}

async fn accounts_are_unique_and_scoped(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let b = org(store, "Globex").await;
    assert!(matches!(
        store.create_org(&new_id(), "Acme", now_ms()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.find_org("Acme").await.unwrap().unwrap().id, a.id);
    assert_eq!(store.find_org(&b.id).await.unwrap().unwrap().name, "Globex");
    assert!(store.find_org("Initech").await.unwrap().is_none());

    let ann = user(store, &a, "ann@acme.test", Role::Rep).await;
    let bob = user(store, &b, "bob@globex.test", Role::Admin).await;
    let dup = store
        .create_user(NewUser {
            id: new_id(),
            org_id: b.id.clone(),
            email: "ann@acme.test".into(),
            role: Role::Rep,
            password_hash: None,
            created_at: now_ms(),
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    assert_eq!(
        store.user_by_email("ann@acme.test").await.unwrap(),
        Some(ann.clone())
    );
    assert_eq!(store.user_by_id(&bob.id).await.unwrap(), Some(bob.clone()));
    let listed = store.list_users(&a.id).await.unwrap();
    assert_eq!(listed, vec![ann.clone()]);

    // An update names the organisation: another organisation's user is not found.
    assert_eq!(
        store
            .update_user(&a.id, &bob.id, Some(Role::Rep), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.user_by_id(&bob.id).await.unwrap().unwrap().role,
        Role::Admin
    );
    let changed = store
        .update_user(&a.id, &ann.id, Some(Role::Manager), Some(true))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((changed.role, changed.disabled), (Role::Manager, true));
    assert!(store.set_password(&ann.id, "new-hash").await.unwrap());
    assert_eq!(
        store
            .user_by_id(&ann.id)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("new-hash")
    );
}

async fn invites_work_once(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let now = now_ms();
    for (hash, expires_at) in [("h-valid", now + 60_000), ("h-expired", now - 1)] {
        store
            .create_invite(Invite {
                code_hash: hash.into(),
                org_id: a.id.clone(),
                email: format!("{hash}@acme.test"),
                role: Role::Manager,
                expires_at,
            })
            .await
            .unwrap();
    }
    let u = store
        .accept_invite("h-valid", &new_id(), "pw-hash", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (u.org_id.as_str(), u.role, u.email.as_str()),
        (a.id.as_str(), Role::Manager, "h-valid@acme.test")
    );
    assert_eq!(
        store
            .user_by_email("h-valid@acme.test")
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("pw-hash")
    );
    assert!(store
        .accept_invite("h-valid", &new_id(), "x", now)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .accept_invite("h-expired", &new_id(), "x", now)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .accept_invite("h-unknown", &new_id(), "x", now)
        .await
        .unwrap()
        .is_none());
}

fn token(hash: &str, user_id: &str, expires_at: i64) -> RefreshToken {
    RefreshToken {
        token_hash: hash.into(),
        family_id: format!("family-of-{hash}"),
        user_id: user_id.into(),
        expires_at,
        created_at: now_ms(),
    }
}

async fn refresh_tokens_rotate_and_detect_reuse(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = user(store, &a, "ann@acme.test", Role::Rep).await;
    let now = now_ms();
    let later = now + 60_000;
    store
        .insert_refresh_token(token("t1", &ann.id, later))
        .await
        .unwrap();
    let rotated = store
        .rotate_refresh_token("t1", token("t2", "", later), now)
        .await
        .unwrap();
    assert_eq!(
        rotated,
        Rotation::Rotated {
            user_id: ann.id.clone()
        }
    );
    // t1 again after the grace window: reuse; the family (t2 too) is revoked.
    let reused = store
        .rotate_refresh_token("t1", token("t3", "", later), now + REFRESH_GRACE_MS + 1)
        .await
        .unwrap();
    assert_eq!(
        reused,
        Rotation::Reused {
            user_id: ann.id.clone()
        }
    );
    let t2 = store
        .rotate_refresh_token("t2", token("t4", "", later), now)
        .await
        .unwrap();
    assert_eq!(
        t2,
        Rotation::Reused {
            user_id: ann.id.clone()
        }
    );
    assert_eq!(
        store
            .rotate_refresh_token("nope", token("t5", "", later), now)
            .await
            .unwrap(),
        Rotation::Unknown
    );
    store
        .insert_refresh_token(token("old", &ann.id, now - 1))
        .await
        .unwrap();
    assert_eq!(
        store
            .rotate_refresh_token("old", token("t6", "", later), now)
            .await
            .unwrap(),
        Rotation::Expired
    );
    // Sign-out revokes the family; a revoked token counts as reused.
    store
        .insert_refresh_token(token("s1", &ann.id, later))
        .await
        .unwrap();
    assert!(store.revoke_refresh_family("s1", now).await.unwrap());
    assert!(matches!(
        store
            .rotate_refresh_token("s1", token("s2", "", later), now)
            .await
            .unwrap(),
        Rotation::Reused { .. }
    ));
    // Disabling a user revokes every token.
    store
        .insert_refresh_token(token("d1", &ann.id, later))
        .await
        .unwrap();
    store.revoke_user_tokens(&ann.id, now).await.unwrap();
    assert!(matches!(
        store
            .rotate_refresh_token("d1", token("d2", "", later), now)
            .await
            .unwrap(),
        Rotation::Reused { .. }
    ));
}

async fn a_crashed_refresh_is_retried_once_within_the_grace_window(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = user(store, &a, "ann@acme.test", Role::Rep).await;
    let now = now_ms();
    let later = now + 3_600_000;
    let rotated = |r: Rotation| matches!(r, Rotation::Rotated { .. });
    let reused = |r: Rotation| matches!(r, Rotation::Reused { .. });
    store
        .insert_refresh_token(token("g1", &ann.id, later))
        .await
        .unwrap();
    // The server rotates g1 to g2, then the client crashes before storing g2 ...
    assert!(rotated(
        store
            .rotate_refresh_token("g1", token("g2", "", later), now)
            .await
            .unwrap()
    ));
    // ... and retries with g1 5 s later: still signed in, with g3 (g2 is revoked).
    assert!(rotated(
        store
            .rotate_refresh_token("g1", token("g3", "", later), now + 5_000)
            .await
            .unwrap()
    ));
    assert!(rotated(
        store
            .rotate_refresh_token("g3", token("g4", "", later), now + 6_000)
            .await
            .unwrap()
    ));
    // The grace is once: g1 a third time, even within the window, is reuse and
    // revokes the family (g4 included).
    assert!(reused(
        store
            .rotate_refresh_token("g1", token("g5", "", later), now + 7_000)
            .await
            .unwrap()
    ));
    assert!(reused(
        store
            .rotate_refresh_token("g4", token("g6", "", later), now + 8_000)
            .await
            .unwrap()
    ));

    // A token whose successor was used is stolen, not retried: reuse at once.
    store
        .insert_refresh_token(token("h1", &ann.id, later))
        .await
        .unwrap();
    for (old, new) in [("h1", "h2"), ("h2", "h3")] {
        assert!(rotated(
            store
                .rotate_refresh_token(old, token(new, "", later), now)
                .await
                .unwrap()
        ));
    }
    assert!(reused(
        store
            .rotate_refresh_token("h1", token("h4", "", later), now + 1_000)
            .await
            .unwrap()
    ));
    assert!(reused(
        store
            .rotate_refresh_token("h3", token("h5", "", later), now + 2_000)
            .await
            .unwrap()
    ));

    // After the window a retry is reuse too.
    store
        .insert_refresh_token(token("k1", &ann.id, later))
        .await
        .unwrap();
    assert!(rotated(
        store
            .rotate_refresh_token("k1", token("k2", "", later), now)
            .await
            .unwrap()
    ));
    assert!(reused(
        store
            .rotate_refresh_token("k1", token("k3", "", later), now + REFRESH_GRACE_MS + 1)
            .await
            .unwrap()
    ));
}

/// A proposal body as one replica's yrs document state (the wire value).
fn body_doc(client: u64, base: Option<&[u8]>, edit: impl FnOnce(&str) -> String) -> Vec<u8> {
    use closer_sync_proto::crdt;
    use yrs::{Text, Transact};
    let doc = yrs::Doc::with_client_id(client);
    let text = doc.get_or_insert_text(closer_sync_proto::CRDT_ROOT);
    if let Some(base) = base {
        crdt::apply(&doc, base).unwrap();
    }
    let old = crdt::text_of(&doc);
    let new = edit(&old);
    // Edits at the end of the common prefix (enough for these one-place edits).
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    {
        let mut txn = doc.transact_mut();
        text.remove_range(
            &mut txn,
            prefix as u32,
            (old.len() - prefix - suffix) as u32,
        );
        text.insert(&mut txn, prefix as u32, &new[prefix..new.len() - suffix]);
    }
    crdt::state_of(&doc)
}

async fn proposal_bodies_merge_both_writers_paragraphs(store: &dyn Storage) {
    use closer_sync_proto::crdt;
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let base = body_doc(1, None, |_| "Scope: 40 seats.\n\nPrice: $40,000.\n".into());
    store
        .push(
            &ann,
            &batch(
                "laptop",
                vec![set(
                    Entity::Proposal,
                    "p1",
                    1,
                    &[
                        ("title", json!("Initech"), 10, "laptop"),
                        ("body", crdt::encode_value(&base), 10, "laptop"),
                    ],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // Offline, the laptop edits the scope and the tablet (same rep) the price.
    let laptop = body_doc(1, Some(&base), |t| t.replace("40 seats", "60 seats"));
    let tablet = body_doc(2, Some(&base), |t| t.replace("$40,000", "$52,000"));
    let first = store
        .push(
            &ann,
            &batch(
                "laptop",
                vec![set(
                    Entity::Proposal,
                    "p1",
                    2,
                    &[("body", crdt::encode_value(&laptop), 20, "laptop")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    let second = store
        .push(
            &ann,
            &batch(
                "tablet",
                vec![set(
                    Entity::Proposal,
                    "p1",
                    1,
                    &[("body", crdt::encode_value(&tablet), 15, "tablet")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // Merged, not last-writer-wins: no conflict, both edits kept.
    assert!(first.acks[0].conflicts.is_empty() && second.acks[0].conflicts.is_empty());
    let changes = pull_all(store, &ann).await;
    let body = &changes[0].fields["body"];
    assert_eq!(
        crdt::value_text(&body.value).unwrap(),
        "Scope: 60 seats.\n\nPrice: $52,000.\n"
    );
    assert_eq!(body.hlc, hlc(20, "laptop"), "the greatest clock merged");
    assert_eq!(changes[0].fields["title"].value, json!("Initech"));

    // The same state again adds nothing: no new version.
    let before = second.server_version;
    let again = store
        .push(
            &ann,
            &batch(
                "tablet",
                vec![set(
                    Entity::Proposal,
                    "p1",
                    2,
                    &[("body", crdt::encode_value(&tablet), 16, "tablet")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(again.server_version, before);

    // A body that is not a document is refused, and changes nothing.
    let bad = store
        .push(
            &ann,
            &batch(
                "tablet",
                vec![set(
                    Entity::Proposal,
                    "p1",
                    3,
                    &[("body", json!("plain text, not a document"), 30, "tablet")],
                )],
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    let after = pull_all(store, &ann).await;
    assert_eq!(after[0].fields["body"], *body);
}

async fn push_assigns_versions_and_replays_are_noops(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let req = batch(
        "laptop",
        vec![
            set(
                Entity::Lead,
                "l1",
                1,
                &[("name", json!("Initech"), 10, "n1")],
            ),
            set(
                Entity::Deal,
                "d1",
                2,
                &[("amount_cents", json!(5000), 10, "n1")],
            ),
        ],
    );
    let first = store.push(&ann, &req, now_ms()).await.unwrap();
    assert_eq!(first.server_version, 2);
    assert_eq!(
        first
            .acks
            .iter()
            .map(|a| (a.mutation_id, a.server_version))
            .collect::<Vec<_>>(),
        vec![(1, 1), (2, 2)]
    );
    // The same batch again: the same acks, nothing new.
    let again = store.push(&ann, &req, now_ms()).await.unwrap();
    assert_eq!(again.acks, first.acks);
    assert_eq!(again.server_version, 2);
    // Replayed and new mutations in one batch.
    let mixed = batch(
        "laptop",
        vec![
            set(
                Entity::Lead,
                "l1",
                2,
                &[("name", json!("ignored"), 99, "n1")],
            ),
            set(
                Entity::Lead,
                "l1",
                3,
                &[("name", json!("Initech Inc"), 11, "n1")],
            ),
        ],
    );
    let r = store.push(&ann, &mixed, now_ms()).await.unwrap();
    assert_eq!(r.acks[0], first.acks[1]);
    assert_eq!(r.acks[1].server_version, 3);
    let changes = pull_all(store, &ann).await;
    let lead = changes.iter().find(|c| c.entity_id == "l1").unwrap();
    assert_eq!(lead.fields["name"].value, json!("Initech Inc"));
    assert_eq!(lead.owner_id.as_deref(), Some(ann.user_id.as_str()));
    assert_eq!(lead.version, 3);
    assert!(
        lead.conflicts.is_empty(),
        "one node's edits are not conflicts"
    );
}

async fn push_refuses_reordered_and_foreign_clients(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let ben = actor(&user(store, &a, "ben@acme.test", Role::Rep).await);
    store
        .push(
            &ann,
            &batch(
                "c1",
                vec![set(Entity::Lead, "l1", 5, &[("name", json!("x"), 1, "n")])],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    let old = store
        .push(
            &ann,
            &batch(
                "c1",
                vec![set(Entity::Lead, "l1", 4, &[("name", json!("y"), 2, "n")])],
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(old, Err(StoreError::Conflict(_))), "{old:?}");
    let foreign = store
        .push(
            &ben,
            &batch(
                "c1",
                vec![set(Entity::Lead, "l9", 6, &[("name", json!("z"), 2, "m")])],
            ),
            now_ms(),
        )
        .await;
    assert!(
        matches!(foreign, Err(StoreError::Forbidden(_))),
        "{foreign:?}"
    );
}

async fn last_writer_wins_per_field_and_keeps_the_loser(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let mgr = actor(&user(store, &a, "mia@acme.test", Role::Manager).await);
    // Two devices of the manager edit one battle card; the later clock arrives first.
    store
        .push(
            &mgr,
            &batch(
                "desk",
                vec![set(
                    Entity::BattleCard,
                    "bc",
                    1,
                    &[
                        ("title", json!("new"), 200, "desk"),
                        ("body", json!("b1"), 200, "desk"),
                    ],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    let late = store
        .push(
            &mgr,
            &batch(
                "phone",
                vec![set(
                    Entity::BattleCard,
                    "bc",
                    1,
                    &[
                        ("title", json!("old"), 100, "phone"),
                        ("tags", json!(["x"]), 100, "phone"),
                    ],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // The title lost (reported), the new field was taken.
    assert_eq!(late.acks[0].conflicts.len(), 1);
    let c = &late.acks[0].conflicts[0];
    assert_eq!(
        (
            c.field.as_str(),
            &c.value,
            c.hlc.node.as_str(),
            c.winner_hlc.wall_ms
        ),
        ("title", &json!("old"), "phone", 200)
    );
    // A later write from another node replaces, and the replaced value is kept.
    let r = store
        .push(
            &mgr,
            &batch(
                "phone",
                vec![set(
                    Entity::BattleCard,
                    "bc",
                    2,
                    &[("body", json!("b2"), 300, "phone")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(r.acks[0].conflicts[0].value, json!("b1"));
    let changes = pull_all(store, &mgr).await;
    let bc = changes.iter().find(|c| c.entity_id == "bc").unwrap();
    assert_eq!(bc.fields["title"].value, json!("new"));
    assert_eq!(bc.fields["tags"].value, json!(["x"]));
    assert_eq!(bc.fields["body"].value, json!("b2"));
    assert_eq!(bc.owner_id, None);
    // Pull reports what was replaced since the cursor (both values kept in history).
    let lost: Vec<_> = bc.conflicts.iter().map(|c| c.value.clone()).collect();
    assert!(
        lost.contains(&json!("old")) || lost.contains(&json!("b1")),
        "{lost:?}"
    );
    assert!(lost.contains(&json!("b1")), "{lost:?}");
    // Same result whatever the order of arrival: replay the writes on a second org.
    let b = org(store, "Acme2").await;
    let mgr2 = actor(&user(store, &b, "mia@acme2.test", Role::Manager).await);
    for (client, m) in [
        (
            "phone",
            set(
                Entity::BattleCard,
                "bc",
                1,
                &[
                    ("title", json!("old"), 100, "phone"),
                    ("tags", json!(["x"]), 100, "phone"),
                ],
            ),
        ),
        (
            "phone",
            set(
                Entity::BattleCard,
                "bc",
                2,
                &[("body", json!("b2"), 300, "phone")],
            ),
        ),
        (
            "desk",
            set(
                Entity::BattleCard,
                "bc",
                1,
                &[
                    ("title", json!("new"), 200, "desk"),
                    ("body", json!("b1"), 200, "desk"),
                ],
            ),
        ),
    ] {
        store
            .push(&mgr2, &batch(client, vec![m]), now_ms())
            .await
            .unwrap();
    }
    let other = pull_all(store, &mgr2).await;
    assert_eq!(other[0].fields, bc.fields);
}

async fn deletes_are_tombstones(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    store
        .push(
            &ann,
            &batch(
                "c",
                vec![
                    set(
                        Entity::Call,
                        "k1",
                        1,
                        &[("notes", json!("hello"), 10, "laptop")],
                    ),
                    delete(Entity::Call, "k1", 2, 20, "laptop"),
                ],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // A write to a tombstone loses, and is kept.
    let r = store
        .push(
            &ann,
            &batch(
                "d",
                vec![set(
                    Entity::Call,
                    "k1",
                    1,
                    &[("notes", json!("late edit"), 30, "desk")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(r.acks[0].conflicts[0].value, json!("late edit"));
    let changes = pull_all(store, &ann).await;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].deleted);
    assert!(changes[0].fields.is_empty());
    // A delete of an entity never seen is a tombstone too.
    store
        .push(
            &ann,
            &batch("c", vec![delete(Entity::Lead, "ghost", 3, 40, "laptop")]),
            now_ms(),
        )
        .await
        .unwrap();
    let changes = pull_all(store, &ann).await;
    assert!(changes.iter().any(|c| c.entity_id == "ghost" && c.deleted));
}

async fn pull_shows_only_what_the_role_may_read(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let b = org(store, "Globex").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let ben = actor(&user(store, &a, "ben@acme.test", Role::Rep).await);
    let mia = actor(&user(store, &a, "mia@acme.test", Role::Manager).await);
    let ada = actor(&user(store, &a, "ada@acme.test", Role::Admin).await);
    let zed = actor(&user(store, &b, "zed@globex.test", Role::Manager).await);
    store
        .push(
            &ann,
            &batch(
                "ann",
                vec![set(
                    Entity::Lead,
                    "ann-lead",
                    1,
                    &[("name", json!("A"), 1, "ann")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    store
        .push(
            &ben,
            &batch(
                "ben",
                vec![set(
                    Entity::Deal,
                    "ben-deal",
                    1,
                    &[("name", json!("B"), 1, "ben")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    store
        .push(
            &mia,
            &batch(
                "mia",
                vec![
                    set(
                        Entity::ContentItem,
                        "deck",
                        1,
                        &[("title", json!("Deck"), 1, "mia")],
                    ),
                    set(
                        Entity::Proposal,
                        "mia-prop",
                        2,
                        &[("title", json!("P"), 1, "mia")],
                    ),
                ],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // Same ids in another organisation: separate entities.
    store
        .push(
            &zed,
            &batch(
                "zed",
                vec![
                    set(
                        Entity::Lead,
                        "ann-lead",
                        1,
                        &[("name", json!("Z"), 1, "zed")],
                    ),
                    set(
                        Entity::BattleCard,
                        "zed-card",
                        2,
                        &[("title", json!("Z"), 1, "zed")],
                    ),
                ],
            ),
            now_ms(),
        )
        .await
        .unwrap();

    let ids = |changes: Vec<closer_sync_proto::Change>| {
        let mut ids: Vec<String> = changes.into_iter().map(|c| c.entity_id).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(pull_all(store, &ann).await), ["ann-lead", "deck"]);
    assert_eq!(ids(pull_all(store, &ben).await), ["ben-deal", "deck"]);
    assert_eq!(
        ids(pull_all(store, &mia).await),
        ["ann-lead", "ben-deal", "deck", "mia-prop"]
    );
    assert_eq!(
        ids(pull_all(store, &ada).await),
        ["ann-lead", "ben-deal", "deck", "mia-prop"]
    );
    assert_eq!(ids(pull_all(store, &zed).await), ["ann-lead", "zed-card"]);
    let acme_lead = pull_all(store, &ann)
        .await
        .into_iter()
        .find(|c| c.entity_id == "ann-lead")
        .unwrap();
    assert_eq!(acme_lead.fields["name"].value, json!("A"));
    // Versions are per organisation.
    assert_eq!(
        store
            .pull(&zed, 0, 10)
            .await
            .unwrap()
            .changes
            .last()
            .unwrap()
            .version,
        2
    );
}

async fn pull_pages_with_progress(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let ben = actor(&user(store, &a, "ben@acme.test", Role::Rep).await);
    let mutations: Vec<Mutation> = (1..=25)
        .map(|i| {
            set(
                Entity::Lead,
                &format!("l{i:02}"),
                i,
                &[("n", json!(i), 1, "ann")],
            )
        })
        .collect();
    store
        .push(&ann, &batch("ann", mutations), now_ms())
        .await
        .unwrap();
    // Ben's lead in between is invisible to Ann and not counted for her.
    store
        .push(
            &ben,
            &batch(
                "ben",
                vec![set(Entity::Lead, "ben", 1, &[("n", json!(0), 1, "ben")])],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    store
        .push(
            &ann,
            &batch(
                "ann",
                vec![set(Entity::Lead, "l26", 26, &[("n", json!(26), 1, "ann")])],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    let mut since = 0;
    let mut seen = Vec::new();
    let mut remaining = Vec::new();
    loop {
        let page = store.pull(&ann, since, 10).await.unwrap();
        seen.extend(page.changes.iter().map(|c| c.entity_id.clone()));
        remaining.push(page.total_remaining);
        since = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(remaining, vec![16, 6, 0]);
    assert_eq!(seen.len(), 26);
    assert_eq!(seen.first().map(String::as_str), Some("l01"));
    assert_eq!(seen.last().map(String::as_str), Some("l26"));
    // Nothing new: an empty page at the same cursor.
    let empty = store.pull(&ann, since, 10).await.unwrap();
    assert!(empty.changes.is_empty());
    assert_eq!(
        (empty.next_cursor, empty.total_remaining, empty.has_more),
        (since, 0, false)
    );
}

async fn push_rules_by_role_and_owner(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let ben = actor(&user(store, &a, "ben@acme.test", Role::Rep).await);
    let mia = actor(&user(store, &a, "mia@acme.test", Role::Manager).await);
    let ada = actor(&user(store, &a, "ada@acme.test", Role::Admin).await);
    let one = |client: &str, m: Mutation| batch(client, vec![m]);
    store
        .push(
            &ann,
            &one(
                "ann",
                set(
                    Entity::Lead,
                    "ann-lead",
                    1,
                    &[("name", json!("A"), 1, "ann")],
                ),
            ),
            now_ms(),
        )
        .await
        .unwrap();
    // A rep may not change a teammate's lead, nor may a manager or an admin.
    for (who, client) in [(&ben, "ben"), (&mia, "mia"), (&ada, "ada")] {
        let r = store
            .push(
                who,
                &one(
                    client,
                    set(
                        Entity::Lead,
                        "ann-lead",
                        1,
                        &[("name", json!("X"), 2, client)],
                    ),
                ),
                now_ms(),
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Forbidden(_))),
            "{client}: {r:?}"
        );
        let r = store
            .push(
                who,
                &one(client, delete(Entity::Lead, "ann-lead", 1, 2, client)),
                now_ms(),
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Forbidden(_))),
            "{client}: {r:?}"
        );
    }
    // Owner spoofing.
    let r = store
        .push(
            &ann,
            &one(
                "ann",
                set(
                    Entity::Deal,
                    "d",
                    2,
                    &[("owner_id", json!(ben.user_id), 1, "ann")],
                ),
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
    let ok = store
        .push(
            &ann,
            &one(
                "ann",
                set(
                    Entity::Deal,
                    "d",
                    2,
                    &[
                        ("owner_id", json!(ann.user_id), 1, "ann"),
                        ("x", json!(1), 1, "ann"),
                    ],
                ),
            ),
            now_ms(),
        )
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    // Battle cards and content: managers and admins only.
    let r = store
        .push(
            &ann,
            &one(
                "ann",
                set(Entity::BattleCard, "bc", 3, &[("t", json!("x"), 1, "ann")]),
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
    let r = store
        .push(
            &ann,
            &one(
                "ann",
                set(Entity::ContentItem, "ci", 3, &[("t", json!("x"), 1, "ann")]),
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
    store
        .push(
            &mia,
            &one(
                "mia",
                set(Entity::BattleCard, "bc", 1, &[("t", json!("m"), 1, "mia")]),
            ),
            now_ms(),
        )
        .await
        .unwrap();
    store
        .push(
            &ada,
            &one(
                "ada",
                set(Entity::BattleCard, "bc", 1, &[("t", json!("a"), 2, "ada")]),
            ),
            now_ms(),
        )
        .await
        .unwrap();
    let r = store
        .push(
            &ada,
            &one(
                "ada",
                set(
                    Entity::ContentItem,
                    "ci",
                    2,
                    &[("owner_id", json!(ada.user_id), 2, "ada")],
                ),
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
}

async fn a_refused_batch_changes_nothing(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let r = store
        .push(
            &ann,
            &batch(
                "ann",
                vec![
                    set(Entity::Lead, "l1", 1, &[("name", json!("A"), 1, "ann")]),
                    set(Entity::BattleCard, "bc", 2, &[("t", json!("x"), 1, "ann")]),
                ],
            ),
            now_ms(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))));
    let page = store.pull(&ann, 0, 100).await.unwrap();
    assert!(page.changes.is_empty());
    // The refused mutation ids were not recorded: the client may send them again.
    let r = store
        .push(
            &ann,
            &batch(
                "ann",
                vec![set(
                    Entity::Lead,
                    "l1",
                    1,
                    &[("name", json!("A"), 1, "ann")],
                )],
            ),
            now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(r.acks[0].server_version, 1);
}

/// Pushes of several clients at once (PostgreSQL group-commits them): every change
/// gets its own version, without gaps; a refused push among them changes nothing.
async fn concurrent_pushes_get_gap_free_versions(store: &dyn Storage) {
    let a = org(store, "Acme").await;
    let ann = actor(&user(store, &a, "ann@acme.test", Role::Rep).await);
    let ben = actor(&user(store, &a, "ben@acme.test", Role::Rep).await);
    let client = |who: Actor, name: &'static str| async move {
        let mut versions = Vec::new();
        for n in 0..10u64 {
            let req = batch(
                name,
                vec![
                    set(
                        Entity::Lead,
                        &format!("{name}-{n}-a"),
                        2 * n + 1,
                        &[("name", json!(n), 1, name)],
                    ),
                    set(
                        Entity::Deal,
                        &format!("{name}-{n}-b"),
                        2 * n + 2,
                        &[("name", json!(n), 1, name)],
                    ),
                ],
            );
            let r = store.push(&who, &req, now_ms()).await.unwrap();
            versions.extend(r.acks.iter().map(|a| a.server_version));
        }
        versions
    };
    let refused = async {
        for n in 0..10u64 {
            let card = set(
                Entity::BattleCard,
                "bc",
                n + 1,
                &[("title", json!("x"), 1, "z")],
            );
            let r = store
                .push(&ann, &batch("intruder", vec![card]), now_ms())
                .await;
            assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
        }
    };
    let (v1, v2, v3, v4, ()) = tokio::join!(
        client(ann.clone(), "c1"),
        client(ben.clone(), "c2"),
        client(ann.clone(), "c3"),
        client(ben.clone(), "c4"),
        refused,
    );
    let mut all: Vec<i64> = [v1, v2, v3, v4].concat();
    all.sort_unstable();
    assert_eq!(all, (1..=80).collect::<Vec<i64>>());
    let manager = actor(&user(store, &a, "mia@acme.test", Role::Manager).await);
    let changes = pull_all(store, &manager).await;
    assert_eq!(changes.len(), 80);
    assert!(changes.windows(2).all(|w| w[0].version < w[1].version));
}
