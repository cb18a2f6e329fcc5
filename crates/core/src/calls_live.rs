//! Live calls: consent first, then capture → transcription → coaching, with the transcript
//! saved one final segment at a time; after the call, the transcript on the deal's
//! timeline and the call analysis through the gateway (queued when offline).
//!
//! Threads of a call: one capture per input (closer-audio), one worker per channel that
//! takes the ring's audio, feeds its [`SpeechStream`] and handles each final (save, coach,
//! events), and one forwarding the captures' events (device lost, dropped audio). Echo
//! suppression between the channels is in [`crate::echo`]. Nothing here blocks a capture:
//! when a transcriber falls behind, its ring drops the oldest audio and the rep sees how
//! much.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use closer_audio::{AudioRing, Capture, CaptureEvent, CaptureOptions, Source, TARGET_RATE};
use closer_coach::{
    CallContext as CoachContext, Coach, CoachOptions, Matcher, SuggestionKind, Vocabulary,
};
use closer_store::{activities, battle_cards, calls, deals, leads, live_calls, Store};
use closer_types::*;

use crate::echo::{gate_mic, is_echo, FarLevels};
use crate::{blocking, Closer, CoreError, CoreEvent, EventSink, Result};

/// A speech-to-text engine: one stream per channel of a call. Loaded once per app and
/// shared (closer-transcribe implements it).
pub trait SpeechEngine: Send + Sync + 'static {
    /// A stream for one channel; `vocabulary` (competitor, product and people names of the
    /// call) biases the spelling.
    fn open_stream(
        &self,
        speaker: Speaker,
        vocabulary: &[String],
    ) -> std::result::Result<Box<dyn SpeechStream>, SpeechError>;
}

#[derive(Default)]
pub(crate) struct LiveState {
    engine: Mutex<Option<Arc<dyn SpeechEngine>>>,
    /// Why there is no engine, for the rep.
    engine_problem: Mutex<Option<String>>,
    call: Mutex<Option<Running>>,
}

/// Audio for one channel of a call: a capture, or a ring fed by someone else.
pub enum CallAudio {
    Capture(Capture),
    Ring(AudioRing),
}

impl CallAudio {
    fn ring(&self) -> AudioRing {
        match self {
            CallAudio::Capture(c) => c.ring(),
            CallAudio::Ring(r) => r.clone(),
        }
    }

    fn stop(self) {
        match self {
            CallAudio::Capture(c) => c.stop(),
            CallAudio::Ring(r) => r.close(),
        }
    }
}

struct Running {
    call_id: Id,
    deal_id: Option<Id>,
    lead_id: Option<Id>,
    started: Instant,
    audio: Vec<CallAudio>,
    workers: Vec<JoinHandle<()>>,
    forward: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// What the channel workers of one call share.
struct Shared {
    call_id: Id,
    store: Store,
    events: Arc<dyn EventSink>,
    coach: Mutex<Option<Coach>>,
    seq: AtomicU32,
    /// Prospect finals so far (echo dedupe).
    prospect_finals: Mutex<Vec<TranscriptSegment>>,
    /// The far channel's frame levels and progress (frame gating).
    far: (Mutex<FarLevels>, Condvar),
    /// Cards shown, for the timeline entry.
    shown: Mutex<Vec<String>>,
}

impl Shared {
    fn emit(&self, e: LiveCallEvent) {
        self.events.emit(CoreEvent::LiveCall(e));
    }

