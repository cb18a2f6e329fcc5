//! [`Ai`]: the features that ask Claude, through the gateway.

use closer_claude::{ContentBlock, InputBlock, InputMessage, Message, Role};
use closer_gateway::{AiRequest, AiResponse, Gateway, GatewayError, ServedFrom};
use closer_types::{
    Activity, AuditAdvice, BattleCard, BattleCardSuggestion, Call, CallAnalysis, ContentAudit,
    DealAnalysis, Id, Lead, LeadScore,
};
use tokio_util::sync::CancellationToken;

use crate::audit_advice::{audit_advice_request, audited_ids, check_advice};
use crate::battle_card::{battle_card_request, check_suggestions};
use crate::call_analysis::{call_analysis_request, check_call_analysis};
use crate::context::{brand_or_default, CallContext, DealContext, ProposalContext};
use crate::deal_analysis::{check_deal_analysis, deal_analysis_request};
use crate::lead_score::{check_lead_scores, lead_score_request, LEAD_BATCH_SIZE};
use crate::proposal::{check_polish, polish_request, proposal_request, unfence};
use crate::rerank::{check_rerank, rerank_request, RerankCandidate, Reranked};
use crate::schema::ToolSchema;
use crate::text::truncate;
use crate::understand::{
    check_understanding, understand_request, QueryUnderstanding, SearchVocabulary,
};
use crate::AiError;

/// Closer's AI features. Cheap to clone (the gateway is shared).
#[derive(Clone)]
pub struct Ai {
    gateway: Gateway,
    brand_guidelines: Option<String>,
}

impl std::fmt::Debug for Ai {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ai").finish_non_exhaustive()
    }
}

/// A lead-score batch that waits in the gateway's offline queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedBatch {
    pub job_id: i64,
    pub lead_ids: Vec<Id>,
}

/// What [`Ai::score_leads_batched`] did with each batch.
#[derive(Debug, Default)]
pub struct LeadScoreRun {
    /// Validated scores, in the order of the leads given.
    pub scores: Vec<(Id, LeadScore)>,
    /// Batches queued for when Claude can be reached ([`crate::apply_queued`] applies them).
    pub queued: Vec<QueuedBatch>,
    /// Batches that failed, with why.
    pub failed: Vec<(Vec<Id>, AiError)>,
    /// Leads not tried because an earlier failure would have failed them too (budget
    /// reached, no API key, rate limited, cancelled ...).
    pub not_attempted: Vec<Id>,
}

impl Ai {
    pub fn new(gateway: Gateway) -> Self {
        Ai {
            gateway,
            brand_guidelines: None,
        }
    }

    /// Brand guidelines for the features without a context of their own (lead scores,
    /// battle-card suggestions); [`crate::DEFAULT_BRAND_GUIDELINES`] otherwise.
    pub fn with_brand_guidelines(mut self, guidelines: impl Into<String>) -> Self {
        self.brand_guidelines = Some(guidelines.into());
        self
    }

    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    fn brand(&self) -> &str {
        brand_or_default(&self.brand_guidelines)
    }

    /// Sends `req`; if `check` rejects the reply, sends one repair request (same feature,
    /// `fresh`, with the previous reply and the errors). Returns the checked value and the
    /// response it came from; a second rejection is [`AiError::InvalidReply`]. A rejected
    /// answer from the response cache is first asked for again, fresh.
    async fn checked<T>(
        &self,
        req: AiRequest,
        tool: Option<ToolSchema>,
        check: impl Fn(&Message) -> Result<T, Vec<String>>,
    ) -> Result<(T, AiResponse), AiError> {
        let mut first = self.gateway.send(req.clone()).await?;
        if first.served_from != ServedFrom::Upstream && check(&first.message).is_err() {
            // A saved answer that does not pass is not the model's last word (the gateway
            // caches every answer, valid or not): ask again past the cache, whose entry the
            // new answer replaces. Only then does the one repair attempt begin.
            tracing::info!(
                feature = req.feature.as_str(),
                ledger_id = first.ledger_id,
                "cached reply invalid; asking again"
            );
            let mut again = req.clone();
            again.fresh = true;
            first = self.gateway.send(again).await?;
        }
        let errors = match check(&first.message) {
            Ok(v) => return Ok((v, first)),
            Err(errors) => errors,
        };
        tracing::warn!(
            feature = req.feature.as_str(),
            ledger_id = first.ledger_id,
            ?errors,
            "invalid reply; sending one repair request"
        );
        let second = self
            .gateway
            .send(repair_request(&req, &first.message, tool, &errors))
            .await?;
        match check(&second.message) {
            Ok(v) => Ok((v, second)),
            Err(errors) => {
                tracing::warn!(
                    feature = req.feature.as_str(),
                    ledger_id = second.ledger_id,
                    ?errors,
                    "repaired reply still invalid; nothing returned"
                );
                Err(AiError::InvalidReply { errors })
            }
        }
    }

