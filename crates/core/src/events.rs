/// What the core tells whoever hosts it (the Tauri shell forwards these to the UI;
/// tests collect them).
#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    ImportProgress {
        done: u64,
        total: u64,
    },
    ConnectivityChanged {
        online: bool,
        checked_at: i64,
    },
    WorkspaceChanged {
        reason: String,
    },
    /// Queued AI work completed (lead scores, call analyses, proposal polish).
    AiJobsDone(closer_types::AiJobsDone),
    /// The content index's state changed (model loaded, indexing progress, ready).
    IndexStatus(closer_types::IndexStatus),
    /// The level meter's reading, or why it stopped.
    AudioLevel(closer_types::AudioLevel),
    /// A live call changed (transcript, suggestion, metrics, devices).
    LiveCall(closer_types::LiveCallEvent),
    /// Team sync's status changed (state, progress, pending, conflicts).
    SyncStatus(closer_types::SyncStatus),
}

pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: CoreEvent);
}

/// A sink that drops everything (benchmarks, headless tools).
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: CoreEvent) {}
}

/// A sink that keeps every event, for tests.
#[derive(Default)]
pub struct CollectEvents(pub std::sync::Mutex<Vec<CoreEvent>>);

impl EventSink for CollectEvents {
    fn emit(&self, event: CoreEvent) {
        if let Ok(mut v) = self.0.lock() {
            v.push(event);
        }
    }
}

impl CollectEvents {
    pub fn take(&self) -> Vec<CoreEvent> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}
