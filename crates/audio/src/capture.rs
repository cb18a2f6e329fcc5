//! One input device captured on a thread of its own (a cpal stream is not `Send` on every
//! platform, so it is made, played and dropped there).
//!
//! The device callback only downmixes to mono and hands the samples over a bounded channel
//! (`try_send`: when the capture thread is behind, the samples are dropped and counted,
//! the audio callback never waits). The capture thread resamples to 16 kHz, measures the
//! level, detects voice, and writes into the [`AudioRing`] the transcriber reads. A device
//! that goes away is reported, then reopened (the one asked for, else the default input)
//! every second until one works; the ring, and so the transcript, carry on.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use crate::error::{AudioError, Result};
use crate::resample::{To16k, TARGET_RATE};
use crate::ring::AudioRing;
use crate::vad::{Vad, VadOptions};

/// Whose voice an input carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The rep's microphone.
    Microphone,
    /// The other side of the call (a monitor of the speakers, a loopback device).
    OtherSide,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaptureOptions {
    /// The input to open: an id from [`crate::list_inputs`] or a device name; `None` for
    /// the default input.
    pub device: Option<String>,
    pub source: Source,
    /// How much 16 kHz audio the ring keeps for a slow reader.
    pub ring_seconds: f32,
    pub vad: VadOptions,
    /// How often a level event is sent (the meter).
    pub level_every: Duration,
    /// How long to wait between attempts to reopen a lost device.
    pub reopen_every: Duration,
}

impl CaptureOptions {
    pub fn new(source: Source) -> CaptureOptions {
        CaptureOptions {
            device: None,
            source,
            ring_seconds: 30.0,
            vad: VadOptions::default(),
            level_every: Duration::from_millis(50),
            reopen_every: Duration::from_secs(1),
        }
    }
}

/// What the capture reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureEvent {
    Started {
        source: Source,
        device: String,
        rate: u32,
        channels: u16,
    },
    /// For the level meter.
    Level {
        source: Source,
        level_db: f32,
        voiced: bool,
    },
    /// A stretch of voice ended (positions in ms since capture started).
    Speech {
        source: Source,
        start_ms: u64,
        end_ms: u64,
    },
    /// Audio was lost because the reader (or the capture thread) fell behind.
    Dropped {
        source: Source,
        ms: u64,
    },
    /// The device went away; capture goes on as soon as an input opens.
    DeviceLost {
        source: Source,
        device: String,
        message: String,
    },
    Resumed {
        source: Source,
        device: String,
    },
    Stopped {
        source: Source,
    },
}

/// Without audio for this long, the capture checks that its input is still there: not
/// every backend reports a device that went away (PulseAudio's does not).
const STALL: Duration = Duration::from_millis(1500);

/// Whether the input with host id `id` is still listed.
fn still_there(id: &str) -> bool {
    let host = cpal::default_host();
    let Ok(devices) = host.input_devices() else {
        return false;
    };
    devices
        .filter_map(|d| d.id().ok())
        .any(|d| d.to_string() == id)
}

/// How long [`Capture::start`] waits for the input to start delivering audio.
const START_TIMEOUT: Duration = Duration::from_secs(10);

fn opts_device_label() -> String {
    "the selected input".into()
}

/// A running capture; stops when dropped.
pub struct Capture {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    ring: AudioRing,
    device: String,
}

enum Msg {
    Audio(Vec<f32>),
    Lost(String),
}

/// An opened, playing stream with what it delivers.
struct Opened {
    _stream: cpal::Stream,
    /// The host's id of the device, to check it is still there.
    id: Option<String>,
    name: String,
    rate: u32,
    channels: u16,
}

