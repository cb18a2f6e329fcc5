//! Markdown through `pulldown-cmark` events: headings stay headings (so passages carry them),
//! paragraphs, list items, table rows and code blocks become paragraphs. Raw HTML in the
//! Markdown is dropped (it is markup, rarely content). A YAML front-matter `title:` is the title.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::doc::DocBuilder;
use crate::error::Result;

pub(crate) fn extract(text: &str, doc: &mut DocBuilder) -> Result<()> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut buf = String::new();
    let mut heading: Option<u8> = None;
    let mut in_metadata = false;
    let mut image_depth = 0usize;
    for (n, event) in Parser::new_ext(text, options).enumerate() {
        if n % 4096 == 4095 {
            doc.check_deadline()?;
        }
        if doc.is_full() {
            break;
        }
        match event {
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            Event::Text(t) if in_metadata => {
                if let Some(title) = front_matter_title(&t) {
                    doc.meta_title.get_or_insert(title);
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut buf, None, doc);
                heading = Some(level_number(level));
            }
            Event::End(TagEnd::Heading(_)) => {
                flush(&mut buf, heading.take(), doc);
            }
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(Tag::Item | Tag::CodeBlock(_) | Tag::BlockQuote(_) | Tag::TableRow)
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::FootnoteDefinition,
            )
            | Event::Rule => flush(&mut buf, heading, doc),
            Event::End(TagEnd::TableCell) => buf.push_str(" | "),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if image_depth > 0 && !buf.is_empty() {
                    buf.push(' ');
                }
                buf.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => buf.push(' '),
            // Raw HTML, footnote references and task markers are markup, not content.
            _ => {}
        }
    }
    flush(&mut buf, heading, doc);
    Ok(())
}

fn flush(buf: &mut String, heading: Option<u8>, doc: &mut DocBuilder) {
    let text = buf.trim().trim_end_matches('|').trim();
    if !text.is_empty() {
        match heading {
            Some(level) => doc.heading(level, text, None),
            None => doc.paragraph(text, None),
        }
    }
    buf.clear();
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `title: "Q3 ROI case study"` in YAML front matter (a plain scalar, or quoted).
fn front_matter_title(yaml: &str) -> Option<String> {
    yaml.lines().find_map(|line| {
        let value = line.strip_prefix("title:")?.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value)
            .trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}
