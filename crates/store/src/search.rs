//! Full-text search over content, battle cards and leads; deals by their words.
//!
//! User text never reaches FTS5 as syntax: it is split into word tokens, each
//! quoted as an FTS5 string (so `AND`, `NEAR`, `*`, `^`, `col:` are just words or
//! dropped punctuation), the last one prefix-matched while the user is still
//! typing, all of them required.

use closer_types::{
    whole_dollars, ContentKind, DealStage, EnumText, LeadStatus, SearchHit, SearchKind, TextSpan,
};
use rusqlite::Connection;

use crate::codec::{collect, from_enum, from_json};
use crate::Result;

/// Marks where a snippet's hit starts and ends: private-use characters, which no
/// real text contains, so the snippet can be split without any HTML.
const HIT_START: char = '\u{E000}';
const HIT_END: char = '\u{E001}';

/// More words than this add nothing to a search box query but cost time.
const MAX_TOKENS: usize = 12;
/// A longer "word" is not a word; keep its start.
const MAX_TOKEN_CHARS: usize = 64;
/// Words of context around the hits in a snippet.
const SNIPPET_TOKENS: u32 = 16;

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 200;

/// The word tokens of `text`: runs of letters and digits (Unicode-aware), at most
/// [`MAX_TOKENS`], each at most [`MAX_TOKEN_CHARS`] long.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_TOKENS)
        .map(|t| t.chars().take(MAX_TOKEN_CHARS).collect())
        .collect()
}

/// A safe FTS5 query for `text`: every token quoted, the last prefix-matched (if
/// it has two characters or more),
/// all ANDed, each optionally restricted to `columns` (an FTS5 column filter like
/// `{a b}`). `None` when the text has no word at all.
pub(crate) fn fts_query(text: &str, columns: Option<&str>) -> Option<String> {
    let toks = tokens(text);
    let last = toks.len().checked_sub(1)?;
    let parts: Vec<String> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // Tokens hold only letters and digits, so no `"` needs escaping.
            // A one-letter prefix matches most of the vocabulary: slow and useless.
            let star = if i == last && t.chars().count() > 1 {
                "*"
            } else {
                ""
            };
            match columns {
                Some(c) => format!("{c} : \"{t}\"{star}"),
                None => format!("\"{t}\"{star}"),
            }
        })
        .collect();
    Some(parts.join(" AND "))
}

/// Splits user text into the words that look like (part of) an email address,
/// lowercased and stripped of surrounding quotes and punctuation, and the rest.
/// Emails are not in the lead index (see the migration), so they are matched
/// against the contacts directly.
pub(crate) fn split_emails(text: &str) -> (Vec<String>, String) {
    let mut emails = Vec::new();
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '@');
        if w.contains('@') && w.chars().count() > 1 {
            emails.push(w.to_lowercase());
        } else {
            rest.push(word);
        }
    }
    (emails, rest.join(" "))
}

/// Leads with a contact whose email contains `email` (already lowercased); shown
/// first, as an address is as precise as a query gets. A scan, but only for text
/// with an "@", and cheap at 100K leads.
fn leads_by_email(conn: &Connection, email: &str, limit: u32) -> Result<Vec<SearchHit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.company, l.industry, l.status, c.value ->> '$.email' \
         FROM leads l, json_each(l.contacts) c \
         WHERE instr(lower(l.contacts), ?1) > 0 \
           AND instr(lower(c.value ->> '$.email'), ?1) > 0 \
         LIMIT ?2",
    )?;
    collect(&mut stmt, (email, limit), |row| {
        let id: String = row.get(0)?;
        let industry: Option<String> = row.get(2)?;
        let status: String = row.get(3)?;
        let status: LeadStatus = from_enum("lead", &id, "status", &status)?;
        Ok(SearchHit {
            detail: None,
            kind: SearchKind::Lead,
            title: row.get(1)?,
            subtitle: lead_subtitle(industry.as_deref(), status),
            rank: f64::MIN,
            snippet: vec![TextSpan {
                text: row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                hit: true,
            }],
            id,
        })
    })
}

