//! `closer-gateway-bench`: what our AI gateway adds to a request, next to what the LiteLLM
//! proxy adds, measured side by side in one run on loopback against the same fake
//! Anthropic API (`closer-claude-fake`).
//!
//! Five paths, N sequential non-streamed requests each, interleaved round-robin (request
//! `i` of every path runs before request `i + 1` of any, starting from a rotating path) so
//! that machine noise hits all of them alike:
//!
//! - `direct`   `closer-claude` `Client::messages` → fake, with exactly the wire request the
//!   gateway would send (`Gateway::build_request`);
//! - `gateway`  `Gateway::send` with `fresh: true` → fake: routing, budget check, rate
//!   limiter, breaker, attempt, pricing, cache write, ledger row;
//! - `hit`      `Gateway::send` of one repeated request (`fresh: false`): a response-cache hit;
//! - `raw`      a plain reqwest POST of the same JSON → fake `/v1/messages` (LiteLLM's baseline);
//! - `litellm`  the same plain reqwest client → LiteLLM proxy `/v1/messages` → fake
//!   (only with `--litellm-url`).
//!
//! Added latency is computed per percentile: `gateway − direct` and `litellm − raw`.
//! Prompts are distinct per request and per path, so nothing is answered from a cache
//! except on the `hit` path.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use closer_claude::{Client, ClientConfig, InputMessage, MessagesRequest, TextBlock};
use closer_claude_fake::FakeAnthropic;
use closer_gateway::{
    AiRequest, Feature, FeatureRate, FixedKey, Gateway, GatewayConfig, ServedFrom,
};
use serde_json::Value;

const API_KEY: &str = "sk-ant-bench";
const USAGE: &str = "\
usage: closer-gateway-bench [options]

  --n N                requests per path (default 2000)
  --warmup N           unmeasured requests per path first (default 200)
  --fake-url URL       use this fake Anthropic API (default: start one in-process)
  --litellm-url URL    also measure the LiteLLM proxy at URL (its /v1/messages route)
  --litellm-model NAME model name the proxy maps to the fake (default claude-bench)
  --litellm-key KEY    the proxy's key (default: $LITELLM_MASTER_KEY, else sk-ant-bench)
  --max-tokens N       max_tokens of each request (default 256: the fake's answers end
                       with end_turn, ~120 tokens, so they are cacheable)
  --json FILE          also write the figures as JSON
  --paths LIST         only these paths, e.g. gateway,direct (for profiling; the
                       added-latency lines need their baselines)
  -h, --help           this text
";

struct Args {
    n: usize,
    warmup: usize,
    fake_url: Option<String>,
    litellm_url: Option<String>,
    litellm_model: String,
    litellm_key: String,
    max_tokens: u32,
    json: Option<String>,
    paths: Option<Vec<Path>>,
}

fn parse_args() -> Result<Option<Args>> {
    let mut a = Args {
        n: 2000,
        warmup: 200,
        fake_url: None,
        litellm_url: None,
        litellm_model: "claude-bench".into(),
        litellm_key: std::env::var("LITELLM_MASTER_KEY").unwrap_or_else(|_| API_KEY.into()),
        max_tokens: 256,
        json: None,
        paths: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--n" => a.n = value()?.parse().context("--n")?,
            "--warmup" => a.warmup = value()?.parse().context("--warmup")?,
            "--fake-url" => a.fake_url = Some(value()?.trim_end_matches('/').to_string()),
            "--litellm-url" => a.litellm_url = Some(value()?.trim_end_matches('/').to_string()),
            "--litellm-model" => a.litellm_model = value()?,
            "--litellm-key" => a.litellm_key = value()?,
            "--max-tokens" => a.max_tokens = value()?.parse().context("--max-tokens")?,
            "--json" => a.json = Some(value()?),
            "--paths" => {
                let list = value()?;
                let mut paths = Vec::new();
                for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    paths.push(
                        Path::parse(name)
                            .with_context(|| format!("--paths: unknown path {name:?}"))?,
                    );
                }
                a.paths = Some(paths);
            }
            other => bail!("unknown argument: {other}\n\n{USAGE}"),
        }
    }
    if a.n == 0 {
        bail!("--n must be at least 1");
    }
    Ok(Some(a))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Path {
    Direct,
    Gateway,
    Hit,
    Raw,
    Litellm,
}

impl Path {
    const ALL: [Path; 5] = [
        Path::Direct,
        Path::Gateway,
        Path::Hit,
        Path::Raw,
        Path::Litellm,
    ];

