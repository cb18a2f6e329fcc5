//! The AI use cases: gather a context from the store, ask `closer-ai` (which goes through
//! `closer-gateway`), save what comes back, and fall back to what works offline.
//!
//! Rules kept here:
//! - a proposal always gets a complete text: Claude's, or the local draft at once when
//!   Claude cannot be reached (its polish then waits in the offline queue);
//! - every deal always has a health score (the local one), Claude's analysis beside it;
//! - queued work is applied to the workspace when it completes, then acknowledged, so a
//!   crash between the two applies it again rather than losing it;
//! - nothing here ever sees the API key: the gateway reads it from the keyring itself.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use closer_ai::{Ai, AiError, CallContext, DealContext, ProposalContext, QueuedResult};
use closer_gateway::{Gateway, GatewayConfig, GatewayError, KeySource};
use closer_secrets::{SecretKey, SecretStore};
use closer_store::{activities, ai_results, battle_cards, calls, content, deals, leads, proposals};
use closer_types::*;
use tokio_util::sync::CancellationToken;

use crate::{blocking, Closer, CoreError, CoreEvent, Result};

/// The default Claude endpoint.
pub const ANTHROPIC_API: &str = "https://api.anthropic.com";
/// The key stored for the local fake in demo mode (the fake accepts any `sk-ant-` key).
const DEMO_KEY: &str = "sk-ant-demo-local-fake-api";
/// How many content items a Claude request sees; the offline draft sees more.
const CONTENT_FOR_CLAUDE: u32 = 20;
const CONTENT_FOR_DRAFT: u32 = 400;

/// The gateway reads the key from the OS keyring when it first needs it and again after
/// `Core::set_api_key`/`clear_api_key` (which call `Gateway::forget_api_key`) or a 401, so a
/// key saved in Settings is used at once; the copy lives only in the gateway's memory.
struct KeyringKey(Option<SecretStore>);

impl KeySource for KeyringKey {
    fn api_key(&self) -> Option<String> {
        let store = self.0.as_ref()?;
        match store.get(SecretKey::ClaudeApiKey) {
            Ok(secret) => secret.map(|s| s.expose().to_string()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the Claude API key");
                None
            }
        }
    }
}

pub(crate) struct AiRuntime {
    pub gateway: Arc<Gateway>,
    pub ai: Ai,
    pub base_url: String,
    streams: Mutex<HashMap<String, CancellationToken>>,
    rescore_pending: Mutex<HashSet<Id>>,
    online: AtomicBool,
    draining: tokio::sync::Mutex<()>,
}

/// True when `url` points at this machine (our fake in demo mode or tests).
pub(crate) fn is_loopback(url: &str) -> bool {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// `host:port` of a base URL, to probe connectivity against.
pub(crate) fn probe_target(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    if authority.is_empty() {
        return None;
    }
    if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        return Some(authority.to_string());
    }
    Some(format!(
        "{authority}:{}",
        if scheme == "http" { 80 } else { 443 }
    ))
}

impl AiRuntime {
    pub(crate) fn open(
        data_dir: &std::path::Path,
        base_url: &str,
        secrets: Option<SecretStore>,
    ) -> std::result::Result<AiRuntime, GatewayError> {
        if is_loopback(base_url) {
            if let Some(store) = &secrets {
                if matches!(store.is_set(SecretKey::ClaudeApiKey), Ok(false)) {
                    tracing::info!("demo mode: storing the local fake's key in the keyring");
                    if let Err(e) = store.set(SecretKey::ClaudeApiKey, DEMO_KEY) {
                        tracing::warn!(error = %e, "could not store the demo key");
                    }
                }
            }
        }
        let config = GatewayConfig::new(data_dir.join("ai.sqlite3"), base_url);
        let gateway = Arc::new(Gateway::open(config, Arc::new(KeyringKey(secrets)))?);
        Ok(AiRuntime {
            ai: Ai::new((*gateway).clone()),
            gateway,
            base_url: base_url.to_string(),
            streams: Mutex::new(HashMap::new()),
            rescore_pending: Mutex::new(HashSet::new()),
            online: AtomicBool::new(true),
            draining: tokio::sync::Mutex::new(()),
        })
    }
}

/// Where an unusable AI answer leaves the rep, in a sentence.
fn notice_of(e: &AiError) -> String {
    match e {
        AiError::Gateway(GatewayError::Queued { .. }) => {
            "Claude cannot be reached; this will run when you are back online.".into()
        }
        other => other.to_string(),
    }
}

