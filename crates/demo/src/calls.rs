//! Recorded calls: transcripts in which prospects raise objections and name competitors,
//! and the analysis written after each.

use closer_types::{
    Call, CallAnalysis, Deal, DealStage, Lead, ObjectionMet, Speaker, TranscriptSegment,
};

use crate::battle_cards::{self, CardSpec};
use crate::deals::DealCtx;
use crate::util::{dollars, Gen, DAY, HOUR, MINUTE};

const DISCOVERY: &[(&str, &str)] = &[
    ("How are you building the forecast today?", "Honestly, it's a spreadsheet. Every Monday the managers export from the CRM, adjust their numbers, and RevOps stitches it together by Wednesday."),
    ("How close did you land last quarter?", "We called {miss} percent higher than we closed. The board was not happy, and now they want a weekly commit."),
    ("Who else is involved in the forecast call?", "The regional directors, our RevOps lead, and {econ} joins the last call of every month."),
    ("What happens when a big deal slips?", "We usually find out in the final two weeks. By then it's too late to pull anything else forward."),
    ("How many sellers would be using it?", "About {seats} today, and we're planning to hire more in the second half."),
    ("What does a great outcome look like for you by the end of the year?", "A number I can stand behind in the board meeting, and managers coaching deals instead of updating cells."),
    ("Which systems would we need to connect?", "The CRM for sure, our calendar and email, and billing data lives in the warehouse."),
    ("How do you currently spot deals at risk?", "Gut feel, mostly. If a rep hasn't updated the close date in a month we start asking questions."),
    ("Is there a particular deadline driving this?", "Our planning cycle starts in about {weeks} weeks, and I'd like a better forecast before then."),
];

const FILLER_REP: &[&str] = &[
    "That's really helpful context, thank you.",
    "Got it. Let me make sure I capture that correctly.",
    "That's a pattern we see a lot with teams your size.",
    "Makes sense. Let me show you how that looks in Lumora.",
];

const FILLER_PROSPECT: &[&str] = &[
    "Right, that matches what our managers keep telling me.",
    "Okay, that's useful. Can you send that over after the call?",
    "Interesting. I'd want our RevOps lead to see that part.",
    "Sure, go ahead.",
];

const TITLES: &[&str] = &[
    "Discovery call",
    "Demo follow-up",
    "Pricing review",
    "Technical deep dive",
    "Executive alignment",
    "Negotiation call",
];

struct Line {
    speaker: Speaker,
    text: String,
}

fn rep(text: impl Into<String>) -> Line {
    Line {
        speaker: Speaker::Rep,
        text: text.into(),
    }
}

