//! Proposals in markdown, on deals in the proposal and negotiation stages.

use closer_types::{Activity, ActivityKind, Deal, DealStage, Lead, Proposal, ProposalStatus};

use crate::battle_cards;
use crate::deals::DealCtx;
use crate::util::{dollars, iso_date, Gen, DAY, HOUR};

fn stakeholder<'a>(deal: &'a Deal, role: &str) -> (&'a str, &'a str) {
    deal.stakeholders
        .iter()
        .find(|s| s.role.as_deref() == Some(role))
        .or_else(|| deal.stakeholders.first())
        .map(|s| (s.name.as_str(), s.title.as_deref().unwrap_or("")))
        .unwrap_or(("", ""))
}

fn body(g: &mut Gen, deal: &Deal, lead: &Lead, ctx: &DealCtx, at: i64) -> String {
    let (econ, econ_title) = stakeholder(deal, "economic_buyer");
    let (champ, _) = stakeholder(deal, "champion");
    let owner = deal.owner.as_deref().unwrap_or("Alex Rivera");
    let industry = lead.industry.as_deref().unwrap_or("your industry");
    let comp = deal.competitors.first().and_then(|c| battle_cards::spec(c));
    let seats = ctx.seats;
    let seat = ctx.seat_price * 100;
    let license = seats * seat * 12;
    let impl_fee = ctx.impl_fee;
    let year_one = license + impl_fee;
    let accuracy_now = g.int(62, 78);
    let miss = 100 - accuracy_now;
    let mut s = String::new();
    s.push_str(&format!(
        "# Proposal: Lumora {} for {}\n\n",
        ctx.product, lead.company
    ));
    s.push_str(&format!(
        "Prepared for {econ}, {econ_title} · Prepared by {owner}, Lumora · {}\n\n",
        iso_date(at)
    ));
    s.push_str("## Executive summary\n\n");
    s.push_str(&format!(
        "{} runs a {seats}-seller revenue team whose forecast is assembled by hand each week and was only {accuracy_now}% accurate last quarter. \
Lumora {} replaces that process with an explainable, continuously updated forecast, so leadership can commit to a number and act on risk weeks earlier. \
Based on comparable {industry} customers, we expect forecast accuracy above 90% by the second quarter and a payback period of {} months.\n\n",
        lead.company,
        ctx.product,
        g.int(4, 8)
    ));
    s.push_str("## Your challenges\n\n");
    s.push_str(&format!(
        "- The quarterly forecast missed by about {miss}%, and the board now asks for a weekly commit.\n\
- Managers spend {} hours a week reconciling CRM exports in spreadsheets.\n\
- Deal risk (stalled or single-threaded deals) surfaces only in the last weeks of the quarter.\n\
- {champ} needs one view of pipeline across teams without adding analyst headcount.\n\n",
        g.int(4, 12)
    ));
    s.push_str("## Proposed solution\n\n");
    s.push_str(&format!(
        "- **Lumora Forecast** for {seats} sellers and their managers: ML forecast by team, segment and product, with drivers in plain language.\n\
- **Lumora Signals**: alerts on deals that go quiet, lose a champion or slip their close date.\n\
- **Lumora Connect**: two-way sync with your CRM every 5 minutes, plus calendar and email activity.\n\
- A named solutions architect and a fixed-fee implementation.\n\n"
    ));
    match comp {
        Some(c) => {
            s.push_str(&format!("## Why Lumora vs {}\n\n", c.competitor));
            for d in c.differentiators.iter().take(3) {
                s.push_str(&format!("- {d}\n"));
            }
            for w in c.weaknesses.iter().take(2) {
                s.push_str(&format!(
                    "- With {}: {}\n",
                    c.competitor,
                    lowercase_first(w)
                ));
            }
            s.push_str(&format!("\n{}\n\n", c.pricing));
        }
        None => {
            s.push_str("## Why Lumora vs the spreadsheet process\n\n");
            s.push_str("- No weekly rebuild: the forecast updates itself from the CRM.\n- Explainable changes instead of version-control by email.\n- Deal-risk alerts that a spreadsheet cannot produce.\n\n");
        }
    }
    s.push_str("## Pricing table\n\n");
    s.push_str("| Item | Quantity | Unit price | Annual |\n|---|---:|---:|---:|\n");
    s.push_str(&format!(
        "| Lumora {} | {seats} seats | {}/seat/month | {} |\n",
        ctx.product,
        dollars(seat),
        dollars(license)
    ));
    s.push_str(&format!(
        "| Implementation (fixed fee, one-time) | 1 | {} | {} |\n",
        dollars(impl_fee),
        dollars(impl_fee)
    ));
    s.push_str(&format!(
        "| **Year one total** | | | **{}** |\n\n",
        dollars(year_one)
    ));
    s.push_str("Prices in USD, billed annually. Renewal increases capped at 3% per year.\n\n");
    s.push_str("## Timeline\n\n");
    s.push_str(&format!(
        "| Week | Milestone |\n|---|---|\n| 1 | Kickoff, CRM connection and security review with your team |\n| 2-3 | Data validation, forecast back-test on your last four quarters |\n| 4 | Manager training; first forecast call in Lumora |\n| 5-6 | Rollout to all {seats} sellers; Signals alerts on |\n| 8 | Executive review of accuracy against the back-test |\n\n"
    ));
    s.push_str("## Next steps\n\n");
    s.push_str(&format!(
        "1. {econ} and {champ} review this proposal by {}.\n2. Security questionnaire and SOC 2 Type II report shared with your security team.\n3. Order form and MSA sent for signature; target kickoff {}.\n",
        iso_date(at + 7 * DAY),
        deal.close_date.as_deref().unwrap_or("next month")
    ));
    s
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub fn generate(
    g: &mut Gen,
    now: i64,
    deals: &[Deal],
    ctxs: &[DealCtx],
    leads: &[Lead],
    activities: &[Activity],
) -> Vec<Proposal> {
    let mut candidates: Vec<usize> = (0..deals.len())
        .filter(|&i| matches!(deals[i].stage, DealStage::Proposal | DealStage::Negotiation))
        .collect();
    // The demo user's deals and deals with a competitor first.
    candidates.sort_by_key(|&i| {
        (
            deals[i].owner.as_deref() != Some("Alex Rivera"),
            deals[i].competitors.is_empty(),
            i,
        )
    });
    candidates
        .into_iter()
        .take(6)
        .enumerate()
        .filter_map(|(n, i)| {
            let deal = &deals[i];
            let ctx = ctxs.get(i)?;
            let lead = leads.get(ctx.lead)?;
            let sent_at = activities
                .iter()
                .find(|a| {
                    a.deal_id.as_deref() == Some(deal.id.as_str())
                        && a.kind == ActivityKind::ProposalSent
                })
                .map(|a| a.at);
            let status = if n % 3 == 2 {
                ProposalStatus::Draft
            } else {
                ProposalStatus::Sent
            };
            let created_at = match sent_at {
                Some(t) => t - g.int(2, 48) * HOUR,
                None => g.between(deal.created_at, now - HOUR),
            }
            .max(deal.created_at);
            let updated_at = match (status, sent_at) {
                (ProposalStatus::Sent, Some(t)) => t,
                _ => g.between(created_at, now - HOUR),
            }
            .max(created_at);
            Some(Proposal {
                id: g.id(created_at),
                deal_id: Some(deal.id.clone()),
                lead_id: Some(lead.id.clone()),
                title: format!("{} — Lumora {} proposal", lead.company, ctx.product),
                body: body(g, deal, lead, ctx, created_at),
                status,
                version: g.int(1, 4) as u32,
                created_at,
                updated_at,
            })
        })
        .collect()
}
