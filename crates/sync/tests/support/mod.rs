//! Helpers: a real team server in a child process (killable with SIGKILL, restartable
//! on the same data directory and port), accounts seeded with a cheap password hash,
//! and devices (a store file + a sync client).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;

use closer_server::auth::TokenKeys;
use closer_server::http::{self, AppState};
use closer_server::model::Role;
use closer_server::storage::sqlite::SqliteStorage;
use closer_server::storage::{NewUser, Storage};
use closer_server::{new_id, now_ms, ServerConfig};
use closer_store::Store;
use closer_sync::{MemoryTokenStore, SyncClient};

pub const PASSWORD: &str = "correct horse battery staple";
const SECRET: &[u8] = b"sync-test-secret-sync-test-secret-0123456789";
const ENV_DIR: &str = "CLOSER_SYNC_TEST_SERVER_DIR";
const ENV_LISTEN: &str = "CLOSER_SYNC_TEST_SERVER_LISTEN";

/// Server mode of this test binary: the parent starts it again with `--exact
/// support::child_server` and the data directory in the environment. In a normal
/// test run the variable is absent and this test does nothing.
#[test]
fn child_server() {
    let Ok(dir) = std::env::var(ENV_DIR) else {
        return;
    };
    let listen = std::env::var(ENV_LISTEN).unwrap_or_else(|_| "127.0.0.1:0".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = SqliteStorage::open(&Path::new(&dir).join("server.sqlite3"))
            .await
            .unwrap();
        let config = ServerConfig {
            user_rate_per_sec: 100_000,
            user_burst: 100_000,
            ip_rate_per_sec: 100_000,
            ip_burst: 100_000,
            login_burst: 1000,
            ..ServerConfig::default()
        };
        let state = AppState::new(
            Arc::new(store),
            TokenKeys::from_secret(SECRET).unwrap(),
            config,
        );
        let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
        println!("listening on http://{}", listener.local_addr().unwrap());
        http::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
}

/// A password hash the server verifies quickly (argon2 reads its cost from the hash).
fn cheap_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(8, 1, 1, None).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"closer-sync-test").unwrap();
    argon
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
}

/// A real server process on SQLite in a temp dir.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub base: String,
    listen: String,
    child: Option<(Child, ChildStdout)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Server {
    /// Seeds one organisation with these users (email, role), then starts serving.
    pub async fn start(users: &[(&str, Role)]) -> (Server, Vec<User>) {
        let dir = tempfile::tempdir().unwrap();
        let seeded = {
            let store = SqliteStorage::open(&dir.path().join("server.sqlite3"))
                .await
                .unwrap();
            let org = store.create_org(&new_id(), "Acme", now_ms()).await.unwrap();
            let hash = cheap_hash();
            let mut seeded = Vec::new();
            for (email, role) in users {
                let u = store
                    .create_user(NewUser {
                        id: new_id(),
                        org_id: org.id.clone(),
                        email: (*email).to_string(),
                        role: *role,
                        password_hash: Some(hash.clone()),
                        created_at: now_ms(),
                    })
                    .await
                    .unwrap();
                seeded.push(User {
                    id: u.id,
                    email: u.email,
                });
            }
            seeded
        };
        let mut server = Server {
            dir,
            base: String::new(),
            listen: "127.0.0.1:0".into(),
            child: None,
        };
        server.spawn().await;
        (server, seeded)
    }

    async fn spawn(&mut self) {
        let dir = self.dir.path().to_path_buf();
        let listen = self.listen.clone();
        let (child, stdout, base) = tokio::task::spawn_blocking(move || spawn_child(&dir, &listen))
            .await
            .unwrap();
        let addr = base.trim_start_matches("http://").to_string();
        self.listen = addr;
        self.base = base;
        self.child = Some((child, stdout));
    }

    /// SIGKILL: no shutdown, no flush beyond what SQLite already committed.
    pub fn kill(&mut self) {
        if let Some((mut child, _)) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same data directory and port.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }
}

fn spawn_child(dir: &Path, listen: &str) -> (Child, ChildStdout, String) {
    let exe = std::env::current_exe().unwrap();
    // The port of a killed server may take a moment to be free again.
    for attempt in 0..50 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "support::child_server",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENV_DIR, dir)
            .env(ENV_LISTEN, listen)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                break;
            }
            // libtest prints "test support::child_server ... " before our line.
            if let Some((_, base)) = line.trim().split_once("listening on ") {
                return (child, stdout.into_inner(), base.to_string());
            }
        }
        let _ = child.wait();
        assert!(attempt < 49, "the server did not start on {listen}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unreachable!()
}

/// One desktop: a store file and a sync client (with its own in-memory "keyring").
pub struct Device {
    pub path: PathBuf,
    pub store: Store,
    pub client: SyncClient,
    pub tokens: Arc<MemoryTokenStore>,
    pub user: User,
}

impl Device {
    pub fn new(dir: &Path, name: &str, base: &str, user: &User) -> Device {
        let path = dir.join(format!("{name}.sqlite3"));
        let store = Store::open(&path).unwrap();
        let tokens = Arc::new(MemoryTokenStore::default());
        let client = SyncClient::new(store.clone(), base, http(), tokens.clone());
        Device {
            path,
            store,
            client,
            tokens,
            user: user.clone(),
        }
    }

    pub async fn sign_in(&self) {
        self.client
            .sign_in(&self.user.email, PASSWORD)
            .await
            .unwrap();
    }

    /// Closes the store and opens it again (an app restart; the keyring keeps the token).
    pub fn reopen(&mut self, base: &str) {
        let store = Store::open(&self.path).unwrap();
        self.client = SyncClient::new(store.clone(), base, http(), self.tokens.clone());
        self.store = store;
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap()
}