fn lead_subtitle(industry: Option<&str>, status: LeadStatus) -> String {
    match industry.map(str::trim).filter(|i| !i.is_empty()) {
        Some(i) => format!("{i} · {}", label(status.as_str())),
        None => label(status.as_str()),
    }
}

/// Splits an FTS5 snippet made with the private markers into spans.
fn spans(snippet: &str) -> Vec<TextSpan> {
    let mut out: Vec<TextSpan> = Vec::new();
    let mut hit = false;
    let mut current = String::new();
    let flush = |text: &mut String, hit: bool, out: &mut Vec<TextSpan>| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.hit == hit => last.text.push_str(text),
            _ => out.push(TextSpan {
                text: text.clone(),
                hit,
            }),
        }
        text.clear();
    };
    for c in snippet.chars() {
        match c {
            HIT_START => {
                flush(&mut current, hit, &mut out);
                hit = true;
            }
            HIT_END => {
                flush(&mut current, hit, &mut out);
                hit = false;
            }
            c => current.push(c),
        }
    }
    flush(&mut current, hit, &mut out);
    out
}

/// `case_study` -> `Case study`.
fn label(snake: &str) -> String {
    let text = snake
        .split('_')
        .map(|w| if w == "roi" { "ROI" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max_chars).collect();
    s.push('…');
    s
}

/// Searches content, battle cards and leads for `text`; hits of all three kinds
/// merged by bm25 rank (best first, column weighted: titles, competitor and company
/// count most). `limit` 0 means 20 (at most 200). Any text is accepted: text with
/// no word in it finds nothing.
pub fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<SearchHit>> {
    let limit = match limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    let (emails, rest) = split_emails(text);
    let mut hits = Vec::new();
    if let Some(email) = emails.first() {
        hits.extend(leads_by_email(conn, email, limit)?);
    }
    let Some(query) = fts_query(&rest, None) else {
        return Ok(hits);
    };
    let snippet = |table: &str| {
        format!(
            "snippet({table}, -1, char({}), char({}), '…', {SNIPPET_TOKENS})",
            HIT_START as u32, HIT_END as u32
        )
    };
    // Each inner query lets FTS5 sort by its configured, weighted rank and stop at
    // `limit`, so snippets are only built for rows that may be shown.
    let ranked = |table: &str| {
        format!(
            "SELECT rowid, rank, {} AS snip FROM {table} WHERE {table} MATCH ?1 \
             ORDER BY rank LIMIT ?2",
            snippet(table)
        )
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, c.title, c.kind, c.industries, f.rank, f.snip FROM ({}) f \
         JOIN content_items c ON c.rowid = f.rowid",
        ranked("content_fts")
    ))?;
    hits.extend(collect(&mut stmt, (&query, limit), |row| {
        let id: String = row.get(0)?;
        let kind: String = row.get(2)?;
        let industries: String = row.get(3)?;
        let kind: ContentKind = from_enum("content_item", &id, "kind", &kind)?;
        let industries: Vec<String> = from_json("content_item", &id, "industries", &industries)?;
        let mut subtitle = label(kind.as_str());
        if !industries.is_empty() {
            subtitle.push_str(" · ");
            subtitle.push_str(&industries.join(", "));
        }
        Ok(SearchHit {
            detail: None,
            kind: SearchKind::Content,
            title: row.get(1)?,
            subtitle,
            rank: row.get(4)?,
            snippet: spans(&row.get::<_, String>(5)?),
            id,
        })
    })?);

    let mut stmt = conn.prepare_cached(&format!(
        "SELECT b.id, b.competitor, b.summary, f.rank, f.snip FROM ({}) f \
         JOIN battle_cards b ON b.rowid = f.rowid",
        ranked("battle_cards_fts")
    ))?;
    hits.extend(collect(&mut stmt, (&query, limit), |row| {
        Ok(SearchHit {
            detail: None,
            kind: SearchKind::BattleCard,
            id: row.get(0)?,
            title: row.get(1)?,
            subtitle: shorten(&row.get::<_, String>(2)?, 140),
            rank: row.get(3)?,
            snippet: spans(&row.get::<_, String>(4)?),
        })
    })?);

    let mut stmt = conn.prepare_cached(&format!(
        "SELECT l.id, l.company, l.industry, l.status, f.rank, f.snip FROM ({}) f \
         JOIN leads l ON l.rowid = f.rowid",
        ranked("leads_fts")
    ))?;
    hits.extend(collect(&mut stmt, (&query, limit), |row| {
        let id: String = row.get(0)?;
        let industry: Option<String> = row.get(2)?;
        let status: String = row.get(3)?;
        let status: LeadStatus = from_enum("lead", &id, "status", &status)?;
        Ok(SearchHit {
            detail: None,
            kind: SearchKind::Lead,
            title: row.get(1)?,
            subtitle: lead_subtitle(industry.as_deref(), status),
            rank: row.get(4)?,
            snippet: spans(&row.get::<_, String>(5)?),
            id,
        })
    })?);

    hits.extend(deals_by_words(conn, &rest, limit)?);

    hits.sort_by(|a, b| a.rank.total_cmp(&b.rank));
    hits.truncate(limit as usize);
    Ok(hits)
}

