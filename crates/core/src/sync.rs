//! Team sync in the app: sign-in and sign-out, the background loop, its status, and
//! the conflicts view. The protocol is `closer-sync`'s ([`SyncClient`]); this module
//! adds what the app needs around it:
//!
//! - the refresh token lives in the OS keyring ([`KeyringTokens`]), never in SQLite,
//!   logs or IPC replies; the server URL is kept in the store's sync state beside the
//!   signed-in account (email, role, organisation) that `closer-sync` records;
//! - one loop per signed-in workspace: a round every [`ROUND_EVERY`], at once on "sync
//!   now" or when the network comes back, with backoff while the server cannot be
//!   reached; waits are measured on the wall clock in short ticks, so a laptop waking
//!   from sleep syncs within seconds instead of finishing a sleep its monotonic clock
//!   paused;
//! - a [`SyncStatus`] for the UI (emitted as [`CoreEvent::SyncStatus`] on every change);
//! - conflicts from `closer_store::sync`'s records, with both values and keep-mine /
//!   take-theirs.
//!
//! Nothing here blocks a use case: every edit is written locally first; sync only ever
//! reads the change log afterwards. Offline, the app works as before and the outbox grows.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use closer_secrets::{SecretKey, SecretStore};
use closer_store::sync as db;
use closer_store::{deals, leads};
use closer_sync::{Backoff, Progress, SyncClient, SyncError, TokenStore, TokenStoreError};
use closer_sync_proto::Hlc;
use closer_types::{
    now_millis, ConflictChoice, ConflictSide, SyncAccount, SyncConflict, SyncSignIn, SyncState,
    SyncStatus,
};
use tokio::sync::{watch, Notify};

use crate::{blocking, Closer, CoreError, CoreEvent, Result};

/// Time between two rounds while everything works.
pub const ROUND_EVERY: Duration = Duration::from_secs(30);
/// The longest wait between two attempts while the server cannot be reached.
const OFFLINE_RETRY_MAX: Duration = Duration::from_secs(60);
/// After an error that needs a fix (the server refused, local data), try again this late
/// (or at "sync now").
const ERROR_RETRY: Duration = Duration::from_secs(300);
/// Waits are checked against the wall clock this often (resume after sleep).
const TICK: Duration = Duration::from_secs(2);
/// `sync_state` key of the server URL (JSON string).
const SERVER_URL_KEY: &str = "desktop.server_url";

/// The refresh token in the OS keyring.
pub struct KeyringTokens(pub SecretStore);

impl TokenStore for KeyringTokens {
    fn load(&self) -> std::result::Result<Option<String>, TokenStoreError> {
        self.0
            .get(SecretKey::TeamServerRefreshToken)
            .map(|s| s.map(|s| s.expose().to_string()))
            .map_err(|e| TokenStoreError(e.to_string()))
    }
    fn save(&self, refresh_token: &str) -> std::result::Result<(), TokenStoreError> {
        self.0
            .set(SecretKey::TeamServerRefreshToken, refresh_token)
            .map_err(|e| TokenStoreError(e.to_string()))
    }
    fn clear(&self) -> std::result::Result<(), TokenStoreError> {
        self.0
            .delete(SecretKey::TeamServerRefreshToken)
            .map_err(|e| TokenStoreError(e.to_string()))
    }
}

/// A sentence the rep can act on, for a sync error.
pub fn sync_message(e: &SyncError) -> String {
    match e {
        SyncError::Offline(_) => "The team server cannot be reached. Your changes are kept on this computer and sync when it answers again.".into(),
        SyncError::Unauthorized(_) => "Your team sign-in has ended (expired or signed out elsewhere). Sign in again in Settings → Team sync; nothing you changed is lost.".into(),
        SyncError::RateLimited { retry_after_secs } => format!("The team server asks to slow down; Closer tries again in {retry_after_secs} s."),
        SyncError::Rejected { status: 400..=403, detail } if !detail.is_empty() => format!("The team server refused: {detail}."),
        SyncError::Rejected { status, detail } => format!("The team server refused the request ({status}{}{detail}). Check the server address in Settings → Team sync.", if detail.is_empty() { "" } else { ": " }),
        SyncError::Server { status, .. } => format!("The team server had a problem ({status}). Closer tries again shortly; your changes are kept."),
        SyncError::Protocol(_) => "The team server answered something Closer does not understand. Check the server address, or update Closer.".into(),
        SyncError::OtherAccount { expected, actual } => format!("This workspace is synced with {expected}. To sign in as {actual}, use a separate workspace."),
        SyncError::Store(e) => format!("Closer could not read or save its local data while syncing: {e}."),
        SyncError::TokenStore(e) => format!("The sign-in token cannot be kept in the system keyring: {e}."),
        SyncError::Task(e) => format!("Sync stopped unexpectedly: {e}."),
    }
}

