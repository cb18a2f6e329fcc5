//! Integration tests of `closer-export`: every format from a realistic proposal, the
//! atomic write, empty input, and (when the tools are installed) the files opened by
//! the programs a buyer would use: LibreOffice converts the DOCX, poppler's `pdftotext`
//! reads the PDF. Without those tools those checks print a note and pass.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use closer_export::{export_to, render, ExportError, ExportMeta, Format, WriteProblem};

// ---------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------

/// A proposal as a rep writes it: headings, nested and numbered lists, a table, bold and
/// italic, a euro sign, curly quotes, a link, a quote, a code block, a long paragraph.
const PROPOSAL: &str = "\
# Acme Corp: analytics rollout

## Executive summary

Acme’s sales team loses **six hours a week** per rep to manual reporting. Lumora \
replaces the spreadsheets with live dashboards, so managers see pipeline health the \
moment a deal moves. This proposal covers the rollout to *all 120 reps* in three \
phases, the pricing we agreed on the call of 3 May, and the support that comes with it. \
We have run the same rollout for Globex and Initech: both were live in under eight \
weeks, and their forecast accuracy rose by a fifth within the first quarter. The \
numbers below assume the “Growth” plan – upgrades later are pro-rated, never penalised.

## Scope

- Dashboards for pipeline, activity and forecast
  - One per region
  - One for the leadership team
- CRM sync with Salesforce, every **15 minutes**
- Training: two live sessions and recorded videos

### Timeline

1. Kick-off and data audit (week 1)
2. Pilot with the EMEA team (weeks 2–4)
3. Company-wide rollout (weeks 5–8)

## Pricing

| Item | Seats | Price per year |
|------|------:|---------------:|
| Growth plan | 120 | €43,200 |
| Onboarding package | 1 | €4,500 |
| **Total** | | **€47,700** |

> Prices are valid until 30 June 2026 and exclude VAT.

See our [security overview](https://lumora.example/security) for details.

---

```
Contract term: 12 months
Billing: annual, in advance
```

## Next steps

Sign the order form by **30 June** and we start the audit the following Monday.
";

fn meta() -> ExportMeta {
    ExportMeta {
        title: "Acme Corp: analytics rollout".into(),
        author: "Ana Ruiz".into(),
        company: "Lumora".into(),
        date: "12 May 2026".into(),
    }
}

/// The full path of `program` if it is on `PATH`.
fn tool(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// One file out of a zip archive, as text.
fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the DOCX is a zip archive");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is in the DOCX"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).expect("XML is UTF-8");
    text
}

/// Runs `command` to completion or panics after `limit`; returns (success, output).
fn run_with_limit(mut command: Command, limit: Duration) -> (bool, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let started = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().expect("waiting works") {
            let output = child.wait_with_output().expect("output is readable");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            return (output.status.success(), text);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The text of a PDF as poppler's `pdftotext` reads it (pages separated by form
/// feeds), or `None` when poppler-utils is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let Some(pdftotext) = tool("pdftotext") else {
        println!("note: pdftotext is not on PATH (poppler-utils); text check skipped");
        return None;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.pdf");
    let output = dir.path().join("out.txt");
    fs::write(&input, pdf).expect("write the PDF");
    let mut command = Command::new(pdftotext);
    command.arg("-enc").arg("UTF-8").arg(&input).arg(&output);
    let (ok, log) = run_with_limit(command, Duration::from_secs(60));
    assert!(ok, "pdftotext failed: {log}");
    Some(fs::read_to_string(&output).expect("pdftotext wrote UTF-8"))
}

/// The number of pages a PDF declares (the page tree's `/Count`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let start = text.find("/Count ").expect("a page tree") + "/Count ".len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a page count")
}

/// Files in `dir`, by name.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------
// Formats and extensions
// ---------------------------------------------------------------------------------
mod formats {
    use super::*;

    #[test]
    fn extensions_round_trip_and_accept_variants() {
        for format in Format::ALL {
            assert_eq!(Format::from_extension(format.extension()), Some(format));
        }
        let cases = [
            ("PDF", Some(Format::Pdf)),
            (".docx", Some(Format::Docx)),
            ("markdown", Some(Format::Markdown)),
            ("Md", Some(Format::Markdown)),
            ("doc", None),
            ("xyz", None),
            ("", None),
        ];
        for (extension, expected) in cases {
            assert_eq!(Format::from_extension(extension), expected, "{extension:?}");
        }
    }

