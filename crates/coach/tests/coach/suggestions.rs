//! Which suggestion a segment brings, and when it is held back.

use std::sync::Arc;

use closer_coach::{
    CallContext, Coach, CoachError, CoachOptions, Matcher, ObjectionKind, SemanticError,
    SemanticModel, Source, Speaker, SuggestionKind, Vocabulary,
};

use super::*;

#[test]
fn too_expensive_brings_the_price_answer_of_the_deals_competitor() {
    let mut coach = coach_with(&["Vantage BI"]);
    let up = coach.on_final_segment(&seg(
        Speaker::Prospect,
        10,
        12,
        "that's too expensive for us",
    ));
    assert_eq!(
        kinds(&up.suggestions),
        vec![objection(ObjectionKind::Price)]
    );
    let s = &up.suggestions[0];
    assert_eq!(card_name(s), Some("Vantage BI"));
    assert_eq!(s.objection.as_deref(), Some("Vantage is cheaper per seat."));
    assert!(
        s.response.starts_with("On the seat line, yes"),
        "{}",
        s.response
    );
    assert_eq!(s.evidence[0].text, "too expensive");
    let card_id = demo_cards()
        .into_iter()
        .find(|c| c.competitor == "Vantage BI")
        .map(|c| c.id);
    assert_eq!(s.card_id, card_id);
}

#[test]
fn a_competitor_named_earlier_in_the_call_picks_the_card() {
    let mut coach = coach_with(&["Vantage BI"]);
    let first = coach.on_final_segment(&seg(
        Speaker::Prospect,
        5,
        9,
        "the data forge folks are pitching us too",
    ));
    assert_eq!(
        kinds(&first.suggestions),
        vec![SuggestionKind::Competitor {
            name: "DataForge".into()
        }]
    );
    let up = coach.on_final_segment(&seg(Speaker::Prospect, 30, 33, "honestly it's pricey"));
    assert_eq!(card_name(&up.suggestions[0]), Some("DataForge"));
    assert!(up.suggestions[0].response.contains("excludes compute"));
}

#[test]
fn with_no_competitor_in_play_a_price_objection_gets_the_general_answer() {
    let mut coach = coach_with(&[]);
    let up = coach.on_final_segment(&seg(Speaker::Prospect, 1, 3, "thats to expensive"));
    assert_eq!(
        kinds(&up.suggestions),
        vec![objection(ObjectionKind::Price)]
    );
    assert_eq!(up.suggestions[0].card_id, None);
    assert_eq!(
        up.suggestions[0].response,
        ObjectionKind::Price.generic_response()
    );
}

#[test]
fn already_using_vantage_bee_eye_brings_the_vantage_card() {
    let mut coach = coach_with(&[]);
    let up = coach.on_final_segment(&seg(
        Speaker::Prospect,
        60,
        64,
        "we're already using vantage bee eye for all of our reporting",
    ));
    assert_eq!(
        kinds(&up.suggestions),
        vec![
            objection(ObjectionKind::Incumbent),
            SuggestionKind::Competitor {
                name: "Vantage BI".into()
            }
        ]
    );
    let inc = &up.suggestions[0];
    assert_eq!(card_name(inc), Some("Vantage BI"));
    assert!(inc.response.starts_with("Keep it."), "{}", inc.response);
    let comp = &up.suggestions[1];
    assert_eq!(comp.evidence[0].text, "vantage bee eye");
    assert_eq!(
        comp.response,
        "Purpose-built revenue forecasting, not a BI tool configured to look like one."
    );
}

#[test]
fn small_talk_and_positive_price_talk_bring_nothing() {
    let mut coach = coach_with(&["Vantage BI"]);
    for (i, text) in [
        "great thanks for having me how was your weekend",
        "the weather in chicago has been brutal this week",
        "no budget issues at all we set money aside for this in january",
        "sure go ahead",
        "whats the status on the proposal",
    ]
    .iter()
    .enumerate()
    {
        let t = 10 * i as u32;
        let up = coach.on_final_segment(&seg(Speaker::Prospect, t, t + 3, text));
        assert!(up.suggestions.is_empty(), "{text}: {:?}", up.suggestions);
    }
}

