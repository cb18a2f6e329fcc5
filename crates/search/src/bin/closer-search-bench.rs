//! Search latency over a large library, offline: indexes `closer_demo::bulk_content`
//! (20,000 items by default, vectors included) and times 300 queries in each mode, the
//! query's embedding included. Goal: hybrid p95 <= 20 ms.
//!
//! Embedding 20,000 items takes a long while on two cores, so the built index is kept
//! under `target/closer-search-bench/` (keyed by item count, seed and index format) and
//! reused by later runs; `--rebuild` starts over.
//!
//! Usage: closer-search-bench [--items N] [--queries N] [--model DIR] [--rebuild]
//! (run it in release: `cargo run --release -p closer-search --bin closer-search-bench`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use closer_embed::{Embedder, MODEL_DIR_NAME};
use closer_search::{Mode, SearchContext, SearchIndex};
use serde::Deserialize;

const NOW: i64 = 1_793_491_200_000;
const SEED: u64 = closer_demo::DEFAULT_SEED;
/// Part of the cache key: bump when the index format changes.
const CACHE_FORMAT: u32 = 1;

struct Args {
    items: usize,
    queries: usize,
    model: Option<PathBuf>,
    rebuild: bool,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        items: 20_000,
        queries: 300,
        model: Some(repo_root().join("models").join(MODEL_DIR_NAME)),
        rebuild: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--items" => a.items = it.next().context("--items N")?.parse()?,
            "--queries" => a.queries = it.next().context("--queries N")?.parse()?,
            "--model" => a.model = Some(PathBuf::from(it.next().context("--model DIR")?)),
            "--no-model" => a.model = None,
            "--rebuild" => a.rebuild = true,
            _ => bail!("unknown option {flag}"),
        }
    }
    Ok(a)
}

#[derive(Deserialize)]
struct QueryFile {
    queries: Vec<EvalQuery>,
}

#[derive(Deserialize)]
struct EvalQuery {
    query: String,
}

/// xorshift64*: deterministic variations without a rand dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

