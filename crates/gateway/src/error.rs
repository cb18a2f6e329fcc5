//! The gateway's one error type. Every `Display` is a sentence a sales rep can act on; none
//! contains the API key (the key is only ever a header of the HTTP request).

use closer_claude::{ApiErrorKind, Error as ClaudeError};

use crate::Feature;

pub type Result<T, E = GatewayError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("No Claude API key is set. Add yours in Settings → AI.")]
    NoApiKey,
    /// `scope` is `monthly` or a feature's snake_case name.
    #[error("{}", budget_sentence(scope, *spent_usd, *limit_usd))]
    BudgetExceeded {
        scope: String,
        spent_usd: f64,
        limit_usd: f64,
    },
    #[error(
        "Too many AI requests for {} right now. Try again in {}.",
        feature_label(*feature),
        wait_words(*retry_after_ms)
    )]
    RateLimited {
        feature: Feature,
        retry_after_ms: u64,
    },
    #[error(
        "Claude can't be reached right now. Your request is saved and will run when the connection is back."
    )]
    Queued { job_id: i64 },
    /// The upstream is down, nothing was cached, there is no fallback and the work cannot wait.
    #[error("Claude is unavailable right now ({reason}) and there is no saved answer to show. Try again in a few minutes.")]
    Unavailable { reason: String },
    /// Claude refused the request itself (400, 401, 403 ...): retrying would not help.
    #[error("{}", upstream_sentence(.0))]
    Upstream(ClaudeError),
    #[error("The AI request was cancelled.")]
    Cancelled,
    #[error("Claude's answer could not be read ({0}). Try again.")]
    InvalidReply(String),
    #[error(
        "The AI usage database failed ({0}). Restart Closer; if it keeps happening, report it."
    )]
    Storage(String),
    /// The gateway's own configuration is wrong (price table, base URL, secondary endpoint).
    #[error("The AI settings are not valid: {0}")]
    Config(String),
}

impl GatewayError {
    /// The ledger's `outcome` for a request that ended with this error.
    pub(crate) fn outcome(&self) -> &'static str {
        match self {
            GatewayError::BudgetExceeded { .. } => "budget",
            GatewayError::RateLimited { .. } => "rate_limited",
            GatewayError::Queued { .. } => "queued",
            GatewayError::Cancelled => "cancelled",
            _ => "error",
        }
    }
}

