//! Deals on the leads furthest along, with stakeholders and a timeline of activities.

use closer_types::{
    Activity, ActivityKind, Contact, Deal, DealStage, Lead, LeadStatus, Stakeholder,
};

use crate::battle_cards::CARDS;
use crate::names;
use crate::util::{dollars, iso_date, usd, Gen, DAY, HOUR, MINUTE};

/// How many deals sit in each stage.
pub const STAGE_PLAN: &[(DealStage, usize)] = &[
    (DealStage::Discovery, 9),
    (DealStage::Qualification, 11),
    (DealStage::Proposal, 12),
    (DealStage::Negotiation, 9),
    (DealStage::ClosedWon, 11),
    (DealStage::ClosedLost, 8),
];

pub fn lead_status(stage: DealStage) -> LeadStatus {
    match stage {
        DealStage::Discovery | DealStage::Qualification => LeadStatus::Qualified,
        DealStage::Proposal | DealStage::Negotiation => LeadStatus::Proposal,
        DealStage::ClosedWon => LeadStatus::Won,
        DealStage::ClosedLost => LeadStatus::Lost,
    }
}

/// What the rest of the demo needs to know about a deal beyond its fields.
pub struct DealCtx {
    pub lead: usize,
    pub seats: i64,
    pub product: &'static str,
    /// Per seat per month, in dollars.
    pub seat_price: i64,
    /// One-time implementation fee, in cents.
    pub impl_fee: i64,
}

const PRODUCTS: &[(&str, i64)] = &[
    ("Forecast Enterprise", 95),
    ("Forecast Enterprise", 95),
    ("Forecast Growth", 65),
    ("Forecast + Signals", 125),
    ("Forecast + Signals", 125),
    ("Signals Add-on", 30),
];

/// A time in `lo..=hi`, or `lo` if the range is empty.
fn within(g: &mut Gen, lo: i64, hi: i64) -> i64 {
    g.between(lo, hi.max(lo))
}

fn role_of(title: &str) -> &'static str {
    let t = title.to_lowercase();
    if t.contains("financ") || t.contains("cfo") {
        "economic_buyer"
    } else if t.contains("security")
        || t.contains("ciso")
        || t.contains("procurement")
        || t.contains("sourcing")
    {
        "blocker"
    } else if t.contains("revenue officer")
        || t.contains("cro")
        || t.contains("ceo")
        || t.contains("president")
        || t.contains("executive")
    {
        "decision_maker"
    } else if t.contains("information")
        || t.contains("technology")
        || t.contains("engineering")
        || t.contains("cio")
        || t.contains("cto")
    {
        "influencer"
    } else if t.contains("analyst") {
        "user"
    } else {
        "champion"
    }
}

fn stakeholders(g: &mut Gen, contacts: &[Contact]) -> Vec<Stakeholder> {
    let mut out: Vec<Stakeholder> = contacts
        .iter()
        .map(|c| Stakeholder {
            name: c.name.clone(),
            title: c.title.clone(),
            role: Some(role_of(c.title.as_deref().unwrap_or("")).to_string()),
        })
        .collect();
    let has = |out: &[Stakeholder], r: &str| out.iter().any(|s| s.role.as_deref() == Some(r));
    let add = |g: &mut Gen, out: &mut Vec<Stakeholder>, role: &str, persona: &str| {
        let (f, l) = names::person(g);
        out.push(Stakeholder {
            name: format!("{f} {}", names::display_last(l)),
            title: Some(g.pick(names::titles_for(persona)).to_string()),
            role: Some(role.to_string()),
        });
    };
    if !has(&out, "champion") {
        let p = *g.pick(&["VP Sales", "RevOps Manager", "Head of Operations"]);
        add(g, &mut out, "champion", p);
    }
    if !has(&out, "economic_buyer") && out.len() < 4 {
        let p = *g.pick(&["CFO", "CFO", "CRO"]);
        add(g, &mut out, "economic_buyer", p);
    }
    if out.len() < 4 && g.chance(0.4) {
        let (role, persona) = *g.pick(&[
            ("user", "RevOps Manager"),
            ("blocker", "CISO"),
            ("blocker", "Procurement"),
            ("influencer", "CIO"),
        ]);
        add(g, &mut out, role, persona);
    }
    out.truncate(4);
    out
}

fn name_by_role<'a>(st: &'a [Stakeholder], role: &str) -> &'a str {
    st.iter()
        .find(|s| s.role.as_deref() == Some(role))
        .or_else(|| st.first())
        .map(|s| s.name.as_str())
        .unwrap_or("the champion")
}

fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

struct Story<'a> {
    lead: &'a Lead,
    deal: &'a Deal,
    ctx: &'a DealCtx,
}

/// The timeline's entries in order, before they get times.
fn script(g: &mut Gen, s: &Story) -> Vec<(ActivityKind, String)> {
    use ActivityKind::*;
    let deal = s.deal;
    let champ = name_by_role(&deal.stakeholders, "champion");
    let econ = name_by_role(&deal.stakeholders, "economic_buyer");
    let comp = deal
        .competitors
        .first()
        .map(String::as_str)
        .unwrap_or("their spreadsheet process");
    let company = s.lead.company.as_str();
    let source = s.lead.source.as_deref().unwrap_or("Website");
    let miss = g.int(9, 27);
    let amount = dollars(deal.amount_cents);
    let mut out: Vec<(ActivityKind, String)> = Vec::new();
    out.push((
        Note,
        g.pick(&[
            format!("New opportunity from {source}. {champ} wants to replace a spreadsheet forecast that missed last quarter by {miss}%."),
            format!("{champ} replied to outbound sequence: forecasting at {company} takes two days every week and leadership doesn't trust it."),
            format!("Met {champ} via {source}. Pain: forecast misses of ~{miss}% and no view of deal risk. Currently looking at {comp}."),
        ])
        .clone(),
    ));
    out.push((
        Meeting,
        format!(
            "Discovery call with {champ}. {} sellers, forecast built in Excel from CRM exports, {} mentioned as an alternative. Agreed to a demo with the wider team.",
            s.ctx.seats, comp
        ),
    ));
    let stage_rank = |st: DealStage| match st {
        DealStage::Discovery => 0,
        DealStage::Qualification => 1,
        DealStage::Proposal => 2,
        DealStage::Negotiation => 3,
        DealStage::ClosedWon => 4,
        DealStage::ClosedLost => 4,
    };
    let reached = match deal.stage {
        DealStage::ClosedLost => g.int(1, 3),
        st => stage_rank(st),
    };
    let mut extras: Vec<(ActivityKind, String)> = vec![
        (Email, format!("Sent {champ} the {} case study and the ROI calculator ahead of the demo.", s.lead.industry.as_deref().unwrap_or("industry"))),
        (Task, format!("Follow up with {} on the security questionnaire.", first_name(champ))),
        (Note, format!("{champ} says {econ} will want a three-year TCO against {comp} before any commitment.")),
        (Call, format!("Check-in call with {}: internal champion building the business case, target decision before {}.", first_name(champ), deal.close_date.as_deref().unwrap_or("quarter end"))),
    ];
    g.shuffle(&mut extras);
    if reached >= 1 {
        out.push((
            StageChange,
            "Stage changed: Discovery → Qualification".into(),
        ));
        out.push((
            Meeting,
            format!("Demo for {} people including {econ}. Strong reaction to deal-risk signals; questions on integration with the CRM and data security.", g.int(3, 9)),
        ));
    }
    if reached >= 2 {
        out.push((
            StageChange,
            "Stage changed: Qualification → Proposal".into(),
        ));
        out.push((
            ProposalSent,
            format!("Proposal sent to {econ}: {} seats of Lumora {} at ${}/seat/month plus {} fixed-fee implementation, {amount} in year one.", s.ctx.seats, s.ctx.product, s.ctx.seat_price, dollars(s.ctx.impl_fee)),
        ));
    }
    if reached >= 3 {
        out.push((StageChange, "Stage changed: Proposal → Negotiation".into()));
        out.push((
            Email,
            format!("Procurement asked for {}% off and annual payment terms. Countered with 3-year term and a 3% renewal cap.", g.int(10, 20)),
        ));
    }
    match deal.stage {
        DealStage::ClosedWon => out.push((
            StageChange,
            format!("Stage changed: Negotiation → Closed won. Signed {amount}; kickoff booked with {champ}."),
        )),
        DealStage::ClosedLost => {
            let why = g
                .pick(&[
                    format!("went with {comp} on price"),
                    "budget frozen for the rest of the year".to_string(),
                    "decided to keep the spreadsheet process after a reorg".to_string(),
                    format!("{econ} chose to extend the {comp} contract"),
                ])
                .clone();
            out.push((StageChange, format!("Stage changed: {} → Closed lost. Reason: {why}.", ["Discovery", "Qualification", "Proposal", "Negotiation"][reached.clamp(0, 3) as usize])));
        }
        _ => {}
    }
    let target = g.usize(3, 10).max(out.len());
    let keep_last = !deal.stage.is_open();
    let last = if keep_last { out.pop() } else { None };
    for e in extras {
        if out.len() + usize::from(last.is_some()) >= target {
            break;
        }
        let at = g.usize(2.min(out.len()), out.len());
        out.insert(at, e);
    }
    out.extend(last);
    out.truncate(10);
    out
}

