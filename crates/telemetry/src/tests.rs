#![allow(clippy::unwrap_used)]

use std::io::Write;

use super::*;

#[test]
fn every_rule_compiles() {
    assert_eq!(redact::rule_count(), 12);
}

/// (input, expected output)
const CASES: &[(&str, &str)] = &[
    // API keys
    (
        "key sk-ant-api03-AbCdEf1234567890_xyz-QQ used",
        "key [REDACTED:api_key] used",
    ),
    ("openai sk-proj-abcdefghijklmnop1234", "openai [REDACTED:api_key]"),
    ("stripe pk_live_51HabcdefghijKLMNOP", "stripe [REDACTED:api_key]"),
    ("desk-topology-planner-for-teams", "desk-topology-planner-for-teams"),
    // Bearer
    (
        "Authorization: Bearer abc.DEF-123_456~789/xyz==",
        "Authorization: Bearer [REDACTED:token]",
    ),
    ("bearer token7890abcdef", "bearer [REDACTED:token]"),
    // key/value secrets: headers, JSON, JSON escaped in JSON, query strings, Debug output
    ("x-api-key: abc123def456", "x-api-key: [REDACTED:secret]"),
    ("X-Api-Key: abc123def456", "X-Api-Key: [REDACTED:secret]"),
    (r#"{"x-api-key":"abc123def456"}"#, r#"{"x-api-key":"[REDACTED:secret]"}"#),
    (
        r#"{"refresh_token": "rt-9f8e7d6c5b4a", "expires_in": 3600}"#,
        r#"{"refresh_token": "[REDACTED:secret]", "expires_in": 3600}"#,
    ),
    (
        r#""message":"body {\"refresh_token\":\"rt-9f8e7d6c5b4a\"}""#,
        r#""message":"body {\"refresh_token\":\"[REDACTED:secret]\"}""#,
    ),
    (
        "GET /sync?api_key=abc123&page=2&token=zzz999",
        "GET /sync?api_key=[REDACTED:secret]&page=2&token=[REDACTED:secret]",
    ),
    (
        r#"password="hunter2 with spaces" user=bob"#,
        r#"password="[REDACTED:secret]" user=bob"#,
    ),
    (
        r#"{"password":"\"hunter2\""}"#,
        r#"{"password":"\"[REDACTED:secret]\""}"#,
    ),
    ("Login { password: \"hunter2\" }", "Login { password: \"[REDACTED:secret]\" }"),
    ("secret='s3cr3t' ok", "secret='[REDACTED:secret]' ok"),
    ("session_token=abc123; path=/", "session_token=[REDACTED:secret]; path=/"),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key=[REDACTED:secret]",
    ),
    ("tokens_used=1024 max_tokens=4096", "tokens_used=1024 max_tokens=4096"),
    // JWT
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk end",
        "jwt [REDACTED:jwt] end",
    ),
    // AWS
    ("aws AKIAIOSFODNN7EXAMPLE here", "aws [REDACTED:aws_key] here"),
    // Emails
    ("from Jane.Doe+crm@acme.co.uk.", "from [REDACTED:email]."),
    // Phones
    ("call +1 (415) 555-0100 now", "call [REDACTED:phone] now"),
    ("call +44 20 7946 0958", "call [REDACTED:phone]"),
    ("call +33 1 23 45 67 89", "call [REDACTED:phone]"),
    ("call +49 (0)30 1234567", "call [REDACTED:phone]"),
    ("call +4930123456", "call [REDACTED:phone]"),
    ("call (415) 555-0100", "call [REDACTED:phone]"),
    ("call 415-555-0100 or 415.555.0100", "call [REDACTED:phone] or [REDACTED:phone]"),
    ("call 030 1234567", "call [REDACTED:phone]"),
    ("call 06 12 34 56 78", "call [REDACTED:phone]"),
    ("call 020 7946 0958", "call [REDACTED:phone]"),
    // Cards (Luhn-valid) and their look-alikes
    ("card 4111 1111 1111 1111 ok", "card [REDACTED:card] ok"),
    ("card 4111-1111-1111-1111", "card [REDACTED:card]"),
    ("card 5500005555555559", "card [REDACTED:card]"),
    ("amex 3782 822463 10005", "amex [REDACTED:card]"),
    ("not luhn 4111 1111 1111 1112", "not luhn 4111 1111 1111 1112"),
    // IBAN (checksum-valid)
    ("iban DE89 3704 0044 0532 0130 00 ok", "iban [REDACTED:iban] ok"),
    ("iban GB82WEST12345698765432", "iban [REDACTED:iban]"),
    ("not iban DE00 3704 0044 0532 0130 00", "not iban DE00 3704 0044 0532 0130 00"),
    // Things that must survive: timestamps, UUIDs, durations, versions, ids, IPs
    ("at 2024-03-01T10:00:00.123Z", "at 2024-03-01T10:00:00.123Z"),
    ("at 2024-03-01 10:00:00", "at 2024-03-01 10:00:00"),
    ("on 01.02.2024 10:30", "on 01.02.2024 10:30"),
    ("ts=1711972800000 created_at=1711972800123", "ts=1711972800000 created_at=1711972800123"),
    (
        "id=01890a5d-ac96-774b-bcce-b302099a8057",
        "id=01890a5d-ac96-774b-bcce-b302099a8057",
    ),
    (
        "id=12345678-1234-1234-1234-123456789012",
        "id=12345678-1234-1234-1234-123456789012",
    ),
    ("took 1234 ms (1.5s, 250ms)", "took 1234 ms (1.5s, 250ms)"),
    ("version 1.2.3 / v10.15.7 / 2024.03.1", "version 1.2.3 / v10.15.7 / 2024.03.1"),
    ("lead 4155550100 row 123456", "lead 4155550100 row 123456"),
    ("order ORD-2024-0001-77", "order ORD-2024-0001-77"),
    ("peer 192.168.100.200:8080", "peer 192.168.100.200:8080"),
    ("count 1,200 rows in 0.123 s", "count 1,200 rows in 0.123 s"),
];

#[test]
fn redaction_table() {
    let mut failures = Vec::new();
    for (input, want) in CASES {
        let got = redact(input);
        if got != *want {
            failures.push(format!("\n  in:   {input}\n  want: {want}\n  got:  {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:{}",
        failures.len(),
        failures.join("")
    );
}

#[test]
fn clean_text_is_borrowed() {
    assert!(matches!(
        redact("plain line, nothing to hide"),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn the_writer_redacts_lines_split_over_writes() {
    let mut out = Vec::new();
    {
        let mut w = RedactingWriter::new(&mut out);
        w.write_all(b"first sk-ant-api03-AbCd").unwrap();
        w.write_all(b"Ef1234567890 line\nsecond jane@").unwrap();
        w.write_all(b"acme.com").unwrap();
    }
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "first [REDACTED:api_key] line\nsecond [REDACTED:email]"
    );
}
