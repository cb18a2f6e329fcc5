//! Events pushed to the UI. Each is a typed struct exported through tauri-specta, so
//! the UI listens with `events.importProgress.listen(...)`.

use closer_core::{CoreEvent, EventSink};
use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;
use tauri::AppHandle;
use tauri_specta::Event;

#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ImportProgress {
    #[specta(type = Number)]
    pub done: u64,
    #[specta(type = Number)]
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ConnectivityChanged {
    pub online: bool,
    #[specta(type = Number)]
    pub checked_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct WorkspaceChanged {
    pub reason: String,
}

/// Queued AI work finished: the UI shows a notification and refreshes what changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AiJobsCompleted(pub closer_types::AiJobsDone);

/// The content index's state: model loaded, indexing progress, ready.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct IndexStatusChanged(pub closer_types::IndexStatus);

/// The level meter's reading (Settings → Microphone), or why it stopped.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct AudioLevelChanged(pub closer_types::AudioLevel);

/// A live call changed: transcript, suggestion card, metrics, devices, end.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct LiveCallChanged(pub closer_types::LiveCallEvent);
/// Team sync's status: the status pill and Settings → Team sync follow it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SyncStatusChanged(pub closer_types::SyncStatus);

/// Forwards core events to the webview.
pub struct TauriEvents(pub AppHandle);

impl EventSink for TauriEvents {
    fn emit(&self, event: CoreEvent) {
        let result = match event {
            CoreEvent::ImportProgress { done, total } => {
                ImportProgress { done, total }.emit(&self.0)
            }
            CoreEvent::ConnectivityChanged { online, checked_at } => {
                ConnectivityChanged { online, checked_at }.emit(&self.0)
            }
            CoreEvent::WorkspaceChanged { reason } => WorkspaceChanged { reason }.emit(&self.0),
            CoreEvent::AiJobsDone(done) => AiJobsCompleted(done).emit(&self.0),
            CoreEvent::IndexStatus(s) => IndexStatusChanged(s).emit(&self.0),
            CoreEvent::AudioLevel(l) => AudioLevelChanged(l).emit(&self.0),
            CoreEvent::LiveCall(e) => LiveCallChanged(e).emit(&self.0),
            CoreEvent::SyncStatus(s) => SyncStatusChanged(s).emit(&self.0),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not emit an event to the UI");
        }
    }
}
