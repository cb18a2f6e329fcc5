//! Against the real OS store of this machine, with a unique service name, cleaned up after.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use closer_secrets::{Backend, Error, SecretKey, SecretStore};

const CHILD_ENV: &str = "CLOSER_SECRETS_TEST_CHILD_SERVICE";
const VALUE: &str = "sk-ant-api03-test-Value_0123456789";
const CHILD_VALUE: &str = "rt-written-by-the-child-process";

fn unique_service() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("closer-test-{}-{nanos}", std::process::id())
}

/// Deletes both keys even when an assertion fails.
struct Cleanup(SecretStore);
impl Drop for Cleanup {
    fn drop(&mut self) {
        for key in SecretKey::ALL {
            let _ = self.0.delete(key);
        }
    }
}

#[test]
fn round_trip_and_a_second_process_on_this_machine() {
    let service = unique_service();
    let store = match SecretStore::new(&service) {
        Ok(s) => s,
        Err(e @ Error::Unavailable { .. }) => {
            // Reported, not hidden: this machine has no usable store.
            panic!("no secure store here: {e}");
        }
        Err(e) => panic!("{e}"),
    };
    let _cleanup = Cleanup(store.clone());
    eprintln!("backend on this machine: {}", store.backend().label());
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert_eq!(store.backend(), Backend::KernelKeyring);
    }

    assert_eq!(store.get(SecretKey::ClaudeApiKey).unwrap(), None);
    assert!(!store.is_set(SecretKey::ClaudeApiKey).unwrap());

    store
        .set(SecretKey::ClaudeApiKey, "sk-ant-first-value")
        .unwrap();
    store.set(SecretKey::ClaudeApiKey, VALUE).unwrap(); // replaces
    let got = store.get(SecretKey::ClaudeApiKey).unwrap().unwrap();
    assert_eq!(got.expose(), VALUE);
    assert_eq!(format!("{got:?} {got}"), "[secret] [secret]");
    assert!(store.is_set(SecretKey::ClaudeApiKey).unwrap());
    // Keys are independent.
    assert!(!store.is_set(SecretKey::TeamServerRefreshToken).unwrap());
    // A clone uses the same store.
    assert_eq!(
        store
            .clone()
            .get(SecretKey::ClaudeApiKey)
            .unwrap()
            .unwrap()
            .expose(),
        VALUE
    );
    // Another service name does not see it.
    let other = SecretStore::new(&unique_service()).unwrap();
    assert_eq!(other.get(SecretKey::ClaudeApiKey).unwrap(), None);

    // Invalid values are refused before the store is touched, and not quoted back.
    for bad in ["", "sk-ant with space", "sk-ant-line\n", &"x".repeat(4097)] {
        let err = store.set(SecretKey::ClaudeApiKey, bad).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Invalid {
                    key: SecretKey::ClaudeApiKey,
                    ..
                }
            ),
            "{err:?}"
        );
        if !bad.is_empty() {
            assert!(!err.to_string().contains(bad.trim()), "{err}");
        }
    }
    assert_eq!(
        store
            .get(SecretKey::ClaudeApiKey)
            .unwrap()
            .unwrap()
            .expose(),
        VALUE
    );

    // A separate process of the same session reads it, and writes one back.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process_sees_the_parents_secret",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD_ENV, &service)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child test did not run:\n{stdout}"
    );
    assert!(stderr.contains("child saw the parent's secret"), "{stderr}");
    assert_eq!(
        store
            .get(SecretKey::TeamServerRefreshToken)
            .unwrap()
            .unwrap()
            .expose(),
        CHILD_VALUE
    );

    store.delete(SecretKey::ClaudeApiKey).unwrap();
    assert_eq!(store.get(SecretKey::ClaudeApiKey).unwrap(), None);
    store.delete(SecretKey::ClaudeApiKey).unwrap(); // missing: still Ok
    store.delete(SecretKey::TeamServerRefreshToken).unwrap();
    assert!(!store.is_set(SecretKey::TeamServerRefreshToken).unwrap());
}

/// Runs only when spawned by the test above (passes trivially otherwise).
#[test]
fn child_process_sees_the_parents_secret() {
    let Ok(service) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = SecretStore::new(&service).unwrap();
    let got = store.get(SecretKey::ClaudeApiKey).unwrap();
    assert_eq!(got.as_ref().map(|s| s.expose()), Some(VALUE));
    store
        .set(SecretKey::TeamServerRefreshToken, CHILD_VALUE)
        .unwrap();
    eprintln!(
        "child saw the parent's secret (pid {}, {})",
        std::process::id(),
        store.backend().label()
    );
}

#[test]
fn a_bad_service_name_is_refused() {
    assert!(matches!(
        SecretStore::new("  "),
        Err(Error::InvalidService { .. })
    ));
}
