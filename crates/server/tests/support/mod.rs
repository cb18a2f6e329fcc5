//! Helpers shared by the test modules: both storage backends, a real server on
//! 127.0.0.1 over HTTP, and an HTTP client that signs in.

pub mod pg;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use closer_server::auth::{self, TokenKeys};
use closer_server::http::auth_routes::TokenResponse;
use closer_server::http::{self, AppState};
use closer_server::model::{Org, Role, User};
use closer_server::storage::{postgres::PgStorage, sqlite::SqliteStorage, NewUser, Storage};
use closer_server::{new_id, now_ms, ServerConfig};
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery staple";
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage plus what keeps it alive (the temp dir of a SQLite file).
pub struct TestStore {
    pub store: Arc<dyn Storage>,
    _dir: Option<tempfile::TempDir>,
}

/// A store of this backend on a fresh file or database; `None` when PostgreSQL
/// tests are skipped (`CLOSER_SKIP_PG=1`).
pub async fn store(backend: Backend) -> Option<TestStore> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStorage::open(&dir.path().join("server.sqlite3"))
                .await
                .unwrap();
            Some(TestStore {
                store: Arc::new(store),
                _dir: Some(dir),
            })
        }
        Backend::Postgres => {
            let url = pg::fresh_database().await?;
            let store = PgStorage::connect(&url).await.unwrap();
            Some(TestStore {
                store: Arc::new(store),
                _dir: None,
            })
        }
    }
}

/// One argon2 hash of [`PASSWORD`], computed once (hashing is slow on purpose).
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PASSWORD).unwrap())
        .clone()
}

pub async fn org(store: &dyn Storage, name: &str) -> Org {
    store.create_org(&new_id(), name, now_ms()).await.unwrap()
}

pub async fn user(store: &dyn Storage, org: &Org, email: &str, role: Role) -> User {
    store
        .create_user(NewUser {
            id: new_id(),
            org_id: org.id.clone(),
            email: email.to_string(),
            role,
            password_hash: Some(password_hash()),
            created_at: now_ms(),
        })
        .await
        .unwrap()
}

/// A real server on 127.0.0.1 (an ephemeral port), stopped on drop.
pub struct TestServer {
    pub base: String,
    pub store: Arc<dyn Storage>,
    pub http: reqwest::Client,
    _store: TestStore,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn test_config() -> ServerConfig {
    ServerConfig {
        // Generous, so the matrix and the other tests are not throttled by accident.
        user_rate_per_sec: 1000,
        user_burst: 1000,
        ip_rate_per_sec: 1000,
        ip_burst: 1000,
        ..ServerConfig::default()
    }
}

impl TestServer {
    pub async fn start(backend: Backend, config: ServerConfig) -> Option<TestServer> {
        let test_store = store(backend).await?;
        Some(Self::serve(test_store, config).await)
    }

    /// A server over a storage made by the caller (e.g. a second instance on the
    /// same PostgreSQL database, with its own pool).
    pub async fn over(store: Arc<dyn Storage>, config: ServerConfig) -> TestServer {
        Self::serve(TestStore { store, _dir: None }, config).await
    }

    async fn serve(test_store: TestStore, config: ServerConfig) -> TestServer {
        let store = Arc::clone(&test_store.store);
        let state = AppState::new(
            Arc::clone(&store),
            TokenKeys::from_secret(SECRET).unwrap(),
            config,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = http::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            store,
            http: reqwest::Client::new(),
            _store: test_store,
            stop: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn token(&self, email: &str) -> TokenResponse {
        let r = self.login(email, PASSWORD).await;
        assert_eq!(r.status(), 200, "sign-in of {email}");
        r.json().await.unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, token, path, body).await
    }
}

/// Status and JSON body; an error body must be a problem document.
pub async fn status_json(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = r.text().await.unwrap();
    if status >= 400 {
        assert_eq!(content_type, "application/problem+json", "{status}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], status, "{text}");
        assert!(v["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:closer:problem:"));
        return (status, v);
    }
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A push body with one upsert.
pub fn upsert(client: &str, mutation_id: u64, entity: &str, id: &str, fields: Value) -> Value {
    serde_json::json!({"client_id": client, "mutations": [
        {"mutation_id": mutation_id, "entity": entity, "entity_id": id, "op": "upsert", "fields": fields}
    ]})
}
