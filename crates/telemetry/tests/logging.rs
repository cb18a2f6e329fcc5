//! Real log lines through the real subscriber into a real file. One test: the subscriber
//! and the panic hook are process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const SECRETS: &[&str] = &[
    "sk-ant-api03-AbCdEf1234567890_xyz-QQ",
    "sk-proj-abcdefghijklmnop1234",
    "abc.DEF-123_456~789xyz",
    "xk9-header-value-77",
    "rt-9f8e7d6c5b4a",
    "qs-token-31337",
    "hunter2",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "AKIAIOSFODNN7EXAMPLE",
    "jane.doe@acme.com",
    "+1 (415) 555-0100",
    "+44 20 7946 0958",
    "415-555-0199",
    "4111 1111 1111 1111",
    "5500005555555559",
    "DE89 3704 0044 0532 0130 00",
];

const KEPT: &[&str] = &[
    "01890a5d-ac96-774b-bcce-b302099a8057",
    "2024-03-01T10:00:00.123Z",
    "took 1234 ms",
    "version 1.2.3",
    "lead_id=4155550100",
    "ORD-2024-0001",
    "1711972800000",
];

#[test]
fn logs_reach_the_file_redacted_and_crashes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::env::remove_var("RUST_LOG");
    let guard = closer_telemetry::init(dir.path(), "debug").unwrap();
    assert!(
        closer_telemetry::init(dir.path(), "debug").is_err(),
        "a second init must fail, not replace the first"
    );

    // Secrets as message text.
    tracing::info!("calling Claude with x-api-key: sk-ant-api03-AbCdEf1234567890_xyz-QQ");
    tracing::info!("openai fallback key sk-proj-abcdefghijklmnop1234");
    tracing::warn!("Authorization: Bearer abc.DEF-123_456~789xyz");
    tracing::info!("header X-Api-Key: xk9-header-value-77");
    tracing::debug!(r#"server said {{"refresh_token":"rt-9f8e7d6c5b4a","expires_in":3600}}"#);
    tracing::debug!("GET /sync?token=qs-token-31337&page=2");
    tracing::error!("login failed for password=hunter2");
    tracing::info!(
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
    tracing::info!("aws AKIAIOSFODNN7EXAMPLE");
    tracing::info!("imported contact jane.doe@acme.com, phone +1 (415) 555-0100");
    tracing::info!("card 4111 1111 1111 1111, iban DE89 3704 0044 0532 0130 00");

    // Secrets as structured fields, with non-secrets around them.
    tracing::info!(
        api_key = "sk-ant-api03-AbCdEf1234567890_xyz-QQ",
        lead_id = "01890a5d-ac96-774b-bcce-b302099a8057",
        "key stored"
    );
    tracing::info!(refresh_token = %"rt-9f8e7d6c5b4a", password = ?"hunter2", "token refreshed");
    tracing::info!(email = %"jane.doe@acme.com", phone = "+44 20 7946 0958", mobile = "415-555-0199", "contact saved");
    tracing::info!(
        card = "5500005555555559",
        aws = "AKIAIOSFODNN7EXAMPLE",
        "payment"
    );
    tracing::info!(
        at = "2024-03-01T10:00:00.123Z",
        created_at = 1711972800000u64,
        "import done: took 1234 ms, version 1.2.3, lead_id=4155550100, order ORD-2024-0001"
    );
    let span = tracing::info_span!("sync", token = "qs-token-31337");
    span.in_scope(|| tracing::info!("inside a span carrying a secret"));

    // A panic whose message carries a secret.
    let caught = std::panic::catch_unwind(|| {
        panic!("boom while using sk-ant-api03-AbCdEf1234567890_xyz-QQ for jane.doe@acme.com")
    });
    assert!(caught.is_err());
    // Back to the default hook, so a failing assertion below reads as usual.
    drop(std::panic::take_hook());

    drop(guard); // flushes the file writer

    let mut log = String::new();
    let mut crash = String::new();
    let mut log_files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("closer.log.") {
            log_files += 1;
            log.push_str(&std::fs::read_to_string(&path).unwrap());
        } else if name.starts_with("crash-") && name.ends_with(".txt") {
            crash.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert_eq!(log_files, 1, "one daily file named closer.log.<date>");
    assert!(log.lines().count() >= 18, "{log}");
    for line in log.lines() {
        assert!(
            line.starts_with('{') && line.ends_with('}'),
            "not a JSON line: {line}"
        );
    }
    for secret in SECRETS {
        assert!(
            !log.contains(secret),
            "{secret:?} survived in the log:\n{log}"
        );
        assert!(
            !crash.contains(secret),
            "{secret:?} survived in the crash report:\n{crash}"
        );
    }
    for kept in KEPT {
        assert!(log.contains(kept), "{kept:?} was lost:\n{log}");
    }
    for kind in [
        "api_key", "token", "secret", "jwt", "aws_key", "email", "phone", "card", "iban",
    ] {
        assert!(
            log.contains(&format!("[REDACTED:{kind}]")),
            "no {kind} redaction:\n{log}"
        );
    }
    assert!(log.contains("key stored") && log.contains("contact saved"));
    assert!(
        log.contains("the app panicked"),
        "the panic is logged:\n{log}"
    );
    assert!(
        log.contains("crash-"),
        "the log says where the crash report is"
    );

    assert!(crash.contains("Closer crash report"), "{crash}");
    assert!(
        crash.contains("boom while using [REDACTED:api_key] for [REDACTED:email]"),
        "{crash}"
    );
    assert!(
        crash.contains("logging.rs"),
        "the location is kept: {crash}"
    );
}
