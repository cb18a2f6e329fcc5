use closer_types::{CrmFormat, RowError};

/// Everything that can stop an import. Each `Display` is a sentence a sales rep can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read from disk.
    #[error("Closer could not read \"{path}\": {reason}. Check that the file still exists and is not open in another program, then try again.")]
    Io { path: String, reason: String },

    /// Zero bytes, or only blank lines.
    #[error("The file \"{name}\" is empty. Export your leads again from Salesforce or HubSpot and import the new file.")]
    Empty { name: String },

    /// A header row and nothing under it.
    #[error("The file \"{name}\" has column names but no leads under them. Check that the export was not filtered down to nothing and export again.")]
    NoRows { name: String },

    /// The first line does not name any column Closer knows.
    #[error("The first line of the file should name the columns (for example Company, Email, Phone), but it reads \"{first_line}\". Export the file again with its header row.")]
    NoHeader { first_line: String },

    /// Over [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES).
    #[error("The file \"{name}\" is {} MB; Closer imports files of at most {} MB. Split the export into smaller files and import them one after the other.", .bytes / 1_000_000, .limit / 1_000_000)]
    TooLarge {
        name: String,
        bytes: u64,
        limit: u64,
    },

    /// Not UTF-8 (nor UTF-16 with a byte order mark).
    #[error("Line {line} is not UTF-8 text ({reason}). Save the file again as \"CSV UTF-8\" (in Excel: File > Save As > CSV UTF-8 (Comma delimited)) and import that file.")]
    Encoding { line: u64, reason: String },

    /// NUL bytes: a spreadsheet or other binary file rather than CSV text.
    #[error("This is not a CSV text file: line {line} contains binary data. If it is an Excel workbook (.xlsx) or another format, open it and save it as \"CSV UTF-8\" first.")]
    Binary { line: u64 },

    /// The CSV reader itself gave up.
    #[error("Line {line} is not valid CSV: {reason}. Open the file in a spreadsheet, fix that line and export it again as \"CSV UTF-8\".")]
    Malformed { line: u64, reason: String },

    /// One physical line, or one cell, over [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES).
    #[error("Line {line} holds {bytes} bytes in one piece; Closer accepts at most 64 KB per line or cell. This is usually a damaged export or a cell with a pasted document: shorten that cell and export again.")]
    LineTooLong { line: u64, bytes: u64 },

    /// Over [`MAX_ROWS`](crate::MAX_ROWS) data rows.
    #[error("The file has {rows} data rows; Closer imports at most {limit} at a time. Split the file into smaller files and import them one after the other.")]
    TooManyRows { rows: u64, limit: u64 },

    /// A column Closer cannot do without (the company) is absent.
    #[error("{}", missing_columns_message(*.format, .missing, .found_headers))]
    MissingColumns {
        format: CrmFormat,
        missing: Vec<String>,
        found_headers: Vec<String>,
    },

    /// At least one row is wrong; nothing is imported (all or nothing).
    #[error("{}", rows_message(.errors, *.truncated))]
    Rows {
        /// At most [`MAX_ERRORS`](crate::MAX_ERRORS), in file order.
        errors: Vec<RowError>,
        /// True when more rows were wrong than `errors` holds.
        truncated: bool,
    },
}

/// `Result` with [`ImportError`].
pub type Result<T> = std::result::Result<T, ImportError>;

fn missing_columns_message(format: CrmFormat, missing: &[String], found: &[String]) -> String {
    let needed = missing
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = match format {
        CrmFormat::Salesforce => {
            "In Salesforce, add the \"Company\" field to the report or list view (Data Loader: the \"Company\" field) and export again."
        }
        CrmFormat::Hubspot => {
            "In HubSpot, add the \"Company Name\" property to the columns of the contacts view (for a companies export: \"Company name\") and export again."
        }
        CrmFormat::Generic => {
            "Add a column named \"Company\" (or \"Company Name\") with each lead's company and import again."
        }
    };
    let mut shown: Vec<&str> = found.iter().take(12).map(String::as_str).collect();
    if found.len() > shown.len() {
        shown.push("...");
    }
    format!(
        "The file has no {needed} column, which Closer needs to know each lead's company. {hint} Columns found: {}.",
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        }
    )
}

fn rows_message(errors: &[RowError], truncated: bool) -> String {
    let count = if truncated {
        format!("More than {}", errors.len())
    } else {
        errors.len().to_string()
    };
    let first = match errors.first() {
        Some(e) => match &e.column {
            Some(c) => format!(" The first is on line {} ({c}): {}", e.line, e.reason),
            None => format!(" The first is on line {}: {}", e.line, e.reason),
        },
        None => String::new(),
    };
    let noun = if errors.len() == 1 && !truncated {
        "row has a problem"
    } else {
        "rows have problems"
    };
    format!(
        "{count} {noun}, so nothing was imported.{first} Fix the rows listed in the preview and import the file again."
    )
}