    fn parse(s: &str) -> Option<Path> {
        Path::ALL
            .into_iter()
            .find(|p| p.short() == s || p.key() == s)
    }
    fn short(self) -> &'static str {
        match self {
            Path::Direct => "direct",
            Path::Gateway => "gateway",
            Path::Hit => "hit",
            Path::Raw => "raw",
            Path::Litellm => "litellm",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Path::Direct => "direct: closer-claude client -> fake",
            Path::Gateway => "gateway: send(fresh) -> fake",
            Path::Hit => "gateway: response-cache hit",
            Path::Raw => "raw: reqwest POST -> fake",
            Path::Litellm => "litellm: reqwest POST -> LiteLLM -> fake",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Path::Direct => "direct",
            Path::Gateway => "gateway",
            Path::Hit => "gateway_cache_hit",
            Path::Raw => "raw",
            Path::Litellm => "litellm",
        }
    }
    /// Same length for every path, so prompts (and answers) are the same size.
    fn tag(self) -> &'static str {
        match self {
            Path::Direct => "dir",
            Path::Gateway => "gwy",
            Path::Hit => "hit",
            Path::Raw => "raw",
            Path::Litellm => "lit",
        }
    }
}

/// A small, distinct summary request.
fn ai_request(path: Path, round: &str, i: usize, max_tokens: u32) -> AiRequest {
    let mut req = AiRequest::new(Feature::Summary, max_tokens);
    req.system = vec![TextBlock::new(
        "Summarize the note in one short sentence for a sales rep.",
    )];
    req.messages = vec![InputMessage::user_text(format!(
        "Note {}-{round}-{i:07}: the customer asked about pricing for 40 seats, \
         a pilot in March and an SSO integration with their identity provider.",
        path.tag()
    ))];
    req
}

struct Bench {
    gateway: Gateway,
    client: Client,
    http: reqwest::Client,
    fake_url: String,
    litellm_url: Option<String>,
    litellm_model: String,
    litellm_key: String,
    max_tokens: u32,
    hit_request: AiRequest,
}

impl Bench {
    /// The exact wire request the gateway would send for `req`.
    fn wire(&self, req: &AiRequest) -> MessagesRequest {
        self.gateway.build_request(req).0
    }

    /// One request on `path`; returns its latency. Everything not part of the call (building
    /// the request, serializing the raw bodies) happens before the clock starts.
    async fn one(&self, path: Path, round: &str, i: usize) -> Result<Duration> {
        match path {
            Path::Direct => {
                let wire = self.wire(&ai_request(path, round, i, self.max_tokens));
                let t = Instant::now();
                let reply = self.client.messages(API_KEY, &wire).await?;
                let d = t.elapsed();
                if reply.value.content.is_empty() {
                    bail!("direct: empty answer");
                }
                Ok(d)
            }
            Path::Gateway => {
                let mut req = ai_request(path, round, i, self.max_tokens);
                req.fresh = true;
                let t = Instant::now();
                let resp = self.gateway.send(req).await?;
                let d = t.elapsed();
                if resp.served_from != ServedFrom::Upstream {
                    bail!("gateway: served from {:?}, not upstream", resp.served_from);
                }
                Ok(d)
            }
            Path::Hit => {
                let req = self.hit_request.clone();
                let t = Instant::now();
                let resp = self.gateway.send(req).await?;
                let d = t.elapsed();
                if resp.served_from != ServedFrom::ResponseCache {
                    bail!("cache hit: served from {:?}", resp.served_from);
                }
                Ok(d)
            }
            Path::Raw | Path::Litellm => {
                let mut wire = self.wire(&ai_request(path, round, i, self.max_tokens));
                // LiteLLM's /v1/messages takes its own key in `x-api-key` and sends the
                // configured Anthropic key upstream.
                let (base, key) = if path == Path::Litellm {
                    wire.model = self.litellm_model.clone();
                    let url = self.litellm_url.as_deref().context("no LiteLLM URL")?;
                    (url, self.litellm_key.as_str())
                } else {
                    (self.fake_url.as_str(), API_KEY)
                };
                let url = format!("{base}/v1/messages");
                let body = serde_json::to_vec(&wire)?;
                let t = Instant::now();
                let resp = self
                    .http
                    .post(&url)
                    .header("x-api-key", key)
                    .header("anthropic-version", "2023-06-01")
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = resp.status();
                let bytes = resp.bytes().await?;
                let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let d = t.elapsed();
                if !status.is_success() || v.get("type").and_then(Value::as_str) != Some("message")
                {
                    bail!(
                        "{}: HTTP {status}: {}",
                        path.key(),
                        String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
                    );
                }
                Ok(d)
            }
        }
    }