impl Closer {
    pub(crate) fn ai(&self) -> Result<&AiRuntime> {
        self.inner.ai.as_ref().ok_or_else(|| {
            CoreError::AiUnavailable(
                self.inner
                    .ai_problem
                    .clone()
                    .unwrap_or_else(|| "the AI gateway could not start".into()),
            )
        })
    }

    /// Called by the connectivity watcher.
    pub(crate) fn set_online(&self, online: bool) {
        if let Some(ai) = &self.inner.ai {
            ai.online.store(online, Ordering::Relaxed);
        }
    }

    fn known_offline(&self) -> bool {
        self.inner
            .ai
            .as_ref()
            .is_some_and(|ai| !ai.online.load(Ordering::Relaxed))
    }

    // ---- proposals ---------------------------------------------------------------

    async fn proposal_context(&self, deal_id: Id, content_limit: u32) -> Result<ProposalContext> {
        self.read(move |c| {
            let detail = deals::detail(c, &deal_id)?;
            let mut cards = Vec::new();
            for name in &detail.deal.competitors {
                if let Some(card) = battle_cards::get_by_competitor(c, name)? {
                    cards.push(card);
                }
            }
            let industry = detail.lead.as_ref().and_then(|l| l.industry.clone());
            let items = content::for_context(c, industry.as_deref(), content_limit)?;
            let mut ctx = ProposalContext::new();
            ctx.deal = Some(detail.deal);
            ctx.lead = detail.lead;
            ctx.activities = detail.timeline;
            ctx.battle_cards = cards;
            ctx.content = items;
            Ok(ctx)
        })
        .await
    }

