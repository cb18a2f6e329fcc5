//! A realistic, deterministic demo workspace: what a new Closer user sees on first run.
//!
//! The user's company is **Lumora**, which sells a B2B revenue analytics and
//! forecasting platform (Lumora Forecast, Lumora Signals, Lumora Connect). The demo
//! holds battle cards for eight fictional competitors, a 200-item content library,
//! 500 leads, 60 deals with their timelines, proposals and recorded calls.
//!
//! Everything is generated from a seed with a ChaCha8 RNG and is relative to a `now`
//! passed in by the caller, so the same `(seed, now)` always gives the same workspace,
//! byte for byte: ids are UUIDv7-shaped, built from the RNG and the record's
//! `created_at`, never from the clock.
//!
//! [`bulk_content`] and [`bulk_leads`] produce large varied data sets for benchmarks.

mod battle_cards;
mod calls;
mod content;
mod deals;
mod leads;
mod names;
mod proposals;
mod util;

use closer_types::{
    Activity, BattleCard, Call, ContentItem, Deal, DealStage, Lead, LeadDraft, LeadStatus, Proposal,
};

use crate::util::Gen;

pub use crate::leads::OWNERS;
pub use crate::util::{civil_from_days, iso_date};

/// Everything the demo workspace holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoWorkspace {
    pub battle_cards: Vec<BattleCard>,
    pub content: Vec<ContentItem>,
    pub leads: Vec<Lead>,
    pub deals: Vec<Deal>,
    pub activities: Vec<Activity>,
    pub proposals: Vec<Proposal>,
    pub calls: Vec<Call>,
}

/// The seed the app uses for the first-run demo.
pub const DEFAULT_SEED: u64 = 0x4C55_4D4F_5241_2026;

/// The demo user (owner of the largest share of leads and deals).
pub const DEMO_USER: &str = "Alex Rivera";

/// Number of leads in the demo workspace.
pub const LEAD_COUNT: usize = 500;

// One RNG stream per part, so the parts do not shift each other.
const S_CARDS: u64 = 1;
const S_CONTENT: u64 = 2;
const S_PLAN: u64 = 3;
const S_LEADS: u64 = 4;
const S_DEALS: u64 = 5;
const S_PROPOSALS: u64 = 6;
const S_CALLS: u64 = 7;
const S_BULK_CONTENT: u64 = 101;
const S_BULK_LEADS: u64 = 102;

/// The demo workspace for `seed`, with every timestamp relative to `now` (ms since epoch).
pub fn generate(seed: u64, now: i64) -> DemoWorkspace {
    let battle_cards = battle_cards::generate(&mut Gen::new(seed, S_CARDS), now);
    let content = content::generate(&mut Gen::new(seed, S_CONTENT), now);

    // Which leads carry a deal, in which stage, and who owns them.
    let mut plan_rng = Gen::new(seed, S_PLAN);
    let indices: Vec<usize> = (0..LEAD_COUNT).collect();
    let chosen = plan_rng.sample(&indices, deals::STAGE_PLAN.iter().map(|(_, n)| n).sum());
    let stages = deals::STAGE_PLAN
        .iter()
        .flat_map(|(s, n)| std::iter::repeat_n(*s, *n));
    let plan: Vec<(usize, DealStage)> = chosen.into_iter().zip(stages).collect();
    let mut statuses: Vec<Option<LeadStatus>> = vec![None; LEAD_COUNT];
    let mut owners: Vec<Option<&str>> = vec![None; LEAD_COUNT];
    for &(i, stage) in &plan {
        statuses[i] = Some(deals::lead_status(stage));
        owners[i] = Some(if plan_rng.chance(0.4) {
            DEMO_USER
        } else {
            leads::owner(&mut plan_rng)
        });
    }

    // Flagship customers of the case studies are not prospects.
    let leads = leads::generate(
        &mut Gen::new(seed, S_LEADS),
        now,
        &statuses,
        &owners,
        &content::customer_names(),
    );
    let (deals, activities, ctxs) =
        deals::generate(&mut Gen::new(seed, S_DEALS), now, &leads, &plan);
    let proposals = proposals::generate(
        &mut Gen::new(seed, S_PROPOSALS),
        now,
        &deals,
        &ctxs,
        &leads,
        &activities,
    );
    let calls = calls::generate(&mut Gen::new(seed, S_CALLS), now, &deals, &ctxs, &leads);
    DemoWorkspace {
        battle_cards,
        content,
        leads,
        deals,
        activities,
        proposals,
        calls,
    }
}

/// `n` synthetic content items for benchmarks: varied kinds, industries, personas and
/// bodies of 150-400 words; unique ids and titles; deterministic in `(seed, n, now)`.
pub fn bulk_content(seed: u64, n: usize, now: i64) -> Vec<ContentItem> {
    content::bulk(&mut Gen::new(seed, S_BULK_CONTENT), n, now)
}

/// `n` synthetic lead drafts for benchmarks and import tests: unique companies and
/// domains, 1-3 contacts each; deterministic in `(seed, n)`. `now` is accepted for
/// symmetry with the other generators (drafts carry no timestamps).
pub fn bulk_leads(seed: u64, n: usize, now: i64) -> Vec<LeadDraft> {
    let _ = now;
    leads::bulk(&mut Gen::new(seed, S_BULK_LEADS), n)
}
