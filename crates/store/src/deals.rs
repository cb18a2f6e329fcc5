//! Deals: opportunities in the pipeline, and the deal detail view.

use std::collections::HashSet;

use closer_types::{
    new_id, Deal, DealDetail, DealDraft, DealQuery, DealStage, DealSummary, EnumText, Millis, Page,
};
use rusqlite::{params, params_from_iter, types::Value, Connection, Row, Transaction};

use crate::codec::{clean, collect, first, from_enum, from_json, like_contains, to_json};
use crate::{activities, battle_cards, calls, leads, page_limit, proposals, Result, StoreError};

const ENTITY: &str = "deal";

const COLUMNS: &str = "id, lead_id, name, amount_cents, stage, close_date, competitors, owner, \
     stakeholders, created_at, updated_at";

/// The stages that count as open, as SQL text.
pub(crate) const OPEN_STAGES_SQL: &str = "stage NOT IN ('closed_won', 'closed_lost')";

fn from_row(row: &Row<'_>) -> Result<Deal> {
    let id: String = row.get(0)?;
    let stage: String = row.get(4)?;
    let competitors: String = row.get(6)?;
    let stakeholders: String = row.get(8)?;
    Ok(Deal {
        stage: from_enum(ENTITY, &id, "stage", &stage)?,
        competitors: from_json(ENTITY, &id, "competitors", &competitors)?,
        stakeholders: from_json(ENTITY, &id, "stakeholders", &stakeholders)?,
        lead_id: row.get(1)?,
        name: row.get(2)?,
        amount_cents: row.get(3)?,
        close_date: row.get(5)?,
        owner: row.get(7)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        id,
    })
}

fn check(tx: &Transaction, d: &DealDraft) -> Result<()> {
    let mut errs = d.validate().err().unwrap_or_default();
    if let Some(lead_id) = &d.lead_id {
        if leads::find(tx, lead_id)?.is_none() {
            errs.push(closer_types::FieldError::new(
                "lead_id",
                format!("no lead with id {lead_id}"),
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errs))
    }
}

/// Trimmed, blank-free, de-duplicated (case-insensitively) competitor names.
fn clean_competitors(list: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    list.iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty() && seen.insert(c.to_lowercase()))
        .map(str::to_string)
        .collect()
}

fn normalized(id: String, d: &DealDraft, created_at: Millis, updated_at: Millis) -> Deal {
    Deal {
        id,
        lead_id: clean(&d.lead_id),
        name: d.name.trim().to_string(),
        amount_cents: d.amount_cents,
        stage: d.stage,
        close_date: clean(&d.close_date),
        competitors: clean_competitors(&d.competitors),
        owner: clean(&d.owner),
        stakeholders: d.stakeholders.clone(),
        created_at,
        updated_at,
    }
}

/// Validates (including that the lead exists) and creates a deal.
pub fn create(tx: &Transaction, draft: &DealDraft, now: Millis) -> Result<Deal> {
    check(tx, draft)?;
    let deal = normalized(new_id(), draft, now, now);
    insert(tx, &deal)?;
    Ok(deal)
}

/// Stores a deal verbatim (e.g. demo data).
pub fn insert(tx: &Transaction, deal: &Deal) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO deals (id, lead_id, name, amount_cents, stage, close_date, competitors, \
         owner, stakeholders, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    execute_with(&mut stmt, deal)
}

/// Runs `stmt` with a deal's columns bound in table order as `?1`..`?11` (id first): the
/// insert here, and the sync's update of a row it already has.
pub(crate) fn execute_with(stmt: &mut rusqlite::CachedStatement<'_>, deal: &Deal) -> Result<()> {
    stmt.execute(params![
        deal.id,
        deal.lead_id,
        deal.name,
        deal.amount_cents,
        deal.stage.as_str(),
        deal.close_date,
        to_json(&deal.competitors)?,
        deal.owner,
        to_json(&deal.stakeholders)?,
        deal.created_at,
        deal.updated_at,
    ])?;
    Ok(())
}

