//! [`SyncClient`]: sign-in and token refresh, push, pull, a sync round and a loop.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use closer_store::Store;
use closer_sync_proto::{limits, Mutation, PullPage, PushRequest, PushResponse};
use closer_types::{now_millis, Millis};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;
use crate::local::{self, Account, LocalStatus};
use crate::{Result, SyncError};

/// Where the refresh token lives between runs (the OS keyring in the app, memory in
/// tests). The sync client never sees the keyring; the access token stays in memory.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> std::result::Result<Option<String>, TokenStoreError>;
    fn save(&self, refresh_token: &str) -> std::result::Result<(), TokenStoreError>;
    fn clear(&self) -> std::result::Result<(), TokenStoreError>;
}

/// A token store failure, in the implementation's words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TokenStoreError(pub String);

impl From<TokenStoreError> for SyncError {
    fn from(e: TokenStoreError) -> Self {
        SyncError::TokenStore(e.0)
    }
}

/// A [`TokenStore`] in memory (tests, headless tools).
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<Option<String>>);

impl MemoryTokenStore {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> std::result::Result<Option<String>, TokenStoreError> {
        Ok(self.slot().clone())
    }
    fn save(&self, refresh_token: &str) -> std::result::Result<(), TokenStoreError> {
        *self.slot() = Some(refresh_token.to_string());
        Ok(())
    }
    fn clear(&self) -> std::result::Result<(), TokenStoreError> {
        *self.slot() = None;
        Ok(())
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: i64,
    refresh_token: String,
    user: UserView,
}

#[derive(Deserialize)]
struct UserView {
    id: String,
    org_id: String,
    email: String,
    role: String,
}

#[derive(Deserialize, Default)]
struct Problem {
    #[serde(default)]
    detail: String,
    #[serde(default)]
    title: String,
}

struct Access {
    token: String,
    expires_at: Millis,
}

/// Where a sync round is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    /// Mutations acknowledged so far, of those staged.
    Push { done: u64, total: u64 },
    /// Changes applied so far, of those known (done + what the server says remains).
    Pull { done: u64, total: u64 },
}

/// What a push did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PushReport {
    pub acked: u64,
    pub conflicts: u64,
    pub rejected: u64,
    /// The mutations the server acknowledged, in order (tests check each one's fate).
    #[serde(skip)]
    pub acked_mutations: Vec<Mutation>,
}

/// What a pull did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullReport {
    pub changes: u64,
    pub conflicts: u64,
    pub pages: u64,
}

/// What one [`SyncClient::sync_once`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    pub push: PushReport,
    pub pull: PullReport,
}

/// Mutations per push request (the protocol allows 500; smaller batches keep a
/// request well under the server's body limit with large fields).
const PUSH_BATCH: u32 = 200;
/// Changes per pull page.
const PULL_LIMIT: u32 = 500;
/// Refresh the access token when it has less than this left.
const ACCESS_MARGIN_MS: Millis = 30_000;

/// The desktop's sync client over one local [`Store`] and one team server.
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    store: Store,
    tokens: Arc<dyn TokenStore>,
    access: tokio::sync::Mutex<Option<Access>>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base", &self.base)
            .finish()
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, closer_store::StoreError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Task(e.to_string()))?
        .map_err(SyncError::from)
}

/// Maps an error status to a [`SyncError`].
async fn problem(response: reqwest::Response) -> SyncError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body: Problem = response.json().await.unwrap_or_default();
    let detail = if body.detail.is_empty() {
        body.title
    } else {
        body.detail
    };
    match status {
        StatusCode::UNAUTHORIZED => SyncError::Unauthorized(detail),
        StatusCode::TOO_MANY_REQUESTS => SyncError::RateLimited {
            retry_after_secs: retry_after.unwrap_or(1),
        },
        s if s.is_server_error() => SyncError::Server {
            status: s.as_u16(),
            detail,
        },
        s => SyncError::Rejected {
            status: s.as_u16(),
            detail,
        },
    }
}

fn network(e: reqwest::Error) -> SyncError {
    if e.is_decode() {
        SyncError::Protocol(e.to_string())
    } else {
        SyncError::Offline(e)
    }
}

