//! The cold-start mark: when `CLOSER_READY_FILE` is set, the first call writes the
//! milliseconds since the Unix epoch to it, so the benchmark can time process start
//! to first paint from outside. Shared by the app and the bare baseline window.

use std::sync::Once;

static MARK: Once = Once::new();

pub fn mark(who: &str) {
    MARK.call_once(|| {
        let now = closer_types::now_millis();
        tracing::info!(who, "first paint");
        if let Some(path) = std::env::var_os("CLOSER_READY_FILE") {
            if let Err(e) = std::fs::write(&path, now.to_string()) {
                tracing::warn!(error = %e, "could not write the ready file");
            }
        }
    });
}
