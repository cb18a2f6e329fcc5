//! A deal health score computed on the laptop, without Claude: every deal always has one,
//! and every point of it is explained.
//!
//! An open deal starts at 100 and loses points per factor; the score is clamped to 0-100.
//!
//! | key | measures | penalty |
//! |---|---|---|
//! | `stage_age` | days since the deal entered its stage (latest stage-change entry, else creation) against the stage's norm | over the norm −10, over twice the norm −20 |
//! | `activity_recency` | days since the last entry (tasks do not count: a to-do is not contact) | 8-14 days −5, 15-30 −15, more −25 |
//! | `champion_silence` | days since an entry last mentioned a champion by name | 11-21 days −10, more −15; no champion named −10 |
//! | `competition` | competitors named on the deal | one −5, two or more −10 |
//! | `close_date` | the close date: missing, past, or near while the deal is early | missing −5, past −20, within 7 days in discovery/qualification −10 |
//! | `close_date_slips` | timeline entries saying the close date moved | −5 each, at most −15 |
//!
//! **Proxies**, because the timeline has no participants or field history: champion
//! silence is measured by the champion's name (full name, or first name as a word) appearing
//! in a note, email, meeting or call entry; with no stakeholder marked `champion`, every
//! stakeholder counts. Close-date slips are entries whose text says the close date moved
//! ("close date" with moved/changed/pushed/slipped/delayed/postponed): the core should log
//! such an entry when a rep changes the close date, as it does for stage changes.
//!
//! Bands: 70 and up healthy, 40-69 at risk, below 40 critical. Closed deals: won 100, lost 0.

use closer_types::{
    Activity, ActivityKind, CallAnalysis, Deal, DealStage, HealthBand, HealthFactor, LocalHealth,
    Millis,
};

use crate::text::{days_between, iso_date, parse_iso_date, DAY_MS};

/// Days a deal usually spends in a stage.
fn stage_norm(stage: DealStage) -> i64 {
    match stage {
        DealStage::Discovery => 14,
        DealStage::Qualification => 21,
        DealStage::Proposal => 21,
        DealStage::Negotiation => 14,
        DealStage::ClosedWon | DealStage::ClosedLost => i64::MAX,
    }
}

fn stage_name(stage: DealStage) -> &'static str {
    match stage {
        DealStage::Discovery => "Discovery",
        DealStage::Qualification => "Qualification",
        DealStage::Proposal => "Proposal",
        DealStage::Negotiation => "Negotiation",
        DealStage::ClosedWon => "Closed won",
        DealStage::ClosedLost => "Closed lost",
    }
}

/// "(−15)", "(+5)", "(0)".
fn pts(p: i32) -> String {
    match p {
        0 => "(0)".into(),
        p if p < 0 => format!("(\u{2212}{})", -p),
        p => format!("(+{p})"),
    }
}

