//! closer-extract against files built here: real PDFs (hand-written and lopdf-built, and a
//! LibreOffice-converted one when `soffice` is on PATH), DOCX and PPTX zips, HTML, Markdown and
//! text; then hostile input (corrupt, encrypted, zip bombs, oversized, binary, empty, missing),
//! a fuzz loop, metadata tables, and the 20-page PDF timing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use closer_extract::{
    extract_bytes, extract_file, infer_metadata, supported, BombCause, ExtractError, Extracted,
    Format, Limits,
};

// ---------------------------------------------------------------------------------------------
// Fixtures

mod fixtures {
    use super::*;

    /// PDF string literal escaping.
    pub fn pdf_str(s: &str) -> String {
        s.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    }

    /// A PDF written by hand: `objects[0]` is object 1 (the catalog). Offsets in the xref table
    /// are real, so lopdf reads it without repairs.
    pub fn raw_pdf(objects: &[String], trailer_extra: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            write!(out, "{} 0 obj\n{}\nendobj\n", i + 1, body).unwrap();
        }
        let xref = out.len();
        write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
        for off in offsets {
            writeln!(out, "{off:010} 00000 n ").unwrap();
        }
        write!(
            out,
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .unwrap();
        out
    }

    pub fn stream(content: &str) -> String {
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
    }

    /// Pages of content streams, Helvetica (WinAnsi) as /F1, optional /Info title.
    pub fn simple_pdf(pages: &[String], info_title: Option<&str>) -> Vec<u8> {
        let n = pages.len();
        let mut objs: Vec<String> = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {n} >>",
                (0..n)
                    .map(|i| format!("{} 0 R", 4 + 2 * i))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .into(),
        ];
        for (i, content) in pages.iter().enumerate() {
            objs.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            ));
            objs.push(stream(content));
        }
        let mut trailer = String::new();
        if let Some(title) = info_title {
            objs.push(format!(
                "<< /Title ({}) /Producer (closer tests) >>",
                pdf_str(title)
            ));
            trailer = format!("/Info {} 0 R", objs.len());
        }
        raw_pdf(&objs, &trailer)
    }

    /// A page of lines: (font size, text, extra gap before the line). Lines run down from the
    /// top with 1.25× leading, one `Td` each, in one text object.
    pub fn page(lines: &[(f32, &str, f32)]) -> String {
        let mut s = String::from("BT\n");
        let mut y = 740.0;
        let mut first = true;
        for (size, text, gap) in lines {
            if first {
                s += &format!("/F1 {size} Tf\n72 {y} Td\n");
                first = false;
            } else {
                let dy = size * 1.25 + gap;
                y -= dy;
                s += &format!("/F1 {size} Tf\n0 {} Td\n", -dy);
            }
            s += &format!("({}) Tj\n", pdf_str(text));
        }
        s += "ET";
        s
    }

    /// Words of filler prose, deterministic.
    pub fn prose(seed: usize, words: usize) -> String {
        const W: &[&str] = &[
            "forecast",
            "pipeline",
            "quarter",
            "revenue",
            "accuracy",
            "teams",
            "managers",
            "deals",
            "review",
            "weekly",
            "signals",
            "risk",
            "customers",
            "renewal",
            "expansion",
            "data",
            "model",
            "reps",
            "calls",
            "close",
            "plan",
            "board",
            "trust",
            "numbers",
        ];
        let mut out = Vec::new();
        for i in 0..words {
            let w = W[(seed * 7 + i * 13 + i / 5) % W.len()];
            if i % 12 == 11 {
                out.push(format!("{w}."));
            } else {
                out.push(w.to_string());
            }
        }
        let mut s = out.join(" ");
        if let Some(first) = s.get(0..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s
    }

    /// A zip with the given (name, content) entries, deflated.
    pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(content).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    pub const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

    pub fn docx_paragraph(style: Option<&str>, text: &str) -> String {
        let ppr = style
            .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
            .unwrap_or_default();
        format!(r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    /// The package plumbing a real DOCX has (LibreOffice will not open one without it).
    const DOCX_CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;
    const DOCX_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;
    const DOCX_DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

    pub fn docx(body: &str, core_title: Option<&str>) -> Vec<u8> {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{body}</w:body></w:document>"#
        );
        let styles = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W_NS}>
            <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>
            <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
            <w:style w:type="paragraph" w:styleId="CaseHeading"><w:name w:val="Case Heading"/><w:basedOn w:val="Heading2"/></w:style>
            <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
            </w:styles>"#
        );
        let core = core_title.map(|t| {
            format!(
                r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{t}</dc:title></cp:coreProperties>"#
            )
        });
        let app = r#"<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>3</Pages></Properties>"#;
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", DOCX_CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", DOCX_RELS.as_bytes()),
            ("word/_rels/document.xml.rels", DOCX_DOC_RELS.as_bytes()),
            ("word/document.xml", document.as_bytes()),
            ("word/styles.xml", styles.as_bytes()),
            ("docProps/app.xml", app.as_bytes()),
        ];
        if let Some(core) = &core {
            entries.push(("docProps/core.xml", core.as_bytes()));
        }
        zip(&entries)
    }

    pub const P_NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;

    /// A slide: an optional title placeholder, body paragraphs, and a slide-number placeholder.
    pub fn slide(title: Option<&str>, body: &[&str], number: u32) -> String {
        let shape = |ph: &str, paras: &[&str]| {
            let ps: String = paras
                .iter()
                .map(|p| format!("<a:p><a:r><a:t>{p}</a:t></a:r></a:p>"))
                .collect();
            format!(
                r#"<p:sp><p:nvSpPr><p:cNvPr id="2" name="x"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:txBody><a:bodyPr/>{ps}</p:txBody></p:sp>"#
            )
        };
        let mut shapes = String::new();
        if let Some(t) = title {
            shapes += &shape(r#"<p:ph type="title"/>"#, &[t]);
        }
        shapes += &shape(r#"<p:ph idx="1"/>"#, body);
        shapes += &shape(r#"<p:ph type="sldNum" idx="12"/>"#, &[&number.to_string()]);
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><p:sld {P_NS}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>"#
        )
    }

    /// A deck whose slide files are listed in `order` (file numbers) in presentation.xml.
    pub fn pptx(slides: &[String], order: &[usize]) -> Vec<u8> {
        let ids: String = order
            .iter()
            .enumerate()
            .map(|(i, n)| format!(r#"<p:sldId id="{}" r:id="rId{}"/>"#, 256 + i, 10 + n))
            .collect();
        let presentation = format!(
            r#"<?xml version="1.0"?><p:presentation {P_NS}><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"#
        );
        let rels: String = (1..=slides.len())
            .map(|n| {
                format!(
                    r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide{n}.xml"/>"#,
                    10 + n
                )
            })
            .collect();
        let rels = format!(
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        );
        let names: Vec<String> = (1..=slides.len())
            .map(|n| format!("ppt/slides/slide{n}.xml"))
            .collect();
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", presentation.as_bytes()),
            ("ppt/_rels/presentation.xml.rels", rels.as_bytes()),
        ];
        for (name, s) in names.iter().zip(slides) {
            entries.push((name.as_str(), s.as_bytes()));
        }
        zip(&entries)
    }

    /// A PDF built with lopdf: `pages` of paragraphs set in 11pt Helvetica with `TJ` kerning
    /// arrays for word spaces (as LaTeX does), a 20pt heading per page, Flate-compressed.
    pub fn lopdf_pdf(pages: &[(String, Vec<String>)]) -> lopdf::Document {
        use lopdf::content::{Content, Operation};
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let resources_id =
            doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        let mut kids = Vec::new();
        for (heading, paras) in pages {
            let mut ops = vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 20.into()]),
                Operation::new("Td", vec![72.into(), 740.into()]),
                Operation::new("Tj", vec![Object::string_literal(heading.as_str())]),
                Operation::new("Tf", vec!["F1".into(), 11.into()]),
                Operation::new("TL", vec![14.into()]),
                Operation::new("Td", vec![0.into(), (-30).into()]),
            ];
            for para in paras {
                // ~12 words a line, words apart by TJ offsets rather than spaces.
                let words: Vec<&str> = para.split(' ').collect();
                for line in words.chunks(12) {
                    let mut arr = Vec::new();
                    for (i, w) in line.iter().enumerate() {
                        if i > 0 {
                            arr.push(Object::Integer(-278));
                        }
                        arr.push(Object::string_literal(*w));
                    }
                    ops.push(Operation::new("TJ", vec![Object::Array(arr)]));
                    ops.push(Operation::new("T*", vec![]));
                }
                ops.push(Operation::new("T*", vec![]));
            }
            ops.push(Operation::new("ET", vec![]));
            let content = Content { operations: ops }.encode().unwrap();
            let content_id = doc.add_object(Stream::new(dictionary! {}, content));
            kids.push(Object::from(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            })));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => count,
                "Resources" => resources_id,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        doc.compress();
        doc
    }

    pub fn save(doc: &mut lopdf::Document) -> Vec<u8> {
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// xorshift64*: deterministic bytes for the fuzz loop.
    pub struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        pub fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }
}