impl SyncClient {
    /// A client for the server at `base_url` (e.g. `https://closer.example.com`),
    /// through `http` (its timeouts and TLS settings are the caller's).
    pub fn new(
        store: Store,
        base_url: impl Into<String>,
        http: reqwest::Client,
        tokens: Arc<dyn TokenStore>,
    ) -> SyncClient {
        SyncClient {
            http,
            base: base_url.into().trim_end_matches('/').to_string(),
            store,
            tokens,
            access: tokio::sync::Mutex::new(None),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn accept_tokens(&self, t: TokenResponse) -> Result<Account> {
        let account = Account {
            user_id: t.user.id,
            org_id: t.user.org_id,
            email: t.user.email,
            role: t.user.role,
        };
        let store = self.store.clone();
        let a = account.clone();
        if let Err(existing) = blocking(move || local::set_account(&store, &a)).await? {
            return Err(SyncError::OtherAccount {
                expected: existing.email,
                actual: account.email,
            });
        }
        self.tokens.save(&t.refresh_token)?;
        *self.access.lock().await = Some(Access {
            token: t.access_token,
            expires_at: now_millis() + t.expires_in.saturating_mul(1000),
        });
        Ok(account)
    }

    /// Signs in with email and password; the refresh token goes to the token store.
    /// Fails with [`SyncError::OtherAccount`] when this workspace belongs to another user.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Account> {
        let response = self
            .http
            .post(self.url("/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .map_err(network)?;
        if !response.status().is_success() {
            return Err(problem(response).await);
        }
        let tokens: TokenResponse = response.json().await.map_err(network)?;
        self.accept_tokens(tokens).await
    }

    /// Signs out: revokes the refresh token's family on the server when reachable and
    /// forgets the tokens. Local data and the outbox stay (they sync after the next
    /// sign-in as the same user).
    pub async fn sign_out(&self) -> Result<()> {
        *self.access.lock().await = None;
        if let Some(refresh) = self.tokens.load()? {
            let sent = self
                .http
                .post(self.url("/v1/auth/logout"))
                .json(&serde_json::json!({"refresh_token": refresh}))
                .send()
                .await;
            if let Err(e) = sent {
                tracing::info!(error = %e, "sign-out: server not reachable, token forgotten locally");
            }
        }
        self.tokens.clear()?;
        Ok(())
    }

    /// Exchanges the stored refresh token for a new pair (rotation). An expired,
    /// revoked or reused token is [`SyncError::Unauthorized`] and is forgotten.
    pub async fn refresh(&self) -> Result<()> {
        let mut slot = self.access.lock().await;
        self.refresh_locked(&mut slot).await
    }

    async fn refresh_locked(&self, slot: &mut Option<Access>) -> Result<()> {
        let Some(refresh) = self.tokens.load()? else {
            return Err(SyncError::Unauthorized("not signed in".into()));
        };
        let response = self
            .http
            .post(self.url("/v1/auth/refresh"))
            .json(&serde_json::json!({"refresh_token": refresh}))
            .send()
            .await
            .map_err(network)?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let e = problem(response).await;
            self.tokens.clear()?;
            *slot = None;
            return Err(e);
        }
        if !response.status().is_success() {
            return Err(problem(response).await);
        }
        let t: TokenResponse = response.json().await.map_err(network)?;
        // Saved before use: the old refresh token is spent from now on.
        self.tokens.save(&t.refresh_token)?;
        *slot = Some(Access {
            token: t.access_token,
            expires_at: now_millis() + t.expires_in.saturating_mul(1000),
        });
        Ok(())
    }

    /// A valid access token, refreshed when close to expiry (or when `force`).
    async fn access_token(&self, force: bool) -> Result<String> {
        let mut slot = self.access.lock().await;
        let fresh = slot
            .as_ref()
            .is_some_and(|a| a.expires_at - ACCESS_MARGIN_MS > now_millis());
        if force || !fresh {
            self.refresh_locked(&mut slot).await?;
        }
        slot.as_ref()
            .map(|a| a.token.clone())
            .ok_or_else(|| SyncError::Unauthorized("not signed in".into()))
    }

    /// Sends an authorised request, refreshing the access token once on a 401.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<T> {
        let mut token = self.access_token(false).await?;
        for attempt in 0..2 {
            let response = build(&self.http, &token).send().await.map_err(network)?;
            if response.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                token = self.access_token(true).await?;
                continue;
            }
            if !response.status().is_success() {
                return Err(problem(response).await);
            }
            return response.json().await.map_err(network);
        }
        Err(SyncError::Unauthorized(
            "the access token was refused".into(),
        ))
    }

    async fn client_id(&self) -> Result<String> {
        let store = self.store.clone();
        blocking(move || local::client_id(&store)).await
    }

    async fn post_push(&self, client_id: &str, mutations: Vec<Mutation>) -> Result<PushResponse> {
        let body = PushRequest {
            client_id: client_id.to_string(),
            mutations,
        };
        let url = self.url("/v1/sync/push");
        self.send(|http, token| http.post(&url).bearer_auth(token).json(&body))
            .await
    }