    /// Writes a proposal for `deal_id` (into `proposal_id`, or a new proposal), streaming
    /// Claude's text to `on_text` as it arrives. When Claude cannot be reached the local
    /// draft is saved at once and its polish queued. `stream_id` lets [`Closer::cancel_stream`]
    /// stop it; what arrived before a cancel is kept.
    pub async fn generate_proposal(
        &self,
        deal_id: Id,
        proposal_id: Option<Id>,
        stream_id: String,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ProposalGenerated> {
        let ai = self.ai()?;
        let mut ctx = self
            .proposal_context(deal_id.clone(), CONTENT_FOR_CLAUDE)
            .await?;
        let proposal = match proposal_id {
            Some(id) => self.get_proposal(id).await?,
            None => {
                let title = match (&ctx.lead, &ctx.deal) {
                    (Some(l), _) => format!("Proposal for {}", l.company),
                    (None, Some(d)) => format!("Proposal: {}", d.name),
                    _ => "Proposal".to_string(),
                };
                self.create_proposal(NewProposal {
                    deal_id: Some(deal_id.clone()),
                    lead_id: ctx.lead.as_ref().map(|l| l.id.clone()),
                    title,
                    body: String::new(),
                })
                .await?
            }
        };
        ctx.proposal_id = Some(proposal.id.clone());

        let token = CancellationToken::new();
        if let Ok(mut s) = ai.streams.lock() {
            s.insert(stream_id.clone(), token.clone());
        }
        let mut received = String::new();
        let result = if self.known_offline() {
            Err(AiError::Gateway(GatewayError::Unavailable {
                reason: "you are offline".into(),
            }))
        } else {
            let mut forward = |t: &str| {
                received.push_str(t);
                on_text(t);
            };
            ai.ai.stream_proposal(&ctx, &mut forward, &token).await
        };
        if let Ok(mut s) = ai.streams.lock() {
            s.remove(&stream_id);
        }

        let (body, source, notice) = match result {
            Ok(text) => (text, ProposalSource::Claude, None),
            Err(AiError::Gateway(GatewayError::Cancelled)) => {
                (received, ProposalSource::Cancelled, None)
            }
            Err(e) => {
                tracing::info!(error = %e, "proposal drafted offline");
                // The draft may use the whole library, not only Claude's excerpt.
                let full = self.proposal_context(deal_id, CONTENT_FOR_DRAFT).await?;
                ctx.content = full.content;
                (
                    closer_ai::draft_proposal(&ctx),
                    ProposalSource::OfflineDraft,
                    Some(e),
                )
            }
        };
        let saved = self.save_generated(&proposal, body.clone()).await?;
        let mut polish_queued = false;
        let mut note = notice.as_ref().map(notice_of);
        if source == ProposalSource::OfflineDraft {
            match ai.ai.polish_proposal(&ctx, &body).await {
                Err(AiError::Gateway(GatewayError::Queued { .. })) => {
                    polish_queued = true;
                    note = Some(
                        "Drafted offline from your content library. An AI polish is queued and will run when Claude can be reached."
                            .into(),
                    );
                }
                Ok(polished) => {
                    // Claude came back in between: use the polish right away.
                    let saved = self.save_generated(&saved, polished).await?;
                    return Ok(ProposalGenerated {
                        proposal: saved,
                        source: ProposalSource::Claude,
                        polish_queued: false,
                        cost_usd: 0.0,
                        notice: None,
                    });
                }
                Err(e) => {
                    note = Some(format!(
                        "Drafted offline from your content library. {}",
                        notice_of(&e)
                    ));
                }
            }
        }
        Ok(ProposalGenerated {
            proposal: saved,
            source,
            polish_queued,
            cost_usd: 0.0,
            notice: note,
        })
    }

    async fn save_generated(&self, p: &Proposal, body: String) -> Result<Proposal> {
        let edit = ProposalEdit {
            title: p.title.clone(),
            body,
        };
        let id = p.id.clone();
        self.write(move |tx| {
            proposals::snapshot(tx, &id, now_millis())?;
            proposals::save_edit(tx, &id, &edit, now_millis())?;
            proposals::get(tx, &id)
        })
        .await
    }

    /// Stops a running generation; false when there was none with that id.
    pub fn cancel_stream(&self, stream_id: &str) -> bool {
        let Some(ai) = &self.inner.ai else {
            return false;
        };
        let token = ai
            .streams
            .lock()
            .ok()
            .and_then(|s| s.get(stream_id).cloned());
        match token {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Writes the proposal to `path` as Markdown, Word or PDF (by its extension).
    pub async fn export_proposal(&self, id: Id, path: PathBuf) -> Result<()> {
        let p = self.get_proposal(id).await?;
        let author = self.settings().await?.user_name;
        let meta = closer_export::ExportMeta {
            title: p.title.clone(),
            author,
            company: "Lumora".into(),
            date: closer_types::iso_day(now_millis()),
        };
        blocking(move || closer_export::export_to(&path, &p.body, &meta).map_err(CoreError::from))
            .await
    }

    // ---- leads -------------------------------------------------------------------

    /// Scores `ids` with Claude in batches of ten and saves the scores.
    pub async fn score_leads(&self, ids: Vec<Id>) -> Result<LeadScoringReport> {
        let ai = self.ai()?;
        let leads = self
            .read(move |c| {
                let mut out = Vec::new();
                for id in &ids {
                    if let Some(l) = leads::find(c, id)? {
                        out.push(l);
                    }
                }
                Ok(out)
            })
            .await?;
        let run = ai.ai.score_leads_batched(&leads).await;
        let scored = run.scores.len() as u32;
        let scores = run.scores;
        if !scores.is_empty() {
            self.write(move |tx| {
                for (id, score) in &scores {
                    // A lead deleted meanwhile is simply skipped.
                    match leads::set_score(tx, id, score, now_millis()) {
                        Ok(()) | Err(closer_store::StoreError::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            })
            .await?;
            self.emit(CoreEvent::WorkspaceChanged {
                reason: "lead scores".into(),
            });
        }
        let queued: u32 = run.queued.iter().map(|b| b.lead_ids.len() as u32).sum();
        let failed: u32 = run
            .failed
            .iter()
            .map(|(ids, _)| ids.len() as u32)
            .sum::<u32>()
            + run.not_attempted.len() as u32;
        let notice = run.failed.first().map(|(_, e)| notice_of(e)).or_else(|| {
            (queued > 0)
                .then(|| format!("{queued} lead(s) will be scored when Claude can be reached."))
        });
        Ok(LeadScoringReport {
            scored,
            queued,
            failed,
            notice,
        })
    }

    /// After a lead changes, score it again in the background (debounced per lead).
    pub(crate) fn rescore_soon(&self, id: Id) {
        let Some(ai) = &self.inner.ai else { return };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if let Ok(mut p) = ai.rescore_pending.lock() {
            if !p.insert(id.clone()) {
                return;
            }
        }
        let me = self.clone();
        handle.spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(800)).await;
            if let Some(ai) = &me.inner.ai {
                if let Ok(mut p) = ai.rescore_pending.lock() {
                    p.remove(&id);
                }
            }
            if let Err(e) = me.score_leads(vec![id]).await {
                tracing::info!(error = %e, "re-scoring a changed lead did not run");
            }
        });
    }

    // ---- deals -------------------------------------------------------------------

    /// The local health score, always, and Claude's last analysis if there is one.
    pub async fn deal_insights(&self, deal_id: Id) -> Result<DealInsights> {
        let id = deal_id.clone();
        let insights = self
            .read(move |c| {
                let deal = deals::get(c, &deal_id)?;
                let timeline = activities::for_deal(c, &deal_id)?;
                let analysis = ai_results::deal_analysis(c, &deal_id)?;
                let mut local = closer_ai::local_health(&deal, &timeline, now_millis());
                // The last analysed call of the deal moves the score too.
                for summary in calls::for_deal(c, &deal_id)? {
                    if summary.sentiment.is_none() {
                        continue;
                    }
                    if let Some(a) = calls::get(c, &summary.id)?.analysis {
                        local = closer_ai::with_last_call(local, &a);
                    }
                    break;
                }
                Ok(DealInsights { local, analysis })
            })
            .await?;
        // The health just computed goes into the manager view's trend.
        let (score, source) = match &insights.analysis {
            Some(a) => (a.deal_health_score, HealthSource::Ai),
            None => (insights.local.score, HealthSource::Local),
        };
        self.record_deal_health(id, score, source).await;
        Ok(insights)
    }

    /// Asks Claude for a full analysis of the deal and keeps it.
    pub async fn analyze_deal(&self, deal_id: Id) -> Result<DealInsights> {
        let ai = self.ai()?;
        let id = deal_id.clone();
        let ctx = self
            .read(move |c| {
                let detail = deals::detail(c, &id)?;
                let mut ctx = DealContext::new(detail.deal.clone());
                for name in &detail.deal.competitors {
                    if let Some(card) = battle_cards::get_by_competitor(c, name)? {
                        ctx.battle_cards.push(card);
                    }
                }
                for call in &detail.calls {
                    ctx.calls.push(calls::get(c, &call.id)?);
                }
                let industry = detail.lead.as_ref().and_then(|l| l.industry.clone());
                ctx.content = content::for_context(c, industry.as_deref(), CONTENT_FOR_CLAUDE)?;
                ctx.lead = detail.lead;
                ctx.activities = detail.timeline;
                Ok(ctx)
            })
            .await?;
        let analysis = ai.ai.analyze_deal(&ctx).await?;
        let (id, a) = (deal_id.clone(), analysis.clone());
        self.write(move |tx| ai_results::save_deal_analysis(tx, &id, &a, &a.model, a.analyzed_at))
            .await?;
        self.deal_insights(deal_id).await
    }

    // ---- calls -------------------------------------------------------------------

    /// Summary, sentiment, topics, objections and next actions of a recorded call.
    pub async fn analyze_call(&self, call_id: Id) -> Result<CallAnalysisOutcome> {
        let ai = self.ai()?;
        let id = call_id.clone();
        let ctx = self
            .read(move |c| {
                let call = calls::get(c, &id)?;
                let deal = match &call.deal_id {
                    Some(d) => deals::find(c, d)?,
                    None => None,
                };
                let lead = match &call.lead_id {
                    Some(l) => leads::find(c, l)?,
                    None => None,
                };
                let mut ctx = CallContext::new(call);
                if let Some(d) = &deal {
                    for name in &d.competitors {
                        if let Some(card) = battle_cards::get_by_competitor(c, name)? {
                            ctx.battle_cards.push(card);
                        }
                    }
                }
                ctx.deal = deal;
                ctx.lead = lead;
                Ok(ctx)
            })
            .await?;
        match ai.ai.analyze_call(&ctx).await {
            Ok(analysis) => {
                let a = analysis.clone();
                self.write(move |tx| {
                    crate::calls_live::save_call_analysis(tx, &call_id, &a, now_millis())
                })
                .await?;
                Ok(CallAnalysisOutcome {
                    analysis: Some(analysis),
                    queued: false,
                    notice: None,
                })
            }
            Err(e @ AiError::Gateway(GatewayError::Queued { .. })) => Ok(CallAnalysisOutcome {
                analysis: None,
                queued: true,
                notice: Some(notice_of(&e)),
            }),
            Err(e) => Err(e.into()),
        }
    }

    // ---- battle cards ------------------------------------------------------------

    /// Suggested updates to a card from recent notes and calls of deals against its
    /// competitor; kept as pending until a manager decides.
    pub async fn refresh_battle_card(&self, card_id: Id) -> Result<Vec<BattleCardSuggestion>> {
        let ai = self.ai()?;
        let id = card_id.clone();
        let (card, notes, recent_calls) = self
            .read(move |c| {
                let card = battle_cards::get(c, &id)?;
                let page = deals::list(
                    c,
                    &DealQuery {
                        text: None,
                        stage: None,
                        open_only: false,
                        offset: 0,
                        limit: 500,
                    },
                )?;
                let mut notes = Vec::new();
                let mut found_calls = Vec::new();
                for d in page.items {
                    let deal = deals::get(c, &d.id)?;
                    if !deal
                        .competitors
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(&card.competitor))
                    {
                        continue;
                    }
                    notes.extend(activities::for_deal(c, &deal.id)?);
                    for s in calls::for_deal(c, &deal.id)? {
                        found_calls.push(calls::get(c, &s.id)?);
                    }
                }
                notes.sort_by_key(|n| std::cmp::Reverse(n.at));
                notes.truncate(40);
                found_calls.sort_by_key(|c| std::cmp::Reverse(c.started_at));
                found_calls.truncate(5);
                Ok((card, notes, found_calls))
            })
            .await?;
        let suggestions = ai
            .ai
            .suggest_battle_card_updates(&card, &notes, &recent_calls)
            .await?;
        let list = suggestions.clone();
        self.write(move |tx| {
            for s in &list {
                ai_results::add_suggestion(tx, &s.id, &s.card_id, s, s.created_at)?;
            }
            Ok(())
        })
        .await?;
        Ok(suggestions)
    }

    /// Pending suggestions of one card, or of all cards.
    pub async fn battle_card_suggestions(
        &self,
        card_id: Option<Id>,
    ) -> Result<Vec<BattleCardSuggestion>> {
        self.read(move |c| ai_results::suggestions(c, card_id.as_deref(), "pending"))
            .await
    }

    /// A manager's decision: an accepted suggestion is applied to the card.
    pub async fn decide_suggestion(&self, id: Id, accept: bool) -> Result<BattleCard> {
        let by = self.settings().await?.user_name;
        self.write(move |tx| {
            let (mut s, card_id, _status): (BattleCardSuggestion, String, String) =
                ai_results::suggestion(tx, &id)?;
            let card = battle_cards::get(tx, &card_id)?;
            if accept {
                let mut draft = closer_ai::apply_suggestion(&card, &s).map_err(|e| {
                    closer_store::StoreError::Invalid(vec![FieldError::new(
                        "suggestion",
                        e.to_string(),
                    )])
                })?;
                draft.updated_by = Some(by.clone());
                battle_cards::save(tx, Some(&card_id), &draft, now_millis())?;
                s.status = SuggestionStatus::Accepted;
            } else {
                s.status = SuggestionStatus::Rejected;
            }
            ai_results::decide_suggestion(tx, &id, s.status.as_str(), &s, &by, now_millis())?;
            battle_cards::get(tx, &card_id)
        })
        .await
    }

    // ---- usage, settings, queue -------------------------------------------------

    /// The last 30 days of AI use.
    pub async fn ai_usage(&self) -> Result<UsageReport> {
        let gw = self.ai()?.gateway.clone();
        let since = now_millis() - 30 * 24 * 3600 * 1000;
        blocking(move || gw.usage(since).map_err(CoreError::from)).await
    }

    pub async fn ai_settings(&self) -> Result<AiSettings> {
        let ai = self.ai()?;
        let gw = ai.gateway.clone();
        let budgets = blocking(move || gw.budgets().map_err(CoreError::from)).await?;
        Ok(AiSettings {
            budgets,
            secondary: ai.gateway.secondary(),
            base_url: ai.base_url.clone(),
            api_key: self.api_key_status().await?,
            demo: is_loopback(&ai.base_url),
        })
    }

    pub async fn save_ai_settings(&self, input: AiSettingsInput) -> Result<AiSettings> {
        let gw = self.ai()?.gateway.clone();
        blocking(move || {
            gw.set_budgets(input.budgets)?;
            gw.set_secondary(input.secondary)?;
            Ok(())
        })
        .await?;
        self.ai_settings().await
    }

    /// Runs queued AI work (when Claude is back), applies what completed and tells the rep.
    pub async fn run_ai_queue(&self) -> Result<AiJobsDone> {
        let ai = self.ai()?;
        let _one_at_a_time = ai.draining.lock().await;
        let run = ai.gateway.run_queue().await?;
        if let Some(why) = &run.stopped {
            tracing::info!(reason = %why, remaining = run.remaining, "offline queue paused");
        }
        self.apply_completed_jobs().await
    }

    /// Applies completed queued jobs (also those a crash left unapplied) and acks them.
    async fn apply_completed_jobs(&self) -> Result<AiJobsDone> {
        let ai = self.ai()?;
        let gw = ai.gateway.clone();
        let jobs = blocking(move || gw.completed_jobs().map_err(CoreError::from)).await?;
        let mut done = AiJobsDone {
            completed: 0,
            failed: 0,
            summary: String::new(),
            polished_proposals: Vec::new(),
        };
        let mut parts: Vec<String> = Vec::new();
        for job in jobs {
            let applied = match &job.response {
                Some(resp) => match closer_ai::apply_queued(&job.kind, &job.payload, &resp.message)
                {
                    Ok(result) => {
                        self.apply_queued_result(result, &mut parts, &mut done)
                            .await
                    }
                    Err(e) => Err(CoreError::from(e)),
                },
                None => Err(CoreError::AiUnavailable(
                    job.error
                        .clone()
                        .unwrap_or_else(|| "Claude refused the request".into()),
                )),
            };
            match applied {
                Ok(()) => done.completed += 1,
                Err(e) => {
                    tracing::warn!(job = job.job_id, kind = %job.kind, error = %e, "queued AI job not applied");
                    done.failed += 1;
                }
            }
            let gw = ai.gateway.clone();
            let id = job.job_id;
            blocking(move || gw.ack_job(id).map_err(CoreError::from)).await?;
        }
        if done.completed + done.failed > 0 {
            done.summary = if parts.is_empty() {
                format!("{} queued AI task(s) could not be applied", done.failed)
            } else {
                parts.join(", ")
            };
            self.emit(CoreEvent::AiJobsDone(done.clone()));
            self.emit(CoreEvent::WorkspaceChanged {
                reason: "queued AI work".into(),
            });
        }
        Ok(done)
    }

    async fn apply_queued_result(
        &self,
        result: QueuedResult,
        parts: &mut Vec<String>,
        done: &mut AiJobsDone,
    ) -> Result<()> {
        match result {
            QueuedResult::LeadScores(scores) => {
                let n = scores.len();
                self.write(move |tx| {
                    for (id, score) in &scores {
                        match leads::set_score(tx, id, score, now_millis()) {
                            Ok(()) | Err(closer_store::StoreError::NotFound { .. }) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(())
                })
                .await?;
                parts.push(format!("scores for {n} lead(s)"));
            }
            QueuedResult::CallAnalysis { call_id, analysis } => {
                self.write(move |tx| {
                    match crate::calls_live::save_call_analysis(
                        tx,
                        &call_id,
                        &analysis,
                        now_millis(),
                    ) {
                        Ok(()) | Err(closer_store::StoreError::NotFound { .. }) => Ok(()),
                        Err(e) => Err(e),
                    }
                })
                .await?;
                parts.push("a call analysis".into());
            }
            QueuedResult::ProposalPolish { proposal_id, body } => {
                let p = self.get_proposal(proposal_id.clone()).await?;
                // The rep's current text stays in the version history.
                self.save_generated(&p, body).await?;
                parts.push(format!("the polish of “{}”", p.title));
                done.polished_proposals.push(proposal_id);
            }
        }
        Ok(())
    }
}

impl Closer {
    /// Runs the offline queue when it holds work (called by the connectivity watcher).
    pub(crate) async fn run_ai_queue_if_pending(&self) -> Result<()> {
        let Some(ai) = &self.inner.ai else {
            return Ok(());
        };
        let gw = ai.gateway.clone();
        let waiting = blocking(move || {
            let pending = gw.queued().map_err(CoreError::from)?.len();
            let unapplied = gw.completed_jobs().map_err(CoreError::from)?.len();
            Ok(pending + unapplied)
        })
        .await?;
        if waiting > 0 {
            self.run_ai_queue().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        assert_eq!(closer_types::iso_day(0), "1970-01-01");
        assert_eq!(closer_types::iso_day(1_793_491_200_000), "2026-11-01");
        assert!(is_loopback("http://127.0.0.1:4010"));
        assert!(!is_loopback("https://api.anthropic.com"));
        assert_eq!(
            probe_target("https://api.anthropic.com").as_deref(),
            Some("api.anthropic.com:443")
        );
        assert_eq!(
            probe_target("http://127.0.0.1:4010/x").as_deref(),
            Some("127.0.0.1:4010")
        );
    }
}
