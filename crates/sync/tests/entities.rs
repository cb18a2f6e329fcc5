//! Proposals (with their CRDT body), calls, battle cards and content items through a
//! real server: who sees what, and concurrent paragraph edits that both survive.

use closer_server::model::Role;
use closer_store::{battle_cards, calls, content, proposals, sync as db};
use closer_types::{now_millis, BattleCardDraft, Call, ContentDraft, NewProposal, ProposalEdit};

use crate::support::{Device, Server};

async fn sync(d: &Device) {
    d.client.sync_once(&mut |_| {}).await.unwrap();
}

fn body(d: &Device, id: &str) -> String {
    d.store.read(|c| proposals::get(c, id)).unwrap().body
}

fn edit(d: &Device, id: &str, f: impl FnOnce(&str) -> String) {
    let p = d.store.read(|c| proposals::get(c, id)).unwrap();
    let edit = ProposalEdit {
        title: p.title.clone(),
        body: f(&p.body),
    };
    d.store
        .write(|tx| proposals::save_edit(tx, id, &edit, now_millis()))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_paragraph_edits_of_a_proposal_both_survive() {
    let (server, users) = Server::start(&[
        ("ann@acme.test", Role::Rep),
        ("mia@acme.test", Role::Manager),
    ])
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let laptop = Device::new(tmp.path(), "laptop", &server.base, &users[0]);
    let tablet = Device::new(tmp.path(), "tablet", &server.base, &users[0]);
    let manager = Device::new(tmp.path(), "mia", &server.base, &users[1]);
    for d in [&laptop, &tablet, &manager] {
        d.sign_in().await;
    }
    let base = "# Initech rollout\n\nScope: 40 seats in the London office.\n\nTimeline: six weeks from signature.\n\nPrice: $40,000 per year.\n";
    let id = laptop
        .store
        .write(|tx| {
            proposals::create(
                tx,
                &NewProposal {
                    title: "Initech rollout".into(),
                    body: base.into(),
                    ..NewProposal::default()
                },
                now_millis(),
            )
        })
        .unwrap()
        .id;
    sync(&laptop).await;
    sync(&tablet).await;
    assert_eq!(body(&tablet, &id), base);

    // Both offline: the laptop rewrites the scope, the tablet the price and adds a
    // paragraph at the end.
    edit(&laptop, &id, |b| {
        b.replace(
            "40 seats in the London office",
            "60 seats in London and Leeds",
        )
    });
    edit(&tablet, &id, |b| {
        format!(
            "{}\nNext step: legal review.\n",
            b.replace("$40,000 per year", "$52,000 per year")
        )
    });
    sync(&laptop).await;
    sync(&tablet).await;
    sync(&laptop).await;
    sync(&manager).await;
    let expected = "# Initech rollout\n\nScope: 60 seats in London and Leeds.\n\nTimeline: six weeks from signature.\n\nPrice: $52,000 per year.\n\nNext step: legal review.\n";
    assert_eq!(body(&laptop, &id), expected);
    assert_eq!(body(&tablet, &id), expected);
    assert_eq!(body(&manager, &id), expected, "the manager reads the team");
    // A merge is not a conflict: nothing shows in the conflicts view.
    for d in [&laptop, &tablet] {
        assert_eq!(d.store.read(|c| db::conflict_count(c, false)).unwrap(), 0);
        let status = d.client.status().await.unwrap();
        assert_eq!((status.outbox, status.unstaged), (0, 0));
    }
    // Same text everywhere, and nothing more to send.
    sync(&tablet).await;
    assert_eq!(body(&tablet, &id), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_the_reps_and_cards_and_content_the_managers() {
    let (server, users) = Server::start(&[
        ("ann@acme.test", Role::Rep),
        ("bob@acme.test", Role::Rep),
        ("mia@acme.test", Role::Manager),
    ])
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let ann = Device::new(tmp.path(), "ann", &server.base, &users[0]);
    let bob = Device::new(tmp.path(), "bob", &server.base, &users[1]);
    let mia = Device::new(tmp.path(), "mia", &server.base, &users[2]);
    for d in [&ann, &bob, &mia] {
        d.sign_in().await;
    }
    let now = now_millis();
    let call = Call {
        id: closer_types::new_id(),
        deal_id: None,
        lead_id: None,
        title: "Discovery with Initech".into(),
        started_at: now - 1_800_000,
        ended_at: Some(now),
        segments: Vec::new(),
        analysis: None,
        created_at: now,
        updated_at: now,
    };
    ann.store.write(|tx| calls::insert(tx, &call)).unwrap();
    let card = mia
        .store
        .write(|tx| {
            battle_cards::save(
                tx,
                None,
                &BattleCardDraft {
                    competitor: "Northwind".into(),
                    summary: "Cheaper, no SSO.".into(),
                    ..BattleCardDraft::default()
                },
                now,
            )
        })
        .unwrap();
    let item = mia
        .store
        .write(|tx| {
            content::create(
                tx,
                &ContentDraft {
                    title: "Retail case study".into(),
                    body: "How Globex cut churn.".into(),
                    ..ContentDraft::default()
                },
                now,
            )
        })
        .unwrap();
    // A rep's edit of team content stays local (the server would refuse it).
    let rogue = bob
        .store
        .write(|tx| {
            battle_cards::save(
                tx,
                None,
                &BattleCardDraft {
                    competitor: "Contoso".into(),
                    ..BattleCardDraft::default()
                },
                now,
            )
        })
        .unwrap();
    for d in [&ann, &mia, &bob, &ann, &mia] {
        sync(d).await;
    }
    let has = |d: &Device, entity: &str, id: &str| {
        d.store.read(|c| db::row_exists(c, entity, id)).unwrap()
    };
    assert!(
        has(&mia, "call", &call.id),
        "the manager reads the rep's call"
    );
    assert!(!has(&bob, "call", &call.id), "another rep does not");
    assert_eq!(
        mia.store.read(|c| calls::get(c, &call.id)).unwrap().title,
        call.title
    );
    for d in [&ann, &bob] {
        assert_eq!(
            d.store
                .read(|c| battle_cards::get(c, &card.id))
                .unwrap()
                .summary,
            "Cheaper, no SSO."
        );
        assert_eq!(
            d.store.read(|c| content::get(c, &item.id)).unwrap().body,
            "How Globex cut churn."
        );
    }
    assert!(
        !has(&mia, "battle_card", &rogue.id),
        "a rep's card is not pushed"
    );
    assert!(!has(&ann, "battle_card", &rogue.id));
}
