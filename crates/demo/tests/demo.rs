use std::collections::{HashMap, HashSet};

use closer_demo::{bulk_content, bulk_leads, generate, DemoWorkspace, DEFAULT_SEED};
use closer_types::{
    is_iso_date, looks_like_email, ActivityKind, ContentKind, DealDraft, DealStage, LeadDraft,
    LeadStatus, ProposalStatus, Speaker,
};

/// 2026-03-02T15:04:05Z
const NOW: i64 = 1_772_463_845_000;

fn ws() -> DemoWorkspace {
    generate(DEFAULT_SEED, NOW)
}

const fn usd(d: i64) -> i64 {
    d * 100
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

#[test]
fn counts() {
    let w = ws();
    assert_eq!(w.battle_cards.len(), 8);
    assert_eq!(w.content.len(), 200);
    assert_eq!(w.leads.len(), 500);
    assert_eq!(w.deals.len(), 60);
    assert!(w.proposals.len() >= 5, "{} proposals", w.proposals.len());
    assert!(w.calls.len() >= 6, "{} calls", w.calls.len());
    assert!(w.activities.len() >= 60 * 3);
}

#[test]
fn deterministic() {
    let a = ws();
    let b = ws();
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(bulk_content(7, 300, NOW), bulk_content(7, 300, NOW));
    assert_eq!(bulk_leads(7, 300, NOW), bulk_leads(7, 300, NOW));
}

#[test]
fn seeds_and_now_matter() {
    let a = ws();
    let b = generate(DEFAULT_SEED + 1, NOW);
    assert_ne!(a.leads, b.leads);
    assert_ne!(a.content, b.content);
    assert_ne!(a.deals, b.deals);
    let c = generate(DEFAULT_SEED, NOW + 86_400_000);
    assert_ne!(a.leads[0].created_at, c.leads[0].created_at);
    assert_ne!(bulk_leads(1, 50, NOW), bulk_leads(2, 50, NOW));
}

#[test]
fn ids_are_unique_uuid_v7() {
    let w = ws();
    let mut ids = HashSet::new();
    let all = w
        .battle_cards
        .iter()
        .map(|x| (&x.id, x.created_at))
        .chain(w.content.iter().map(|x| (&x.id, x.created_at)))
        .chain(w.leads.iter().map(|x| (&x.id, x.created_at)))
        .chain(w.deals.iter().map(|x| (&x.id, x.created_at)))
        .chain(w.activities.iter().map(|x| (&x.id, x.at)))
        .chain(w.proposals.iter().map(|x| (&x.id, x.created_at)))
        .chain(w.calls.iter().map(|x| (&x.id, x.created_at)));
    for (id, at) in all {
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        let u = uuid::Uuid::parse_str(id).expect("a uuid");
        assert_eq!(u.get_version_num(), 7, "{id}");
        let (secs, nanos) = u.get_timestamp().expect("v7 has a timestamp").to_unix();
        assert_eq!(
            secs as i64 * 1000 + i64::from(nanos / 1_000_000),
            at,
            "{id}"
        );
    }
}

#[test]
fn references_hold() {
    let w = ws();
    let leads: HashMap<_, _> = w.leads.iter().map(|l| (l.id.as_str(), l)).collect();
    let deals: HashSet<_> = w.deals.iter().map(|d| d.id.as_str()).collect();
    let cards: HashSet<_> = w
        .battle_cards
        .iter()
        .map(|c| c.competitor.as_str())
        .collect();
    for d in &w.deals {
        let lead = leads
            .get(d.lead_id.as_deref().unwrap_or(""))
            .expect("deal's lead exists");
        let expected = match d.stage {
            DealStage::Discovery | DealStage::Qualification => LeadStatus::Qualified,
            DealStage::Proposal | DealStage::Negotiation => LeadStatus::Proposal,
            DealStage::ClosedWon => LeadStatus::Won,
            DealStage::ClosedLost => LeadStatus::Lost,
        };
        assert_eq!(lead.status, expected, "{}", d.name);
        assert!(d.created_at >= lead.created_at, "{}", d.name);
        for c in &d.competitors {
            assert!(cards.contains(c.as_str()), "no card for {c}");
        }
    }
    for a in &w.activities {
        assert!(deals.contains(a.deal_id.as_deref().unwrap_or("")));
    }
    for p in &w.proposals {
        assert!(deals.contains(p.deal_id.as_deref().unwrap_or("")));
        assert!(leads.contains_key(p.lead_id.as_deref().unwrap_or("")));
    }
    for c in &w.calls {
        assert!(deals.contains(c.deal_id.as_deref().unwrap_or("")));
        assert!(leads.contains_key(c.lead_id.as_deref().unwrap_or("")));
    }
}

#[test]
fn leads_are_valid_and_plausible() {
    let w = ws();
    let mut companies = HashSet::new();
    let mut domains = HashSet::new();
    let mut scored = 0;
    let mut by_status: HashMap<LeadStatus, usize> = HashMap::new();
    let mut alex = 0;
    for l in &w.leads {
        assert!(companies.insert(l.company.clone()), "dup {}", l.company);
        assert!(domains.insert(l.domain.clone()), "dup {:?}", l.domain);
        let draft = LeadDraft {
            company: l.company.clone(),
            domain: l.domain.clone(),
            industry: l.industry.clone(),
            employee_count: l.employee_count,
            contacts: l.contacts.clone(),
            source: l.source.clone(),
            status: l.status,
            owner: l.owner.clone(),
        };
        assert_eq!(draft.validate(), Ok(()), "{}", l.company);
        assert!((1..=3).contains(&l.contacts.len()));
        for c in &l.contacts {
            let e = c.email.as_deref().expect("email");
            assert!(looks_like_email(e), "{e}");
            assert!(e.ends_with(l.domain.as_deref().unwrap_or("?")));
            if let Some(p) = &c.phone {
                assert!(p.starts_with("+1 ") && p.contains(" 555 01"), "{p}");
            }
        }
        assert!(l.created_at <= l.updated_at && l.updated_at < NOW);
        assert!(l.created_at > NOW - 271 * 86_400_000);
        if let Some(s) = &l.score {
            scored += 1;
            let b = s.breakdown;
            let mean = (u32::from(b.budget)
                + u32::from(b.authority)
                + u32::from(b.need)
                + u32::from(b.timeline)) as f64
                / 4.0;
            assert!((f64::from(s.score) - mean).abs() <= 1.0, "{s:?}");
            assert!(s.score <= 100);
            assert!(s.rationale.as_deref().is_some_and(|r| !r.is_empty()));
        }
        *by_status.entry(l.status).or_default() += 1;
        if l.owner.as_deref() == Some("Alex Rivera") {
            alex += 1;
        }
    }
    assert!((300..=400).contains(&scored), "{scored} scored");
    assert_eq!(by_status.len(), 6, "{by_status:?}");
    assert!(alex > 100, "Alex owns {alex}");
    let sources: HashSet<_> = w.leads.iter().filter_map(|l| l.source.clone()).collect();
    assert_eq!(sources.len(), 7);
}

#[test]
fn deals_are_valid() {
    let w = ws();
    let mut stages = HashSet::new();
    let mut with_competitor = 0;
    for d in &w.deals {
        let draft = DealDraft {
            lead_id: d.lead_id.clone(),
            name: d.name.clone(),
            amount_cents: d.amount_cents,
            stage: d.stage,
            close_date: d.close_date.clone(),
            competitors: d.competitors.clone(),
            owner: d.owner.clone(),
            stakeholders: d.stakeholders.clone(),
        };
        assert_eq!(draft.validate(), Ok(()));
        let date = d.close_date.as_deref().expect("close date");
        assert!(is_iso_date(date), "{date}");
        let today = closer_demo::iso_date(NOW);
        if d.stage.is_open() {
            assert!(date >= today.as_str(), "{date} should be in the future");
            assert!(date <= closer_demo::iso_date(NOW + 121 * 86_400_000).as_str());
        } else {
            assert!(date < today.as_str(), "{date} should be past");
        }
        assert!(
            (usd(18_000)..=usd(420_000)).contains(&d.amount_cents),
            "{}",
            d.amount_cents
        );
        assert!(d.name.contains(" — "));
        assert!(
            (2..=4).contains(&d.stakeholders.len()),
            "{:?}",
            d.stakeholders
        );
        assert!(d
            .stakeholders
            .iter()
            .any(|s| s.role.as_deref() == Some("champion")));
        assert!(d.competitors.len() <= 2);
        if !d.competitors.is_empty() {
            with_competitor += 1;
        }
        stages.insert(d.stage);
        assert!(d.owner.is_some());
    }
    assert_eq!(stages.len(), 6);
    assert!(with_competitor >= 40, "{with_competitor}");
}

#[test]
fn timelines_are_ordered_and_past() {
    let w = ws();
    for d in &w.deals {
        let tl: Vec<_> = w
            .activities
            .iter()
            .filter(|a| a.deal_id.as_deref() == Some(d.id.as_str()))
            .collect();
        assert!((3..=10).contains(&tl.len()), "{} has {}", d.name, tl.len());
        for pair in tl.windows(2) {
            assert!(pair[0].at < pair[1].at, "{}", d.name);
        }
        for a in &tl {
            assert!(a.at < NOW && a.created_at <= NOW && a.at >= d.created_at);
            assert!(!a.body.is_empty());
        }
        if matches!(
            d.stage,
            DealStage::Proposal | DealStage::Negotiation | DealStage::ClosedWon
        ) {
            assert!(
                tl.iter().any(|a| a.kind == ActivityKind::ProposalSent),
                "{}",
                d.name
            );
        }
    }
}

#[test]
fn battle_cards_are_complete() {
    let w = ws();
    for c in &w.battle_cards {
        assert!((4..=6).contains(&c.our_strengths.len()), "{}", c.competitor);
        assert!(
            (4..=6).contains(&c.their_weaknesses.len()),
            "{}",
            c.competitor
        );
        assert!(
            (3..=5).contains(&c.key_differentiators.len()),
            "{}",
            c.competitor
        );
        assert!((5..=8).contains(&c.objections.len()), "{}", c.competitor);
        assert!(c.pricing_comparison.contains('$'));
        assert!(c.trigger_phrases.iter().any(|t| t == &c.competitor));
        assert!(c
            .trigger_phrases
            .iter()
            .any(|t| t.starts_with("we already use")));
        for o in &c.objections {
            assert!(!o.objection.is_empty() && words(&o.response) >= 12);
        }
    }
}

#[test]
fn content_library_is_searchable() {
    let w = ws();
    let mut titles = HashSet::new();
    let case_studies = w
        .content
        .iter()
        .filter(|c| c.kind == ContentKind::CaseStudy)
        .count();
    assert!((60..=80).contains(&case_studies), "{case_studies}");
    for c in &w.content {
        assert!(titles.insert(c.title.clone()), "dup title {}", c.title);
        let n = words(&c.body);
        assert!((150..=400).contains(&n), "{} has {n} words", c.title);
        assert!(!c.topics.is_empty() && !c.personas.is_empty());
        let s = c.stats;
        assert!(
            s.uses <= s.views.max(1)
                && s.deals_influenced <= s.uses
                && s.deals_won <= s.deals_influenced
        );
        assert!(c.created_at <= c.updated_at && c.updated_at <= NOW);
    }
    // "case studies for healthcare CFOs worried about ROI"
    let relevant = w
        .content
        .iter()
        .filter(|c| {
            c.kind == ContentKind::CaseStudy
                && c.industries.iter().any(|i| i == "Healthcare")
                && c.personas.iter().any(|p| p == "CFO")
                && c.topics
                    .iter()
                    .any(|t| matches!(t.as_str(), "ROI" | "payback" | "cost savings" | "TCO"))
        })
        .count();
    assert!(relevant >= 3, "{relevant} relevant items");
    let stale = w
        .content
        .iter()
        .filter(|c| c.body.contains("2022") || c.body.contains("2023"))
        .count();
    assert!((10..=60).contains(&stale), "{stale} stale items");
    let kinds: HashSet<_> = w.content.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 8);
    let industries: HashSet<_> = w
        .content
        .iter()
        .flat_map(|c| c.industries.clone())
        .collect();
    assert_eq!(industries.len(), 10);
}

