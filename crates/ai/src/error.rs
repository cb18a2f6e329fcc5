use closer_gateway::GatewayError;

/// What can go wrong in an AI feature.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The gateway did not get an answer: queued for later (`Queued`), over budget, offline,
    /// an upstream error, cancelled. Kept whole so the core can tell the rep which.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// Claude's reply was still invalid after one repair request. Nothing was returned.
    #[error("Claude's reply was not usable: {}", errors.join("; "))]
    InvalidReply { errors: Vec<String> },
    /// A queued job of a kind this crate does not know.
    #[error("unknown queued job kind '{0}'")]
    UnknownJob(String),
    /// A queued job whose payload is not what this crate queued.
    #[error("queued job '{kind}' has a bad payload: {reason}")]
    BadPayload { kind: String, reason: String },
    /// A battle-card suggestion no longer fits the card (it was edited since).
    #[error("the suggestion no longer fits the battle card: {0}")]
    SuggestionOutdated(String),
}

impl AiError {
    /// The offline-queue job this work now waits in, if it was queued.
    pub fn queued_job(&self) -> Option<i64> {
        match self {
            AiError::Gateway(GatewayError::Queued { job_id }) => Some(*job_id),
            _ => None,
        }
    }
}

pub type Result<T, E = AiError> = std::result::Result<T, E>;
