//! How domain values are written into prompts. Shared by every feature.
//!
//! Rules: ids are shown in `[brackets]` wherever the model may cite them; lists are sorted
//! (stable prompts hit the response cache); free text goes through [`scrub`] (no email
//! addresses or phone numbers leave the laptop); contacts appear by name and title only.

use std::fmt::Write as _;

use closer_types::{Activity, BattleCard, Call, ContentItem, Deal, Lead, Millis, Speaker};

use crate::text::{days_between, iso_date, one_line, scrub, truncate};

/// Longest activity body sent.
pub(crate) const ACTIVITY_CHARS: usize = 1_500;
/// Most recent activities sent for one deal.
pub(crate) const MAX_ACTIVITIES: usize = 150;
/// Longest content excerpt sent.
pub(crate) const CONTENT_CHARS: usize = 600;
/// Longest transcript excerpt of one call inside a deal timeline.
pub(crate) const CALL_EXCERPT_CHARS: usize = 4_000;
/// Longest transcript sent for a call analysis.
pub(crate) const TRANSCRIPT_CHARS: usize = 120_000;

/// `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$250,000` (cents dropped when zero, kept otherwise).
pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let (dollars, rest) = (thousands(cents / 100), cents % 100);
    if rest == 0 {
        format!("{sign}${dollars}")
    } else {
        format!("{sign}${dollars}.{rest:02}")
    }
}

fn stage_label(stage: closer_types::DealStage) -> &'static str {
    use closer_types::DealStage::*;
    match stage {
        Discovery => "Discovery",
        Qualification => "Qualification",
        Proposal => "Proposal",
        Negotiation => "Negotiation",
        ClosedWon => "Closed won",
        ClosedLost => "Closed lost",
    }
}

pub(crate) fn render_lead(out: &mut String, lead: &Lead) {
    let _ = writeln!(out, "Company: {}", one_line(&lead.company));
    if let Some(i) = &lead.industry {
        let _ = writeln!(out, "Industry: {}", one_line(i));
    }
    if let Some(n) = lead.employee_count {
        let _ = writeln!(out, "Employees: {n}");
    }
    if let Some(d) = &lead.domain {
        let _ = writeln!(out, "Domain: {}", one_line(d));
    }
    if let Some(s) = &lead.source {
        let _ = writeln!(out, "Source: {}", one_line(s));
    }
    let _ = writeln!(
        out,
        "Status: {}",
        closer_types::EnumText::as_str(lead.status)
    );
    if !lead.contacts.is_empty() {
        let people: Vec<String> = lead
            .contacts
            .iter()
            .map(|c| match &c.title {
                Some(t) if !t.trim().is_empty() => {
                    format!("{} ({})", one_line(&c.name), one_line(t))
                }
                _ => one_line(&c.name),
            })
            .collect();
        let _ = writeln!(out, "Contacts: {}", people.join("; "));
    }
}

pub(crate) fn render_deal(out: &mut String, deal: &Deal, now: Millis) {
    let _ = writeln!(out, "Deal: {}", one_line(&deal.name));
    let _ = writeln!(out, "Amount: {}", money(deal.amount_cents));
    let _ = writeln!(out, "Stage: {}", stage_label(deal.stage));
    if let Some(c) = &deal.close_date {
        let _ = writeln!(out, "Close date: {c}");
    }
    let _ = writeln!(
        out,
        "Days in pipeline: {}",
        days_between(deal.created_at, now).max(0)
    );
    if !deal.competitors.is_empty() {
        let _ = writeln!(out, "Competitors: {}", deal.competitors.join(", "));
    }
    if !deal.stakeholders.is_empty() {
        out.push_str("Stakeholders:\n");
        for s in &deal.stakeholders {
            let _ = writeln!(
                out,
                "- {}{}{}",
                one_line(&s.name),
                s.title
                    .as_deref()
                    .map(|t| format!(", {}", one_line(t)))
                    .unwrap_or_default(),
                s.role
                    .as_deref()
                    .map(|r| format!(" (role: {r})"))
                    .unwrap_or_default(),
            );
        }
    }
}

/// A battle card with every section; list items numbered so suggestions can quote them.
pub(crate) fn render_card(out: &mut String, card: &BattleCard) {
    let _ = writeln!(out, "## Battle card: {} [{}]", card.competitor, card.id);
    let _ = writeln!(out, "Summary: {}", one_line(&card.summary));
    let list = |out: &mut String, name: &str, items: &[String]| {
        let _ = writeln!(out, "{name}:");
        if items.is_empty() {
            out.push_str("  (none)\n");
        }
        for (i, it) in items.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, one_line(it));
        }
    };
    list(out, "Strengths (our_strengths)", &card.our_strengths);
    list(out, "Weaknesses (their_weaknesses)", &card.their_weaknesses);
    let _ = writeln!(out, "Pricing: {}", one_line(&card.pricing_comparison));
    list(
        out,
        "Differentiators (key_differentiators)",
        &card.key_differentiators,
    );
    out.push_str("Objections:\n");
    if card.objections.is_empty() {
        out.push_str("  (none)\n");
    }
    for (i, o) in card.objections.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. Objection: {}\n     Response: {}",
            i + 1,
            one_line(&o.objection),
            one_line(&o.response)
        );
    }
    list(out, "Trigger phrases", &card.trigger_phrases);
}