    /// `n` rounds over `paths`, each round starting one path further along.
    async fn run(&self, paths: &[Path], round: &str, n: usize) -> Result<Vec<Vec<Duration>>> {
        let mut out = vec![Vec::with_capacity(n); paths.len()];
        for i in 0..n {
            for k in 0..paths.len() {
                let j = (i + k) % paths.len();
                let path = paths[j];
                let d = self
                    .one(path, round, i)
                    .await
                    .with_context(|| format!("{} request {i} ({round})", path.key()))?;
                out[j].push(d);
            }
        }
        Ok(out)
    }
}

#[derive(Clone, Copy, Debug)]
struct Stats {
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
    min: f64,
    max: f64,
}

/// Milliseconds; nearest-rank percentiles.
fn stats(samples: &[Duration]) -> Stats {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let rank = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len());
        ms[rank - 1]
    };
    Stats {
        p50: pct(0.50),
        p90: pct(0.90),
        p99: pct(0.99),
        mean: ms.iter().sum::<f64>() / ms.len() as f64,
        min: ms[0],
        max: ms[ms.len() - 1],
    }
}

fn stats_json(s: &Stats) -> Value {
    serde_json::json!({
        "p50_ms": s.p50, "p90_ms": s.p90, "p99_ms": s.p99,
        "mean_ms": s.mean, "min_ms": s.min, "max_ms": s.max,
    })
}

fn main() -> Result<()> {
    let Some(args) = parse_args()? else {
        print!("{USAGE}");
        return Ok(());
    };

    // An in-process fake gets its own runtime (its own thread), so that serving never waits
    // on the bench's client tasks and vice versa.
    let fake_rt;
    let _fake: Option<FakeAnthropic>;
    let fake_url = match &args.fake_url {
        Some(url) => {
            _fake = None;
            url.clone()
        }
        None => {
            fake_rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("fake")
                .enable_all()
                .build()?;
            let fake = fake_rt.block_on(FakeAnthropic::start())?;
            let url = fake.url();
            _fake = Some(fake);
            url
        }
    };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(bench(args, fake_url))
}

