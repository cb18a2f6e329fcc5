//! Streaming: a prospect's side of a sales call, spoken by espeak-ng with pauses of room
//! noise, fed in 20-100 ms chunks as the capture thread would.

use closer_transcribe::{wer, StreamOptions, WhisperStream};
use closer_types::{Speaker, SpeechEvent, SpeechStream, TranscriptSegment};

use crate::{room, speak, whisper};

/// The prospect's lines: a price objection and a competitor from the demo battle cards
/// (crates/demo: Lumora's competitors DataForge, NimbusIQ, Vantage BI...).
const LINES: [&str; 3] = [
    "Honestly, the price is too high for us this year.",
    "We are also looking at DataForge, and their quote was much lower.",
    "Could you do better on a two year contract?",
];

/// The competitor names a rep's battle cards carry.
fn vocabulary() -> Vec<String> {
    [
        "Lumora",
        "DataForge",
        "NimbusIQ",
        "Vantage BI",
        "Quantive",
        "OrbitalOps",
    ]
    .map(String::from)
    .to_vec()
}

struct Fed {
    events: Vec<SpeechEvent>,
    /// Where each line is in the fed audio (ms).
    spans: Vec<(u32, u32)>,
}

/// Speaks `lines` with `gap_ms` of room noise before, between and after, and feeds them
/// in chunks of 20, 60 and 100 ms in turn, starting at call time `offset_ms`.
fn feed(stream: &mut WhisperStream, lines: &[&str], gap_ms: usize, offset_ms: u32) -> Option<Fed> {
    let mut seed = 11;
    let mut audio = room(gap_ms, &mut seed);
    let mut spans = Vec::new();
    for line in lines {
        let speech = speak(line, "en-us", 165)?;
        let start = offset_ms + (audio.len() / 16) as u32;
        audio.extend(&speech);
        spans.push((start, offset_ms + (audio.len() / 16) as u32));
        audio.extend(room(gap_ms, &mut seed));
    }
    let mut events = Vec::new();
    let mut at = 0;
    for ms in [20usize, 60, 100].into_iter().cycle() {
        if at >= audio.len() {
            break;
        }
        let end = (at + ms * 16).min(audio.len());
        let start_ms = offset_ms + (at / 16) as u32;
        events.extend(stream.push(start_ms, &audio[at..end]).unwrap());
        at = end;
    }
    events.extend(stream.finish().unwrap());
    Some(Fed { events, spans })
}

fn finals(events: &[SpeechEvent]) -> Vec<&TranscriptSegment> {
    events
        .iter()
        .filter_map(|e| match e {
            SpeechEvent::Final(s) if !s.text.is_empty() => Some(s),
            _ => None,
        })
        .collect()
}

#[test]
fn a_spoken_objection_comes_out_as_timed_finals_after_partials() {
    let Some(w) = whisper() else { return };
    let mut stream = w
        .stream(
            Speaker::Prospect,
            StreamOptions {
                vocabulary: vocabulary(),
                ..StreamOptions::default()
            },
        )
        .unwrap();
    let Some(fed) = feed(&mut stream, &LINES, 1200, 5_000) else {
        return;
    };
    let finals = finals(&fed.events);
    for e in &fed.events {
        println!("{e:?}");
    }
    assert_eq!(
        finals.len(),
        LINES.len(),
        "one final per sentence: {finals:#?}"
    );

    let mut total = 0.0;
    for ((line, (start, end)), seg) in LINES.iter().zip(&fed.spans).zip(&finals) {
        let e = wer(line, &seg.text);
        total += e;
        println!("WER {e:.3}: {line:?} → {:?}", seg.text);
        assert!(e <= 0.25, "WER {e:.3} for {line:?}: heard {:?}", seg.text);
        assert_eq!(seg.speaker, Speaker::Prospect);
        // Call-relative times, within the pre-roll and hangover of the spoken line.
        assert!(
            seg.start_ms + 400 >= *start && seg.start_ms <= start + 300,
            "start {} vs {start}",
            seg.start_ms
        );
        assert!(
            seg.end_ms + 400 >= *end && seg.end_ms <= end + 400,
            "end {} vs {end}",
            seg.end_ms
        );
    }
    println!(
        "mean WER over the dialogue: {:.3}",
        total / LINES.len() as f64
    );

    // Every final with more than a second of speech was previewed by a partial of the same
    // utterance (same start), and the partials came before it.
    for (i, seg) in finals.iter().enumerate() {
        let final_at = fed
            .events
            .iter()
            .position(|e| matches!(e, SpeechEvent::Final(s) if s == *seg))
            .unwrap();
        let partial_at = fed.events.iter().position(
            |e| matches!(e, SpeechEvent::Partial { start_ms, .. } if *start_ms == seg.start_ms),
        );
        let partial_at = partial_at.unwrap_or_else(|| panic!("no partial for line {i}"));
        assert!(partial_at < final_at);
        assert!(
            !fed.events[final_at + 1..].iter().any(
                |e| matches!(e, SpeechEvent::Partial { start_ms, .. } if *start_ms == seg.start_ms)
            ),
            "a partial after its final"
        );
    }
}

#[test]
fn the_vocabulary_prompt_spells_the_competitor_right() {
    let Some(w) = whisper() else { return };
    let line = ["We are also looking at DataForge and NimbusIQ."];
    let heard = |vocabulary: Vec<String>| -> Option<String> {
        let mut s = w
            .stream(
                Speaker::Prospect,
                StreamOptions {
                    vocabulary,
                    ..StreamOptions::default()
                },
            )
            .unwrap();
        let fed = feed(&mut s, &line, 600, 0)?;
        Some(
            finals(&fed.events)
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    let Some(plain) = heard(Vec::new()) else {
        return;
    };
    let Some(prompted) = heard(vocabulary()) else {
        return;
    };
    println!("without the prompt: {plain:?}\nwith the prompt:    {prompted:?}");
    assert!(
        !plain.contains("DataForge"),
        "the test needs a name Whisper gets wrong unprompted"
    );
    assert!(prompted.contains("DataForge"), "heard {prompted:?}");
}

#[test]
fn silence_and_a_click_give_no_transcript() {
    let Some(w) = whisper() else { return };
    let mut s = w.stream(Speaker::Rep, StreamOptions::default()).unwrap();
    let mut seed = 3;
    let mut audio = room(2000, &mut seed);
    for x in audio.iter_mut().skip(16_000).take(400) {
        *x = 0.7;
    }
    audio.extend(vec![0.0; 16_000]);
    let mut events = s.push(0, &audio).unwrap();
    events.extend(s.finish().unwrap());
    assert!(finals(&events).is_empty(), "{events:?}");
}
