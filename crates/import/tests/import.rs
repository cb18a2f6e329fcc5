//! Fixtures written by the tests themselves: every supported export shape, then every bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;

use closer_import::{
    parse, parse_bytes, preview, ImportError, ParsedImport, MAX_FILE_BYTES, MAX_ROWS,
};
use closer_types::{CrmFormat, LeadField, LeadStatus};

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let b = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&b);
    }
    out
}

const SALESFORCE_UI: &str = "\"Lead ID\",\"First Name\",\"Last Name\",\"Title\",\"Company\",\"Email\",\"Phone\",\"Mobile\",\"Website\",\"Industry\",\"No. of Employees\",\"Lead Source\",\"Lead Status\",\"Lead Owner\",\"Annual Revenue\",\"Rating\",\"Street\",\"City\",\"State/Province\",\"Zip/Postal Code\",\"Country\",\"Created Date\"
\"00Q5g00000AbCdE\",\"Jane\",\"Doe\",\"VP Sales\",\"Acme Corp\",\"jane@acme.com\",\"+1 (415) 555-0100\",\"\",\"https://www.acme.com/about\",\"Manufacturing\",\"1,200\",\"Web\",\"Open - Not Contacted\",\"Sam Rep\",\"$5,000,000\",\"Hot\",\"1 Main St\",\"San Francisco\",\"CA\",\"94105\",\"USA\",\"3/1/2024\"
\"00Q5g00000AbCdF\",\"John\",\"Smith\",\"CTO\",\"ACME Corp.\",\"john@acme.com\",\"\",\"+1 415 555 0101\",\"acme.com\",\"Retail\",\"99\",\"Trade Show\",\"Working - Contacted\",\"Other Rep\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"3/2/2024\"
\"00Q5g00000AbCdG\",\"Ada\",\"King\",\"CEO\",\"Globex\",\"ada@globex.io\",\"\",\"\",\"http://globex.io\",\"Energy\",\"51-200\",\"\",\"Closed - Not Converted\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"3/3/2024\"
";

const DATA_LOADER: &str = "FirstName,LastName,Company,Email,Phone,MobilePhone,Website,Industry,NumberOfEmployees,LeadSource,Status,OwnerId
Jane,Doe,Initech,jane@initech.com,555-0100,,www.initech.com,Software,250,Web,Qualified,005xx000001Sv6n
Bob,Lee,Initech Europe,bob@initech.com,,555-0199,https://initech.com/de,,,,Closed - Converted,005xx000001Sv6n
Eve,Ng,Hooli,eve@hooli.xyz,,,,,,,Something custom,
";

const HUBSPOT_CONTACTS: &str = "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Job Title,Company Name,Website URL,Industry,Number of Employees,Lifecycle Stage,Lead Status,Contact owner,Original Source,Create Date
101,Ann,Lee,ann@umbrella.com,,+44 20 7946 0958,Buyer,Umbrella,umbrella.com,Pharma,51-200,lead,OPEN_DEAL,Kim Owner,Organic Search,2024-03-01 10:00
102,Ben,Ho,ben@umbrella.com,+44 20 7946 0000,,Head of IT,Umbrella,,,,customer,CONNECTED,,,2024-03-02 11:00
103,Cy,Do,cy@wayne.com,,,,Wayne Enterprises,https://wayne.com,,10001+,salesqualifiedlead,,,,2024-03-03 12:00
104,Di,Fox,di@stark.com,,,,Stark,,,,,BAD_TIMING,,,2024-03-04 12:00
";

const HUBSPOT_COMPANIES: &str = "Record ID,Company name,Company Domain Name,Industry,Number of Employees,Company owner,Lifecycle Stage
9001,Soylent,soylent.com,Food,\"5,000\",Kim Owner,opportunity
9002,Tyrell,tyrell.com,Robotics,,,
";

const SEMICOLON: &str =
    "\u{feff}Company;Email;No. of Employees;City\nMüller GmbH;anna@mueller.de;1.200;München\nDupont SA;;;Paris\n";

