//! Proposals by Claude: a streamed first draft, and a polish of the rep's draft.

use closer_claude::{InputMessage, Message, StopReason, TextBlock};
use closer_gateway::{AiRequest, Feature, QueuedJob};
use closer_types::{ContentKind, Millis};

use crate::context::ProposalContext;
use crate::prompt::{cards_text, content_text, money, render_activities, render_deal, render_lead};
use crate::AiError;

/// `QueuedJob::kind` of a polish; payload `{"proposal_id": ".."}`.
pub const PROPOSAL_POLISH_JOB: &str = "proposal_polish";

/// Most content items sent with a proposal request (case studies and pricing first).
const MAX_CONTENT: usize = 12;

const WRITE_SYSTEM: &str = "\
You write sales proposals for the seller described in the brand guidelines, in its voice.
Write the proposal in Markdown, starting with a `# ` title, with these sections in order:
## Executive summary, ## The challenge, ## Proposed solution, ## Customer results,
## Why <the seller's name> (for instance 'Why Lumora'), ## Investment, ## Next steps.

Use only facts from the deal, the timeline, the content library and the battle cards: the
customer results come from case studies (name the customer only if the case study does),
the comparison from the battle card of the competitor in the deal (never disparage it), the
investment from the deal amount and the price list. When a fact is missing, write a short
placeholder in square brackets for the rep, such as [confirm seat count]. Never invent a
number, a discount, a date or a customer. Reply with the proposal only.";

const POLISH_SYSTEM: &str = "\
You edit sales proposals for the seller described in the brand guidelines. Improve clarity,
flow and tone so the draft follows the guidelines' voice. Keep its structure and headings,
every fact, number, price, date, name and bracketed placeholder; do not add claims. Fix
grammar and cut filler and hype words. Reply with the complete edited proposal in Markdown and
nothing else (no preamble, no code fences).";

/// The content worth sending with a proposal request: case studies, pricing and ROI
/// material matching the lead's industry first, at most [`MAX_CONTENT`] items.
fn proposal_content(ctx: &ProposalContext) -> Vec<closer_types::ContentItem> {
    let industry = ctx
        .lead
        .as_ref()
        .and_then(|l| l.industry.as_deref())
        .map(str::to_lowercase);
    let mut items: Vec<(i32, &closer_types::ContentItem)> = ctx
        .content
        .iter()
        .map(|c| {
            let kind = match c.kind {
                ContentKind::CaseStudy => 3,
                ContentKind::PricingSheet => 3,
                ContentKind::RoiCalculator | ContentKind::OnePager => 1,
                _ => 0,
            };
            let ind = industry
                .as_deref()
                .is_some_and(|i| c.industries.iter().any(|x| x.to_lowercase() == i));
            (kind + if ind { 2 } else { 0 }, c)
        })
        .collect();
    items.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    items
        .into_iter()
        .take(MAX_CONTENT)
        .map(|(_, c)| c.clone())
        .collect()
}

/// The streamed proposal request for `ctx`, as of `now`.
pub fn proposal_request(ctx: &ProposalContext, now: Millis) -> AiRequest {
    let mut context = vec![TextBlock::new(ctx.brand())];
    context.extend(cards_text(&ctx.battle_cards).map(TextBlock::new));
    context.extend(content_text(&proposal_content(ctx)).map(TextBlock::new));

    let mut text = String::from("Write the proposal for this deal.\n");
    if let Some(deal) = &ctx.deal {
        text.push_str("\n=== DEAL ===\n");
        render_deal(&mut text, deal, now);
        text.push_str(&format!(
            "Year-one amount to propose: {}\n",
            money(deal.amount_cents)
        ));
    }
    if let Some(lead) = &ctx.lead {
        text.push_str("\n=== BUYER ===\n");
        render_lead(&mut text, lead);
    }
    if !ctx.activities.is_empty() {
        text.push_str("\n=== TIMELINE (oldest first) ===\n");
        render_activities(&mut text, &ctx.activities);
    }
    AiRequest {
        system: vec![TextBlock::new(WRITE_SYSTEM)],
        context,
        messages: vec![InputMessage::user_text(text)],
        temperature: Some(0.5),
        ..AiRequest::new(Feature::Proposal, 4_000)
    }
}

/// The polish request for `draft`; queueable (kind [`PROPOSAL_POLISH_JOB`]) when the
/// context names the proposal it belongs to.
pub fn polish_request(ctx: &ProposalContext, draft: &str) -> AiRequest {
    // Room for the whole draft back (about 3.5 characters per token) plus headroom.
    let max_tokens = (draft.chars().count() / 3 + 1_024).clamp(2_048, 16_000) as u32;
    AiRequest {
        system: vec![TextBlock::new(POLISH_SYSTEM)],
        context: vec![TextBlock::new(ctx.brand())],
        messages: vec![InputMessage::user_text(format!(
            "Polish this proposal draft.\n\n<draft>\n{draft}\n</draft>"
        ))],
        temperature: Some(0.3),
        queue: ctx.proposal_id.as_ref().map(|id| QueuedJob {
            kind: PROPOSAL_POLISH_JOB.into(),
            payload: serde_json::json!({ "proposal_id": id }),
        }),
        ..AiRequest::new(Feature::ProposalPolish, max_tokens)
    }
}

/// `text` without a wrapping ```markdown fence and surrounding blank lines.
pub(crate) fn unfence(text: &str) -> &str {
    let t = text.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let Some((first, body)) = rest.split_once('\n') else {
        return t;
    };
    if !first.trim().chars().all(|c| c.is_ascii_alphanumeric()) {
        return t;
    }
    body.trim_end()
        .strip_suffix("```")
        .map(str::trim)
        .unwrap_or(t)
}

/// The proposal text of a reply: present and complete.
pub(crate) fn check_proposal_text(message: &Message) -> Result<String, Vec<String>> {
    let text = unfence(&message.text()).to_string();
    let mut errors = Vec::new();
    if text.is_empty() {
        errors.push("the reply has no text".to_string());
    }
    if message.stop_reason == Some(StopReason::MaxTokens) {
        errors.push("the reply was cut off at the token limit".to_string());
    }
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

/// A polish must keep the proposal: not a summary of it.
pub(crate) fn check_polish(message: &Message, draft: &str) -> Result<String, Vec<String>> {
    let text = check_proposal_text(message)?;
    let (before, after) = (draft.trim().chars().count(), text.chars().count());
    if before >= 400 && after * 2 < before {
        return Err(vec![format!(
            "the polished proposal has {after} characters, less than half of the draft's {before}: return the complete proposal"
        )]);
    }
    Ok(text)
}

/// The polished proposal of a completed polish request (a queued job run later).
pub fn parse_polish(message: &Message) -> Result<String, AiError> {
    check_proposal_text(message).map_err(|errors| AiError::InvalidReply { errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfence_strips_only_a_wrapping_fence() {
        for (input, want) in [
            ("# Title\n\nBody", "# Title\n\nBody"),
            ("```markdown\n# Title\nBody\n```\n", "# Title\nBody"),
            ("```\n# Title\n```", "# Title"),
            (
                "# T\n```rust\nfn x() {}\n```",
                "# T\n```rust\nfn x() {}\n```",
            ),
        ] {
            assert_eq!(unfence(input), want);
        }
    }
}
