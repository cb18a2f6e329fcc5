//! Randomized convergence: a seeded RNG plays a schedule of offline edits on several
//! replicas (two devices of one rep, another rep, a manager), random disconnections
//! (a device skips its sync), and SIGKILLs of the server process in the middle of a
//! push (restarted on the same data directory). Then everyone syncs until nothing
//! moves, and:
//!
//! - every replica equals the server's state for what its user may see (a fresh
//!   manager replica pulled from zero stands for the server);
//! - every acknowledged field write is the winner, or in the server's history (a
//!   conflict), or was replaced by a later write of the same device (an edit);
//! - no outbox is left and nothing was refused.
//!
//! `CLOSER_CONVERGENCE_SCHEDULES` (default 100) and `CLOSER_CONVERGENCE_SEED`
//! (default 1) choose the run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use closer_server::model::Role;
use closer_store::{deals, leads, proposals, sync as db, Store};
use closer_sync::{fields, Progress, SyncError};
use closer_sync_proto::{crdt, is_crdt_field, Entity, Hlc, Mutation, Op};
use closer_types::{
    now_millis, DealDraft, DealStage, LeadDraft, LeadStatus, NewProposal, ProposalEdit,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::support::{Device, Server, User};

const ROUNDS: usize = 6;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_converge_under_random_schedules() {
    let schedules = env_u64("CLOSER_CONVERGENCE_SCHEDULES", 100);
    let seed = env_u64("CLOSER_CONVERGENCE_SEED", 1);
    let started = Instant::now();
    let mut totals = Totals::default();
    for s in 0..schedules {
        let t = run_schedule(seed.wrapping_mul(1_000_003).wrapping_add(s)).await;
        totals.add(&t);
    }
    eprintln!(
        "convergence: {schedules} schedules in {:.1?}: {totals:?}",
        started.elapsed()
    );
    assert!(
        totals.kills > 0 && totals.conflicts > 0 && totals.deletes > 0,
        "{totals:?}"
    );
    assert!(totals.body_edits > 0, "{totals:?}");
}

#[derive(Debug, Default, Clone)]
struct Totals {
    edits: u64,
    deletes: u64,
    acked: u64,
    kills: u64,
    kills_mid_push: u64,
    skipped_syncs: u64,
    conflicts: u64,
    sign_ins_again: u64,
    body_edits: u64,
}

impl Totals {
    fn add(&mut self, o: &Totals) {
        self.edits += o.edits;
        self.deletes += o.deletes;
        self.acked += o.acked;
        self.kills += o.kills;
        self.kills_mid_push += o.kills_mid_push;
        self.skipped_syncs += o.skipped_syncs;
        self.conflicts += o.conflicts;
        self.sign_ins_again += o.sign_ins_again;
        self.body_edits += o.body_edits;
    }
}

/// Values drawn from small sets, so different writers often write the same fields.
const COMPANIES: &[&str] = &["Initech", "Globex", "Hooli", "Umbrella", "Acme"];
const INDUSTRIES: &[&str] = &["Energy", "Retail", "Banking", "Health"];
const COMPETITORS: &[&str] = &["Northwind", "Contoso", "Fabrikam"];
const WORDS: &[&str] = &["pilot", "discount", "SSO", "onboarding", "renewal", "seats"];

/// One random edit of a proposal's body, the way a rep types: a word appended to a
/// paragraph, a new paragraph, or a paragraph removed.
fn edit_body(body: &str, rng: &mut ChaCha8Rng) -> String {
    let mut paragraphs: Vec<String> = body.split("\n\n").map(str::to_string).collect();
    let i = rng.gen_range(0..paragraphs.len());
    let word = format!(
        "{}-{}",
        WORDS.choose(rng).copied().unwrap_or("x"),
        rng.gen_range(0..1000)
    );
    match rng.gen_range(0..10) {
        0..=5 => {
            if let Some(p) = paragraphs.get_mut(i) {
                p.push(' ');
                p.push_str(&word);
            }
        }
        6..=8 => paragraphs.insert(i + 1, format!("Note on {word}.")),
        _ if paragraphs.len() > 1 => {
            paragraphs.remove(i);
        }
        _ => {}
    }
    paragraphs.join("\n\n")
}

/// Rows of `entity` this device's user may edit (own rows, or new local ones).
fn own_rows(d: &Device, entity: Entity) -> Vec<String> {
    d.store
        .read(|c| {
            let mut out = Vec::new();
            for id in db::row_ids(c, entity.as_str())? {
                match db::row_meta(c, entity.as_str(), &id)? {
                    Some(m) if m.owner_id.as_deref().is_some_and(|o| o != d.user.id) => {}
                    _ => out.push(id),
                }
            }
            Ok(out)
        })
        .unwrap()
}

/// One random local edit; returns true for a delete.
fn random_edit(d: &Device, rng: &mut ChaCha8Rng) -> bool {
    let now = now_millis();
    let lead_ids = own_rows(d, Entity::Lead);
    let deal_ids = own_rows(d, Entity::Deal);
    let proposal_ids = own_rows(d, Entity::Proposal);
    let roll = rng.gen_range(0..130);
    let mut deleted = false;
    d.store
        .write(|tx| {
            match roll {
                0..=14 => {
                    let mut draft = LeadDraft::named(COMPANIES.choose(rng).copied().unwrap_or("X"));
                    draft.industry = INDUSTRIES.choose(rng).map(|s| (*s).to_string());
                    leads::create(tx, &draft, now)?;
                }
                15..=24 if !lead_ids.is_empty() => {
                    let lead_id = lead_ids.choose(rng).cloned();
                    let draft = DealDraft {
                        lead_id,
                        name: format!("Deal {}", rng.gen_range(0..1000)),
                        amount_cents: rng.gen_range(1..100) * 100_000,
                        ..DealDraft::default()
                    };
                    deals::create(tx, &draft, now)?;
                }
                25..=59 if !lead_ids.is_empty() => {
                    let Some(id) = lead_ids.choose(rng) else {
                        return Ok(());
                    };
                    let Some(lead) = leads::find(tx, id)? else {
                        return Ok(());
                    };
                    let mut draft = LeadDraft {
                        company: lead.company,
                        domain: lead.domain,
                        industry: lead.industry,
                        employee_count: lead.employee_count,
                        contacts: lead.contacts,
                        source: lead.source,
                        status: lead.status,
                        owner: lead.owner,
                    };
                    match rng.gen_range(0..4) {
                        0 => draft.company = COMPANIES.choose(rng).copied().unwrap_or("X").into(),
                        1 => draft.industry = INDUSTRIES.choose(rng).map(|s| (*s).to_string()),
                        2 => draft.employee_count = Some(rng.gen_range(1..5) * 50),
                        _ => {
                            draft.status = *[
                                LeadStatus::Contacted,
                                LeadStatus::Qualified,
                                LeadStatus::Lost,
                            ]
                            .choose(rng)
                            .unwrap_or(&LeadStatus::New)
                        }
                    }
                    leads::update(tx, id, &draft, now)?;
                }
                60..=89 if !deal_ids.is_empty() => {
                    let Some(id) = deal_ids.choose(rng) else {
                        return Ok(());
                    };
                    let Some(deal) = deals::find(tx, id)? else {
                        return Ok(());
                    };
                    let mut draft = DealDraft {
                        lead_id: deal.lead_id,
                        name: deal.name,
                        amount_cents: deal.amount_cents,
                        stage: deal.stage,
                        close_date: deal.close_date,
                        competitors: deal.competitors,
                        owner: deal.owner,
                        stakeholders: deal.stakeholders,
                    };
                    match rng.gen_range(0..3) {
                        0 => draft.amount_cents = rng.gen_range(1..100) * 100_000,
                        1 => {
                            draft.stage = *[
                                DealStage::Qualification,
                                DealStage::Negotiation,
                                DealStage::ClosedWon,
                            ]
                            .choose(rng)
                            .unwrap_or(&DealStage::Discovery)
                        }
                        _ => {
                            draft.competitors =
                                vec![COMPETITORS.choose(rng).copied().unwrap_or("X").to_string()]
                        }
                    }
                    deals::update(tx, id, &draft, now)?;
                }
                90..=94 if !deal_ids.is_empty() => {
                    if let Some(id) = deal_ids.choose(rng) {
                        deals::delete(tx, id)?;
                        deleted = true;
                    }
                }
                95..=99 if !lead_ids.is_empty() => {
                    if let Some(id) = lead_ids.choose(rng) {
                        leads::delete(tx, id)?;
                        deleted = true;
                    }
                }
                100..=107 => {
                    let lead_id = lead_ids.choose(rng).cloned();
                    let new = NewProposal {
                        lead_id: lead_id.filter(|id| leads::find(tx, id).ok().flatten().is_some()),
                        title: format!("Proposal {}", rng.gen_range(0..1000)),
                        body: "Scope.\n\nTimeline.\n\nPrice.".into(),
                        ..NewProposal::default()
                    };
                    proposals::create(tx, &new, now)?;
                }
                108..=125 if !proposal_ids.is_empty() => {
                    let Some(id) = proposal_ids.choose(rng) else {
                        return Ok(());
                    };
                    let Ok(p) = proposals::get(tx, id) else {
                        return Ok(());
                    };
                    let edit = ProposalEdit {
                        title: p.title.clone(),
                        body: edit_body(&p.body, rng),
                    };
                    proposals::save_edit(tx, id, &edit, now)?;
                }
                126..=129 if !proposal_ids.is_empty() => {
                    if let Some(id) = proposal_ids.choose(rng) {
                        if db::row_exists(tx, "proposal", id)? {
                            proposals::delete(tx, id)?;
                            deleted = true;
                        }
                    }
                }
                _ => {
                    leads::create(tx, &LeadDraft::named("Fallback"), now)?;
                }
            }
            Ok(())
        })
        .unwrap();
    deleted
}

/// Push then pull, like `sync_once`, but keeping the push's report even when the
/// pull fails (the test must know every acknowledged write).
async fn sync(
    d: &Device,
    device: usize,
    log: &mut Vec<(usize, Mutation)>,
    t: &mut Totals,
) -> Result<u64, SyncError> {
    let mut quiet = |_: Progress| {};
    let push = d.client.push(&mut quiet).await?;
    for m in &push.acked_mutations {
        log.push((device, m.clone()));
    }
    t.acked += push.acked;
    t.conflicts += push.conflicts;
    let pull = d.client.pull(&mut quiet).await?;
    t.conflicts += pull.conflicts;
    Ok(push.acked + pull.changes)
}

async fn run_schedule(seed: u64) -> Totals {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut t = Totals::default();
    let (mut server, users) = Server::start(&[
        ("ann@acme.test", Role::Rep),
        ("bob@acme.test", Role::Rep),
        ("mia@acme.test", Role::Manager),
    ])
    .await;
    let base = server.base.clone();
    let tmp = tempfile::tempdir().unwrap();
    let owners: [&User; 4] = [&users[0], &users[0], &users[1], &users[2]];
    let mut devices: Vec<Device> = owners
        .iter()
        .enumerate()
        .map(|(i, u)| Device::new(tmp.path(), &format!("d{i}"), &base, u))
        .collect();
    for d in &devices {
        d.sign_in().await;
    }
    let mut acked: Vec<(usize, Mutation)> = Vec::new();
    let mut kills_left = rng.gen_range(1..=2);

    for _round in 0..ROUNDS {
        let mut order: Vec<usize> = (0..devices.len()).collect();
        order.shuffle(&mut rng);
        for i in order {
            for _ in 0..rng.gen_range(0..4) {
                t.edits += 1;
                if random_edit(&devices[i], &mut rng) {
                    t.deletes += 1;
                }
            }
            if rng.gen_bool(0.35) {
                t.skipped_syncs += 1; // offline this round
                continue;
            }
            if rng.gen_range(0..100) < 12 {
                // Restart a device's app (its outbox and shadow are on disk).
                devices[i].reopen(&base);
            }
            if kills_left > 0 && rng.gen_range(0..100) < 15 {
                // SIGKILL the server while this device pushes.
                kills_left -= 1;
                t.kills += 1;
                let delay = Duration::from_micros(rng.gen_range(0..4000));
                let mut mid_push = false;
                {
                    let fut = sync(&devices[i], i, &mut acked, &mut t);
                    tokio::pin!(fut);
                    tokio::select! {
                        _ = &mut fut => {}
                        _ = tokio::time::sleep(delay) => {
                            server.kill();
                            mid_push = true;
                            let _ = fut.await;
                        }
                    }
                }
                t.kills_mid_push += u64::from(mid_push);
                server.restart().await;
                assert_eq!(server.base, base);
                continue;
            }
            match sync(&devices[i], i, &mut acked, &mut t).await {
                Ok(_) => {}
                // A connection the killed server left in the pool may fail once.
                Err(e) if e.is_retryable() => t.skipped_syncs += 1,
                // The server was killed after rotating this device's refresh token
                // but before the answer arrived: the old token is now "reused" and
                // the session revoked. The app asks the user to sign in again; the
                // outbox waits meanwhile.
                Err(SyncError::Unauthorized(_)) => {
                    devices[i].sign_in().await;
                    t.sign_ins_again += 1;
                }
                Err(e) => panic!("seed {seed}: device {i} sync failed: {e}"),
            }
        }
    }

    // Everyone comes back online and syncs until nothing moves.
    let mut quiet = false;
    for _pass in 0..8 {
        let mut moved = 0;
        for (i, d) in devices.iter().enumerate() {
            match sync(d, i, &mut acked, &mut t).await {
                Ok(n) => moved += n,
                Err(e) if e.is_retryable() => moved += 1,
                Err(SyncError::Unauthorized(_)) => {
                    d.sign_in().await;
                    t.sign_ins_again += 1;
                    moved += 1;
                }
                Err(e) => panic!("seed {seed}: final sync of device {i}: {e}"),
            }
        }
        if moved == 0 {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "seed {seed}: replicas still moving after 8 passes");

    // A fresh manager replica pulled from zero: the server's state and history.
    let auditor = Device::new(tmp.path(), "auditor", &base, &users[2]);
    auditor.sign_in().await;
    auditor.client.sync_once(&mut |_| {}).await.unwrap();
    let truth = snapshot(&auditor.store);
    for (i, d) in devices.iter().enumerate() {
        let status = d.client.status().await.unwrap();
        assert_eq!(
            (status.outbox, status.unstaged),
            (0, 0),
            "seed {seed}: device {i}"
        );
        let rejected = d
            .store
            .read(|c| db::conflicts(c, false, 10_000))
            .unwrap()
            .into_iter()
            .filter(|c| c.kind == db::ConflictKind::Rejected)
            .count();
        assert_eq!(rejected, 0, "seed {seed}: device {i} had writes refused");
        let mine = snapshot(&d.store);
        let manager = d.user.id == users[2].id;
        let expected: BTreeMap<_, _> = truth
            .rows
            .iter()
            .filter(|((_, _), row)| manager || row.owner.as_deref() == Some(d.user.id.as_str()))
            .map(|(k, row)| (k.clone(), row.fields.clone()))
            .collect();
        let actual: BTreeMap<_, _> = mine
            .rows
            .iter()
            .map(|(k, row)| (k.clone(), row.fields.clone()))
            .collect();
        if expected != actual {
            let keys: BTreeSet<_> = expected.keys().chain(actual.keys()).collect();
            for k in keys {
                if expected.get(k) != actual.get(k) {
                    eprintln!(
                        "{k:?}\n  server: {:?}\n  device: {:?}",
                        expected.get(k),
                        actual.get(k)
                    );
                }
            }
            panic!("seed {seed}: device {i} differs from the server");
        }
    }

    // Every acknowledged write is the winner, in history, or replaced by its own node.
    let mut history: BTreeSet<(String, String, String, Hlc)> = BTreeSet::new();
    for store in devices.iter().map(|d| &d.store).chain([&auditor.store]) {
        for c in store.read(|c| db::conflicts(c, false, 100_000)).unwrap() {
            let hlc: Hlc = serde_json::from_str(&c.hlc).unwrap();
            history.insert((c.entity, c.entity_id, c.field, hlc));
        }
    }
    let deletes: HashMap<(Entity, String), Vec<Hlc>> = acked
        .iter()
        .filter(|(_, m)| m.op == Op::Delete)
        .fold(HashMap::new(), |mut acc, (_, m)| {
            if let Some(h) = &m.hlc {
                acc.entry((m.entity, m.entity_id.clone()))
                    .or_default()
                    .push(h.clone());
            }
            acc
        });
    // Successive writes of one device to a field are edits: the server keeps the last.
    let mut latest: HashMap<(Entity, String, String, String), Hlc> = HashMap::new();
    for (_, m) in &acked {
        for (field, fv) in &m.fields {
            let k = (
                m.entity,
                m.entity_id.clone(),
                field.clone(),
                fv.hlc.node.clone(),
            );
            let e = latest.entry(k).or_insert_with(|| fv.hlc.clone());
            if fv.hlc > *e {
                *e = fv.hlc.clone();
            }
        }
    }
    t.body_edits += acked
        .iter()
        .filter(|(_, m)| m.fields.keys().any(|f| is_crdt_field(m.entity, f)))
        .count() as u64;
    for (device, m) in &acked {
        for (field, fv) in &m.fields {
            if is_crdt_field(m.entity, field) {
                // Merged: every acknowledged edit is in the server's document, unless
                // the row was deleted (a delete wins over everything).
                let state = auditor
                    .store
                    .read(|c| db::crdt_state(c, m.entity.as_str(), &m.entity_id, field))
                    .unwrap();
                let sent = crdt::decode_value(&fv.value).unwrap();
                let kept = state.is_some_and(|s| crdt::includes(&s, &sent).unwrap());
                let row_deleted = !truth.rows.contains_key(&(m.entity, m.entity_id.clone()));
                assert!(
                    kept || row_deleted,
                    "seed {seed}: device {device}'s edit of {} {field} is lost",
                    m.entity_id
                );
                continue;
            }
            let own = (
                m.entity,
                m.entity_id.clone(),
                field.clone(),
                fv.hlc.node.clone(),
            );
            if latest.get(&own).is_some_and(|h| *h > fv.hlc) {
                continue;
            }
            let key = (
                m.entity.as_str().to_string(),
                m.entity_id.clone(),
                field.clone(),
                fv.hlc.clone(),
            );
            if history.contains(&key) {
                continue;
            }
            let winner = truth
                .shadow
                .get(&(m.entity, m.entity_id.clone(), field.clone()));
            let ok = match winner {
                Some((value, hlc)) if *hlc == fv.hlc => *value == fv.value,
                Some((_, hlc)) => hlc.node == fv.hlc.node && *hlc > fv.hlc,
                None => deletes
                    .get(&(m.entity, m.entity_id.clone()))
                    .is_some_and(|ds| ds.iter().any(|d| d.node == fv.hlc.node && *d > fv.hlc)),
            };
            if !ok {
                for (dev, other) in acked.iter().filter(|(_, o)| o.entity_id == m.entity_id) {
                    eprintln!(
                        "  device {dev}: #{} {:?} {:?} {:?}",
                        other.mutation_id,
                        other.op,
                        other.hlc,
                        other
                            .fields
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.hlc.to_string()))
                            .collect::<Vec<_>>()
                    );
                }
                let meta = auditor
                    .store
                    .read(|c| db::row_meta(c, m.entity.as_str(), &m.entity_id))
                    .unwrap();
                eprintln!("  auditor meta {meta:?}");
                for c in auditor
                    .store
                    .read(|c| db::conflicts(c, false, 100_000))
                    .unwrap()
                {
                    if c.entity_id == m.entity_id {
                        eprintln!(
                            "  auditor conflict {} {} {:?}",
                            c.field, c.hlc, c.winner_hlc
                        );
                    }
                }
                for (i, d) in devices.iter().enumerate() {
                    let meta = d
                        .store
                        .read(|c| db::row_meta(c, m.entity.as_str(), &m.entity_id))
                        .unwrap();
                    eprintln!("  device {i} meta {meta:?}");
                }
            }
            assert!(
                ok,
                "seed {seed}: device {device}'s write {:?} {} {field} = {} @ {} is lost (winner {winner:?})",
                m.entity, m.entity_id, fv.value, fv.hlc
            );
        }
    }
    server.kill();
    t
}

