//! Which files the library reads, and the folder walk that finds them.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Folders deeper than this under a library folder are not walked (a guard, not a limit any
/// real library reaches).
const MAX_DEPTH: usize = 64;

/// Documents a rep will expect to see in the library that Closer does not read (yet): they get
/// a `skipped` row saying so instead of disappearing silently. Other extensions (images,
/// archives, videos) are ignored.
const SKIPPED_EXTENSIONS: &[&str] = &[
    "doc", "dot", "ppt", "pps", "ppsx", "potx", "rtf", "odt", "odp", "pages", "key", "xls", "xlsx",
    "numbers",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A format closer-extract reads.
    Read,
    /// A document format Closer does not read: a `skipped` row.
    Skip,
    /// Hidden, temporary, lock or other files: no row at all.
    Ignore,
}

/// Hidden files and folders (and the `.~lock.x#` files LibreOffice leaves).
fn hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Office's owner files (`~$deck.pptx`), Word's `~WRL0001.tmp`, editors' backups (`notes.md~`),
/// and `*.tmp`.
fn temporary(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with('~') || lower.ends_with('~') || lower.ends_with(".tmp")
}

fn extension(name: &str) -> String {
    match name.rfind('.') {
        Some(i) if i > 0 => name[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// What the library does with `path`, a file under the library folder `root`.
pub(crate) fn classify(root: &Path, path: &Path) -> Verdict {
    let Ok(relative) = path.strip_prefix(root) else {
        return Verdict::Ignore;
    };
    let mut components = relative.components().peekable();
    if components.peek().is_none() {
        return Verdict::Ignore;
    }
    for component in components {
        match component {
            Component::Normal(name) if !hidden(name) => {}
            _ => return Verdict::Ignore,
        }
    }
    let Some(name) = path.file_name() else {
        return Verdict::Ignore;
    };
    let name = name.to_string_lossy();
    if temporary(&name) {
        return Verdict::Ignore;
    }
    if closer_extract::supported(path) {
        Verdict::Read
    } else if SKIPPED_EXTENSIONS.contains(&extension(&name).as_str()) {
        Verdict::Skip
    } else {
        Verdict::Ignore
    }
}

/// Whether `path` (a folder) is hidden relative to `root`, so nothing under it is read.
pub(crate) fn hidden_under(root: &Path, path: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(relative) => relative
            .components()
            .any(|c| !matches!(c, Component::Normal(name) if !hidden(name))),
        Err(_) => true,
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Files to read or skip (not ignored ones), sorted.
    pub files: Vec<PathBuf>,
    /// The folder walked could not be opened (it is gone, or not a folder).
    pub missing: bool,
}

/// Walks `dir` (a folder at or under the library folder `root`), following symbolic links;
/// a link back to a folder being walked is reported by walkdir as a loop and skipped, so a loop
/// never hangs. `found` is told the running count of files; the walk stops early when `stop`
/// is set.
pub(crate) fn walk(
    root: &Path,
    dir: &Path,
    stop: &AtomicBool,
    found: &mut dyn FnMut(usize),
) -> Walk {
    let mut out = Walk::default();
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(MAX_DEPTH)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !hidden(e.file_name()));
    for entry in entries {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        match entry {
            Ok(entry) => {
                if entry.depth() == 0 && !entry.file_type().is_dir() {
                    out.missing = true;
                    break;
                }
                if entry.file_type().is_file() && classify(root, entry.path()) != Verdict::Ignore {
                    out.files.push(entry.into_path());
                    found(out.files.len());
                }
            }
            Err(e) if e.depth() == 0 => {
                tracing::info!(dir = %dir.display(), error = %e, "library folder unreadable");
                out.missing = true;
                break;
            }
            Err(e) if e.loop_ancestor().is_some() => {
                tracing::debug!(error = %e, "symbolic link loop skipped");
            }
            Err(e) => {
                // A subfolder that vanished mid-walk or denies access, a broken link: the rest
                // of the walk goes on.
                tracing::debug!(error = %e, "walk entry skipped");
            }
        }
    }
    out.files.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_table() {
        let root = Path::new("/lib");
        let cases = [
            ("/lib/deck.pdf", Verdict::Read),
            ("/lib/Deck.PPTX", Verdict::Read),
            ("/lib/a/b/notes.md", Verdict::Read),
            ("/lib/page.htm", Verdict::Read),
            ("/lib/readme.txt", Verdict::Read),
            ("/lib/old.doc", Verdict::Skip),
            ("/lib/pricing.xlsx", Verdict::Skip),
            ("/lib/photo.jpg", Verdict::Ignore),
            ("/lib/noext", Verdict::Ignore),
            ("/lib/.DS_Store", Verdict::Ignore),
            ("/lib/.hidden.md", Verdict::Ignore),
            ("/lib/.git/notes.md", Verdict::Ignore),
            ("/lib/a/.cache/x.pdf", Verdict::Ignore),
            ("/lib/~$deck.docx", Verdict::Ignore),
            ("/lib/.~lock.deck.docx#", Verdict::Ignore),
            ("/lib/~WRL0001.tmp", Verdict::Ignore),
            ("/lib/upload.tmp", Verdict::Ignore),
            ("/lib/draft.md~", Verdict::Ignore),
            ("/lib", Verdict::Ignore),
            ("/elsewhere/x.md", Verdict::Ignore),
        ];
        for (path, want) in cases {
            assert_eq!(classify(root, Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn hidden_folders() {
        let root = Path::new("/lib");
        assert!(!hidden_under(root, Path::new("/lib")));
        assert!(!hidden_under(root, Path::new("/lib/a/b")));
        assert!(hidden_under(root, Path::new("/lib/a/.b")));
        assert!(hidden_under(root, Path::new("/other")));
    }
}