impl Capture {
    /// Opens the input and starts capturing. Fails at once, with a message a rep can act
    /// on, when there is no such input or it will not start.
    pub fn start(opts: CaptureOptions, events: Sender<CaptureEvent>) -> Result<Capture> {
        let stop = Arc::new(AtomicBool::new(false));
        let ring = AudioRing::new(opts.ring_seconds);
        let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<String>>(1);
        let thread = {
            let stop = stop.clone();
            let ring = ring.clone();
            std::thread::Builder::new()
                .name("closer-capture".into())
                .spawn(move || run(opts, events, stop, ring, ready_tx))
                .map_err(|e| AudioError::Thread(e.to_string()))?
        };
        // A stream starts when its first audio arrives; an input that delivers nothing (a
        // source nobody feeds) must not hang the caller.
        let device = match ready_rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(name)) => name,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                stop.store(true, Ordering::SeqCst);
                return Err(AudioError::Open {
                    device: opts_device_label(),
                    reason: "it sent no audio for 10 seconds".into(),
                });
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                return Err(AudioError::Thread("the capture thread ended".into()));
            }
        };
        Ok(Capture {
            stop,
            thread: Some(thread),
            ring,
            device,
        })
    }

    /// The 16 kHz audio for the transcriber.
    pub fn ring(&self) -> AudioRing {
        self.ring.clone()
    }

    /// The input's name as opened first.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Stops capturing; the ring is closed once the last audio is in it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.halt();
    }
}

fn pick_device(host: &cpal::Host, wanted: Option<&str>) -> Result<cpal::Device> {
    let Some(wanted) = wanted else {
        return host.default_input_device().ok_or(AudioError::NoInputDevice);
    };
    if let Ok(id) = wanted.parse::<cpal::DeviceId>() {
        if let Some(d) = host.device_by_id(&id) {
            return Ok(d);
        }
    }
    let devices = host
        .input_devices()
        .map_err(|_| AudioError::NoInputDevice)?;
    for d in devices {
        let id = d.id().map(|i| i.to_string()).unwrap_or_default();
        if d.to_string() == wanted || id == wanted {
            return Ok(d);
        }
    }
    Err(AudioError::DeviceNotFound(wanted.to_string()))
}

fn open(wanted: Option<&str>, tx: &SyncSender<Msg>, dropped: &Arc<AtomicU64>) -> Result<Opened> {
    let host = cpal::default_host();
    let device = pick_device(&host, wanted)?;
    let name = device.to_string();
    let id = device.id().ok().map(|i| i.to_string());
    let failed = |reason: String| AudioError::Open {
        device: name.clone(),
        reason,
    };
    let supported = device
        .default_input_config()
        .map_err(|e| failed(e.to_string()))?;
    let rate = supported.sample_rate();
    let channels = supported.channels();
    let format = supported.sample_format();
    let small = callback_frames(rate, supported.buffer_size());
    let config: cpal::StreamConfig = supported.into();
    let build_with = |config: cpal::StreamConfig| match format {
        SampleFormat::F32 => build::<f32>(&device, config, tx, dropped),
        SampleFormat::I16 => build::<i16>(&device, config, tx, dropped),
        SampleFormat::I32 => build::<i32>(&device, config, tx, dropped),
        SampleFormat::U16 => build::<u16>(&device, config, tx, dropped),
        SampleFormat::U8 => build::<u8>(&device, config, tx, dropped),
        SampleFormat::F64 => build::<f64>(&device, config, tx, dropped),
        other => Err(cpal::Error::with_message(
            cpal::ErrorKind::UnsupportedConfig,
            format!("sample format {other} is not supported"),
        )),
    };
    // Short callbacks first; a device that refuses the size gets the host's default.
    let stream = match small {
        Some(frames) => build_with(cpal::StreamConfig {
            buffer_size: cpal::BufferSize::Fixed(frames),
            ..config
        })
        .or_else(|e| {
            tracing::debug!(error = %e, frames, "input refused small buffers");
            build_with(config)
        }),
        None => build_with(config),
    }
    .map_err(|e| failed(e.to_string()))?;
    stream.play().map_err(|e| failed(e.to_string()))?;
    Ok(Opened {
        _stream: stream,
        id,
        name,
        rate,
        channels,
    })
}