#[test]
fn the_reps_own_words_raise_no_objection_but_competitors_count() {
    let mut coach = coach_with(&[]);
    let up = coach.on_final_segment(&seg(
        Speaker::Rep,
        1,
        5,
        "I know it can look too expensive, but unlike data forge we include compute",
    ));
    assert_eq!(
        kinds(&up.suggestions),
        vec![SuggestionKind::Competitor {
            name: "DataForge".into()
        }]
    );
}

#[test]
fn several_objections_in_one_breath() {
    let mut coach = coach_with(&[]);
    let up = coach.on_final_segment(&seg(
        Speaker::Prospect,
        1,
        8,
        "look its too expensive and honestly id need our cfo to sign off anyway",
    ));
    let mut k = kinds(&up.suggestions);
    k.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(
        k,
        vec![
            objection(ObjectionKind::Authority),
            objection(ObjectionKind::Price)
        ]
    );
}

#[test]
fn repeats_are_held_back_within_the_window() {
    let mut coach = coach_with(&["Helix Metrics"]);
    let p = Speaker::Prospect;
    assert_eq!(
        coach
            .on_final_segment(&seg(p, 10, 12, "that's too expensive"))
            .suggestions
            .len(),
        1
    );
    assert!(coach
        .on_final_segment(&seg(p, 40, 43, "it's still way too expensive"))
        .suggestions
        .is_empty());
    // Another kind is not held back by it.
    assert_eq!(
        kinds(
            &coach
                .on_final_segment(&seg(p, 50, 53, "and we cant sign a multi year deal"))
                .suggestions
        ),
        vec![objection(ObjectionKind::Contract)]
    );
    // After the window (90 s by default) it comes back.
    assert_eq!(
        coach
            .on_final_segment(&seg(p, 130, 133, "too expensive"))
            .suggestions
            .len(),
        1
    );
}

#[test]
fn an_unknown_speaker_raises_objections_only_when_allowed() {
    let m = matcher();
    let text = "we dont have the budget";
    let mut off =
        Coach::for_call(m.clone(), &CallContext::default(), CoachOptions::default()).unwrap();
    assert!(off
        .on_final_segment(&seg(Speaker::Unknown, 1, 2, text))
        .suggestions
        .is_empty());
    let opts = CoachOptions {
        objections_from_unknown_speaker: true,
        ..CoachOptions::default()
    };
    let mut on = Coach::for_call(m, &CallContext::default(), opts).unwrap();
    assert_eq!(
        kinds(
            &on.on_final_segment(&seg(Speaker::Unknown, 1, 2, text))
                .suggestions
        ),
        vec![objection(ObjectionKind::Price)]
    );
}

#[test]
fn vocabulary_adds_aliases_and_protects_words() {
    let vocab = Vocabulary {
        aliases: vec![("Vantage BI".into(), "VBI".into())],
        protected: vec!["Helixa".into()],
        phrases: vec![(ObjectionKind::Timing, "after the board offsite".into(), 1.0)],
    };
    let m = Matcher::new(&demo_cards(), &vocab);
    let d = m.detect("we use v b i and our partner helixa");
    let names: Vec<&str> = d.competitors.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Vantage BI"]);
    assert!(m
        .detect("lets talk after the board offsite")
        .has(ObjectionKind::Timing));
}

#[test]
fn evidence_points_into_the_segment() {
    let m = matcher();
    let text = "Honestly, Quantive offered us 30 percent off to stay.";
    let d = m.detect(text);
    for e in d.objections.iter().flat_map(|o| &o.evidence) {
        assert_eq!(&text[e.start..e.end], e.text);
    }
    assert_eq!(d.competitors[0].evidence.text, "Quantive");
}

/// A stand-in model: one dimension per keyword.
struct KeywordModel;

impl SemanticModel for KeywordModel {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        Ok(texts
            .iter()
            .map(|t| {
                let t = t.to_lowercase();
                let v: Vec<f32> = ["spreadsheet", "security", "zebra"]
                    .iter()
                    .map(|k| if t.contains(k) { 1.0 } else { 0.0 })
                    .collect();
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                if n == 0.0 {
                    v
                } else {
                    v.iter().map(|x| x / n).collect()
                }
            })
            .collect())
    }
}

struct BrokenModel;

