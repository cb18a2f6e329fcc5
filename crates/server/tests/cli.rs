//! The binary end to end: `init-org`, `invite` (code and password), `serve` on an
//! ephemeral port, then sign-in over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_closer-server");

fn run(data: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("CLOSER_DATABASE_URL")
        .env_remove("CLOSER_JWT_SECRET")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{args:?}: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn init_org_invite_serve_and_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "an admin password\n").unwrap();
    let out = run(
        &data,
        &[
            "init-org",
            "--name",
            "Acme",
            "--admin-email",
            "ada@acme.test",
            "--admin-password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert!(out.contains("organisation Acme"), "{out}");
    assert!(!out.contains("an admin password"));
    let out = run(
        &data,
        &[
            "invite",
            "--org",
            "Acme",
            "--email",
            "ann@acme.test",
            "--role",
            "rep",
        ],
    );
    let code = out
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let out = run(
        &data,
        &[
            "invite",
            "--org",
            "Acme",
            "--email",
            "mia@acme.test",
            "--role",
            "manager",
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    assert!(out.contains("mia@acme.test"), "{out}");

    let mut child = Child(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("CLOSER_DATABASE_URL")
            .env_remove("CLOSER_JWT_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "mia@acme.test", "password": "an admin password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{base}/v1/auth/accept-invite"))
        .json(&json!({"code": code, "password": "ann's own password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tokens: serde_json::Value = r.json().await.unwrap();
    assert_eq!(tokens["user"]["role"], "rep");
    assert!(data.join("server.sqlite3").exists());

    // A webhook secret from the command line (while the server runs), then a signed
    // CRM event through the running server.
    let out = run(
        &data,
        &[
            "webhook-secret",
            "--org",
            "Acme",
            "--owner",
            "ann@acme.test",
        ],
    );
    let secret = out
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(secret.starts_with("whsec_"), "{out}");
    assert!(out.contains("/v1/webhooks/crm/"), "{out}");
    let path = out
        .split_whitespace()
        .find(|w| w.starts_with("/v1/webhooks/crm/"))
        .unwrap();
    let body = json!({"event_id": "e1", "type": "lead.upserted", "occurred_at": 1,
        "data": {"fields": {"company": "Initech"}, "id": "l1"}})
    .to_string();
    let sig =
        closer_server::webhook::sign(&secret, closer_server::now_ms() / 1000, body.as_bytes());
    let r = http
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("x-closer-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{base}/v1/sync/pull"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let page: serde_json::Value = r.json().await.unwrap();
    assert_eq!(page["changes"][0]["entity_id"], "l1");
    let secret = std::fs::metadata(data.join("jwt-secret")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(secret.permissions().mode() & 0o777, 0o600);
}