pub fn generate(
    g: &mut Gen,
    now: i64,
    leads: &[Lead],
    plan: &[(usize, DealStage)],
) -> (Vec<Deal>, Vec<Activity>, Vec<DealCtx>) {
    let mut deals = Vec::new();
    let mut activities = Vec::new();
    let mut ctxs = Vec::new();
    for &(li, stage) in plan {
        let Some(lead) = leads.get(li) else { continue };
        let employees = lead.employee_count.unwrap_or(200);
        let (product, seat_price) = *g.pick(PRODUCTS);
        let seats = (employees as f64 * (0.02 + 0.06 * g.float()))
            .round()
            .clamp(12.0, 350.0) as i64;
        let impl_fee = match (product, seats) {
            (_, 151..) => usd(25_000),
            ("Forecast Growth", _) => usd(8_000),
            _ => usd(12_000),
        };
        // Year one = licences + implementation, kept within $18K-$420K by adjusting seats.
        let per_seat_year = usd(seat_price * 12);
        let min_seats = (usd(18_000) - impl_fee + per_seat_year - 1) / per_seat_year;
        let max_seats = (usd(420_000) - impl_fee) / per_seat_year;
        let seats = seats.clamp(min_seats, max_seats);
        let amount = seats * per_seat_year + impl_fee;
        let open = stage.is_open();
        let start = lead.created_at + g.int(1, 10) * DAY;
        let (created_at, close_ms) = if open {
            let created = within(g, start.min(now - 6 * DAY), now - 5 * DAY);
            let (lo, hi) = match stage {
                DealStage::Negotiation => (2, 30),
                DealStage::Proposal => (10, 60),
                DealStage::Qualification => (25, 95),
                _ => (40, 120),
            };
            (created, now + g.int(lo, hi) * DAY)
        } else {
            let created = within(g, start.min(now - 40 * DAY), now - 35 * DAY);
            let close = within(g, created + 21 * DAY, now - DAY);
            (created, close)
        };
        let competitors: Vec<String> = match g.weighted(&[15, 70, 15]) {
            0 => vec![],
            1 => vec![g.pick(CARDS).competitor.to_string()],
            _ => {
                let names: Vec<&str> = CARDS.iter().map(|c| c.competitor).collect();
                g.sample(&names, 2).iter().map(|c| c.to_string()).collect()
            }
        };
        let product_name: &'static str = product;
        let mut deal = Deal {
            id: g.id(created_at),
            lead_id: Some(lead.id.clone()),
            name: format!("{} — {}", lead.company, product_name),
            amount_cents: amount,
            stage,
            close_date: Some(iso_date(close_ms)),
            competitors,
            owner: lead.owner.clone(),
            stakeholders: stakeholders(g, &lead.contacts),
            created_at,
            updated_at: created_at,
        };
        let ctx = DealCtx {
            lead: li,
            seats,
            product: product_name,
            seat_price,
            impl_fee,
        };
        let steps = script(
            g,
            &Story {
                lead,
                deal: &deal,
                ctx: &ctx,
            },
        );
        let end = if open {
            now - HOUR
        } else {
            close_ms.min(now - HOUR)
        };
        let mut times: Vec<i64> = (0..steps.len())
            .map(|_| within(g, created_at, end))
            .collect();
        times.sort_unstable();
        if let Some(t) = times.first_mut() {
            *t = created_at;
        }
        if !open {
            if let Some(t) = times.last_mut() {
                *t = end;
            }
        }
        for i in 1..times.len() {
            if times[i] <= times[i - 1] {
                times[i] = times[i - 1] + MINUTE;
            }
        }
        for ((kind, body), at) in steps.into_iter().zip(times) {
            let written = at + g.int(0, 90) * MINUTE;
            activities.push(Activity {
                id: g.id(at),
                deal_id: Some(deal.id.clone()),
                lead_id: Some(lead.id.clone()),
                kind,
                body,
                author: deal.owner.clone(),
                at,
                created_at: written.min(now),
                updated_at: written.min(now),
            });
            deal.updated_at = deal.updated_at.max(written.min(now));
        }
        deals.push(deal);
        ctxs.push(ctx);
    }
    (deals, activities, ctxs)
}