    fn far_lock(&self) -> std::sync::MutexGuard<'_, FarLevels> {
        self.far.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Who is called and the numbers to check.
struct Target {
    deal_id: Option<Id>,
    lead_id: Option<Id>,
    title: String,
    phones: Vec<String>,
    competitors: Vec<String>,
    /// Names the transcriber should spell right.
    vocabulary: Vec<String>,
}

fn resolve(conn: &rusqlite::Connection, target: &CallTarget) -> closer_store::Result<Target> {
    let deal = match &target.deal_id {
        Some(id) => Some(deals::get(conn, id)?),
        None => None,
    };
    let lead_id = target
        .lead_id
        .clone()
        .or_else(|| deal.as_ref().and_then(|d| d.lead_id.clone()));
    let lead = match &lead_id {
        Some(id) => Some(leads::get(conn, id)?),
        None => None,
    };
    let phones = lead
        .as_ref()
        .map(|l| l.contacts.iter().filter_map(|c| c.phone.clone()).collect())
        .unwrap_or_default();
    let title = match (&deal, &lead) {
        (Some(d), _) => format!("Call — {}", d.name),
        (None, Some(l)) => format!("Call — {}", l.company),
        (None, None) => "Call".to_string(),
    };
    let mut vocabulary: Vec<String> = battle_cards::list(conn)?
        .into_iter()
        .map(|c| c.competitor)
        .collect();
    if let Some(l) = &lead {
        vocabulary.push(l.company.clone());
        vocabulary.extend(l.contacts.iter().map(|c| c.name.clone()));
    }
    if let Some(d) = &deal {
        vocabulary.extend(d.stakeholders.iter().map(|s| s.name.clone()));
    }
    vocabulary.retain(|v| !v.trim().is_empty());
    vocabulary.dedup();
    Ok(Target {
        vocabulary,
        deal_id: deal.as_ref().map(|d| d.id.clone()),
        lead_id,
        title,
        phones,
        competitors: deal.map(|d| d.competitors).unwrap_or_default(),
    })
}

impl Closer {
    /// Sets the speech engine live calls transcribe with (the shell loads it once).
    pub fn set_speech_engine(&self, engine: Arc<dyn SpeechEngine>) {
        *lock(&self.inner.live.engine) = Some(engine);
        *lock(&self.inner.live.engine_problem) = None;
    }

    /// Records why there is no speech engine (model missing, failed to load).
    pub fn set_speech_engine_problem(&self, problem: String) {
        *lock(&self.inner.live.engine_problem) = Some(problem);
    }

    // ---- do-not-call list --------------------------------------------------------

    pub async fn dnc_list(&self) -> Result<Vec<DncEntry>> {
        self.read(live_calls::dnc_list).await
    }

    pub async fn dnc_add(&self, phone: String, reason: String) -> Result<DncEntry> {
        self.write(move |tx| live_calls::dnc_add(tx, &phone, &reason, now_millis()))
            .await
    }

    pub async fn dnc_remove(&self, phone: String) -> Result<bool> {
        self.write(move |tx| live_calls::dnc_remove(tx, &phone))
            .await
    }

    /// The consent step's first half: the lead's numbers against the do-not-call list.
    pub async fn call_precheck(&self, target: CallTarget) -> Result<DncCheck> {
        self.read(move |c| {
            let t = resolve(c, &target)?;
            live_calls::dnc_check(c, &t.phones, now_millis())
        })
        .await
    }

    // ---- the call ----------------------------------------------------------------

    /// Starts a call on the microphone (and the call-audio input when Settings names one).
    /// Refuses, and logs the refusal on a call row, when a number of the lead is on the
    /// do-not-call list or the rep did not confirm the consent announcement.
    pub async fn start_call(
        &self,
        target: CallTarget,
        consent_confirmed: bool,
    ) -> Result<LiveCallStarted> {
        let settings = self.settings().await?;
        let (t, dnc, call_id) = self.consent_step(target, consent_confirmed).await?;
        let mic = settings.microphone.clone();
        let far = settings.call_audio.clone();
        let (events_tx, events_rx) = mpsc::channel();
        let audio = blocking(move || {
            let mut opts = CaptureOptions::new(Source::Microphone);
            opts.device = mic;
            let mic = Capture::start(opts, events_tx.clone())?;
            let far = match far {
                Some(dev) => {
                    let mut opts = CaptureOptions::new(Source::OtherSide);
                    opts.device = Some(dev);
                    match Capture::start(opts, events_tx) {
                        Ok(c) => Some(c),
                        Err(e) => {
                            tracing::warn!(error = %e, "call audio input not opened");
                            None
                        }
                    }
                }
                None => None,
            };
            Ok((mic, far))
        })
        .await?;
        let (mic, far) = audio;
        let microphone = mic.device().to_string();
        let call_audio = far.as_ref().map(|c| c.device().to_string());
        let mut channels = vec![(
            if far.is_some() {
                Speaker::Rep
            } else {
                Speaker::Unknown
            },
            CallAudio::Capture(mic),
        )];
        if let Some(f) = far {
            channels.push((Speaker::Prospect, CallAudio::Capture(f)));
        }
        let started = self
            .run_call(
                t,
                dnc,
                call_id,
                channels,
                Some(events_rx),
                settings.keep_call_audio,
            )
            .await?;
        Ok(LiveCallStarted {
            microphone,
            call_audio,
            ..started
        })
    }

