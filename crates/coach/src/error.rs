//! The coach's errors. Matching itself never fails: only configuration and the optional
//! semantic model can.

/// Errors from building a coach.
#[derive(Debug, thiserror::Error)]
pub enum CoachError {
    /// An objection kind name that is none of price, timing, authority, need, incumbent,
    /// security, contract.
    #[error("unknown objection kind {0:?}")]
    UnknownKind(String),
    /// An option out of its range (the field and why).
    #[error("invalid coaching option {field}: {reason}")]
    InvalidOption {
        field: &'static str,
        reason: &'static str,
    },
    /// The semantic model failed while embedding the battle cards.
    #[error("semantic model failed: {0}")]
    Semantic(String),
}

pub type Result<T> = std::result::Result<T, CoachError>;
