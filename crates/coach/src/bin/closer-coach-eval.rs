//! Scores the coaching matcher on `eval/coaching.json` with the demo's battle cards:
//! precision, recall and F1, micro and per kind, on the whole set, the dev half (the
//! patterns were tuned on it) and the held-out half (never looked at while tuning).
//!
//! `cargo run --release -p closer-coach --bin closer-coach-eval [-- --all-misses] [--json]`
//! Lists the dev misses; `--all-misses` lists the held-out ones too.

use std::sync::Arc;

use closer_coach::eval::{self, Report, Split};
use closer_coach::{Matcher, Vocabulary};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let all_misses = args.iter().any(|a| a == "--all-misses");
    let json = args.iter().any(|a| a == "--json");

    let demo = closer_demo::generate(closer_demo::DEFAULT_SEED, 1_767_225_600_000);
    let matcher = Arc::new(Matcher::new(&demo.battle_cards, &Vocabulary::default()));
    let set = eval::parse(eval::EVAL_SET_JSON)?;

    let full = eval::evaluate(&matcher, &set.snippets)?;
    let dev = eval::evaluate(
        &matcher,
        set.snippets.iter().filter(|s| s.split() == Split::Dev),
    )?;
    let held = eval::evaluate(
        &matcher,
        set.snippets.iter().filter(|s| s.split() == Split::HeldOut),
    )?;

    if json {
        let out = serde_json::json!({ "full": full, "dev": dev, "held_out": held });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "coaching eval: {} snippets, {} battle cards (demo), lexical matcher\n",
        set.snippets.len(),
        demo.battle_cards.len()
    );
    print_report("full set", &full);
    print_report("dev half (odd ids; tuned on)", &dev);
    print_report("held-out half (even ids; not tuned on)", &held);

    println!("misses, dev half ({}):", dev.misses.len());
    print_misses(&dev);
    if all_misses {
        println!("misses, held-out half ({}):", held.misses.len());
        print_misses(&held);
    } else {
        println!(
            "misses, held-out half: {} (not listed; --all-misses lists them)",
            held.misses.len()
        );
    }
    let goal = 0.9;
    println!(
        "\nmicro F1 full {:.3}, held-out {:.3} (goal >= {goal})",
        full.micro.f1(),
        held.micro.f1()
    );
    Ok(())
}

fn print_report(title: &str, r: &Report) {
    println!("== {title}: {} snippets", r.snippets);
    println!(
        "  {:<12} {:>9} {:>9} {:>9} {:>5} {:>5} {:>5}",
        "label", "precision", "recall", "F1", "tp", "fp", "fn"
    );
    let line = |name: &str, c: &eval::Counts| {
        println!(
            "  {:<12} {:>9.3} {:>9.3} {:>9.3} {:>5} {:>5} {:>5}",
            name,
            c.precision(),
            c.recall(),
            c.f1(),
            c.tp,
            c.fp,
            c.fn_
        );
    };
    line("micro", &r.micro);
    for (k, c) in &r.per_kind {
        line(k, c);
    }
    println!();
}

fn print_misses(r: &Report) {
    for m in &r.misses {
        println!(
            "  #{:<3} {:?}: {:?}\n        missed {:?}, extra {:?}",
            m.id, m.speaker, m.text, m.missed, m.extra
        );
    }
}
