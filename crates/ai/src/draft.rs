//! A complete proposal first draft assembled on the laptop from the content library, the
//! battle card and the deal: no network, deterministic, instant.
//!
//! Sections: title, executive summary, the challenge, proposed solution, customer results
//! (1-3 case studies), why us over the deal's competitor, investment, next steps. Case
//! studies are ranked by [`case_study_match`]: same industry as the lead (+3), written for a
//! persona the buyer has (+2, personas read from the stakeholders' and contacts' titles),
//! mentioning the deal's competitor (+1); ties go to the study that influenced the most won
//! deals. Each chosen study says why it was chosen. Internal material never enters the
//! draft: no competitor weaknesses (only our strengths and differentiators) and no
//! discount guidance from pricing sheets.

use std::fmt::Write as _;

use closer_types::{ContentItem, ContentKind};

use crate::brand::guideline_line;
use crate::context::ProposalContext;
use crate::prompt::{money, thousands};
use crate::text::{one_line, scrub, truncate};

/// The buyer persona a job title belongs to (the personas content is tagged with).
pub(crate) fn persona_of(title: &str) -> Option<&'static str> {
    let t = title.to_lowercase();
    let has = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    let rules: [(bool, &str); 10] = [
        (
            t.contains("revenue operations") || has("revops"),
            "RevOps Manager",
        ),
        (has("cfo") || t.contains("financ"), "CFO"),
        (
            has("cro") || t.contains("revenue officer") || t.contains("svp revenue"),
            "CRO",
        ),
        (has("ciso") || t.contains("security"), "CISO"),
        (has("cio") || t.contains("information"), "CIO"),
        (
            has("cto") || t.contains("technology") || t.contains("engineering"),
            "CTO",
        ),
        (
            has("ceo")
                || t.contains("chief executive")
                || t.contains("president")
                || t.contains("founder"),
            "CEO",
        ),
        (
            t.contains("procurement") || t.contains("sourcing"),
            "Procurement",
        ),
        (has("coo") || t.contains("operations"), "Head of Operations"),
        (t.contains("sales"), "VP Sales"),
    ];
    rules.into_iter().find(|(hit, _)| *hit).map(|(_, p)| p)
}

/// Why a case study fits: its points and the reasons to print.
pub(crate) fn case_study_match(
    item: &ContentItem,
    industry: Option<&str>,
    personas: &[&str],
    competitor: Option<&str>,
) -> (u32, Vec<String>) {
    let mut points = 0;
    let mut why = Vec::new();
    if let Some(ind) = industry {
        if let Some(hit) = item.industries.iter().find(|x| x.eq_ignore_ascii_case(ind)) {
            points += 3;
            why.push(format!("same industry ({hit})"));
        }
    }
    let hits: Vec<&String> = item
        .personas
        .iter()
        .filter(|p| personas.iter().any(|q| p.eq_ignore_ascii_case(q)))
        .collect();
    if !hits.is_empty() {
        points += 2;
        let names: Vec<&str> = hits.iter().map(|s| s.as_str()).collect();
        why.push(format!(
            "written for the {} your team includes",
            names.join(" and ")
        ));
    }
    if let Some(c) = competitor {
        if item.body.contains(c) {
            points += 1;
            why.push(format!("the customer also weighed {c}"));
        }
    }
    (points, why)
}

/// Paragraphs of a content body (blank-line separated, else the whole body).
fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Sentences of a paragraph (split after `. `, `! `, `? `).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        if matches!(c, '.' | '!' | '?') && chars.peek().is_none_or(|n| n.is_whitespace()) {
            let s = one_line(&cur);
            if !s.is_empty() {
                out.push(s);
            }
            cur.clear();
        }
    }
    let s = one_line(&cur);
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// The product sold: the part of the deal name after a dash ("Acme — Lumora Forecast").
fn product_of(ctx: &ProposalContext) -> String {
    let from_deal = ctx.deal.as_ref().and_then(|d| {
        d.name
            .rsplit_once(" — ")
            .or_else(|| d.name.rsplit_once(" - "))
            .map(|(_, p)| p.trim().to_string())
    });
    match from_deal {
        Some(p) if !p.is_empty() && p.contains("Lumora") => p,
        Some(p) if !p.is_empty() => format!("Lumora {p}"),
        _ => "Lumora Forecast".to_string(),
    }
}