/// The evaluation queries, then variations of the kind reps type: facet combinations,
/// competitor and compliance look-ups, short keywords, typos.
fn queries(n: usize) -> anyhow::Result<Vec<String>> {
    let path = repo_root().join("eval/content-search/queries.json");
    let file: QueryFile = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    let mut out: Vec<String> = file.queries.into_iter().map(|q| q.query).collect();
    let kinds = [
        "case studies",
        "deck",
        "one pager",
        "ROI calculator",
        "email",
        "whitepaper",
        "video",
        "price list",
    ];
    let industries = [
        "healthcare",
        "bank",
        "manufacturing",
        "retail",
        "SaaS",
        "university",
        "government",
        "utility",
        "freight",
        "insurance",
    ];
    let personas = [
        "CFO",
        "CIO",
        "VP of sales",
        "chief revenue officer",
        "head of ops",
        "procurement",
        "CISO",
        "CEO",
        "revops",
    ];
    let concerns = [
        "ROI",
        "payback",
        "forecast accuracy",
        "integration",
        "security review",
        "implementation",
        "data quality",
        "pipeline visibility",
        "TCO",
        "pricing",
    ];
    let others = [
        "Vantage BI",
        "DataForge",
        "Clearpath",
        "Quantive",
        "NimbusIQ",
        "Stratus Cloud",
        "Helix Metrics",
        "OrbitalOps",
        "HIPAA",
        "SOC 2",
        "FERPA",
        "PCI",
        "NERC CIP",
        "StateRAMP",
    ];
    let typos = [
        "healthcar",
        "manufacturng",
        "insurence",
        "retial",
        "whitepapper",
        "Vantge BI",
        "finnance",
        "secruity",
    ];
    let mut rng = Rng(0x5EED_0F5E_A2C4_0001);
    let mut i = 0;
    while out.len() < n {
        let q = match i % 5 {
            0 => format!(
                "{} for {} {}s worried about {}",
                rng.pick(&kinds),
                rng.pick(&industries),
                rng.pick(&personas),
                rng.pick(&concerns)
            ),
            1 => format!("{} {}", rng.pick(&others), rng.pick(&concerns)),
            2 => format!("{} {}", rng.pick(&industries), rng.pick(&kinds)),
            3 => format!(
                "{} {} {}",
                rng.pick(&typos),
                rng.pick(&personas),
                rng.pick(&kinds)
            ),
            _ => format!(
                "something to show a {} at a {} about {}",
                rng.pick(&personas),
                rng.pick(&industries),
                rng.pick(&concerns)
            ),
        };
        out.push(q);
        i += 1;
    }
    out.truncate(n);
    Ok(out)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Builds the index at `path` (into a temporary name first, so an interrupted build is
/// never mistaken for a finished one). Returns a line describing the build.
fn build(path: &Path, n: usize, embedder: Option<Arc<Embedder>>) -> anyhow::Result<String> {
    let partial = path.with_extension("partial");
    for p in [
        &partial,
        &partial.with_extension("partial-wal"),
        &partial.with_extension("partial-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
    let t = Instant::now();
    let items = closer_demo::bulk_content(SEED, n, NOW);
    println!("generated {n} items in {:.1} s", t.elapsed().as_secs_f64());
    let index = SearchIndex::open(&partial, embedder)?;
    let started = Instant::now();
    let mut last = Instant::now();
    index.upsert_many(&items, |done, total| {
        if last.elapsed() > Duration::from_secs(30) || done == total {
            last = Instant::now();
            let (p, _) = index.passage_counts().unwrap_or((0, 0));
            let secs = started.elapsed().as_secs_f64();
            println!(
                "  {done}/{total} items, {p} passages, {:.0} s, {:.1} passages/s",
                secs,
                p as f64 / secs.max(1e-9)
            );
        }
    })?;
    let secs = started.elapsed().as_secs_f64();
    let (passages, vectors) = index.passage_counts()?;
    drop(index);
    std::fs::rename(&partial, path)?;
    for ext in ["partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(partial.with_extension(ext));
    }
    Ok(format!(
        "first build: {n} items, {passages} passages, {vectors} vectors in {secs:.0} s \
         ({:.1} passages/s including embeddings)",
        passages as f64 / secs.max(1e-9)
    ))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_mode(index: &SearchIndex, qs: &[String], mode: Mode) -> anyhow::Result<Vec<f64>> {
    let ctx = SearchContext {
        deal_industry: Some("Healthcare".into()),
        deal_competitors: vec!["Vantage BI".into()],
        now_millis: NOW,
    };
    // Warm up caches (SQLite pages, the model's buffers).
    for q in qs.iter().take(20) {
        index.search(q, &ctx, mode, 10)?;
    }
    let mut ms = Vec::with_capacity(qs.len());
    for q in qs {
        let t = Instant::now();
        let hits = index.search(q, &ctx, mode, 10)?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(hits);
    }
    ms.sort_by(f64::total_cmp);
    Ok(ms)
}

fn report(label: &str, ms: &[f64]) {
    println!(
        "{label:<26} p50 {:>6.2} ms   p95 {:>6.2} ms   max {:>7.2} ms   ({} queries)",
        percentile(ms, 0.5),
        percentile(ms, 0.95),
        ms.last().copied().unwrap_or(0.0),
        ms.len()
    );
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let embedder = match &args.model {
        Some(dir) => match Embedder::load(dir) {
            Ok(e) => Some(Arc::new(e)),
            Err(e) => {
                eprintln!("note: {e}; benchmarking keyword search only");
                None
            }
        },
        None => None,
    };
    let dir = target_dir().join("closer-search-bench");
    std::fs::create_dir_all(&dir)?;
    let name = format!(
        "index-{}-{SEED:016x}-v{CACHE_FORMAT}{}.sqlite3",
        args.items,
        if embedder.is_some() { "" } else { "-nomodel" }
    );
    let path = dir.join(name);
    let note = PathBuf::from(format!("{}.build.txt", path.display()));
    if args.rebuild || !path.exists() {
        let line = build(&path, args.items, embedder.clone())?;
        println!("{line}");
        std::fs::write(&note, &line)?;
    } else {
        let line =
            std::fs::read_to_string(&note).unwrap_or_else(|_| "first build: (not recorded)".into());
        println!("reusing {} ({line})", path.display());
    }

    let t = Instant::now();
    let index = SearchIndex::open(&path, embedder.clone())?;
    let (passages, vectors) = index.passage_counts()?;
    println!(
        "opened: {} items, {passages} passages, {vectors} vectors in memory, in {:.2} s",
        index.len()?,
        t.elapsed().as_secs_f64()
    );
    let qs = queries(args.queries)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{} queries, k = 10, {cores} cores; query embedding included\n",
        qs.len()
    );

    report("bm25", &time_mode(&index, &qs, Mode::Bm25)?);
    if embedder.is_some() {
        report("vector", &time_mode(&index, &qs, Mode::Vector)?);
        report("hybrid", &time_mode(&index, &qs, Mode::Hybrid)?);
        if let Some(e) = &embedder {
            let mut ms = Vec::new();
            for q in &qs {
                let t = Instant::now();
                std::hint::black_box(e.embed_query(q)?);
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            ms.sort_by(f64::total_cmp);
            report("  of which: query embedding", &ms);
        }
    }
    drop(index);
    let keyword_only = SearchIndex::open(&path, None)?;
    report(
        "hybrid without the model",
        &time_mode(&keyword_only, &qs, Mode::Hybrid)?,
    );
    Ok(())
}