    /// Starts a call on audio that arrives in rings (a recording replayed, a test's
    /// synthetic voice): the same consent step, pipeline and saving as [`Closer::start_call`].
    pub async fn start_call_from_rings(
        &self,
        target: CallTarget,
        consent_confirmed: bool,
        channels: Vec<(Speaker, AudioRing)>,
    ) -> Result<LiveCallStarted> {
        let (t, dnc, call_id) = self.consent_step(target, consent_confirmed).await?;
        let channels = channels
            .into_iter()
            .map(|(s, r)| (s, CallAudio::Ring(r)))
            .collect();
        self.run_call(t, dnc, call_id, channels, None, false).await
    }

    async fn consent_step(
        &self,
        target: CallTarget,
        consent_confirmed: bool,
    ) -> Result<(Target, DncCheck, Id)> {
        if lock(&self.inner.live.call).is_some() {
            return Err(CoreError::Call(
                "A call is already running. End it before starting another.".into(),
            ));
        }
        let call_id = new_id();
        let id = call_id.clone();
        let (t, dnc) = self
            .write(move |tx| {
                let t = resolve(tx, &target)?;
                let now = now_millis();
                let dnc = live_calls::dnc_check(tx, &t.phones, now)?;
                let refused = dnc.listed.is_some() || !consent_confirmed;
                if refused {
                    // The choice is logged on a call that was not made.
                    let consent = if consent_confirmed {
                        ConsentState::Confirmed
                    } else {
                        ConsentState::Declined
                    };
                    live_calls::create(
                        tx,
                        &live_calls::NewLiveCall {
                            id: &id,
                            deal_id: t.deal_id.as_deref(),
                            lead_id: t.lead_id.as_deref(),
                            title: &format!("{} (not made)", t.title),
                            consent,
                            dnc: &dnc,
                            audio_path: None,
                        },
                        false,
                        now,
                    )?;
                }
                Ok((t, dnc))
            })
            .await?;
        if let Some(listed) = &dnc.listed {
            let why = if listed.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", listed.reason)
            };
            return Err(CoreError::CallRefused(format!(
                "This number is on the do-not-call list{why}. The call was not started."
            )));
        }
        if !consent_confirmed {
            return Err(CoreError::CallRefused(
                "Read the consent announcement to the prospect and confirm it before recording."
                    .into(),
            ));
        }
        Ok((t, dnc, call_id))
    }