/// What the loop is doing now (the counts come from the store at each query).
#[derive(Debug, Clone, Default)]
struct Live {
    state: Option<SyncState>,
    message: Option<String>,
    progress: Option<(u64, u64)>,
}

struct Running {
    client: Arc<SyncClient>,
    stop: watch::Sender<bool>,
    nudge: Arc<Notify>,
}

/// The sync part of [`crate::Inner`].
pub(crate) struct SyncRuntime {
    http: reqwest::Client,
    live: Mutex<Live>,
    running: Mutex<Option<Running>>,
}

impl Default for SyncRuntime {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        SyncRuntime {
            http,
            live: Mutex::new(Live::default()),
            running: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `https://host[:port][/path]` or `http://…`, without a trailing slash.
fn normalise_url(raw: &str) -> Result<String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| {
        CoreError::SyncInput(format!(
            "'{trimmed}' is not a server address ({e}); write it like https://closer.example.com"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(CoreError::SyncInput(format!(
            "'{trimmed}' is not a server address; write it like https://closer.example.com"
        )));
    }
    Ok(trimmed.to_string())
}

/// The team server's address, kept beside the account it belongs to (sync state); the
/// older `Settings::team_server_url` only pre-fills the sign-in form.
fn server_url(conn: &rusqlite::Connection) -> closer_store::Result<Option<String>> {
    Ok(db::state_get(conn, SERVER_URL_KEY)?.and_then(|t| serde_json::from_str(&t).ok()))
}

impl Closer {
    fn sync_rt(&self) -> &SyncRuntime {
        &self.inner.sync
    }

    fn token_store(&self) -> Result<Arc<KeyringTokens>> {
        Ok(Arc::new(KeyringTokens(self.secrets()?.clone())))
    }

    async fn signed_in(&self) -> bool {
        let Some(store) = self.inner.secrets.clone() else {
            return false;
        };
        blocking(move || {
            store
                .is_set(SecretKey::TeamServerRefreshToken)
                .map_err(CoreError::from)
        })
        .await
        .unwrap_or(false)
    }

    /// Team sync's status: state, account, last synced, pending changes, conflicts.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let store = self.inner.store.clone();
        let (local, url) = blocking(move || {
            let local = closer_sync::local::status(&store)?;
            let url = store.read(server_url)?;
            Ok((local, url))
        })
        .await?;
        // A running loop means signed in (the keyring is asked only otherwise).
        let running = lock(&self.sync_rt().running).is_some();
        let signed_in = running || self.signed_in().await;
        let live = lock(&self.sync_rt().live).clone();
        let state = match (signed_in, live.state) {
            (false, _) => SyncState::SignedOut,
            (true, Some(s)) => s,
            (true, None) => SyncState::Syncing,
        };
        let pending = local.outbox + local.unstaged;
        Ok(SyncStatus {
            state,
            message: if signed_in { live.message } else { None },
            server_url: url,
            account: local.account.filter(|_| signed_in).map(|a| SyncAccount {
                email: a.email,
                role: a.role,
                org_id: a.org_id,
            }),
            last_synced_at: local.last_synced_at,
            pending,
            conflicts: local.open_conflicts,
            progress_done: live.progress.map(|p| p.0),
            progress_total: live.progress.map(|p| p.1),
        })
    }

    async fn emit_sync_status(&self) {
        match self.sync_status().await {
            Ok(s) => self.emit(CoreEvent::SyncStatus(s)),
            Err(e) => tracing::warn!(error = %e, "sync status not available"),
        }
    }

    fn set_live(&self, state: SyncState, message: Option<String>, progress: Option<(u64, u64)>) {
        *lock(&self.sync_rt().live) = Live {
            state: Some(state),
            message,
            progress,
        };
    }

    /// Signs in to the team server at `input.server_url` and starts syncing. The
    /// password is sent once and never kept; the refresh token goes to the OS keyring.
    pub async fn sync_sign_in(&self, input: SyncSignIn) -> Result<SyncStatus> {
        let url = normalise_url(&input.server_url)?;
        let email = input.email.trim().to_string();
        if email.is_empty() || !email.contains('@') {
            return Err(CoreError::SyncInput(
                "Enter the email address your team server account was created with.".into(),
            ));
        }
        if input.password.is_empty() {
            return Err(CoreError::SyncInput("Enter your password.".into()));
        }
        let tokens = self.token_store()?;
        self.stop_sync_loop();
        let client = Arc::new(SyncClient::new(
            self.inner.store.clone(),
            url.clone(),
            self.sync_rt().http.clone(),
            tokens,
        ));
        let account = client.sign_in(&email, &input.password).await?;
        tracing::info!(role = %account.role, "signed in to the team server");
        let store = self.inner.store.clone();
        let text = serde_json::to_string(&url).map_err(|e| CoreError::Task(e.to_string()))?;
        blocking(move || {
            store
                .write(|tx| db::state_set(tx, SERVER_URL_KEY, &text))
                .map_err(CoreError::from)
        })
        .await?;
        self.set_live(SyncState::Syncing, None, None);
        self.start_sync_loop(client);
        self.sync_status().await
    }

    /// Signs out: stops the loop, revokes the session on the server when reachable and
    /// forgets the token. Local data and unsent changes stay (they go after the next
    /// sign-in as the same user).
    pub async fn sync_sign_out(&self) -> Result<SyncStatus> {
        let running = self.stop_sync_loop();
        let client = match running {
            Some(c) => c,
            None => {
                let store = self.inner.store.clone();
                let url = blocking(move || store.read(server_url).map_err(CoreError::from))
                    .await?
                    .unwrap_or_default();
                Arc::new(SyncClient::new(
                    self.inner.store.clone(),
                    url,
                    self.sync_rt().http.clone(),
                    self.token_store()?,
                ))
            }
        };
        client.sign_out().await?;
        *lock(&self.sync_rt().live) = Live::default();
        tracing::info!("signed out of the team server");
        let status = self.sync_status().await?;
        self.emit(CoreEvent::SyncStatus(status.clone()));
        Ok(status)
    }

    /// Starts the loop when this workspace is signed in (the shell calls it at start).
    pub async fn start_sync(&self) -> Result<()> {
        if !self.signed_in().await {
            return Ok(());
        }
        let store = self.inner.store.clone();
        let Some(url) = blocking(move || store.read(server_url).map_err(CoreError::from)).await?
        else {
            return Ok(());
        };
        let client = Arc::new(SyncClient::new(
            self.inner.store.clone(),
            url,
            self.sync_rt().http.clone(),
            self.token_store()?,
        ));
        self.start_sync_loop(client);
        Ok(())
    }

    /// Runs a round now (or as soon as the current one ends).
    pub async fn sync_now(&self) -> Result<SyncStatus> {
        let nudge = lock(&self.sync_rt().running)
            .as_ref()
            .map(|r| r.nudge.clone());
        if let Some(n) = nudge {
            n.notify_one();
        } else if self.signed_in().await {
            self.start_sync().await?;
        } else {
            return Err(CoreError::SyncInput(
                "Sign in to a team server first (Settings → Team sync).".into(),
            ));
        }
        self.sync_status().await
    }

    /// Wakes the loop early (the network came back).
    pub(crate) fn nudge_sync(&self) {
        if let Some(r) = lock(&self.sync_rt().running).as_ref() {
            r.nudge.notify_one();
        }
    }

    fn stop_sync_loop(&self) -> Option<Arc<SyncClient>> {
        let running = lock(&self.sync_rt().running).take()?;
        let _ = running.stop.send(true);
        Some(running.client)
    }

    fn start_sync_loop(&self, client: Arc<SyncClient>) {
        self.stop_sync_loop();
        let (stop, stop_rx) = watch::channel(false);
        let nudge = Arc::new(Notify::new());
        *lock(&self.sync_rt().running) = Some(Running {
            client: client.clone(),
            stop,
            nudge: nudge.clone(),
        });
        let me = self.clone();
        tokio::spawn(async move { me.sync_loop(client, stop_rx, nudge).await });
    }

    async fn sync_loop(
        self,
        client: Arc<SyncClient>,
        mut stop: watch::Receiver<bool>,
        nudge: Arc<Notify>,
    ) {
        let mut backoff = Backoff::new(Duration::from_secs(1), OFFLINE_RETRY_MAX);
        loop {
            if *stop.borrow() {
                return;
            }
            self.set_live(SyncState::Syncing, None, Some((0, 0)));
            self.emit_sync_status().await;
            let me = self.clone();
            let mut on_progress = move |p: Progress| {
                let (done, total) = match p {
                    Progress::Push { done, total } | Progress::Pull { done, total } => {
                        (done, total)
                    }
                };
                me.set_live(SyncState::Syncing, None, Some((done, total)));
            };
            let result = client.sync_once(&mut on_progress).await;
            if *stop.borrow() {
                return; // signed out meanwhile: say nothing more
            }
            let wait = match &result {
                Ok(report) => {
                    backoff.reset();
                    self.set_live(SyncState::UpToDate, None, None);
                    if report.pull.changes > 0 {
                        if let Err(e) = self.record_team_health().await {
                            tracing::warn!(error = %e, "health snapshots not recorded");
                        }
                        self.emit(CoreEvent::WorkspaceChanged {
                            reason: "sync".into(),
                        });
                    }
                    tracing::info!(
                        pushed = report.push.acked,
                        pulled = report.pull.changes,
                        conflicts = report.push.conflicts + report.pull.conflicts,
                        "sync round done"
                    );
                    ROUND_EVERY
                }
                Err(e) => {
                    let message = sync_message(e);
                    tracing::info!(error = %e, "sync round failed");
                    match e {
                        SyncError::Offline(_) => {
                            self.set_live(SyncState::Offline, Some(message), None);
                            backoff.next_delay()
                        }
                        SyncError::RateLimited { retry_after_secs } => {
                            self.set_live(SyncState::Syncing, Some(message), None);
                            backoff
                                .next_delay()
                                .max(Duration::from_secs(*retry_after_secs))
                        }
                        SyncError::Server { .. } => {
                            self.set_live(SyncState::Error, Some(message), None);
                            backoff.next_delay()
                        }
                        SyncError::Unauthorized(_) => {
                            // The token is gone (closer-sync forgot it): the rep signs in again.
                            self.set_live(SyncState::Error, Some(message), None);
                            self.emit_sync_status().await;
                            let mut running = lock(&self.sync_rt().running);
                            if running
                                .as_ref()
                                .is_some_and(|r| Arc::ptr_eq(&r.client, &client))
                            {
                                *running = None;
                            }
                            return;
                        }
                        _ => {
                            self.set_live(SyncState::Error, Some(message), None);
                            ERROR_RETRY
                        }
                    }
                }
            };
            self.emit_sync_status().await;
            if !wait_wall_clock(wait, &nudge, &mut stop).await {
                return;
            }
        }
    }

    // ---- conflicts ---------------------------------------------------------------

    /// Open conflicts, oldest first, with both values.
    pub async fn sync_conflicts(&self) -> Result<Vec<SyncConflict>> {
        let store = self.inner.store.clone();
        blocking(move || {
            let me = closer_sync::local::client_id(&store)?;
            store
                .read(|conn| {
                    db::conflicts(conn, true, 500)?
                        .into_iter()
                        .map(|c| conflict_view(conn, &me, c))
                        .collect()
                })
                .map_err(CoreError::from)
        })
        .await
    }

    /// Settles a conflict: the chosen value becomes current (a local edit that syncs
    /// with a newer clock, so it wins everywhere) and the conflict leaves the list.
    pub async fn resolve_sync_conflict(
        &self,
        id: i64,
        choice: ConflictChoice,
    ) -> Result<Vec<SyncConflict>> {
        let store = self.inner.store.clone();
        blocking(move || {
            let me = closer_sync::local::client_id(&store)?;
            store.write(|tx| {
                let Some(record) = db::conflicts(tx, true, u32::MAX)?
                    .into_iter()
                    .find(|c| c.id == id)
                else {
                    return Err(closer_store::StoreError::NotFound {
                        entity: "conflict",
                        id: id.to_string(),
                    });
                };
                let view = conflict_view(tx, &me, record.clone())?;
                let use_other = matches!(
                    (choice, view.other_side),
                    (ConflictChoice::KeepMine, ConflictSide::Mine)
                        | (ConflictChoice::TakeTheirs, ConflictSide::Theirs)
                );
                if use_other {
                    if record.kind == db::ConflictKind::Rejected {
                        return Err(closer_store::StoreError::Invalid(vec![
                            closer_types::FieldError::new(
                                "choice",
                                "the team server refused this change, so it cannot be kept",
                            ),
                        ]));
                    }
                    let value: serde_json::Value =
                        serde_json::from_str(&record.value).unwrap_or(serde_json::Value::Null);
                    set_field(tx, &record.entity, &record.entity_id, &record.field, value)?;
                }
                db::resolve_conflict(tx, id, now_millis())?;
                Ok(())
            })?;
            Ok(())
        })
        .await?;
        self.nudge_sync();
        self.emit_sync_status().await;
        self.sync_conflicts().await
    }
}

/// Waits `wait` by the wall clock (so time asleep counts), or until nudged; false when
/// told to stop.
async fn wait_wall_clock(wait: Duration, nudge: &Notify, stop: &mut watch::Receiver<bool>) -> bool {
    let deadline = SystemTime::now() + wait;
    loop {
        let left = deadline
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        if left.is_zero() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(left.min(TICK)) => {}
            _ = nudge.notified() => return true,
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return false;
                }
            }
        }
    }
}