use fixtures::*;

fn ok(name: &str, bytes: &[u8]) -> Extracted {
    match extract_bytes(name, bytes, &Limits::default()) {
        Ok(e) => e,
        Err(e) => panic!("{name}: {e} ({e:?})"),
    }
}

fn err(name: &str, bytes: &[u8]) -> ExtractError {
    match extract_bytes(name, bytes, &Limits::default()) {
        Ok(e) => panic!("{name} should fail, got {:?}", e.text),
        Err(e) => e,
    }
}

/// Every passage within the size rules and made of whole words of the text.
fn check_passages(e: &Extracted) {
    let words: std::collections::HashSet<&str> = e.text.split_whitespace().collect();
    for p in &e.passages {
        let n = p.text.split_whitespace().count();
        assert!((1..=200).contains(&n), "passage {} has {n} words", p.index);
        for w in p.text.split_whitespace() {
            assert!(
                words.contains(w),
                "passage {} word {w:?} is not a word of the text",
                p.index
            );
        }
    }
    for (i, p) in e.passages.iter().enumerate() {
        assert_eq!(p.index as usize, i);
    }
}

// ---------------------------------------------------------------------------------------------
// PDF

mod pdf {
    use super::*;

    #[test]
    fn hand_written_pdf_gives_text_title_pages_and_headings() {
        let body1 = prose(1, 60);
        let body2 = prose(2, 70);
        let p1 = page(&[
            (24.0, "Northwind Health ROI Case Study", 0.0),
            (11.0, &body1[..body1.len() / 2], 10.0),
            (11.0, &body1[body1.len() / 2..], 0.0),
            (18.0, "Results", 12.0),
            (11.0, "Close time fell by 40% (from 10 to 6 days).", 8.0),
        ]);
        let p2 = page(&[(18.0, "Next steps", 0.0), (11.0, &body2, 8.0)]);
        let bytes = simple_pdf(&[p1, p2], Some("Northwind ROI story"));
        let e = ok("northwind.pdf", &bytes);
        assert_eq!(e.format, Format::Pdf);
        assert_eq!(e.title, "Northwind ROI story");
        assert_eq!(e.pages, Some(2));
        assert!(
            e.text
                .contains("Close time fell by 40% (from 10 to 6 days)."),
            "{}",
            e.text
        );
        assert!(
            e.text.starts_with("Northwind Health ROI Case Study\n\n"),
            "{}",
            e.text
        );
        let results = e
            .passages
            .iter()
            .find(|p| p.text.contains("Close time"))
            .unwrap();
        assert_eq!(results.heading.as_deref(), Some("Results"));
        assert_eq!(results.page, Some(1));
        let next = e
            .passages
            .iter()
            .find(|p| p.heading.as_deref() == Some("Next steps"))
            .unwrap();
        assert_eq!(next.page, Some(2));
        check_passages(&e);
    }

    #[test]
    fn words_placed_by_position_get_spaces_and_hyphens_join() {
        // LaTeX-style kerning arrays, words placed with Tm, and a hyphenated line end.
        let content = "BT /F1 11 Tf 72 700 Td [(Word)-333(spacing)-333(by)-20(kern)-333(offsets)] TJ ET\n\
                       BT /F1 11 Tf 1 0 0 1 72 680 Tm (Positioned) Tj 1 0 0 1 140 680 Tm (words) Tj ET\n\
                       BT /F1 11 Tf 72 660 Td (an implemen-) Tj 0 -13 Td (tation detail) Tj ET";
        let e = ok("layout.pdf", &simple_pdf(&[content.to_string()], None));
        assert!(e.text.contains("Word spacing bykern offsets"), "{}", e.text);
        assert!(e.text.contains("Positioned words"), "{}", e.text);
        assert!(e.text.contains("an implementation detail"), "{}", e.text);
        // No /Info title and no big heading: the title comes from the file name.
        assert_eq!(e.title, "layout");
    }