    async fn run_call(
        &self,
        t: Target,
        dnc: DncCheck,
        call_id: Id,
        channels: Vec<(Speaker, CallAudio)>,
        capture_events: Option<mpsc::Receiver<CaptureEvent>>,
        keep_audio: bool,
    ) -> Result<LiveCallStarted> {
        let audio_path = keep_audio.then(|| {
            self.inner
                .data_dir
                .join("calls")
                .join(format!("{call_id}.wav"))
                .display()
                .to_string()
        });
        let (id, title) = (call_id.clone(), t.title.clone());
        let (deal_id, lead_id) = (t.deal_id.clone(), t.lead_id.clone());
        let path = audio_path.clone();
        let cards = self
            .write(move |tx| {
                live_calls::create(
                    tx,
                    &live_calls::NewLiveCall {
                        id: &id,
                        deal_id: deal_id.as_deref(),
                        lead_id: lead_id.as_deref(),
                        title: &title,
                        consent: ConsentState::Confirmed,
                        dnc: &dnc,
                        audio_path: path.as_deref(),
                    },
                    true,
                    now_millis(),
                )?;
                let mut cards = Vec::new();
                for s in battle_cards::list(tx)? {
                    cards.push(battle_cards::get(tx, &s.id)?);
                }
                Ok(cards)
            })
            .await?;

        let engine = lock(&self.inner.live.engine).clone();
        let coaching_off_reason = match &engine {
            Some(_) => None,
            None => Some(lock(&self.inner.live.engine_problem).clone().unwrap_or_else(|| {
                "The speech model is not installed, so this call is recorded without a live \
                 transcript or coaching."
                    .into()
            })),
        };
        let two_channels = channels.iter().any(|(s, _)| *s == Speaker::Prospect);
        let matcher = Arc::new(Matcher::new(&cards, &Vocabulary::default()));
        let options = CoachOptions {
            objections_from_unknown_speaker: !two_channels,
            ..CoachOptions::default()
        };
        let coach = Coach::for_call(
            matcher,
            &CoachContext {
                deal_competitors: t.competitors.clone(),
            },
            options,
        )
        .ok();
        let shared = Arc::new(Shared {
            call_id: call_id.clone(),
            store: self.inner.store.clone(),
            events: self.inner.events.clone(),
            coach: Mutex::new(coach),
            seq: AtomicU32::new(0),
            prospect_finals: Mutex::new(Vec::new()),
            far: (Mutex::new(FarLevels::default()), Condvar::new()),
            shown: Mutex::new(Vec::new()),
        });
        if !two_channels {
            shared.far_lock().closed = true;
        }
        let mut workers = Vec::new();
        let mut audio = Vec::new();
        let mut problems = Vec::new();
        for (speaker, a) in channels {
            let ring = a.ring();
            audio.push(a);
            let stream = match &engine {
                Some(e) => match e.open_stream(speaker, &t.vocabulary) {
                    Ok(s) => Some(s),
                    Err(err) => {
                        problems.push(err.to_string());
                        None
                    }
                },
                None => None,
            };
            let wav = if speaker != Speaker::Prospect {
                audio_path.clone()
            } else {
                None
            };
            let sh = shared.clone();
            let handle = std::thread::Builder::new()
                .name(format!("closer-call-{speaker:?}").to_lowercase())
                .spawn(move || channel_worker(sh, speaker, ring, stream, two_channels, wav))
                .map_err(|e| CoreError::Task(e.to_string()))?;
            workers.push(handle);
        }
        let forward = match capture_events {
            Some(rx) => {
                let sh = shared.clone();
                Some(
                    std::thread::Builder::new()
                        .name("closer-call-events".into())
                        .spawn(move || forward_capture_events(sh, rx, two_channels))
                        .map_err(|e| CoreError::Task(e.to_string()))?,
                )
            }
            None => None,
        };
        let coaching = engine.is_some() && problems.is_empty();
        let coaching_off_reason = coaching_off_reason.or_else(|| {
            (!problems.is_empty()).then(|| {
                format!(
                    "Live transcription could not start ({}); the call is recorded without coaching.",
                    problems.join("; ")
                )
            })
        });
        *lock(&self.inner.live.call) = Some(Running {
            call_id: call_id.clone(),
            deal_id: t.deal_id,
            lead_id: t.lead_id,
            started: Instant::now(),
            audio,
            workers,
            forward,
            shared,
        });
        tracing::info!(call = %call_id, coaching, "call started");
        Ok(LiveCallStarted {
            call_id,
            title: t.title,
            microphone: String::new(),
            call_audio: None,
            coaching,
            coaching_off_reason,
        })
    }

    /// The call running now, if any.
    pub fn live_call_id(&self) -> Option<Id> {
        lock(&self.inner.live.call)
            .as_ref()
            .map(|r| r.call_id.clone())
    }

    /// Marks a moment of the running call (the rep's shortcut); returns its id.
    pub async fn mark_call_moment(&self, note: Option<String>) -> Result<u32> {
        let (id, at_ms) = {
            let g = lock(&self.inner.live.call);
            let r = g
                .as_ref()
                .ok_or_else(|| CoreError::Call("No call is running.".into()))?;
            (r.call_id.clone(), r.started.elapsed().as_millis() as u32)
        };
        self.write(move |tx| {
            live_calls::add_moment(
                tx,
                &id,
                at_ms,
                "mark",
                None,
                note.as_deref().unwrap_or("Marked"),
                MomentAction::Marked,
            )
        })
        .await
    }

    /// What the rep did with a card (dismissed, pinned, "used it").
    pub async fn set_call_moment_action(&self, moment_id: u32, action: MomentAction) -> Result<()> {
        self.write(move |tx| live_calls::set_moment_action(tx, moment_id, action))
            .await
    }