const UNICODE_TEXT: &str = "Company\tEmail\tPhone\nCafé Ltd\tzoe@cafe.fr\t+33 1 23 45 67 89\n";

const UNKNOWN_COLUMNS: &str = "Company,Favourite Colour,Email,Shoe Size\nAcme,blue,a@acme.com,42\n";

struct Fixture {
    name: &'static str,
    bytes: Vec<u8>,
    format: CrmFormat,
    encoding: &'static str,
    rows: u64,
    leads: usize,
    ignored: &'static [&'static str],
    check: fn(&ParsedImport),
}

fn fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            name: "salesforce-ui.csv",
            bytes: SALESFORCE_UI.as_bytes().to_vec(),
            format: CrmFormat::Salesforce,
            encoding: "UTF-8",
            rows: 3,
            leads: 2,
            ignored: &[
                "Lead ID",
                "Annual Revenue",
                "Rating",
                "Street",
                "City",
                "State/Province",
                "Zip/Postal Code",
                "Country",
                "Created Date",
            ],
            check: |p| {
                let acme = &p.leads[0];
                assert_eq!(acme.company, "Acme Corp");
                assert_eq!(acme.domain.as_deref(), Some("acme.com"));
                // First row's company fields win.
                assert_eq!(acme.industry.as_deref(), Some("Manufacturing"));
                assert_eq!(acme.employee_count, Some(1200));
                assert_eq!(acme.status, LeadStatus::New);
                assert_eq!(acme.owner.as_deref(), Some("Sam Rep"));
                assert_eq!(acme.source.as_deref(), Some("Web"));
                assert_eq!(acme.contacts.len(), 2);
                assert_eq!(acme.contacts[0].name, "Jane Doe");
                assert_eq!(acme.contacts[0].title.as_deref(), Some("VP Sales"));
                assert_eq!(acme.contacts[0].phone.as_deref(), Some("+1 (415) 555-0100"));
                // Mobile fills in when Phone is empty.
                assert_eq!(acme.contacts[1].phone.as_deref(), Some("+1 415 555 0101"));
                let globex = &p.leads[1];
                assert_eq!(globex.employee_count, Some(125));
                assert_eq!(globex.status, LeadStatus::Lost);
                assert_eq!(globex.domain.as_deref(), Some("globex.io"));
                let mapped = |h: &str| p.columns.iter().find(|c| c.header == h).and_then(|c| c.field);
                assert_eq!(mapped("No. of Employees"), Some(LeadField::EmployeeCount));
                assert_eq!(mapped("Lead Status"), Some(LeadField::Status));
                assert_eq!(mapped("Lead ID"), None);
                assert_eq!(p.columns[4].column, 5);
            },
        },
        Fixture {
            name: "data-loader.csv",
            bytes: DATA_LOADER.as_bytes().to_vec(),
            format: CrmFormat::Salesforce,
            encoding: "UTF-8",
            rows: 3,
            leads: 2,
            ignored: &[],
            check: |p| {
                // Same domain, different name: one lead.
                let initech = &p.leads[0];
                assert_eq!(initech.company, "Initech");
                assert_eq!(initech.domain.as_deref(), Some("initech.com"));
                assert_eq!(initech.status, LeadStatus::Qualified);
                assert_eq!(initech.employee_count, Some(250));
                assert_eq!(initech.contacts.len(), 2);
                assert_eq!(initech.contacts[1].phone.as_deref(), Some("555-0199"));
                // Unknown status -> new.
                assert_eq!(p.leads[1].status, LeadStatus::New);
                assert_eq!(p.leads[1].owner, None);
            },
        },
        Fixture {
            name: "hubspot-contacts.csv",
            bytes: HUBSPOT_CONTACTS.as_bytes().to_vec(),
            format: CrmFormat::Hubspot,
            encoding: "UTF-8",
            rows: 4,
            leads: 3,
            ignored: &["Record ID", "Create Date"],
            check: |p| {
                let umbrella = &p.leads[0];
                assert_eq!(umbrella.status, LeadStatus::Proposal);
                assert_eq!(umbrella.employee_count, Some(125));
                assert_eq!(umbrella.contacts.len(), 2);
                assert_eq!(umbrella.contacts[0].title.as_deref(), Some("Buyer"));
                assert_eq!(umbrella.owner.as_deref(), Some("Kim Owner"));
                assert_eq!(umbrella.source.as_deref(), Some("Organic Search"));
                let wayne = &p.leads[1];
                assert_eq!(wayne.status, LeadStatus::Qualified);
                assert_eq!(wayne.employee_count, Some(10_001));
                assert_eq!(p.leads[2].status, LeadStatus::Lost);
            },
        },
        Fixture {
            name: "hubspot-companies.csv",
            bytes: HUBSPOT_COMPANIES.as_bytes().to_vec(),
            format: CrmFormat::Hubspot,
            encoding: "UTF-8",
            rows: 2,
            leads: 2,
            ignored: &["Record ID"],
            check: |p| {
                assert_eq!(p.leads[0].company, "Soylent");
                assert_eq!(p.leads[0].domain.as_deref(), Some("soylent.com"));
                assert_eq!(p.leads[0].employee_count, Some(5000));
                assert_eq!(p.leads[0].status, LeadStatus::Proposal);
                assert!(p.leads[0].contacts.is_empty());
                assert_eq!(p.leads[1].status, LeadStatus::New);
            },
        },
        Fixture {
            name: "excel-semicolon.csv",
            bytes: SEMICOLON.as_bytes().to_vec(),
            format: CrmFormat::Salesforce,
            encoding: "UTF-8",
            rows: 2,
            leads: 2,
            ignored: &["City"],
            check: |p| {
                assert_eq!(p.leads[0].company, "Müller GmbH");
                assert_eq!(p.leads[0].employee_count, Some(1200));
                assert_eq!(p.leads[0].contacts[0].email.as_deref(), Some("anna@mueller.de"));
                assert!(p.leads[1].contacts.is_empty());
            },
        },
        Fixture {
            name: "excel-sep-line.csv",
            bytes: b"sep=;\nCompany;Email\nAcme;a@acme.com\n".to_vec(),
            format: CrmFormat::Generic,
            encoding: "UTF-8",
            rows: 1,
            leads: 1,
            ignored: &[],
            check: |p| assert_eq!(p.leads[0].company, "Acme"),
        },
        Fixture {
            name: "unicode-text-le.txt",
            bytes: utf16(UNICODE_TEXT, false),
            format: CrmFormat::Generic,
            encoding: "UTF-16LE",
            rows: 1,
            leads: 1,
            ignored: &[],
            check: |p| {
                assert_eq!(p.leads[0].company, "Café Ltd");
                assert_eq!(p.leads[0].contacts[0].phone.as_deref(), Some("+33 1 23 45 67 89"));
            },
        },
        Fixture {
            name: "unicode-text-be.csv",
            bytes: utf16(HUBSPOT_COMPANIES, true),
            format: CrmFormat::Hubspot,
            encoding: "UTF-16BE",
            rows: 2,
            leads: 2,
            ignored: &["Record ID"],
            check: |p| assert_eq!(p.leads[1].company, "Tyrell"),
        },
        Fixture {
            name: "unknown-columns.csv",
            bytes: UNKNOWN_COLUMNS.as_bytes().to_vec(),
            format: CrmFormat::Generic,
            encoding: "UTF-8",
            rows: 1,
            leads: 1,
            ignored: &["Favourite Colour", "Shoe Size"],
            check: |p| {
                assert_eq!(p.columns.len(), 4);
                assert_eq!(p.columns[1].field, None);
                assert_eq!(p.columns[2].field, Some(LeadField::ContactEmail));
            },
        },
        Fixture {
            name: "crlf-blank-rows-and-multiline-cell.csv",
            bytes: b"Company,Email,Title\r\n\"Acme\",a@acme.com,\"Head of\r\nSales\"\r\n,,\r\n\r\nBeta,,\r\n"
                .to_vec(),
            format: CrmFormat::Generic,
            encoding: "UTF-8",
            rows: 2,
            leads: 2,
            ignored: &[],
            check: |p| assert_eq!(p.leads[0].contacts[0].title.as_deref(), Some("Head of\r\nSales")),
        },
    ]
}

