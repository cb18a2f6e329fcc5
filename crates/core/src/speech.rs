//! The speech engine of live calls: Whisper (closer-transcribe), loaded once per app on a
//! thread of its own and shared by every call's streams.

use std::path::PathBuf;
use std::sync::Arc;

use closer_transcribe::{StreamOptions, Whisper};
use closer_types::{LiveCallEvent, Speaker, SpeechError, SpeechStream};

use crate::calls_live::SpeechEngine;
use crate::{Closer, CoreEvent};

/// Whisper behind the pipeline's engine trait.
struct WhisperEngine(Whisper);

impl SpeechEngine for WhisperEngine {
    fn open_stream(
        &self,
        speaker: Speaker,
        vocabulary: &[String],
    ) -> Result<Box<dyn SpeechStream>, SpeechError> {
        let opts = StreamOptions {
            vocabulary: vocabulary.to_vec(),
            ..StreamOptions::default()
        };
        match self.0.stream(speaker, opts) {
            Ok(s) => Ok(Box::new(s)),
            Err(e) => Err(SpeechError(e.to_string())),
        }
    }
}

impl Closer {
    /// Loads the speech model at `model` once, on a thread of its own, telling the UI
    /// ("Loading the speech model…", then ready or why not). Calls started meanwhile run
    /// without coaching and say so.
    pub fn start_speech_engine(&self, model: PathBuf) {
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("closer-speech-load".into())
            .spawn(move || {
                me.emit(CoreEvent::LiveCall(LiveCallEvent::SpeechModel {
                    loading: true,
                    ready: false,
                    message: None,
                }));
                if !model.exists() {
                    let msg = format!(
                        "The speech model is not installed ({}): calls are recorded without a \
                         live transcript or coaching. Run scripts/setup.sh to install it.",
                        model.display()
                    );
                    me.set_speech_engine_problem(msg.clone());
                    me.emit(CoreEvent::LiveCall(LiveCallEvent::SpeechModel {
                        loading: false,
                        ready: false,
                        message: Some(msg),
                    }));
                    return;
                }
                match Whisper::load(&model) {
                    Ok(w) => {
                        tracing::info!(
                            ms = w.load_time().as_millis() as u64,
                            "speech model loaded"
                        );
                        me.set_speech_engine(Arc::new(WhisperEngine(w)));
                        me.emit(CoreEvent::LiveCall(LiveCallEvent::SpeechModel {
                            loading: false,
                            ready: true,
                            message: None,
                        }));
                    }
                    Err(e) => {
                        let msg = format!(
                            "The speech model could not be loaded ({e}): calls are recorded \
                             without a live transcript or coaching."
                        );
                        me.set_speech_engine_problem(msg.clone());
                        me.emit(CoreEvent::LiveCall(LiveCallEvent::SpeechModel {
                            loading: false,
                            ready: false,
                            message: Some(msg),
                        }));
                    }
                }
            });
        if let Err(e) = spawned {
            self.set_speech_engine_problem(format!("The speech model could not be loaded: {e}"));
        }
    }
}