#[test]
fn proposals_have_the_sections() {
    let w = ws();
    for p in &w.proposals {
        assert!(matches!(
            p.status,
            ProposalStatus::Draft | ProposalStatus::Sent
        ));
        let deal = w
            .deals
            .iter()
            .find(|d| Some(&d.id) == p.deal_id.as_ref())
            .expect("deal");
        assert!(matches!(
            deal.stage,
            DealStage::Proposal | DealStage::Negotiation
        ));
        for h in [
            "## Executive summary",
            "## Your challenges",
            "## Proposed solution",
            "## Why Lumora vs ",
            "## Pricing table",
            "## Timeline",
            "## Next steps",
        ] {
            assert!(p.body.contains(h), "{} lacks {h}", p.title);
        }
        assert!(p.body.contains("| Item |"));
    }
}

#[test]
fn calls_have_transcripts_and_analysis() {
    let w = ws();
    let triggers: Vec<String> = w
        .battle_cards
        .iter()
        .flat_map(|c| c.trigger_phrases.iter().map(|t| t.to_lowercase()))
        .collect();
    for c in &w.calls {
        assert!(
            (20..=40).contains(&c.segments.len()),
            "{}",
            c.segments.len()
        );
        for pair in c.segments.windows(2) {
            assert!(pair[0].end_ms <= pair[1].start_ms);
            assert_ne!(pair[0].speaker, pair[1].speaker, "speakers alternate");
        }
        for s in &c.segments {
            assert!(s.start_ms < s.end_ms);
            assert_ne!(s.speaker, Speaker::Unknown);
        }
        let a = c.analysis.as_ref().expect("analysis");
        assert!((-1.0..=1.0).contains(&a.sentiment));
        assert!(!a.summary.is_empty() && !a.topics.is_empty() && !a.next_actions.is_empty());
        assert!(!a.objections.is_empty());
        assert!(a
            .follow_up_email
            .as_deref()
            .is_some_and(|e| e.contains("Subject:")));
        let ended = c.ended_at.expect("ended");
        assert!(c.started_at < ended && ended < NOW);
        let text: String = c
            .segments
            .iter()
            .filter(|s| s.speaker == Speaker::Prospect)
            .map(|s| s.text.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            triggers.iter().any(|t| text.contains(t.as_str())),
            "{}",
            c.title
        );
    }
}

