fn main() {
    // tauri.conf.json lives at the top of the repository (one config for the CLI,
    // the build script and `generate_context!`).
    if let Err(e) =
        tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
    {
        panic!("tauri build failed: {e:#}");
    }
}
