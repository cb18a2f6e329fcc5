//! Prints how each demo battle card's objection lines are classified, then what the
//! matcher detects in each text given on the command line (a tuning aid).
//!
//! `cargo run -p closer-coach --example lines -- "we already use vantage"`

fn main() {
    let demo = closer_demo::generate(closer_demo::DEFAULT_SEED, 1_767_225_600_000);
    let m = closer_coach::Matcher::new(&demo.battle_cards, &closer_coach::Vocabulary::default());
    for l in m.lines() {
        println!(
            "{:<20} {:?} {}",
            m.cards()[l.card].competitor,
            l.kinds,
            l.objection
        );
    }
    for t in std::env::args().skip(1) {
        println!("{t}: {:#?}", m.detect(&t).objections);
    }
}
