//! Live calls through the core on a real SQLite workspace: consent and the do-not-call
//! list, the transcript saved as it arrives (and kept when the app dies mid-call), echo
//! suppression between the channels, a missing microphone, and the post-call analysis from
//! the fake Claude landing on the deal's timeline and in its health score.
//!
//! The speech engine here is scripted (this file only): it "hears" a line when the audio
//! fed to it up to the line's end is loud enough, so the pipeline (rings, gating, saving,
//! coaching, events) is the app's own.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use closer_audio::AudioRing;
use closer_claude_fake::{FakeAnthropic, Step};
use closer_core::{Closer, CollectEvents, Config, CoreError, CoreEvent, SpeechEngine};
use closer_types::*;

/// A line the scripted engine says when it has heard voice over `[start_ms, end_ms)`.
#[derive(Clone)]
struct Line {
    start_ms: u32,
    end_ms: u32,
    text: &'static str,
}

struct Scripted {
    rep: Vec<Line>,
    prospect: Vec<Line>,
}

impl SpeechEngine for Scripted {
    fn open_stream(
        &self,
        speaker: Speaker,
        _vocabulary: &[String],
    ) -> Result<Box<dyn SpeechStream>, SpeechError> {
        let lines = match speaker {
            Speaker::Prospect => self.prospect.clone(),
            _ => self.rep.clone(),
        };
        Ok(Box::new(ScriptedStream {
            lines,
            voiced_ms: Vec::new(),
            speaker,
        }))
    }
}

struct ScriptedStream {
    lines: Vec<Line>,
    /// Call-time ms of each 20 ms frame that carried voice.
    voiced_ms: Vec<u32>,
    speaker: Speaker,
}

impl SpeechStream for ScriptedStream {
    fn push(&mut self, start_ms: u32, samples: &[f32]) -> Result<Vec<SpeechEvent>, SpeechError> {
        for (i, f) in samples.chunks(320).enumerate() {
            if closer_audio::level_db(f) > -40.0 {
                self.voiced_ms.push(start_ms + i as u32 * 20);
            }
        }
        let heard_to = start_ms + (samples.len() as u32) / 16;
        let mut out = Vec::new();
        let voiced = &self.voiced_ms;
        self.lines.retain(|l| {
            if heard_to < l.end_ms {
                return true;
            }
            let n = voiced
                .iter()
                .filter(|t| **t >= l.start_ms && **t < l.end_ms)
                .count();
            if n * 20 * 2 >= (l.end_ms - l.start_ms) as usize {
                out.push(SpeechEvent::Final(TranscriptSegment {
                    speaker: self.speaker,
                    start_ms: l.start_ms,
                    end_ms: l.end_ms,
                    text: l.text.into(),
                }));
            }
            false
        });
        Ok(out)
    }

    fn finish(&mut self) -> Result<Vec<SpeechEvent>, SpeechError> {
        Ok(Vec::new())
    }
}

fn open(dir: &std::path::Path, url: Option<&str>, events: Arc<CollectEvents>) -> Closer {
    let mut config = Config::new(dir);
    config.keyring_service = format!("closer-calls-test-{}", std::process::id());
    if let Some(u) = url {
        config.anthropic_base_url = u.into();
    }
    Closer::open(config, events).unwrap()
}

