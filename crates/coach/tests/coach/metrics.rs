//! Talk ratio, monologues, questions, fillers and pace on scripted dialogues.

use closer_coach::{AlertKind, CallContext, Coach, CoachOptions, MetricsOptions, Speaker};

use super::*;

#[test]
fn a_scripted_dialogue_adds_up() {
    let mut coach = coach_with(&[]);
    let r = Speaker::Rep;
    let p = Speaker::Prospect;
    // 0-20 s rep: 15 words, one question, one "um".
    let a = coach.on_final_segment(&seg(
        r,
        0,
        20,
        "Hi Sam, um, thanks for making the time. How are you building the forecast today?",
    ));
    assert!(a.alerts.is_empty());
    // 21-41 s prospect.
    coach.on_final_segment(&seg(
        p,
        21,
        41,
        "Honestly it's a spreadsheet. Every Monday the managers export from the CRM.",
    ));
    // 42-100 s rep: no punctuation, fillers "like", "you know", "basically"; no question.
    let b = coach.on_final_segment(&seg(r, 42, 100, "so like you know we pull the crm data every five minutes and basically the managers see it"));
    assert_eq!(
        b.alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AlertKind::RepTalkRatio]
    );
    // 101-150 s rep again, one second later: the same monologue, now 108 s long.
    let c = coach.on_final_segment(&seg(
        r,
        101,
        150,
        "and what would a great quarter look like for you",
    ));
    assert_eq!(
        c.alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![AlertKind::Monologue]
    );

    let m = coach.metrics();
    assert_eq!(m.rep_talk_ms, 127_000);
    assert_eq!(m.prospect_talk_ms, 20_000);
    assert!((m.rep_talk_ratio - 127.0 / 147.0).abs() < 1e-4);
    let longest = m.longest_monologue.unwrap();
    assert_eq!(
        (longest.speaker, longest.start_ms, longest.end_ms),
        (r, 42_000, 150_000)
    );
    assert_eq!(m.rep_questions, 2);
    assert_eq!(m.prospect_questions, 0);
    assert_eq!(m.rep_words, 15 + 18 + 10);
    assert!((m.rep_wpm - 43.0 * 60_000.0 / 127_000.0).abs() < 1e-3);
    assert_eq!(m.rep_fillers, 4);
    assert_eq!(m.rep_filler_counts.get("you know"), Some(&1));
    // "look like for you" is not a filler.
    assert_eq!(m.rep_filler_counts.get("like"), Some(&1));
    let active: Vec<AlertKind> = m.active_alerts.iter().map(|a| a.kind).collect();
    assert_eq!(active, vec![AlertKind::RepTalkRatio, AlertKind::Monologue]);
    // The ratio alert keeps the time it was first raised.
    assert_eq!(m.active_alerts[0].at_ms, 100_000);
}

#[test]
fn fast_talk_raises_the_pace_alert_once() {
    let mut coach = coach_with(&[]);
    let words = vec!["word"; 70].join(" ");
    // 70 words in 20 s: 210 words a minute.
    let a = coach.on_final_segment(&seg(Speaker::Rep, 0, 20, &words));
    assert!(a
        .alerts
        .iter()
        .any(|a| a.kind == AlertKind::Pace && (a.value - 210.0).abs() < 0.5));
    // Still fast: the alert holds but is not raised again.
    let b = coach.on_final_segment(&seg(Speaker::Rep, 21, 41, &words));
    assert!(b.alerts.iter().all(|a| a.kind != AlertKind::Pace));
    assert!(coach
        .metrics()
        .active_alerts
        .iter()
        .any(|a| a.kind == AlertKind::Pace));
}

#[test]
fn a_balanced_call_raises_nothing() {
    let mut coach = coach_with(&[]);
    let mut t = 0;
    for i in 0..20 {
        let speaker = if i % 2 == 0 {
            Speaker::Rep
        } else {
            Speaker::Prospect
        };
        let up = coach.on_final_segment(&seg(
            speaker,
            t,
            t + 15,
            "we talk about the forecast and the managers in a calm and normal way here",
        ));
        assert!(up.alerts.is_empty(), "{:?}", up.alerts);
        t += 16;
    }
    let m = coach.metrics();
    assert!((m.rep_talk_ratio - 0.5).abs() < 1e-6);
    assert!(m.active_alerts.is_empty());
}

#[test]
fn the_talk_ratio_looks_at_the_last_five_minutes() {
    let mut coach = coach_with(&[]);
    // Ten minutes of the prospect talking, then the rep talks for two minutes.
    coach.on_final_segment(&seg(Speaker::Prospect, 0, 600, "long story"));
    let up = coach.on_final_segment(&seg(Speaker::Rep, 601, 720, "our answer"));
    let m = coach.metrics();
    assert!(m.rep_talk_ratio < 0.2);
    // Last five minutes: 119 s rep against 179 s prospect.
    assert!(
        (m.recent_rep_talk_ratio - 119.0 / 298.0).abs() < 0.01,
        "{}",
        m.recent_rep_talk_ratio
    );
    assert!(up.alerts.iter().all(|a| a.kind != AlertKind::RepTalkRatio));
}

#[test]
fn invalid_options_are_refused() {
    let opts = CoachOptions {
        metrics: MetricsOptions {
            talk_ratio_alert: 1.5,
            ..MetricsOptions::default()
        },
        ..CoachOptions::default()
    };
    assert!(Coach::for_call(matcher(), &CallContext::default(), opts).is_err());
}
