//! The application core: every use case of Closer, composed from the leaf crates
//! (store, import, secrets, demo) and runnable without any UI.
//!
//! The Tauri shell holds one [`Closer`] and forwards commands to it; tests build one
//! on a temporary directory. All SQLite work runs on tokio's blocking pool, never on
//! the async runtime's workers or the UI thread.
//!
//! What it deliberately does not know: Tauri, windows, IPC, the shape of the UI.
//! Events go out through the [`EventSink`] trait.

mod ai;
mod audio;
mod calls_live;
mod connectivity;
mod content_index;
pub mod echo;
mod error;
mod events;
mod speech;
mod sync;
mod team;

pub use ai::ANTHROPIC_API;
pub use calls_live::{CallAudio, SpeechEngine};
pub use closer_embed::MODEL_DIR_NAME;
pub use closer_import::ImportError;
pub use closer_store::StoreError;
pub use closer_transcribe::DEFAULT_MODEL as SPEECH_MODEL;
pub use connectivity::probe;
pub use error::{CoreError, Result};
pub use events::{CollectEvents, CoreEvent, EventSink, NoEvents};
pub use sync::{sync_message, KeyringTokens, ROUND_EVERY};
pub use team::{at_risk_cents, deal_health, overview as team_overview_tx, TEAM, UNASSIGNED};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use closer_secrets::{SecretKey, SecretStore};
use closer_store::{
    activities, battle_cards, calls, content, deals, leads, proposals, settings, stats, Store,
};
use closer_types::*;

/// How to open a workspace.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where `closer.db` and the logs live.
    pub data_dir: PathBuf,
    /// Fill an empty workspace with the demo on open.
    pub seed_demo_when_empty: bool,
    /// The keyring service name secrets are kept under.
    pub keyring_service: String,
    /// Where Claude is called: Anthropic's API, or our local fake in demo mode and tests.
    pub anthropic_base_url: String,
    /// The semantic-search model's folder (all-MiniLM-L6-v2); `None` or missing files mean
    /// keyword-only content search.
    pub model_dir: Option<PathBuf>,
}

impl Config {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            seed_demo_when_empty: true,
            keyring_service: "dev.closer.app".into(),
            anthropic_base_url: ai::ANTHROPIC_API.into(),
            model_dir: None,
        }
    }
}

/// The open workspace. Cheap to clone.
#[derive(Clone)]
pub struct Closer {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    secrets: Option<SecretStore>,
    secrets_problem: Option<String>,
    events: Arc<dyn EventSink>,
    data_dir: PathBuf,
    ai: Option<ai::AiRuntime>,
    ai_problem: Option<String>,
    content: content_index::ContentIndex,
    audio: audio::AudioState,
    live: calls_live::LiveState,
    sync: sync::SyncRuntime,
}