#[test]
fn every_fixture_parses_from_a_file_and_previews_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for f in fixtures() {
        let path = write_temp(&dir, f.name, &f.bytes);
        let parsed = parse(&path).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(parsed.format, f.format, "{}", f.name);
        assert_eq!(parsed.encoding, f.encoding, "{}", f.name);
        assert_eq!(parsed.rows, f.rows, "{}", f.name);
        assert_eq!(
            parsed.leads.len(),
            f.leads,
            "{}: {:#?}",
            f.name,
            parsed.leads
        );
        assert_eq!(parsed.ignored_columns, f.ignored, "{}", f.name);
        (f.check)(&parsed);
        assert_eq!(parse_bytes(&f.bytes, f.name).unwrap(), parsed, "{}", f.name);

        let before = std::fs::read(&path).unwrap();
        let p = preview(&path, 1).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "preview never writes"
        );
        assert_eq!(p.lead_count, f.leads as u64, "{}", f.name);
        assert_eq!(p.row_count, f.rows, "{}", f.name);
        assert_eq!(p.sample.len(), 1);
        assert_eq!(p.sample[0], parsed.leads[0]);
        assert_eq!(p.ignored_columns, parsed.ignored_columns);
        assert!(p.errors.is_empty() && !p.errors_truncated, "{}", f.name);
    }
}

