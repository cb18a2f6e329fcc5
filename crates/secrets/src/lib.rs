//! Secrets (Claude API key, server tokens) in the OS keyring; nothing else ever sees them.
//!
//! Which store holds the secrets, chosen once per [`SecretStore::new`]:
//! - **Linux**: the desktop's Secret Service (GNOME Keyring, KWallet...) when a D-Bus session
//!   bus is reachable (`DBUS_SESSION_BUS_ADDRESS` is set) **and** a Secret Service answers a
//!   lookup. Otherwise the **Linux kernel keyring** (keyutils): the key is added to the
//!   session keyring and linked into the user's persistent keyring. Kernel keys live in
//!   kernel memory: they survive between runs of the app while the login session (and the
//!   persistent keyring, a few days by default) lasts, but **not a reboot**; the app must
//!   then ask for the key again. Processes of the same session see the same keys.
//! - **macOS**: the login Keychain. **Windows**: the Credential Manager.
//! - Anything else, or a store that does not work (the kernel keyring is probed with a real
//!   write, read and delete): [`Error::Unavailable`], naming what was tried and why it
//!   failed. There is deliberately no plain-file fallback.
//!
//! The store is picked per instance by building each `keyring::Entry` from the chosen
//! credential builder (`Entry::new_with_credential`); the process-wide keyring default is
//! never touched.
//!
//! What this crate knows: the two secrets Closer keeps ([`SecretKey`]), the shape a valid
//! secret has (non-empty, no whitespace, at most [`MAX_SECRET_BYTES`]), and the stores.
//! What it does not know: what the secrets are for, how to obtain or check them against a
//! server, and the UI. Errors and `Debug`/`Display` output never contain a secret value.

use std::fmt;
use std::sync::Arc;

use keyring::credential::CredentialBuilder;
use keyring::Entry;

/// Longest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 4096;

/// The secrets Closer keeps. Each is one keyring entry: the store's service name and
/// [`SecretKey::user`] as the user name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKey {
    ClaudeApiKey,
    TeamServerRefreshToken,
}

impl SecretKey {
    pub const ALL: [SecretKey; 2] = [SecretKey::ClaudeApiKey, SecretKey::TeamServerRefreshToken];

