//! Content library: case studies, decks, one-pagers ...

use closer_types::{
    new_id, ContentDraft, ContentItem, ContentKind, ContentQuery, ContentStats, ContentSummary,
    EnumText, Millis, Page,
};
use rusqlite::{params, params_from_iter, types::Value, Connection, Row, Transaction};

use crate::codec::{clean, collect, first, from_enum, from_json, to_json};
use crate::{page_limit, Result, StoreError};

const ENTITY: &str = "content_item";

const COLUMNS: &str = "id, title, kind, industries, personas, topics, body, source_path, views, \
     uses, deals_influenced, deals_won, last_used_at, created_at, updated_at";

fn count_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn stats_at(row: &Row<'_>, i: usize) -> Result<ContentStats> {
    Ok(ContentStats {
        views: count_u32(row.get(i)?),
        uses: count_u32(row.get(i + 1)?),
        deals_influenced: count_u32(row.get(i + 2)?),
        deals_won: count_u32(row.get(i + 3)?),
        last_used_at: row.get(i + 4)?,
    })
}

fn from_row(row: &Row<'_>) -> Result<ContentItem> {
    let id: String = row.get(0)?;
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    Ok(ContentItem {
        title: row.get(1)?,
        kind: from_enum(ENTITY, &id, "kind", &text(2)?)?,
        industries: from_json(ENTITY, &id, "industries", &text(3)?)?,
        personas: from_json(ENTITY, &id, "personas", &text(4)?)?,
        topics: from_json(ENTITY, &id, "topics", &text(5)?)?,
        body: row.get(6)?,
        source_path: row.get(7)?,
        stats: stats_at(row, 8)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
        id,
    })
}

fn trimmed(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn apply(item: &mut ContentItem, d: &ContentDraft) {
    item.title = d.title.trim().to_string();
    item.kind = d.kind;
    item.industries = trimmed(&d.industries);
    item.personas = trimmed(&d.personas);
    item.topics = trimmed(&d.topics);
    item.body = d.body.clone();
    item.source_path = clean(&d.source_path);
}

/// One page of the library, newest change first, filtered by kind, industry and
/// persona (exact, case-insensitive).
pub fn list(conn: &Connection, q: &ContentQuery) -> Result<Page<ContentSummary>> {
    let limit = page_limit(q.limit);
    let mut filters = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(kind) = q.kind {
        args.push(Value::Text(kind.as_str().to_string()));
        filters.push(format!("kind = ?{}", args.len()));
    }
    for (column, value) in [("industries", &q.industry), ("personas", &q.persona)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            args.push(Value::Text(v.to_string()));
            filters.push(format!(
                "EXISTS (SELECT 1 FROM json_each(content_items.{column}) \
                 WHERE json_each.value = ?{} COLLATE NOCASE)",
                args.len()
            ));
        }
    }
    let where_ = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM content_items {where_}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    args.push(Value::Integer(i64::from(limit)));
    args.push(Value::Integer(i64::from(q.offset)));
    let n = args.len();
    let sql = format!(
        "SELECT id, title, kind, industries, personas, views, uses, deals_influenced, deals_won, \
         last_used_at, updated_at FROM content_items {where_} \
         ORDER BY updated_at DESC, id DESC LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = collect(&mut stmt, params_from_iter(args.iter()), |row| {
        let id: String = row.get(0)?;
        let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
        Ok(ContentSummary {
            title: row.get(1)?,
            kind: from_enum::<ContentKind>(ENTITY, &id, "kind", &text(2)?)?,
            industries: from_json(ENTITY, &id, "industries", &text(3)?)?,
            personas: from_json(ENTITY, &id, "personas", &text(4)?)?,
            stats: stats_at(row, 5)?,
            updated_at: row.get(10)?,
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

pub fn get(conn: &Connection, id: &str) -> Result<ContentItem> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM content_items WHERE id = ?1"
    ))?;
    first(&mut stmt, [id], from_row)?.ok_or_else(|| StoreError::not_found(ENTITY, id))
}

/// Full items to draw on for a proposal or an analysis: those tagged with `industry`
/// first, then the rest, each group most-used first; at most `limit`.
pub fn for_context(
    conn: &Connection,
    industry: Option<&str>,
    limit: u32,
) -> Result<Vec<ContentItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM content_items
         ORDER BY (?1 IS NOT NULL AND EXISTS (
                     SELECT 1 FROM json_each(industries) WHERE lower(value) = lower(?1))) DESC,
                  deals_won DESC, uses DESC, updated_at DESC, id
         LIMIT ?2"
    ))?;
    collect(&mut stmt, rusqlite::params![industry, limit], from_row)
}

/// Validates and creates an item (with zeroed usage stats).
pub fn create(tx: &Transaction, draft: &ContentDraft, now: Millis) -> Result<ContentItem> {
    draft.validate().map_err(StoreError::Invalid)?;
    let mut item = ContentItem {
        id: new_id(),
        title: String::new(),
        kind: draft.kind,
        industries: Vec::new(),
        personas: Vec::new(),
        topics: Vec::new(),
        body: String::new(),
        source_path: None,
        stats: ContentStats::default(),
        created_at: now,
        updated_at: now,
    };
    apply(&mut item, draft);
    insert(tx, &item)?;
    Ok(item)
}

/// Validates and replaces an item's editable fields (its stats are kept).
pub fn update(
    tx: &Transaction,
    id: &str,
    draft: &ContentDraft,
    now: Millis,
) -> Result<ContentItem> {
    draft.validate().map_err(StoreError::Invalid)?;
    let mut item = get(tx, id)?;
    apply(&mut item, draft);
    item.updated_at = now;
    tx.execute(
        "UPDATE content_items SET title = ?2, kind = ?3, industries = ?4, personas = ?5, \
         topics = ?6, body = ?7, source_path = ?8, updated_at = ?9 WHERE id = ?1",
        params![
            item.id,
            item.title,
            item.kind.as_str(),
            to_json(&item.industries)?,
            to_json(&item.personas)?,
            to_json(&item.topics)?,
            item.body,
            item.source_path,
            item.updated_at,
        ],
    )?;
    Ok(item)
}

/// Stores an item verbatim (e.g. demo data).
pub fn insert(tx: &Transaction, item: &ContentItem) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO content_items (id, title, kind, industries, personas, topics, body, \
         source_path, views, uses, deals_influenced, deals_won, last_used_at, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        item.id,
        item.title,
        item.kind.as_str(),
        to_json(&item.industries)?,
        to_json(&item.personas)?,
        to_json(&item.topics)?,
        item.body,
        item.source_path,
        item.stats.views,
        item.stats.uses,
        item.stats.deals_influenced,
        item.stats.deals_won,
        item.stats.last_used_at,
        item.created_at,
        item.updated_at,
    ])?;
    Ok(())
}

/// Deletes an item.
pub fn delete(tx: &Transaction, id: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM content_items WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}