/// What a bad input must produce.
enum Want {
    Empty,
    NoHeader,
    NoRows,
    Missing(&'static str),
    Encoding(u64),
    Binary(u64),
    /// (line, column, words in the reason)
    Row(u64, Option<&'static str>, &'static str),
}

#[test]
fn bad_inputs_give_the_right_error_and_a_helpful_message() {
    let cases: Vec<(&str, Vec<u8>, Want, &[&str])> = vec![
        ("empty", vec![], Want::Empty, &["empty", "Export"]),
        (
            "blank lines only",
            b"\n\r\n  \n".to_vec(),
            Want::Empty,
            &["empty"],
        ),
        ("bom only", vec![0xEF, 0xBB, 0xBF], Want::Empty, &["empty"]),
        (
            "no header row",
            b"Acme,jane@acme.com,555-0100\nGlobex,ada@globex.io,555-0101\n".to_vec(),
            Want::NoHeader,
            &["first line", "header", "Acme,jane@acme.com"],
        ),
        (
            "header only",
            b"Company,Email\n".to_vec(),
            Want::NoRows,
            &["no leads"],
        ),
        (
            "salesforce without company",
            b"Lead ID,First Name,Last Name,Email,Lead Owner\n1,A,B,a@b.com,X\n".to_vec(),
            Want::Missing("Company"),
            &["\"Company\"", "Salesforce", "Lead ID, First Name"],
        ),
        (
            "hubspot without company",
            b"Record ID,First Name,Email,Contact owner\n1,A,a@b.com,X\n".to_vec(),
            Want::Missing("Company Name"),
            &["\"Company Name\"", "HubSpot"],
        ),
        (
            "latin-1 (Excel 'CSV', not 'CSV UTF-8')",
            b"Company,City\nAcme,Paris\nM\xfcller GmbH,M\xfcnchen\n".to_vec(),
            Want::Encoding(3),
            &["Line 3", "not UTF-8", "CSV UTF-8", "0xFC"],
        ),
        (
            "NUL bytes",
            b"Company,Email\nAc\0me,a@acme.com\n".to_vec(),
            Want::Binary(2),
            &["binary", "CSV UTF-8"],
        ),
        (
            "an xlsx workbook",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml".to_vec(),
            Want::Binary(1),
            &["Excel", ".xlsx"],
        ),
        (
            "utf-16 with a broken surrogate",
            vec![0xFF, 0xFE, b'C', 0, b'o', 0, b'\n', 0, 0x00, 0xD8, b'x', 0],
            Want::Encoding(2),
            &["UTF-16LE", "CSV UTF-8"],
        ),
        (
            "unbalanced quote",
            b"Company,Email\nAcme,a@acme.com\n\"Globex,g@globex.io\nInitech,i@initech.com\n"
                .to_vec(),
            Want::Row(3, None, "quote"),
            &["line 3", "quote", "nothing was imported"],
        ),
        (
            "wrong number of fields",
            b"Company,Email,Phone\nAcme,a@acme.com\n".to_vec(),
            Want::Row(2, None, "has 2 cells but the header has 3"),
            &["1 row has a problem", "line 2"],
        ),
        (
            "empty company",
            b"Company,Email\nAcme,a@acme.com\n  ,b@beta.com\n".to_vec(),
            Want::Row(3, Some("Company"), "The company is empty"),
            &["line 3 (Company)"],
        ),
        (
            "invalid email",
            b"Company,Email\nAcme,not-an-email\n".to_vec(),
            Want::Row(
                2,
                Some("Email"),
                "\"not-an-email\" is not an email address.",
            ),
            &["(Email)"],
        ),
        (
            "bad employee count",
            b"Company,No. of Employees\nAcme,lots\n".to_vec(),
            Want::Row(2, Some("No. of Employees"), "not a number of employees"),
            &["(No. of Employees)", "51-200"],
        ),
        (
            "line numbers count physical lines of multi-line cells",
            b"Company,Title,Email\nAcme,\"Head\nof\nSales\",a@acme.com\nBeta,CEO,broken\n".to_vec(),
            Want::Row(5, Some("Email"), "not an email"),
            &["line 5"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, want, words) in cases {
        let path = write_temp(&dir, "bad.csv", &bytes);
        let err = parse(&path).expect_err(name);
        match (&want, &err) {
            (Want::Empty, ImportError::Empty { .. })
            | (Want::NoHeader, ImportError::NoHeader { .. })
            | (Want::NoRows, ImportError::NoRows { .. }) => {}
            (
                Want::Missing(col),
                ImportError::MissingColumns {
                    missing,
                    found_headers,
                    ..
                },
            ) => {
                assert_eq!(missing, &vec![col.to_string()], "{name}");
                assert!(!found_headers.is_empty(), "{name}");
            }
            (Want::Encoding(l), ImportError::Encoding { line, .. }) => {
                assert_eq!(line, l, "{name}")
            }
            (Want::Binary(l), ImportError::Binary { line }) => assert_eq!(line, l, "{name}"),
            (Want::Row(l, col, reason), ImportError::Rows { errors, truncated }) => {
                assert!(!truncated, "{name}");
                assert_eq!(errors.len(), 1, "{name}: {errors:?}");
                assert_eq!(errors[0].line, *l, "{name}");
                assert_eq!(errors[0].column.as_deref(), *col, "{name}");
                assert!(
                    errors[0].reason.contains(reason),
                    "{name}: {}",
                    errors[0].reason
                );
                // The preview lists the same problem instead of failing.
                let p = preview(&path, 5).unwrap();
                assert_eq!(&p.errors, errors, "{name}");
            }
            _ => panic!("{name}: unexpected error {err:?}"),
        }
        let msg = err.to_string();
        for w in words {
            assert!(msg.contains(w), "{name}: {w:?} not in {msg:?}");
        }
        assert!(msg.ends_with('.'), "{name}: not a sentence: {msg:?}");
        // Same answer from memory.
        assert_eq!(parse_bytes(&bytes, "bad.csv").unwrap_err(), err, "{name}");
    }
}

#[test]
fn a_ten_megabyte_line_is_refused_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"Company,Notes\nAcme,".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    bytes.extend_from_slice(b"\nBeta,ok\n");
    let path = write_temp(&dir, "long.csv", &bytes);
    let err = parse(&path).unwrap_err();
    assert!(
        matches!(err, ImportError::LineTooLong { line: 2, bytes } if bytes > 10 * 1024 * 1024),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("Line 2") && msg.contains("64 KB"), "{msg}");
    assert!(matches!(
        preview(&path, 3),
        Err(ImportError::LineTooLong { .. })
    ));
}

#[test]
fn a_cell_over_64_kib_spread_over_short_lines_is_refused() {
    let mut bytes = b"Company,Notes\nAcme,\"".to_vec();
    for _ in 0..4000 {
        bytes.extend_from_slice(b"a short line of notes\n");
    }
    bytes.extend_from_slice(b"\"\n");
    let err = parse_bytes(&bytes, "cell.csv").unwrap_err();
    assert!(
        matches!(err, ImportError::LineTooLong { line: 2, bytes } if bytes > 64 * 1024),
        "{err:?}"
    );
}

#[test]
fn a_million_row_file_is_refused_with_its_row_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(w, "Company,Email").unwrap();
    for i in 0..1_000_001u32 {
        writeln!(w, "Company {i},p{i}@c{i}.com").unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let err = parse(&path).unwrap_err();
    assert_eq!(
        err,
        ImportError::TooManyRows {
            rows: 1_000_001,
            limit: MAX_ROWS
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("1000001") && msg.contains("250000") && msg.contains("Split the file"),
        "{msg}"
    );
}

#[test]
fn a_file_over_200_mb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let f = std::fs::File::create(&path).unwrap();
    // Sparse: costs no disk, and proves the size is checked before reading.
    f.set_len(MAX_FILE_BYTES + 1).unwrap();
    let err = parse(&path).unwrap_err();
    assert!(
        matches!(err, ImportError::TooLarge { bytes, .. } if bytes == MAX_FILE_BYTES + 1),
        "{err:?}"
    );
    assert!(err.to_string().contains("Split the export"), "{err}");
    assert!(matches!(
        preview(&path, 1),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn a_missing_file_says_so() {
    let err = parse(std::path::Path::new("/nonexistent/leads.csv")).unwrap_err();
    assert!(matches!(err, ImportError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("no such file"), "{err}");
}

#[test]
fn preview_lists_at_most_200_errors_and_says_it_truncated() {
    let mut text = String::from("Company,Email\n");
    for i in 0..300 {
        text.push_str(&format!("Company {i},broken{i}\n"));
    }
    text.push_str("Good,good@ok.com\n");
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "many-errors.csv", text.as_bytes());
    let p = preview(&path, 10).unwrap();
    assert_eq!(p.errors.len(), 200);
    assert!(p.errors_truncated);
    assert_eq!(p.errors[0].line, 2);
    assert_eq!(p.errors[199].line, 201);
    assert_eq!(p.row_count, 301);
    assert_eq!(p.lead_count, 1);
    match parse(&path) {
        Err(ImportError::Rows { errors, truncated }) => {
            assert_eq!(errors.len(), 200);
            assert!(truncated);
            let msg = ImportError::Rows { errors, truncated }.to_string();
            assert!(msg.starts_with("More than 200 rows have problems"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

/// `cargo test --release -p closer-import -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_100k_rows() {
    let mut text = String::from(
        "Lead ID,First Name,Last Name,Title,Company,Email,Phone,Website,Industry,No. of Employees,Lead Source,Lead Status,Lead Owner,City\n",
    );
    for i in 0..100_000u32 {
        let company = i / 3; // three contacts per company
        text.push_str(&format!(
            "00Q{i:012},First{i},Last{i},VP Sales,Company {company},p{i}@c{company}.com,+1 415 555 {:04},https://www.c{company}.com/about,Software,\"1,{:03}\",Web,Working - Contacted,Rep {},City\n",
            i % 10_000,
            i % 1000,
            i % 17
        ));
    }
    let bytes = text.into_bytes();
    let runs = 5;
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let p = parse_bytes(&bytes, "bench.csv").unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(p.rows, 100_000);
        assert_eq!(p.leads.len(), 33_334);
    }
    println!(
        "parse 100K rows ({:.1} MB): best of {runs}: {:.1} ms",
        bytes.len() as f64 / 1e6,
        best * 1e3
    );
}