impl From<rusqlite::Error> for GatewayError {
    fn from(e: rusqlite::Error) -> Self {
        GatewayError::Storage(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for GatewayError {
    fn from(e: rusqlite_migration::Error) -> Self {
        GatewayError::Storage(e.to_string())
    }
}

impl From<serde_json::Error> for GatewayError {
    fn from(e: serde_json::Error) -> Self {
        GatewayError::Storage(format!("stored JSON: {e}"))
    }
}

/// How the rep's screens name a feature.
pub fn feature_label(f: Feature) -> &'static str {
    match f {
        Feature::LeadScore => "lead scoring",
        Feature::Proposal => "proposals",
        Feature::ProposalPolish => "proposal polishing",
        Feature::DealAnalysis => "deal analysis",
        Feature::CallAnalysis => "call analysis",
        Feature::BattleCardRefresh => "battle card refresh",
        Feature::QueryUnderstanding => "search",
        Feature::SearchRerank => "search ranking",
        Feature::Summary => "summaries",
        Feature::ContentAudit => "content audit recommendations",
    }
}

fn budget_sentence(scope: &str, spent: f64, limit: f64) -> String {
    let amounts = format!("${spent:.2} of ${limit:.2}");
    match Feature::parse(scope) {
        Some(f) => format!(
            "The monthly AI budget for {} is reached ({amounts}). Raise it in Settings → AI or wait until next month.",
            feature_label(f)
        ),
        None => format!(
            "Monthly AI budget reached ({amounts}). Raise it in Settings → AI or wait until next month."
        ),
    }
}

fn wait_words(ms: u64) -> String {
    let secs = ms.div_ceil(1000).max(1);
    if secs == 1 {
        "a second".into()
    } else if secs < 120 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

fn upstream_sentence(e: &ClaudeError) -> String {
    match e {
        ClaudeError::Api {
            status,
            kind,
            message,
            error_code,
            ..
        } => {
            if error_code.as_deref() == Some("enforced_spend_limit_reached") {
                return "Your Anthropic spend limit is reached. Raise it in the Anthropic Console, then try again.".into();
            }
            match kind {
                ApiErrorKind::Authentication => {
                    "Your Claude API key was rejected. Check it in Settings → AI.".into()
                }
                ApiErrorKind::Permission => {
                    "Your Claude API key is not allowed to do this. Check its permissions in the Anthropic Console.".into()
                }
                ApiErrorKind::Billing => {
                    "Your Anthropic account has a billing problem. Check your plan and payment details in the Anthropic Console.".into()
                }
                ApiErrorKind::NotFound => {
                    "Claude did not find the model Closer asked for. Update Closer; if it persists, report it.".into()
                }
                ApiErrorKind::RequestTooLarge => {
                    "This request is too large for Claude. Use less text (fewer documents or a shorter transcript) and try again.".into()
                }
                ApiErrorKind::InvalidRequest => format!(
                    "Claude rejected the request ({}). This is a problem in Closer; please report it.",
                    short(message)
                ),
                ApiErrorKind::RateLimit => {
                    "Claude is rate limiting your API key. Wait a minute and try again.".into()
                }
                _ => format!("Claude returned an error (HTTP {status}). Try again in a few minutes."),
            }
        }
        ClaudeError::Stream { .. } => {
            "Claude stopped in the middle of its answer. Try again in a few minutes.".into()
        }
        ClaudeError::Connect(_) | ClaudeError::Timeout | ClaudeError::Transport(_) => {
            "Claude can't be reached. Check your internet connection and try again.".into()
        }
        ClaudeError::Decode(d) => format!(
            "Claude's answer could not be read ({}). Try again.",
            short(d)
        ),
        ClaudeError::Invalid(d) => format!(
            "The request to Claude could not be sent ({}). Check the AI settings.",
            short(d)
        ),
    }
}

/// A server-provided message cut to a readable length (and redacted, in case it echoes input).
fn short(s: &str) -> String {
    let s = closer_telemetry::redact(s);
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_messages_read_as_sentences() {
        let e = GatewayError::BudgetExceeded {
            scope: "monthly".into(),
            spent_usd: 50.0,
            limit_usd: 50.0,
        };
        assert_eq!(
            e.to_string(),
            "Monthly AI budget reached ($50.00 of $50.00). Raise it in Settings → AI or wait until next month."
        );
        let e = GatewayError::BudgetExceeded {
            scope: "proposal".into(),
            spent_usd: 10.0,
            limit_usd: 10.0,
        };
        assert!(e
            .to_string()
            .starts_with("The monthly AI budget for proposals is reached"));
    }

    #[test]
    fn upstream_errors_tell_the_rep_what_to_do() {
        let api = |status: u16, kind: ApiErrorKind, code: Option<&str>| {
            GatewayError::Upstream(ClaudeError::Api {
                status,
                kind,
                message: "x".into(),
                request_id: None,
                retry_after: None,
                should_retry: None,
                error_code: code.map(str::to_string),
            })
        };
        assert_eq!(
            api(401, ApiErrorKind::Authentication, None).to_string(),
            "Your Claude API key was rejected. Check it in Settings → AI."
        );
        assert!(api(
            429,
            ApiErrorKind::RateLimit,
            Some("enforced_spend_limit_reached")
        )
        .to_string()
        .contains("spend limit"));
        assert!(api(413, ApiErrorKind::RequestTooLarge, None)
            .to_string()
            .contains("too large"));
        let rl = GatewayError::RateLimited {
            feature: Feature::LeadScore,
            retry_after_ms: 2500,
        };
        assert_eq!(
            rl.to_string(),
            "Too many AI requests for lead scoring right now. Try again in 3 seconds."
        );
    }
}
