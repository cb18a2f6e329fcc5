//! The manager view: the team's pipeline, every deal's health by rep, the health trend
//! and the deals with the most money at risk, all from the local cache (what sync
//! pulled), so it works offline.
//!
//! A deal's health is Claude's latest analysis when there is one newer than the deal's
//! last change (an older one describes a deal that has moved since), else the local
//! explainable score (`closer_ai::local_health`). Every computation records a snapshot
//! (`closer_store::health_history`: on change, and at most once a day otherwise): the
//! trend is drawn from those.

use std::collections::{BTreeMap, HashMap};

use closer_store::health_history::{self, HealthSnapshot};
use closer_store::{activities, ai_results, deals};
use closer_types::{
    iso_day, now_millis, Activity, Deal, DealAnalysis, DealStage, HealthBand, HealthSource,
    HealthTrendPoint, Millis, PipelineCell, RepHealth, TeamDeal, TeamOverview,
};

use crate::{Closer, Result};

const DAY_MS: Millis = 86_400_000;
/// The name shown for deals without an owner.
pub const UNASSIGNED: &str = "Unassigned";
/// The trend line of the whole team.
pub const TEAM: &str = "Team";
/// Days of history the demo starts with.
const DEMO_HISTORY_DAYS: i64 = 56;

fn is_open(stage: DealStage) -> bool {
    !matches!(stage, DealStage::ClosedWon | DealStage::ClosedLost)
}

fn band(score: u8) -> HealthBand {
    match score {
        70.. => HealthBand::Healthy,
        40..=69 => HealthBand::AtRisk,
        _ => HealthBand::Critical,
    }
}

fn rep_of(deal: &Deal) -> String {
    deal.owner
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .unwrap_or(UNASSIGNED)
        .to_string()
}

/// amount × (1 − health), in cents.
pub fn at_risk_cents(amount_cents: i64, health: u8) -> i64 {
    let healthy = i128::from(amount_cents) * i128::from(health.min(100)) / 100;
    i64::try_from(i128::from(amount_cents) - healthy).unwrap_or(i64::MAX)
}

/// One deal's health now: the fresh analysis, else the local score.
pub fn deal_health(
    deal: &Deal,
    timeline: &[Activity],
    analysis: Option<&DealAnalysis>,
    now: Millis,
) -> (u8, HealthSource) {
    match analysis {
        Some(a) if a.analyzed_at >= deal.updated_at => {
            (a.deal_health_score.min(100), HealthSource::Ai)
        }
        _ => (
            closer_ai::local_health(deal, timeline, now).score,
            HealthSource::Local,
        ),
    }
}

/// Every deal with its health, computed from the store.
fn team_deals(conn: &rusqlite::Connection, now: Millis) -> closer_store::Result<Vec<TeamDeal>> {
    let mut out = Vec::new();
    for (id, company) in health_history::deal_ids_with_company(conn)? {
        let deal = deals::get(conn, &id)?;
        let timeline = activities::for_deal(conn, &id)?;
        // An analysis that no longer reads is ignored, not an error: the local score stands.
        let analysis: Option<DealAnalysis> =
            ai_results::deal_analysis(conn, &id).unwrap_or_default();
        let (health, source) = deal_health(&deal, &timeline, analysis.as_ref(), now);
        out.push(TeamDeal {
            rep: rep_of(&deal),
            at_risk_cents: at_risk_cents(deal.amount_cents, health),
            id: deal.id,
            name: deal.name,
            company,
            stage: deal.stage,
            amount_cents: deal.amount_cents,
            close_date: deal.close_date,
            health,
            band: band(health),
            source,
            updated_at: deal.updated_at,
        });
    }
    Ok(out)
}

fn snapshot(d: &TeamDeal, at: Millis) -> HealthSnapshot {
    HealthSnapshot {
        deal_id: d.id.clone(),
        at,
        score: d.health,
        source: d.source,
        stage: d.stage,
        amount_cents: d.amount_cents,
        rep: d.rep.clone(),
    }
}