    /// Scores `leads` (ten per request, each request queueable). All or nothing: the scores
    /// of every lead, or the first failure (`AiError::Gateway(GatewayError::Queued{..})`
    /// when a batch was queued). Use [`Ai::score_leads_batched`] to keep partial results.
    pub async fn score_leads(&self, leads: &[Lead]) -> Result<Vec<(Id, LeadScore)>, AiError> {
        let run = self.score_leads_batched(leads).await;
        if let Some((_, e)) = run.failed.into_iter().next() {
            return Err(e);
        }
        if let Some(q) = run.queued.first() {
            return Err(AiError::Gateway(GatewayError::Queued { job_id: q.job_id }));
        }
        Ok(run.scores)
    }

    /// Scores `leads` in batches of [`LEAD_BATCH_SIZE`], one request each, in order; reports
    /// per batch. A batch that is queued or invalid does not stop the next ones; a failure
    /// that would fail them all (budget, key, rate limit, cancelled, unavailable) does.
    pub async fn score_leads_batched(&self, leads: &[Lead]) -> LeadScoreRun {
        let mut run = LeadScoreRun::default();
        let mut batches = leads.chunks(LEAD_BATCH_SIZE);
        for batch in batches.by_ref() {
            let ids: Vec<Id> = batch.iter().map(|l| l.id.clone()).collect();
            let req = lead_score_request(batch, self.brand());
            let now = closer_types::now_millis();
            let res = self
                .checked(req, Some(ToolSchema::LeadScores), |m| {
                    check_lead_scores(m, &ids, now)
                })
                .await;
            match res {
                Ok((scores, _)) => run.scores.extend(scores),
                Err(AiError::Gateway(GatewayError::Queued { job_id })) => {
                    run.queued.push(QueuedBatch {
                        job_id,
                        lead_ids: ids,
                    })
                }
                Err(e) => {
                    let go_on = matches!(
                        e,
                        AiError::InvalidReply { .. }
                            | AiError::Gateway(GatewayError::Upstream(_))
                            | AiError::Gateway(GatewayError::InvalidReply(_))
                    );
                    run.failed.push((ids, e));
                    if !go_on {
                        break;
                    }
                }
            }
        }
        run.not_attempted = batches.flatten().map(|l| l.id.clone()).collect();
        run
    }

    /// Claude's judgment of the local search's top `candidates` for `query` (and the open
    /// deal, described in one line): a grade, why it fits and how to use it, one per
    /// candidate in their order, and whether the answer is a stale cached one. Never queued.
    pub async fn rerank(
        &self,
        query: &str,
        deal: Option<&str>,
        candidates: &[RerankCandidate],
    ) -> Result<(Vec<Reranked>, bool), AiError> {
        let req = rerank_request(query, deal, candidates);
        let ids: Vec<&str> = candidates
            .iter()
            .take(crate::RERANK_MAX)
            .map(|c| c.content_id.as_str())
            .collect();
        let (judged, resp) = self
            .checked(req, Some(ToolSchema::SearchRerank), |m| {
                check_rerank(m, &ids)
            })
            .await?;
        Ok((judged, resp.is_stale()))
    }

    /// Claude's reading of a search in the library's terms (`vocab`), and whether the
    /// answer is a stale cached one. Never queued.
    pub async fn understand_query(
        &self,
        query: &str,
        vocab: &SearchVocabulary<'_>,
    ) -> Result<(QueryUnderstanding, bool), AiError> {
        let req = understand_request(query, vocab);
        let (u, resp) = self
            .checked(req, Some(ToolSchema::QueryUnderstanding), |m| {
                check_understanding(m, vocab)
            })
            .await?;
        Ok((u, resp.is_stale()))
    }

    /// Claude's recommendations for `audit`; `None` when the audit found nothing to act on
    /// (no request is made). Never queued.
    pub async fn advise_on_audit(
        &self,
        audit: &ContentAudit,
    ) -> Result<Option<AuditAdvice>, AiError> {
        let Some(req) = audit_advice_request(audit) else {
            return Ok(None);
        };
        let ids = audited_ids(audit);
        let (recommendations, resp) = self
            .checked(req, Some(ToolSchema::AuditRecommendations), |m| {
                check_advice(m, &ids)
            })
            .await?;
        Ok(Some(AuditAdvice {
            recommendations,
            model: resp.model.clone(),
            stale: resp.is_stale(),
        }))
    }

    /// Claude's analysis of a whole deal. Not queueable: a rep asked and is waiting.
    pub async fn analyze_deal(&self, ctx: &DealContext) -> Result<DealAnalysis, AiError> {
        let now = closer_types::now_millis();
        let req = deal_analysis_request(ctx, now);
        let (mut a, resp) = self
            .checked(req, Some(ToolSchema::DealAnalysis), |m| {
                check_deal_analysis(m, ctx)
            })
            .await?;
        a.analyzed_at = now;
        a.model = resp.model.clone();
        a.stale = resp.is_stale();
        Ok(a)
    }

