//! Metadata guessed from words: what kind of asset a file is, which industries, personas and
//! topics it is for, and its year.
//!
//! Each label has a few synonyms (matched as whole words, case-insensitively, with a plural
//! `s` ignored; a synonym starting with `=` must match case too, so "IT" is not "it"). Where a
//! synonym is found counts: the file name weighs most, then the title, then the text, where a
//! label needs at least two mentions. The labels are the ones the demo workspace and the UI
//! use (`closer-demo`'s INDUSTRIES and PERSONAS, `ContentKind`'s names).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What [`infer_metadata`] found. Empty lists and `None` mean "no evidence", not "none".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inferred {
    /// One of `case_study`, `deck`, `one_pager`, `pricing_sheet`, `roi_calculator`,
    /// `email_template`, `whitepaper`, `video`, `battlecard`.
    pub kind: Option<String>,
    pub industries: Vec<String>,
    pub personas: Vec<String>,
    pub topics: Vec<String>,
    pub year: Option<u16>,
}

type Table = &'static [(&'static str, &'static [&'static str])];

/// Order matters for ties: earlier wins.
const KINDS: Table = &[
    (
        "case_study",
        &[
            "case study",
            "case studies",
            "casestudy",
            "customer story",
            "success story",
            "customer spotlight",
        ],
    ),
    (
        "roi_calculator",
        &[
            "roi calculator",
            "roi calc",
            "tco calculator",
            "value calculator",
            "savings calculator",
            "roi model",
            "business case calculator",
            "calculator",
        ],
    ),
    (
        "pricing_sheet",
        &[
            "pricing sheet",
            "price sheet",
            "price list",
            "pricelist",
            "pricing",
            "rate card",
            "price book",
            "pricebook",
        ],
    ),
    (
        "battlecard",
        &[
            "battlecard",
            "battle card",
            "battlecards",
            "competitive",
            "competitor",
            "vs",
            "versus",
            "kill sheet",
            "objection handling",
        ],
    ),
    (
        "email_template",
        &[
            "email template",
            "e-mail template",
            "email sequence",
            "email cadence",
            "outreach template",
            "follow-up email",
            "follow up email",
            "cold email",
            "prospecting email",
        ],
    ),
    (
        "one_pager",
        &[
            "one pager",
            "one-pager",
            "onepager",
            "1 pager",
            "datasheet",
            "data sheet",
            "fact sheet",
            "factsheet",
            "solution brief",
            "product brief",
        ],
    ),
    (
        "whitepaper",
        &[
            "whitepaper",
            "white paper",
            "ebook",
            "e-book",
            "research report",
            "guide to",
            "playbook",
        ],
    ),
    (
        "deck",
        &["deck", "pitch deck", "slide deck", "presentation", "slides"],
    ),
    ("video", &["video", "webinar", "recording"]),
];

const INDUSTRIES: Table = &[
    (
        "Healthcare",
        &[
            "healthcare",
            "health care",
            "hospital",
            "health system",
            "clinical",
            "patient",
            "medical",
            "pharma",
            "pharmaceutical",
            "life sciences",
            "biotech",
        ],
    ),
    (
        "Financial Services",
        &[
            "financial services",
            "banking",
            "bank",
            "fintech",
            "wealth management",
            "asset management",
            "lending",
            "credit union",
            "capital markets",
            "finserv",
        ],
    ),
    (
        "Manufacturing",
        &[
            "manufacturing",
            "manufacturer",
            "factory",
            "industrial",
            "plant floor",
            "production line",
            "automotive",
        ],
    ),
    (
        "Retail",
        &[
            "retail",
            "retailer",
            "ecommerce",
            "e-commerce",
            "consumer goods",
            "cpg",
            "merchandising",
            "shopper",
        ],
    ),
    (
        "Technology",
        &[
            "technology company",
            "tech company",
            "saas",
            "software company",
            "high tech",
            "hi-tech",
            "it services",
        ],
    ),
    (
        "Education",
        &[
            "education",
            "higher ed",
            "higher education",
            "university",
            "k-12",
            "k12",
            "school district",
            "edtech",
            "campus",
        ],
    ),
    (
        "Public Sector",
        &[
            "public sector",
            "government",
            "federal",
            "state and local",
            "municipal",
            "municipality",
            "agency",
            "agencies",
            "govtech",
        ],
    ),
    (
        "Energy",
        &[
            "energy",
            "utility",
            "utilities",
            "oil and gas",
            "oil & gas",
            "renewable",
            "renewables",
            "solar",
            "power grid",
        ],
    ),
    (
        "Logistics",
        &[
            "logistics",
            "supply chain",
            "freight",
            "shipping",
            "warehouse",
            "warehousing",
            "transportation",
            "fleet",
            "3pl",
        ],
    ),
    (
        "Insurance",
        &[
            "insurance",
            "insurer",
            "underwriting",
            "policyholder",
            "reinsurance",
            "claims processing",
        ],
    ),
];

