//! Markdown export: the rep's Markdown as written, with `\n` line endings, no byte-order
//! mark, no blank lines around it, one final newline, and a `# Title` line on top when
//! the text does not start with a level-1 heading of its own.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};

use crate::ExportMeta;

pub(crate) fn render(markdown: &str, meta: &ExportMeta) -> Vec<u8> {
    let text = markdown.strip_prefix('\u{feff}').unwrap_or(markdown);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // Blank lines before and after go; indentation of the first line stays (it can
    // make an indented code block).
    let start = text
        .char_indices()
        .take_while(|(_, c)| c.is_whitespace())
        .filter(|(_, c)| *c == '\n')
        .last()
        .map_or(0, |(i, _)| i + 1);
    let body = text[start..].trim_end();

    let mut out = String::with_capacity(body.len() + meta.title.len() + 8);
    if !starts_with_title(body) {
        out.push_str("# ");
        out.push_str(&meta.display_title());
        out.push('\n');
        if !body.is_empty() {
            out.push('\n');
        }
    }
    if !body.is_empty() {
        out.push_str(body);
        out.push('\n');
    }
    out.into_bytes()
}

/// Whether the first thing in `markdown` is a level-1 heading (`# ...` or `===`).
fn starts_with_title(markdown: &str) -> bool {
    matches!(
        Parser::new(markdown).next(),
        Some(Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(markdown: &str, expected: &str) {
        let meta = ExportMeta {
            title: "Acme proposal".into(),
            ..ExportMeta::default()
        };
        let out = String::from_utf8(render(markdown, &meta)).expect("utf-8");
        assert_eq!(out, expected, "input {markdown:?}");
    }

    #[test]
    fn table() {
        check("", "# Acme proposal\n");
        check("  \r\n \n", "# Acme proposal\n");
        check("Hello\r\nworld\r", "# Acme proposal\n\nHello\nworld\n");
        check("# Mine\r\n\r\nText", "# Mine\n\nText\n");
        check("\u{feff}\n\nMine\n===\n", "Mine\n===\n");
        check("## Sub\n", "# Acme proposal\n\n## Sub\n");
        check("\n\n    code\n", "# Acme proposal\n\n    code\n");
        check("a\rb", "# Acme proposal\n\na\nb\n");
    }
}