/// Computes every deal's health, records the snapshots, and builds the overview with
/// the last `days` days of trend. Pure over the transaction (tested on real SQLite).
pub fn overview(
    tx: &rusqlite::Transaction,
    now: Millis,
    days: u32,
) -> closer_store::Result<TeamOverview> {
    let all = team_deals(tx, now)?;
    for d in &all {
        health_history::record(tx, &snapshot(d, now))?;
    }

    // Pipeline: every rep × stage with deals.
    let mut cells: BTreeMap<(String, u8), PipelineCell> = BTreeMap::new();
    for d in &all {
        let cell = cells
            .entry((d.rep.clone(), stage_order(d.stage)))
            .or_insert_with(|| PipelineCell {
                rep: d.rep.clone(),
                stage: d.stage,
                deals: 0,
                amount_cents: 0,
            });
        cell.deals += 1;
        cell.amount_cents = cell.amount_cents.saturating_add(d.amount_cents);
    }

    // Reps: open deals, amount-weighted average health, largest pipeline first.
    let mut by_rep: BTreeMap<String, Vec<TeamDeal>> = BTreeMap::new();
    for d in all.iter().filter(|d| is_open(d.stage)) {
        by_rep.entry(d.rep.clone()).or_default().push(d.clone());
    }
    let mut reps: Vec<RepHealth> = by_rep
        .into_iter()
        .map(|(rep, mut deals)| {
            deals.sort_by(|a, b| {
                a.health
                    .cmp(&b.health)
                    .then(b.amount_cents.cmp(&a.amount_cents))
            });
            let amount: i64 = deals.iter().map(|d| d.amount_cents).sum();
            RepHealth {
                average_health: weighted_average(
                    deals.iter().map(|d| (d.amount_cents, f64::from(d.health))),
                )
                .round()
                .clamp(0.0, 100.0) as u8,
                open_deals: u32::try_from(deals.len()).unwrap_or(u32::MAX),
                open_amount_cents: amount,
                rep,
                deals,
            }
        })
        .collect();
    reps.sort_by(|a, b| {
        b.open_amount_cents
            .cmp(&a.open_amount_cents)
            .then_with(|| a.rep.cmp(&b.rep))
    });

    let mut risks: Vec<TeamDeal> = all.iter().filter(|d| is_open(d.stage)).cloned().collect();
    risks.sort_by(|a, b| {
        b.at_risk_cents
            .cmp(&a.at_risk_cents)
            .then_with(|| a.name.cmp(&b.name))
    });

    Ok(TeamOverview {
        pipeline: cells.into_values().collect(),
        reps,
        risks,
        trend: trend(tx, now, days)?,
        computed_at: now,
    })
}

fn stage_order(stage: DealStage) -> u8 {
    match stage {
        DealStage::Discovery => 0,
        DealStage::Qualification => 1,
        DealStage::Proposal => 2,
        DealStage::Negotiation => 3,
        DealStage::ClosedWon => 4,
        DealStage::ClosedLost => 5,
    }
}

/// Amount-weighted mean; the plain mean when every amount is zero.
fn weighted_average(items: impl Iterator<Item = (i64, f64)>) -> f64 {
    let (mut sum, mut weight, mut plain, mut n) = (0.0, 0.0, 0.0, 0.0);
    for (amount, value) in items {
        let w = amount.max(0) as f64;
        sum += w * value;
        weight += w;
        plain += value;
        n += 1.0;
    }
    if weight > 0.0 {
        sum / weight
    } else if n > 0.0 {
        plain / n
    } else {
        0.0
    }
}