fn conflict_view(
    conn: &rusqlite::Connection,
    me: &str,
    c: db::ConflictRecord,
) -> closer_store::Result<SyncConflict> {
    let hlc: Option<Hlc> = serde_json::from_str(&c.hlc).ok();
    let (title, current) = match c.entity.as_str() {
        "deal" => match deals::find(conn, &c.entity_id)? {
            Some(d) => {
                let v = serde_json::to_value(&d).unwrap_or_default();
                (d.name, v.get(&c.field).cloned())
            }
            None => (String::new(), None),
        },
        "lead" => match leads::find(conn, &c.entity_id)? {
            Some(l) => {
                let v = serde_json::to_value(&l).unwrap_or_default();
                (l.company, v.get(&c.field).cloned())
            }
            None => (String::new(), None),
        },
        _ => (String::new(), None),
    };
    let mine = c.kind == db::ConflictKind::Rejected || hlc.as_ref().is_some_and(|h| h.node == me);
    Ok(SyncConflict {
        id: c.id,
        entity: c.entity,
        entity_id: c.entity_id,
        title,
        field: c.field,
        current_value: current
            .map(|v| v.to_string())
            .unwrap_or_else(|| "null".into()),
        other_value: c.value,
        other_side: if mine {
            ConflictSide::Mine
        } else {
            ConflictSide::Theirs
        },
        other_by: match &hlc {
            _ if mine => "you".into(),
            Some(h) => format!("device {}", short(&h.node)),
            None => "another device".into(),
        },
        other_at: hlc.map(|h| h.wall_ms).unwrap_or(c.recorded_at),
        refused: c.reason,
        recorded_at: c.recorded_at,
    })
}