    /// Ends the running call: the last words are transcribed, the transcript is saved to the
    /// call and the deal's timeline, and the call analysis is asked of Claude in the
    /// background (queued when offline; its result lands on the timeline and in the deal's
    /// health).
    pub async fn stop_call(&self) -> Result<Call> {
        let running = lock(&self.inner.live.call)
            .take()
            .ok_or_else(|| CoreError::Call("No call is running.".into()))?;
        let Running {
            call_id,
            deal_id,
            lead_id,
            audio,
            workers,
            forward,
            shared,
            ..
        } = running;
        let sh = shared.clone();
        blocking(move || {
            for a in audio {
                a.stop();
            }
            // Unblock a microphone worker waiting on the far side.
            sh.far_lock().closed = true;
            sh.far.1.notify_all();
            for w in workers {
                let _ = w.join();
            }
            if let Some(f) = forward {
                let _ = f.join();
            }
            Ok(())
        })
        .await?;
        let metrics = lock(&shared.coach).as_ref().map(Coach::metrics);
        let shown = lock(&shared.shown).clone();
        let author = self.settings().await?.user_name;
        let id = call_id.clone();
        let call = self
            .write(move |tx| {
                let now = now_millis();
                let call = live_calls::finish(tx, &id, Some(now), now)?;
                if deal_id.is_some() || lead_id.is_some() {
                    let minutes = (call.ended_at.unwrap_or(now) - call.started_at) / 60_000;
                    let mut body = format!(
                        "Call recorded: {} min, {} transcript segments.",
                        minutes,
                        call.segments.len()
                    );
                    if let Some(m) = &metrics {
                        body.push_str(&format!(
                            " Rep talk time {:.0} %.",
                            m.rep_talk_ratio * 100.0
                        ));
                    }
                    if !shown.is_empty() {
                        body.push_str(&format!(" Coaching: {}.", shown.join(", ")));
                    }
                    activities::add(
                        tx,
                        &NewActivity {
                            deal_id: deal_id.clone(),
                            lead_id: lead_id.clone(),
                            kind: ActivityKind::Call,
                            body,
                            at: Some(now),
                        },
                        Some(&author),
                        now,
                    )?;
                }
                Ok(call)
            })
            .await?;
        let queued_or_running = self.inner.ai.is_some() && !call.segments.is_empty();
        shared.emit(LiveCallEvent::Ended {
            call_id: call_id.clone(),
            segments: call.segments.len() as u32,
            analysis_queued: queued_or_running,
        });
        self.emit(CoreEvent::WorkspaceChanged {
            reason: "call ended".into(),
        });
        if queued_or_running {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                let me = self.clone();
                let id = call_id.clone();
                handle.spawn(async move {
                    match me.analyze_call(id).await {
                        Ok(o) if o.queued => tracing::info!("call analysis queued"),
                        Ok(_) => me.emit(CoreEvent::WorkspaceChanged {
                            reason: "call analysed".into(),
                        }),
                        Err(e) => tracing::warn!(error = %e, "call analysis failed"),
                    }
                });
            }
        }
        Ok(call)
    }

    /// The call review screen's data.
    pub async fn call_review(&self, call_id: Id) -> Result<CallReview> {
        self.read(move |c| {
            Ok(CallReview {
                call: calls::get(c, &call_id)?,
                consent: live_calls::consent(c, &call_id)?,
                moments: live_calls::moments(c, &call_id)?,
                audio_path: live_calls::audio_path(c, &call_id)?,
            })
        })
        .await
    }

    /// Finishes calls the app was stopped in (their transcript up to the last final).
    pub(crate) fn recover_interrupted_calls(&self) -> Result<usize> {
        let n = self
            .inner
            .store
            .write(|tx| live_calls::recover_interrupted(tx, now_millis()))?
            .len();
        if n > 0 {
            tracing::warn!(calls = n, "finished calls interrupted by a stop of the app");
        }
        Ok(n)
    }
}