async fn bench(args: Args, fake_url: String) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut cfg = GatewayConfig::new(dir.path().join("ai.sqlite3"), fake_url.clone());
    // The bench goes far faster than any feature's real rate: lift the summary bucket so
    // the limiter is still on the path (one GCRA check per request) but never waits.
    cfg.rate_limits.per_feature.insert(
        Feature::Summary,
        FeatureRate {
            per_minute: 60_000_000,
            burst: 1_000_000,
        },
    );
    let gateway = Gateway::open(cfg, Arc::new(FixedKey(API_KEY.into())))?;
    let client = Client::new(ClientConfig {
        base_url: fake_url.clone(),
        ..ClientConfig::default()
    })?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let hit_request = ai_request(Path::Hit, "cached", 0, args.max_tokens);
    let bench = Bench {
        gateway,
        client,
        http,
        fake_url: fake_url.clone(),
        litellm_url: args.litellm_url.clone(),
        litellm_model: args.litellm_model.clone(),
        litellm_key: args.litellm_key.clone(),
        max_tokens: args.max_tokens,
        hit_request,
    };
    // Prime the cache entry the `hit` path reads.
    let first = bench.gateway.send(bench.hit_request.clone()).await?;
    if first.served_from != ServedFrom::Upstream {
        bail!(
            "the cache-hit request was not fetched first ({:?})",
            first.served_from
        );
    }

    let paths = match &args.paths {
        Some(p) => p.clone(),
        None => {
            let mut p = vec![Path::Direct, Path::Gateway, Path::Hit, Path::Raw];
            if args.litellm_url.is_some() {
                p.push(Path::Litellm);
            }
            p
        }
    };
    if paths.is_empty() {
        bail!("no path to measure");
    }
    if paths.contains(&Path::Litellm) && args.litellm_url.is_none() {
        bail!("the litellm path needs --litellm-url");
    }

    eprintln!(
        "fake: {fake_url}{}; litellm: {}; warm-up {} + measured {} requests per path, interleaved",
        if args.fake_url.is_some() {
            ""
        } else {
            " (in-process)"
        },
        args.litellm_url.as_deref().unwrap_or("not measured"),
        args.warmup,
        args.n
    );
    let t = Instant::now();
    bench.run(&paths, "warm", args.warmup).await?;
    eprintln!("warm-up done in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let samples = bench.run(&paths, "meas", args.n).await?;
    let wall = t.elapsed();
    eprintln!("measured in {:.1} s", wall.as_secs_f64());

    let figures: Vec<(Path, Stats)> = paths
        .iter()
        .zip(&samples)
        .map(|(p, s)| (*p, stats(s)))
        .collect();
    let get = |p: Path| figures.iter().find(|(q, _)| *q == p).map(|(_, s)| *s);

    let mut out = String::new();
    writeln!(
        out,
        "\nLatency per request, ms (n = {} per path, sequential, non-streamed, loopback)",
        args.n
    )?;
    writeln!(
        out,
        "{:<42} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "path", "p50", "p90", "p99", "mean", "min", "max"
    )?;
    for (p, s) in &figures {
        writeln!(
            out,
            "{:<42} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            p.label(),
            s.p50,
            s.p90,
            s.p99,
            s.mean,
            s.min,
            s.max
        )?;
    }

    // Added latency per percentile: (label, key, path, its baseline).
    let pairs = [
        (
            "our gateway (gateway - direct)",
            "gateway",
            Path::Gateway,
            Path::Direct,
        ),
        (
            "cache hit vs direct call (hit - direct)",
            "cache_hit_vs_direct",
            Path::Hit,
            Path::Direct,
        ),
        (
            "LiteLLM proxy (litellm - raw)",
            "litellm",
            Path::Litellm,
            Path::Raw,
        ),
    ];
    let mut added: Vec<(&str, &str, Added)> = Vec::new();
    for (label, key, path, base) in pairs {
        if let (Some(a), Some(b)) = (get(path), get(base)) {
            added.push((label, key, Added::between(a, b)));
        }
    }
    let find = |key: &str| added.iter().find(|(_, k, _)| *k == key).map(|(_, _, a)| *a);
    let gw_added = find("gateway");
    let ratio = match (find("litellm"), gw_added) {
        (Some(l), Some(g)) => Some(Added {
            p50: l.p50 / g.p50,
            p99: l.p99 / g.p99,
            mean: l.mean / g.mean,
        }),
        _ => None,
    };

    if !added.is_empty() {
        writeln!(
            out,
            "\nAdded latency, ms (per percentile: path p - baseline p)"
        )?;
        writeln!(out, "{:<42} {:>8} {:>8} {:>8}", "", "p50", "p99", "mean")?;
        for (label, _, a) in &added {
            writeln!(
                out,
                "{:<42} {:>8.3} {:>8.3} {:>8.3}",
                label, a.p50, a.p99, a.mean
            )?;
        }
    }
    if let Some(r) = ratio {
        let x = |v: f64| {
            if v.is_finite() && v > 0.0 {
                format!("{:>7.1}x", v)
            } else {
                format!("{:>8}", "n/a")
            }
        };
        writeln!(
            out,
            "{:<42} {} {} {}",
            "ratio LiteLLM-added / gateway-added",
            x(r.p50),
            x(r.p99),
            x(r.mean)
        )?;
    }
    if let Some(g) = gw_added {
        writeln!(
            out,
            "\nGoal: gateway added p99 <= 1 ms: {} ({:.3} ms)",
            if g.p99 <= 1.0 { "MET" } else { "NOT MET" },
            g.p99
        )?;
    }
    print!("{out}");

    if let Some(path) = &args.json {
        let paths_json: serde_json::Map<String, Value> = figures
            .iter()
            .map(|(p, s)| (p.key().to_string(), stats_json(s)))
            .collect();
        let added_json: serde_json::Map<String, Value> = added
            .iter()
            .map(|(_, k, a)| (k.to_string(), a.json("_ms")))
            .collect();
        let doc = serde_json::json!({
            "n": args.n,
            "warmup": args.warmup,
            "fake_url": fake_url,
            "litellm_url": args.litellm_url,
            "wall_s": wall.as_secs_f64(),
            "paths": paths_json,
            "added": added_json,
            "ratio_litellm_added_over_gateway_added": ratio.map(|r| r.json("")),
            "goal_gateway_added_p99_ms": 1.0,
            "goal_met": gw_added.map(|g| g.p99 <= 1.0),
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("cannot write {path}"))?;
    }
    Ok(())
}

/// `path − baseline`, per percentile (not the percentile of differences: the runs are
/// independent samples).
#[derive(Clone, Copy, Debug)]
struct Added {
    p50: f64,
    p99: f64,
    mean: f64,
}

impl Added {
    fn between(a: Stats, b: Stats) -> Added {
        Added {
            p50: a.p50 - b.p50,
            p99: a.p99 - b.p99,
            mean: a.mean - b.mean,
        }
    }
    fn json(&self, suffix: &str) -> Value {
        let mut m = serde_json::Map::new();
        m.insert(format!("p50{suffix}"), self.p50.into());
        m.insert(format!("p99{suffix}"), self.p99.into());
        m.insert(format!("mean{suffix}"), self.mean.into());
        Value::Object(m)
    }
}
