//! Atomic file writes: the bytes go to a temporary file in the target's folder (same
//! file system, so the rename cannot turn into a copy), which is synced and then renamed
//! over the target. A failure at any step leaves the target as it was; the temporary
//! file is removed when it is dropped.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use crate::error::{ExportError, Result, WriteProblem};

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let failed = |source: io::Error| ExportError::Write {
        path: path.to_path_buf(),
        problem: WriteProblem::of(&source),
        source,
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(ExportError::Write {
            path: path.to_path_buf(),
            problem: WriteProblem::IsAFolder,
            source: io::Error::new(io::ErrorKind::IsADirectory, "the path is a folder"),
        });
    }
    if !folder.is_dir() {
        return Err(ExportError::Write {
            path: path.to_path_buf(),
            problem: WriteProblem::MissingFolder,
            source: io::Error::new(io::ErrorKind::NotFound, "the folder does not exist"),
        });
    }

    let mut temp = tempfile::Builder::new()
        .prefix(".closer-export-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(failed)?;
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    set_permissions(temp.as_file(), path).map_err(failed)?;
    temp.persist(path).map_err(|e| failed(e.error))?;
    sync_folder(folder);
    Ok(())
}

/// The temporary file is private (0600); the exported file gets the permissions of the
/// file it replaces, or the usual 0644 of a document.
#[cfg(unix)]
fn set_permissions(file: &fs::File, path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match fs::metadata(path) {
        Ok(existing) => existing.permissions(),
        Err(_) => fs::Permissions::from_mode(0o644),
    };
    file.set_permissions(permissions)
}

#[cfg(not(unix))]
fn set_permissions(_file: &fs::File, _path: &Path) -> io::Result<()> {
    Ok(())
}

/// Makes the rename itself durable. Best effort: the file is complete either way.
#[cfg(unix)]
fn sync_folder(folder: &Path) {
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) {}
