//! Measures Whisper tiny.en on this machine and prints a table: model load time, real-time
//! factor (1 and 2 threads), the cost and accuracy of fitting the encoder to short clips,
//! streaming latency (end of an utterance → its final, start of speech → first partial,
//! fed at real-time pace) and peak memory. Speech is made by espeak-ng.
//!
//! Usage: cargo run --release -p closer-transcribe --bin closer-transcribe-bench [MODEL]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use closer_transcribe::synth::espeak;
use closer_transcribe::{wer, DecodeOptions, StreamOptions, Whisper, SAMPLE_RATE};
use closer_types::{Speaker, SpeechEvent, SpeechStream};

const SENTENCES: [&str; 6] = [
    "Thanks for joining the call today.",
    "I looked at your proposal and the dashboards look great.",
    "My concern is the price, at sixty dollars a seat it is more than we budgeted.",
    "We also had a demo from DataForge last week, and their offer was lower.",
    "If you can include onboarding and a two year price lock,",
    "I can take it to our finance team on Friday.",
];

const VOCABULARY: [&str; 4] = ["Lumora", "DataForge", "NimbusIQ", "Vantage BI"];

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(closer_transcribe::DEFAULT_MODEL));
    let vocabulary: Vec<String> = VOCABULARY.map(String::from).to_vec();

    // Load, three times (the first may read from disk, the later ones from the page cache).
    let mut loads = Vec::new();
    let mut whisper = None;
    for _ in 0..3 {
        drop(whisper.take()); // one model in memory at a time, for the peak below
        let w = Whisper::load(&path).with_context(|| format!("loading {}", path.display()))?;
        loads.push(w.load_time());
        whisper = Some(w);
    }
    let w = whisper.context("no model")?;
    let prompt = w.prompt_tokens(&vocabulary)?;

    // The passage, and each sentence alone.
    let clips: Vec<Vec<f32>> = SENTENCES
        .iter()
        .map(|s| espeak(s, "en-us", 165))
        .collect::<Result<_, _>>()
        .context("espeak-ng (apt-get install espeak-ng)")?;
    let passage_text = SENTENCES.join(" ");
    let gap = vec![0.0f32; SAMPLE_RATE * 3 / 10];
    let mut passage = Vec::new();
    for c in &clips {
        passage.extend_from_slice(c);
        passage.extend_from_slice(&gap);
    }
    let passage_s = passage.len() as f64 / SAMPLE_RATE as f64;

    let mut rows: Vec<(String, String)> = Vec::new();
    let mut row = |k: &str, v: String| {
        println!("{k:<58} {v}");
        rows.push((k.to_string(), v));
    };
    println!(
        "closer-transcribe-bench: {} ({:.1} s passage, {} sentences)\n",
        path.display(),
        passage_s,
        SENTENCES.len()
    );
    let mut sorted = loads.clone();
    sorted.sort();
    row(
        "model load (first / median of 3)",
        format!("{:.3} s / {:.3} s", secs(loads[0]), secs(sorted[1])),
    );

    // Real-time factor over the whole passage, 1 and 2 threads.
    for threads in [1, 2] {
        let opts = DecodeOptions {
            threads,
            prompt: prompt.clone(),
            ..DecodeOptions::default()
        };
        let mut best = f64::MAX;
        let mut text = String::new();
        for _ in 0..2 {
            let t = Instant::now();
            text = w.transcribe(&passage, &opts)?;
            best = best.min(secs(t.elapsed()));
        }
        row(
            &format!("passage, {threads} thread(s): RTF (best of 2) / WER"),
            format!(
                "{:.3} ({best:.2} s) / {:.3}",
                best / passage_s,
                wer(&passage_text, &text)
            ),
        );
    }

    // Short clips: encoder fitted to the clip vs Whisper's 30-s window.
    for fit in [true, false] {
        let opts = DecodeOptions {
            fit_audio_ctx: fit,
            prompt: prompt.clone(),
            ..DecodeOptions::default()
        };
        let (mut time, mut audio, mut errors, mut words) = (0.0, 0.0, 0.0, 0usize);
        for (clip, said) in clips.iter().zip(SENTENCES) {
            let t = Instant::now();
            let text = w.transcribe(clip, &opts)?;
            time += secs(t.elapsed());
            audio += clip.len() as f64 / SAMPLE_RATE as f64;
            let n = closer_transcribe::words(said).len();
            errors += wer(said, &text) * n as f64;
            words += n;
        }
        row(
            &format!(
                "sentence clips, audio_ctx {}: s per clip / RTF / WER",
                if fit { "fitted" } else { "30 s " }
            ),
            format!(
                "{:.3} / {:.3} / {:.3}",
                time / clips.len() as f64,
                time / audio,
                errors / words as f64
            ),
        );
    }

    // Streaming at real-time pace, 20 ms chunks, 1 thread.
    let mut stream = w.stream(
        Speaker::Prospect,
        StreamOptions {
            vocabulary: vocabulary.clone(),
            ..StreamOptions::default()
        },
    )?;
    let mut feed = Vec::new();
    let mut spans = Vec::new(); // (start_ms, end_ms) of each sentence in the fed audio
    let pause = vec![0.0f32; SAMPLE_RATE]; // 1 s between sentences
    feed.extend_from_slice(&pause);
    for c in &clips {
        let start = feed.len() / 16;
        feed.extend_from_slice(c);
        spans.push((start as u64, (feed.len() / 16) as u64));
        feed.extend_from_slice(&pause);
    }
    let t0 = Instant::now();
    let mut events: Vec<(Duration, SpeechEvent)> = Vec::new();
    let mut behind = Duration::ZERO;
    for (i, chunk) in feed.chunks(320).enumerate() {
        let due = Duration::from_millis(20 * i as u64 + 20);
        let now = t0.elapsed();
        if now < due {
            std::thread::sleep(due - now);
        } else {
            behind = behind.max(now - due);
        }
        for e in stream
            .push((20 * i) as u32, chunk)
            .map_err(|e| anyhow::anyhow!(e))?
        {
            events.push((t0.elapsed(), e));
        }
    }
    for e in stream.finish().map_err(|e| anyhow::anyhow!(e))? {
        events.push((t0.elapsed(), e));
    }
    let mut final_lat = Vec::new();
    let mut first_partial = Vec::new();
    let mut n_partials = 0;
    let mut stream_text = String::new();
    for (at, e) in &events {
        match e {
            SpeechEvent::Final(seg) if !seg.text.is_empty() => {
                // The sentence this final ends: the span whose end is nearest.
                if let Some(&(_, end)) = spans
                    .iter()
                    .min_by_key(|(_, end)| end.abs_diff(u64::from(seg.end_ms)))
                {
                    final_lat.push(secs(*at) - end as f64 / 1000.0);
                }
                stream_text.push_str(&seg.text);
                stream_text.push(' ');
            }
            SpeechEvent::Partial { start_ms, .. } => {
                n_partials += 1;
                if let Some(&(start, _)) = spans
                    .iter()
                    .min_by_key(|(s, _)| s.abs_diff(u64::from(*start_ms)))
                {
                    if !first_partial.iter().any(|(s, _)| *s == start) {
                        first_partial.push((start, secs(*at) - start as f64 / 1000.0));
                    }
                }
            }
            _ => {}
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let fp: Vec<f64> = first_partial.iter().map(|(_, l)| *l).collect();
    row(
        "stream (real time): finals / partials / WER",
        format!(
            "{} / {} / {:.3}",
            final_lat.len(),
            n_partials,
            wer(&passage_text, &stream_text)
        ),
    );
    row(
        "stream: end of speech → final (mean / max)",
        format!(
            "{:.2} s / {:.2} s (includes the 0.5 s end-of-utterance silence)",
            mean(&final_lat),
            max(&final_lat)
        ),
    );
    row(
        "stream: start of speech → first partial (mean / max)",
        format!("{:.2} s / {:.2} s", mean(&fp), max(&fp)),
    );
    row(
        "stream: most behind real time",
        format!("{:.2} s", secs(behind)),
    );
    row(
        "peak memory (VmHWM)",
        peak_memory_mb().map_or("n/a".into(), |m| format!("{m:.0} MB")),
    );
    Ok(())
}