    #[test]
    fn unknown_and_missing_extensions_say_what_to_use() {
        let error = Format::from_path(Path::new("deal/proposal.xyz")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Unknown file type .xyz: use .md, .docx or .pdf"
        );
        let error = Format::from_path(Path::new("proposal")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The file name has no extension: use .md, .docx or .pdf"
        );
    }
}

// ---------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------
mod markdown {
    use super::*;

    #[test]
    fn keeps_the_text_with_its_own_title_and_normalizes_line_endings() {
        let windows = PROPOSAL.replace('\n', "\r\n");
        let out = render(&windows, &meta(), Format::Markdown).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, PROPOSAL);
    }

    #[test]
    fn adds_the_title_when_missing() {
        let out = render("## Scope\n\nAll reps.", &meta(), Format::Markdown).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# Acme Corp: analytics rollout\n\n## Scope\n\nAll reps.\n"
        );
    }
}

// ---------------------------------------------------------------------------------
// DOCX
// ---------------------------------------------------------------------------------
mod docx {
    use super::*;

    #[test]
    fn has_word_styles_lists_table_and_text() {
        let bytes = render(PROPOSAL, &meta(), Format::Docx).unwrap();
        let document = unzip(&bytes, "word/document.xml");
        let styles = unzip(&bytes, "word/styles.xml");
        let numbering = unzip(&bytes, "word/numbering.xml");

        for style in ["Title", "Subtitle", "Heading1", "Heading2", "Heading3"] {
            assert!(
                styles.contains(&format!("w:styleId=\"{style}\"")),
                "styles.xml defines {style}"
            );
        }
        assert!(styles.contains("w:val=\"heading 1\""));
        assert!(document.contains("<w:pStyle w:val=\"Title\" />"));
        assert!(document.contains("Acme Corp: analytics rollout"));
        assert!(document.contains("Lumora \u{b7} Prepared by Ana Ruiz \u{b7} 12 May 2026"));
        for (style, heading) in [
            ("Heading2", "Executive summary"),
            ("Heading3", "Timeline"),
            ("Heading2", "Next steps"),
        ] {
            let at = document.find(heading).expect("heading text is there");
            let paragraph = &document[document[..at].rfind("<w:p>").unwrap_or(0)..at];
            assert!(
                paragraph.contains(&format!("<w:pStyle w:val=\"{style}\" />")),
                "{heading} is a {style}: {paragraph}"
            );
        }
        // The H1 repeating the title is not written twice.
        assert_eq!(document.matches("Acme Corp: analytics rollout").count(), 1);
        // Lists are real Word lists: nested bullets at level 1, a numbered list.
        assert!(document.contains("<w:numId w:val=\"2\" /><w:ilvl w:val=\"1\" />"));
        assert!(numbering.contains("w:val=\"bullet\""));
        assert!(numbering.contains("w:val=\"decimal\""));
        // The table, with its euro amounts; bold runs; the link.
        assert!(document.contains("<w:tbl>"));
        assert!(document.contains("€43,200"));
        assert!(document.contains("<w:b />"));
        assert!(document.contains("<w:i />"));
        assert!(document.contains("security overview"));
        let rels = unzip(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains("https://lumora.example/security"));
        // The long paragraph is whole.
        assert!(document.contains("never penalised"));
        // A4.
        assert!(document.contains("w:w=\"11906\" w:h=\"16838\""));
    }

