//! Cold start to first paint, and idle memory summed over the app's processes (the
//! main process plus WebKit's web and network processes), for Closer and for a bare
//! Tauri window built the same way.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::pct;

struct Sample {
    first_paint: Duration,
    pss_kib: u64,
    rss_kib: u64,
}

pub fn run(app: &str, bare: &str, runs: usize) -> Result<()> {
    let workspace = tempfile::tempdir()?;
    println!("closer-bench app: {runs} runs each, idle memory read 5 s after first paint");
    // A first launch creates the demo workspace; cold starts are measured after it.
    measure(app, workspace.path())?;
    let mut closer = Vec::new();
    let mut baseline = Vec::new();
    for _ in 0..runs {
        closer.push(measure(app, workspace.path())?);
        baseline.push(measure(bare, workspace.path())?);
    }
    let report = |name: &str, s: &[Sample]| {
        let mut paint: Vec<_> = s.iter().map(|x| x.first_paint).collect();
        let mut pss: Vec<u64> = s.iter().map(|x| x.pss_kib).collect();
        pss.sort();
        let mut rss: Vec<u64> = s.iter().map(|x| x.rss_kib).collect();
        rss.sort();
        let p50 = pct(&mut paint, 0.5);
        let pss_mid = pss[pss.len() / 2] as f64 / 1024.0;
        let rss_mid = rss[rss.len() / 2] as f64 / 1024.0;
        println!(
            "{name:<18} first paint p50 {p50:.0} ms; idle memory PSS {pss_mid:.0} MiB (RSS {rss_mid:.0} MiB)"
        );
        (p50, pss_mid)
    };
    let (cp, cm) = report("Closer", &closer);
    let (bp, bm) = report("bare Tauri window", &baseline);
    println!(
        "ratio Closer / bare: cold start {:.2}x, idle memory (PSS) {:.2}x",
        cp / bp,
        cm / bm
    );
    Ok(())
}

fn measure(bin: &str, data_dir: &Path) -> Result<Sample> {
    let ready = data_dir.join("ready.mark");
    let _ = std::fs::remove_file(&ready);
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env("CLOSER_DATA_DIR", data_dir)
        .env("CLOSER_READY_FILE", &ready)
        .env("CLOSER_KEYRING_SERVICE", "closer-bench")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {bin}"))?;
    let result = wait_and_sample(&mut child, &ready, started);
    let _ = child.kill();
    let _ = child.wait();
    // WebKit's helper processes die with their parent; give them a moment.
    std::thread::sleep(Duration::from_millis(500));
    result
}

fn wait_and_sample(child: &mut Child, ready: &Path, started: Instant) -> Result<Sample> {
    while !ready.exists() {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no first paint within 60 s");
        }
        if let Some(status) = child.try_wait()? {
            bail!("the app exited before painting: {status}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let first_paint = started.elapsed();
    std::thread::sleep(Duration::from_secs(5));
    let (pss_kib, rss_kib) = tree_memory(child.id());
    Ok(Sample {
        first_paint,
        pss_kib,
        rss_kib,
    })
}

/// PSS and RSS (KiB) summed over `root` and all its descendants.
fn tree_memory(root: u32) -> (u64, u64) {
    let mut parents = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // The field after the ")" of the command name: state, then ppid.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    let mut pss = 0;
    let mut rss = 0;
    for pid in tree {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            for line in s.lines() {
                let kib = |l: &str| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                if line.starts_with("Pss:") {
                    pss += kib(line);
                } else if line.starts_with("Rss:") {
                    rss += kib(line);
                }
            }
        }
    }
    (pss, rss)
}