    /// The keyring "user" name of this secret.
    pub fn user(&self) -> &'static str {
        match self {
            SecretKey::ClaudeApiKey => "claude-api-key",
            SecretKey::TeamServerRefreshToken => "team-server-refresh-token",
        }
    }

    /// What a person calls it.
    pub fn label(&self) -> &'static str {
        match self {
            SecretKey::ClaudeApiKey => "Claude API key",
            SecretKey::TeamServerRefreshToken => "team server sign-in token",
        }
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The store behind a [`SecretStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    SecretService,
    KernelKeyring,
    MacKeychain,
    WindowsCredentialManager,
}

impl Backend {
    /// Human-readable name, for settings screens and messages.
    pub fn label(&self) -> &'static str {
        match self {
            Backend::SecretService => "Secret Service (desktop keyring)",
            Backend::KernelKeyring => "Linux kernel keyring",
            Backend::MacKeychain => "macOS Keychain",
            Backend::WindowsCredentialManager => "Windows Credential Manager",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A secret read from the store. `Debug` and `Display` print `[secret]`; only
/// [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[secret]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[secret]")
    }
}

/// What can go wrong. No variant ever holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No working secure store on this computer.
    #[error("No secure secret store works on this computer ({tried}). Closer does not keep secrets in plain files, so it cannot save the key; on Linux, start a desktop keyring (GNOME Keyring or KWallet) or allow the kernel keyring.")]
    Unavailable { tried: String },

    /// The value given to [`SecretStore::set`] is not a plausible secret.
    #[error("The {key} is not valid: {reason}.")]
    Invalid { key: SecretKey, reason: String },

    /// The service name given to [`SecretStore::new`] is unusable.
    #[error("The secret store name \"{service}\" is not valid: {reason}.")]
    InvalidService { service: String, reason: String },

    /// The store failed an operation.
    #[error("The {backend} could not {action} the {key}: {reason}.")]
    Store {
        backend: Backend,
        action: &'static str,
        key: SecretKey,
        reason: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// A reason from a keyring error, without any secret bytes it may carry.
fn reason(e: &keyring::Error) -> String {
    match e {
        keyring::Error::BadEncoding(_) => "the stored value is not text".to_string(),
        keyring::Error::NoEntry => "there is no such entry".to_string(),
        keyring::Error::TooLong(what, max) => format!("the {what} is longer than {max}"),
        keyring::Error::Invalid(what, why) => format!("the {what} {why}"),
        keyring::Error::Ambiguous(_) => "several entries match".to_string(),
        keyring::Error::PlatformFailure(inner) => format!("platform failure: {inner}"),
        keyring::Error::NoStorageAccess(inner) => format!("no access to the store: {inner}"),
        _ => "unknown keyring error".to_string(),
    }
}

/// Checks a value before it is stored; the reason never quotes the value.
fn validate(key: SecretKey, value: &str) -> Result<()> {
    let invalid = |reason: &str| {
        Err(Error::Invalid {
            key,
            reason: reason.to_string(),
        })
    };
    if value.is_empty() {
        return invalid("it is empty");
    }
    if value.len() > MAX_SECRET_BYTES {
        return invalid(&format!(
            "it is {} bytes long; at most {MAX_SECRET_BYTES} are accepted",
            value.len()
        ));
    }
    if value.chars().any(|c| c.is_whitespace()) {
        return invalid("it contains spaces or line breaks; paste it again without them");
    }
    if value.chars().any(char::is_control) {
        return invalid("it contains control characters");
    }
    Ok(())
}

/// Where Closer's secrets live. Cheap to clone; clones share the chosen store.
#[derive(Clone)]
pub struct SecretStore {
    service: String,
    backend: Backend,
    builder: Arc<CredentialBuilder>,
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretStore")
            .field("service", &self.service)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl SecretStore {
    /// Picks the store for `service` (e.g. `"app.closer.desktop"`); see the crate docs for
    /// which one, and fails with [`Error::Unavailable`] rather than storing insecurely.
    pub fn new(service: &str) -> Result<SecretStore> {
        if service.trim().is_empty() || service.chars().any(char::is_control) {
            return Err(Error::InvalidService {
                service: service.to_string(),
                reason: "it must be a non-empty name without control characters".to_string(),
            });
        }
        let (backend, builder) = choose_backend(service)?;
        tracing::debug!(service, backend = backend.label(), "secret store chosen");
        Ok(SecretStore {
            service: service.to_string(),
            backend,
            builder,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: SecretKey, action: &'static str) -> Result<Entry> {
        self.builder
            .build(None, &self.service, key.user())
            .map(Entry::new_with_credential)
            .map_err(|e| self.store_error(action, key, &e))
    }

    fn store_error(&self, action: &'static str, key: SecretKey, e: &keyring::Error) -> Error {
        Error::Store {
            backend: self.backend,
            action,
            key,
            reason: reason(e),
        }
    }

    /// Stores (or replaces) a secret after checking it: not empty, no whitespace or line
    /// breaks, at most [`MAX_SECRET_BYTES`].
    pub fn set(&self, key: SecretKey, value: &str) -> Result<()> {
        validate(key, value)?;
        let entry = self.entry(key, "save")?;
        entry
            .set_password(value)
            .map_err(|e| self.store_error("save", key, &e))?;
        tracing::info!(
            key = key.user(),
            backend = self.backend.label(),
            "secret saved"
        );
        Ok(())
    }

    /// The secret, or `None` when it was never set (or was deleted).
    pub fn get(&self, key: SecretKey) -> Result<Option<Secret>> {
        let entry = self.entry(key, "read")?;
        match entry.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.store_error("read", key, &e)),
        }
    }

    pub fn is_set(&self, key: SecretKey) -> Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// Removes the secret; removing one that is not there is fine. On the kernel keyring,
    /// waits (briefly) until the kernel no longer finds the key, so a `get` right after
    /// returns `None`.
    pub fn delete(&self, key: SecretKey) -> Result<()> {
        let entry = self.entry(key, "delete")?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(self.store_error("delete", key, &e)),
        }
        if self.backend == Backend::KernelKeyring {
            // An invalidated key is garbage-collected by the kernel asynchronously.
            for _ in 0..100 {
                if matches!(entry.get_password(), Err(keyring::Error::NoEntry)) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        tracing::info!(
            key = key.user(),
            backend = self.backend.label(),
            "secret deleted"
        );
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn choose_backend(service: &str) -> Result<(Backend, Arc<CredentialBuilder>)> {
    let mut tried = Vec::new();
    match secret_service_answers(service) {
        Ok(builder) => return Ok((Backend::SecretService, builder)),
        Err(why) => tried.push(format!("{}: {why}", Backend::SecretService.label())),
    }
    match kernel_keyring_works(service) {
        Ok(builder) => return Ok((Backend::KernelKeyring, builder)),
        Err(why) => tried.push(format!("{}: {why}", Backend::KernelKeyring.label())),
    }
    let tried = tried.join("; ");
    tracing::warn!(%tried, "no secure secret store");
    Err(Error::Unavailable { tried })
}

/// A lookup of a missing entry through the Secret Service: answered (found or not found)
/// means it works. Skipped without a session bus, so libdbus never tries to autolaunch one.
#[cfg(target_os = "linux")]
fn secret_service_answers(service: &str) -> std::result::Result<Arc<CredentialBuilder>, String> {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    if bus.trim().is_empty() {
        return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".to_string());
    }
    let builder: Arc<CredentialBuilder> =
        Arc::from(keyring::secret_service::default_credential_builder());
    let probe = builder
        .build(None, service, "closer-probe")
        .map_err(|e| reason(&e))?;
    match Entry::new_with_credential(probe).get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(builder),
        Err(e) => Err(reason(&e)),
    }
}

/// A real write, read and delete of a probe key in the kernel keyring.
///
/// First makes sure this process has a session keyring of its own: a process started
/// outside a login session (no `pam_keyinit`, e.g. a sandbox or some service managers)
/// only has the user-session keyring, from which the user's persistent keyring is not
/// "possessed", so linking a key into it fails with EACCES (which keyring-rs reports as
/// "no entry"). Asking for the session keyring with `create` joins a new anonymous one when
/// there is none; a login session's existing keyring is left as it is.
#[cfg(target_os = "linux")]
fn kernel_keyring_works(service: &str) -> std::result::Result<Arc<CredentialBuilder>, String> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    KeyRing::from_special_id(KeyRingIdentifier::Session, true)
        .map_err(|e| format!("cannot get or create a session keyring: {e:?}"))?;
    let builder: Arc<CredentialBuilder> =
        Arc::from(keyring::keyutils::default_credential_builder());
    let user = format!("closer-probe-{}", std::process::id());
    let probe = builder
        .build(None, service, &user)
        .map_err(|e| format!("cannot open the session keyring: {}", reason(&e)))?;
    let entry = Entry::new_with_credential(probe);
    entry
        .set_password("probe")
        .map_err(|e| format!("cannot add a key: {}", reason(&e)))?;
    let read = entry
        .get_password()
        .map_err(|e| format!("cannot read a key back: {}", reason(&e)));
    // Best effort: a probe key left behind holds nothing secret.
    let _ = entry.delete_credential();
    match read {
        Ok(v) if v == "probe" => Ok(builder),
        Ok(_) => Err("a key read back differs from what was written".to_string()),
        Err(e) => Err(e),
    }
}

#[cfg(target_os = "macos")]
fn choose_backend(_service: &str) -> Result<(Backend, Arc<CredentialBuilder>)> {
    Ok((
        Backend::MacKeychain,
        Arc::from(keyring::macos::default_credential_builder()),
    ))
}

#[cfg(target_os = "windows")]
fn choose_backend(_service: &str) -> Result<(Backend, Arc<CredentialBuilder>)> {
    Ok((
        Backend::WindowsCredentialManager,
        Arc::from(keyring::windows::default_credential_builder()),
    ))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn choose_backend(_service: &str) -> Result<(Backend, Arc<CredentialBuilder>)> {
    Err(Error::Unavailable {
        tried: format!("no supported store on {}", std::env::consts::OS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_table() {
        let long = "x".repeat(MAX_SECRET_BYTES + 1);
        let max = "x".repeat(MAX_SECRET_BYTES);
        let cases: &[(&str, Option<&str>)] = &[
            ("sk-ant-api03-abc", None),
            (&max, None),
            ("", Some("empty")),
            (&long, Some("at most 4096")),
            ("sk-ant abc", Some("spaces or line breaks")),
            ("sk-ant-abc\n", Some("spaces or line breaks")),
            ("\tsk", Some("spaces or line breaks")),
            ("sk\u{7}", Some("control characters")),
        ];
        for (value, want) in cases {
            let got = validate(SecretKey::ClaudeApiKey, value);
            match (want, &got) {
                (None, Ok(())) => {}
                (Some(w), Err(e @ Error::Invalid { reason, .. })) => {
                    assert!(reason.contains(w), "{reason}");
                    if value.len() > 3 {
                        assert!(
                            !e.to_string().contains(*value),
                            "the message quotes the secret"
                        );
                    }
                }
                _ => panic!("{value:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("sk-ant-123".to_string());
        assert_eq!(format!("{s}"), "[secret]");
        assert_eq!(format!("{s:?}"), "[secret]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([secret])");
        assert_eq!(s.expose(), "sk-ant-123");
    }

    #[test]
    fn bad_encoding_does_not_leak() {
        let e = keyring::Error::BadEncoding(b"sk-ant-secret".to_vec());
        assert!(!reason(&e).contains("sk-ant"));
    }

    #[test]
    fn labels() {
        assert_eq!(Backend::KernelKeyring.label(), "Linux kernel keyring");
        assert_eq!(SecretKey::ClaudeApiKey.user(), "claude-api-key");
        assert_eq!(
            SecretKey::TeamServerRefreshToken.user(),
            "team-server-refresh-token"
        );
    }
}