/// A deal of the demo whose lead has a phone number.
async fn deal_with_phone(closer: &Closer) -> (Id, String) {
    let page = closer
        .list_deals(DealQuery {
            text: None,
            stage: None,
            open_only: true,
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    for d in page.items {
        let detail = closer.get_deal(d.id.clone()).await.unwrap();
        if let Some(phone) = detail
            .lead
            .as_ref()
            .and_then(|l| l.contacts.iter().find_map(|c| c.phone.clone()))
        {
            return (d.id, phone);
        }
    }
    panic!("the demo has a deal whose lead has a phone");
}

fn target(deal: &Id) -> CallTarget {
    CallTarget {
        deal_id: Some(deal.clone()),
        lead_id: None,
    }
}

/// `ms` of a loud tone (voice), at amplitude `amp`.
fn voice(ms: u32, amp: f32) -> Vec<f32> {
    (0..ms * 16)
        .map(|i| amp * (i as f32 * 0.07).sin())
        .collect()
}

fn silence(ms: u32) -> Vec<f32> {
    vec![0.0; (ms * 16) as usize]
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a suggestion card of `kind` has been shown.
fn shown_card(events: &CollectEvents, kind: &str) -> bool {
    events.0.lock().unwrap().iter().any(|e| {
        matches!(e, CoreEvent::LiveCall(LiveCallEvent::Suggestion { card, .. }) if card.kind == kind)
    })
}

fn finals(events: &CollectEvents) -> Vec<TranscriptSegment> {
    events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::LiveCall(LiveCallEvent::Final { segment, .. }) => Some(segment.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_on_the_do_not_call_list_is_refused_and_the_refusal_logged() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), None, Arc::default());
    let (deal, phone) = deal_with_phone(&closer).await;
    let check = closer.call_precheck(target(&deal)).await.unwrap();
    assert!(check.listed.is_none());
    closer
        .dnc_add(format!("  {phone} "), "Asked not to be called".into())
        .await
        .unwrap();
    let check = closer.call_precheck(target(&deal)).await.unwrap();
    assert_eq!(check.listed.unwrap().reason, "Asked not to be called");

    let ring = AudioRing::new(5.0);
    let err = closer
        .start_call_from_rings(target(&deal), true, vec![(Speaker::Unknown, ring)])
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::CallRefused(_)), "{err:?}");
    assert!(err.to_string().contains("do-not-call"), "{err}");
    assert!(closer.live_call_id().is_none(), "nothing is recording");
    let calls = closer.list_calls().await.unwrap();
    let logged = calls
        .iter()
        .find(|c| c.title.ends_with("(not made)"))
        .expect("the refusal is logged on a call");
    let review = closer.call_review(logged.id.clone()).await.unwrap();
    assert!(review.consent.dnc.unwrap().listed.is_some());
    assert!(review.call.segments.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_is_required_and_the_choice_is_logged_on_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), None, Arc::default());
    let (deal, _) = deal_with_phone(&closer).await;
    let err = closer
        .start_call_from_rings(
            target(&deal),
            false,
            vec![(Speaker::Unknown, AudioRing::new(5.0))],
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("consent"), "{err}");
    let declined = closer
        .list_calls()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.title.ends_with("(not made)"))
        .unwrap()
        .id;
    let review = closer.call_review(declined).await.unwrap();
    assert_eq!(review.consent.state, ConsentState::Declined);
    assert!(review.consent.at.is_some());

    let ring = AudioRing::new(5.0);
    let started = closer
        .start_call_from_rings(target(&deal), true, vec![(Speaker::Unknown, ring.clone())])
        .await
        .unwrap();
    assert!(
        !started.coaching,
        "no engine: the call runs without coaching"
    );
    assert!(started
        .coaching_off_reason
        .unwrap()
        .contains("speech model"));
    let review = closer.call_review(started.call_id.clone()).await.unwrap();
    assert_eq!(review.consent.state, ConsentState::Confirmed);
    assert!(review.consent.dnc.is_some(), "the check made is logged");
    let call = closer.stop_call().await.unwrap();
    assert!(call.ended_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transcript_up_to_the_last_final_survives_the_app_dying_mid_call() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), None, events.clone());
    closer.set_speech_engine(Arc::new(Scripted {
        rep: vec![],
        prospect: vec![
            Line {
                start_ms: 0,
                end_ms: 1000,
                text: "We looked at your pricing.",
            },
            Line {
                start_ms: 1500,
                end_ms: 2500,
                text: "Honestly it is too expensive for us.",
            },
        ],
    }));
    let (deal, _) = deal_with_phone(&closer).await;
    let ring = AudioRing::new(5.0);
    let started = closer
        .start_call_from_rings(target(&deal), true, vec![(Speaker::Prospect, ring.clone())])
        .await
        .unwrap();
    assert!(started.coaching);
    ring.push(&voice(1000, 0.5));
    ring.push(&silence(500));
    ring.push(&voice(1000, 0.5));
    ring.push(&silence(300));
    wait_for("two finals", || finals(&events).len() == 2);
    wait_for("a price card", || shown_card(&events, "objection:price"));

    // The app dies: no stop_call. A new process opens the same workspace.
    std::mem::forget(closer);
    let again = open(dir.path(), None, Arc::default());
    let call = again.get_call(started.call_id.clone()).await.unwrap();
    let texts: Vec<&str> = call.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "We looked at your pricing.",
            "Honestly it is too expensive for us."
        ]
    );
    assert!(call.ended_at.is_some(), "the interrupted call is finished");
    let review = again.call_review(started.call_id).await.unwrap();
    assert!(review.moments.iter().any(|m| m.kind == "objection:price"));
    ring.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prospects_voice_leaking_into_the_mic_is_not_transcribed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), None, events.clone());
    let said = "The price is too high for us.";
    closer.set_speech_engine(Arc::new(Scripted {
        // Were the leak let through, the mic's engine would hear the same words.
        rep: vec![
            Line {
                start_ms: 0,
                end_ms: 1000,
                text: said,
            },
            Line {
                start_ms: 1500,
                end_ms: 2500,
                text: "What do you compare it with?",
            },
        ],
        prospect: vec![Line {
            start_ms: 0,
            end_ms: 1000,
            text: said,
        }],
    }));
    let (deal, _) = deal_with_phone(&closer).await;
    let (mic, far) = (AudioRing::new(5.0), AudioRing::new(5.0));
    closer
        .start_call_from_rings(
            target(&deal),
            true,
            vec![
                (Speaker::Rep, mic.clone()),
                (Speaker::Prospect, far.clone()),
            ],
        )
        .await
        .unwrap();
    // The prospect speaks (loud on the far channel, a quieter copy in the mic), then the
    // rep answers (loud in the mic, silence on the far channel).
    far.push(&voice(1000, 0.5));
    mic.push(&voice(1000, 0.08));
    far.push(&silence(1800));
    mic.push(&silence(500));
    mic.push(&voice(1000, 0.5));
    mic.push(&silence(300));
    wait_for("both finals", || finals(&events).len() >= 2);
    let call = closer.stop_call().await.unwrap();
    let got: Vec<(Speaker, &str)> = call
        .segments
        .iter()
        .map(|s| (s.speaker, s.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Speaker::Prospect, said),
            (Speaker::Rep, "What do you compare it with?")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_microphone_is_a_clear_error_and_no_call_is_left_recording() {
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), None, Arc::default());
    let mut s = closer.settings().await.unwrap();
    s.microphone = Some("closer-test-no-such-microphone".into());
    closer.save_settings(s).await.unwrap();
    let (deal, _) = deal_with_phone(&closer).await;
    let before = closer.list_calls().await.unwrap().len();
    let err = closer.start_call(target(&deal), true).await.unwrap_err();
    assert!(matches!(err, CoreError::Audio(_)), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("microphone") || msg.contains("input"),
        "the rep learns what to do: {msg}"
    );
    assert!(closer.live_call_id().is_none());
    assert_eq!(
        closer.list_calls().await.unwrap().len(),
        before,
        "no call row"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_post_call_analysis_lands_on_the_deal_timeline_and_moves_its_health() {
    let fake = FakeAnthropic::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closer = open(dir.path(), Some(&fake.url()), Arc::default());
    if closer
        .api_key_status()
        .await
        .unwrap()
        .backend
        .starts_with("unavailable")
    {
        eprintln!("skipped: no keyring on this machine");
        return;
    }
    fake.script([Step::ToolInput(serde_json::json!({
        "summary": "The prospect likes the forecast view but says the price is too high.",
        "sentiment": -0.6,
        "topics": ["pricing"],
        "objections": [{"objection": "Price is too high", "handled": false, "note": ""}],
        "next_actions": ["Send the ROI calculator"],
        "follow_up_email": "Subject: Your forecast\n\nThanks for your time today."
    }))]);
    closer.set_speech_engine(Arc::new(Scripted {
        rep: vec![],
        prospect: vec![Line {
            start_ms: 0,
            end_ms: 1000,
            text: "It is too expensive for us.",
        }],
    }));
    let (deal, _) = deal_with_phone(&closer).await;
    let before = closer.deal_insights(deal.clone()).await.unwrap().local;
    let ring = AudioRing::new(5.0);
    closer
        .start_call_from_rings(target(&deal), true, vec![(Speaker::Prospect, ring.clone())])
        .await
        .unwrap();
    ring.push(&voice(1000, 0.5));
    ring.push(&silence(300));
    let call = closer.stop_call().await.unwrap();
    assert_eq!(
        call.segments.len(),
        1,
        "the transcript is saved to the call"
    );

    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if closer
            .get_call(call.id.clone())
            .await
            .unwrap()
            .analysis
            .is_some()
        {
            break;
        }
        assert!(Instant::now() < until, "the analysis did not land");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let detail = closer.get_deal(deal.clone()).await.unwrap();
    assert!(
        detail
            .timeline
            .iter()
            .any(|a| a.body.starts_with("Call recorded")),
        "the call is on the timeline"
    );
    assert!(
        detail
            .timeline
            .iter()
            .any(|a| a.body.starts_with("Call analysis") && a.body.contains("price is too high")),
        "the analysis is on the timeline"
    );
    let after = closer.deal_insights(deal).await.unwrap().local;
    let f = after
        .factors
        .iter()
        .find(|f| f.key == "last_call")
        .expect("the last call counts in the health score");
    assert_eq!(f.points, -15, "{f:?}");
    let without: i32 = 100
        + after
            .factors
            .iter()
            .filter(|f| f.key != "last_call")
            .map(|f| f.points)
            .sum::<i32>();
    assert_eq!(
        i32::from(after.score),
        (without - 15).clamp(0, 100),
        "the analysis moved the score: {before:?} -> {after:?}"
    );
    assert!(without.clamp(0, 100) != i32::from(after.score));
    fake.stop().await;
}

/// Wraps an engine so its streams stop inside `push` while the gate is shut, like a
/// transcriber that cannot keep up (a busy laptop, a model too big for it).
struct Stalling {
    inner: Scripted,
    gate: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    /// Streams stall once they have heard this far.
    after_ms: u32,
}

struct StallingStream {
    inner: Box<dyn SpeechStream>,
    gate: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    after_ms: u32,
}

impl SpeechEngine for Stalling {
    fn open_stream(
        &self,
        speaker: Speaker,
        vocabulary: &[String],
    ) -> Result<Box<dyn SpeechStream>, SpeechError> {
        Ok(Box::new(StallingStream {
            inner: self.inner.open_stream(speaker, vocabulary)?,
            gate: self.gate.clone(),
            after_ms: self.after_ms,
        }))
    }
}

impl SpeechStream for StallingStream {
    fn push(&mut self, start_ms: u32, samples: &[f32]) -> Result<Vec<SpeechEvent>, SpeechError> {
        if start_ms >= self.after_ms {
            let (open, cv) = &*self.gate;
            let mut g = open.lock().unwrap();
            while !*g {
                g = cv.wait(g).unwrap();
            }
        }
        self.inner.push(start_ms, samples)
    }

    fn finish(&mut self) -> Result<Vec<SpeechEvent>, SpeechError> {
        self.inner.finish()
    }
}

/// The transcriber falls a minute behind: capture never waits for it (a minute of audio
/// goes into a ring that holds five seconds), the oldest audio is dropped and the rep is
/// told how much, what was on screen stays saved, and once the transcriber is back the
/// newest speech is transcribed and coached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcriber_a_minute_behind_drops_old_audio_visibly_and_keeps_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(CollectEvents::default());
    let closer = open(dir.path(), None, events.clone());
    let gate = Arc::new((std::sync::Mutex::new(true), std::sync::Condvar::new()));
    closer.set_speech_engine(Arc::new(Stalling {
        inner: Scripted {
            rep: vec![],
            prospect: vec![
                Line {
                    start_ms: 0,
                    end_ms: 1000,
                    text: "We looked at your pricing.",
                },
                Line {
                    start_ms: 30_000,
                    end_ms: 31_000,
                    text: "This line is spoken while the transcriber is stuck.",
                },
                Line {
                    start_ms: 63_000,
                    end_ms: 64_000,
                    text: "Honestly it is too expensive for us.",
                },
            ],
        },
        gate: gate.clone(),
        after_ms: 1_300,
    }));
    let (deal, _) = deal_with_phone(&closer).await;
    let ring = AudioRing::new(5.0);
    let started = closer
        .start_call_from_rings(target(&deal), true, vec![(Speaker::Prospect, ring.clone())])
        .await
        .unwrap();
    ring.push(&voice(1000, 0.5));
    ring.push(&silence(300));
    wait_for("the first final", || finals(&events).len() == 1);

    // The transcriber stalls for a minute of call time. Capture keeps pushing 100 ms
    // blocks; none of them waits (the test would hang here if one did).
    *gate.0.lock().unwrap() = false;
    let mut call_ms = 1_300;
    while call_ms < 65_000 {
        let block = if (30_000..31_000).contains(&call_ms) || (63_000..64_000).contains(&call_ms) {
            voice(100, 0.5)
        } else {
            silence(100)
        };
        ring.push(&block);
        call_ms += 100;
    }
    assert!(
        ring.dropped_total() >= 55 * 16_000,
        "the ring keeps its five seconds and drops the oldest, however far behind the \
         transcriber is: {} samples dropped",
        ring.dropped_total()
    );
    {
        let (open, cv) = &*gate;
        *open.lock().unwrap() = true;
        cv.notify_all();
    }

    let dropped_ms = || {
        events
            .0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                CoreEvent::LiveCall(LiveCallEvent::Dropped { total_ms, .. }) => Some(*total_ms),
                _ => None,
            })
            .max()
    };
    wait_for("the newest line transcribed", || finals(&events).len() == 2);
    let dropped = dropped_ms().expect("the rep is told audio was skipped");
    assert!(
        (55_000..=62_000).contains(&dropped),
        "about a minute minus the ring's five seconds is reported dropped: {dropped} ms"
    );
    let texts: Vec<String> = finals(&events).into_iter().map(|s| s.text).collect();
    assert_eq!(
        texts,
        vec![
            "We looked at your pricing.".to_string(),
            "Honestly it is too expensive for us.".to_string()
        ],
        "the line lost in the dropped audio is not invented; the newest one is heard"
    );
    wait_for("a price card for the newest line", || {
        shown_card(&events, "objection:price")
    });
    ring.close();
    let call = closer.stop_call().await.unwrap();
    let saved: Vec<&str> = call.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        saved,
        vec![
            "We looked at your pricing.",
            "Honestly it is too expensive for us."
        ],
        "what was on screen is saved with the call"
    );
    assert!(started.coaching);
}