    #[test]
    fn lopdf_built_compressed_pdf() {
        let pages: Vec<(String, Vec<String>)> = (0..3)
            .map(|p| {
                (
                    format!("Section {}", p + 1),
                    vec![prose(p, 120), prose(p + 10, 90)],
                )
            })
            .collect();
        let bytes = save(&mut lopdf_pdf(&pages));
        let e = ok("built.pdf", &bytes);
        assert_eq!(e.pages, Some(3));
        let first_words: Vec<&str> = pages[0].1[0].split(' ').take(20).collect();
        assert!(
            e.text.contains(&first_words.join(" ")),
            "{}",
            &e.text[..300]
        );
        assert!(e
            .passages
            .iter()
            .any(|p| p.heading.as_deref() == Some("Section 2") && p.page == Some(2)));
        check_passages(&e);
        // Passages are mostly 80+ words when paragraphs allow it.
        let long = e
            .passages
            .iter()
            .filter(|p| p.text.split_whitespace().count() >= 80)
            .count();
        assert!(
            long * 2 >= e.passages.len(),
            "{:?}",
            e.passages
                .iter()
                .map(|p| p.text.split_whitespace().count())
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn pdf_opening_with_an_empty_password_is_read_and_a_real_password_is_reported() {
        use lopdf::{EncryptionState, EncryptionVersion, Object, Permissions};
        let make = |user: &str| {
            let mut doc = lopdf_pdf(&[("Secret plan".into(), vec![prose(3, 50)])]);
            let id = Object::string_literal(b"0123456789abcdef".to_vec());
            doc.trailer.set("ID", vec![id.clone(), id]);
            let state = EncryptionState::try_from(EncryptionVersion::V2 {
                document: &doc,
                owner_password: "owner-pass",
                user_password: user,
                key_length: 128,
                permissions: Permissions::all(),
            })
            .unwrap();
            doc.encrypt(&state).unwrap();
            save(&mut doc)
        };
        let e = ok("restricted.pdf", &make(""));
        assert!(e.text.contains("Secret plan"), "{}", e.text);
        let locked = err("locked.pdf", &make("hunter2"));
        assert!(
            matches!(
                locked,
                ExtractError::Encrypted {
                    format: Format::Pdf
                }
            ),
            "{locked:?}"
        );
        assert_eq!(
            locked.to_string(),
            "This PDF is password-protected; save a copy without the password to index it"
        );
    }

    #[test]
    fn hand_made_encrypt_dictionary_is_encrypted() {
        let mut objs = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_string(),
            stream("BT /F1 12 Tf 72 700 Td (gibberish) Tj ET"),
        ];
        objs.push(format!(
            "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <{o}> /U <{u}> >>",
            o = "ab".repeat(32),
            u = "cd".repeat(32)
        ));
        let id = "00112233445566778899aabbccddeeff";
        let bytes = raw_pdf(&objs, &format!("/Encrypt 5 0 R /ID [<{id}> <{id}>]"));
        let e = err("enc.pdf", &bytes);
        assert!(matches!(e, ExtractError::Encrypted { .. }), "{e:?}");
    }

    #[test]
    fn corrupt_pdfs_are_reported_as_damaged() {
        let good = simple_pdf(&[page(&[(11.0, "hello", 0.0)])], None);
        // Cut right after the header: nothing left to read.
        let e = err("cut.pdf", &good[..30]);
        assert!(
            matches!(
                e,
                ExtractError::Corrupt {
                    format: Format::Pdf,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("This PDF looks damaged: "), "{e}");
        // A header followed by noise.
        let mut noise = b"%PDF-1.7\n".to_vec();
        noise.extend(Rng(7).bytes(20_000));
        let e = err("noise.pdf", &noise);
        assert!(matches!(e, ExtractError::Corrupt { .. }), "{e:?}");
        // Not a PDF at all.
        let e = err("word.pdf", b"PK\x03\x04 this is a zip");
        assert!(e.to_string().contains("not a PDF"), "{e}");
    }

    #[test]
    fn truncated_pdf_either_recovers_text_or_says_damaged() {
        let pages: Vec<String> = (0..4)
            .map(|i| page(&[(11.0, &prose(i, 40), 0.0)]))
            .collect();
        let good = simple_pdf(&pages, None);
        for cut in [good.len() / 2, good.len() - 40, good.len() - 5] {
            match extract_bytes("t.pdf", &good[..cut], &Limits::default()) {
                // lopdf rebuilds the object table by scanning, so the pages before the cut read.
                Ok(e) => assert!(e.text.contains(&prose(0, 40)[..30]), "{}", e.text),
                Err(e) => assert!(
                    matches!(e, ExtractError::Corrupt { .. } | ExtractError::Empty { .. }),
                    "{e:?}"
                ),
            }
        }
    }

    #[test]
    fn pdf_without_text_is_empty_with_a_scanned_hint() {
        let content = "q 612 0 0 792 0 0 cm 0.5 g 0 0 1 1 re f Q".to_string();
        let e = err("scan.pdf", &simple_pdf(&[content], None));
        assert!(
            matches!(
                e,
                ExtractError::Empty {
                    format: Format::Pdf
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "No text found in this PDF; it may be a scanned image"
        );
    }

    /// A PDF that LibreOffice made from a DOCX (TrueType subset fonts, ToUnicode maps, its own
    /// layout): the real thing a rep exports. Skipped where LibreOffice is not installed.
    #[test]
    fn libreoffice_converted_pdf_when_available() {
        let Some(pdf) = libreoffice_pdf(&sample_docx(), "docx") else {
            eprintln!("skipped: LibreOffice (soffice) is not installed or could not convert");
            return;
        };
        let e = ok("converted.pdf", &pdf);
        assert!(
            e.text.contains("Acme & Co cut their close time by 40%"),
            "{}",
            e.text
        );
        assert!(e.text.contains("Metric"), "{}", e.text);
        // Non-Latin text decodes through the embedded font's ToUnicode map.
        assert!(
            e.text.contains("Ελληνικά κείμενα και ελληνική αγορά."),
            "{}",
            e.text
        );
        assert!(
            e.passages
                .iter()
                .any(|p| p.heading.as_deref() == Some("The challenge")),
            "{:#?}",
            e.passages
        );
        check_passages(&e);
    }
}

/// Converts `input` (with extension `ext`) to PDF with LibreOffice, if it is installed.
fn libreoffice_pdf(input: &[u8], ext: &str) -> Option<Vec<u8>> {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })?;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(format!("in.{ext}"));
    std::fs::write(&src, input).unwrap();
    let profile = format!("file://{}", dir.path().join("profile").display());
    let status = std::process::Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&src)
        .output()
        .ok()?;
    if !status.status.success() {
        eprintln!(
            "soffice failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        return None;
    }
    let pdf = std::fs::read(dir.path().join("in.pdf")).ok();
    if pdf.is_none() {
        eprintln!(
            "soffice made no PDF: {} {}",
            String::from_utf8_lossy(&status.stdout),
            String::from_utf8_lossy(&status.stderr)
        );
    }
    pdf
}

fn sample_docx() -> Vec<u8> {
    let body = [
        docx_paragraph(Some("Title"), "Acme &amp; Co ROI Case Study"),
        docx_paragraph(Some("berschrift1"), "The challenge"),
        r#"<w:p><w:r><w:t xml:space="preserve">Acme &amp; Co </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>cut their close time</w:t></w:r><w:r><w:t xml:space="preserve"> by 40%</w:t></w:r><w:r><w:tab/><w:t>in one quarter.</w:t></w:r></w:p>"#.to_string(),
        docx_paragraph(None, &prose(4, 120)),
        r#"<w:p><w:r><w:delText>deleted words</w:delText></w:r><w:r><w:t>Kept words.</w:t></w:r></w:p>"#.to_string(),
        docx_paragraph(Some("CaseHeading"), "Results"),
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Metric</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Before</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>After</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Close days</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>10</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>6</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
        r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>Quote in a text box</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>Quote in a text box</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
        docx_paragraph(None, "Caf&#233; &#x2014; &lt;fin&gt;"),
        docx_paragraph(None, "Ελληνικά κείμενα και ελληνική αγορά."),
    ]
    .concat();
    docx(&body, Some("Acme ROI story"))
}

// ---------------------------------------------------------------------------------------------
// DOCX and PPTX

mod office {
    use super::*;

    #[test]
    fn docx_text_headings_tables_and_title() {
        let e = ok("acme.docx", &sample_docx());
        assert_eq!(e.format, Format::Docx);
        assert_eq!(e.title, "Acme ROI story");
        assert_eq!(e.pages, Some(3));
        assert!(
            e.text
                .contains("Acme & Co cut their close time by 40% in one quarter."),
            "{}",
            e.text
        );
        assert!(!e.text.contains("deleted words"));
        assert!(e.text.contains("Kept words."));
        assert!(
            e.text
                .contains("Metric | Before | After\n\nClose days | 10 | 6"),
            "{}",
            e.text
        );
        assert_eq!(
            e.text.matches("Quote in a text box").count(),
            1,
            "{}",
            e.text
        );
        assert!(e.text.contains("Café — <fin>"), "{}", e.text);
        let challenge = e
            .passages
            .iter()
            .find(|p| p.text.contains("close time"))
            .unwrap();
        assert_eq!(challenge.heading.as_deref(), Some("The challenge"));
        let results = e
            .passages
            .iter()
            .find(|p| p.text.contains("Metric"))
            .unwrap();
        assert_eq!(results.heading.as_deref(), Some("Results"));
        check_passages(&e);
    }

    #[test]
    fn docx_title_falls_back_to_title_style_then_file_name() {
        let body = docx_paragraph(Some("Title"), "Q3 Pricing Sheet")
            + &docx_paragraph(None, "Seats are $40.");
        assert_eq!(ok("x.docx", &docx(&body, None)).title, "Q3 Pricing Sheet");
        let body = docx_paragraph(None, "Seats are $40.");
        assert_eq!(
            ok("Q3_pricing_sheet.docx", &docx(&body, None)).title,
            "Q3 pricing sheet"
        );
    }

    #[test]
    fn pptx_slides_in_presentation_order_with_titles() {
        let slides = vec![
            slide(
                Some("Why Lumora"),
                &["Forecasts you can trust", "Built for RevOps"],
                1,
            ),
            slide(Some("Northwind &amp; Lumora"), &["40% faster close"], 2),
            slide(None, &["Thank you"], 3),
            slide(Some("Questions?"), &[], 4),
        ];
        // presentation.xml puts slide2.xml first.
        let e = ok("deck.pptx", &pptx(&slides, &[2, 1, 3, 4]));
        assert_eq!(e.format, Format::Pptx);
        assert_eq!(e.pages, Some(4));
        assert_eq!(e.title, "Northwind & Lumora");
        assert!(
            !e.text.contains("\n\n1\n\n"),
            "slide numbers are not text: {}",
            e.text
        );
        let p: Vec<(Option<u32>, Option<&str>, &str)> = e
            .passages
            .iter()
            .map(|p| (p.page, p.heading.as_deref(), p.text.as_str()))
            .collect();
        assert_eq!(
            p,
            [
                (Some(1), Some("Northwind & Lumora"), "40% faster close"),
                (
                    Some(2),
                    Some("Why Lumora"),
                    "Forecasts you can trust\n\nBuilt for RevOps"
                ),
                (Some(3), None, "Thank you"),
                (Some(4), Some("Questions?"), "Questions?"),
            ]
        );
    }

    #[test]
    fn pptx_without_presentation_order_uses_file_numbers() {
        let slides = [slide(Some("One"), &["a"], 1), slide(Some("Two"), &["b"], 2)];
        let bytes = zip(&[
            ("ppt/presentation.xml", b"<p:presentation/>"),
            ("ppt/slides/slide10.xml", slides[1].as_bytes()),
            ("ppt/slides/slide9.xml", slides[0].as_bytes()),
        ]);
        let e = ok("d.pptx", &bytes);
        assert_eq!(e.text, "One\n\na\n\nTwo\n\nb");
    }

    #[test]
    fn office_files_that_are_not_office_files() {
        let e = err("a.docx", b"just text, not a zip");
        assert!(
            matches!(
                e,
                ExtractError::Corrupt {
                    format: Format::Docx,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = err("a.docx", &zip(&[("hello.txt", b"hi")]));
        assert!(
            e.to_string().contains("word/document.xml is missing"),
            "{e}"
        );
        let e = err("a.pptx", &zip(&[("word/document.xml", b"<x/>")]));
        assert!(
            e.to_string().contains("ppt/presentation.xml is missing"),
            "{e}"
        );
        let e = err(
            "a.docx",
            &zip(&[(
                "word/document.xml",
                b"<w:document><w:body><w:p><w:t>unclosed",
            )]),
        );
        assert!(
            matches!(e, ExtractError::Corrupt { .. } | ExtractError::Empty { .. }),
            "{e:?}"
        );
        let e = err(
            "a.docx",
            &zip(&[(
                "word/document.xml",
                b"<w:document><w:body></w:body></w:document>",
            )]),
        );
        assert!(
            matches!(
                e,
                ExtractError::Empty {
                    format: Format::Docx
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn password_protected_and_legacy_office_files() {
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.extend([0u8; 500]);
        let marker: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut encrypted = ole.clone();
        encrypted.extend(&marker);
        let e = err("locked.docx", &encrypted);
        assert!(
            matches!(
                e,
                ExtractError::Encrypted {
                    format: Format::Docx
                }
            ),
            "{e:?}"
        );
        let e = err("old.pptx", &ole);
        assert!(e.to_string().contains("older Office file (.ppt)"), "{e}");
    }

    /// A DOCX whose document.xml inflates to 210 MB from well under 1 MB: refused from the
    /// sizes in the central directory, before anything is inflated.
    #[test]
    fn zip_bomb_docx_is_refused_by_declared_size() {
        let bomb = bomb_docx(210);
        assert!(bomb.len() < 1024 * 1024, "bomb is {} bytes", bomb.len());
        let started = Instant::now();
        let e = err("bomb.docx", &bomb);
        assert!(
            matches!(
                e,
                ExtractError::ZipBomb {
                    cause: BombCause::TooBig,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "This DOCX expands to more than 200 MB; it was not opened"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
        // Under the total limit but compressed 1000 to 1: the ratio guard.
        let e = err("bomb.docx", &bomb_docx(30));
        assert!(
            matches!(
                e,
                ExtractError::ZipBomb {
                    cause: BombCause::Ratio(100),
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "This DOCX is compressed more than 100 to 1, as zip bombs are; it was not opened"
        );
    }

    /// The same bomb with its headers rewritten to claim 1 KB: reading stops right after the
    /// declared size (the zip crate checks it; our own count of inflated bytes is the backstop
    /// for headers that declare nothing, see the unit test in ooxml.rs).
    #[test]
    fn zip_bomb_with_lying_headers_is_stopped_while_reading() {
        let mut bomb = bomb_docx(30);
        let patched = patch_uncompressed_sizes(&mut bomb, "word/document.xml", 1024);
        assert_eq!(
            patched, 2,
            "local header and central directory both patched"
        );
        let e = err("liar.docx", &bomb);
        assert!(
            matches!(
                e,
                ExtractError::ZipBomb {
                    cause: BombCause::LyingHeader,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "This DOCX holds more data than it declares, as zip bombs do; it was not opened"
        );
    }

    /// Total budget across parts, with a small limit: ordinary text that is just too much.
    #[test]
    fn uncompressed_budget_counts_real_bytes() {
        let body: String = (0..400)
            .map(|i| docx_paragraph(None, &prose(i, 80)))
            .collect();
        let bytes = docx(&body, None);
        let limits = Limits {
            max_uncompressed_bytes: 64 * 1024,
            ..Limits::default()
        };
        let e = extract_bytes("big.docx", &bytes, &limits).unwrap_err();
        assert!(
            matches!(
                e,
                ExtractError::ZipBomb {
                    cause: BombCause::TooBig,
                    limit: 65536,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(extract_bytes("big.docx", &bytes, &Limits::default()).is_ok());
    }

    fn bomb_docx(mb: usize) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .large_file(false);
        w.start_file("word/document.xml", options).unwrap();
        w.write_all(format!("<w:document {W_NS}><w:body><w:p><w:r><w:t>").as_bytes())
            .unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..mb {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
            .unwrap();
        w.finish().unwrap().into_inner()
    }

    /// Rewrites the uncompressed size of `name` in its local header and central directory
    /// record; returns how many records were changed.
    fn patch_uncompressed_sizes(zip: &mut [u8], name: &str, size: u32) -> usize {
        let mut patched = 0;
        let n = name.as_bytes();
        let mut i = 0;
        while i + 46 <= zip.len() {
            let sig = &zip[i..i + 4];
            let (size_at, name_len_at, name_at) = if sig == b"PK\x03\x04" {
                (i + 22, i + 26, i + 30)
            } else if sig == b"PK\x01\x02" {
                (i + 24, i + 28, i + 46)
            } else {
                i += 1;
                continue;
            };
            let len = u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]) as usize;
            if zip.get(name_at..name_at + len) == Some(n) {
                zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
            i += 4;
        }
        patched
    }
}

// ---------------------------------------------------------------------------------------------
// HTML, Markdown, text

mod markup {
    use super::*;

    #[test]
    fn html_drops_scripts_styles_and_chrome_and_decodes_entities() {
        let html = r#"<!DOCTYPE html><html><head><title>Lumora &amp; Northwind</title>
            <style>body { color: red } h1::after { content: "</h1>" }</style>
            <script>var s = "<p>not text</p>"; if (a < b && c > d) {}</script></head>
            <body><nav><a href="/">Home</a> <a href="/pricing">Pricing</a></nav>
            <h1>ROI&nbsp;in 90&nbsp;days</h1>
            <p>Caf&eacute; owners &mdash; and CFOs &#8212; save <b>12&#37;</b>&hellip;<br>on <i>every</i> invoice.</p>
            <ul><li>One</li><li>Two</li></ul>
            <noscript>Enable JavaScript</noscript>
            <table><tr><td>Metric</td><td>Value</td></tr></table>
            <img src="x.png" alt="Chart of savings">
            <p>Unclosed paragraph <p>next one &unknownentity; &lt;tag&gt;
            </body></html>"#;
        let e = ok("page.html", html.as_bytes());
        assert_eq!(e.format, Format::Html);
        assert_eq!(e.title, "Lumora & Northwind");
        assert_eq!(
            e.text,
            "ROI in 90 days\n\nCafé owners — and CFOs — save 12%… on every invoice.\n\nOne\n\nTwo\n\nMetric | Value\n\nChart of savings\n\nUnclosed paragraph\n\nnext one &unknownentity; <tag>"
        );
        // &nbsp; is whitespace like any other to search.
        assert_eq!(e.passages[0].heading.as_deref(), Some("ROI in 90 days"));
        assert!(
            !e.text.contains("not text") && !e.text.contains("color") && !e.text.contains("Home")
        );
    }

    #[test]
    fn markdown_headings_become_passage_headings() {
        let md = format!(
            "---\ntitle: \"Healthcare ROI playbook\"\nowner: sam\n---\n\n# Playbook\n\nIntro line.\n\n## Discovery\n\n{}\n\n{}\n\n## Pricing\n\n- Seats are **$40**\n- Volume discounts\n\n| Tier | Price |\n|---|---|\n| Pro | $40 |\n\n```\ncode stays\n```\n\n<div>raw html</div>\n",
            prose(1, 150),
            prose(2, 150)
        );
        let e = ok("playbook.md", md.as_bytes());
        assert_eq!(e.format, Format::Markdown);
        assert_eq!(e.title, "Healthcare ROI playbook");
        assert!(!e.text.contains("owner: sam"));
        assert!(!e.text.contains("raw html"));
        assert!(
            e.text.contains(
                "Seats are $40\n\nVolume discounts\n\nTier | Price\n\nPro | $40\n\ncode stays"
            ),
            "{}",
            e.text
        );
        let headings: Vec<Option<&str>> = e.passages.iter().map(|p| p.heading.as_deref()).collect();
        assert_eq!(
            headings,
            [
                Some("Playbook"),
                Some("Discovery"),
                Some("Discovery"),
                Some("Pricing")
            ]
        );
        // 300 words under Discovery split at the paragraph, not mid-sentence.
        assert!(
            e.passages[1].text.ends_with('.')
                || e.passages[1].text.split_whitespace().count() == 150
        );
        check_passages(&e);
    }

    #[test]
    fn markdown_without_front_matter_uses_first_h1() {
        let e = ok("x.md", b"# Battlecard: Acme vs Globex\n\nWe win on price.");
        assert_eq!(e.title, "Battlecard: Acme vs Globex");
        let e = ok("acme-vs-globex.md", b"## Why we win\n\nWe win on price.");
        assert_eq!(e.title, "acme vs globex");
    }

    #[test]
    fn long_paragraphs_split_between_sentences_and_words() {
        // One 700-word paragraph of 12-word sentences, then a 450-word sentence.
        let long_sentence = vec!["word"; 450].join(" ");
        let md = format!("# Notes\n\n{}\n\n{long_sentence}\n", prose(5, 700));
        let e = ok("notes.md", md.as_bytes());
        check_passages(&e);
        let sizes: Vec<usize> = e
            .passages
            .iter()
            .map(|p| p.text.split_whitespace().count())
            .collect();
        assert!(sizes.iter().all(|&n| n <= 200), "{sizes:?}");
        assert!(
            sizes.iter().filter(|&&n| n >= 80).count() >= sizes.len() - 2,
            "{sizes:?}"
        );
        for p in &e.passages[..3] {
            assert!(
                p.text.ends_with('.'),
                "ends mid-sentence: …{}",
                &p.text[p.text.len() - 30..]
            );
        }
        assert_eq!(sizes.iter().sum::<usize>(), 1150);
    }

    #[test]
    fn text_encodings() {
        let e = ok("a.txt", "Héllo — UTF-8\n\nSecond paragraph.".as_bytes());
        assert_eq!(e.text, "Héllo — UTF-8\n\nSecond paragraph.");
        assert_eq!(e.title, "Héllo — UTF-8");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            "Grüße aus Köln. Notepad wrote this."
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(
            ok("n.txt", &utf16).text,
            "Grüße aus Köln. Notepad wrote this."
        );
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend("Big endian.".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(ok("b.txt", &utf16be).text, "Big endian.");
        assert_eq!(
            ok("w.txt", b"Caf\xe9 cr\xe8me, 20\x80 off.").text,
            "Café crème, 20€ off."
        );
        let e = err("bad.txt", b"\xFF\xFEa\x00\x00\xD8");
        assert!(
            matches!(
                e,
                ExtractError::NotUtf8 {
                    encoding: "UTF-16",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = err("bad.txt", b"\xEF\xBB\xBFok \xC3\x28");
        assert!(
            matches!(
                e,
                ExtractError::NotUtf8 {
                    encoding: "UTF-8",
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn text_title_underline_and_paragraphs() {
        let e = ok(
            "t.txt",
            b"Pricing FAQ\n===========\n\nLine one\nline two.\n\n\nLast.",
        );
        assert_eq!(e.title, "Pricing FAQ");
        assert_eq!(e.text, "Pricing FAQ\n\nLine one line two.\n\nLast.");
        assert_eq!(e.passages[0].heading.as_deref(), Some("Pricing FAQ"));
    }
}

// ---------------------------------------------------------------------------------------------
// Files, limits and hostile input

mod hostile {
    use super::*;

    #[test]
    fn sparse_200_mb_file_is_rejected_by_size_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.pdf");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(200 * 1024 * 1024).unwrap();
        let started = Instant::now();
        let e = extract_file(&path, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                e,
                ExtractError::TooLarge {
                    bytes: 209_715_200,
                    limit: 52_428_800
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "This file is 200 MB; files over 50 MB are not indexed"
        );
        assert!(
            started.elapsed() < Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
        let e = extract_bytes(
            "x.txt",
            &[b'a'; 2048],
            &Limits {
                max_file_bytes: 1024,
                ..Limits::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                ExtractError::TooLarge {
                    bytes: 2048,
                    limit: 1024
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn binary_renamed_to_text_formats() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
        for name in ["notes.md", "page.html", "a.txt"] {
            let e = err(name, png);
            assert!(matches!(e, ExtractError::NotText { .. }), "{name}: {e:?}");
        }
        assert_eq!(
            err("notes.md", png).to_string(),
            "This .md file is binary, not text"
        );
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.extend(Rng(3).bytes(4000));
        assert!(matches!(
            err("x.markdown", &elf),
            ExtractError::NotText { .. }
        ));
    }

    #[test]
    fn empty_and_blank_files() {
        for name in ["a.pdf", "a.docx", "a.pptx", "a.md", "a.html", "a.txt"] {
            let e = err(name, b"");
            assert!(matches!(e, ExtractError::Empty { .. }), "{name}: {e:?}");
        }
        assert!(matches!(
            err("a.txt", b"  \n\n\t "),
            ExtractError::Empty { .. }
        ));
        assert!(matches!(
            err("a.html", b"<html><script>x()</script></html>"),
            ExtractError::Empty { .. }
        ));
        assert_eq!(err("a.md", b"\n").to_string(), "This file is empty");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.txt");
        std::fs::write(&path, b"").unwrap();
        assert!(matches!(
            extract_file(&path, &Limits::default()),
            Err(ExtractError::Empty {
                format: Format::Text
            })
        ));
    }

    #[test]
    fn directories_missing_files_and_unsupported_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("looks-like.pdf");
        std::fs::create_dir(&folder).unwrap();
        let e = extract_file(&folder, &Limits::default()).unwrap_err();
        assert!(matches!(e, ExtractError::NotAFile { .. }), "{e:?}");
        assert!(e.to_string().ends_with("is a folder, not a file"), "{e}");

        let missing = dir.path().join("gone.pdf");
        let e = extract_file(&missing, &Limits::default()).unwrap_err();
        match &e {
            ExtractError::Io { source, .. } => {
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
            }
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("does not exist"), "{e}");

        let xlsx = dir.path().join("model.xlsx");
        std::fs::write(&xlsx, b"PK").unwrap();
        let e = extract_file(&xlsx, &Limits::default()).unwrap_err();
        assert!(
            matches!(&e, ExtractError::Unsupported { extension } if extension == "xlsx"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("Closer cannot read .xlsx files yet"),
            "{e}"
        );
        assert!(matches!(
            err("README", b"hi"),
            ExtractError::Unsupported { .. }
        ));
    }

    #[test]
    fn supported_extensions() {
        for ok in [
            "a.pdf",
            "b.DOCX",
            "c.pptx",
            "d.md",
            "e.markdown",
            "f.html",
            "g.HTM",
            "h.txt",
            "/x/y/z.Pdf",
        ] {
            assert!(supported(Path::new(ok)), "{ok}");
        }
        for no in [
            "a.doc",
            "b.ppt",
            "c.xlsx",
            "d",
            ".pdf",
            "e.pdf.tmp",
            "f.mp4",
            "dir/",
        ] {
            assert!(!supported(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn extract_file_reads_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Healthcare CFO ROI Case Study 2024.docx");
        std::fs::write(&path, sample_docx()).unwrap();
        let e = extract_file(&path, &Limits::default()).unwrap();
        assert_eq!(e.title, "Acme ROI story");
    }

    #[test]
    fn text_limit_truncates_at_a_word() {
        let limits = Limits {
            max_text_chars: 1000,
            ..Limits::default()
        };
        let md = (0..50)
            .map(|i| format!("## Part {i}\n\n{}\n\n", prose(i, 60)))
            .collect::<String>();
        let e = extract_bytes("long.md", md.as_bytes(), &limits).unwrap();
        assert!(e.truncated);
        assert!(e.text.chars().count() <= 1000);
        let last = e.text.split_whitespace().last().unwrap();
        assert!(md.contains(last));
        check_passages(&e);
        let pdf = save(&mut lopdf_pdf(
            &(0..10)
                .map(|p| (format!("S{p}"), vec![prose(p, 300)]))
                .collect::<Vec<_>>(),
        ));
        let e = extract_bytes("long.pdf", &pdf, &limits).unwrap();
        assert!(e.truncated && e.text.chars().count() <= 1000);
    }

    #[test]
    fn timeout_stops_reading() {
        let limits = Limits {
            timeout: Some(Duration::ZERO),
            ..Limits::default()
        };
        let pdf = save(&mut lopdf_pdf(&[("A".into(), vec![prose(1, 50)])]));
        std::thread::sleep(Duration::from_millis(2));
        let e = extract_bytes("slow.pdf", &pdf, &limits).unwrap_err();
        assert!(
            matches!(
                e,
                ExtractError::Timeout {
                    format: Format::Pdf,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    /// 2,000 inputs per extension: random bytes (some behind a plausible header) and random
    /// mutations of a valid file. None may panic, and none may reach the caught-panic path.
    #[test]
    fn fuzz_never_panics() {
        let samples: Vec<(&str, Vec<u8>)> = vec![
            ("f.pdf", simple_pdf(&[page(&[(20.0, "Title", 0.0), (11.0, &prose(1, 40), 4.0)])], Some("T"))),
            ("f.docx", sample_docx()),
            ("f.pptx", pptx(&[slide(Some("A"), &["b", "c"], 1), slide(None, &["d"], 2)], &[1, 2])),
            ("f.md", b"---\ntitle: x\n---\n# H\n\n* a\n* b\n\n| a | b |\n|--|--|\n| 1 | 2 |\n\n<b>x</b> [l](u) ![i](p)".to_vec()),
            ("f.html", b"<html><head><title>t</title><script>x</script></head><body><h1>H</h1><p>a &amp; b<table><tr><td>1</td></tr></table></body></html>".to_vec()),
            ("f.txt", "Title\n=====\n\nBody text — ünïcode.".as_bytes().to_vec()),
        ];
        let limits = Limits {
            timeout: Some(Duration::from_secs(5)),
            ..Limits::default()
        };
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut outcomes: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
        for (name, sample) in &samples {
            for i in 0..2000 {
                let input: Vec<u8> = match i % 4 {
                    0 => {
                        let n = rng.below(4096);
                        rng.bytes(n)
                    }
                    1 => {
                        let header: &[u8] = match *name {
                            "f.pdf" => {
                                b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                            }
                            "f.docx" | "f.pptx" => b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
                            _ => b"\xEF\xBB\xBF# ",
                        };
                        let n = rng.below(2048);
                        [header.to_vec(), rng.bytes(n)].concat()
                    }
                    2 => {
                        let mut m = sample.clone();
                        for _ in 0..1 + rng.below(8) {
                            let at = rng.below(m.len());
                            m[at] = rng.next() as u8;
                        }
                        m
                    }
                    _ => {
                        let mut m = sample.clone();
                        m.truncate(rng.below(m.len() + 1));
                        let at = rng.below(m.len() + 1);
                        let n = rng.below(64);
                        m.splice(at..at, rng.bytes(n));
                        m
                    }
                };
                let outcome = match extract_bytes(name, &input, &limits) {
                    Ok(_) => "ok",
                    Err(e) => e.kind(),
                };
                assert_ne!(
                    outcome, "internal",
                    "{name} input #{i} panicked inside a parser: {input:?}"
                );
                *outcomes.entry((name, outcome)).or_default() += 1;
            }
        }
        eprintln!("fuzz outcomes: {outcomes:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata

mod metadata {
    use super::*;

    #[test]
    fn infer_table() {
        struct Case {
            file: &'static str,
            title: &'static str,
            text: &'static str,
            kind: Option<&'static str>,
            industries: &'static [&'static str],
            personas: &'static [&'static str],
            topics: &'static [&'static str],
            year: Option<u16>,
        }
        let cases = [
            Case {
                file: "Healthcare CFO ROI Case Study 2024.pdf",
                title: "",
                text: "",
                kind: Some("case_study"),
                industries: &["Healthcare"],
                personas: &["CFO"],
                topics: &["ROI"],
                year: Some(2024),
            },
            Case {
                file: "HealthcareCFO_ROI-CaseStudy_FY23.pdf",
                title: "",
                text: "",
                kind: Some("case_study"),
                industries: &["Healthcare"],
                personas: &["CFO"],
                topics: &["ROI"],
                year: Some(2023),
            },
            Case {
                file: "q3.pptx",
                title: "Lumora for Financial Services",
                text: "Banking leaders and the CRO need pipeline visibility. Chief Revenue Officer priorities: pipeline visibility and forecast accuracy.",
                kind: Some("deck"),
                industries: &["Financial Services"],
                personas: &["CRO"],
                topics: &["pipeline visibility"],
                year: None,
            },
            Case {
                file: "Acme vs Globex.pdf",
                title: "",
                text: "",
                kind: Some("battlecard"),
                industries: &[],
                personas: &[],
                topics: &[],
                year: None,
            },
            Case {
                file: "ROI Calculator - Manufacturing.xlsx",
                title: "",
                text: "",
                kind: Some("roi_calculator"),
                industries: &["Manufacturing"],
                personas: &[],
                topics: &["ROI"],
                year: None,
            },
            Case {
                file: "pricing-2025.pdf",
                title: "Price list",
                text: "",
                kind: Some("pricing_sheet"),
                industries: &[],
                personas: &[],
                topics: &["pricing"],
                year: Some(2025),
            },
            Case {
                file: "customer-webinar.mp4",
                title: "",
                text: "",
                kind: Some("video"),
                industries: &[],
                personas: &[],
                topics: &[],
                year: None,
            },
            Case {
                file: "followup.md",
                title: "Email template: post-demo follow-up",
                text: "Hi {first_name}, thanks for the time today. Our SOC 2 report and SOC 2 bridge letter are attached.",
                kind: Some("email_template"),
                industries: &[],
                personas: &[],
                topics: &["SOC 2"],
                year: None,
            },
            Case {
                file: "notes.txt",
                title: "Notes",
                text: "It is what it is. The hospital mentioned it once. © 2022 Lumora Inc.",
                kind: None,
                industries: &[],
                personas: &[],
                topics: &[],
                year: Some(2022),
            },
            Case {
                file: "The Public Sector IT leader's guide to data residency.pdf",
                title: "",
                text: "",
                kind: Some("whitepaper"),
                industries: &["Public Sector"],
                personas: &["CIO"],
                topics: &["data residency"],
                year: None,
            },
            Case {
                file: "one-pager.docx",
                title: "Lumora for Retail RevOps teams",
                text: "",
                kind: Some("one_pager"),
                industries: &["Retail"],
                personas: &["RevOps Manager"],
                topics: &[],
                year: None,
            },
        ];
        for c in cases {
            let got = infer_metadata(c.file, c.title, c.text);
            assert_eq!(got.kind.as_deref(), c.kind, "{}: {got:?}", c.file);
            assert_eq!(got.industries, c.industries, "{}: {got:?}", c.file);
            assert_eq!(got.personas, c.personas, "{}: {got:?}", c.file);
            assert_eq!(got.topics, c.topics, "{}: {got:?}", c.file);
            assert_eq!(got.year, c.year, "{}: {got:?}", c.file);
        }
    }

    #[test]
    fn infer_from_extracted_docx() {
        let e = ok("Healthcare CFO ROI Case Study 2024.docx", &sample_docx());
        let m = infer_metadata("Healthcare CFO ROI Case Study 2024.docx", &e.title, &e.text);
        assert_eq!(m.kind.as_deref(), Some("case_study"));
        assert_eq!(m.industries, ["Healthcare"]);
        assert_eq!(m.personas, ["CFO"]);
        assert!(m.topics.contains(&"ROI".to_string()));
        assert_eq!(m.year, Some(2024));
    }
}

// ---------------------------------------------------------------------------------------------
// Timing

/// The issue's budget: a 20-page PDF saved into the watched folder is searchable within 2 s.
/// Run with `cargo test -p closer-extract --release -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run by hand with --release --ignored --nocapture"]
fn bench_20_page_pdf() {
    let pages: Vec<(String, Vec<String>)> = (0..20)
        .map(|p| {
            (
                format!("Section {}", p + 1),
                (0..4).map(|k| prose(p * 4 + k, 110)).collect(),
            )
        })
        .collect();
    let bytes = save(&mut lopdf_pdf(&pages));
    let runs = 10;
    let mut times = Vec::new();
    let mut words = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let e = extract_bytes("bench.pdf", &bytes, &Limits::default()).unwrap();
        times.push(started.elapsed());
        words = e.text.split_whitespace().count();
        assert_eq!(e.pages, Some(20));
    }
    times.sort();
    println!(
        "20-page PDF ({} KB, {words} words): median {:.1} ms, min {:.1} ms over {runs} runs",
        bytes.len() / 1024,
        times[runs / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );

    // A real-world one, when LibreOffice is there to make it: 20 pages of a DOCX.
    let body: String = (0..20)
        .map(|p| {
            docx_paragraph(Some("berschrift1"), &format!("Section {}", p + 1))
                + &(0..4)
                    .map(|k| docx_paragraph(None, &prose(p * 4 + k, 110)))
                    .collect::<String>()
                + r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#
        })
        .collect();
    if let Some(pdf) = libreoffice_pdf(&docx(&body, Some("Bench")), "docx") {
        let mut times = Vec::new();
        let mut pages = None;
        for _ in 0..runs {
            let started = Instant::now();
            let e = extract_bytes("lo.pdf", &pdf, &Limits::default()).unwrap();
            times.push(started.elapsed());
            pages = e.pages;
        }
        times.sort();
        println!(
            "LibreOffice PDF ({} KB, {pages:?} pages): median {:.1} ms, min {:.1} ms",
            pdf.len() / 1024,
            times[runs / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0
        );
    }
}