fn short(id: &str) -> &str {
    id.get(id.len().saturating_sub(6)..).unwrap_or(id)
}

/// Writes one field of a lead or deal as a local edit (it syncs like any other).
fn set_field(
    tx: &rusqlite::Transaction,
    entity: &str,
    id: &str,
    field: &str,
    value: serde_json::Value,
) -> closer_store::Result<()> {
    let bad = |reason: String| {
        closer_store::StoreError::Invalid(vec![closer_types::FieldError::new(field, reason)])
    };
    if matches!(field, "id" | "updated_at" | "") {
        return Err(bad("this change cannot be applied field by field".into()));
    }
    let now = now_millis();
    match entity {
        "deal" => {
            let deal = deals::get(tx, id)?;
            let mut v = serde_json::to_value(&deal).map_err(|e| bad(e.to_string()))?;
            if let Some(map) = v.as_object_mut() {
                map.insert(field.to_string(), value);
                map.insert("updated_at".into(), now.into());
            }
            let deal = serde_json::from_value(v).map_err(|e| bad(e.to_string()))?;
            db::put_deal(tx, &deal)
        }
        "lead" => {
            let lead = leads::get(tx, id)?;
            let mut v = serde_json::to_value(&lead).map_err(|e| bad(e.to_string()))?;
            if let Some(map) = v.as_object_mut() {
                map.insert(field.to_string(), value);
                map.insert("updated_at".into(), now.into());
            }
            let lead = serde_json::from_value(v).map_err(|e| bad(e.to_string()))?;
            db::put_lead(tx, &lead)
        }
        other => Err(bad(format!("{other} conflicts cannot be settled here yet"))),
    }
}
