//! Structured logs to a rotating file, every line passed through redaction.
//!
//! What this crate does:
//! - [`init`] installs the process-wide `tracing` subscriber: JSON lines into a daily
//!   rotating file `closer.log.YYYY-MM-DD` in the log folder (at most 7 files are kept), and
//!   human-readable lines (no colours) on stderr. `RUST_LOG` overrides the default filter;
//! - every byte written to either sink goes through [`RedactingWriter`], which runs
//!   [`redact`] over each complete line before the sink sees it: API keys, bearer tokens,
//!   secret-named values (`api_key=`, `"x-api-key":"..."`, `token=`, `password=`,
//!   `"refresh_token":"..."`...), JWTs, AWS access key ids, emails, phone numbers, payment
//!   card numbers (Luhn-checked) and IBANs (checksum-checked) become `[REDACTED:kind]`;
//! - a panic hook writes a redacted crash report `crash-<millis>.txt` into the log folder
//!   and logs where it is. The default hook (which prints the raw panic message) is replaced.
//!
//! What it does not know: what the app logs, where the log folder is (the caller passes
//! it), and any upload of logs or crash reports; nothing leaves the machine. Redaction is
//! pattern based: a secret in a shape none of the patterns knows (say, a bare random word
//! used as a password outside any `password=`-like key) is not recognised.

mod redact;
mod writer;

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

pub use redact::redact;
pub use writer::{RedactingMakeWriter, RedactingWriter};

/// Log file names start with this; the date follows (`closer.log.2025-01-31`).
pub const LOG_FILE_PREFIX: &str = "closer.log";
/// Log files kept; older ones are deleted when the log rotates.
pub const MAX_LOG_FILES: usize = 7;

/// What can go wrong while setting up logging.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not create the log folder {path}: {reason}")]
    LogDir { path: PathBuf, reason: String },
    #[error("Could not open a log file in {path}: {reason}")]
    LogFile { path: PathBuf, reason: String },
    #[error("The log filter \"{filter}\" is not valid: {reason}")]
    Filter { filter: String, reason: String },
    #[error("Logging is already set up in this process: {reason}")]
    AlreadyInitialized { reason: String },
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Keeps the file writer alive; dropping it flushes what is still queued. Hold it for the
/// life of the app.
#[must_use = "dropping the guard stops file logging"]
pub struct TelemetryGuard {
    _file: WorkerGuard,
    log_dir: PathBuf,
}

impl TelemetryGuard {
    /// The folder holding the log files and crash reports.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }
}

impl std::fmt::Debug for TelemetryGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelemetryGuard")
            .field("log_dir", &self.log_dir)
            .finish_non_exhaustive()
    }
}

/// The filter: `RUST_LOG` when set (and valid), else `default_filter` (e.g. `"info"` or
/// `"info,closer_core=debug"`).
fn filter(default_filter: &str) -> Result<EnvFilter> {
    if let Ok(env) = std::env::var(EnvFilter::DEFAULT_ENV) {
        if !env.trim().is_empty() {
            return EnvFilter::try_new(&env).map_err(|e| Error::Filter {
                filter: env,
                reason: e.to_string(),
            });
        }
    }
    EnvFilter::try_new(default_filter).map_err(|e| Error::Filter {
        filter: default_filter.to_string(),
        reason: e.to_string(),
    })
}

/// Sets up logging for the process (once) and installs the crash-report panic hook.
pub fn init(log_dir: &Path, default_filter: &str) -> Result<TelemetryGuard> {
    std::fs::create_dir_all(log_dir).map_err(|e| Error::LogDir {
        path: log_dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let filter = filter(default_filter)?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .max_log_files(MAX_LOG_FILES)
        .build(log_dir)
        .map_err(|e| Error::LogFile {
            path: log_dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    let file_layer = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_thread_names(true)
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(file));
    // No ANSI colours: escape codes between a field name and its value would hide
    // `password=...` from the patterns.
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| Error::AlreadyInitialized {
            reason: e.to_string(),
        })?;
    install_panic_hook(log_dir.to_path_buf());
    tracing::debug!(log_dir = %log_dir.display(), "logging started");
    Ok(TelemetryGuard {
        _file: guard,
        log_dir: log_dir.to_path_buf(),
    })
}

fn now_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    info.payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

/// The text of a crash report, before redaction.
fn crash_report(info: &std::panic::PanicHookInfo<'_>, millis: u128) -> String {
    let message = panic_message(info);
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "(unknown)".to_string());
    let thread = std::thread::current();
    let backtrace = std::backtrace::Backtrace::force_capture();
    format!(
        "Closer crash report\nversion: {}\ntime (ms since epoch): {millis}\nthread: {}\nlocation: {location}\nmessage: {message}\n\nbacktrace:\n{backtrace}\n",
        env!("CARGO_PKG_VERSION"),
        thread.name().unwrap_or("(unnamed)"),
    )
}

fn install_panic_hook(log_dir: PathBuf) {
    std::panic::set_hook(Box::new(move |info| {
        let millis = now_millis();
        let report = crash_report(info, millis);
        let report = redact(&report);
        let path = log_dir.join(format!("crash-{millis}.txt"));
        let message = redact(&panic_message(info)).into_owned();
        match std::fs::write(&path, report.as_bytes()) {
            Ok(()) => tracing::error!(
                crash_report = %path.display(),
                "the app panicked: {message}"
            ),
            Err(e) => tracing::error!(
                error = %e,
                "the app panicked: {message} (the crash report could not be written)"
            ),
        }
    }));
}

#[cfg(test)]
mod tests;
