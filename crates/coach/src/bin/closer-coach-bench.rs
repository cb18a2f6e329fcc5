//! Matcher time per segment, with the demo's battle cards loaded.
//!
//! Segments: every line of the demo's recorded calls and every evaluation snippet, each
//! also rewritten as a recogniser would give it (lowercase, no punctuation, fillers
//! inserted, words merged or split), cycled to `--segments N` (default 20,000). Prints
//! the build time of the matcher and p50/p99/max per segment for `Matcher::detect` and
//! for the whole `Coach::on_final_segment` (detection, card choice, repeats, metrics).
//!
//! `cargo run --release -p closer-coach --bin closer-coach-bench [-- --segments N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use closer_coach::eval;
use closer_coach::{
    CallContext, Coach, CoachOptions, Matcher, Speaker, TranscriptSegment, Vocabulary,
};

/// Goal per segment (issue 6).
const GOAL: Duration = Duration::from_millis(5);

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--segments")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(20_000);

    let demo = closer_demo::generate(closer_demo::DEFAULT_SEED, 1_767_225_600_000);
    let t = Instant::now();
    let matcher = Arc::new(Matcher::new(&demo.battle_cards, &Vocabulary::default()));
    let build = t.elapsed();

    let mut base: Vec<(Speaker, String)> = demo
        .calls
        .iter()
        .flat_map(|c| c.segments.iter().map(|s| (s.speaker, s.text.clone())))
        .collect();
    let set = eval::parse(eval::EVAL_SET_JSON)?;
    base.extend(set.snippets.iter().map(|s| (s.speaker, s.text.clone())));
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut segments: Vec<(Speaker, String)> = Vec::with_capacity(n);
    while segments.len() < n {
        for (sp, text) in &base {
            if segments.len() >= n {
                break;
            }
            segments.push((*sp, text.clone()));
            segments.push((*sp, asr_style(text, &mut rng)));
        }
    }
    segments.truncate(n);
    let words: usize = segments
        .iter()
        .map(|(_, t)| t.split_whitespace().count())
        .sum();

    // Warm up, then time detection alone.
    for (_, text) in segments.iter().take(200) {
        std::hint::black_box(matcher.detect(text));
    }
    let mut detect = Vec::with_capacity(n);
    for (_, text) in &segments {
        let t = Instant::now();
        std::hint::black_box(matcher.detect(text));
        detect.push(t.elapsed());
    }

    // The whole per-segment path, as a call would run it (a new call every 40 segments).
    let context = CallContext {
        deal_competitors: vec!["Vantage BI".to_string()],
    };
    let mut full = Vec::with_capacity(n);
    let mut shown = 0usize;
    let mut coach = Coach::for_call(matcher.clone(), &context, CoachOptions::default())?;
    let mut clock = 0u32;
    for (i, (speaker, text)) in segments.iter().enumerate() {
        if i % 40 == 0 {
            coach = Coach::for_call(matcher.clone(), &context, CoachOptions::default())?;
            clock = 0;
        }
        let dur = u32::try_from(text.split_whitespace().count()).unwrap_or(0) * 360 + 400;
        let seg = TranscriptSegment {
            speaker: *speaker,
            start_ms: clock,
            end_ms: clock + dur,
            text: text.clone(),
        };
        clock += dur + 600;
        let t = Instant::now();
        let update = coach.on_final_segment(&seg);
        full.push(t.elapsed());
        shown += update.suggestions.len();
    }

    println!(
        "closer-coach-bench: {} segments ({:.1} words on average), {} battle cards, {} card lines",
        n,
        words as f64 / n.max(1) as f64,
        demo.battle_cards.len(),
        matcher.lines().len()
    );
    println!("matcher build: {:.2} ms", build.as_secs_f64() * 1e3);
    report("Matcher::detect", &mut detect);
    report("Coach::on_final_segment", &mut full);
    println!("suggestions shown: {shown}");
    Ok(())
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort_unstable();
    let pct = |p: f64| -> Duration {
        if times.is_empty() {
            return Duration::ZERO;
        }
        let i = ((times.len() as f64 - 1.0) * p).round() as usize;
        times[i.min(times.len() - 1)]
    };
    let total: Duration = times.iter().sum();
    let mean = total / u32::try_from(times.len().max(1)).unwrap_or(u32::MAX);
    let p99 = pct(0.99);
    println!(
        "{name:<26} p50 {:>7.1} µs  p99 {:>7.1} µs  max {:>8.1} µs  mean {:>7.1} µs  (goal p99 <= {} ms: {})",
        pct(0.5).as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        pct(1.0).as_secs_f64() * 1e6,
        mean.as_secs_f64() * 1e6,
        GOAL.as_millis(),
        if p99 <= GOAL { "met" } else { "NOT met" }
    );
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `text` as a streaming recogniser might write it.
fn asr_style(text: &str, rng: &mut XorShift) -> String {
    let mut out: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        let w: String = w
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .flat_map(char::to_lowercase)
            .collect();
        if w.is_empty() {
            continue;
        }
        match rng.below(20) {
            0 => out.push("um".to_string()),
            1 => out.push("you know".to_string()),
            _ => {}
        }
        match (rng.below(25), out.last_mut()) {
            (0, Some(prev)) => prev.push_str(&w),
            (1, _) if w.len() > 6 => {
                let mid = w
                    .char_indices()
                    .nth(w.chars().count() / 2)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                out.push(w[..mid].to_string());
                out.push(w[mid..].to_string());
            }
            (2, _) => {}
            _ => out.push(w),
        }
    }
    out.join(" ")
}
