//! Audio use cases: the inputs a rep can pick, and the level meter Settings shows while
//! they pick one (the live call will capture through the same crate).

use std::sync::mpsc;
use std::sync::Mutex;

use closer_audio::{Capture, CaptureEvent, CaptureOptions, Source};
use closer_types::{AudioInput, AudioLevel};

use crate::{blocking, Closer, CoreEvent, Result};

/// The running level meter: its capture and the thread forwarding its readings.
pub(crate) struct Meter {
    capture: Capture,
    forward: std::thread::JoinHandle<()>,
}

#[derive(Default)]
pub(crate) struct AudioState {
    meter: Mutex<Option<Meter>>,
}

impl Closer {
    /// The inputs of this machine, the default first, monitors (the other side of a call)
    /// last.
    pub async fn audio_inputs(&self) -> Result<Vec<AudioInput>> {
        let mut list = blocking(|| Ok(closer_audio::list_inputs()?)).await?;
        list.sort_by_key(|d| (!d.is_default, d.is_monitor, d.name.to_lowercase()));
        Ok(list
            .into_iter()
            .map(|d| AudioInput {
                id: d.id,
                name: d.name,
                is_default: d.is_default,
                is_monitor: d.is_monitor,
            })
            .collect())
    }

    /// Starts the level meter on `device` (`None`: the default input), replacing a running
    /// one. Readings arrive as [`CoreEvent::AudioLevel`]; returns the input's name.
    pub async fn start_level_meter(&self, device: Option<String>) -> Result<String> {
        self.stop_level_meter().await;
        let me = self.clone();
        blocking(move || {
            let (tx, rx) = mpsc::channel();
            let mut opts = CaptureOptions::new(Source::Microphone);
            opts.device = device;
            opts.ring_seconds = 1.0;
            let capture = Capture::start(opts, tx)?;
            let ring = capture.ring();
            let events = me.inner.events.clone();
            let forward = std::thread::Builder::new()
                .name("closer-level-meter".into())
                .spawn(move || {
                    let mut device = name_of_first(&rx);
                    for e in rx {
                        // The meter needs no audio: keep the ring empty.
                        let _ = ring.take(std::time::Duration::ZERO);
                        let level = match e {
                            CaptureEvent::Level {
                                level_db, voiced, ..
                            } => AudioLevel {
                                level_db,
                                voiced,
                                device: device.clone(),
                                problem: None,
                            },
                            CaptureEvent::DeviceLost { device: d, .. } => AudioLevel {
                                level_db: closer_audio::SILENCE_DB,
                                voiced: false,
                                device: d.clone(),
                                problem: Some(format!(
                                    "“{d}” was disconnected. Listening for another input…"
                                )),
                            },
                            CaptureEvent::Resumed { device: d, .. } => {
                                device = d;
                                AudioLevel {
                                    level_db: closer_audio::SILENCE_DB,
                                    voiced: false,
                                    device: device.clone(),
                                    problem: None,
                                }
                            }
                            _ => continue,
                        };
                        events.emit(CoreEvent::AudioLevel(level));
                    }
                })
                .map_err(|e| crate::CoreError::Task(e.to_string()))?;
            let name = capture.device().to_string();
            if let Ok(mut m) = me.inner.audio.meter.lock() {
                *m = Some(Meter { capture, forward });
            }
            Ok(name)
        })
        .await
    }

    /// Stops the level meter, if it runs.
    pub async fn stop_level_meter(&self) {
        let meter = self
            .inner
            .audio
            .meter
            .lock()
            .ok()
            .and_then(|mut m| m.take());
        if let Some(m) = meter {
            let _ = blocking(move || {
                m.capture.stop();
                let _ = m.forward.join();
                Ok(())
            })
            .await;
        }
    }
}

/// The device named by the capture's first event (`Started`), if it came first.
fn name_of_first(rx: &mpsc::Receiver<CaptureEvent>) -> String {
    match rx.recv_timeout(std::time::Duration::from_millis(500)) {
        Ok(CaptureEvent::Started { device, .. }) => device,
        _ => String::new(),
    }
}
