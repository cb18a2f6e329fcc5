//! Measures closer-embed on this machine: embedding throughput, query latency, and exact
//! top-10 search over 20,000 vectors.
//!
//! Usage: closer-embed-bench [--model DIR] [--threads N] [--passages N] [--queries N]
//! (run it in release: `cargo run --release -p closer-embed --bin closer-embed-bench`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use closer_embed::{EmbedOptions, Embedder, VectorIndex, BATCH_SIZE, DIM, MODEL_DIR_NAME};

const INDEX_SIZE: usize = 20_000;
const PASSAGE_WORDS: usize = 120;

const WORDS: &[&str] = &[
    "pricing",
    "renewal",
    "procurement",
    "security",
    "questionnaire",
    "onboarding",
    "pilot",
    "budget",
    "quarter",
    "champion",
    "stakeholder",
    "integration",
    "hospital",
    "finance",
    "discount",
    "contract",
    "legal",
    "review",
    "competitor",
    "incumbent",
    "roadmap",
    "demo",
    "the",
    "a",
    "of",
    "and",
    "to",
    "for",
    "with",
    "our",
    "their",
    "team",
    "customer",
    "cost",
    "savings",
    "implementation",
    "timeline",
    "approval",
    "signed",
    "meeting",
    "next",
    "steps",
    "decision",
    "maker",
    "risk",
    "compliance",
    "migration",
    "support",
    "training",
    "value",
];

struct Args {
    model: PathBuf,
    threads: usize,
    passages: usize,
    queries: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        model: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../models")
            .join(MODEL_DIR_NAME),
        threads: EmbedOptions::default().threads,
        passages: 256,
        queries: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--model" => args.model = PathBuf::from(value),
            "--threads" => args.threads = value.parse().context("--threads")?,
            "--passages" => args.passages = value.parse().context("--passages")?,
            "--queries" => args.queries = value.parse().context("--queries")?,
            _ => bail!("unknown option {flag}"),
        }
    }
    Ok(args)
}

/// xorshift64*: deterministic input without a rand dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n)
            .map(|_| WORDS[(self.next() % WORDS.len() as u64) as usize])
            .collect();
        words.join(" ")
    }

    fn unit_vector(&mut self) -> Vec<f32> {
        let mut v: Vec<f32> = (0..DIM)
            .map(|_| (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }
}

/// CPU seconds this process has used (all threads), from /proc/self/stat on Linux: the
/// cost of the work whatever else the machine is doing, where wall time is not.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0) // USER_HZ is 100 on Linux
}

fn cpu_note(before: Option<f64>, runs: usize) -> String {
    match (before, cpu_seconds()) {
        (Some(a), Some(b)) if runs > 0 => {
            format!("; CPU {:.2} ms per run", (b - a) * 1e3 / runs as f64)
        }
        _ => String::new(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn report(label: &str, mut times: Vec<Duration>, cpu: String) {
    times.sort();
    println!(
        "{label}: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} runs{cpu})",
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 1.0),
        times.len()
    );
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let mut rng = Rng(0x5eed_cafe);
    println!(
        "closer-embed-bench: {} cores available, model threads {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.threads
    );

    let started = Instant::now();
    let embedder = Embedder::load_with(
        &args.model,
        &EmbedOptions {
            threads: args.threads,
        },
    )?;
    println!(
        "model load: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // Throughput: ~120-word passages, BATCH_SIZE per call.
    let passages: Vec<String> = (0..args.passages)
        .map(|_| rng.words(PASSAGE_WORDS))
        .collect();
    let refs: Vec<&str> = passages.iter().map(String::as_str).collect();
    embedder.embed(&refs[..BATCH_SIZE.min(refs.len())])?; // warm-up
    let cpu = cpu_seconds();
    let started = Instant::now();
    for batch in refs.chunks(BATCH_SIZE) {
        embedder.embed(batch)?;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu_rate = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) if b > a => {
            format!(", {:.1} per CPU-second", args.passages as f64 / (b - a))
        }
        _ => String::new(),
    };
    println!(
        "passage embedding: {:.1} passages/s{cpu_rate} ({} passages of {PASSAGE_WORDS} words, batches of {BATCH_SIZE}, {secs:.2} s)",
        args.passages as f64 / secs,
        args.passages
    );

    // Query latency: 2-9 words, one call each.
    let queries: Vec<String> = (0..args.queries).map(|i| rng.words(2 + i % 8)).collect();
    for q in queries.iter().take(10) {
        embedder.embed_query(q)?; // warm-up
    }
    let mut query_times = Vec::with_capacity(queries.len());
    let cpu = cpu_seconds();
    for q in &queries {
        let t = Instant::now();
        embedder.embed_query(q)?;
        query_times.push(t.elapsed());
    }
    report(
        "query embedding (2-9 words)",
        query_times,
        cpu_note(cpu, queries.len()),
    );

    // Exact search: 20,000 random unit vectors, top 10.
    let mut index = VectorIndex::with_capacity(DIM, INDEX_SIZE);
    for i in 0..INDEX_SIZE {
        index.add(format!("item-{i:05}"), &rng.unit_vector())?;
    }
    let probes: Vec<Vec<f32>> = (0..args.queries).map(|_| rng.unit_vector()).collect();
    for p in probes.iter().take(10) {
        index.top_k(p, 10); // warm-up
    }
    let mut search_times = Vec::with_capacity(probes.len());
    let cpu = cpu_seconds();
    for p in &probes {
        let t = Instant::now();
        let top = index.top_k(p, 10);
        search_times.push(t.elapsed());
        if top.len() != 10 {
            bail!("top_k returned {} results", top.len());
        }
    }
    report(
        "top-10 exact search over 20,000 x 384",
        search_times,
        cpu_note(cpu, probes.len()),
    );
    Ok(())
}