const PERSONAS: Table = &[
    (
        "CFO",
        &[
            "cfo",
            "chief financial officer",
            "vp finance",
            "vp of finance",
            "finance director",
            "head of finance",
            "finance leader",
            "finance team",
        ],
    ),
    (
        "CIO",
        &[
            "cio",
            "chief information officer",
            "=IT",
            "it leader",
            "it director",
            "head of it",
            "vp it",
        ],
    ),
    (
        "CTO",
        &[
            "cto",
            "chief technology officer",
            "vp engineering",
            "head of engineering",
        ],
    ),
    (
        "VP Sales",
        &[
            "vp sales",
            "vp of sales",
            "vice president of sales",
            "head of sales",
            "sales director",
            "sales leader",
            "sales leadership",
            "sales manager",
        ],
    ),
    (
        "CRO",
        &[
            "cro",
            "chief revenue officer",
            "svp revenue",
            "revenue leader",
        ],
    ),
    (
        "Head of Operations",
        &[
            "head of operations",
            "coo",
            "chief operating officer",
            "vp operations",
            "operations leader",
        ],
    ),
    (
        "Procurement",
        &[
            "procurement",
            "purchasing",
            "strategic sourcing",
            "sourcing team",
        ],
    ),
    (
        "CISO",
        &[
            "ciso",
            "chief information security officer",
            "security team",
            "director of security",
        ],
    ),
    (
        "CEO",
        &[
            "ceo",
            "chief executive officer",
            "founder",
            "founders",
            "executive team",
        ],
    ),
    (
        "RevOps Manager",
        &[
            "revops",
            "rev ops",
            "revenue operations",
            "sales ops",
            "sales operations",
        ],
    ),
];

const TOPICS: Table = &[
    ("ROI", &["roi", "return on investment"]),
    ("payback", &["payback", "payback period"]),
    ("TCO", &["tco", "total cost of ownership"]),
    (
        "cost savings",
        &[
            "cost savings",
            "cost saving",
            "save money",
            "cost reduction",
            "reduce costs",
        ],
    ),
    (
        "forecast accuracy",
        &[
            "forecast accuracy",
            "forecasting accuracy",
            "accurate forecast",
            "forecasting",
        ],
    ),
    (
        "pipeline visibility",
        &["pipeline visibility", "pipeline", "deal visibility"],
    ),
    (
        "rep productivity",
        &[
            "rep productivity",
            "sales productivity",
            "seller productivity",
            "productivity",
        ],
    ),
    ("onboarding", &["onboarding", "ramp time", "time to ramp"]),
    (
        "deal risk",
        &["deal risk", "at-risk deal", "deals at risk", "risk score"],
    ),
    (
        "pricing",
        &["pricing", "price list", "discount", "discounting"],
    ),
    (
        "contract terms",
        &[
            "contract terms",
            "msa",
            "terms and conditions",
            "renewal terms",
        ],
    ),
    (
        "integration",
        &[
            "integration",
            "integrations",
            "api",
            "connector",
            "connectors",
        ],
    ),
    (
        "security",
        &["security", "encryption", "sso", "penetration test"],
    ),
    ("SOC 2", &["soc 2", "soc2", "soc ii"]),
    (
        "compliance",
        &["compliance", "compliant", "gdpr", "hipaa", "regulatory"],
    ),
    ("data residency", &["data residency", "data sovereignty"]),
    (
        "data quality",
        &[
            "data quality",
            "clean data",
            "data hygiene",
            "duplicate records",
        ],
    ),
    (
        "implementation",
        &[
            "implementation",
            "deployment",
            "rollout",
            "go-live",
            "go live",
        ],
    ),
    (
        "growth planning",
        &[
            "growth planning",
            "growth plan",
            "capacity planning",
            "territory planning",
        ],
    ),
];