/// How long one device callback's audio is. Not less: cpal's PulseAudio host makes the
/// stream's whole buffer one callback long, so a source that posts 100 ms at a time (a pipe
/// source fed in 100-ms writes, some Bluetooth microphones) overruns a 20-ms buffer and
/// loses most of its audio (seen in `tests/virtual_mic.rs` at 20 and 50 ms).
const CALLBACK: Duration = Duration::from_millis(100);

/// Frames per callback to ask for: [`CALLBACK`] of audio within what the device allows.
/// Left to itself, PulseAudio hands a record stream over in 2-s fragments (its default
/// fragment size): partials then come in 2-s steps and cards at the final.
fn callback_frames(rate: u32, supported: &cpal::SupportedBufferSize) -> Option<u32> {
    let want = (u64::from(rate) * CALLBACK.as_millis() as u64 / 1000) as u32;
    match supported {
        cpal::SupportedBufferSize::Range { min, max } if min <= max => {
            Some(want.clamp(*min, *max).max(1))
        }
        _ => None,
    }
}

fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    tx: &SyncSender<Msg>,
    dropped: &Arc<AtomicU64>,
) -> std::result::Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = usize::from(config.channels.max(1));
    let data_tx = tx.clone();
    let err_tx = tx.clone();
    let dropped = dropped.clone();
    device.build_input_stream::<T, _, _>(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            // Downmix to mono: the average of the channels.
            let mono: Vec<f32> = data
                .chunks(channels)
                .map(|frame| {
                    frame.iter().map(|s| s.to_sample::<f32>()).sum::<f32>() / frame.len() as f32
                })
                .collect();
            let n = mono.len() as u64;
            if let Err(TrySendError::Full(_)) = data_tx.try_send(Msg::Audio(mono)) {
                dropped.fetch_add(n, Ordering::Relaxed);
            }
        },
        move |err: cpal::Error| {
            // Overruns and the like are noise; a device that is gone is not.
            if matches!(
                err.kind(),
                cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
            ) {
                let _ = err_tx.try_send(Msg::Lost(err.to_string()));
            } else {
                tracing::debug!(error = %err, "audio stream warning");
            }
        },
        None,
    )
}

