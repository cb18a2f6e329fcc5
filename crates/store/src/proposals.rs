//! Proposals: markdown documents autosaved as the rep types, with versions.
//!
//! Invariant: `proposals.version` is the number of the newest `proposal_versions`
//! row of that proposal; every proposal has at least its version 1.

use closer_types::{
    new_id, EnumText, Millis, NewProposal, Proposal, ProposalEdit, ProposalSaved, ProposalStatus,
    ProposalSummary, ProposalVersion,
};
use rusqlite::{params, Connection, Row, Transaction};

use crate::codec::{clean, collect, first, from_enum};
use crate::{Result, StoreError};

const ENTITY: &str = "proposal";

/// Autosaves take a version snapshot at most this often (and only if the text changed).
pub const SNAPSHOT_EVERY_MS: Millis = 5 * 60 * 1000;

const COLUMNS: &str = "id, deal_id, lead_id, title, body, status, version, created_at, updated_at";

/// Summary columns, with the company from the proposal's lead or else its deal's lead.
const SUMMARY_SELECT: &str = "SELECT p.id, p.title, coalesce(l.company, dl.company), d.name, \
     p.status, p.version, p.updated_at FROM proposals p \
     LEFT JOIN deals d ON d.id = p.deal_id \
     LEFT JOIN leads l ON l.id = p.lead_id \
     LEFT JOIN leads dl ON dl.id = d.lead_id";

fn version_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

fn from_row(row: &Row<'_>) -> Result<Proposal> {
    let id: String = row.get(0)?;
    let status: String = row.get(5)?;
    Ok(Proposal {
        status: from_enum(ENTITY, &id, "status", &status)?,
        deal_id: row.get(1)?,
        lead_id: row.get(2)?,
        title: row.get(3)?,
        body: row.get(4)?,
        version: version_u32(row.get(6)?),
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        id,
    })
}

fn summary_from_row(row: &Row<'_>) -> Result<ProposalSummary> {
    let id: String = row.get(0)?;
    let status: String = row.get(4)?;
    Ok(ProposalSummary {
        status: from_enum(ENTITY, &id, "status", &status)?,
        title: row.get(1)?,
        company: row.get(2)?,
        deal_name: row.get(3)?,
        version: version_u32(row.get(5)?),
        updated_at: row.get(6)?,
        id,
    })
}

fn version_from_row(row: &Row<'_>) -> Result<ProposalVersion> {
    let proposal_id: String = row.get(0)?;
    let status: String = row.get(4)?;
    Ok(ProposalVersion {
        status: from_enum("proposal_version", &proposal_id, "status", &status)?,
        version: version_u32(row.get(1)?),
        title: row.get(2)?,
        body: row.get(3)?,
        saved_at: row.get(5)?,
        proposal_id,
    })
}

/// Every proposal, most recently changed first, with company and deal name.
pub fn list(conn: &Connection) -> Result<Vec<ProposalSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SUMMARY_SELECT} ORDER BY p.updated_at DESC, p.id DESC"
    ))?;
    collect(&mut stmt, [], summary_from_row)
}

/// A deal's proposals, most recently changed first.
pub fn for_deal(conn: &Connection, deal_id: &str) -> Result<Vec<ProposalSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SUMMARY_SELECT} WHERE p.deal_id = ?1 ORDER BY p.updated_at DESC, p.id DESC"
    ))?;
    collect(&mut stmt, [deal_id], summary_from_row)
}

pub fn get(conn: &Connection, id: &str) -> Result<Proposal> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM proposals WHERE id = ?1"))?;
    first(&mut stmt, [id], from_row)?.ok_or_else(|| StoreError::not_found(ENTITY, id))
}

/// Creates a draft proposal at version 1, with its first snapshot. The title must
/// not be blank; the deal / lead must exist.
pub fn create(tx: &Transaction, new: &NewProposal, now: Millis) -> Result<Proposal> {
    let mut errs = Vec::new();
    if new.title.trim().is_empty() {
        errs.push(closer_types::FieldError::new(
            "title",
            "a title is required",
        ));
    }
    let deal_id = clean(&new.deal_id);
    let lead_id = clean(&new.lead_id);
    crate::codec::check_refs(
        tx,
        &[
            ("deal_id", "deals", &deal_id),
            ("lead_id", "leads", &lead_id),
        ],
        &mut errs,
    )?;
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    let proposal = Proposal {
        id: new_id(),
        deal_id,
        lead_id,
        title: new.title.trim().to_string(),
        body: new.body.clone(),
        status: ProposalStatus::Draft,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    insert(tx, &proposal)?;
    Ok(proposal)
}

/// Stores a proposal verbatim (e.g. demo data), with a snapshot of it as its
/// current `version` (saved at its `updated_at`).
pub fn insert(tx: &Transaction, p: &Proposal) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO proposals (id, deal_id, lead_id, title, body, status, version, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.id,
        p.deal_id,
        p.lead_id,
        p.title,
        p.body,
        p.status.as_str(),
        p.version.max(1),
        p.created_at,
        p.updated_at,
    ])?;
    insert_version(tx, p, p.version.max(1), p.updated_at)?;
    Ok(())
}

