//! Bytes to text for the text formats (.txt, .md, .html), and plain text to blocks.
//!
//! Decoding, in order:
//! 1. A UTF-8 byte-order mark: the rest must be UTF-8.
//! 2. A UTF-16 (LE or BE) byte-order mark: the rest must be valid UTF-16 (Notepad's
//!    "Unicode" files).
//! 3. No mark: valid UTF-8 is taken as it is.
//! 4. Otherwise, if the bytes look like text (no NUL bytes, few control characters), they are
//!    decoded as Windows-1252 (what Windows editors wrote before UTF-8 was the default; every
//!    byte sequence decodes, so this never fails).
//! 5. Anything that looks binary (a NUL byte, many control characters) is
//!    [`ExtractError::NotText`], so an image renamed to `.md` is reported, not indexed as junk.
//!
//! A declared encoding that does not decode is [`ExtractError::NotUtf8`].

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::doc::DocBuilder;
use crate::error::{ExtractError, Result};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn decode(bytes: &[u8], extension: &str) -> Result<String> {
    let not_utf = |encoding| ExtractError::NotUtf8 {
        extension: extension.to_string(),
        encoding,
    };
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        let text = std::str::from_utf8(rest).map_err(|_| not_utf("UTF-8"))?;
        return check_text(text.to_string(), extension);
    }
    for (bom, encoding, name) in [
        (b"\xFF\xFE", UTF_16LE, "UTF-16"),
        (b"\xFE\xFF", UTF_16BE, "UTF-16"),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let text = encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .ok_or_else(|| not_utf(name))?;
            return check_text(text.into_owned(), extension);
        }
    }
    if looks_binary(bytes) {
        return Err(ExtractError::NotText {
            extension: extension.to_string(),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => check_text(text.to_string(), extension),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            check_text(text.into_owned(), extension)
        }
    }
}

/// Binary if the first 8 KiB hold a NUL byte, or more than 10% of them are control characters
/// other than tab, newline, carriage return, form feed and escape.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    controls * 10 > head.len()
}

/// Decoded text can still be binary in disguise (UTF-16 of an executable…).
fn check_text(text: String, extension: &str) -> Result<String> {
    let sample: Vec<char> = text.chars().take(8192).collect();
    let controls = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}' | '\u{1b}'))
        .count();
    if sample.contains(&'\0') || controls * 10 > sample.len() {
        return Err(ExtractError::NotText {
            extension: extension.to_string(),
        });
    }
    Ok(text)
}

/// Plain text: paragraphs are separated by blank lines. A short first line followed by a
/// blank line (or an underline of `=`/`-`) is taken as the title.
pub(crate) fn extract(text: &str, doc: &mut DocBuilder) -> Result<()> {
    let mut para = String::new();
    let mut first = true;
    let mut lines = text.lines().peekable();
    let mut count = 0usize;
    while let Some(line) = lines.next() {
        count += 1;
        if count.is_multiple_of(4096) {
            doc.check_deadline()?;
        }
        if doc.is_full() {
            break;
        }
        let trimmed = line.trim();
        let underline = |l: &str| {
            let l = l.trim();
            l.len() >= 3 && (l.chars().all(|c| c == '=') || l.chars().all(|c| c == '-'))
        };
        if trimmed.is_empty() {
            flush(&mut para, doc, &mut first);
            continue;
        }
        if para.is_empty() && lines.peek().is_some_and(|next| underline(next)) {
            // "Title\n=====" (setext-style) heading.
            doc.heading(1, trimmed, None);
            if first {
                doc.meta_title.get_or_insert_with(|| trimmed.to_string());
            }
            first = false;
            lines.next();
            continue;
        }
        if underline(trimmed) {
            continue;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(trimmed);
    }
    flush(&mut para, doc, &mut first);
    Ok(())
}

fn flush(para: &mut String, doc: &mut DocBuilder, first: &mut bool) {
    if para.is_empty() {
        return;
    }
    let words = para.split_whitespace().count();
    if *first && words <= 12 && !para.ends_with(['.', ',', ';']) {
        doc.heading(1, para, None);
        doc.meta_title.get_or_insert_with(|| para.clone());
    } else {
        doc.paragraph(para, None);
    }
    *first = false;
    para.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_fallbacks() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi", "txt").unwrap(), "hi");
        assert_eq!(decode(b"\xFF\xFEh\0i\0", "txt").unwrap(), "hi");
        assert_eq!(decode(b"\xFE\xFF\0h\0i", "txt").unwrap(), "hi");
        assert_eq!(decode(b"caf\xE9", "txt").unwrap(), "café");
        assert!(matches!(
            decode(b"\xFF\xFEh\0i", "txt"),
            Err(ExtractError::NotUtf8 { .. })
        ));
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "md"),
            Err(ExtractError::NotText { .. })
        ));
    }
}