    /// The analysis of a recorded call; queued while offline (kind `call_analysis`).
    pub async fn analyze_call(&self, ctx: &CallContext) -> Result<CallAnalysis, AiError> {
        let req = call_analysis_request(ctx);
        let (a, _) = self
            .checked(req, Some(ToolSchema::CallAnalysis), check_call_analysis)
            .await?;
        Ok(a)
    }

    /// Suggested updates to `card` from `notes` and `calls` that mention its competitor
    /// (the Haiku tier, `Feature::BattleCardRefresh`). Pending, for a manager to decide.
    pub async fn suggest_battle_card_updates(
        &self,
        card: &BattleCard,
        notes: &[Activity],
        calls: &[Call],
    ) -> Result<Vec<BattleCardSuggestion>, AiError> {
        let now = closer_types::now_millis();
        let req = battle_card_request(card, notes, calls, self.brand());
        let (s, _) = self
            .checked(req, Some(ToolSchema::BattleCardSuggestions), |m| {
                check_suggestions(m, card, notes, calls, now)
            })
            .await?;
        Ok(s)
    }

    /// A proposal written by Claude, streamed: `on_text` gets each piece as it arrives, the
    /// whole Markdown is returned at the end. Cancelling `cancel` stops it
    /// (`GatewayError::Cancelled`); what was shown stays the rep's to keep or drop. Not
    /// repaired: a second stream would show the text twice.
    pub async fn stream_proposal(
        &self,
        ctx: &ProposalContext,
        on_text: &mut (dyn FnMut(&str) + Send),
        cancel: &CancellationToken,
    ) -> Result<String, AiError> {
        let req = proposal_request(ctx, closer_types::now_millis());
        let resp = self.gateway.stream(req, on_text, cancel).await?;
        let text = unfence(&resp.message.text()).to_string();
        if text.is_empty() {
            return Err(AiError::InvalidReply {
                errors: vec!["the reply has no text".into()],
            });
        }
        if resp.message.stop_reason == Some(closer_claude::StopReason::MaxTokens) {
            tracing::warn!(
                ledger_id = resp.ledger_id,
                "proposal cut at the token limit"
            );
        }
        Ok(text)
    }

    /// `draft` edited for clarity and the brand's voice, facts kept. Queued while offline
    /// (kind `proposal_polish`) when `ctx.proposal_id` is set.
    pub async fn polish_proposal(
        &self,
        ctx: &ProposalContext,
        draft: &str,
    ) -> Result<String, AiError> {
        let req = polish_request(ctx, draft);
        let (text, _) = self.checked(req, None, |m| check_polish(m, draft)).await?;
        Ok(text)
    }
}

/// The follow-up to an invalid reply: the same request, `fresh`, plus the reply and what is
/// wrong with it. A tool call is answered as a failed tool call (`tool_result` with
/// `is_error`), as the Messages API expects; anything else as text.
pub(crate) fn repair_request(
    original: &AiRequest,
    reply: &Message,
    tool: Option<ToolSchema>,
    errors: &[String],
) -> AiRequest {
    let mut req = original.clone();
    req.fresh = true;
    let list: String = errors.iter().map(|e| format!("- {e}\n")).collect();
    let call = tool.and_then(|t| {
        reply.content.iter().find_map(|b| match b {
            ContentBlock::ToolUse { id, name, input }
                if name == t.tool_name() && input.is_object() =>
            {
                Some((id.clone(), name.clone(), input.clone()))
            }
            _ => None,
        })
    });
    match (call, tool) {
        (Some((id, name, input)), _) => {
            req.messages.push(InputMessage {
                role: Role::Assistant,
                content: vec![InputBlock::ToolUse {
                    id: id.clone(),
                    name: name.clone(),
                    input,
                }],
            });
            req.messages.push(InputMessage::user(vec![
                InputBlock::ToolResult {
                    tool_use_id: id,
                    content: format!("The input is invalid:\n{list}"),
                    is_error: Some(true),
                },
                InputBlock::text(format!(
                    "Call `{name}` again with the complete, corrected input: fix every error listed, keep what was valid."
                )),
            ]));
        }
        (None, t) => {
            let said = reply.text();
            let said = if said.trim().is_empty() {
                "(no text)".to_string()
            } else {
                truncate(&said, 8_000)
            };
            let ask = match t {
                Some(t) => format!(
                    "Call the tool `{}` with a complete, valid input.",
                    t.tool_name()
                ),
                None => "Reply again with the complete text, fixing every problem listed.".into(),
            };
            req.messages.push(InputMessage {
                role: Role::Assistant,
                content: vec![InputBlock::text(said)],
            });
            req.messages.push(InputMessage::user_text(format!(
                "That reply cannot be used:\n{list}\n{ask}"
            )));
        }
    }
    req
}