struct Row {
    owner: Option<String>,
    fields: fields::Fields,
}

struct Snapshot {
    rows: BTreeMap<(Entity, String), Row>,
    /// The shadow: per field, the winning value and clock as this replica knows it.
    shadow: HashMap<(Entity, String, String), (Value, Hlc)>,
}

fn snapshot(store: &Store) -> Snapshot {
    store
        .read(|c| {
            let mut rows = BTreeMap::new();
            let mut shadow = HashMap::new();
            for entity in fields::SYNCED {
                let metas: HashMap<String, db::RowMeta> =
                    db::row_metas(c, entity.as_str())?.into_iter().collect();
                for id in db::row_ids(c, entity.as_str())? {
                    let Some(fields) = fields::read(c, *entity, &id)? else {
                        continue;
                    };
                    rows.insert(
                        (*entity, id.clone()),
                        Row {
                            owner: metas.get(&id).and_then(|m| m.owner_id.clone()),
                            fields,
                        },
                    );
                }
                for id in metas.keys() {
                    for (field, s) in db::shadow(c, entity.as_str(), id)? {
                        let value: Value = serde_json::from_str(&s.value).unwrap();
                        let hlc: Hlc = serde_json::from_str(&s.hlc).unwrap();
                        shadow.insert((*entity, id.clone(), field), (value, hlc));
                    }
                }
            }
            Ok(Snapshot { rows, shadow })
        })
        .unwrap()
}