fn insert_version(
    tx: &Transaction,
    p: &Proposal,
    version: u32,
    now: Millis,
) -> Result<ProposalVersion> {
    tx.prepare_cached(
        "INSERT INTO proposal_versions (id, proposal_id, version, title, body, status, saved_at, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
    )?
    .execute(params![
        new_id(),
        p.id,
        version,
        p.title,
        p.body,
        p.status.as_str(),
        now
    ])?;
    Ok(ProposalVersion {
        proposal_id: p.id.clone(),
        version,
        title: p.title.clone(),
        body: p.body.clone(),
        status: p.status,
        saved_at: now,
    })
}

fn last_version(conn: &Connection, id: &str) -> Result<Option<ProposalVersion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT proposal_id, version, title, body, status, saved_at FROM proposal_versions \
         WHERE proposal_id = ?1 ORDER BY version DESC LIMIT 1",
    )?;
    first(&mut stmt, [id], version_from_row)
}

/// An autosave: stores title and body, and takes a version snapshot when the last
/// one is at least [`SNAPSHOT_EVERY_MS`] old and the text differs from it. An edit
/// that changes nothing writes nothing.
pub fn save_edit(
    tx: &Transaction,
    id: &str,
    edit: &ProposalEdit,
    now: Millis,
) -> Result<ProposalSaved> {
    let mut p = get(tx, id)?;
    if p.title == edit.title && p.body == edit.body {
        return Ok(ProposalSaved {
            updated_at: p.updated_at,
            version: p.version,
        });
    }
    tx.execute(
        "UPDATE proposals SET title = ?2, body = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, edit.title, edit.body, now],
    )?;
    p.title.clone_from(&edit.title);
    p.body.clone_from(&edit.body);
    p.updated_at = now;
    let due = match last_version(tx, id)? {
        Some(v) => {
            now - v.saved_at >= SNAPSHOT_EVERY_MS && (v.title != p.title || v.body != p.body)
        }
        None => true,
    };
    if due {
        p.version = snapshot_of(tx, &p, now)?.version;
    }
    Ok(ProposalSaved {
        updated_at: now,
        version: p.version,
    })
}

/// Changes the status and snapshots the result (a no-op when it is unchanged).
pub fn set_status(
    tx: &Transaction,
    id: &str,
    status: ProposalStatus,
    now: Millis,
) -> Result<Proposal> {
    let mut p = get(tx, id)?;
    if p.status == status {
        return Ok(p);
    }
    tx.execute(
        "UPDATE proposals SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status.as_str(), now],
    )?;
    p.status = status;
    p.updated_at = now;
    p.version = snapshot_of(tx, &p, now)?.version;
    Ok(p)
}

/// Freezes the proposal as it is now into a new version.
pub fn snapshot(tx: &Transaction, id: &str, now: Millis) -> Result<ProposalVersion> {
    let p = get(tx, id)?;
    snapshot_of(tx, &p, now)
}

fn snapshot_of(tx: &Transaction, p: &Proposal, now: Millis) -> Result<ProposalVersion> {
    let version = p.version.saturating_add(1);
    let v = insert_version(tx, p, version, now)?;
    tx.execute(
        "UPDATE proposals SET version = ?2 WHERE id = ?1",
        params![p.id, version],
    )?;
    Ok(v)
}

/// A proposal's versions, newest first.
pub fn versions(conn: &Connection, id: &str) -> Result<Vec<ProposalVersion>> {
    get(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT proposal_id, version, title, body, status, saved_at FROM proposal_versions \
         WHERE proposal_id = ?1 ORDER BY version DESC",
    )?;
    collect(&mut stmt, [id], version_from_row)
}

/// Deletes a proposal and its versions.
pub fn delete(tx: &Transaction, id: &str) -> Result<()> {
    let n = tx.execute("DELETE FROM proposals WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::not_found(ENTITY, id));
    }
    Ok(())
}
