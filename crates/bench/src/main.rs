//! `closer-bench data`: leads page on 100K leads, lexical search over 20K content
//! items, CSV import of 100K leads (all on real SQLite files, release build).
//! `closer-bench app --app BIN --bare BIN`: cold start to first paint and idle memory
//! of the app against a bare Tauri window (run under a display, e.g. xvfb-run).
//! `closer-bench library`: a 20-page PDF saved in a watched folder to searchable.

mod app;
mod data;
mod library;

use std::time::Duration;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("data") => data::run(),
        Some("library") => {
            let model = args
                .iter()
                .position(|a| a == "--model")
                .and_then(|i| args.get(i + 1))
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    Some(
                        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                            .join("../../models/all-minilm-l6-v2"),
                    )
                });
            let runs = args
                .iter()
                .position(|a| a == "--runs")
                .and_then(|i| args.get(i + 1))
                .and_then(|r| r.parse().ok())
                .unwrap_or(5);
            library::run(model, runs)
        }
        Some("app") => {
            let flag = |name: &str| {
                args.iter()
                    .position(|a| a == name)
                    .and_then(|i| args.get(i + 1))
                    .cloned()
            };
            let app = flag("--app").ok_or_else(|| anyhow::anyhow!("--app BIN is required"))?;
            let bare = flag("--bare").ok_or_else(|| anyhow::anyhow!("--bare BIN is required"))?;
            let runs = flag("--runs").and_then(|r| r.parse().ok()).unwrap_or(5);
            app::run(&app, &bare, runs)
        }
        _ => {
            eprintln!(
                "usage: closer-bench data | closer-bench library [--model DIR] [--runs N] | closer-bench app --app BIN --bare BIN [--runs N]"
            );
            std::process::exit(2);
        }
    }
}

/// Percentile of a sorted-on-demand sample, in milliseconds.
pub fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    if samples.is_empty() {
        return f64::NAN;
    }
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx.min(samples.len() - 1)].as_secs_f64() * 1000.0
}