/// A pricing sentence a customer may read (discount rules and competitive notes stay inside).
fn customer_facing_price(s: &str) -> bool {
    let l = s.to_lowercase();
    s.contains('$')
        && ![
            "discount",
            "approval",
            "approve",
            "reps may",
            "competitive",
            "procurement compares",
        ]
        .iter()
        .any(|w| l.contains(w))
}

/// The complete first draft of a proposal for `ctx`, in Markdown.
pub fn draft_proposal(ctx: &ProposalContext) -> String {
    let brand = ctx.brand();
    let tagline = guideline_line(brand, "Tagline");
    let sign_off = guideline_line(brand, "Sign-off").unwrap_or("The Lumora team");
    let lead = ctx.lead.as_ref();
    let deal = ctx.deal.as_ref();
    let company = lead
        .map(|l| one_line(&l.company))
        .or_else(|| deal.map(|d| one_line(d.name.split(" — ").next().unwrap_or(&d.name))))
        .unwrap_or_else(|| "your team".to_string());
    let industry = lead.and_then(|l| l.industry.as_deref()).map(one_line);
    let product = product_of(ctx);
    let competitor = deal
        .and_then(|d| d.competitors.first())
        .map(|c| one_line(c));
    let card = competitor.as_deref().and_then(|c| {
        ctx.battle_cards
            .iter()
            .find(|b| b.competitor.eq_ignore_ascii_case(c))
    });

    // Who the buyer is: stakeholders first, then the lead's contacts.
    let mut people: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    if let Some(d) = deal {
        for s in &d.stakeholders {
            people.push((one_line(&s.name), s.title.clone(), s.role.clone()));
        }
    }
    if let Some(l) = lead {
        for c in &l.contacts {
            if !people
                .iter()
                .any(|p| p.0.eq_ignore_ascii_case(c.name.trim()))
            {
                people.push((one_line(&c.name), c.title.clone(), None));
            }
        }
    }
    let mut personas: Vec<&str> = people
        .iter()
        .filter_map(|p| p.1.as_deref().and_then(persona_of))
        .collect();
    personas.dedup();
    let by_role = |role: &str| {
        people
            .iter()
            .find(|p| p.2.as_deref() == Some(role))
            .map(|p| p.0.clone())
    };
    let champion = by_role("champion").or_else(|| people.first().map(|p| p.0.clone()));
    let buyer = by_role("economic_buyer");

    let mut md = String::with_capacity(8 * 1024);
    let _ = writeln!(md, "# Proposal: {product} for {company}\n");
    if let Some(t) = tagline {
        let _ = writeln!(md, "_{t}_\n");
    }
    let prepared: Vec<String> = people
        .iter()
        .take(3)
        .map(|(n, t, _)| match t {
            Some(t) if !t.trim().is_empty() => format!("{n}, {}", one_line(t)),
            _ => n.clone(),
        })
        .collect();
    if !prepared.is_empty() {
        let _ = writeln!(md, "Prepared for {}.\n", prepared.join("; "));
    }

    // Executive summary.
    md.push_str("## Executive summary\n\n");
    let size = lead
        .and_then(|l| l.employee_count)
        .filter(|n| *n > 0)
        .map(|n| thousands(n.unsigned_abs()));
    let who = match (&industry, size) {
        (Some(i), Some(n)) => format!(
            "{company}, a {} organization of about {n} people,",
            i.to_lowercase()
        ),
        (Some(i), None) => format!("{company}, a {} organization,", i.to_lowercase()),
        (None, Some(n)) => format!("{company}, an organization of about {n} people,"),
        (None, None) => company.clone(),
    };
    let _ = write!(
        md,
        "{who} needs a revenue forecast its leadership can act on. This proposal shows how \
         {product} delivers one: a forecast that updates from the systems {company} already uses, \
         deal-risk signals for every manager, and a fixed-fee rollout measured in weeks. "
    );
    match deal {
        Some(d) if d.amount_cents > 0 => {
            let _ = writeln!(
                md,
                "The year-one investment is {}.\n",
                money(d.amount_cents)
            );
        }
        _ => md.push_str("The investment is set out below.\n\n"),
    }

    // The challenge: what the buyer told us, else the industry's usual pain.
    md.push_str("## The challenge\n\n");
    let mut heard: Vec<String> = Vec::new();
    let mut acts: Vec<&closer_types::Activity> = ctx.activities.iter().collect();
    acts.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    for a in acts {
        use closer_types::ActivityKind::*;
        if !matches!(a.kind, Note | Meeting | Call | Email) {
            continue;
        }
        for s in sentences(&a.body) {
            let l = s.to_lowercase();
            let pain = [
                "forecast",
                "spreadsheet",
                "excel",
                "trust",
                "miss",
                "pain",
                "manual",
                "visibility",
            ]
            .iter()
            .any(|w| l.contains(w));
            if pain && !heard.iter().any(|h| h == &s) && heard.len() < 3 {
                heard.push(s);
            }
        }
    }
    if heard.is_empty() {
        let industry_note = industry
            .as_deref()
            .and_then(|ind| {
                ctx.content
                    .iter()
                    .filter(|c| c.kind == ContentKind::OnePager)
                    .find(|c| c.industries.iter().any(|x| x.eq_ignore_ascii_case(ind)))
            })
            .and_then(|c| paragraphs(&c.body).first().map(|p| scrub(&one_line(p))));
        match industry_note {
            Some(n) => {
                let _ = writeln!(md, "{}\n", truncate(&n, 400));
            }
            None => md.push_str(
                "Most revenue teams we meet build the forecast by hand from CRM exports. It takes days \
                 each week, it is out of date by the time it is presented, and leadership discounts it.\n\n",
            ),
        }
    } else {
        let _ = writeln!(
            md,
            "In our conversations, {company}'s team described the problem plainly:\n"
        );
        for h in &heard {
            let _ = writeln!(md, "- {}", truncate(&scrub(h), 300));
        }
        md.push('\n');
    }
    md.push_str("[Add anything the buyer said about the cost of a missed quarter.]\n\n");

    // Proposed solution.
    md.push_str("## Proposed solution\n\n");
    let _ = writeln!(md, "{product} for {company}, rolled out in three steps:\n");
    md.push_str(
        "1. **Connect.** Lumora Connect syncs the CRM and the other source systems every five minutes; no analytics project.\n\
         2. **Forecast.** An explainable forecast for every team and segment, with manager overrides and an audit trail.\n\
         3. **Act.** Lumora Signals flags stalled deals, silent champions and slipping close dates before the forecast call.\n\n",
    );
    md.push_str(
        "Implementation is a fixed fee with a named solutions architect; most teams go live in 4 to 9 weeks. \
         Lumora is SOC 2 Type II and ISO 27001 certified, with US or EU data residency.\n\n",
    );

    // Customer results.
    md.push_str("## Customer results\n\n");
    let mut studies: Vec<(u32, Vec<String>, &ContentItem)> = ctx
        .content
        .iter()
        .filter(|c| c.kind == ContentKind::CaseStudy)
        .map(|c| {
            let (p, why) =
                case_study_match(c, industry.as_deref(), &personas, competitor.as_deref());
            (p, why, c)
        })
        .collect();
    studies.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.2.stats.deals_won.cmp(&a.2.stats.deals_won))
            .then(a.2.id.cmp(&b.2.id))
    });
    let matched = studies.iter().filter(|s| s.0 > 0).count();
    let take = if matched > 0 { matched.min(3) } else { 1 };
    if studies.is_empty() {
        md.push_str("[Add a customer story from the content library.]\n\n");
    }
    for (_, why, c) in studies.into_iter().take(take) {
        let _ = writeln!(md, "### {}\n", one_line(&c.title));
        let why = if why.is_empty() {
            "a strong general result".to_string()
        } else {
            why.join("; ")
        };
        let _ = writeln!(md, "_Why this story: {why}._\n");
        let paras = paragraphs(&c.body);
        if let Some(first) = paras.first() {
            let _ = writeln!(md, "{}\n", truncate(&scrub(&one_line(first)), 500));
        }
        let results = paras.iter().skip(1).find(|p| {
            let l = p.to_lowercase();
            p.contains('%')
                && (l.contains("accuracy") || l.contains("payback") || l.contains("roi"))
        });
        if let Some(r) = results {
            let _ = writeln!(md, "**Results:** {}\n", truncate(&scrub(&one_line(r)), 500));
        }
    }

    // Why us.
    match (card, competitor.as_deref()) {
        (Some(card), Some(comp)) => {
            let _ = writeln!(md, "## Why Lumora over {comp}\n");
            for d in card.key_differentiators.iter().take(4) {
                let _ = writeln!(md, "- {}", one_line(d));
            }
            for s in card.our_strengths.iter().take(3) {
                let _ = writeln!(md, "- {}", one_line(s));
            }
            md.push('\n');
        }
        (None, Some(comp)) => {
            let _ = writeln!(md, "## Why Lumora over {comp}\n");
            md.push_str(
                "- Purpose-built revenue forecasting, not a reporting tool configured to look like one.\n\
                 - Live in weeks for a fixed fee, without analysts or partners.\n\
                 - Deal-level risk signals that explain every change in the number.\n\n",
            );
            let _ = writeln!(md, "[Add the {comp} comparison: no battle card yet.]\n");
        }
        _ => {
            md.push_str("## Why Lumora\n\n");
            md.push_str(
                "- Purpose-built revenue forecasting, not a reporting tool configured to look like one.\n\
                 - Live in weeks for a fixed fee, without analysts or partners.\n\
                 - Deal-level risk signals that explain every change in the number.\n\n",
            );
        }
    }

    // Investment.
    md.push_str("## Investment\n\n");
    if let Some(d) = deal.filter(|d| d.amount_cents > 0) {
        let _ = writeln!(
            md,
            "Year one for {company}: **{}**, licences and implementation included.\n",
            money(d.amount_cents)
        );
    }
    let pricing = ctx
        .content
        .iter()
        .filter(|c| c.kind == ContentKind::PricingSheet)
        .max_by(|a, b| {
            let ind = |c: &ContentItem| {
                industry
                    .as_deref()
                    .is_some_and(|i| c.industries.iter().any(|x| x.eq_ignore_ascii_case(i)))
            };
            ind(a)
                .cmp(&ind(b))
                .then(a.updated_at.cmp(&b.updated_at))
                .then(b.id.cmp(&a.id))
        });
    let lines: Vec<String> = pricing
        .map(|p| {
            sentences(&p.body)
                .into_iter()
                .filter(|s| customer_facing_price(s))
                .take(4)
                .collect()
        })
        .unwrap_or_default();
    for l in &lines {
        let _ = writeln!(md, "- {}", truncate(&scrub(l), 300));
    }
    if !lines.is_empty() {
        md.push('\n');
    }
    if deal.is_none_or(|d| d.amount_cents <= 0) && lines.is_empty() {
        md.push_str("[Confirm seat count and pricing.]\n\n");
    }
    md.push_str(
        "Prices in US dollars, billed annually. Renewal increases are capped at 3% per year.\n\n",
    );

    // Next steps.
    md.push_str("## Next steps\n\n");
    let champ = champion.unwrap_or_else(|| format!("{company}'s team"));
    let _ = writeln!(
        md,
        "1. Review this proposal with {champ} and agree on scope and seat count."
    );
    match buyer {
        Some(b) => {
            let _ = writeln!(
                md,
                "2. A 30-minute business-case review with {b}, using the ROI model."
            );
        }
        None => md.push_str(
            "2. A 30-minute business-case review with the budget owner, using the ROI model.\n",
        ),
    }
    md.push_str("3. Security review: Lumora's SOC 2 Type II report and security package, sent on request.\n");
    match deal.and_then(|d| d.close_date.as_deref()) {
        Some(date) => {
            let _ = writeln!(
                md,
                "4. Signature by {date}, then a kickoff within two weeks."
            );
        }
        None => md.push_str("4. Signature, then a kickoff within two weeks.\n"),
    }
    let _ = writeln!(md, "\n{sign_off}");
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_types::{
        BattleCard, Contact, ContentStats, Deal, DealStage, Lead, LeadStatus, Stakeholder,
    };

    fn item(id: &str, kind: ContentKind, industry: &str, persona: &str, body: &str) -> ContentItem {
        ContentItem {
            id: id.into(),
            title: format!("Title {id}"),
            kind,
            industries: vec![industry.into()],
            personas: vec![persona.into()],
            topics: vec!["ROI".into()],
            body: body.into(),
            source_path: None,
            stats: ContentStats::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn ctx() -> ProposalContext {
        let lead = Lead {
            id: "l1".into(),
            company: "Acme Health".into(),
            domain: None,
            industry: Some("Healthcare".into()),
            employee_count: Some(1200),
            contacts: vec![Contact {
                name: "Pat Kim".into(),
                title: Some("Chief Financial Officer".into()),
                email: Some("pat@acme.example".into()),
                phone: Some("+1 415 555 0134".into()),
            }],
            source: None,
            status: LeadStatus::Qualified,
            owner: None,
            score: None,
            created_at: 0,
            updated_at: 0,
        };
        let deal = Deal {
            id: "d1".into(),
            lead_id: Some("l1".into()),
            name: "Acme Health — Forecast Enterprise".into(),
            amount_cents: 9_600_000,
            stage: DealStage::Proposal,
            close_date: Some("2026-12-15".into()),
            competitors: vec!["Vantage BI".into()],
            owner: None,
            stakeholders: vec![Stakeholder {
                name: "Dana Ortiz".into(),
                title: Some("VP Sales".into()),
                role: Some("champion".into()),
            }],
            created_at: 0,
            updated_at: 0,
        };
        let card = BattleCard {
            id: "c1".into(),
            competitor: "Vantage BI".into(),
            summary: "BI suite.".into(),
            our_strengths: vec!["Forecasts ready out of the box.".into()],
            their_weaknesses: vec!["SECRET weakness".into()],
            pricing_comparison: "cheaper".into(),
            key_differentiators: vec!["Purpose-built forecasting.".into()],
            objections: vec![],
            trigger_phrases: vec![],
            updated_by: None,
            created_at: 0,
            updated_at: 0,
        };
        let results = "Meridian is a health system.\n\nThe CFO wanted trust.\n\nResults after two quarters: forecast accuracy rose from 61% to 94%, and payback came in 5 months.";
        let mut content = vec![
            item("cs-health-cfo", ContentKind::CaseStudy, "Healthcare", "CFO", results),
            item("cs-health", ContentKind::CaseStudy, "Healthcare", "CTO", "A hospital.\n\nAccuracy up 20%."),
            item("cs-retail-vantage", ContentKind::CaseStudy, "Retail", "CEO", "We replaced Vantage BI."),
            item("cs-energy", ContentKind::CaseStudy, "Energy", "CISO", "Unrelated."),
            item(
                "price",
                ContentKind::PricingSheet,
                "Healthcare",
                "CFO",
                "Forecast Enterprise is $95 per seat per month. Discount guidance: up to 10% for 3-year terms. Signals adds $30 per seat per month.",
            ),
        ];
        for i in 0..195 {
            content.push(item(
                &format!("x{i:03}"),
                ContentKind::Deck,
                "Retail",
                "CRO",
                "Deck body.",
            ));
        }
        ProposalContext {
            proposal_id: Some("p1".into()),
            deal: Some(deal),
            lead: Some(lead),
            activities: vec![closer_types::Activity {
                id: "a1".into(),
                deal_id: Some("d1".into()),
                lead_id: None,
                kind: closer_types::ActivityKind::Meeting,
                body: "Discovery with Dana. Their forecast missed by 14% last quarter. Call me at +1 415 555 0134.".into(),
                author: None,
                at: 1,
                created_at: 1,
                updated_at: 1,
            }],
            battle_cards: vec![card],
            content,
            brand_guidelines: None,
        }
    }

    #[test]
    fn draft_has_every_section_in_order() {
        let md = draft_proposal(&ctx());
        let headings = [
            "# Proposal: Lumora Forecast Enterprise for Acme Health",
            "## Executive summary",
            "## The challenge",
            "## Proposed solution",
            "## Customer results",
            "## Why Lumora over Vantage BI",
            "## Investment",
            "## Next steps",
        ];
        let mut at = 0;
        for h in headings {
            let found = md[at..].find(h).map(|i| i + at);
            assert!(found.is_some(), "missing or out of order: {h}\n{md}");
            at = found.unwrap_or(at);
        }
        assert!(md.contains("_Forecasts your board can trust._"), "{md}");
        assert!(md.contains("The Lumora team"), "{md}");
        assert!(md.contains("$96,000"), "{md}");
    }

    #[test]
    fn case_studies_match_industry_and_persona_and_say_why() {
        let md = draft_proposal(&ctx());
        let pos = |t: &str| md.find(&format!("### Title {t}\n"));
        // Healthcare + CFO first, Healthcare second, the Vantage story third; Energy left out.
        let (a, b, c) = (
            pos("cs-health-cfo"),
            pos("cs-health"),
            pos("cs-retail-vantage"),
        );
        assert!(a.is_some() && b.is_some() && c.is_some(), "{md}");
        assert!(a < b && b < c, "{md}");
        assert!(pos("cs-energy").is_none(), "{md}");
        assert!(md.contains(
            "_Why this story: same industry (Healthcare); written for the CFO your team includes._"
        ), "{md}");
        assert!(
            md.contains("_Why this story: the customer also weighed Vantage BI._"),
            "{md}"
        );
        assert!(
            md.contains("**Results:** Results after two quarters"),
            "{md}"
        );
    }

    #[test]
    fn draft_keeps_internal_material_and_contact_details_out() {
        let md = draft_proposal(&ctx());
        assert!(!md.contains("SECRET"), "{md}");
        assert!(!md.to_lowercase().contains("discount"), "{md}");
        assert!(!md.contains("555"), "{md}");
        assert!(!md.contains("pat@"), "{md}");
        assert!(
            md.contains("- Forecast Enterprise is $95 per seat per month."),
            "{md}"
        );
        assert!(
            md.contains("- Their forecast missed by 14% last quarter."),
            "{md}"
        );
    }

    #[test]
    fn an_empty_context_still_gives_a_complete_draft() {
        let md = draft_proposal(&ProposalContext::new());
        for h in [
            "# Proposal:",
            "## Executive summary",
            "## Customer results",
            "## Why Lumora",
            "## Investment",
            "## Next steps",
        ] {
            assert!(md.contains(h), "{h}\n{md}");
        }
    }

    #[test]
    fn personas_from_titles() {
        for (title, want) in [
            ("Chief Financial Officer", Some("CFO")),
            ("VP Finance", Some("CFO")),
            ("Director of Revenue Operations", Some("RevOps Manager")),
            ("Chief Revenue Officer", Some("CRO")),
            ("Director of Security", Some("CISO")),
            ("VP Information Technology", Some("CIO")),
            ("Regional Sales Director", Some("VP Sales")),
            ("Director of Sales Operations", Some("Head of Operations")),
            ("Head of Sales", Some("VP Sales")),
            ("COO", Some("Head of Operations")),
            ("Founder & CEO", Some("CEO")),
            ("Strategic Sourcing Lead", Some("Procurement")),
            ("Gardener", None),
        ] {
            assert_eq!(persona_of(title), want, "{title}");
        }
    }
}