fn days_word(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn factor(key: &str, label: &str, points: i32, detail: String) -> HealthFactor {
    HealthFactor {
        key: key.into(),
        label: label.into(),
        points,
        detail: format!("{detail} {}", pts(points)),
    }
}

fn band(score: u8) -> HealthBand {
    match score {
        70.. => HealthBand::Healthy,
        40..=69 => HealthBand::AtRisk,
        _ => HealthBand::Critical,
    }
}

/// `name` (or its first word, if 3+ letters) appears in `text` as a whole word.
fn mentions(text_lc: &str, name: &str) -> bool {
    let name_lc = name.trim().to_lowercase();
    if name_lc.is_empty() {
        return false;
    }
    let word = |needle: &str| {
        text_lc.match_indices(needle).any(|(i, _)| {
            let before = text_lc[..i].chars().next_back();
            let after = text_lc[i + needle.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    if word(&name_lc) {
        return true;
    }
    match name_lc.split_whitespace().next() {
        Some(first) if first.chars().count() >= 3 && first != name_lc => word(first),
        _ => false,
    }
}

fn is_slip(body_lc: &str) -> bool {
    body_lc.contains("close date")
        && [
            "moved",
            "changed",
            "pushed",
            "slipped",
            "delayed",
            "postponed",
        ]
        .iter()
        .any(|w| body_lc.contains(w))
}

/// The explainable health of `deal` from its timeline, as of `now_millis`.
pub fn local_health(deal: &Deal, activities: &[Activity], now_millis: Millis) -> LocalHealth {
    let now = now_millis;
    match deal.stage {
        DealStage::ClosedWon => {
            return LocalHealth {
                score: 100,
                band: HealthBand::Healthy,
                factors: vec![factor("closed", "Closed", 0, "Closed won".into())],
            }
        }
        DealStage::ClosedLost => {
            return LocalHealth {
                score: 0,
                band: HealthBand::Critical,
                factors: vec![factor("closed", "Closed", 0, "Closed lost".into())],
            }
        }
        _ => {}
    }
    // This deal's past entries only (a task may be dated in the future).
    let past: Vec<&Activity> = activities
        .iter()
        .filter(|a| a.deal_id.as_deref().is_none_or(|d| d == deal.id))
        .filter(|a| a.at <= now)
        .collect();
    let age = |since: Millis| days_between(since, now).max(0);
    let mut factors = Vec::new();

    // Stage age.
    let entered = past
        .iter()
        .filter(|a| a.kind == ActivityKind::StageChange)
        .map(|a| a.at)
        .max()
        .unwrap_or(deal.created_at);
    let in_stage = age(entered);
    let norm = stage_norm(deal.stage);
    let stage = stage_name(deal.stage);
    let (p, detail) = if in_stage <= norm {
        (
            0,
            format!(
                "{} in {stage}, within the usual {norm}",
                days_word(in_stage)
            ),
        )
    } else if in_stage <= 2 * norm {
        (
            -10,
            format!("{} in {stage}, usual is {norm}", days_word(in_stage)),
        )
    } else {
        (
            -20,
            format!(
                "{} in {stage}, more than twice the usual {norm}",
                days_word(in_stage)
            ),
        )
    };
    factors.push(factor("stage_age", "Time in stage", p, detail));

    // Activity recency.
    let last = past
        .iter()
        .filter(|a| a.kind != ActivityKind::Task)
        .map(|a| a.at)
        .max();
    let quiet = age(last.unwrap_or(deal.created_at));
    let p = match quiet {
        0..=7 => 0,
        8..=14 => -5,
        15..=30 => -15,
        _ => -25,
    };
    let detail = match (last, p) {
        (None, _) => format!(
            "No activity since the deal was created {} ago",
            days_word(quiet)
        ),
        (Some(_), 0) if quiet == 0 => "Last activity today".to_string(),
        (Some(_), 0) => format!("Last activity {} ago", days_word(quiet)),
        (Some(_), _) => format!("No activity for {}", days_word(quiet)),
    };
    factors.push(factor("activity_recency", "Activity", p, detail));

    // Champion silence (by name mentions, see the module doc).
    let champions: Vec<&str> = deal
        .stakeholders
        .iter()
        .filter(|s| {
            s.role
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case("champion"))
        })
        .map(|s| s.name.as_str())
        .collect();
    let (who, names): (&str, Vec<&str>) = if champions.is_empty() {
        (
            "Stakeholders",
            deal.stakeholders.iter().map(|s| s.name.as_str()).collect(),
        )
    } else {
        ("Champion", champions)
    };
    let names: Vec<&str> = names.into_iter().filter(|n| !n.trim().is_empty()).collect();
    if names.is_empty() {
        factors.push(factor(
            "champion_silence",
            "Champion",
            -10,
            "No champion named on the deal".into(),
        ));
    } else {
        let contact_kinds = [
            ActivityKind::Note,
            ActivityKind::Call,
            ActivityKind::Email,
            ActivityKind::Meeting,
        ];
        let heard = past
            .iter()
            .filter(|a| contact_kinds.contains(&a.kind))
            .filter(|a| {
                let lc = a.body.to_lowercase();
                names.iter().any(|n| mentions(&lc, n))
            })
            .map(|a| a.at)
            .max();
        let silent = age(heard.unwrap_or(deal.created_at));
        let p = match silent {
            0..=10 => 0,
            11..=21 => -10,
            _ => -15,
        };
        let label = format!("{who} {}", names.join(", "));
        let detail = match heard {
            Some(_) if silent == 0 => format!("{label} last mentioned today"),
            Some(_) => format!("{label} last mentioned {} ago", days_word(silent)),
            None => format!(
                "{label} not mentioned in the timeline since the deal opened {} ago",
                days_word(silent)
            ),
        };
        factors.push(factor("champion_silence", "Champion", p, detail));
    }

    // Competition.
    let comps: Vec<&str> = deal
        .competitors
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let (p, detail) = match comps.as_slice() {
        [] => (0, "No competitor named".to_string()),
        [one] => (-5, format!("Competing with {one}")),
        many => (
            -10,
            format!(
                "Competing with {} and {}",
                many[..many.len() - 1].join(", "),
                many[many.len() - 1]
            ),
        ),
    };
    factors.push(factor("competition", "Competition", p, detail));

    // Close date.
    let today = now.div_euclid(DAY_MS);
    let (p, detail) = match deal.close_date.as_deref() {
        None => (-5, "No close date set".to_string()),
        Some(d) => match parse_iso_date(d) {
            None => (-5, format!("Close date '{d}' is not a date")),
            Some(day) if day < today => (
                -20,
                format!("Close date {d} passed {} ago", days_word(today - day)),
            ),
            Some(day)
                if day - today <= 7
                    && matches!(deal.stage, DealStage::Discovery | DealStage::Qualification) =>
            {
                (
                    -10,
                    format!(
                        "Close date {d} is {} away, still in {stage}",
                        days_word(day - today)
                    ),
                )
            }
            Some(day) if day == today => (0, format!("Close date {d} is today")),
            Some(day) => (0, format!("Close date {d} in {}", days_word(day - today))),
        },
    };
    factors.push(factor("close_date", "Close date", p, detail));

    // Close-date slips.
    let slips = past
        .iter()
        .filter(|a| is_slip(&a.body.to_lowercase()))
        .count();
    let p = -(5 * slips.min(3) as i32);
    let detail = match slips {
        0 => "Close date never moved".to_string(),
        1 => "Close date moved once".to_string(),
        n => format!("Close date moved {n} times"),
    };
    factors.push(factor("close_date_slips", "Close-date slips", p, detail));

    let total: i32 = 100 + factors.iter().map(|f| f.points).sum::<i32>();
    let score = total.clamp(0, 100) as u8;
    tracing::trace!(deal = %deal.id, score, as_of = %iso_date(now), "local health");
    LocalHealth {
        score,
        band: band(score),
        factors,
    }
}

/// Adds the deal's last analysed call to a health score: the call's sentiment and the
/// objections it left open. `last_call` factor: sentiment at or below −0.3 −10, at or above
/// 0.3 +5, between 0; each objection not handled −5, at most −10. (Points above 100 are
/// clamped like the others.)
pub fn with_last_call(mut health: LocalHealth, analysis: &CallAnalysis) -> LocalHealth {
    if health.factors.iter().any(|f| f.key == "closed") {
        return health;
    }
    let s = analysis.sentiment;
    let mood = if s <= -0.3 {
        -10
    } else if s >= 0.3 {
        5
    } else {
        0
    };
    let open = analysis.objections.iter().filter(|o| !o.handled).count();
    let p = mood - (5 * open.min(2) as i32);
    let tone = if s <= -0.3 {
        "went badly"
    } else if s >= 0.3 {
        "went well"
    } else {
        "was neutral"
    };
    let detail = match open {
        0 => format!("Last call {tone} (sentiment {s:+.1}), no objection left open"),
        1 => format!("Last call {tone} (sentiment {s:+.1}), 1 objection left open"),
        n => format!("Last call {tone} (sentiment {s:+.1}), {n} objections left open"),
    };
    health
        .factors
        .push(factor("last_call", "Last call", p, detail));
    let total: i32 = 100 + health.factors.iter().map(|f| f.points).sum::<i32>();
    health.score = total.clamp(0, 100) as u8;
    health.band = band(health.score);
    health
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_types::Stakeholder;

    const NOW: Millis = 20_779 * DAY_MS + 12 * 3_600_000; // 2026-11-22 12:00 UTC

    fn deal(stage: DealStage, created_days_ago: i64) -> Deal {
        Deal {
            id: "d1".into(),
            lead_id: None,
            name: "Acme — Forecast".into(),
            amount_cents: 5_000_000,
            stage,
            close_date: Some(iso_date(NOW + 30 * DAY_MS)),
            competitors: vec![],
            owner: None,
            stakeholders: vec![
                Stakeholder {
                    name: "Dana Ortiz".into(),
                    title: Some("VP Sales".into()),
                    role: Some("champion".into()),
                },
                Stakeholder {
                    name: "Sam Lee".into(),
                    title: Some("CFO".into()),
                    role: Some("economic_buyer".into()),
                },
            ],
            created_at: NOW - created_days_ago * DAY_MS,
            updated_at: NOW,
        }
    }

    fn act(id: &str, kind: ActivityKind, days_ago: i64, body: &str) -> Activity {
        Activity {
            id: id.into(),
            deal_id: Some("d1".into()),
            lead_id: None,
            kind,
            body: body.into(),
            author: None,
            at: NOW - days_ago * DAY_MS,
            created_at: NOW,
            updated_at: NOW,
        }
    }

    fn get<'a>(h: &'a LocalHealth, key: &str) -> &'a HealthFactor {
        h.factors
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no factor {key} in {h:?}"))
    }

    #[test]
    fn a_fresh_engaged_deal_is_healthy() {
        let d = deal(DealStage::Discovery, 3);
        let acts = [act(
            "a1",
            ActivityKind::Meeting,
            1,
            "Discovery call with Dana.",
        )];
        let h = local_health(&d, &acts, NOW);
        assert_eq!(h.score, 100, "{h:?}");
        assert_eq!(h.band, HealthBand::Healthy);
        assert_eq!(h.factors.len(), 6);
        assert!(h.factors.iter().all(|f| f.points == 0), "{h:?}");
        assert_eq!(
            get(&h, "activity_recency").detail,
            "Last activity 1 day ago (0)"
        );
        assert_eq!(
            get(&h, "champion_silence").detail,
            "Champion Dana Ortiz last mentioned 1 day ago (0)"
        );
    }

    /// One row per factor: (what, deal tweak, timeline, key, points, detail).
    #[test]
    fn each_factor_scores_and_explains() {
        type Tweak = fn(&mut Deal);
        let none: Tweak = |_| {};
        type Case = (
            &'static str,
            Tweak,
            Vec<Activity>,
            &'static str,
            i32,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "stage over norm",
                |d| d.stage = DealStage::Proposal,
                vec![
                    act(
                        "s",
                        ActivityKind::StageChange,
                        30,
                        "Stage changed: Qualification → Proposal",
                    ),
                    act("n", ActivityKind::Note, 1, "Dana is building the case."),
                ],
                "stage_age",
                -10,
                "30 days in Proposal, usual is 21 (\u{2212}10)",
            ),
            (
                "stage over twice the norm",
                |d| d.stage = DealStage::Negotiation,
                vec![act(
                    "s",
                    ActivityKind::StageChange,
                    40,
                    "Stage changed: Proposal → Negotiation",
                )],
                "stage_age",
                -20,
                "40 days in Negotiation, more than twice the usual 14 (\u{2212}20)",
            ),
            (
                "stage age from creation without stage changes",
                none,
                vec![],
                "stage_age",
                -10,
                "20 days in Discovery, usual is 14 (\u{2212}10)",
            ),
            (
                "quiet for 19 days",
                none,
                vec![act(
                    "n",
                    ActivityKind::Email,
                    19,
                    "Sent Dana the case study.",
                )],
                "activity_recency",
                -15,
                "No activity for 19 days (\u{2212}15)",
            ),
            (
                "tasks are not activity",
                none,
                vec![
                    act("n", ActivityKind::Email, 10, "Sent Dana the case study."),
                    act("t", ActivityKind::Task, 1, "Follow up with Dana."),
                ],
                "activity_recency",
                -5,
                "No activity for 10 days (\u{2212}5)",
            ),
            (
                "no activity at all",
                none,
                vec![],
                "activity_recency",
                -15,
                "No activity since the deal was created 20 days ago (\u{2212}15)",
            ),
            (
                "champion silent while others talk",
                none,
                vec![
                    act(
                        "a",
                        ActivityKind::Call,
                        25,
                        "Call with Dana Ortiz about scope.",
                    ),
                    act("b", ActivityKind::Email, 2, "Sam Lee asked for a TCO."),
                ],
                "champion_silence",
                -15,
                "Champion Dana Ortiz last mentioned 25 days ago (\u{2212}15)",
            ),
            (
                "first name counts, as a whole word only",
                none,
                vec![
                    act("a", ActivityKind::Note, 15, "Dana wants a pilot."),
                    act(
                        "b",
                        ActivityKind::Note,
                        1,
                        "Danaher is a customer of theirs.",
                    ),
                ],
                "champion_silence",
                -10,
                "Champion Dana Ortiz last mentioned 15 days ago (\u{2212}10)",
            ),
            (
                "no stakeholders",
                |d| d.stakeholders.clear(),
                vec![],
                "champion_silence",
                -10,
                "No champion named on the deal (\u{2212}10)",
            ),
            (
                "one competitor",
                |d| d.competitors = vec!["Vantage BI".into()],
                vec![],
                "competition",
                -5,
                "Competing with Vantage BI (\u{2212}5)",
            ),
            (
                "three competitors",
                |d| {
                    d.competitors = vec!["Vantage BI".into(), "DataForge".into(), "Quantive".into()]
                },
                vec![],
                "competition",
                -10,
                "Competing with Vantage BI, DataForge and Quantive (\u{2212}10)",
            ),
            (
                "close date passed",
                |d| d.close_date = Some("2026-11-10".into()),
                vec![],
                "close_date",
                -20,
                "Close date 2026-11-10 passed 12 days ago (\u{2212}20)",
            ),
            (
                "close date near while early",
                |d| d.close_date = Some("2026-11-25".into()),
                vec![],
                "close_date",
                -10,
                "Close date 2026-11-25 is 3 days away, still in Discovery (\u{2212}10)",
            ),
            (
                "no close date",
                |d| d.close_date = None,
                vec![],
                "close_date",
                -5,
                "No close date set (\u{2212}5)",
            ),
            (
                "two slips",
                none,
                vec![
                    act(
                        "a",
                        ActivityKind::Note,
                        9,
                        "Close date moved from 2026-10-31 to 2026-11-30.",
                    ),
                    act(
                        "b",
                        ActivityKind::Note,
                        3,
                        "Procurement pushed the close date to December.",
                    ),
                    act("c", ActivityKind::Note, 2, "Dana confirmed the date."),
                ],
                "close_date_slips",
                -10,
                "Close date moved 2 times (\u{2212}10)",
            ),
        ];
        for (what, tweak, acts, key, points, detail) in cases {
            let mut d = deal(DealStage::Discovery, 20);
            tweak(&mut d);
            let h = local_health(&d, &acts, NOW);
            let f = get(&h, key);
            assert_eq!((f.points, f.detail.as_str()), (points, detail), "{what}");
            let sum: i32 = h.factors.iter().map(|f| f.points).sum();
            assert_eq!(i32::from(h.score), (100 + sum).clamp(0, 100), "{what}");
        }
    }

    #[test]
    fn every_deal_gets_a_score_and_a_band() {
        let mut d = deal(DealStage::Negotiation, 200);
        d.stakeholders.clear();
        d.competitors = vec!["Vantage BI".into(), "DataForge".into()];
        d.close_date = Some("2026-01-01".into());
        let acts = [act(
            "a",
            ActivityKind::Note,
            150,
            "Close date slipped again.",
        )];
        let h = local_health(&d, &acts, NOW);
        // −20 stage, −25 quiet, −10 no champion, −10 competition, −20 past date, −5 slip.
        assert_eq!(h.score, 10, "{h:?}");
        assert_eq!(h.band, HealthBand::Critical);

        let won = local_health(&deal(DealStage::ClosedWon, 50), &[], NOW);
        assert_eq!((won.score, won.band), (100, HealthBand::Healthy));
        let lost = local_health(&deal(DealStage::ClosedLost, 50), &[], NOW);
        assert_eq!((lost.score, lost.band), (0, HealthBand::Critical));

        let mid = LocalHealth {
            score: 55,
            band: band(55),
            factors: vec![],
        };
        assert_eq!(mid.band, HealthBand::AtRisk);
    }

    #[test]
    fn other_deals_and_future_entries_are_ignored() {
        let d = deal(DealStage::Discovery, 20);
        let mut other = act("x", ActivityKind::Meeting, 0, "Dana Ortiz meeting");
        other.deal_id = Some("d2".into());
        let future = act("f", ActivityKind::Meeting, -3, "Dana Ortiz meeting");
        let h = local_health(&d, &[other, future], NOW);
        assert_eq!(get(&h, "activity_recency").points, -15);
    }

    #[test]
    fn a_bad_last_call_with_open_objections_costs_points() {
        let d = deal(DealStage::Proposal, 3);
        let before = local_health(&d, &[], NOW);
        let analysis = CallAnalysis {
            sentiment: -0.6,
            objections: vec![closer_types::ObjectionMet {
                objection: "Price".into(),
                handled: false,
                note: None,
            }],
            ..Default::default()
        };
        let after = with_last_call(before.clone(), &analysis);
        assert_eq!(i32::from(after.score), i32::from(before.score) - 15);
        let f = after.factors.iter().find(|f| f.key == "last_call").unwrap();
        assert!(f.detail.contains("went badly"), "{}", f.detail);
    }
}
