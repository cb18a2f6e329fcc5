//! The application menu. "Reset demo workspace" asks first, then rebuilds the demo.

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

const RESET_DEMO: &str = "reset-demo";

pub fn build(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let file = Submenu::with_items(
        app,
        "File",
        true,
        &[
            &PredefinedMenuItem::close_window(app, None)?,
            &PredefinedMenuItem::quit(app, None)?,
        ],
    )?;
    let workspace = Submenu::with_items(
        app,
        "Workspace",
        true,
        &[&MenuItem::with_id(
            app,
            RESET_DEMO,
            "Reset demo workspace…",
            true,
            None::<&str>,
        )?],
    )?;
    let edit = Submenu::with_items(
        app,
        "Edit",
        true,
        &[
            &PredefinedMenuItem::undo(app, None)?,
            &PredefinedMenuItem::redo(app, None)?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::cut(app, None)?,
            &PredefinedMenuItem::copy(app, None)?,
            &PredefinedMenuItem::paste(app, None)?,
            &PredefinedMenuItem::select_all(app, None)?,
        ],
    )?;
    Menu::with_items(app, &[&file, &edit, &workspace])
}

pub fn on_event(app: &AppHandle, event: MenuEvent) {
    if event.id().as_ref() != RESET_DEMO {
        return;
    }
    let app = app.clone();
    app.dialog()
        .message("Replace every lead, deal, battle card, proposal and call with a fresh demo workspace? Your settings and API key are kept.")
        .title("Reset demo workspace")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom("Reset".into(), "Cancel".into()))
        .show(move |confirmed| {
            if !confirmed {
                return;
            }
            let core = app.state::<closer_core::Closer>().inner().clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = core.reset_demo().await {
                    tracing::error!(error = %e, "demo reset failed");
                }
            });
        });
}
