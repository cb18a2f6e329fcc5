//! The UI's only door into Rust is `ui/src/bindings.gen.ts`. This test fails when the
//! committed file is not what `specta_builder()` exports today.
//! `CLOSER_UPDATE_BINDINGS=1 cargo test -p closer-app --test bindings` rewrites it.
//!
//! (Being an integration test also makes `cargo test` build the `closer` binary,
//! which the end-to-end test then drives.)

use std::path::Path;

#[test]
fn bindings_are_fresh() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(closer_app::BINDINGS_PATH);
    let dir = std::env::temp_dir().join(format!("closer-bindings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fresh_path = dir.join("bindings.gen.ts");
    closer_app::specta_builder()
        .export(closer_app::typescript(), &fresh_path)
        .expect("export bindings");
    let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var_os("CLOSER_UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/bindings.gen.ts is stale: run `CLOSER_UPDATE_BINDINGS=1 cargo test -p closer-app --test bindings` and commit it"
    );
}