impl Closer {
    /// Opens (creating if needed) the workspace in `config.data_dir`.
    pub fn open(config: Config, events: Arc<dyn EventSink>) -> Result<Closer> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| CoreError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&config.data_dir.join("closer.db"))?;
        // A missing keyring must not stop a rep from reading their battle cards on a
        // plane: the app opens, and Settings says why the key cannot be saved.
        let (secrets, secrets_problem) = match SecretStore::new(&config.keyring_service) {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::warn!(error = %e, "no OS keyring available");
                (None, Some(e.to_string()))
            }
        };
        // Nor must a broken AI database: everything but the AI features keeps working.
        let (ai, ai_problem) = match ai::AiRuntime::open(
            &config.data_dir,
            &config.anthropic_base_url,
            secrets.clone(),
        ) {
            Ok(rt) => (Some(rt), None),
            Err(e) => {
                tracing::error!(error = %e, "the AI gateway could not start");
                (None, Some(e.to_string()))
            }
        };
        let content = content_index::ContentIndex::new(&config.data_dir, config.model_dir.clone());
        let closer = Closer {
            inner: Arc::new(Inner {
                store,
                secrets,
                secrets_problem,
                events,
                data_dir: config.data_dir,
                ai,
                ai_problem,
                content,
                audio: audio::AudioState::default(),
                live: calls_live::LiveState::default(),
                sync: sync::SyncRuntime::default(),
            }),
        };
        // A call the app was stopped in keeps its transcript up to the last final segment.
        if let Err(e) = closer.recover_interrupted_calls() {
            tracing::error!(error = %e, "interrupted calls could not be finished");
        }
        if config.seed_demo_when_empty {
            let stats = closer.inner.store.read(stats::workspace)?;
            if stats.is_empty() {
                tracing::info!("empty workspace: creating the demo");
                closer.inner.store.write(|tx| seed_demo(tx, now_millis()))?;
            }
        }
        Ok(closer)
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    fn emit(&self, event: CoreEvent) {
        self.inner.events.emit(event);
    }

    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> closer_store::Result<T> + Send + 'static,
    {
        let store = self.inner.store.clone();
        blocking(move || store.read(f).map_err(CoreError::from)).await
    }

    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> closer_store::Result<T> + Send + 'static,
    {
        let store = self.inner.store.clone();
        blocking(move || store.write(f).map_err(CoreError::from)).await
    }

    // ---- workspace -------------------------------------------------------------

    pub async fn workspace_stats(&self) -> Result<WorkspaceStats> {
        self.read(stats::workspace).await
    }

    /// Replaces everything with a fresh demo (settings and secrets are kept).
    pub async fn reset_demo(&self) -> Result<WorkspaceStats> {
        let stats = self
            .write(|tx| {
                stats::clear_workspace(tx)?;
                seed_demo(tx, now_millis())?;
                stats::workspace(tx)
            })
            .await?;
        self.reindex_content();
        self.emit(CoreEvent::WorkspaceChanged {
            reason: "demo_reset".into(),
        });
        Ok(stats)
    }

    // ---- leads -----------------------------------------------------------------

    pub async fn list_leads(&self, query: LeadQuery) -> Result<Page<LeadSummary>> {
        self.read(move |c| leads::list(c, &query)).await
    }

    pub async fn get_lead(&self, id: Id) -> Result<Lead> {
        self.read(move |c| leads::get(c, &id)).await
    }

    pub async fn create_lead(&self, mut draft: LeadDraft) -> Result<Lead> {
        if draft.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            draft.owner = Some(self.settings().await?.user_name);
        }
        let lead = self
            .write(move |tx| leads::create(tx, &draft, now_millis()))
            .await?;
        self.rescore_soon(lead.id.clone());
        Ok(lead)
    }

    /// Saves the lead; Claude scores it again shortly after (when it can be reached).
    pub async fn update_lead(&self, id: Id, draft: LeadDraft) -> Result<Lead> {
        let lead = self
            .write(move |tx| leads::update(tx, &id, &draft, now_millis()))
            .await?;
        self.rescore_soon(lead.id.clone());
        Ok(lead)
    }

    pub async fn delete_lead(&self, id: Id) -> Result<()> {
        self.write(move |tx| leads::delete(tx, &id)).await
    }

    // ---- deals -----------------------------------------------------------------

    pub async fn list_deals(&self, query: DealQuery) -> Result<Page<DealSummary>> {
        self.read(move |c| deals::list(c, &query)).await
    }

    pub async fn get_deal(&self, id: Id) -> Result<DealDetail> {
        self.read(move |c| deals::detail(c, &id)).await
    }

    pub async fn create_deal(&self, mut draft: DealDraft) -> Result<Deal> {
        if draft.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            draft.owner = Some(self.settings().await?.user_name);
        }
        self.write(move |tx| deals::create(tx, &draft, now_millis()))
            .await
    }

    /// Saves the deal; a change of stage also lands on the deal's timeline.
    pub async fn update_deal(&self, id: Id, draft: DealDraft) -> Result<Deal> {
        let author = self.settings().await?.user_name;
        self.write(move |tx| {
            let now = now_millis();
            let before = deals::get(tx, &id)?;
            let deal = deals::update(tx, &id, &draft, now)?;
            if before.stage != deal.stage {
                let body = format!(
                    "Stage changed: {} → {}",
                    stage_label(before.stage),
                    stage_label(deal.stage)
                );
                let entry = NewActivity {
                    deal_id: Some(deal.id.clone()),
                    lead_id: deal.lead_id.clone(),
                    kind: ActivityKind::StageChange,
                    body,
                    at: Some(now),
                };
                activities::add(tx, &entry, Some(&author), now)?;
            }
            // A moved close date is a health signal (closer_ai::local_health counts slips).
            if before.close_date != deal.close_date {
                let body = format!(
                    "Close date changed: {} → {}",
                    before.close_date.as_deref().unwrap_or("none"),
                    deal.close_date.as_deref().unwrap_or("none")
                );
                let entry = NewActivity {
                    deal_id: Some(deal.id.clone()),
                    lead_id: deal.lead_id.clone(),
                    kind: ActivityKind::StageChange,
                    body,
                    at: Some(now),
                };
                activities::add(tx, &entry, Some(&author), now)?;
            }
            Ok(deal)
        })
        .await
    }

    pub async fn add_activity(&self, activity: NewActivity) -> Result<Activity> {
        let author = self.settings().await?.user_name;
        self.write(move |tx| activities::add(tx, &activity, Some(&author), now_millis()))
            .await
    }

    // ---- battle cards ----------------------------------------------------------

    pub async fn list_battle_cards(&self) -> Result<Vec<BattleCardSummary>> {
        self.read(battle_cards::list).await
    }

    pub async fn get_battle_card(&self, id: Id) -> Result<BattleCard> {
        self.read(move |c| battle_cards::get(c, &id)).await
    }

    pub async fn save_battle_card(
        &self,
        id: Option<Id>,
        mut draft: BattleCardDraft,
    ) -> Result<BattleCard> {
        draft.updated_by = Some(self.settings().await?.user_name);
        self.write(move |tx| battle_cards::save(tx, id.as_deref(), &draft, now_millis()))
            .await
    }

    // ---- content ---------------------------------------------------------------

    pub async fn list_content(&self, query: ContentQuery) -> Result<Page<ContentSummary>> {
        self.read(move |c| content::list(c, &query)).await
    }

    pub async fn get_content(&self, id: Id) -> Result<ContentItem> {
        self.read(move |c| content::get(c, &id)).await
    }

    // ---- proposals -------------------------------------------------------------

    pub async fn list_proposals(&self) -> Result<Vec<ProposalSummary>> {
        self.read(proposals::list).await
    }

    pub async fn get_proposal(&self, id: Id) -> Result<Proposal> {
        self.read(move |c| proposals::get(c, &id)).await
    }

    pub async fn create_proposal(&self, proposal: NewProposal) -> Result<Proposal> {
        self.write(move |tx| proposals::create(tx, &proposal, now_millis()))
            .await
    }

    /// The editor's autosave: called on every pause in typing.
    pub async fn save_proposal(&self, id: Id, edit: ProposalEdit) -> Result<ProposalSaved> {
        self.write(move |tx| proposals::save_edit(tx, &id, &edit, now_millis()))
            .await
    }

    pub async fn set_proposal_status(&self, id: Id, status: ProposalStatus) -> Result<Proposal> {
        self.write(move |tx| proposals::set_status(tx, &id, status, now_millis()))
            .await
    }

    pub async fn snapshot_proposal(&self, id: Id) -> Result<ProposalVersion> {
        self.write(move |tx| proposals::snapshot(tx, &id, now_millis()))
            .await
    }

    pub async fn proposal_versions(&self, id: Id) -> Result<Vec<ProposalVersion>> {
        self.read(move |c| proposals::versions(c, &id)).await
    }

    // ---- calls -----------------------------------------------------------------

    pub async fn list_calls(&self) -> Result<Vec<CallSummary>> {
        self.read(calls::list).await
    }

    pub async fn get_call(&self, id: Id) -> Result<Call> {
        self.read(move |c| calls::get(c, &id)).await
    }

    // ---- search ----------------------------------------------------------------

    // `search` and `rerank_search` live in content_index.rs.

    // ---- CSV import ------------------------------------------------------------

    /// Reads the file and says what an import would do; writes nothing.
    pub async fn preview_lead_import(&self, path: PathBuf) -> Result<ImportPreview> {
        blocking(move || closer_import::preview(&path, 20).map_err(CoreError::from)).await
    }

    /// Imports every lead of the file in one transaction: all of them, or (on any
    /// error) none.
    pub async fn import_leads(&self, path: PathBuf) -> Result<ImportReport> {
        let started = Instant::now();
        let parsed = blocking(move || closer_import::parse(&path).map_err(CoreError::from)).await?;
        let total = parsed.leads.len() as u64;
        let events = self.inner.events.clone();
        let owner = self.settings().await?.user_name;
        let closer_import::ParsedImport {
            format,
            ignored_columns,
            rows,
            mut leads,
            ..
        } = parsed;
        for lead in &mut leads {
            if lead.owner.is_none() {
                lead.owner = Some(owner.clone());
            }
        }
        events.emit(CoreEvent::ImportProgress { done: 0, total });
        let imported = self
            .write(move |tx| {
                leads::insert_many(tx, &leads, now_millis(), &mut |done| {
                    events.emit(CoreEvent::ImportProgress { done, total })
                })
            })
            .await?;
        tracing::info!(rows, imported, "leads imported");
        Ok(ImportReport {
            rows,
            imported,
            format,
            ignored_columns,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    // ---- settings and secrets --------------------------------------------------

    pub async fn settings(&self) -> Result<Settings> {
        self.read(settings::get).await
    }

    pub async fn save_settings(&self, new: Settings) -> Result<Settings> {
        self.write(move |tx| {
            settings::save(tx, &new)?;
            settings::get(tx)
        })
        .await
    }

    fn secrets(&self) -> Result<&SecretStore> {
        self.inner.secrets.as_ref().ok_or_else(|| {
            CoreError::Secrets(closer_secrets::Error::Unavailable {
                tried: self
                    .inner
                    .secrets_problem
                    .clone()
                    .unwrap_or_else(|| "no keyring".into()),
            })
        })
    }

    pub async fn api_key_status(&self) -> Result<SecretStatus> {
        self.secret_status(SecretKey::ClaudeApiKey).await
    }

    /// Stores the Claude API key in the OS keyring. The key goes nowhere else.
    pub async fn set_api_key(&self, key: String) -> Result<SecretStatus> {
        let store = self.secrets()?.clone();
        blocking(move || {
            store
                .set(SecretKey::ClaudeApiKey, key.trim())
                .map_err(CoreError::from)
        })
        .await?;
        self.forget_api_key();
        tracing::info!("Claude API key saved to the OS keyring");
        self.api_key_status().await
    }

    pub async fn clear_api_key(&self) -> Result<SecretStatus> {
        let store = self.secrets()?.clone();
        blocking(move || {
            store
                .delete(SecretKey::ClaudeApiKey)
                .map_err(CoreError::from)
        })
        .await?;
        self.forget_api_key();
        tracing::info!("Claude API key removed from the OS keyring");
        self.api_key_status().await
    }

    /// The gateway reads the key from the keyring again on its next request.
    fn forget_api_key(&self) {
        if let Some(ai) = &self.inner.ai {
            ai.gateway.forget_api_key();
        }
    }

    async fn secret_status(&self, key: SecretKey) -> Result<SecretStatus> {
        let Some(store) = self.inner.secrets.clone() else {
            return Ok(SecretStatus {
                set: false,
                backend: format!(
                    "unavailable: {}",
                    self.inner
                        .secrets_problem
                        .as_deref()
                        .unwrap_or("no keyring")
                ),
            });
        };
        let backend = store.backend().label().to_string();
        let set = blocking(move || store.is_set(key).map_err(CoreError::from)).await?;
        Ok(SecretStatus { set, backend })
    }

    // ---- connectivity ----------------------------------------------------------

    /// Checks once whether the configured probe answers.
    pub async fn connectivity(&self) -> Result<Connectivity> {
        // In demo mode the API is our local fake: probe it, not the internet.
        let target = match self.inner.ai.as_ref().map(|a| a.base_url.as_str()) {
            Some(url) if url != ai::ANTHROPIC_API => ai::probe_target(url),
            _ => None,
        };
        let target = match target {
            Some(t) => t,
            None => self.settings().await?.connectivity_probe,
        };
        Ok(Connectivity {
            online: probe(&target).await,
            checked_at: now_millis(),
        })
    }

    /// Watches connectivity, emitting a change event whenever the answer flips.
    /// Never returns: the host spawns it on its runtime.
    pub async fn watch_connectivity(self, every: std::time::Duration) {
        let mut last: Option<bool> = None;
        loop {
            if let Ok(c) = self.connectivity().await {
                self.set_online(c.online);
                if last != Some(c.online) {
                    if c.online && last.is_some() {
                        // Back online: the team sync need not wait for its next try.
                        self.nudge_sync();
                    }
                    last = Some(c.online);
                    self.emit(CoreEvent::ConnectivityChanged {
                        online: c.online,
                        checked_at: c.checked_at,
                    });
                }
                // Back online (or still online with work waiting): run the offline queue.
                if c.online {
                    if let Err(e) = self.run_ai_queue_if_pending().await {
                        tracing::info!(error = %e, "offline queue not run");
                    }
                }
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Runs blocking work (SQLite, file parsing, keyring) on the blocking pool.
async fn blocking<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Task(e.to_string()))?
}

fn stage_label(stage: DealStage) -> &'static str {
    match stage {
        DealStage::Discovery => "Discovery",
        DealStage::Qualification => "Qualification",
        DealStage::Proposal => "Proposal",
        DealStage::Negotiation => "Negotiation",
        DealStage::ClosedWon => "Closed won",
        DealStage::ClosedLost => "Closed lost",
    }
}

/// Writes the deterministic demo workspace into an open transaction.
fn seed_demo(tx: &rusqlite::Transaction, now: Millis) -> closer_store::Result<()> {
    let demo = closer_demo::generate(closer_demo::DEFAULT_SEED, now);
    for card in &demo.battle_cards {
        battle_cards::insert(tx, card)?;
    }
    for item in &demo.content {
        content::insert(tx, item)?;
    }
    for lead in &demo.leads {
        leads::insert(tx, lead)?;
    }
    for deal in &demo.deals {
        deals::insert(tx, deal)?;
    }
    for activity in &demo.activities {
        activities::insert(tx, activity)?;
    }
    team::backfill_demo_history(tx, &demo.deals, &demo.activities, now)?;
    for proposal in &demo.proposals {
        proposals::insert(tx, proposal)?;
    }
    for call in &demo.calls {
        calls::insert(tx, call)?;
    }
    Ok(())
}