/// Saves a call's analysis and puts it on the deal's timeline (both in one transaction).
pub(crate) fn save_call_analysis(
    tx: &rusqlite::Transaction,
    call_id: &str,
    analysis: &CallAnalysis,
    now: Millis,
) -> closer_store::Result<()> {
    calls::set_analysis(tx, call_id, Some(analysis), now)?;
    let call = calls::get(tx, call_id)?;
    if call.deal_id.is_none() && call.lead_id.is_none() {
        return Ok(());
    }
    let open: Vec<&str> = analysis
        .objections
        .iter()
        .filter(|o| !o.handled)
        .map(|o| o.objection.as_str())
        .collect();
    let mut body = format!(
        "Call analysis ({}): {} Sentiment {:+.1}.",
        call.title,
        analysis.summary.trim(),
        analysis.sentiment
    );
    if !open.is_empty() {
        body.push_str(&format!(" Objections still open: {}.", open.join("; ")));
    }
    if let Some(next) = analysis.next_actions.first() {
        body.push_str(&format!(" Next: {next}"));
    }
    activities::add(
        tx,
        &NewActivity {
            deal_id: call.deal_id.clone(),
            lead_id: call.lead_id.clone(),
            kind: ActivityKind::Call,
            body,
            at: Some(now),
        },
        None,
        now,
    )?;
    Ok(())
}

fn ms_of(samples: u64) -> u32 {
    u32::try_from(samples * 1000 / u64::from(TARGET_RATE)).unwrap_or(u32::MAX)
}

/// A channel's worker further behind the call than this (audio waiting in its ring) skips
/// ahead, keeping [`CATCH_UP_SAMPLES`]: a card half a minute late helps nobody.
const MAX_LAG_SAMPLES: usize = 8 * TARGET_RATE as usize;
const CATCH_UP_SAMPLES: usize = 2 * TARGET_RATE as usize;

/// One channel: ring → (echo gate) → speech stream → finals saved, coached, emitted.
fn channel_worker(
    sh: Arc<Shared>,
    speaker: Speaker,
    ring: AudioRing,
    mut stream: Option<Box<dyn SpeechStream>>,
    two_channels: bool,
    wav: Option<String>,
) {
    let mut writer = wav.and_then(|p| open_wav(&p));
    let mut dropped_total: u64 = 0;
    let gate = two_channels && speaker == Speaker::Rep;
    while let Some(mut taken) = ring.take(Duration::from_millis(100)) {
        if taken.dropped > 0 {
            dropped_total += taken.dropped;
            sh.emit(LiveCallEvent::Dropped {
                call_id: sh.call_id.clone(),
                speaker,
                total_ms: ms_of(dropped_total),
            });
        }
        if let Some(w) = writer.as_mut() {
            for s in &taken.samples {
                let _ = w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16);
            }
        }
        // Far behind the call (a transcriber slower than real time, a laptop busy with
        // something else): skip to the latest audio so the transcript and the cards are
        // about what is being said now; the window shows the seconds skipped.
        if taken.samples.len() > MAX_LAG_SAMPLES {
            let skip = taken.samples.len() - CATCH_UP_SAMPLES;
            taken.samples.drain(..skip);
            taken.start += skip as u64;
            dropped_total += skip as u64;
            tracing::warn!(
                ?speaker,
                skipped_ms = ms_of(skip as u64),
                "transcription fell behind the call: skipped ahead"
            );
            sh.emit(LiveCallEvent::Dropped {
                call_id: sh.call_id.clone(),
                speaker,
                total_ms: ms_of(dropped_total),
            });
        }
        if speaker == Speaker::Prospect {
            sh.far_lock().push(taken.start, &taken.samples);
            sh.far.1.notify_all();
        } else if gate {
            // Wait (briefly) for the far side to reach this audio's time.
            let end_frame = (taken.start + taken.samples.len() as u64) / closer_audio::FRAME as u64;
            let far = sh.far_lock();
            let far = sh
                .far
                .1
                .wait_timeout_while(far, Duration::from_millis(300), |f| {
                    !f.closed && f.upto < end_frame
                })
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
            gate_mic(taken.start, &mut taken.samples, &far);
        }
        let Some(s) = stream.as_mut() else { continue };
        let pushed = s.push(ms_of(taken.start), &taken.samples);
        if speaker == Speaker::Prospect {
            sh.far_lock().heard_ms = ms_of(taken.start + taken.samples.len() as u64);
            sh.far.1.notify_all();
        }
        let heard_ms = ms_of(taken.start + taken.samples.len() as u64);
        match pushed {
            Ok(events) => handle(&sh, speaker, events, heard_ms),
            Err(e) => {
                sh.emit(LiveCallEvent::Problem {
                    call_id: sh.call_id.clone(),
                    message: format!(
                        "Live transcription stopped ({e}); the call goes on without it."
                    ),
                });
                stream = None;
            }
        }
    }
    if let Some(s) = stream.as_mut() {
        match s.finish() {
            Ok(events) => handle(&sh, speaker, events, u32::MAX),
            Err(e) => tracing::warn!(error = %e, "transcriber finish failed"),
        }
    }
    if speaker == Speaker::Prospect {
        sh.far_lock().closed = true;
        sh.far.1.notify_all();
    }
    if let Some(w) = writer {
        if let Err(e) = w.finalize() {
            tracing::warn!(error = %e, "call audio not kept");
        }
    }
}

