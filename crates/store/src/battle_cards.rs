//! Battle cards: one per competitor.

use std::collections::HashMap;

use closer_types::{new_id, BattleCard, BattleCardDraft, BattleCardSummary, Millis};
use rusqlite::{params, Connection, Row, Transaction};

use crate::codec::{clean, collect, first, from_json, to_json};
use crate::deals::OPEN_STAGES_SQL;
use crate::{Result, StoreError};

const ENTITY: &str = "battle_card";

const COLUMNS: &str = "id, competitor, summary, our_strengths, their_weaknesses, \
     pricing_comparison, key_differentiators, objections, trigger_phrases, updated_by, \
     created_at, updated_at";

fn from_row(row: &Row<'_>) -> Result<BattleCard> {
    let id: String = row.get(0)?;
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    Ok(BattleCard {
        competitor: row.get(1)?,
        summary: row.get(2)?,
        our_strengths: from_json(ENTITY, &id, "our_strengths", &text(3)?)?,
        their_weaknesses: from_json(ENTITY, &id, "their_weaknesses", &text(4)?)?,
        pricing_comparison: row.get(5)?,
        key_differentiators: from_json(ENTITY, &id, "key_differentiators", &text(6)?)?,
        objections: from_json(ENTITY, &id, "objections", &text(7)?)?,
        trigger_phrases: from_json(ENTITY, &id, "trigger_phrases", &text(8)?)?,
        updated_by: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        id,
    })
}

/// Every card, by competitor name, with the number of open deals naming it.
pub fn list(conn: &Connection) -> Result<Vec<BattleCardSummary>> {
    // Competitors of open deals, counted once per deal, case-insensitively (done here
    // rather than in SQL because SQLite's lower() only folds ASCII).
    let mut open: HashMap<String, u32> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, competitors FROM deals WHERE {OPEN_STAGES_SQL} AND competitors <> '[]'"
    ))?;
    let lists = collect(&mut stmt, [], |row| {
        let id: String = row.get(0)?;
        let text: String = row.get(1)?;
        from_json::<Vec<String>>("deal", &id, "competitors", &text)
    })?;
    for list in lists {
        let mut names: Vec<String> = list.iter().map(|c| c.trim().to_lowercase()).collect();
        names.sort();
        names.dedup();
        for name in names {
            *open.entry(name).or_default() += 1;
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, competitor, summary, updated_at FROM battle_cards \
         ORDER BY competitor COLLATE NOCASE, id",
    )?;
    collect(&mut stmt, [], |row| {
        let competitor: String = row.get(1)?;
        Ok(BattleCardSummary {
            id: row.get(0)?,
            open_deals: open
                .get(&competitor.trim().to_lowercase())
                .copied()
                .unwrap_or(0),
            competitor,
            summary: row.get(2)?,
            updated_at: row.get(3)?,
        })
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<BattleCard> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM battle_cards WHERE id = ?1"))?;
    first(&mut stmt, [id], from_row)?.ok_or_else(|| StoreError::not_found(ENTITY, id))
}

/// The card of this competitor (case-insensitive, surrounding spaces ignored).
pub fn get_by_competitor(conn: &Connection, name: &str) -> Result<Option<BattleCard>> {
    let name = name.trim();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM battle_cards WHERE competitor = ?1 COLLATE NOCASE"
    ))?;
    if let Some(card) = first(&mut stmt, [name], from_row)? {
        return Ok(Some(card));
    }
    // NOCASE folds ASCII only; compare the few cards with full Unicode lowercase.
    let wanted = name.to_lowercase();
    let mut stmt = conn.prepare_cached("SELECT id, competitor FROM battle_cards")?;
    let ids = collect(&mut stmt, [], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    match ids
        .into_iter()
        .find(|(_, c)| c.trim().to_lowercase() == wanted)
    {
        Some((id, _)) => get(conn, &id).map(Some),
        None => Ok(None),
    }
}

/// Creates (`id: None`) or replaces (`Some(id)`) a card. A competitor has one card:
/// saving a second one for the same name is a validation error on `competitor`.
pub fn save(
    tx: &Transaction,
    id: Option<&str>,
    draft: &BattleCardDraft,
    now: Millis,
) -> Result<BattleCard> {
    draft.validate().map_err(StoreError::Invalid)?;
    let competitor = draft.competitor.trim().to_string();
    let existing = match id {
        Some(id) => Some(get(tx, id)?),
        None => None,
    };
    if let Some(other) = get_by_competitor(tx, &competitor)? {
        if existing.as_ref().map(|e| e.id.as_str()) != Some(other.id.as_str()) {
            return Err(StoreError::invalid(
                "competitor",
                format!("there is already a battle card for {}", other.competitor),
            ));
        }
    }
    let card = BattleCard {
        id: existing
            .as_ref()
            .map(|e| e.id.clone())
            .unwrap_or_else(new_id),
        competitor,
        summary: draft.summary.clone(),
        our_strengths: draft.our_strengths.clone(),
        their_weaknesses: draft.their_weaknesses.clone(),
        pricing_comparison: draft.pricing_comparison.clone(),
        key_differentiators: draft.key_differentiators.clone(),
        objections: draft.objections.clone(),
        trigger_phrases: draft.trigger_phrases.clone(),
        updated_by: clean(&draft.updated_by),
        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    };
    if existing.is_some() {
        tx.execute(
            "UPDATE battle_cards SET competitor = ?2, summary = ?3, our_strengths = ?4, \
             their_weaknesses = ?5, pricing_comparison = ?6, key_differentiators = ?7, \
             objections = ?8, trigger_phrases = ?9, updated_by = ?10, updated_at = ?11 \
             WHERE id = ?1",
            params![
                card.id,
                card.competitor,
                card.summary,
                to_json(&card.our_strengths)?,
                to_json(&card.their_weaknesses)?,
                card.pricing_comparison,
                to_json(&card.key_differentiators)?,
                to_json(&card.objections)?,
                to_json(&card.trigger_phrases)?,
                card.updated_by,
                card.updated_at,
            ],
        )?;
    } else {
        insert(tx, &card)?;
    }
    Ok(card)
}

/// Stores a card verbatim (e.g. demo data).
pub fn insert(tx: &Transaction, card: &BattleCard) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO battle_cards (id, competitor, summary, our_strengths, their_weaknesses, \
         pricing_comparison, key_differentiators, objections, trigger_phrases, updated_by, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        card.id,
        card.competitor,
        card.summary,
        to_json(&card.our_strengths)?,
        to_json(&card.their_weaknesses)?,
        card.pricing_comparison,
        to_json(&card.key_differentiators)?,
        to_json(&card.objections)?,
        to_json(&card.trigger_phrases)?,
        card.updated_by,
        card.created_at,
        card.updated_at,
    ])?;
    Ok(())
}

/// Deletes a card.
pub fn delete(tx: &Transaction, id: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM battle_cards WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}