/// How many words of the text are looked at (the rest adds little and costs time).
const MAX_TEXT_WORDS: usize = 50_000;
/// Words at the start of the text that count towards the kind.
const KIND_TEXT_WORDS: usize = 400;

const NAME_WEIGHT: u32 = 4;
const TITLE_WEIGHT: u32 = 3;
/// Text mentions count one each, up to this many, and a label needs two.
const TEXT_CAP: u32 = 3;
const MIN_SCORE: u32 = 2;

#[derive(Debug, Clone)]
struct Token {
    norm: String,
    raw: String,
}

/// Words of `text`: letters and digits; `&` is a word of its own ("oil & gas").
fn tokenize(text: &str, split_camel: bool, max: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    let push = |cur: &mut String, out: &mut Vec<Token>| {
        if !cur.is_empty() {
            out.push(Token {
                norm: normalize(cur),
                raw: std::mem::take(cur),
            });
        }
    };
    for c in text.chars() {
        if out.len() >= max {
            break;
        }
        if c.is_alphanumeric() {
            if split_camel && c.is_uppercase() && prev_lower {
                push(&mut cur, &mut out);
            }
            prev_lower = c.is_lowercase();
            cur.push(c);
        } else {
            push(&mut cur, &mut out);
            prev_lower = false;
            if c == '&' {
                out.push(Token {
                    norm: "&".into(),
                    raw: "&".into(),
                });
            }
        }
    }
    push(&mut cur, &mut out);
    out.truncate(max);
    out
}

/// Lowercase, and a final plural `s` dropped from words longer than three letters.
fn normalize(word: &str) -> String {
    let mut w = word.to_lowercase();
    if w.chars().count() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    w
}

struct Phrase {
    words: Vec<String>,
    case_sensitive: bool,
    label: usize,
}

struct Matcher {
    by_first: HashMap<String, Vec<Phrase>>,
}

impl Matcher {
    fn new(table: Table) -> Matcher {
        let mut by_first: HashMap<String, Vec<Phrase>> = HashMap::new();
        for (label, (_, synonyms)) in table.iter().enumerate() {
            for syn in synonyms.iter().copied() {
                let (case_sensitive, syn) = match syn.strip_prefix('=') {
                    Some(s) => (true, s),
                    None => (false, syn),
                };
                let words: Vec<String> = tokenize(syn, false, usize::MAX)
                    .into_iter()
                    .map(|t| if case_sensitive { t.raw } else { t.norm })
                    .collect();
                let Some(first) = words.first() else { continue };
                let key = if case_sensitive {
                    first.to_lowercase()
                } else {
                    first.clone()
                };
                by_first.entry(key).or_default().push(Phrase {
                    words,
                    case_sensitive,
                    label,
                });
            }
        }
        // Longest phrases first, so "roi calculator" is preferred to "roi".
        for phrases in by_first.values_mut() {
            phrases.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        Matcher { by_first }
    }

    /// Mentions per label in `tokens` (each position matches at most one phrase).
    fn count(&self, tokens: &[Token]) -> HashMap<usize, u32> {
        let mut counts = HashMap::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut advanced = 1;
            if let Some(phrases) = self.by_first.get(&tokens[i].norm) {
                for p in phrases {
                    let matched = p.words.len() <= tokens.len() - i
                        && p.words.iter().zip(&tokens[i..]).all(|(w, t)| {
                            if p.case_sensitive {
                                *w == t.raw
                            } else {
                                *w == t.norm
                            }
                        });
                    if matched {
                        *counts.entry(p.label).or_insert(0) += 1;
                        advanced = p.words.len();
                        break;
                    }
                }
            }
            i += advanced;
        }
        counts
    }
}

struct Sources {
    name: Vec<Token>,
    title: Vec<Token>,
    text: Vec<Token>,
}

