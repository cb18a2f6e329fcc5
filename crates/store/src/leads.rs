//! Leads: the companies a rep may sell to.

use closer_types::{
    new_id, EnumText, FieldError, Lead, LeadDraft, LeadQuery, LeadScore, LeadSort, LeadStatus,
    LeadSummary, Millis, Page, ScoreBreakdown, SortDir,
};
use rusqlite::{params, params_from_iter, types::Value, Connection, Row, Transaction};

use crate::codec::{clean, collect, first, from_enum, from_json, to_json};
use crate::{page_limit, search, Result, StoreError};

const ENTITY: &str = "lead";

const COLUMNS: &str = "id, company, domain, industry, employee_count, contacts, source, status, \
     owner, score, score_budget, score_authority, score_need, score_timeline, score_rationale, \
     scored_at, created_at, updated_at";

const INSERT: &str = "INSERT INTO leads (id, company, domain, industry, employee_count, contacts, \
     source, status, owner, score, score_budget, score_authority, score_need, score_timeline, \
     score_rationale, scored_at, created_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

/// The FTS columns the list's text filter looks at.
const FILTER_COLUMNS: &str = "{company domain contact_names}";

fn score_u8(v: Option<i64>) -> u8 {
    v.unwrap_or(0).clamp(0, 100) as u8
}

fn from_row(row: &Row<'_>) -> Result<Lead> {
    let id: String = row.get(0)?;
    let contacts: String = row.get(5)?;
    let status: String = row.get(7)?;
    let score: Option<i64> = row.get(9)?;
    let scored_at: Option<Millis> = row.get(15)?;
    let score = match (score, scored_at) {
        (Some(s), at) => Some(LeadScore {
            score: score_u8(Some(s)),
            breakdown: ScoreBreakdown {
                budget: score_u8(row.get(10)?),
                authority: score_u8(row.get(11)?),
                need: score_u8(row.get(12)?),
                timeline: score_u8(row.get(13)?),
            },
            rationale: row.get(14)?,
            scored_at: at.unwrap_or(0),
        }),
        (None, _) => None,
    };
    Ok(Lead {
        contacts: from_json(ENTITY, &id, "contacts", &contacts)?,
        status: from_enum(ENTITY, &id, "status", &status)?,
        company: row.get(1)?,
        domain: row.get(2)?,
        industry: row.get(3)?,
        employee_count: row.get(4)?,
        source: row.get(6)?,
        owner: row.get(8)?,
        score,
        created_at: row.get(16)?,
        updated_at: row.get(17)?,
        id,
    })
}

/// The lead as stored: trimmed text, blank optional fields as `None`.
fn normalized(id: String, d: &LeadDraft, created_at: Millis, updated_at: Millis) -> Lead {
    Lead {
        id,
        company: d.company.trim().to_string(),
        domain: clean(&d.domain),
        industry: clean(&d.industry),
        employee_count: d.employee_count,
        contacts: d.contacts.clone(),
        source: clean(&d.source),
        status: d.status,
        owner: clean(&d.owner),
        score: None,
        created_at,
        updated_at,
    }
}

/// Runs `stmt` with a lead's columns bound in table order as `?1`..`?18` (id first): the
/// insert here, and the sync's update of a row it already has.
pub(crate) fn execute_with(stmt: &mut rusqlite::CachedStatement<'_>, lead: &Lead) -> Result<()> {
    let s = lead.score.as_ref();
    stmt.execute(params![
        lead.id,
        lead.company,
        lead.domain,
        lead.industry,
        lead.employee_count,
        to_json(&lead.contacts)?,
        lead.source,
        lead.status.as_str(),
        lead.owner,
        s.map(|s| s.score),
        s.map(|s| s.breakdown.budget),
        s.map(|s| s.breakdown.authority),
        s.map(|s| s.breakdown.need),
        s.map(|s| s.breakdown.timeline),
        s.and_then(|s| s.rationale.clone()),
        s.map(|s| s.scored_at),
        lead.created_at,
        lead.updated_at,
    ])?;
    Ok(())
}

