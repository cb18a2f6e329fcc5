//! The live call window: small, always on top, and excluded from screen capture where the
//! OS allows it (the prospect must never see the coaching card).

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::error::{CmdResult, CommandError, ErrorKind};

pub const LABEL: &str = "live-call";

/// Opens (or brings forward) the live call window for `deal_id` / `lead_id`.
#[tauri::command]
#[specta::specta]
pub async fn open_live_call_window(
    app: AppHandle,
    deal_id: Option<String>,
    lead_id: Option<String>,
) -> CmdResult<()> {
    if let Some(w) = app.get_webview_window(LABEL) {
        let _ = w.show();
        let _ = w.set_focus();
        return Ok(());
    }
    let mut query = Vec::new();
    if let Some(d) = deal_id {
        query.push(format!("deal={d}"));
    }
    if let Some(l) = lead_id {
        query.push(format!("lead={l}"));
    }
    let url = format!("index.html#/live-call?{}", query.join("&"));
    WebviewWindowBuilder::new(&app, LABEL, WebviewUrl::App(url.into()))
        .title("Closer — live call")
        .inner_size(360.0, 560.0)
        .min_inner_size(300.0, 420.0)
        .always_on_top(true)
        // macOS: NSWindowSharingNone; Windows: WDA_EXCLUDEFROMCAPTURE (10 2004+);
        // Linux (X11/Wayland): no effect, see ARCHITECTURE.md.
        .content_protected(true)
        .build()
        .map_err(|e| {
            CommandError::new(
                ErrorKind::Internal,
                format!("The live call window could not open: {e}"),
            )
        })?;
    Ok(())
}