/// Scores of every label with evidence, best first (ties in table order).
fn score(table: Table, sources: &Sources, text_words: usize) -> Vec<(usize, u32)> {
    let m = Matcher::new(table);
    let mut scores: HashMap<usize, u32> = HashMap::new();
    for (label, _) in m.count(&sources.name) {
        *scores.entry(label).or_default() += NAME_WEIGHT;
    }
    for (label, _) in m.count(&sources.title) {
        *scores.entry(label).or_default() += TITLE_WEIGHT;
    }
    let text = &sources.text[..sources.text.len().min(text_words)];
    for (label, n) in m.count(text) {
        *scores.entry(label).or_default() += n.min(TEXT_CAP);
    }
    let mut ranked: Vec<(usize, u32)> = scores
        .into_iter()
        .filter(|(_, s)| *s >= MIN_SCORE)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

fn labels(table: Table, sources: &Sources, max: usize) -> Vec<String> {
    score(table, sources, MAX_TEXT_WORDS)
        .into_iter()
        .take(max)
        .map(|(i, _)| table[i].0.to_string())
        .collect()
}

fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rfind('.') {
        Some(i) if i > 0 => base[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn kind(file_name: &str, sources: &Sources) -> Option<String> {
    let ext = extension(file_name);
    if matches!(
        ext.as_str(),
        "mp4" | "mov" | "m4v" | "webm" | "avi" | "wmv" | "mkv"
    ) {
        return Some("video".into());
    }
    let mut ranked = score(KINDS, sources, KIND_TEXT_WORDS);
    let bonus = match ext.as_str() {
        "pptx" | "ppt" | "key" | "odp" => Some(("deck", 3)),
        "xlsx" | "xls" | "numbers" | "ods" => Some(("roi_calculator", 1)),
        _ => None,
    };
    if let Some((name, points)) = bonus {
        if let Some(index) = KINDS.iter().position(|(n, _)| *n == name) {
            match ranked.iter_mut().find(|(i, _)| *i == index) {
                Some(entry) => entry.1 += points,
                None => ranked.push((index, points)),
            }
            ranked.retain(|(_, s)| *s >= MIN_SCORE);
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
    }
    ranked.first().map(|(i, _)| KINDS[*i].0.to_string())
}

/// A year 1990–2099 written on its own ("2024", "FY2024", "FY24", "Q3-2024").
fn year_in(tokens: &[Token]) -> Option<u16> {
    tokens.iter().find_map(|t| {
        let w = t.norm.as_str();
        let digits = w.strip_prefix("fy").unwrap_or(w);
        let year = match digits.len() {
            4 => digits.parse::<u16>().ok()?,
            2 if w.starts_with("fy") => 2000 + digits.parse::<u16>().ok()?,
            _ => return None,
        };
        (1990..=2099).contains(&year).then_some(year)
    })
}

/// "© 2024", "(c) 2024" or "copyright 2024" in the text.
fn copyright_year(text: &str) -> Option<u16> {
    let lower = text.to_lowercase();
    for marker in ["©", "(c)", "copyright"] {
        for (at, _) in lower.match_indices(marker) {
            let after = &lower[at + marker.len()..];
            let tokens = tokenize(after, false, 3);
            if let Some(y) = year_in(&tokens) {
                return Some(y);
            }
        }
    }
    None
}

/// Guesses metadata from the file name, the title and the text of a content file.
pub fn infer_metadata(file_name: &str, title: &str, text: &str) -> Inferred {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    let sources = Sources {
        name: tokenize(stem, true, 200),
        title: tokenize(title, true, 200),
        text: tokenize(text, false, MAX_TEXT_WORDS),
    };
    let year = year_in(&sources.name)
        .or_else(|| year_in(&sources.title))
        .or_else(|| copyright_year(text));
    Inferred {
        kind: kind(file_name, &sources),
        industries: labels(INDUSTRIES, &sources, 3),
        personas: labels(PERSONAS, &sources, 4),
        topics: labels(TOPICS, &sources, 5),
        year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_file_names_split() {
        let t: Vec<String> = tokenize("HealthcareCFO_ROI-CaseStudy", true, 100)
            .into_iter()
            .map(|t| t.norm)
            .collect();
        assert_eq!(t, ["healthcare", "cfo", "roi", "case", "study"]);
    }

    #[test]
    fn it_needs_capitals() {
        let i = infer_metadata("notes.txt", "", "it is what it is, and it will be. it is.");
        assert!(i.personas.is_empty());
        let i = infer_metadata("IT buyer guide.pdf", "", "");
        assert_eq!(i.personas, ["CIO"]);
    }
}
