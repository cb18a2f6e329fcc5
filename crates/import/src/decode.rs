//! Bytes to text: byte order marks, UTF-16, binary and over-long lines.

use std::borrow::Cow;

use crate::{ImportError, Result, MAX_LINE_BYTES};

/// The file as text, with the name of the encoding it was in.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// 1-based line of byte offset `at` in `bytes`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    let end = at.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded<'_>> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((encoding_rs::UTF_16LE, rest, "UTF-16LE")),
        [0xFE, 0xFF, rest @ ..] => Some((encoding_rs::UTF_16BE, rest, "UTF-16BE")),
        _ => None,
    };
    if let Some((enc, rest, name)) = utf16 {
        if rest.len() % 2 != 0 {
            return Err(ImportError::Encoding {
                line: 1,
                reason: format!("the file says it is {name} but has an odd number of bytes"),
            });
        }
        let (text, had_errors) = enc.decode_without_bom_handling(rest);
        if had_errors {
            let at = text.find('\u{FFFD}').unwrap_or(0);
            return Err(ImportError::Encoding {
                line: line_of(text.as_bytes(), at),
                reason: format!("the file says it is {name} but contains invalid {name} data"),
            });
        }
        check_text(&text)?;
        return Ok(Decoded {
            text,
            encoding: name,
        });
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<Decoded<'_>> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::Binary {
            line: line_of(bytes, at),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            check_text(text)?;
            Ok(Decoded {
                text: Cow::Borrowed(text),
                encoding: "UTF-8",
            })
        }
        Err(e) => {
            let at = e.valid_up_to();
            let line = line_of(bytes, at);
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let byte = bytes.get(at).copied().unwrap_or(0);
            Err(ImportError::Encoding {
                line,
                reason: format!(
                    "byte 0x{byte:02X} at position {} is not UTF-8; the file was probably saved as Windows/Latin-1 \"CSV\"",
                    at - line_start + 1
                ),
            })
        }
    }
}

/// NUL characters and over-long physical lines, on decoded text.
fn check_text(text: &str) -> Result<()> {
    let bytes = text.as_bytes();
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(ImportError::Binary {
            line: line_of(bytes, at),
        });
    }
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.len() > MAX_LINE_BYTES {
            return Err(ImportError::LineTooLong {
                line: i as u64 + 1,
                bytes: line.len() as u64,
            });
        }
    }
    Ok(())
}

/// The delimiter the header line uses: `;` or tab when it clearly does, else `,`.
/// Also honours Excel's `sep=;` first line; returns how many lines to skip.
pub(crate) fn sniff_delimiter(text: &str) -> (u8, usize) {
    let first = text.lines().next().unwrap_or("").trim();
    if let Some(sep) = first.strip_prefix("sep=") {
        if let [d] = sep.as_bytes() {
            return (*d, 1);
        }
    }
    let (mut commas, mut semis, mut tabs) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for b in first.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            b'\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if tabs > commas && tabs >= semis {
        (b'\t', 0)
    } else if semis > commas {
        (b';', 0)
    } else {
        (b',', 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("Company,Email\n"), (b',', 0));
        assert_eq!(sniff_delimiter("Company;Email;Phone\n"), (b';', 0));
        assert_eq!(sniff_delimiter("Company\tEmail\n"), (b'\t', 0));
        assert_eq!(sniff_delimiter("\"A;B\",Email\n"), (b',', 0));
        assert_eq!(sniff_delimiter("sep=;\nCompany;Email\n"), (b';', 1));
        assert_eq!(sniff_delimiter("Company\n"), (b',', 0));
    }

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of(b"a\nb\nc", 0), 1);
        assert_eq!(line_of(b"a\nb\nc", 2), 2);
        assert_eq!(line_of(b"a\nb\nc", 4), 3);
    }
}