fn prospect(text: impl Into<String>) -> Line {
    Line {
        speaker: Speaker::Prospect,
        text: text.into(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn first(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

fn champion(deal: &Deal) -> &str {
    deal.stakeholders
        .iter()
        .find(|s| s.role.as_deref() == Some("champion"))
        .or_else(|| deal.stakeholders.first())
        .map(|s| s.name.as_str())
        .unwrap_or("there")
}

/// The topic an objection is about, from its wording (first matching rule wins).
fn objection_topic(objection: &str) -> &'static str {
    const RULES: &[(&str, &[&str])] = &[
        ("competition", &["already use", "standardized on"]),
        (
            "pricing",
            &[
                "price", "cheaper", "cost", "discount", "free", "per seat", "a seat",
            ],
        ),
        ("security", &["secur", "hipaa", "encrypt", "warehouse"]),
        (
            "contract terms",
            &[
                "contract",
                "month-to-month",
                "agreement",
                "multi-year",
                "vendor",
            ],
        ),
        (
            "authority",
            &[
                "decide",
                "sign off",
                "signs off",
                "approve",
                "their call",
                "owns",
                "cfo",
                "cio",
                "cto",
            ],
        ),
        (
            "competition",
            &[
                "already",
                "standardized",
                "build",
                "says",
                "safe choice",
                "smaller",
                "ourselves",
            ],
        ),
        (
            "timing",
            &[
                "quarter",
                "next year",
                "fiscal",
                "timing",
                "wait",
                "priority",
                "reorg",
                "planning",
                "commit",
            ],
        ),
        ("need", &["need", "simpler", "fine"]),
    ];
    let lower = objection.to_lowercase();
    RULES
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(t, _)| *t)
        .unwrap_or("competition")
}

struct Built {
    lines: Vec<Line>,
    objections: Vec<ObjectionMet>,
    topics: Vec<String>,
}

fn script(g: &mut Gen, deal: &Deal, lead: &Lead, ctx: &DealCtx, card: Option<&CardSpec>) -> Built {
    let owner = deal.owner.as_deref().unwrap_or("Alex Rivera");
    let champ = champion(deal);
    let econ = deal
        .stakeholders
        .iter()
        .find(|s| s.role.as_deref() == Some("economic_buyer"))
        .map(|s| first(&s.name))
        .unwrap_or("our CFO");
    let miss = g.int(8, 24).to_string();
    let seats = ctx.seats.to_string();
    let weeks = g.int(4, 10).to_string();
    let vars = |s: &str| {
        s.replace("{miss}", &miss)
            .replace("{econ}", econ)
            .replace("{seats}", &seats)
            .replace("{weeks}", &weeks)
    };
    let mut lines = Vec::new();
    let mut topics = vec!["forecast accuracy".to_string()];
    let mut objections = Vec::new();
    lines.push(rep(format!(
        "Hi {}, thanks for making the time. I have us down for thirty minutes. Is that still good?",
        first(champ)
    )));
    lines.push(prospect(format!(
        "Yes, that works. Thanks, {}. I've got a hard stop at the half hour.",
        first(owner)
    )));
    lines.push(rep(format!(
        "Perfect. I'd like to understand how {} forecasts today, then show you a few things and agree on next steps.",
        lead.company
    )));
    lines.push(prospect("Sounds good."));
    let n_disc = g.usize(3, 6);
    for (q, a) in g.sample(DISCOVERY, n_disc) {
        lines.push(rep(vars(q)));
        lines.push(prospect(vars(a)));
    }
    if let Some(c) = card {
        topics.push(c.competitor.to_string());
        let product = c.products.first().copied().unwrap_or(c.competitor);
        lines.push(rep("Are you looking at any other options right now?"));
        lines.push(prospect(if c.seat_price > 0 {
            format!(
                "We are. We already use {} for some reporting, and their team is pitching {} as the forecasting piece at around {} dollars a seat.",
                c.competitor, product, c.seat_price
            )
        } else {
            format!(
                "We are. We already use {} and they say {} is basically free with our cloud commitment.",
                c.competitor, product
            )
        }));
        lines.push(rep(format!(
            "Thanks for being open about it. What teams who compared us with {} usually point to: {}",
            c.competitor,
            lower_first(c.differentiators.first().copied().unwrap_or("an explainable forecast."))
        )));
        let k = g.usize(2, 3);
        let picked = g.sample(c.objections, k);
        let unhandled = if g.chance(0.4) { Some(k - 1) } else { None };
        for (i, (obj, resp)) in picked.into_iter().enumerate() {
            lines.push(prospect(obj));
            let handled = unhandled != Some(i);
            if handled {
                lines.push(rep(resp));
                lines.push(prospect(*g.pick(FILLER_PROSPECT)));
                lines.push(rep(*g.pick(FILLER_REP)));
            } else {
                lines.push(rep("Good question. I don't want to guess on that; let me check with our team and come back to you by Friday."));
                lines.push(prospect(
                    "Okay, but that one will come up with our leadership.",
                ));
                lines.push(rep(
                    "Understood, I'll make sure you have a clear answer in writing.",
                ));
            }
            let topic = objection_topic(obj);
            if !topics.iter().any(|t| t == topic) {
                topics.push(topic.to_string());
            }
            objections.push(ObjectionMet {
                objection: obj.to_string(),
                handled,
                note: Some(if handled {
                    format!("Answered with the {} battle card.", c.competitor)
                } else {
                    "Rep deferred; needs a written answer.".to_string()
                }),
            });
        }
    } else {
        lines.push(rep(
            "Before I show you anything, are there concerns I should know about up front?",
        ));
        lines.push(prospect("To be honest, the cost is the big question. We've never paid for forecasting software."));
        lines.push(rep(format!(
            "That's fair. For a team of {seats}, customers typically pay back in under six months from manager time alone. I can build the ROI model with your numbers."
        )));
        topics.push("pricing".into());
        objections.push(ObjectionMet {
            objection: "We've never paid for forecasting software.".into(),
            handled: true,
            note: Some("Offered a custom ROI model.".into()),
        });
    }
    lines.push(prospect(
        "So what would this look like on price for a team like ours?",
    ));
    lines.push(rep(format!(
        "On pricing: for {} sellers on Lumora {}, you'd be at about {} a year, plus a fixed implementation fee.",
        ctx.seats,
        ctx.product,
        dollars(deal.amount_cents)
    )));
    lines.push(prospect(format!(
        "Okay. I know {econ} will want to see that against what we spend on the spreadsheet process today."
    )));
    lines.push(rep("Completely fair. I'll send a one-page TCO comparison and a back-test plan on your last four quarters."));
    lines.push(prospect(
        "That would help. Can we get your security documentation too?",
    ));
    topics.push("next steps".into());
    while lines.len() < 22 {
        lines.push(rep(*g.pick(FILLER_REP)));
        lines.push(prospect(*g.pick(FILLER_PROSPECT)));
    }
    lines.push(rep(format!(
        "Absolutely, SOC 2 Type II report and our security package will be in your inbox today. Shall we book thirty minutes with {econ} next week?"
    )));
    lines.push(prospect("Yes, let's do that. Send me a couple of times."));
    lines.truncate(40);
    Built {
        lines,
        objections,
        topics,
    }
}

fn segments(g: &mut Gen, lines: Vec<Line>) -> Vec<TranscriptSegment> {
    let mut t: u32 = g.int(500, 3_000) as u32;
    lines
        .into_iter()
        .map(|l| {
            let words = l.text.split_whitespace().count() as u32;
            let dur = words * 360 + g.int(300, 1_500) as u32;
            let seg = TranscriptSegment {
                speaker: l.speaker,
                start_ms: t,
                end_ms: t + dur,
                text: l.text,
            };
            t += dur + g.int(150, 1_400) as u32;
            seg
        })
        .collect()
}

pub fn generate(
    g: &mut Gen,
    now: i64,
    deals: &[Deal],
    ctxs: &[DealCtx],
    leads: &[Lead],
) -> Vec<Call> {
    let mut candidates: Vec<usize> = (0..deals.len())
        .filter(|&i| {
            deals[i].stage != DealStage::ClosedLost && deals[i].stage != DealStage::Discovery
        })
        .collect();
    candidates.sort_by_key(|&i| {
        (
            deals[i].owner.as_deref() != Some("Alex Rivera"),
            deals[i].competitors.is_empty(),
            !deals[i].stage.is_open(),
            i,
        )
    });
    let mut calls = Vec::new();
    for (n, &i) in candidates.iter().take(6).enumerate() {
        let deal = &deals[i];
        let Some(ctx) = ctxs.get(i) else { continue };
        let Some(lead) = leads.get(ctx.lead) else {
            continue;
        };
        let card = deal.competitors.first().and_then(|c| battle_cards::spec(c));
        let built = script(g, deal, lead, ctx, card);
        let segs = segments(g, built.lines);
        let duration = segs.last().map(|s| i64::from(s.end_ms)).unwrap_or(0) + 2_000;
        let latest = if deal.stage.is_open() {
            now - 2 * HOUR
        } else {
            deal.created_at + 20 * DAY
        };
        let started_at = g.between(deal.created_at + DAY, latest - duration);
        let started_at = started_at - started_at % (15 * MINUTE);
        let handled = built.objections.iter().filter(|o| o.handled).count();
        let missed = built.objections.len() - handled;
        let sentiment = ((0.15 + 0.2 * handled as f64 - 0.35 * missed as f64 + 0.3 * g.float())
            .clamp(-1.0, 1.0)
            * 100.0)
            .round() as f32
            / 100.0;
        let comp = card.map(|c| c.competitor).unwrap_or("the status quo");
        let champ = champion(deal);
        let summary = format!(
            "{} with {} at {}. They forecast in spreadsheets and missed last quarter; {} is the main alternative. {} objection(s) raised, {} handled. Agreed to send a TCO comparison and security package and to book time with the economic buyer.",
            TITLES[n % TITLES.len()],
            champ,
            lead.company,
            comp,
            built.objections.len(),
            handled
        );
        let mut next = vec![
            format!("Send TCO comparison vs {comp} to {}", first(champ)),
            "Share SOC 2 Type II report and security package".to_string(),
            "Book 30 minutes with the economic buyer next week".to_string(),
        ];
        for o in built.objections.iter().filter(|o| !o.handled) {
            next.push(format!("Answer in writing: \"{}\"", o.objection));
        }
        let email = format!(
            "Subject: Next steps for {company} and Lumora\n\nHi {first},\n\nThanks for your time today. As promised, I'm attaching a one-page TCO comparison against {comp} and our SOC 2 Type II report. \
The short version: for {seats} sellers on Lumora {product}, customers like yours typically see forecast accuracy above 90% within two quarters and pay back in under six months.\n\n\
Could we find 30 minutes next week with your economic buyer to walk through the numbers? Tuesday or Thursday afternoon both work on my side.\n\nBest,\n{owner}",
            company = lead.company,
            first = first(champ),
            seats = ctx.seats,
            product = ctx.product,
            owner = deal.owner.as_deref().unwrap_or("Alex Rivera"),
        );
        let ended_at = started_at + duration;
        calls.push(Call {
            id: g.id(started_at),
            deal_id: Some(deal.id.clone()),
            lead_id: Some(lead.id.clone()),
            title: format!("{} — {}", TITLES[n % TITLES.len()], lead.company),
            started_at,
            ended_at: Some(ended_at),
            segments: segs,
            analysis: Some(CallAnalysis {
                summary,
                sentiment,
                topics: built.topics,
                objections: built.objections,
                next_actions: next,
                follow_up_email: Some(email),
            }),
            created_at: started_at,
            updated_at: (ended_at + g.int(1, 10) * MINUTE).min(now),
        });
    }
    calls
}
