//! A bare Tauri window: same Tauri version, config, profile and frontend folder as
//! Closer, but only a static page. The benchmark measures Closer against it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::{WebviewUrl, WebviewWindowBuilder};

#[tauri::command]
fn bare_ready() {
    closer_app::ready::mark("bare");
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![bare_ready])
        .setup(|app| {
            WebviewWindowBuilder::new(app, "bare", WebviewUrl::App("bare.html".into()))
                .title("Bare Tauri window")
                .inner_size(1280.0, 820.0)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("bare window failed: {e}");
        std::process::exit(1);
    }
}