impl SemanticModel for BrokenModel {
    fn embed(&self, _: &[&str]) -> Result<Vec<Vec<f32>>, SemanticError> {
        Err("model file missing".into())
    }
}

#[test]
fn the_semantic_fallback_answers_what_the_words_missed() {
    let m = Matcher::new(&demo_cards(), &Vocabulary::default())
        .with_semantic(Arc::new(KeywordModel), 0.9)
        .unwrap();
    let mut coach = Coach::for_call(
        Arc::new(m),
        &CallContext::default(),
        CoachOptions::default(),
    )
    .unwrap();
    let up = coach.on_final_segment(&seg(
        Speaker::Prospect,
        1,
        4,
        "our spreadsheet gets us there",
    ));
    assert_eq!(up.suggestions.len(), 1);
    assert_eq!(up.suggestions[0].source, Source::Semantic);
    assert_eq!(up.suggestions[0].kind, objection(ObjectionKind::Need));
    // Lexical detections are not second-guessed, and unrelated talk stays quiet.
    assert!(coach
        .on_final_segment(&seg(Speaker::Prospect, 5, 6, "zebra"))
        .suggestions
        .is_empty());
}

#[test]
fn a_failing_semantic_model_is_an_error_not_a_panic() {
    let err = Matcher::new(&demo_cards(), &Vocabulary::default())
        .with_semantic(Arc::new(BrokenModel), 0.6)
        .unwrap_err();
    assert!(matches!(err, CoachError::Semantic(_)), "{err}");
}

#[test]
fn empty_and_odd_segments_are_harmless() {
    let mut coach = coach_with(&[]);
    for text in ["", "   ", "?!", "🙂🙂", "'''", "a"] {
        assert!(coach
            .on_final_segment(&seg(Speaker::Prospect, 5, 1, text))
            .suggestions
            .is_empty());
    }
    let no_cards = Matcher::new(&[], &Vocabulary::default());
    assert!(no_cards.detect("too expensive").has(ObjectionKind::Price));
}

#[test]
fn the_demo_calls_get_their_own_competitors_cards() {
    let demo = closer_demo::generate(closer_demo::DEFAULT_SEED, 1_767_225_600_000);
    let m = matcher();
    for call in &demo.calls {
        let mut coach =
            Coach::for_call(m.clone(), &CallContext::default(), CoachOptions::default()).unwrap();
        let all: Vec<_> = call
            .segments
            .iter()
            .flat_map(|s| coach.on_final_segment(s).suggestions)
            .collect();
        let named: Vec<&str> = all
            .iter()
            .filter_map(|s| match &s.kind {
                SuggestionKind::Competitor { name } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let objections: Vec<_> = all
            .iter()
            .filter(|s| matches!(s.kind, SuggestionKind::Objection { .. }))
            .collect();
        assert!(!objections.is_empty(), "{}: no objection card", call.title);
        if let [one] = named.as_slice() {
            for o in objections.iter().filter(|o| o.card_id.is_some()) {
                assert_eq!(o.competitor.as_deref(), Some(*one), "{:?}", o);
            }
        }
    }
}

#[test]
fn a_partial_raises_its_card_once_and_the_final_does_not_repeat_it() {
    let mut coach = coach_with(&["Vantage BI"]);
    // The words heard so far of an utterance that has not ended.
    let partial = coach.on_partial_segment(&seg(
        Speaker::Prospect,
        10,
        12,
        "honestly your price is too high",
    ));
    assert_eq!(kinds(&partial), vec![objection(ObjectionKind::Price)]);
    assert_eq!(
        coach.metrics().prospect_talk_ms,
        0,
        "partials are not counted"
    );
    // The final of the same utterance: nothing new to show, but its words count.
    let fin = coach.on_final_segment(&seg(
        Speaker::Prospect,
        10,
        14,
        "honestly your price is too high for us",
    ));
    assert!(fin.suggestions.is_empty(), "{:?}", fin.suggestions);
    assert_eq!(coach.metrics().prospect_talk_ms, 4_000);
    // A rep's partial never raises an objection.
    assert!(coach
        .on_partial_segment(&seg(Speaker::Rep, 20, 22, "is the price too high"))
        .is_empty());
}
