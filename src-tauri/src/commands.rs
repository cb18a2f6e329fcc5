//! Tauri commands: each converts its input, calls the core, maps the error.

use std::path::PathBuf;

use closer_core::Closer;
use closer_types::*;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::error::CmdResult;

type Core<'a> = State<'a, Closer>;

#[tauri::command]
#[specta::specta]
pub async fn workspace_stats(core: Core<'_>) -> CmdResult<WorkspaceStats> {
    Ok(core.workspace_stats().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reset_demo(core: Core<'_>) -> CmdResult<WorkspaceStats> {
    Ok(core.reset_demo().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_leads(core: Core<'_>, query: LeadQuery) -> CmdResult<Page<LeadSummary>> {
    Ok(core.list_leads(query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_lead(core: Core<'_>, id: Id) -> CmdResult<Lead> {
    Ok(core.get_lead(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_lead(core: Core<'_>, draft: LeadDraft) -> CmdResult<Lead> {
    Ok(core.create_lead(draft).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_lead(core: Core<'_>, id: Id, draft: LeadDraft) -> CmdResult<Lead> {
    Ok(core.update_lead(id, draft).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_lead(core: Core<'_>, id: Id) -> CmdResult<()> {
    Ok(core.delete_lead(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_deals(core: Core<'_>, query: DealQuery) -> CmdResult<Page<DealSummary>> {
    Ok(core.list_deals(query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_deal(core: Core<'_>, id: Id) -> CmdResult<DealDetail> {
    Ok(core.get_deal(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_deal(core: Core<'_>, draft: DealDraft) -> CmdResult<Deal> {
    Ok(core.create_deal(draft).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_deal(core: Core<'_>, id: Id, draft: DealDraft) -> CmdResult<Deal> {
    Ok(core.update_deal(id, draft).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_activity(core: Core<'_>, activity: NewActivity) -> CmdResult<Activity> {
    Ok(core.add_activity(activity).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_battle_cards(core: Core<'_>) -> CmdResult<Vec<BattleCardSummary>> {
    Ok(core.list_battle_cards().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_battle_card(core: Core<'_>, id: Id) -> CmdResult<BattleCard> {
    Ok(core.get_battle_card(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_battle_card(
    core: Core<'_>,
    id: Option<Id>,
    draft: BattleCardDraft,
) -> CmdResult<BattleCard> {
    Ok(core.save_battle_card(id, draft).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_content(core: Core<'_>, query: ContentQuery) -> CmdResult<Page<ContentSummary>> {
    Ok(core.list_content(query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_content(core: Core<'_>, id: Id) -> CmdResult<ContentItem> {
    Ok(core.get_content(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_proposals(core: Core<'_>) -> CmdResult<Vec<ProposalSummary>> {
    Ok(core.list_proposals().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_proposal(core: Core<'_>, id: Id) -> CmdResult<Proposal> {
    Ok(core.get_proposal(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_proposal(core: Core<'_>, proposal: NewProposal) -> CmdResult<Proposal> {
    Ok(core.create_proposal(proposal).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_proposal(core: Core<'_>, id: Id, edit: ProposalEdit) -> CmdResult<ProposalSaved> {
    Ok(core.save_proposal(id, edit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_proposal_status(
    core: Core<'_>,
    id: Id,
    status: ProposalStatus,
) -> CmdResult<Proposal> {
    Ok(core.set_proposal_status(id, status).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn snapshot_proposal(core: Core<'_>, id: Id) -> CmdResult<ProposalVersion> {
    Ok(core.snapshot_proposal(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_proposal_versions(core: Core<'_>, id: Id) -> CmdResult<Vec<ProposalVersion>> {
    Ok(core.proposal_versions(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_calls(core: Core<'_>) -> CmdResult<Vec<CallSummary>> {
    Ok(core.list_calls().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_call(core: Core<'_>, id: Id) -> CmdResult<Call> {
    Ok(core.get_call(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn search(
    core: Core<'_>,
    query: String,
    limit: u32,
    deal_id: Option<String>,
) -> CmdResult<SearchResults> {
    Ok(core.search(query, limit, deal_id).await?)
}

/// Claude's second look at the content results: judged, annotated, best first.
#[tauri::command]
#[specta::specta]
pub async fn rerank_search(
    core: Core<'_>,
    query: String,
    deal_id: Option<String>,
) -> CmdResult<RerankedResults> {
    Ok(core.rerank_search(query, deal_id).await?)
}

/// The content audit: stale, duplicated, missing, top and under-performing content.
#[tauri::command]
#[specta::specta]
pub async fn content_audit(core: Core<'_>) -> CmdResult<ContentAudit> {
    Ok(core.content_audit().await?)
}

/// Claude's recommendations for the current content audit (`null`: nothing to act on).
#[tauri::command]
#[specta::specta]
pub async fn content_audit_advice(core: Core<'_>) -> CmdResult<Option<AuditAdvice>> {
    Ok(core.content_audit_advice().await?)
}

/// The microphones and other inputs of this machine (monitors of the speakers last).
#[tauri::command]
#[specta::specta]
pub async fn audio_inputs(core: Core<'_>) -> CmdResult<Vec<AudioInput>> {
    Ok(core.audio_inputs().await?)
}

/// Starts the level meter on an input (`null`: the default); readings arrive as
/// `AudioLevelChanged`. Returns the input's name.
#[tauri::command]
#[specta::specta]
pub async fn start_level_meter(core: Core<'_>, device: Option<String>) -> CmdResult<String> {
    Ok(core.start_level_meter(device).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn stop_level_meter(core: Core<'_>) -> CmdResult<()> {
    core.stop_level_meter().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn library_overview(core: Core<'_>) -> CmdResult<LibraryOverview> {
    Ok(core.library_overview().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_library_folders(
    core: Core<'_>,
    folders: Vec<String>,
) -> CmdResult<LibraryOverview> {
    Ok(core.set_library_folders(folders).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn rescan_library(core: Core<'_>) -> CmdResult<LibraryOverview> {
    Ok(core.rescan_library().await?)
}

/// Opens a content item's file in the application the OS uses for it.
#[tauri::command]
#[specta::specta]
pub async fn open_content_file(core: Core<'_>, id: String) -> CmdResult<()> {
    let path = core.content_source_file(id).await?;
    crate::open::with_default_app(&path).map_err(|e| {
        crate::error::CommandError::invalid(format!("{} could not be opened: {e}", path.display()))
    })
}

/// Opens the OS folder picker; `None` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_folder(app: tauri::AppHandle) -> CmdResult<Option<String>> {
    let picked = tokio::task::spawn_blocking(move || app.dialog().file().blocking_pick_folder())
        .await
        .ok()
        .flatten();
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// Opens the OS file picker for a CSV export; `None` when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn pick_csv_file(app: tauri::AppHandle) -> CmdResult<Option<String>> {
    let picked = tokio::task::spawn_blocking(move || {
        app.dialog()
            .file()
            .add_filter("CSV export", &["csv", "txt"])
            .blocking_pick_file()
    })
    .await
    .ok()
    .flatten();
    Ok(picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}

#[tauri::command]
#[specta::specta]
pub async fn preview_lead_import(core: Core<'_>, path: String) -> CmdResult<ImportPreview> {
    Ok(core.preview_lead_import(PathBuf::from(path)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn import_leads(core: Core<'_>, path: String) -> CmdResult<ImportReport> {
    Ok(core.import_leads(PathBuf::from(path)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_settings(core: Core<'_>) -> CmdResult<Settings> {
    Ok(core.settings().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings(core: Core<'_>, settings: Settings) -> CmdResult<Settings> {
    Ok(core.save_settings(settings).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn api_key_status(core: Core<'_>) -> CmdResult<SecretStatus> {
    Ok(core.api_key_status().await?)
}

/// The key goes to the OS keyring; only "set / not set" comes back.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key(core: Core<'_>, key: String) -> CmdResult<SecretStatus> {
    Ok(core.set_api_key(key).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn clear_api_key(core: Core<'_>) -> CmdResult<SecretStatus> {
    Ok(core.clear_api_key().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn connectivity(core: Core<'_>) -> CmdResult<Connectivity> {
    Ok(core.connectivity().await?)
}

/// The UI calls this once its first screen is painted (cold-start benchmark mark).
#[tauri::command]
#[specta::specta]
pub fn app_ready() {
    crate::ready::mark("closer");
}

// ---- AI ------------------------------------------------------------------------

/// Streams a proposal into the editor through `on_text`; the reply is the saved proposal.
#[tauri::command]
#[specta::specta]
pub async fn generate_proposal(
    core: Core<'_>,
    deal_id: Id,
    proposal_id: Option<Id>,
    stream_id: String,
    on_text: tauri::ipc::Channel<String>,
) -> CmdResult<ProposalGenerated> {
    let mut send = |t: &str| {
        // A closed window is not an error for the generation: the text is saved anyway.
        let _ = on_text.send(t.to_string());
    };
    Ok(core
        .generate_proposal(deal_id, proposal_id, stream_id, &mut send)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub fn cancel_generation(core: Core<'_>, stream_id: String) -> bool {
    core.cancel_stream(&stream_id)
}

/// Asks where to save, then exports; `None` when the rep cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_proposal(
    app: tauri::AppHandle,
    core: Core<'_>,
    id: Id,
    suggested_name: String,
) -> CmdResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(&suggested_name)
        .add_filter("PDF", &["pdf"])
        .add_filter("Word", &["docx"])
        .add_filter("Markdown", &["md"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let path = path.into_path().map_err(|e| {
        crate::error::CommandError::invalid(format!("That location cannot be used: {e}"))
    })?;
    core.export_proposal(id, path.clone()).await?;
    Ok(Some(path.display().to_string()))
}

/// Exports to a path given by the caller (tests, drag-out).
#[tauri::command]
#[specta::specta]
pub async fn export_proposal_to(core: Core<'_>, id: Id, path: String) -> CmdResult<()> {
    Ok(core.export_proposal(id, PathBuf::from(path)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn score_leads(core: Core<'_>, ids: Vec<Id>) -> CmdResult<LeadScoringReport> {
    Ok(core.score_leads(ids).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn deal_insights(core: Core<'_>, deal_id: Id) -> CmdResult<DealInsights> {
    Ok(core.deal_insights(deal_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn analyze_deal(core: Core<'_>, deal_id: Id) -> CmdResult<DealInsights> {
    Ok(core.analyze_deal(deal_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn analyze_call(core: Core<'_>, call_id: Id) -> CmdResult<CallAnalysisOutcome> {
    Ok(core.analyze_call(call_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn refresh_battle_card(
    core: Core<'_>,
    card_id: Id,
) -> CmdResult<Vec<BattleCardSuggestion>> {
    Ok(core.refresh_battle_card(card_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn battle_card_suggestions(
    core: Core<'_>,
    card_id: Option<Id>,
) -> CmdResult<Vec<BattleCardSuggestion>> {
    Ok(core.battle_card_suggestions(card_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn decide_suggestion(core: Core<'_>, id: Id, accept: bool) -> CmdResult<BattleCard> {
    Ok(core.decide_suggestion(id, accept).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ai_usage(core: Core<'_>) -> CmdResult<UsageReport> {
    Ok(core.ai_usage().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ai_settings(core: Core<'_>) -> CmdResult<AiSettings> {
    Ok(core.ai_settings().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn save_ai_settings(core: Core<'_>, input: AiSettingsInput) -> CmdResult<AiSettings> {
    Ok(core.save_ai_settings(input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn run_ai_queue(core: Core<'_>) -> CmdResult<AiJobsDone> {
    Ok(core.run_ai_queue().await?)
}

// ---- live calls ------------------------------------------------------------------

#[tauri::command]
#[specta::specta]
pub async fn call_precheck(core: Core<'_>, target: CallTarget) -> CmdResult<DncCheck> {
    Ok(core.call_precheck(target).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn start_call(
    core: Core<'_>,
    target: CallTarget,
    consent_confirmed: bool,
) -> CmdResult<LiveCallStarted> {
    Ok(core.start_call(target, consent_confirmed).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn stop_call(core: Core<'_>) -> CmdResult<Call> {
    Ok(core.stop_call().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn live_call_id(core: Core<'_>) -> CmdResult<Option<Id>> {
    Ok(core.live_call_id())
}

#[tauri::command]
#[specta::specta]
pub async fn mark_call_moment(core: Core<'_>, note: Option<String>) -> CmdResult<u32> {
    Ok(core.mark_call_moment(note).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_call_moment_action(
    core: Core<'_>,
    moment_id: u32,
    action: MomentAction,
) -> CmdResult<()> {
    Ok(core.set_call_moment_action(moment_id, action).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn call_review(core: Core<'_>, id: Id) -> CmdResult<CallReview> {
    Ok(core.call_review(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn dnc_list(core: Core<'_>) -> CmdResult<Vec<DncEntry>> {
    Ok(core.dnc_list().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn dnc_add(core: Core<'_>, phone: String, reason: String) -> CmdResult<DncEntry> {
    Ok(core.dnc_add(phone, reason).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn dnc_remove(core: Core<'_>, phone: String) -> CmdResult<bool> {
    Ok(core.dnc_remove(phone).await?)
}

// ---- team sync and the manager view ----------------------------------------------

#[tauri::command]
#[specta::specta]
pub async fn sync_status(core: Core<'_>) -> CmdResult<SyncStatus> {
    Ok(core.sync_status().await?)
}

/// The password is used for this one request and kept nowhere.
#[tauri::command]
#[specta::specta]
pub async fn sync_sign_in(core: Core<'_>, input: SyncSignIn) -> CmdResult<SyncStatus> {
    Ok(core.sync_sign_in(input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_sign_out(core: Core<'_>) -> CmdResult<SyncStatus> {
    Ok(core.sync_sign_out().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_now(core: Core<'_>) -> CmdResult<SyncStatus> {
    Ok(core.sync_now().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_conflicts(core: Core<'_>) -> CmdResult<Vec<SyncConflict>> {
    Ok(core.sync_conflicts().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn resolve_sync_conflict(
    core: Core<'_>,
    resolution: ConflictResolution,
) -> CmdResult<Vec<SyncConflict>> {
    Ok(core
        .resolve_sync_conflict(resolution.id, resolution.choice)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn team_overview(core: Core<'_>, days: u32) -> CmdResult<TeamOverview> {
    Ok(core.team_overview(days).await?)
}
