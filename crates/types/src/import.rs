use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::LeadDraft;

/// Which CRM wrote the file, recognised from its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CrmFormat {
    Salesforce,
    Hubspot,
    /// Neither: columns matched by their plain names (Company, Email ...).
    Generic,
}

/// The lead fields a CSV column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum LeadField {
    Company,
    Domain,
    Industry,
    EmployeeCount,
    ContactFirstName,
    ContactLastName,
    ContactFullName,
    ContactTitle,
    ContactEmail,
    ContactPhone,
    Source,
    Status,
    Owner,
}

/// What happens to one column of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ColumnMapping {
    /// 1-based column number, as a spreadsheet shows it.
    pub column: u32,
    pub header: String,
    /// `None`: the column is ignored (and the preview says so).
    pub field: Option<LeadField>,
}

/// A problem with one cell or row: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    #[specta(type = Number)]
    pub line: u64,
    /// The column's header, when the problem is in one cell.
    pub column: Option<String>,
    pub reason: String,
}

/// What the user sees before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ImportPreview {
    pub path: String,
    /// Leads the import would create (rows of one company merge into one lead).
    #[specta(type = Number)]
    pub lead_count: u64,
    pub format: CrmFormat,
    /// The file's text encoding as detected ("UTF-8", "UTF-16LE", "windows-1252").
    pub encoding: String,
    pub columns: Vec<ColumnMapping>,
    pub ignored_columns: Vec<String>,
    /// The first rows as they would be imported.
    pub sample: Vec<LeadDraft>,
    #[specta(type = Number)]
    pub row_count: u64,
    /// Every problem found; a file with any error cannot be imported.
    pub errors: Vec<RowError>,
    /// True when there are more errors than `errors` holds.
    pub errors_truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct ImportReport {
    /// Data rows read from the file.
    #[specta(type = Number)]
    pub rows: u64,
    /// Leads created (rows of the same company are merged into one lead with several contacts).
    #[specta(type = Number)]
    pub imported: u64,
    pub format: CrmFormat,
    pub ignored_columns: Vec<String>,
    #[specta(type = Number)]
    pub took_ms: f64,
}