fn open_wav(path: &str) -> Option<hound::WavWriter<std::io::BufWriter<std::fs::File>>> {
    let p = std::path::Path::new(path);
    if let Some(dir) = p.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: TARGET_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    match hound::WavWriter::create(p, spec) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(error = %e, "call audio file not created");
            None
        }
    }
}

/// `heard_ms`: the call time up to which this channel's audio has been pushed (the end of
/// a partial).
fn handle(sh: &Shared, speaker: Speaker, events: Vec<SpeechEvent>, heard_ms: u32) {
    for e in events {
        match e {
            SpeechEvent::Partial { start_ms, text, .. } => {
                sh.emit(LiveCallEvent::Partial {
                    call_id: sh.call_id.clone(),
                    speaker,
                    start_ms,
                    text: text.clone(),
                });
                on_partial(
                    sh,
                    TranscriptSegment {
                        speaker,
                        start_ms,
                        end_ms: heard_ms.max(start_ms),
                        text,
                    },
                );
            }
            SpeechEvent::Final(mut seg) => {
                seg.speaker = speaker;
                if seg.text.trim().is_empty() {
                    continue;
                }
                on_final(sh, seg);
            }
        }
    }
}

/// Coaches the words heard so far of an utterance, so a card shows while the prospect is
/// still speaking rather than after the final's decode (the coach's repeat window keeps
/// the final from showing it again). Not the rep's channel: its finals wait for the echo
/// dedupe, and a partial there may be the prospect leaking into the microphone.
fn on_partial(sh: &Shared, seg: TranscriptSegment) {
    if seg.speaker == Speaker::Rep || seg.text.trim().is_empty() {
        return;
    }
    let suggestions = {
        let mut coach = lock(&sh.coach);
        let Some(c) = coach.as_mut() else { return };
        c.on_partial_segment(&seg)
    };
    show(sh, suggestions);
}

/// Saves each suggestion as a moment and sends it to the window.
fn show(sh: &Shared, suggestions: Vec<closer_coach::Suggestion>) {
    let id = &sh.call_id;
    for s in suggestions {
        let card = card_of(&s);
        let kind = match &s.kind {
            SuggestionKind::Objection { kind } => format!("objection:{}", kind.as_str()),
            SuggestionKind::Competitor { .. } => "competitor".to_string(),
        };
        let moment = sh
            .store
            .write(|tx| {
                live_calls::add_moment(
                    tx,
                    id,
                    s.segment_end_ms,
                    &kind,
                    s.card_id.as_deref(),
                    &s.response,
                    MomentAction::Shown,
                )
            })
            .unwrap_or(0);
        lock(&sh.shown).push(card.title.clone());
        sh.emit(LiveCallEvent::Suggestion {
            call_id: id.clone(),
            moment_id: moment,
            card,
        });
    }
}

/// How long a microphone final waits for the prospect's channel to catch up before the
/// echo dedupe decides.
const ECHO_WAIT: Duration = Duration::from_millis(1500);

