//! The offline queue: requests that may wait, kept in SQLite until Claude answers them.
//! Results are stored durably until the core acknowledges them, so a result reached just
//! before the app quits is applied at the next start.

use closer_claude::{InputMessage, Message, TextBlock, Tool, ToolChoice};
use closer_types::{QueueItem, QueueStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{AiRequest, AiResponse, Feature, QueuedJob, ServedFrom};

/// A finished queued job the core has not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedJob {
    pub job_id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// The answer, when the job succeeded.
    pub response: Option<AiResponse>,
    /// Why it failed for good (Claude refused the request), when it did.
    pub error: Option<String>,
}

/// What one `run_queue` call did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueRun {
    /// Jobs answered (now in `completed_jobs`).
    pub completed: Vec<i64>,
    /// Jobs Claude refused (400, 401 ...): also in `completed_jobs`, with the error.
    pub failed: Vec<i64>,
    /// Jobs still pending.
    pub remaining: usize,
    /// Why the run stopped before the queue was empty (Claude down, budget reached ...).
    pub stopped: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredRequest {
    feature: Feature,
    system: Vec<TextBlock>,
    context: Vec<TextBlock>,
    messages: Vec<InputMessage>,
    tools: Vec<Tool>,
    tool_choice: Option<ToolChoice>,
    max_tokens: u32,
    temperature: Option<f32>,
    fresh: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredResponse {
    message: Message,
    served_from: ServedFrom,
    model: String,
    routing_reason: String,
    ledger_id: i64,
    cost_usd: f64,
    attempts: u32,
    budget_warning: Option<String>,
}

pub(crate) struct PendingJob {
    pub id: i64,
    pub request: AiRequest,
    pub ledger_id: Option<i64>,
}

fn parse_status(s: &str) -> QueueStatus {
    match s {
        "running" => QueueStatus::Running,
        "done" => QueueStatus::Done,
        "failed" => QueueStatus::Failed,
        _ => QueueStatus::Pending,
    }
}

pub(crate) fn insert(conn: &Connection, job: &QueuedJob, req: &AiRequest, now: i64) -> Result<i64> {
    let stored = StoredRequest {
        feature: req.feature,
        system: req.system.clone(),
        context: req.context.clone(),
        messages: req.messages.clone(),
        tools: req.tools.clone(),
        tool_choice: req.tool_choice.clone(),
        max_tokens: req.max_tokens,
        temperature: req.temperature,
        fresh: req.fresh,
    };
    conn.execute(
        "INSERT INTO queue (kind, feature, payload, request, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)",
        params![
            job.kind,
            req.feature.as_str(),
            serde_json::to_string(&job.payload)?,
            serde_json::to_string(&stored)?,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn link_ledger(conn: &Connection, id: i64, ledger_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE queue SET ledger_id = ?2 WHERE id = ?1",
        params![id, ledger_id],
    )?;
    Ok(())
}

/// Jobs left `running` by a crash go back to `pending`.
pub(crate) fn recover(conn: &Connection, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE queue SET status = 'pending', updated_at = ?1 WHERE status = 'running'",
        [now],
    )?;
    Ok(())
}

/// The oldest pending job, marked running. A job whose saved request cannot be read
/// (written by an incompatible version) is marked failed and skipped.
pub(crate) fn take_next(conn: &mut Connection, now: i64) -> Result<Option<PendingJob>> {
    loop {
        let tx = conn.transaction()?;
        let row: Option<(i64, String, Option<i64>)> = tx
            .query_row(
                "SELECT id, request, ledger_id FROM queue WHERE status = 'pending'
                 ORDER BY created_at, id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((id, request, ledger_id)) = row else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE queue SET status = 'running', updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        tx.commit()?;
        let stored: StoredRequest = match serde_json::from_str(&request) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(job = id, error = %e, "unreadable queued job marked failed");
                fail(
                    conn,
                    id,
                    "The saved request could not be read by this version of Closer.",
                    now,
                )?;
                continue;
            }
        };
        let request = AiRequest {
            feature: stored.feature,
            system: stored.system,
            context: stored.context,
            messages: stored.messages,
            tools: stored.tools,
            tool_choice: stored.tool_choice,
            max_tokens: stored.max_tokens,
            temperature: stored.temperature,
            queue: None,
            fresh: stored.fresh,
        };
        return Ok(Some(PendingJob {
            id,
            request,
            ledger_id,
        }));
    }
}

pub(crate) fn done(conn: &Connection, id: i64, resp: &AiResponse, now: i64) -> Result<()> {
    let stored = StoredResponse {
        message: resp.message.clone(),
        served_from: resp.served_from,
        model: resp.model.clone(),
        routing_reason: resp.routing_reason.clone(),
        ledger_id: resp.ledger_id,
        cost_usd: resp.cost_usd,
        attempts: resp.attempts,
        budget_warning: resp.budget_warning.clone(),
    };
    conn.execute(
        "UPDATE queue SET status = 'done', attempts = attempts + 1, response = ?2,
            last_error = NULL, updated_at = ?3
         WHERE id = ?1",
        params![id, serde_json::to_string(&stored)?, now],
    )?;
    Ok(())
}

pub(crate) fn fail(conn: &Connection, id: i64, error: &str, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE queue SET status = 'failed', attempts = attempts + 1, last_error = ?2,
            updated_at = ?3
         WHERE id = ?1",
        params![id, error, now],
    )?;
    Ok(())
}