    /// Stages local edits and pushes the outbox, oldest first, until it is empty.
    /// A network error leaves every unacknowledged mutation in the outbox (the same
    /// ids are sent again later; the server answers a replay with its stored ack).
    /// A batch the server refuses is retried one mutation at a time; a mutation
    /// refused on its own goes to the conflicts view as `rejected`.
    pub async fn push(&self, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<PushReport> {
        let client_id = self.client_id().await?;
        let store = self.store.clone();
        blocking(move || local::stage(&store, now_millis())).await?;
        let store = self.store.clone();
        let total = blocking(move || local::status(&store)).await?.outbox;
        let mut report = PushReport::default();
        loop {
            let store = self.store.clone();
            let batch = blocking(move || {
                local::outbox(
                    &store,
                    PUSH_BATCH.min(limits::MAX_MUTATIONS_PER_PUSH as u32),
                )
            })
            .await?;
            if batch.is_empty() {
                break;
            }
            match self.post_push(&client_id, batch.clone()).await {
                Ok(response) => self.record_acks(&batch, response, &mut report).await?,
                Err(SyncError::Rejected { status, detail }) if status != 409 => {
                    tracing::warn!(status, %detail, n = batch.len(), "push refused; sending one by one");
                    for m in batch {
                        match self.post_push(&client_id, vec![m.clone()]).await {
                            Ok(response) => {
                                self.record_acks(std::slice::from_ref(&m), response, &mut report)
                                    .await?
                            }
                            Err(SyncError::Rejected { status, detail }) if status != 409 => {
                                let store = self.store.clone();
                                let reason = format!("{status}: {detail}");
                                blocking(move || local::reject(&store, &m, &reason, now_millis()))
                                    .await?;
                                report.rejected += 1;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(e) => return Err(e),
            }
            progress(Progress::Push {
                done: report.acked + report.rejected,
                total: total.max(report.acked + report.rejected),
            });
        }
        Ok(report)
    }

    async fn record_acks(
        &self,
        batch: &[Mutation],
        response: PushResponse,
        report: &mut PushReport,
    ) -> Result<()> {
        if response.acks.len() != batch.len()
            || response
                .acks
                .iter()
                .zip(batch)
                .any(|(a, m)| a.mutation_id != m.mutation_id)
        {
            return Err(SyncError::Protocol(
                "the push answer does not acknowledge the mutations sent".into(),
            ));
        }
        let store = self.store.clone();
        let acks = response.acks;
        let (acked, conflicts) =
            blocking(move || local::apply_acks(&store, &acks, now_millis())).await?;
        report.acked += acked;
        report.conflicts += conflicts;
        report.acked_mutations.extend(batch.iter().cloned());
        Ok(())
    }

    /// Pulls every change since the cursor, page by page, applying each page in one
    /// transaction (the cursor moves with it, so an interrupted pull resumes).
    pub async fn pull(&self, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<PullReport> {
        let mut report = PullReport::default();
        loop {
            let store = self.store.clone();
            let since = blocking(move || local::pull_cursor(&store)).await?;
            let url = self.url(&format!("/v1/sync/pull?since={since}&limit={PULL_LIMIT}"));
            let page: PullPage = self
                .send(|http, token| http.get(&url).bearer_auth(token))
                .await?;
            let store = self.store.clone();
            let has_more = page.has_more;
            let remaining = page.total_remaining;
            let applied = blocking(move || local::apply_page(&store, &page, now_millis())).await?;
            report.pages += 1;
            report.changes += applied.changes;
            report.conflicts += applied.conflicts;
            progress(Progress::Pull {
                done: report.changes,
                total: report.changes + remaining,
            });
            if !has_more {
                break;
            }
        }
        Ok(report)
    }

    /// One sync round: push, then pull until caught up (then push again what was
    /// edited meanwhile). `progress` sees both phases.
    pub async fn sync_once(
        &self,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<SyncReport> {
        let mut push = self.push(progress).await?;
        let pull = self.pull(progress).await?;
        let store = self.store.clone();
        let status = blocking(move || local::status(&store)).await?;
        if status.outbox + status.unstaged > 0 {
            let again = self.push(progress).await?;
            push.acked += again.acked;
            push.conflicts += again.conflicts;
            push.rejected += again.rejected;
            push.acked_mutations.extend(again.acked_mutations);
        }
        let store = self.store.clone();
        blocking(move || local::mark_synced(&store, now_millis())).await?;
        Ok(SyncReport { push, pull })
    }

    /// Outbox, conflicts, cursor, last sync and account, for a status line.
    pub async fn status(&self) -> Result<LocalStatus> {
        let store = self.store.clone();
        blocking(move || local::status(&store)).await
    }

    /// Syncs every `interval` until `stop` says true; after a retryable failure waits
    /// by `backoff` instead (exponential, honours retry-after), and stops at once on
    /// an error that needs the user (signed out, other account, refused). `on_round`
    /// sees every round's result (for a status line).
    pub async fn run_loop(
        &self,
        interval: Duration,
        mut backoff: Backoff,
        mut stop: tokio::sync::watch::Receiver<bool>,
        on_round: &mut (dyn FnMut(&Result<SyncReport>) + Send),
    ) -> Result<()> {
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            let result = self.sync_once(&mut |_| {}).await;
            on_round(&result);
            let wait = match &result {
                Ok(_) => {
                    backoff.reset();
                    interval
                }
                Err(SyncError::RateLimited { retry_after_secs }) => backoff
                    .next_delay()
                    .max(Duration::from_secs(*retry_after_secs)),
                Err(e) if e.is_retryable() => backoff.next_delay(),
                Err(_) => {
                    return result.map(|_| ());
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }
}
