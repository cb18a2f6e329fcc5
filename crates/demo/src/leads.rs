//! Leads: companies, their contacts, and BANT scores.

use closer_types::{Contact, Lead, LeadDraft, LeadScore, LeadStatus, ScoreBreakdown};

use crate::names::{self, CompanyNamer, INDUSTRIES, PERSONAS};
use crate::util::{slug, Gen, DAY};

/// The sales team; Alex Rivera is the demo user.
pub const OWNERS: &[&str] = &[
    "Alex Rivera",
    "Priya Nair",
    "Marcus Chen",
    "Jordan Okafor",
    "Sofia Lindqvist",
];
const OWNER_WEIGHTS: &[u32] = &[32, 17, 17, 17, 17];

pub const SOURCES: &[&str] = &[
    "Website",
    "Webinar",
    "Referral",
    "Trade show",
    "Outbound",
    "Partner",
    "Salesforce import",
];
const SOURCE_WEIGHTS: &[u32] = &[24, 14, 10, 10, 22, 8, 12];

/// Who we usually talk to first, by weight (same order as [`PERSONAS`]).
const PERSONA_WEIGHTS: &[u32] = &[14, 8, 6, 18, 12, 10, 5, 5, 6, 16];

pub fn owner(g: &mut Gen) -> &'static str {
    OWNERS[g.weighted(OWNER_WEIGHTS)]
}

fn employee_count(g: &mut Gen) -> i64 {
    let raw = g.log_uniform(12.0, 80_000.0) as i64;
    let step = match raw {
        0..=99 => 1,
        100..=999 => 10,
        1000..=9999 => 50,
        _ => 500,
    };
    (raw / step * step).max(5)
}

/// A contact at `domain` with a persona-appropriate title.
pub fn contact(g: &mut Gen, domain: &str, email_style: usize, persona: &str) -> Contact {
    let (first, last) = names::person(g);
    let (f, l) = (slug(first), slug(last));
    let local = match email_style {
        0 => format!("{f}.{l}"),
        1 => format!("{}{l}", &f[..1.min(f.len())]),
        2 => f.clone(),
        _ => format!("{f}_{l}"),
    };
    Contact {
        name: format!("{first} {}", names::display_last(last)),
        title: Some(g.pick(names::titles_for(persona)).to_string()),
        email: Some(format!("{local}@{domain}")),
        phone: if g.chance(0.8) {
            Some(names::phone(g))
        } else {
            None
        },
    }
}

fn contacts(g: &mut Gen, domain: &str) -> Vec<Contact> {
    let n = [1, 1, 2, 2, 2, 3][g.usize(0, 5)];
    let style = g.usize(0, 3);
    let mut personas: Vec<&str> = Vec::new();
    while personas.len() < n {
        let p = PERSONAS[g.weighted(PERSONA_WEIGHTS)];
        if !personas.contains(&p) {
            personas.push(p);
        }
    }
    personas
        .into_iter()
        .map(|p| contact(g, domain, style, p))
        .collect()
}

/// One lead's editable fields. `status` of `None` draws a plausible one.
pub fn draft(g: &mut Gen, namer: &mut CompanyNamer, status: Option<LeadStatus>) -> LeadDraft {
    let industry = *g.pick(INDUSTRIES);
    let (company, domain) = namer.next(g, industry);
    let status = status.unwrap_or_else(|| {
        [
            LeadStatus::New,
            LeadStatus::Contacted,
            LeadStatus::Qualified,
            LeadStatus::Lost,
        ][g.weighted(&[38, 34, 16, 12])]
    });
    LeadDraft {
        contacts: contacts(g, &domain),
        company,
        domain: Some(domain),
        industry: Some(industry.to_string()),
        employee_count: Some(employee_count(g)),
        source: Some(SOURCES[g.weighted(SOURCE_WEIGHTS)].to_string()),
        status,
        owner: Some(owner(g).to_string()),
    }
}

