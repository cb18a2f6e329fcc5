//! Hands a file to the application the OS opens it with. Platform glue only: the core has
//! already checked the path is a file inside a library folder.

use std::path::Path;
use std::process::{Command, Stdio};

pub fn with_default_app(path: &Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    // The path is one argument, never parsed by a shell.
    let mut child = Command::new(program)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Reap it when it exits, so no zombie is left behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}