    #[test]
    fn opens_in_libreoffice() {
        let Some(soffice) = tool("soffice").or_else(|| tool("libreoffice")) else {
            println!("note: LibreOffice (soffice) is not on PATH; DOCX conversion check skipped");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("proposal.docx");
        export_to(&input, PROPOSAL, &meta()).unwrap();
        // A profile of its own, so parallel runs and a running LibreOffice do not clash.
        let profile = dir.path().join("profile");
        let mut command = Command::new(&soffice);
        command
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&input)
            .env("HOME", dir.path());
        let (ok, log) = run_with_limit(command, Duration::from_secs(300));
        println!("soffice: {}", log.trim());
        let output = dir.path().join("proposal.pdf");
        assert!(
            ok && output.is_file(),
            "LibreOffice could not convert the DOCX: {log}"
        );
        let pdf = fs::read(&output).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(text) = pdf_text(&pdf) {
            for expected in [
                "Acme Corp: analytics rollout",
                "Executive summary",
                "€47,700",
            ] {
                assert!(text.contains(expected), "{expected:?} in {text}");
            }
            println!(
                "LibreOffice: {} page(s), headings and prices present",
                text.matches('\u{c}').count()
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------
mod pdf {
    use super::*;

    #[test]
    fn is_a_pdf_with_the_proposal_text() {
        let bytes = render(PROPOSAL, &meta(), Format::Pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"));
        assert_eq!(page_count(&bytes), 1);
        let Some(text) = pdf_text(&bytes) else { return };
        for expected in [
            "Acme Corp: analytics rollout",
            "Lumora · Prepared by Ana Ruiz · 12 May 2026",
            "Executive summary",
            "Timeline",
            "Pricing",
            "€43,200",
            "Acme’s sales team loses six hours a week",
            "“Growth” plan – upgrades",
            "(https://lumora.example/security)",
            "Contract term: 12 months",
            "Page 1 of 1",
        ] {
            assert!(text.contains(expected), "{expected:?} in:\n{text}");
        }
    }

    #[test]
    fn a_long_proposal_flows_over_many_pages_with_numbers() {
        let mut markdown = String::from("# Annual plan\n\n");
        for section in 1..=40 {
            markdown.push_str(&format!("## Section {section}\n\n"));
            for _ in 0..3 {
                markdown.push_str(
                    &"The rollout keeps every rep’s pipeline in sync and costs €12 per seat. "
                        .repeat(8),
                );
                markdown.push_str("\n\n");
            }
            markdown.push_str("- First point\n- Second point\n  - Detail\n\n");
            markdown.push_str("| Phase | Weeks |\n|---|---|\n| Pilot | 3 |\n| Rollout | 5 |\n\n");
        }
        let bytes = render(&markdown, &meta(), Format::Pdf).unwrap();
        let pages = page_count(&bytes);
        assert!(pages >= 20, "only {pages} pages");
        let Some(text) = pdf_text(&bytes) else { return };
        assert_eq!(text.matches('\u{c}').count(), pages);
        assert!(text.contains(&format!("Page {pages} of {pages}")));
        assert!(text.contains("Section 1\n"));
        assert!(text.contains("Section 40"));
        println!("pdftotext: a {pages}-page proposal, every section and page number present");
    }

    #[test]
    fn characters_outside_the_font_are_substituted_not_fatal() {
        let markdown = "Zoë & Łukasz – “Ärger” über €5 ≥ 3 → ok ✓ 中文 🎉 ﬁnal e\u{301}";
        let bytes = render(markdown, &meta(), Format::Pdf).unwrap();
        let Some(text) = pdf_text(&bytes) else { return };
        assert!(
            text.contains("Zoë & Lukasz – “Ärger” über €5 >= 3 -> ok + ?? ? final é"),
            "{text}"
        );
    }

    #[test]
    fn a_giant_table_row_and_an_unbroken_word_still_fit() {
        let long_cell = "word ".repeat(3000);
        let markdown = format!(
            "| a | b |\n|---|---|\n| {long_cell} | x |\n\n{}\n",
            "x".repeat(5000)
        );
        let bytes = render(&markdown, &meta(), Format::Pdf).unwrap();
        assert!(page_count(&bytes) > 2);
    }
}

// ---------------------------------------------------------------------------------
// Writing files atomically
// ---------------------------------------------------------------------------------
mod atomic_write {
    use super::*;

    #[test]
    fn writes_each_format_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["proposal.md", "proposal.docx", "proposal.pdf"] {
            let path = dir.path().join(name);
            fs::write(&path, "old").unwrap();
            export_to(&path, PROPOSAL, &meta()).unwrap();
            let written = fs::read(&path).unwrap();
            match Format::from_path(&path).unwrap() {
                // docx-rs numbers paragraphs from a process-wide counter: compare the text.
                Format::Docx => {
                    assert!(unzip(&written, "word/document.xml").contains("Next steps"))
                }
                format => assert!(
                    written == render(PROPOSAL, &meta(), format).unwrap(),
                    "{name}"
                ),
            }
        }
        assert_eq!(
            names_in(dir.path()),
            ["proposal.docx", "proposal.md", "proposal.pdf"]
        );
    }

    #[test]
    fn unknown_extension_keeps_the_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proposal.xyz");
        fs::write(&path, "the rep's earlier file").unwrap();
        let error = export_to(&path, PROPOSAL, &meta()).unwrap_err();
        assert!(
            matches!(error, ExportError::UnknownFileType { ref extension } if extension == "xyz")
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "the rep's earlier file");
        assert_eq!(names_in(dir.path()), ["proposal.xyz"]);
    }

    #[test]
    fn missing_folder_is_reported_and_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone").join("proposal.pdf");
        let error = export_to(&path, PROPOSAL, &meta()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Could not write the file: folder does not exist"
        );
        assert!(matches!(
            error,
            ExportError::Write {
                problem: WriteProblem::MissingFolder,
                ..
            }
        ));
        assert!(names_in(dir.path()).is_empty());
    }

    #[test]
    fn a_folder_in_the_way_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proposal.pdf");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside.txt"), "keep").unwrap();
        let error = export_to(&path, PROPOSAL, &meta()).unwrap_err();
        assert!(matches!(
            error,
            ExportError::Write {
                problem: WriteProblem::IsAFolder,
                ..
            }
        ));
        assert_eq!(fs::read_to_string(path.join("inside.txt")).unwrap(), "keep");
        assert_eq!(names_in(dir.path()), ["proposal.pdf"]);
    }

    #[cfg(unix)]
    #[test]
    fn read_only_folder_keeps_the_existing_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("locked");
        fs::create_dir(&folder).unwrap();
        let path = folder.join("proposal.docx");
        fs::write(&path, "earlier export").unwrap();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o555)).unwrap();
        // root ignores permissions (CI containers often run as root).
        let probe = folder.join("probe");
        if fs::write(&probe, "x").is_ok() {
            let _ = fs::remove_file(&probe);
            fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
            println!(
                "note: running with permission to write anywhere (root); read-only check skipped"
            );
            return;
        }
        let error = export_to(&path, PROPOSAL, &meta()).unwrap_err();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            error.to_string(),
            "Could not write the file: folder is read-only"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "earlier export");
        assert_eq!(names_in(&folder), ["proposal.docx"]);
    }
}