fn run(
    opts: CaptureOptions,
    events: Sender<CaptureEvent>,
    stop: Arc<AtomicBool>,
    ring: AudioRing,
    ready: SyncSender<Result<String>>,
) {
    let source = opts.source;
    // Bounded: about two seconds of device callbacks.
    let (tx, rx): (SyncSender<Msg>, Receiver<Msg>) = mpsc::sync_channel(200);
    let dropped_raw = Arc::new(AtomicU64::new(0));
    let opened = match open(opts.device.as_deref(), &tx, &dropped_raw) {
        Ok(o) => o,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut resampler = match To16k::new(opened.rate) {
        Ok(r) => r,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(opened.name.clone()));
    let _ = events.send(CaptureEvent::Started {
        source,
        device: opened.name.clone(),
        rate: opened.rate,
        channels: opened.channels,
    });

    let mut vad = Vad::new(opts.vad);
    let mut out: Vec<f32> = Vec::new();
    // Position (samples at 16 kHz) of the next sample written to the ring.
    let mut pos: u64 = 0;
    let mut speech_start: Option<u64> = None;
    let mut last_level = Instant::now();
    let mut peak_db = f32::MIN;
    let mut voiced_now = false;
    let mut lost_at: Option<Instant> = None;
    let mut last_audio = Instant::now();
    let mut last_check = Instant::now();
    let mut current: Option<Opened> = Some(opened);

    while !stop.load(Ordering::SeqCst) {
        if let Some(since) = lost_at {
            // Reopen: the input asked for, else the default one.
            if since.elapsed() < opts.reopen_every {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            lost_at = None;
            let again = open(opts.device.as_deref(), &tx, &dropped_raw)
                .or_else(|_| open(None, &tx, &dropped_raw));
            match again.and_then(|o| To16k::new(o.rate).map(|r| (o, r))) {
                Ok((o, r)) => {
                    let _ = events.send(CaptureEvent::Resumed {
                        source,
                        device: o.name.clone(),
                    });
                    resampler = r;
                    current = Some(o);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "no input yet");
                    lost_at = Some(Instant::now());
                }
            }
            continue;
        }
        let msg = match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(m) => Some(m),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        // A quiet backend: is the input still there?
        let vanished =
            msg.is_none() && last_audio.elapsed() >= STALL && last_check.elapsed() >= STALL && {
                last_check = Instant::now();
                current
                    .as_ref()
                    .and_then(|o| o.id.as_deref())
                    .is_some_and(|id| !still_there(id))
            };
        let msg = if vanished {
            Some(Msg::Lost("the input is no longer connected".into()))
        } else {
            msg
        };
        match msg {
            Some(Msg::Audio(mono)) => {
                last_audio = Instant::now();
                out.clear();
                resampler.push(&mono, &mut out);
                let frame_start = pos;
                let mut frame_index = 0u64;
                vad.push(&out, |f| {
                    let at = frame_start + frame_index * crate::vad::FRAME as u64;
                    frame_index += 1;
                    peak_db = peak_db.max(f.level_db);
                    voiced_now = f.voiced;
                    match (f.voiced, speech_start) {
                        (true, None) => speech_start = Some(at),
                        (false, Some(start)) => {
                            speech_start = None;
                            let _ = events.send(CaptureEvent::Speech {
                                source,
                                start_ms: to_ms(start),
                                end_ms: to_ms(at),
                            });
                        }
                        _ => {}
                    }
                });
                let over = ring.push(&out);
                pos += out.len() as u64;
                if over > 0 {
                    let _ = events.send(CaptureEvent::Dropped {
                        source,
                        ms: to_ms(over),
                    });
                }
            }
            Some(Msg::Lost(message)) => {
                let device = current.take().map(|o| o.name).unwrap_or_default();
                tracing::warn!(%device, %message, "audio input lost");
                let _ = events.send(CaptureEvent::DeviceLost {
                    source,
                    device,
                    message,
                });
                // Audio of the old stream still queued is dropped with it.
                while rx.try_recv().is_ok() {}
                lost_at = Some(Instant::now());
                last_audio = Instant::now();
                continue;
            }
            None => {}
        }
        let raw = dropped_raw.swap(0, Ordering::Relaxed);
        if raw > 0 {
            let _ = events.send(CaptureEvent::Dropped {
                source,
                ms: raw * 1000 / u64::from(resampler.input_rate().max(1)),
            });
        }
        if last_level.elapsed() >= opts.level_every && peak_db > f32::MIN {
            last_level = Instant::now();
            let _ = events.send(CaptureEvent::Level {
                source,
                level_db: peak_db,
                voiced: voiced_now,
            });
            peak_db = f32::MIN;
        }
    }
    drop(current);
    if let Some(start) = speech_start {
        let _ = events.send(CaptureEvent::Speech {
            source,
            start_ms: to_ms(start),
            end_ms: to_ms(pos),
        });
    }
    ring.close();
    let _ = events.send(CaptureEvent::Stopped { source });
}

fn to_ms(samples: u64) -> u64 {
    samples * 1000 / u64::from(TARGET_RATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_100_ms_within_what_the_device_allows() {
        let range = |min, max| cpal::SupportedBufferSize::Range { min, max };
        assert_eq!(callback_frames(48_000, &range(1, 100_000)), Some(4_800));
        assert_eq!(callback_frames(16_000, &range(2_048, 8_192)), Some(2_048));
        assert_eq!(callback_frames(44_100, &range(1, 256)), Some(256));
        assert_eq!(
            callback_frames(48_000, &cpal::SupportedBufferSize::Unknown),
            None
        );
    }
}