/// Validates and replaces a deal's fields.
pub fn update(tx: &Transaction, id: &str, draft: &DealDraft, now: Millis) -> Result<Deal> {
    check(tx, draft)?;
    let old = get(tx, id)?;
    let deal = normalized(old.id, draft, old.created_at, now);
    tx.execute(
        "UPDATE deals SET lead_id = ?2, name = ?3, amount_cents = ?4, stage = ?5, \
         close_date = ?6, competitors = ?7, owner = ?8, stakeholders = ?9, updated_at = ?10 \
         WHERE id = ?1",
        params![
            deal.id,
            deal.lead_id,
            deal.name,
            deal.amount_cents,
            deal.stage.as_str(),
            deal.close_date,
            to_json(&deal.competitors)?,
            deal.owner,
            to_json(&deal.stakeholders)?,
            deal.updated_at,
        ],
    )?;
    Ok(deal)
}

pub fn get(conn: &Connection, id: &str) -> Result<Deal> {
    find(conn, id)?.ok_or_else(|| StoreError::not_found(ENTITY, id))
}

/// Like [`get`], `None` when there is no such deal.
pub fn find(conn: &Connection, id: &str) -> Result<Option<Deal>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM deals WHERE id = ?1"))?;
    first(&mut stmt, [id], from_row)
}

/// One page of deals, newest change first, with the lead's company. `text` matches
/// anywhere in the deal name or the company.
pub fn list(conn: &Connection, q: &DealQuery) -> Result<Page<DealSummary>> {
    let limit = page_limit(q.limit);
    let mut filters = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(stage) = q.stage {
        args.push(Value::Text(stage.as_str().to_string()));
        filters.push(format!("d.stage = ?{}", args.len()));
    }
    if q.open_only {
        filters.push(format!("d.{OPEN_STAGES_SQL}"));
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        args.push(Value::Text(like_contains(text)));
        let n = args.len();
        filters.push(format!(
            "(d.name LIKE ?{n} ESCAPE '\\' OR l.company LIKE ?{n} ESCAPE '\\')"
        ));
    }
    let where_ = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let from = "FROM deals d LEFT JOIN leads l ON l.id = d.lead_id";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {from} {where_}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    args.push(Value::Integer(i64::from(limit)));
    args.push(Value::Integer(i64::from(q.offset)));
    let n = args.len();
    let sql = format!(
        "SELECT d.id, d.name, l.company, d.amount_cents, d.stage, d.close_date, d.competitors, \
         d.owner, d.updated_at {from} {where_} \
         ORDER BY d.updated_at DESC, d.id DESC LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = collect(&mut stmt, params_from_iter(args.iter()), |row| {
        let id: String = row.get(0)?;
        let stage: String = row.get(4)?;
        let competitors: String = row.get(6)?;
        Ok(DealSummary {
            stage: from_enum::<DealStage>(ENTITY, &id, "stage", &stage)?,
            competitors: from_json(ENTITY, &id, "competitors", &competitors)?,
            name: row.get(1)?,
            company: row.get(2)?,
            amount_cents: row.get(3)?,
            close_date: row.get(5)?,
            owner: row.get(7)?,
            updated_at: row.get(8)?,
            id,
        })
    })?;
    Ok(Page {
        items,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        offset: q.offset,
        limit,
    })
}

/// A deal with its lead, timeline (newest first), proposals, calls and the battle
/// cards of the competitors it names (matched case-insensitively).
pub fn detail(conn: &Connection, id: &str) -> Result<DealDetail> {
    let deal = get(conn, id)?;
    let lead = match &deal.lead_id {
        Some(lead_id) => leads::find(conn, lead_id)?,
        None => None,
    };
    let wanted: HashSet<String> = deal.competitors.iter().map(|c| c.to_lowercase()).collect();
    let battle_cards = battle_cards::list(conn)?
        .into_iter()
        .filter(|b| wanted.contains(&b.competitor.to_lowercase()))
        .collect();
    Ok(DealDetail {
        lead,
        timeline: activities::for_deal(conn, id)?,
        proposals: proposals::for_deal(conn, id)?,
        calls: calls::for_deal(conn, id)?,
        battle_cards,
        deal,
    })
}

/// Deletes a deal (its timeline goes with it; proposals and calls stay, unlinked).
pub fn delete(tx: &Transaction, id: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM deals WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}