/// Claude could not be reached (or the run was stopped): the job waits for the next run.
pub(crate) fn retry_later(
    conn: &Connection,
    id: i64,
    error: &str,
    attempted: bool,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE queue SET status = 'pending', attempts = attempts + ?2, last_error = ?3,
            updated_at = ?4
         WHERE id = ?1",
        params![id, u32::from(attempted), error, now],
    )?;
    Ok(())
}

pub(crate) fn pending_count(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM queue WHERE status IN ('pending', 'running')",
        [],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub(crate) fn completed(conn: &Connection) -> Result<Vec<CompletedJob>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, payload, response, last_error, status FROM queue
         WHERE status IN ('done', 'failed') AND acked = 0 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind, payload, response, last_error, status) in rows {
        let payload = serde_json::from_str(&payload)?;
        let response = match (status.as_str(), response) {
            ("done", Some(json)) => {
                let s: StoredResponse = serde_json::from_str(&json)?;
                Some(AiResponse {
                    message: s.message,
                    served_from: s.served_from,
                    model: s.model,
                    routing_reason: s.routing_reason,
                    ledger_id: s.ledger_id,
                    cost_usd: s.cost_usd,
                    attempts: s.attempts,
                    budget_warning: s.budget_warning,
                })
            }
            _ => None,
        };
        out.push(CompletedJob {
            job_id: id,
            kind,
            payload,
            error: if response.is_none() {
                Some(last_error.unwrap_or_else(|| "failed".into()))
            } else {
                None
            },
            response,
        });
    }
    Ok(out)
}

pub(crate) fn ack(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE queue SET acked = 1 WHERE id = ?1 AND status IN ('done', 'failed')",
        [id],
    )?;
    Ok(())
}

/// Acknowledged jobs older than `before` are deleted (their ledger rows stay).
pub(crate) fn purge_acked(conn: &Connection, before: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM queue WHERE acked = 1 AND updated_at < ?1",
        [before],
    )?;
    Ok(())
}

/// Jobs not yet acknowledged, oldest first.
pub(crate) fn list(conn: &Connection) -> Result<Vec<QueueItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, feature, status, created_at, updated_at, attempts, last_error
         FROM queue WHERE acked = 0 ORDER BY created_at, id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(QueueItem {
                id: r.get(0)?,
                kind: r.get(1)?,
                feature: r.get(2)?,
                status: parse_status(&r.get::<_, String>(3)?),
                created_at: r.get(4)?,
                updated_at: r.get(5)?,
                attempts: r.get(6)?,
                last_error: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_str(s: QueueStatus) -> &'static str {
        match s {
            QueueStatus::Pending => "pending",
            QueueStatus::Running => "running",
            QueueStatus::Done => "done",
            QueueStatus::Failed => "failed",
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in [
            QueueStatus::Pending,
            QueueStatus::Running,
            QueueStatus::Done,
            QueueStatus::Failed,
        ] {
            assert_eq!(parse_status(status_str(s)), s);
        }
    }
}
