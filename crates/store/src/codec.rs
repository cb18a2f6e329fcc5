//! Row <-> domain helpers shared by the repositories.

use closer_types::EnumText;
use rusqlite::{Params, Row, Statement};
use serde::{de::DeserializeOwned, Serialize};

use crate::{Result, StoreError};

/// Lists and sub-objects go to JSON TEXT columns.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    // Serializing our plain data types cannot fail; map it anyway rather than unwrap.
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        entity: "value",
        id: String::new(),
        reason: format!("cannot encode as JSON: {e}"),
    })
}

pub(crate) fn from_json<T: DeserializeOwned>(
    entity: &'static str,
    id: &str,
    column: &str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        entity,
        id: id.to_string(),
        reason: format!("column {column}: {e}"),
    })
}

pub(crate) fn opt_from_json<T: DeserializeOwned>(
    entity: &'static str,
    id: &str,
    column: &str,
    text: Option<String>,
) -> Result<Option<T>> {
    text.map(|t| from_json(entity, id, column, &t)).transpose()
}

pub(crate) fn from_enum<E: EnumText>(
    entity: &'static str,
    id: &str,
    column: &str,
    text: &str,
) -> Result<E> {
    E::parse(text).ok_or_else(|| StoreError::Corrupt {
        entity,
        id: id.to_string(),
        reason: format!("column {column}: unknown value '{text}'"),
    })
}

/// Runs `stmt` and decodes every row with `f` (which may fail with a store error,
/// unlike `query_map`'s closure).
pub(crate) fn collect<T, P: Params>(
    stmt: &mut Statement<'_>,
    params: P,
    mut f: impl FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(f(row)?);
    }
    Ok(out)
}

/// Like [`collect`] for a single row: `None` when there is none.
pub(crate) fn first<T, P: Params>(
    stmt: &mut Statement<'_>,
    params: P,
    f: impl FnOnce(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let mut rows = stmt.query(params)?;
    match rows.next()? {
        Some(row) => Ok(Some(f(row)?)),
        None => Ok(None),
    }
}

/// Trims an optional text field; blank becomes `None`.
pub(crate) fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Adds a field error for each `(field, table, id)` whose id is set but names no row
/// of `table` (a deal or lead the caller refers to). `table` is one of our own table
/// names, never user text.
pub(crate) fn check_refs(
    conn: &rusqlite::Connection,
    refs: &[(&str, &str, &Option<String>)],
    errs: &mut Vec<closer_types::FieldError>,
) -> Result<()> {
    for (field, table, id) in refs {
        if let Some(id) = id {
            let exists: bool = conn.query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
                [id],
                |r| r.get(0),
            )?;
            if !exists {
                errs.push(closer_types::FieldError::new(
                    field,
                    format!("no such record: {id}"),
                ));
            }
        }
    }
    Ok(())
}
