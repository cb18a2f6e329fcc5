//! The response cache: a whole answer by request hash, with a per-feature TTL. Expired
//! entries stay for the stale retention period and are served, marked stale, only when
//! Claude cannot answer.

use closer_claude::{Message, StopReason};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CacheEntry {
    pub message: Message,
    pub created_at: i64,
    pub expired: bool,
}

/// The entry for `key` if it is fresh, or expired less than `retention_ms` ago.
pub(crate) fn get(
    conn: &Connection,
    key: &str,
    now: i64,
    retention_ms: i64,
) -> Result<Option<CacheEntry>> {
    let row: Option<(String, i64, i64)> = conn
        .query_row(
            "SELECT message, created_at, expires_at FROM response_cache WHERE key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((json, created_at, expires_at)) = row else {
        return Ok(None);
    };
    if expires_at.saturating_add(retention_ms) < now {
        return Ok(None);
    }
    match serde_json::from_str::<Message>(&json) {
        Ok(message) => Ok(Some(CacheEntry {
            message,
            created_at,
            expired: expires_at <= now,
        })),
        Err(e) => {
            // Written by an older version with another shape: treat as a miss and drop it.
            tracing::warn!(error = %e, "unreadable response-cache entry dropped");
            conn.execute("DELETE FROM response_cache WHERE key = ?1", [key])?;
            Ok(None)
        }
    }
}

pub(crate) fn touch(conn: &Connection, key: &str) -> Result<()> {
    conn.execute(
        "UPDATE response_cache SET hits = hits + 1 WHERE key = ?1",
        [key],
    )?;
    Ok(())
}

/// Whether an answer is worth keeping: a complete one (not cut by `max_tokens`, not a
/// refusal, not a paused turn).
pub(crate) fn cacheable(m: &Message) -> bool {
    matches!(
        m.stop_reason,
        Some(StopReason::EndTurn) | Some(StopReason::ToolUse) | Some(StopReason::StopSequence)
    )
}

pub(crate) fn put(
    conn: &Connection,
    key: &str,
    feature: &str,
    message: &Message,
    now: i64,
    ttl_ms: i64,
) -> Result<()> {
    let json = serde_json::to_string(message)?;
    conn.execute(
        "INSERT INTO response_cache (key, feature, model, message, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(key) DO UPDATE SET feature = excluded.feature, model = excluded.model,
           message = excluded.message, created_at = excluded.created_at,
           expires_at = excluded.expires_at",
        params![
            key,
            feature,
            message.model,
            json,
            now,
            now.saturating_add(ttl_ms)
        ],
    )?;
    Ok(())
}

/// Drops entries expired longer than the retention period ago.
pub(crate) fn purge(conn: &Connection, now: i64, retention_ms: i64) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM response_cache WHERE expires_at < ?1",
        [now.saturating_sub(retention_ms)],
    )?)
}
