//! What Claude produced for the workspace: deal analyses and battle-card suggestions.
//!
//! The store keeps them as validated JSON; it does not know their shape (the types live in
//! `closer-types`, the validation in `closer-ai`), so these functions are generic.

use closer_types::Millis;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{de::DeserializeOwned, Serialize};

use crate::codec::{from_json, to_json};
use crate::{Result, StoreError};

/// Replaces the analysis of `deal_id`.
pub fn save_deal_analysis<T: Serialize>(
    tx: &Transaction,
    deal_id: &str,
    analysis: &T,
    model: &str,
    at: Millis,
) -> Result<()> {
    let changed = tx.execute(
        "INSERT INTO deal_analyses (deal_id, analysis, model, analyzed_at)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM deals WHERE id = ?1)
         ON CONFLICT (deal_id) DO UPDATE SET
            analysis = excluded.analysis, model = excluded.model, analyzed_at = excluded.analyzed_at",
        params![deal_id, to_json(analysis)?, model, at],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            entity: "deal",
            id: deal_id.to_string(),
        });
    }
    Ok(())
}

/// The last analysis of `deal_id`, if Claude ever analysed it.
pub fn deal_analysis<T: DeserializeOwned>(conn: &Connection, deal_id: &str) -> Result<Option<T>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT analysis FROM deal_analyses WHERE deal_id = ?1",
            [deal_id],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| from_json("deal analysis", deal_id, "analysis", &t))
        .transpose()
}

/// Adds a pending suggestion for `card_id`.
pub fn add_suggestion<T: Serialize>(
    tx: &Transaction,
    id: &str,
    card_id: &str,
    body: &T,
    at: Millis,
) -> Result<()> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM battle_cards WHERE id = ?1)",
        [card_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(StoreError::NotFound {
            entity: "battle card",
            id: card_id.to_string(),
        });
    }
    tx.execute(
        "INSERT INTO battle_card_suggestions (id, card_id, status, body, created_at)
         VALUES (?1, ?2, 'pending', ?3, ?4)",
        params![id, card_id, to_json(body)?, at],
    )?;
    Ok(())
}

/// Suggestions of `card_id` (all cards when `None`) with the given status, newest first.
pub fn suggestions<T: DeserializeOwned>(
    conn: &Connection,
    card_id: Option<&str>,
    status: &str,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, body FROM battle_card_suggestions
         WHERE (?1 IS NULL OR card_id = ?1) AND status = ?2
         ORDER BY created_at DESC, id",
    )?;
    let rows = stmt.query_map(params![card_id, status], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, body) = row?;
        out.push(from_json("battle card suggestion", &id, "body", &body)?);
    }
    Ok(out)
}

/// One suggestion, with its card id and status.
pub fn suggestion<T: DeserializeOwned>(conn: &Connection, id: &str) -> Result<(T, String, String)> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT body, card_id, status FROM battle_card_suggestions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (body, card_id, status) = row.ok_or_else(|| StoreError::NotFound {
        entity: "suggestion",
        id: id.to_string(),
    })?;
    Ok((
        from_json("battle card suggestion", id, "body", &body)?,
        card_id,
        status,
    ))
}

/// Records a manager's decision; `body` is the suggestion with its new status.
pub fn decide_suggestion<T: Serialize>(
    tx: &Transaction,
    id: &str,
    status: &str,
    body: &T,
    by: &str,
    at: Millis,
) -> Result<()> {
    let changed = tx.execute(
        "UPDATE battle_card_suggestions SET status = ?2, body = ?3, decided_at = ?4, decided_by = ?5
         WHERE id = ?1 AND status = 'pending'",
        params![id, status, to_json(body)?, at, by],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound {
            entity: "pending suggestion",
            id: id.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn analysis_of_a_missing_deal_is_refused_and_a_saved_one_reads_back() {
        let store = Store::open_in_memory().unwrap();
        let err = store
            .write(|tx| save_deal_analysis(tx, "nope", &serde_json::json!({"a": 1}), "m", 1))
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }));
        let got: Option<serde_json::Value> = store.read(|c| deal_analysis(c, "nope")).unwrap();
        assert!(got.is_none());
    }

    #[test]
    fn suggestion_for_a_missing_card_is_refused() {
        let store = Store::open_in_memory().unwrap();
        let err = store
            .write(|tx| add_suggestion(tx, "s1", "nope", &serde_json::json!({}), 1))
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }));
    }
}