const BUDGET: [&str; 3] = [
    "budget approved for this fiscal year",
    "budget exists but is not yet allocated",
    "no budget identified",
];
const AUTHORITY: [&str; 3] = [
    "economic buyer engaged",
    "champion has access to the decision maker",
    "only talking to an individual contributor",
];
const NEED: [&str; 3] = [
    "forecast misses are hurting board reporting",
    "forecasting is manual but tolerated",
    "no clear pain with the current process",
];
const TIMELINE: [&str; 3] = [
    "wants to go live this quarter",
    "evaluating for next half",
    "no timeline",
];

fn band(v: u8) -> usize {
    match v {
        70..=100 => 0,
        40..=69 => 1,
        _ => 2,
    }
}

/// A score whose breakdown averages to it, with a rationale naming its best and worst parts.
pub fn score(g: &mut Gen, status: LeadStatus, scored_at: i64) -> LeadScore {
    let base: i64 = match status {
        LeadStatus::New => 34,
        LeadStatus::Contacted => 48,
        LeadStatus::Qualified => 66,
        LeadStatus::Proposal => 76,
        LeadStatus::Won => 84,
        LeadStatus::Lost => 38,
    };
    let base = base + g.int(-12, 12);
    let mut parts = [0u8; 4];
    for p in parts.iter_mut() {
        *p = (base + g.int(-22, 22)).clamp(0, 100) as u8;
    }
    let sum: u32 = parts.iter().map(|&p| u32::from(p)).sum();
    let total = ((sum + 2) / 4) as u8;
    let texts = [&BUDGET, &AUTHORITY, &NEED, &TIMELINE];
    let (mut hi, mut lo) = (0, 0);
    for i in 1..4 {
        if parts[i] > parts[hi] {
            hi = i;
        }
        if parts[i] < parts[lo] {
            lo = i;
        }
    }
    let strong = texts[hi][band(parts[hi])];
    let weak = texts[lo][band(parts[lo])];
    let mut rationale = format!("{}; {}.", capitalize(strong), weak);
    if hi == lo {
        rationale = format!("{}.", capitalize(strong));
    }
    LeadScore {
        score: total,
        breakdown: ScoreBreakdown {
            budget: parts[0],
            authority: parts[1],
            need: parts[2],
            timeline: parts[3],
        },
        rationale: Some(rationale),
        scored_at,
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `statuses[i]` forces the status of lead `i` (leads that carry a deal).
pub fn generate(
    g: &mut Gen,
    now: i64,
    statuses: &[Option<LeadStatus>],
    owners: &[Option<&str>],
    reserved: &[&str],
) -> Vec<Lead> {
    let mut namer = CompanyNamer::default();
    namer.reserve(reserved);
    statuses
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let mut d = draft(g, &mut namer, *status);
            if let Some(Some(o)) = owners.get(i) {
                d.owner = Some(o.to_string());
            }
            let oldest = if status.is_some() { 60 } else { 1 };
            let created_at = now - g.int(oldest, 270) * DAY + g.int(0, DAY / 2);
            let updated_at = g.between(created_at, now - 1);
            let scored = status.is_some() || g.chance(0.66);
            let score = if scored {
                let at = g.between(created_at, updated_at);
                Some(score(g, d.status, at))
            } else {
                None
            };
            Lead {
                id: g.id(created_at),
                company: d.company,
                domain: d.domain,
                industry: d.industry,
                employee_count: d.employee_count,
                contacts: d.contacts,
                source: d.source,
                status: d.status,
                owner: d.owner,
                score,
                created_at,
                updated_at,
            }
        })
        .collect()
}

/// Many lead drafts, all with different companies and domains.
pub fn bulk(g: &mut Gen, n: usize) -> Vec<LeadDraft> {
    let mut namer = CompanyNamer::default();
    (0..n)
        .map(|_| {
            let status = [
                LeadStatus::New,
                LeadStatus::Contacted,
                LeadStatus::Qualified,
                LeadStatus::Proposal,
                LeadStatus::Won,
                LeadStatus::Lost,
            ][g.weighted(&[34, 28, 14, 7, 7, 10])];
            draft(g, &mut namer, Some(status))
        })
        .collect()
}
