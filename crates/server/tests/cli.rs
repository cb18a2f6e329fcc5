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
    let secret = std::fs::metadata(data.join("jwt-secret")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(secret.permissions().mode() & 0o777, 0o600);
}