#[test]
fn bulk_rows_are_unique_varied_and_fast() {
    let t = std::time::Instant::now();
    let content = bulk_content(42, 20_000, NOW);
    let content_took = t.elapsed();
    let t = std::time::Instant::now();
    let leads = bulk_leads(42, 100_000, NOW);
    let leads_took = t.elapsed();
    eprintln!("bulk_content(20_000): {content_took:?}, bulk_leads(100_000): {leads_took:?}");

    assert_eq!(content.len(), 20_000);
    let ids: HashSet<_> = content.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), content.len());
    let titles: HashSet<_> = content.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles.len(), content.len());
    let bodies: HashSet<_> = content.iter().map(|c| c.body.as_str()).collect();
    assert!(bodies.len() > 19_900);
    for c in content.iter().step_by(97) {
        assert!((150..=400).contains(&words(&c.body)), "{}", c.title);
    }

    assert_eq!(leads.len(), 100_000);
    let companies: HashSet<_> = leads.iter().map(|l| l.company.as_str()).collect();
    assert_eq!(companies.len(), leads.len());
    let domains: HashSet<_> = leads.iter().map(|l| l.domain.as_deref()).collect();
    assert_eq!(domains.len(), leads.len());
    let numbered = leads
        .iter()
        .filter(|l| l.company.ends_with(|c: char| c.is_ascii_digit()))
        .count();
    assert!(numbered < 5_000, "{numbered} numbered company names");
    for l in leads.iter().step_by(13) {
        assert_eq!(l.validate(), Ok(()), "{}", l.company);
    }
    let statuses: HashSet<_> = leads.iter().map(|l| l.status).collect();
    assert_eq!(statuses.len(), 6);
}

#[test]
fn other_seeds_and_times_hold_the_same_shape() {
    for (seed, now) in [(0, NOW), (1, 1_700_000_000_000), (99, 1_900_000_000_000)] {
        let w = generate(seed, now);
        assert_eq!(
            (w.content.len(), w.leads.len(), w.deals.len()),
            (200, 500, 60)
        );
        assert!(w.proposals.len() >= 5 && w.calls.len() >= 6);
        for d in &w.deals {
            assert!((usd(18_000)..=usd(420_000)).contains(&d.amount_cents));
            assert!(is_iso_date(d.close_date.as_deref().unwrap_or("")));
        }
        for c in &w.calls {
            assert!((20..=40).contains(&c.segments.len()));
            assert!(c.ended_at.is_some_and(|e| e < now));
        }
        for a in &w.activities {
            assert!(a.at < now);
        }
        for c in &w.content {
            assert!((150..=400).contains(&words(&c.body)), "{}", c.title);
        }
    }
}
