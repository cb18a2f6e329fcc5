//! Lead import from Salesforce and HubSpot CSV exports: preview, mapping, row-level errors.
//!
//! What this crate knows:
//! - the column names Salesforce (report/list exports and Data Loader API names) and HubSpot
//!   (contact and company exports) write, matched case- and space-insensitively, and which
//!   [`LeadField`] each fills; every other column is listed in `ignored_columns` so the user
//!   sees what is dropped;
//! - how those CRMs write values: lead statuses and HubSpot lifecycle stages (mapped to
//!   [`LeadStatus`], unknown values become `new`), employee counts (`1,200`, `1.200`,
//!   `10,001+`, and ranges such as `51-200`, which become their **midpoint rounded down**,
//!   here 125), websites (reduced to a bare domain);
//! - text encodings: UTF-8 with or without a byte order mark, UTF-16LE/BE with one; the
//!   delimiter: comma, or semicolon/tab when the header clearly uses it (or Excel's `sep=;`);
//! - the limits: [`MAX_FILE_BYTES`], [`MAX_LINE_BYTES`] per line or cell, [`MAX_ROWS`].
//!
//! Rows of one company (same company name once case, spaces and punctuation are ignored, or
//! same domain) merge into one [`LeadDraft`] with several contacts; the first row's company
//! fields win, later rows only fill fields the first left empty. Rows whose cells are all
//! blank are skipped and not counted.
//!
//! Import is all or nothing: [`parse`] fails with [`ImportError::Rows`] if any row is wrong,
//! and [`preview`] lists the problems (at most [`MAX_ERRORS`]) without failing.
//!
//! What it does not know: the database, duplicates against leads already stored, the UI,
//! and any CRM API. It never writes anything; it only reads the file it is given.

mod columns;
mod decode;
mod error;
mod values;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use closer_types::{
    looks_like_email, ColumnMapping, Contact, CrmFormat, ImportPreview, LeadDraft, LeadField,
    LeadStatus, RowError,
};

use columns::{Layout, StatusKind};
pub use error::{ImportError, Result};

/// Largest file accepted: 200 MB.
pub const MAX_FILE_BYTES: u64 = 200_000_000;
/// Longest physical line, and longest cell, accepted: 64 KiB.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Most data rows in one file.
pub const MAX_ROWS: u64 = 250_000;
/// Most row errors reported; past that the list says it is truncated.
pub const MAX_ERRORS: usize = 200;

/// A file read in full, every row valid.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImport {
    pub format: CrmFormat,
    /// "UTF-8", "UTF-16LE" or "UTF-16BE".
    pub encoding: String,
    pub columns: Vec<ColumnMapping>,
    /// Headers of the columns that fill no lead field.
    pub ignored_columns: Vec<String>,
    /// Data rows read (blank rows are not counted).
    pub rows: u64,
    /// One per company, in the order companies first appear.
    pub leads: Vec<LeadDraft>,
}

/// Reads the file and tells what an import would do, listing every row problem.
/// Never writes anything. Fails only when the file as a whole cannot be read as an export.
pub fn preview(path: &Path, sample_rows: usize) -> Result<ImportPreview> {
    let bytes = read_file(path)?;
    let a = analyze(&bytes, &file_name(path))?;
    Ok(a.into_preview(path.display().to_string(), sample_rows))
}

/// [`preview`] of bytes already in memory; `name` is used in messages and as the path.
pub fn preview_bytes(bytes: &[u8], name: &str, sample_rows: usize) -> Result<ImportPreview> {
    Ok(analyze(bytes, name)?.into_preview(name.to_string(), sample_rows))
}

/// Reads the whole file; fails with [`ImportError::Rows`] if any row is wrong.
pub fn parse(path: &Path) -> Result<ParsedImport> {
    let bytes = read_file(path)?;
    parse_bytes(&bytes, &file_name(path))
}