/// The battle cards, sorted by competitor, as one context block text.
pub(crate) fn cards_text(cards: &[BattleCard]) -> Option<String> {
    if cards.is_empty() {
        return None;
    }
    let mut sorted: Vec<&BattleCard> = cards.iter().collect();
    sorted.sort_by(|a, b| a.competitor.cmp(&b.competitor).then(a.id.cmp(&b.id)));
    let mut out = String::from("# Competitor battle cards\n");
    for c in sorted {
        out.push('\n');
        render_card(&mut out, c);
    }
    Some(out)
}

/// Content excerpts sorted by id, each headed by `[id]` so it can be recommended.
pub(crate) fn content_text(items: &[ContentItem]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let mut sorted: Vec<&ContentItem> = items.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = String::from("# Content library (excerpts)\n");
    for c in sorted {
        let _ = writeln!(
            out,
            "\n[{}] {} (kind: {}; industries: {}; personas: {}; topics: {})\n{}",
            c.id,
            one_line(&c.title),
            closer_types::EnumText::as_str(c.kind),
            join_or_any(&c.industries),
            join_or_any(&c.personas),
            join_or_any(&c.topics),
            truncate(&scrub(&one_line(&c.body)), CONTENT_CHARS)
        );
    }
    Some(out)
}

fn join_or_any(v: &[String]) -> String {
    if v.is_empty() {
        "any".into()
    } else {
        v.join(", ")
    }
}

/// The activities a prompt shows: oldest first, the most recent [`MAX_ACTIVITIES`] only.
pub(crate) fn shown_activities(activities: &[Activity]) -> Vec<&Activity> {
    let mut sorted: Vec<&Activity> = activities.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    let skip = sorted.len().saturating_sub(MAX_ACTIVITIES);
    sorted.split_off(skip)
}

/// One line per shown activity (see [`shown_activities`]).
pub(crate) fn render_activities(out: &mut String, activities: &[Activity]) {
    let skip = activities.len().saturating_sub(MAX_ACTIVITIES);
    if skip > 0 {
        let _ = writeln!(out, "({skip} older entries left out)");
    }
    for a in shown_activities(activities) {
        let _ = writeln!(
            out,
            "[{}] {} {}{}: {}",
            a.id,
            iso_date(a.at),
            closer_types::EnumText::as_str(a.kind),
            a.author
                .as_deref()
                .map(|w| format!(" by {}", one_line(w)))
                .unwrap_or_default(),
            truncate(&scrub(&one_line(&a.body)), ACTIVITY_CHARS)
        );
    }
}

fn speaker(s: Speaker) -> &'static str {
    match s {
        Speaker::Rep => "Rep",
        Speaker::Prospect => "Prospect",
        Speaker::Unknown => "Speaker",
    }
}

fn clock(ms: u32) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// A transcript as `[mm:ss] Speaker: text` lines, cut at `max` characters.
pub(crate) fn transcript(call: &Call, max: usize) -> String {
    let mut out = String::new();
    for seg in &call.segments {
        let line = format!(
            "[{}] {}: {}\n",
            clock(seg.start_ms),
            speaker(seg.speaker),
            scrub(&one_line(&seg.text))
        );
        if out.len() + line.len() > max {
            out.push_str("[… transcript cut here]\n");
            break;
        }
        out.push_str(&line);
    }
    out
}

/// A call as a timeline entry: its analysis summary if it has one, else a transcript excerpt.
pub(crate) fn render_call_entry(out: &mut String, call: &Call) {
    let _ = writeln!(
        out,
        "[{}] {} call \"{}\"",
        call.id,
        iso_date(call.started_at),
        one_line(&call.title)
    );
    match &call.analysis {
        Some(a) => {
            let _ = writeln!(out, "Summary: {}", scrub(&one_line(&a.summary)));
            if !a.objections.is_empty() {
                let obj: Vec<String> = a
                    .objections
                    .iter()
                    .map(|o| {
                        format!(
                            "{} ({})",
                            one_line(&o.objection),
                            if o.handled { "handled" } else { "open" }
                        )
                    })
                    .collect();
                let _ = writeln!(out, "Objections: {}", obj.join("; "));
            }
        }
        None => out.push_str(&transcript(call, CALL_EXCERPT_CHARS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats_dollars() {
        for (cents, want) in [
            (0, "$0"),
            (25_000_000, "$250,000"),
            (123_456_789, "$1,234,567.89"),
            (99_900, "$999"),
            (-100_000, "-$1,000"),
        ] {
            assert_eq!(money(cents), want);
        }
    }
}