/// Per day (the last `days`, today included) and rep, the amount-weighted health of the
/// deals open that day, each deal at its last snapshot of or before the day; plus the
/// whole team as [`TEAM`].
fn trend(
    conn: &rusqlite::Connection,
    now: Millis,
    days: u32,
) -> closer_store::Result<Vec<HealthTrendPoint>> {
    let days = i64::from(days.clamp(1, 366));
    let today = now.div_euclid(DAY_MS);
    let first_day_start = (today - days + 1) * DAY_MS;
    let mut state: HashMap<String, HealthSnapshot> =
        health_history::latest_before(conn, first_day_start)?
            .into_iter()
            .map(|s| (s.deal_id.clone(), s))
            .collect();
    let history = health_history::since(conn, first_day_start)?;
    let mut next = history.into_iter().peekable();
    let mut out = Vec::new();
    for day in (today - days + 1)..=today {
        let end = (day + 1) * DAY_MS;
        while let Some(s) = next.next_if(|s| s.at < end) {
            state.insert(s.deal_id.clone(), s);
        }
        let mut per_rep: BTreeMap<&str, Vec<(i64, f64)>> = BTreeMap::new();
        for s in state.values().filter(|s| is_open(s.stage)) {
            let rep = if s.rep.trim().is_empty() {
                UNASSIGNED
            } else {
                s.rep.as_str()
            };
            let point = (s.amount_cents, f64::from(s.score));
            per_rep.entry(rep).or_default().push(point);
            per_rep.entry(TEAM).or_default().push(point);
        }
        let label = iso_day(day * DAY_MS);
        for (rep, points) in per_rep {
            out.push(HealthTrendPoint {
                day: label.clone(),
                rep: rep.to_string(),
                average_health: weighted_average(points.iter().copied()) as f32,
                deals: u32::try_from(points.len()).unwrap_or(u32::MAX),
            });
        }
    }
    Ok(out)
}

/// A plausible past for the demo's open deals: one snapshot a day for up to
/// [`DEMO_HISTORY_DAYS`] days (never before the deal existed), drifting towards today's
/// score. Deterministic in the deal's id.
pub(crate) fn backfill_demo_history(
    tx: &rusqlite::Transaction,
    deals: &[Deal],
    timeline: &[Activity],
    now: Millis,
) -> closer_store::Result<()> {
    for deal in deals.iter().filter(|d| is_open(d.stage)) {
        let own: Vec<Activity> = timeline
            .iter()
            .filter(|a| a.deal_id.as_deref() == Some(deal.id.as_str()))
            .cloned()
            .collect();
        let seed = deal.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        // Deals that are unhealthy now were mostly healthier before, and the reverse.
        let today_score = i64::from(closer_ai::local_health(deal, &own, now).score);
        let start_score = (today_score + if today_score < 60 { 25 } else { -10 }).clamp(5, 95);
        for back in (1..=DEMO_HISTORY_DAYS).rev() {
            let at = now - back * DAY_MS;
            if at < deal.created_at {
                continue;
            }
            let frac = (DEMO_HISTORY_DAYS - back) as f64 / DEMO_HISTORY_DAYS as f64;
            let mut h = seed ^ (back as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            h ^= h >> 29;
            h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h ^= h >> 32;
            let noise = (h % 9) as i64 - 4;
            let score = (start_score as f64 + (today_score - start_score) as f64 * frac).round()
                as i64
                + noise;
            health_history::insert(
                tx,
                &HealthSnapshot {
                    deal_id: deal.id.clone(),
                    at,
                    score: u8::try_from(score.clamp(0, 100)).unwrap_or(0),
                    source: HealthSource::Local,
                    stage: deal.stage,
                    amount_cents: deal.amount_cents,
                    rep: rep_of(deal),
                },
            )?;
        }
    }
    Ok(())
}

impl Closer {
    /// The manager view, from the local cache: pipeline, health by rep, trend over the
    /// last `days` days, risk list. Records today's health snapshots as it goes.
    pub async fn team_overview(&self, days: u32) -> Result<TeamOverview> {
        self.write(move |tx| overview(tx, now_millis(), days)).await
    }

    /// Records every deal's current health (after a sync brought changes).
    pub(crate) async fn record_team_health(&self) -> Result<()> {
        self.write(|tx| {
            let now = now_millis();
            for d in team_deals(tx, now)? {
                health_history::record(tx, &snapshot(&d, now))?;
            }
            Ok(())
        })
        .await
    }

    /// Records one deal's health as just computed (the deal view shows it).
    pub(crate) async fn record_deal_health(
        &self,
        deal_id: String,
        score: u8,
        source: HealthSource,
    ) {
        let result = self
            .write(move |tx| {
                let Some(deal) = deals::find(tx, &deal_id)? else {
                    return Ok(false);
                };
                health_history::record(
                    tx,
                    &HealthSnapshot {
                        rep: rep_of(&deal),
                        deal_id,
                        at: now_millis(),
                        score,
                        source,
                        stage: deal.stage,
                        amount_cents: deal.amount_cents,
                    },
                )
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "health snapshot not recorded");
        }
    }
}
