//! Team sync as the rep sees it (status, account, conflicts) and the manager view.

use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{DealStage, HealthBand, Id, Millis};

/// Where team sync is, for the status pill and Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Not signed in to a team server: everything stays on this computer.
    #[default]
    SignedOut,
    /// A sync round is running (see `progress_done`/`progress_total`).
    Syncing,
    /// The last round finished and nothing waits to be sent.
    UpToDate,
    /// The server cannot be reached; edits wait in the outbox and go when it answers.
    Offline,
    /// Sync stopped and needs the rep: `message` says what to do.
    Error,
}

/// The signed-in account (no secrets: the sign-in token stays in the OS keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SyncAccount {
    pub email: String,
    /// `rep`, `manager` or `admin`.
    pub role: String,
    pub org_id: String,
}

impl SyncAccount {
    /// Managers and admins see the manager view.
    pub fn sees_team(&self) -> bool {
        matches!(self.role.as_str(), "manager" | "admin")
    }
}

/// Team sync's status: state, when it last finished, what waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct SyncStatus {
    pub state: SyncState,
    /// For `error` (and `offline`): a sentence the rep can act on.
    pub message: Option<String>,
    pub server_url: Option<String>,
    pub account: Option<SyncAccount>,
    #[specta(type = Option<Number>)]
    pub last_synced_at: Option<Millis>,
    /// Local changes not yet acknowledged by the server.
    #[specta(type = Number)]
    pub pending: u64,
    /// Conflicts not yet looked at.
    #[specta(type = Number)]
    pub conflicts: u64,
    /// While syncing: changes done of total (push, then pull).
    #[specta(type = Option<Number>)]
    pub progress_done: Option<u64>,
    #[specta(type = Option<Number>)]
    pub progress_total: Option<u64>,
}

/// Signing in to a team server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SyncSignIn {
    pub server_url: String,
    pub email: String,
    pub password: String,
}

/// Whose value a conflict's losing side was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ConflictSide {
    Mine,
    Theirs,
}

/// One field two people changed (or a change the server refused), both values shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SyncConflict {
    #[specta(type = Number)]
    pub id: i64,
    /// `lead` or `deal`.
    pub entity: String,
    pub entity_id: Id,
    /// The deal's name or the lead's company, when the row is here.
    pub title: String,
    pub field: String,
    /// The value now in the workspace (`null` when the row is gone), as JSON text.
    pub current_value: String,
    /// The value that lost (or was refused), as JSON text.
    pub other_value: String,
    /// Whose the losing value was.
    pub other_side: ConflictSide,
    /// Who wrote the losing value (a device id, or "you").
    pub other_by: String,
    #[specta(type = Number)]
    pub other_at: Millis,
    /// Set when the server refused the change (e.g. not allowed): why.
    pub refused: Option<String>,
    #[specta(type = Number)]
    pub recorded_at: Millis,
}

/// How a rep settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ConflictChoice {
    KeepMine,
    TakeTheirs,
}

/// A rep's decision on one conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ConflictResolution {
    #[specta(type = Number)]
    pub id: i64,
    pub choice: ConflictChoice,
}

// ---- manager view ----------------------------------------------------------------

/// Where a deal's health score came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum HealthSource {
    /// Claude's latest analysis.
    Ai,
    /// The local explainable score.
    Local,
}

/// One cell of the team pipeline: a rep's deals in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PipelineCell {
    pub rep: String,
    pub stage: DealStage,
    pub deals: u32,
    #[specta(type = Number)]
    pub amount_cents: i64,
}

/// A deal in the manager view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TeamDeal {
    pub id: Id,
    pub name: String,
    pub company: Option<String>,
    pub rep: String,
    pub stage: DealStage,
    #[specta(type = Number)]
    pub amount_cents: i64,
    pub close_date: Option<String>,
    /// 0..100.
    pub health: u8,
    pub band: HealthBand,
    pub source: HealthSource,
    /// amount × (1 − health/100), in cents.
    #[specta(type = Number)]
    pub at_risk_cents: i64,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

/// A rep's open deals and their average health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RepHealth {
    pub rep: String,
    pub open_deals: u32,
    #[specta(type = Number)]
    pub open_amount_cents: i64,
    /// Average health of the open deals, amount-weighted (0..100).
    pub average_health: u8,
    pub deals: Vec<TeamDeal>,
}

/// The team's average health of open deals on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct HealthTrendPoint {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub rep: String,
    /// 0..100.
    #[specta(type = Number)]
    pub average_health: f32,
    pub deals: u32,
}

/// Everything the manager view shows, from the local cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct TeamOverview {
    pub pipeline: Vec<PipelineCell>,
    pub reps: Vec<RepHealth>,
    /// Open deals by amount at risk, largest first.
    pub risks: Vec<TeamDeal>,
    /// Per day and rep, oldest first (the last `days` days).
    pub trend: Vec<HealthTrendPoint>,
    #[specta(type = Number)]
    pub computed_at: Millis,
}

crate::enum_text!(HealthSource { Ai => "ai", Local => "local" });

/// `YYYY-MM-DD` (UTC) of a time in ms since the epoch (proleptic Gregorian calendar).
pub fn iso_day(at: Millis) -> String {
    // Days since 1970-01-01 to a civil date (the era-based method: 400-year cycles).
    let z = at.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_day_reads_the_utc_calendar_day() {
        assert_eq!(iso_day(0), "1970-01-01");
        assert_eq!(iso_day(86_400_000 - 1), "1970-01-01");
        assert_eq!(iso_day(951_782_400_000), "2000-02-29");
        assert_eq!(iso_day(1_798_675_200_000), "2026-12-31");
        assert_eq!(iso_day(-1), "1969-12-31");
    }
}