/// The last part of a path, as messages show it.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// [`parse`] of bytes already in memory; `name` (usually the file name) is used in messages.
pub fn parse_bytes(bytes: &[u8], name: &str) -> Result<ParsedImport> {
    let a = analyze(bytes, name)?;
    if !a.errors.is_empty() {
        return Err(ImportError::Rows {
            errors: a.errors,
            truncated: a.truncated,
        });
    }
    Ok(ParsedImport {
        format: a.format,
        encoding: a.encoding.to_string(),
        columns: a.columns,
        ignored_columns: a.ignored,
        rows: a.rows,
        leads: a.leads,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| ImportError::Io {
        path: path.display().to_string(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "there is no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        },
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ImportError::Io {
            path: path.display().to_string(),
            reason: "it is a folder, not a file".to_string(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            name: file_name(path),
            bytes: meta.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    std::fs::read(path).map_err(io)
}

struct Analysis {
    format: CrmFormat,
    encoding: &'static str,
    columns: Vec<ColumnMapping>,
    ignored: Vec<String>,
    rows: u64,
    leads: Vec<LeadDraft>,
    errors: Vec<RowError>,
    truncated: bool,
}

impl Analysis {
    fn into_preview(self, path: String, sample_rows: usize) -> ImportPreview {
        ImportPreview {
            path,
            lead_count: self.leads.len() as u64,
            format: self.format,
            encoding: self.encoding.to_string(),
            columns: self.columns,
            ignored_columns: self.ignored,
            sample: self.leads.into_iter().take(sample_rows).collect(),
            row_count: self.rows,
            errors: self.errors,
            errors_truncated: self.truncated,
        }
    }
}

fn malformed(e: &csv::Error, line_offset: u64) -> ImportError {
    let line = e.position().map_or(0, csv::Position::line) + line_offset;
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    ImportError::Malformed { line, reason }
}

fn analyze(bytes: &[u8], name: &str) -> Result<Analysis> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    let empty = || ImportError::Empty {
        name: name.to_string(),
    };
    if bytes.is_empty() {
        return Err(empty());
    }
    let decoded = decode::decode(bytes)?;
    let text: &str = &decoded.text;
    if text.trim().is_empty() {
        return Err(empty());
    }
    let (delimiter, skip) = decode::sniff_delimiter(text);
    let (body, line_offset) = if skip > 0 {
        (text.split_once('\n').map_or("", |(_, rest)| rest), 1)
    } else {
        (text, 0)
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut rec = csv::StringRecord::new();
    if !rdr
        .read_record(&mut rec)
        .map_err(|e| malformed(&e, line_offset))?
    {
        return Err(empty());
    }
    let headers: Vec<String> = rec.iter().map(|h| h.trim().to_string()).collect();
    let first_line = || values::clip(body.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    let layout = columns::layout(&headers).ok_or_else(|| ImportError::NoHeader {
        first_line: first_line(),
    })?;
    if !layout.has(LeadField::Company) {
        let needed = match layout.format {
            CrmFormat::Hubspot => "Company Name",
            CrmFormat::Salesforce | CrmFormat::Generic => "Company",
        };
        return Err(ImportError::MissingColumns {
            format: layout.format,
            missing: vec![needed.to_string()],
            found_headers: headers,
        });
    }

    let mut acc = Accumulator::default();
    let mut rows: u64 = 0;
    loop {
        let more = rdr
            .read_record(&mut rec)
            .map_err(|e| malformed(&e, line_offset))?;
        if !more {
            break;
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if rows > MAX_ROWS {
            rows += count_remaining(&mut rdr, line_offset)?;
            return Err(ImportError::TooManyRows {
                rows,
                limit: MAX_ROWS,
            });
        }
        let start = rec.position().cloned().unwrap_or_else(csv::Position::new);
        let line = start.line() + line_offset;
        if let Some(reason) = shape_problem(&rec, headers.len(), body, &start, rdr.position()) {
            acc.error(RowError {
                line,
                column: None,
                reason,
            });
            continue;
        }
        if let Some(big) = rec.iter().map(str::len).max() {
            if big > MAX_LINE_BYTES {
                return Err(ImportError::LineTooLong {
                    line,
                    bytes: big as u64,
                });
            }
        }
        acc.row(&rec, line, &layout, &headers);
    }
    if rows == 0 {
        return Err(ImportError::NoRows {
            name: name.to_string(),
        });
    }
    Ok(Analysis {
        format: layout.format,
        encoding: decoded.encoding,
        columns: layout.mappings,
        ignored: layout.ignored,
        rows,
        leads: acc.leads,
        errors: acc.errors,
        truncated: acc.truncated,
    })
}

/// Data rows left in the reader (blank rows not counted).
fn count_remaining(rdr: &mut csv::Reader<&[u8]>, line_offset: u64) -> Result<u64> {
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| malformed(&e, line_offset))?
    {
        if !rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            n += 1;
        }
    }
    Ok(n)
}

/// A row with the wrong number of cells, or an opening quote never closed.
fn shape_problem(
    rec: &csv::StringRecord,
    want: usize,
    body: &str,
    start: &csv::Position,
    end: &csv::Position,
) -> Option<String> {
    let raw = body
        .get(start.byte() as usize..end.byte() as usize)
        .unwrap_or("");
    let spans = end.line().saturating_sub(start.line());
    let odd_quotes = raw.bytes().filter(|&b| b == b'"').count() % 2 == 1;
    if odd_quotes && (spans > 1 || rec.len() != want) {
        let last = start.line() + spans.max(1) - 1;
        return Some(if spans > 1 {
            format!(
                "A quote (\") opens a cell that is never closed, so lines {} to {} were read as one row; remove the stray quote or close it.",
                start.line(),
                last
            )
        } else {
            "A quote (\") opens a cell that is never closed; remove the stray quote or close it."
                .to_string()
        });
    }
    let extra_blank = rec.len() > want && rec.iter().skip(want).all(|f| f.trim().is_empty());
    if rec.len() != want && !extra_blank {
        return Some(format!(
            "This row has {} cells but the header has {}; a separator or quote is probably misplaced.",
            rec.len(),
            want
        ));
    }
    None
}

/// The first non-empty (trimmed) cell among `cols`, with its column index.
fn first<'r>(
    rec: &'r csv::StringRecord,
    cols: &[(usize, Option<StatusKind>)],
) -> Option<(&'r str, usize)> {
    cols.iter().find_map(|&(i, _)| {
        rec.get(i)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (v, i))
    })
}

fn status_of(rec: &csv::StringRecord, cols: &[(usize, Option<StatusKind>)]) -> LeadStatus {
    let cell = |i: usize| rec.get(i).map(str::trim).unwrap_or("");
    let lifecycle = cols
        .iter()
        .filter(|(_, k)| *k == Some(StatusKind::Lifecycle))
        .find_map(|&(i, _)| values::lifecycle_stage(cell(i)));
    // A customer is a customer, whatever the lead status column still says.
    if lifecycle == Some(LeadStatus::Won) {
        return LeadStatus::Won;
    }
    cols.iter()
        .filter(|(_, k)| *k == Some(StatusKind::LeadStatus))
        .find_map(|&(i, _)| values::lead_status(cell(i)))
        .or(lifecycle)
        .unwrap_or_default()
}

/// Leads built so far, the keys they merge on, and the row errors.
#[derive(Default)]
struct Accumulator {
    leads: Vec<LeadDraft>,
    by_name: HashMap<String, usize>,
    by_domain: HashMap<String, usize>,
    contacts_seen: HashSet<(usize, String)>,
    errors: Vec<RowError>,
    truncated: bool,
}

impl Accumulator {
    fn error(&mut self, e: RowError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.truncated = true;
        }
    }

    fn row(&mut self, rec: &csv::StringRecord, line: u64, layout: &Layout, headers: &[String]) {
        let header = |i: usize| headers.get(i).cloned();
        let get = |f: LeadField| first(rec, layout.columns_for(f));
        let mut bad = false;

        let company = get(LeadField::Company).map(|(v, _)| v.to_string());
        if company.is_none() {
            let col = layout
                .columns_for(LeadField::Company)
                .first()
                .and_then(|&(i, _)| header(i));
            self.error(RowError {
                line,
                column: col,
                reason: "The company is empty; every lead needs a company name.".to_string(),
            });
            bad = true;
        }
        let email = get(LeadField::ContactEmail);
        if let Some((e, i)) = email {
            if !looks_like_email(e) {
                self.error(RowError {
                    line,
                    column: header(i),
                    reason: format!("\"{}\" is not an email address.", values::clip(e)),
                });
                bad = true;
            }
        }
        let mut employee_count = None;
        if let Some((raw, i)) = get(LeadField::EmployeeCount) {
            match values::employee_count(raw) {
                Ok(n) => employee_count = n,
                Err(reason) => {
                    self.error(RowError {
                        line,
                        column: header(i),
                        reason,
                    });
                    bad = true;
                }
            }
        }
        let Some(company) = company else { return };
        if bad {
            return;
        }

        let text = |f: LeadField| get(f).map(|(v, _)| v.to_string());
        let name = match get(LeadField::ContactFullName) {
            Some((full, _)) => full.to_string(),
            None => {
                let parts: Vec<&str> = [LeadField::ContactFirstName, LeadField::ContactLastName]
                    .into_iter()
                    .filter_map(|f| get(f).map(|(v, _)| v))
                    .collect();
                parts.join(" ")
            }
        };
        let contact = Contact {
            name,
            title: text(LeadField::ContactTitle),
            email: email.map(|(e, _)| e.to_string()),
            phone: text(LeadField::ContactPhone),
        };
        let draft = LeadDraft {
            company,
            domain: get(LeadField::Domain).and_then(|(v, _)| values::domain(v)),
            industry: text(LeadField::Industry),
            employee_count,
            contacts: Vec::new(),
            source: text(LeadField::Source),
            status: status_of(rec, layout.columns_for(LeadField::Status)),
            owner: text(LeadField::Owner),
        };
        self.merge(draft, contact);
    }

    fn merge(&mut self, draft: LeadDraft, mut contact: Contact) {
        let mut key = values::company_key(&draft.company);
        if key.is_empty() {
            key = draft.company.to_lowercase();
        }
        let found = draft
            .domain
            .as_ref()
            .and_then(|d| self.by_domain.get(d))
            .or_else(|| self.by_name.get(&key))
            .copied();
        let idx = match found {
            Some(idx) => {
                if let Some(lead) = self.leads.get_mut(idx) {
                    fill(&mut lead.domain, draft.domain.clone());
                    fill(&mut lead.industry, draft.industry);
                    fill(&mut lead.employee_count, draft.employee_count);
                    fill(&mut lead.source, draft.source);
                    fill(&mut lead.owner, draft.owner);
                    if let Some(d) = &lead.domain {
                        self.by_domain.entry(d.clone()).or_insert(idx);
                    }
                }
                idx
            }
            None => {
                let idx = self.leads.len();
                if let Some(d) = &draft.domain {
                    self.by_domain.entry(d.clone()).or_insert(idx);
                }
                self.leads.push(draft);
                idx
            }
        };
        self.by_name.entry(key).or_insert(idx);

        let has_person = !contact.name.is_empty()
            || contact.email.is_some()
            || contact.phone.is_some()
            || contact.title.is_some();
        if !has_person {
            return;
        }
        if contact.name.is_empty() {
            contact.name = contact
                .email
                .clone()
                .or_else(|| contact.phone.clone())
                .unwrap_or_default();
        }
        let identity = match &contact.email {
            Some(e) => e.to_lowercase(),
            None => format!(
                "{}|{}",
                contact.name.to_lowercase(),
                contact.phone.as_deref().unwrap_or("")
            ),
        };
        if self.contacts_seen.insert((idx, identity)) {
            if let Some(lead) = self.leads.get_mut(idx) {
                lead.contacts.push(contact);
            }
        }
    }
}

/// The first row's value wins; a later row only fills a gap.
fn fill<T>(slot: &mut Option<T>, value: Option<T>) {
    if slot.is_none() {
        *slot = value;
    }
}