fn on_final(sh: &Shared, seg: TranscriptSegment) {
    match seg.speaker {
        Speaker::Prospect => lock(&sh.prospect_finals).push(seg.clone()),
        Speaker::Rep => {
            // Wait until the prospect's transcriber has heard past this final's end, so an
            // overlapping prospect final is known.
            let until = seg.end_ms.saturating_add(1000);
            let far = sh.far_lock();
            let caught_up = sh
                .far
                .1
                .wait_timeout_while(far, ECHO_WAIT, |f| !f.closed && f.heard_ms < until)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
            drop(caught_up);
            if is_echo(&seg, &lock(&sh.prospect_finals)) {
                tracing::debug!("a microphone final repeated the prospect: dropped as echo");
                return;
            }
        }
        Speaker::Unknown => {}
    }
    let seq = sh.seq.fetch_add(1, Ordering::SeqCst);
    let id = sh.call_id.clone();
    let s = seg.clone();
    if let Err(e) = sh
        .store
        .write(|tx| live_calls::add_segment(tx, &id, seq, &s))
    {
        tracing::error!(error = %e, "a transcript segment was not saved");
        sh.emit(LiveCallEvent::Problem {
            call_id: id.clone(),
            message: format!("A transcript segment could not be saved: {e}"),
        });
    }
    sh.emit(LiveCallEvent::Final {
        call_id: id.clone(),
        seq,
        segment: seg.clone(),
    });
    let (update, metrics) = {
        let mut coach = lock(&sh.coach);
        let Some(c) = coach.as_mut() else { return };
        let u = c.on_final_segment(&seg);
        (u, c.metrics())
    };
    show(sh, update.suggestions);
    for a in update.alerts {
        let _ = sh.store.write(|tx| {
            live_calls::add_moment(
                tx,
                &id,
                a.at_ms,
                &format!("alert:{}", alert_name(a.kind)),
                None,
                &a.message,
                MomentAction::Shown,
            )
        });
        sh.emit(LiveCallEvent::Alert {
            call_id: id.clone(),
            at_ms: a.at_ms,
            message: a.message,
        });
    }
    sh.emit(LiveCallEvent::Metrics {
        call_id: id,
        metrics: TalkMetrics {
            now_ms: metrics.now_ms,
            rep_talk_ratio: metrics.rep_talk_ratio,
            longest_rep_monologue_ms: metrics
                .longest_rep_monologue
                .map(|m| m.duration_ms())
                .unwrap_or(0),
            rep_questions: metrics.rep_questions,
            rep_fillers: metrics.rep_fillers,
            rep_wpm: metrics.rep_wpm,
        },
    });
}

fn alert_name(k: closer_coach::AlertKind) -> &'static str {
    match k {
        closer_coach::AlertKind::RepTalkRatio => "talk_ratio",
        closer_coach::AlertKind::Monologue => "monologue",
        closer_coach::AlertKind::Pace => "pace",
    }
}

fn card_of(s: &closer_coach::Suggestion) -> CoachCard {
    let (title, kind) = match &s.kind {
        SuggestionKind::Objection { kind } => {
            let k = kind.as_str();
            let mut t = k.to_string();
            if let Some(first) = t.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            (format!("Objection: {t}"), format!("objection:{k}"))
        }
        SuggestionKind::Competitor { name } => {
            (format!("Competitor: {name}"), "competitor".to_string())
        }
    };
    CoachCard {
        title,
        kind,
        card_id: s.card_id.clone(),
        competitor: s.competitor.clone(),
        objection: s.objection.clone(),
        response: s.response.clone(),
        evidence: s.evidence.iter().map(|e| e.text.clone()).collect(),
        segment_end_ms: s.segment_end_ms,
    }
}

fn forward_capture_events(sh: Arc<Shared>, rx: mpsc::Receiver<CaptureEvent>, two: bool) {
    let speaker_of = |s: Source| match s {
        Source::OtherSide => Speaker::Prospect,
        Source::Microphone if two => Speaker::Rep,
        Source::Microphone => Speaker::Unknown,
    };
    for e in rx {
        match e {
            CaptureEvent::DeviceLost {
                source,
                device,
                message,
            } => sh.emit(LiveCallEvent::DeviceLost {
                call_id: sh.call_id.clone(),
                speaker: speaker_of(source),
                message: format!(
                    "“{device}” was disconnected ({message}). The transcript so far is kept; \
                     listening for another input…"
                ),
            }),
            CaptureEvent::Resumed { source, device } => sh.emit(LiveCallEvent::DeviceResumed {
                call_id: sh.call_id.clone(),
                speaker: speaker_of(source),
                device,
            }),
            _ => {}
        }
    }
}
