//! The evaluation set is well formed and the matcher still meets its goal on it.

use closer_coach::eval::{self, Split};

#[test]
fn the_set_has_both_halves_and_enough_snippets() {
    let set = eval::parse(eval::EVAL_SET_JSON).unwrap();
    assert!(set.snippets.len() >= 60);
    let dev = set
        .snippets
        .iter()
        .filter(|s| s.split() == Split::Dev)
        .count();
    assert_eq!(dev * 2, set.snippets.len());
    let mut ids: Vec<u32> = set.snippets.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), set.snippets.len());
    let cards = super::demo_cards();
    for s in &set.snippets {
        for c in &s.competitors {
            assert!(cards.iter().any(|k| &k.competitor == c), "#{}: {c}", s.id);
        }
        if s.speaker == closer_coach::Speaker::Rep {
            assert!(
                s.objections.is_empty(),
                "#{}: rep lines carry no objections",
                s.id
            );
        }
    }
}

#[test]
fn the_matcher_meets_the_f1_goal_on_both_halves() {
    let set = eval::parse(eval::EVAL_SET_JSON).unwrap();
    let m = super::matcher();
    for split in [Split::Dev, Split::HeldOut] {
        let r = eval::evaluate(&m, set.snippets.iter().filter(|s| s.split() == split)).unwrap();
        assert!(r.micro.f1() >= 0.9, "{split:?}: {:?}", r.micro);
    }
}