/// Validates and creates a lead.
pub fn create(tx: &Transaction, draft: &LeadDraft, now: Millis) -> Result<Lead> {
    draft.validate().map_err(StoreError::Invalid)?;
    let lead = normalized(new_id(), draft, now, now);
    insert(tx, &lead)?;
    Ok(lead)
}

/// Stores a lead verbatim (id, timestamps and score included), e.g. demo data.
pub fn insert(tx: &Transaction, lead: &Lead) -> Result<()> {
    let mut stmt = tx.prepare_cached(INSERT)?;
    execute_with(&mut stmt, lead)
}

/// Rows per statement in [`insert_many`]. Writing an FTS5 table inside a statement
/// that needs a statement journal (our triggers make every insert one) flushes
/// FTS5's pending terms at the start of each statement; one statement per row would
/// write one tiny index segment per lead, so rows go in multi-row batches
/// (1000 rows x 11 parameters stays far below SQLite's 32766-parameter limit).
const BATCH: usize = 1000;

/// Columns written by [`insert_many`] (the score columns stay NULL).
const BATCH_COLUMNS: usize = 11;

fn batch_insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO leads (id, company, domain, industry, employee_count, contacts, source, \
         status, owner, created_at, updated_at) VALUES ",
    );
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..BATCH_COLUMNS {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("?{}", r * BATCH_COLUMNS + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// Validates and creates many leads, [`BATCH`] rows per (reused, cached) statement,
/// calling `progress` with the number written so far every 1000 rows and once at
/// the end. Any invalid draft fails the whole call (field names are prefixed with
/// `leads[i].`); run it in one [`crate::Store::write`] so nothing is kept then.
pub fn insert_many(
    tx: &Transaction,
    drafts: &[LeadDraft],
    now: Millis,
    progress: &mut dyn FnMut(u64),
) -> Result<u64> {
    let mut done = 0u64;
    let mut values: Vec<Value> = Vec::with_capacity(BATCH * BATCH_COLUMNS);
    let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    for (b, chunk) in drafts.chunks(BATCH).enumerate() {
        values.clear();
        for (j, draft) in chunk.iter().enumerate() {
            let i = b * BATCH + j;
            draft.validate().map_err(|errs| {
                StoreError::Invalid(
                    errs.into_iter()
                        .map(|e| FieldError::new(&format!("leads[{i}].{}", e.field), e.reason))
                        .collect(),
                )
            })?;
            let l = normalized(new_id(), draft, now, now);
            values.extend([
                Value::Text(l.id),
                Value::Text(l.company),
                text(&l.domain),
                text(&l.industry),
                l.employee_count.map_or(Value::Null, Value::Integer),
                Value::Text(to_json(&l.contacts)?),
                text(&l.source),
                Value::Text(l.status.as_str().to_string()),
                text(&l.owner),
                Value::Integer(l.created_at),
                Value::Integer(l.updated_at),
            ]);
        }
        let n = tx
            .prepare_cached(&batch_insert_sql(chunk.len()))?
            .execute(params_from_iter(values.iter()))?;
        let before = done;
        done += n as u64;
        if done / 1000 > before / 1000 && done < drafts.len() as u64 {
            progress(done);
        }
    }
    progress(done);
    Ok(done)
}

/// Validates and replaces the editable fields of a lead (its score is kept).
pub fn update(tx: &Transaction, id: &str, draft: &LeadDraft, now: Millis) -> Result<Lead> {
    draft.validate().map_err(StoreError::Invalid)?;
    let old = get(tx, id)?;
    let lead = Lead {
        score: old.score,
        ..normalized(old.id, draft, old.created_at, now)
    };
    tx.execute(
        "UPDATE leads SET company = ?2, domain = ?3, industry = ?4, employee_count = ?5, \
         contacts = ?6, source = ?7, status = ?8, owner = ?9, updated_at = ?10 WHERE id = ?1",
        params![
            lead.id,
            lead.company,
            lead.domain,
            lead.industry,
            lead.employee_count,
            to_json(&lead.contacts)?,
            lead.source,
            lead.status.as_str(),
            lead.owner,
            lead.updated_at,
        ],
    )?;
    Ok(lead)
}

/// Records a lead's score (each part 0-100).
pub fn set_score(tx: &Transaction, id: &str, score: &LeadScore, now: Millis) -> Result<()> {
    let b = &score.breakdown;
    let parts = [
        ("score", score.score),
        ("breakdown.budget", b.budget),
        ("breakdown.authority", b.authority),
        ("breakdown.need", b.need),
        ("breakdown.timeline", b.timeline),
    ];
    let errs: Vec<FieldError> = parts
        .iter()
        .filter(|(_, v)| *v > 100)
        .map(|(f, _)| FieldError::new(f, "must be between 0 and 100"))
        .collect();
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let n = tx.execute(
        "UPDATE leads SET score = ?2, score_budget = ?3, score_authority = ?4, score_need = ?5, \
         score_timeline = ?6, score_rationale = ?7, scored_at = ?8, updated_at = ?9 WHERE id = ?1",
        params![
            id,
            score.score,
            b.budget,
            b.authority,
            b.need,
            b.timeline,
            score.rationale,
            score.scored_at,
            now
        ],
    )?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}

/// Deletes a lead (its deals, proposals and calls keep existing, unlinked).
pub fn delete(tx: &Transaction, id: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM leads WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Lead> {
    find(conn, id)?.ok_or_else(|| StoreError::not_found(ENTITY, id))
}

/// Like [`get`], `None` when there is no such lead.
pub fn find(conn: &Connection, id: &str) -> Result<Option<Lead>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM leads WHERE id = ?1"))?;
    first(&mut stmt, [id], from_row)
}

/// One page of leads, filtered, sorted, with the total the filter matches.
pub fn list(conn: &Connection, q: &LeadQuery) -> Result<Page<LeadSummary>> {
    let limit = page_limit(q.limit);
    let mut filters = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(status) = q.status {
        args.push(Value::Text(status.as_str().to_string()));
        filters.push(format!("status = ?{}", args.len()));
    }
    if let Some(text) = q.text.as_deref() {
        // Emails are not in the index: an address is matched in the contacts.
        let (emails, rest) = search::split_emails(text);
        for email in emails {
            args.push(Value::Text(email));
            filters.push(format!("instr(lower(contacts), ?{}) > 0", args.len()));
        }
        if let Some(m) = search::fts_query(&rest, Some(FILTER_COLUMNS)) {
            args.push(Value::Text(m));
            filters.push(format!(
                "rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?{})",
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
        .prepare_cached(&format!("SELECT count(*) FROM leads {where_}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;

    let dir = match q.dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    };
    let order = match q.sort {
        LeadSort::UpdatedAt => format!("updated_at {dir}, rowid {dir}"),
        LeadSort::Company => format!("company COLLATE NOCASE {dir}, rowid {dir}"),
        LeadSort::Score => format!("score {dir}, updated_at {dir}, rowid {dir}"),
    };
    args.push(Value::Integer(i64::from(limit)));
    args.push(Value::Integer(i64::from(q.offset)));
    let n = args.len();
    let sql = format!(
        "SELECT id, company, industry, employee_count, status, owner, score, \
         json_extract(contacts, '$[0].name'), updated_at \
         FROM leads {where_} ORDER BY {order} LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let items = collect(&mut stmt, params_from_iter(args.iter()), |row| {
        let id: String = row.get(0)?;
        let status: String = row.get(4)?;
        let score: Option<i64> = row.get(6)?;
        Ok(LeadSummary {
            status: from_enum::<LeadStatus>(ENTITY, &id, "status", &status)?,
            company: row.get(1)?,
            industry: row.get(2)?,
            employee_count: row.get(3)?,
            owner: row.get(5)?,
            score: score.map(|s| score_u8(Some(s))),
            primary_contact: row.get(7)?,
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

/// Number of leads.
pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM leads", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