/// The rank given to a deal whose name, company or competitors hold every word searched:
/// as strong as a good keyword match (a rep typing a deal's name wants that deal).
const DEAL_RANK: f64 = -8.0;
/// Words of a search that a deal must all contain (longer searches are phrases for content).
const DEAL_MAX_WORDS: usize = 4;

/// Deals whose name, lead company or competitors contain every word of `text` (case-
/// insensitive for ASCII), most recently updated first. A team's pipeline is thousands of
/// deals at most: a scan costs well under a millisecond and needs no index to keep.
fn deals_by_words(conn: &Connection, text: &str, limit: u32) -> Result<Vec<SearchHit>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() || words.len() > DEAL_MAX_WORDS {
        return Ok(Vec::new());
    }
    let haystack = "lower(d.name || ' ' || coalesce(l.company, '') || ' ' || d.competitors)";
    let conditions: Vec<String> = (1..=words.len())
        .map(|i| format!("instr({haystack}, ?{i}) > 0"))
        .collect();
    let sql = format!(
        "SELECT d.id, d.name, d.stage, d.amount_cents, l.company FROM deals d \
         LEFT JOIN leads l ON l.id = d.lead_id WHERE {} \
         ORDER BY d.updated_at DESC LIMIT {}",
        conditions.join(" AND "),
        limit
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(words.iter()), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut hits = Vec::new();
    for row in rows {
        let (id, name, stage, amount_cents, company) = row?;
        let stage: DealStage = from_enum("deal", &id, "stage", &stage)?;
        let mut subtitle = format!(
            "{} · {}",
            label(stage.as_str()),
            whole_dollars(amount_cents)
        );
        if let Some(c) = company.filter(|c| !c.trim().is_empty()) {
            subtitle.push_str(" · ");
            subtitle.push_str(&c);
        }
        hits.push(SearchHit {
            detail: None,
            kind: SearchKind::Deal,
            id,
            title: name,
            subtitle,
            rank: DEAL_RANK,
            snippet: Vec::new(),
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_every_token() {
        assert_eq!(fts_query("", None), None);
        assert_eq!(
            fts_query("\" AND ( * ^ -", None).as_deref(),
            Some("\"AND\"*")
        );
        assert_eq!(
            fts_query("NEAR(a bc)", None).as_deref(),
            Some("\"NEAR\" AND \"a\" AND \"bc\"*")
        );
        assert_eq!(fts_query("x", None).as_deref(), Some("\"x\""));
        assert_eq!(
            fts_query("acme co", Some("{company}")).as_deref(),
            Some("{company} : \"acme\" AND {company} : \"co\"*")
        );
        assert_eq!(tokens("Zürich-Café 😀 naïve").len(), 3);
    }

    #[test]
    fn snippets_split_into_spans() {
        let s = format!("a {HIT_START}b{HIT_END}{HIT_START}c{HIT_END} d");
        let spans = spans(&s);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[1].text, "bc");
        assert!(spans[1].hit);
        assert_eq!(label("case_study"), "Case study");
    }
}