// ---------------------------------------------------------------------------------
// Empty proposals
// ---------------------------------------------------------------------------------
mod empty {
    use super::*;

    #[test]
    fn markdown_is_just_the_title() {
        let out = render("", &meta(), Format::Markdown).unwrap();
        assert_eq!(out, b"# Acme Corp: analytics rollout\n");
    }

    #[test]
    fn docx_has_only_the_title_block() {
        let bytes = render("  \n", &meta(), Format::Docx).unwrap();
        let document = unzip(&bytes, "word/document.xml");
        assert!(document.contains("Acme Corp: analytics rollout"));
        // Title and byline; nothing else.
        assert_eq!(
            document.matches("<w:p>").count() + document.matches("<w:p ").count(),
            2
        );
    }

    #[test]
    fn pdf_is_one_page_with_the_title() {
        let bytes = render("", &meta(), Format::Pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        assert_eq!(page_count(&bytes), 1);
        if let Some(text) = pdf_text(&bytes) {
            assert!(text.contains("Acme Corp: analytics rollout"), "{text}");
            assert!(text.contains("Page 1 of 1"));
        }
    }

    #[test]
    fn an_empty_title_is_named_untitled() {
        let meta = ExportMeta::default();
        let out = render("", &meta, Format::Markdown).unwrap();
        assert_eq!(out, b"# Untitled proposal\n");
        for format in [Format::Docx, Format::Pdf] {
            assert!(!render("", &meta, format).unwrap().is_empty());
        }
    }
}
