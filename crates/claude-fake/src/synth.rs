//! Deterministic answers: values synthesised from a JSON Schema, and plausible markdown,
//! both made of words drawn from the request's own text. Same request, same answer: the
//! random source is seeded from a hash of the request body.

use serde_json::{Map, Value};

use crate::usage::{fnv1a, FNV_OFFSET};
use crate::wire::mix;

/// A small deterministic random source (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeded from the request body, ignoring `stream` (a streamed and a plain request
    /// for the same thing get the same answer).
    pub(crate) fn for_body(body: &Map<String, Value>) -> Rng {
        let mut body = body.clone();
        body.remove("stream");
        Rng(fnv1a(
            FNV_OFFSET,
            Value::Object(body).to_string().as_bytes(),
        ))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in `lo..=hi` (`lo` when empty).
    pub(crate) fn between(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

/// JSON with object keys in the order they were generated (serde_json's `Map` sorts them).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum J {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub(crate) fn from_value(v: &Value) -> J {
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => J::Int(i),
                None => J::Num(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => J::Str(s.clone()),
            Value::Array(items) => J::Arr(items.iter().map(J::from_value).collect()),
            Value::Object(map) => J::Obj(
                map.iter()
                    .map(|(k, v)| (k.clone(), J::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// `{"a":1,"b":[true,null]}`
    pub(crate) fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    /// `{"a": 1, "b": [true, null]}`: how the real API streams a tool's input.
    pub(crate) fn spaced(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    fn write(&self, out: &mut String, spaced: bool) {
        let sep = if spaced { ", " } else { "," };
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => out.push_str(&i.to_string()),
            J::Num(n) => match serde_json::Number::from_f64(*n) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.push_str("null"),
            },
            J::Str(s) => escape_into(out, s),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    item.write(out, spaced);
                }
                out.push(']');
            }
            J::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    escape_into(out, k);
                    out.push_str(if spaced { ": " } else { ":" });
                    v.write(out, spaced);
                }
                out.push('}');
            }
        }
    }
}

fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---- Words --------------------------------------------------------------------------

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "you",
    "your",
    "are",
    "was",
    "were",
    "will",
    "would",
    "should",
    "could",
    "can",
    "have",
    "has",
    "had",
    "not",
    "but",
    "all",
    "any",
    "our",
    "their",
    "them",
    "they",
    "its",
    "into",
    "about",
    "please",
    "write",
    "give",
    "make",
    "using",
    "use",
    "what",
    "which",
    "who",
    "how",
    "why",
    "when",
    "where",
    "then",
    "than",
    "also",
    "just",
    "only",
    "some",
    "such",
    "each",
    "per",
    "via",
    "out",
    "off",
    "over",
    "under",
    "here",
    "there",
    "these",
    "those",
    "been",
    "being",
    "does",
    "did",
    "doing",
    "who",
    "whom",
    "his",
    "her",
    "she",
    "him",
    "one",
    "two",
    "get",
    "let",
    "may",
    "might",
    "must",
    "shall",
    "very",
    "summarise",
    "summarize",
    "draft",
    "create",
    "tell",
    "show",
    "explain",
    "want",
    "wants",
    "need",
    "needs",
    "like",
    "better",
    "more",
    "most",
    "many",
    "much",
];

/// Used when the request has too few words of its own.
const FALLBACK: &[&str] = &[
    "pipeline",
    "renewal",
    "pricing",
    "onboarding",
    "integration",
    "security",
    "rollout",
    "budget",
    "timeline",
    "stakeholders",
    "champion",
    "value",
    "adoption",
    "workflow",
    "reporting",
    "forecast",
    "pilot",
    "expansion",
    "support",
    "migration",
];

/// Words of the request's user text (then its system prompt), in order of first
/// appearance, without duplicates or filler words; padded with a sales vocabulary.
pub(crate) fn words(body: &Map<String, Value>) -> Vec<String> {
    let mut text = String::new();
    if let Some(Value::Array(messages)) = body.get("messages") {
        for m in messages {
            if m.get("role").and_then(Value::as_str) == Some("user") {
                collect_text(m.get("content"), &mut text);
            }
        }
    }
    let mut out = tokenize(&text);
    if out.len() < 8 {
        let mut sys = String::new();
        collect_text(body.get("system"), &mut sys);
        for w in tokenize(&sys) {
            push_unique(&mut out, w);
        }
    }
    for w in FALLBACK {
        if out.len() >= 8 {
            break;
        }
        push_unique(&mut out, (*w).to_string());
    }
    out
}

/// The text of the last user message (what an answer is "about").
pub(crate) fn last_user_text(body: &Map<String, Value>) -> String {
    let mut text = String::new();
    if let Some(Value::Array(messages)) = body.get("messages") {
        if let Some(m) = messages
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        {
            collect_text(m.get("content"), &mut text);
        }
    }
    text
}

fn collect_text(content: Option<&Value>, out: &mut String) {
    match content {
        Some(Value::String(s)) => {
            out.push_str(s);
            out.push(' ');
        }
        Some(Value::Array(blocks)) => {
            for b in blocks {
                match b.get("type").and_then(Value::as_str) {
                    Some("text") => collect_text(b.get("text"), out),
                    Some("tool_result") => collect_text(b.get("content"), out),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')) {
        let w = raw.trim_matches(|c: char| c == '-' || c == '\'');
        if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if STOPWORDS.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        push_unique(&mut out, w.to_string());
        if out.len() >= 200 {
            break;
        }
    }
    out
}

fn push_unique(words: &mut Vec<String>, w: String) {
    if !words.iter().any(|x| x.eq_ignore_ascii_case(&w)) {
        words.push(w);
    }
}

// ---- Prose ----------------------------------------------------------------------------

const CONNECTIVES: &[&str] = &["and", "for", "with", "across", "around", "through"];

/// Sentence templates; each `{}` takes one of the request's words.
const TEMPLATES: &[&str] = &[
    "The priority is {} and {}, measured against {}.",
    "We recommend starting with {}, then expanding to {} once {} is in place.",
    "The main risk is {}; a short review of {} keeps it under control.",
    "{} and {} matter most for the next quarter.",
    "This gives the team a measurable path from {} to {}.",
    "Success means faster {}, clearer {} and fewer manual steps around {}.",
    "Stakeholders should agree on {} before the work on {} starts.",
    "A two-week pilot focused on {} will confirm the value of {}.",
    "Our approach ties {} directly to {} so that progress is visible.",
    "Experience with {} shows that {} pays off within weeks.",
];

/// Builds phrases and sentences from the request's words.
pub(crate) struct Writer<'a> {
    pub(crate) rng: Rng,
    pub(crate) words: &'a [String],
}

impl Writer<'_> {
    /// A word of the request; never the same twice in a row when there is a choice.
    pub(crate) fn word(&mut self) -> String {
        self.rng
            .pick(self.words)
            .cloned()
            .unwrap_or_else(|| "value".to_string())
    }

    fn words_distinct(&mut self, n: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(n);
        for _ in 0..n {
            let mut w = self.word();
            for _ in 0..4 {
                if !out.contains(&w) {
                    break;
                }
                w = self.word();
            }
            out.push(w);
        }
        out
    }

    pub(crate) fn title(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.between(lo, hi);
        self.words_distinct(n)
            .iter()
            .map(|w| capitalize(w))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `lo..=hi` words, with a connective now and then.
    pub(crate) fn phrase(&mut self, lo: usize, hi: usize) -> String {
        let n = self.rng.between(lo, hi);
        let words = self.words_distinct(n);
        let mut out = String::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
                if i + 1 < n && self.rng.below(3) == 0 {
                    if let Some(c) = self.rng.pick(CONNECTIVES) {
                        out.push_str(c);
                        out.push(' ');
                    }
                }
            }
            out.push_str(w);
        }
        out
    }

    pub(crate) fn sentence(&mut self) -> String {
        let template = self.rng.pick(TEMPLATES).copied().unwrap_or("{} and {}.");
        let slots = template.matches("{}").count();
        let words = self.words_distinct(slots);
        let mut out = String::with_capacity(template.len() + 16 * slots);
        let mut rest = template;
        for w in &words {
            if let Some(at) = rest.find("{}") {
                out.push_str(&rest[..at]);
                out.push_str(w);
                rest = &rest[at + 2..];
            }
        }
        out.push_str(rest);
        capitalize(&out)
    }

    /// Plausible markdown about the request: a few `##` sections made of its words.
    pub(crate) fn markdown(&mut self, topic: &str) -> String {
        let topic = topic.to_lowercase();
        let mut out = String::new();
        if topic.contains("proposal") {
            out.push_str(&format!(
                "## Executive summary\n\n{} {}\n\n",
                self.sentence(),
                self.sentence()
            ));
            out.push_str("## Proposed approach\n\n");
            for _ in 0..3 {
                out.push_str(&format!(
                    "- **{}**: {}\n",
                    self.title(1, 3),
                    self.sentence()
                ));
            }
            out.push_str(&format!(
                "\n## Investment and timeline\n\n{}\n\n",
                self.sentence()
            ));
            out.push_str(&format!(
                "## Next steps\n\n1. {}\n2. {}\n",
                self.sentence(),
                self.sentence()
            ));
        } else if topic.contains("email") {
            out.push_str(&format!("**Subject:** {}\n\nHi,\n\n", self.title(3, 6)));
            out.push_str(&format!(
                "{} {}\n\n{}\n\n",
                self.sentence(),
                self.sentence(),
                self.sentence()
            ));
            out.push_str(&format!(
                "## Proposed next step\n\n{}\n\nBest regards\n",
                self.sentence()
            ));
        } else {
            out.push_str(&format!(
                "## Overview\n\n{} {}\n\n## Key points\n\n",
                self.sentence(),
                self.sentence()
            ));
            for _ in 0..3 {
                out.push_str(&format!("- {}\n", self.sentence()));
            }
            out.push_str(&format!("\n## Next steps\n\n{}\n", self.sentence()));
        }
        out
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---- JSON Schema ----------------------------------------------------------------------

const MAX_DEPTH: usize = 12;
const MAX_ITEMS: usize = 1000;

/// Synthesises a value that satisfies a JSON Schema (the subset tools use: `type`,
/// `properties`, `required`, `items`, `enum`, `const`, `anyOf`/`oneOf`/`allOf`, local
/// `$ref`, string lengths and formats, numeric bounds, array sizes).
pub(crate) struct Synth<'a> {
    pub(crate) writer: Writer<'a>,
    pub(crate) root: &'a Value,
    /// Values still allowed: a schema from the request must not make the fake build an
    /// enormous answer (arrays of 1000 inside arrays of 1000 ...).
    pub(crate) budget: usize,
}

/// The default [`Synth::budget`].
pub(crate) const BUDGET: usize = 20_000;

impl<'a> Synth<'a> {
    pub(crate) fn value(&mut self, schema: &Value, name: &str, depth: usize) -> J {
        let schema = self.resolve(schema);
        self.budget = self.budget.saturating_sub(1);
        let Some(obj) = schema.as_object() else {
            return J::Str(self.writer.phrase(1, 3));
        };
        if let Some(c) = obj.get("const") {
            return J::from_value(c);
        }
        if let Some(Value::Array(options)) = obj.get("enum") {
            if let Some(choice) = self.writer.rng.pick(options) {
                return J::from_value(choice);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = obj.get(key) {
                let alt = alts
                    .iter()
                    .find(|a| type_of(a.as_object()) != "null")
                    .or(alts.first());
                if let Some(alt) = alt {
                    return self.value(alt, name, depth + 1);
                }
            }
        }
        if let Some(Value::Array(parts)) = obj.get("allOf") {
            let merged = merge_all_of(obj, parts, self.root);
            return self.value(&merged, name, depth + 1);
        }
        let ty = type_of(Some(obj));
        if depth > MAX_DEPTH || self.budget == 0 {
            return shallow(ty);
        }
        match ty {
            "object" => self.object(obj, depth),
            "array" => self.array(obj, name, depth),
            "integer" => J::Int(self.integer(obj)),
            "number" => J::Num(self.number(obj)),
            "boolean" => J::Bool(self.writer.rng.below(2) == 0),
            "null" => J::Null,
            _ => J::Str(self.string(obj, name)),
        }
    }

    /// Follow local `$ref`s (`#/$defs/X`, `#/definitions/X`).
    fn resolve<'v>(&self, mut schema: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        for _ in 0..8 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) if r.starts_with('#') => match self.root.pointer(&r[1..]) {
                    Some(target) => schema = target,
                    None => break,
                },
                _ => break,
            }
        }
        schema
    }

    fn object(&mut self, obj: &Map<String, Value>, depth: usize) -> J {
        let props = obj.get("properties").and_then(Value::as_object);
        let mut entries: Vec<(String, J)> = Vec::new();
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let any = Value::Bool(true);
        for name in &required {
            if entries.iter().any(|(k, _)| k == name) {
                continue;
            }
            let sub = props.and_then(|p| p.get(*name)).unwrap_or(&any);
            let v = self.value(sub, name, depth + 1);
            entries.push(((*name).to_string(), v));
        }
        if let Some(props) = props {
            for (name, sub) in props {
                if required.contains(&name.as_str()) {
                    continue;
                }
                let v = self.value(sub, name, depth + 1);
                entries.push((name.clone(), v));
            }
        }
        J::Obj(entries)
    }

    fn array(&mut self, obj: &Map<String, Value>, name: &str, depth: usize) -> J {
        let min = usize_of(obj.get("minItems")).unwrap_or(0).min(MAX_ITEMS);
        let max = usize_of(obj.get("maxItems"));
        let mut n = self.writer.rng.between(min.max(1), min.max(3));
        if let Some(max) = max {
            n = n.min(max);
        }
        let n = n.max(min);
        let unique = obj.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let item_name = name.strip_suffix('s').unwrap_or(name).to_string();
        let any = Value::Bool(true);
        let mut items: Vec<J> = Vec::with_capacity(n);
        for i in 0..n {
            let schema = match obj
                .get("prefixItems")
                .and_then(Value::as_array)
                .and_then(|p| p.get(i))
            {
                Some(s) => s,
                None => match obj.get("items") {
                    Some(Value::Array(tuple)) => tuple.get(i).or(tuple.last()).unwrap_or(&any),
                    Some(s) => s,
                    None => &any,
                },
            };
            let mut v = self.value(schema, &item_name, depth + 1);
            let mut tries = 0;
            while unique && items.contains(&v) && tries < 16 {
                v = self.value(schema, &item_name, depth + 1);
                tries += 1;
            }
            if unique && items.contains(&v) && items.len() >= min {
                break;
            }
            items.push(v);
        }
        J::Arr(items)
    }

    fn integer(&mut self, obj: &Map<String, Value>) -> i64 {
        // i128 throughout: bounds come from the request and may be extreme.
        let num = |k: &str| obj.get(k).and_then(Value::as_f64);
        let lo = match (num("minimum"), num("exclusiveMinimum")) {
            (Some(m), Some(e)) => Some((m.ceil() as i128).max(e.floor() as i128 + 1)),
            (Some(m), None) => Some(m.ceil() as i128),
            (None, Some(e)) => Some(e.floor() as i128 + 1),
            (None, None) => None,
        };
        let hi = match (num("maximum"), num("exclusiveMaximum")) {
            (Some(m), Some(e)) => Some((m.floor() as i128).min(e.ceil() as i128 - 1)),
            (Some(m), None) => Some(m.floor() as i128),
            (None, Some(e)) => Some(e.ceil() as i128 - 1),
            (None, None) => None,
        };
        let (lo, hi) = match (lo, hi) {
            (Some(lo), Some(hi)) => (lo, hi.max(lo)),
            (Some(lo), None) => (lo, lo + 100),
            (None, Some(hi)) if hi >= 1 => (1, hi),
            (None, Some(hi)) => (hi - 100, hi),
            (None, None) => (1, 100),
        };
        let (lo, hi) = (
            lo.clamp(i64::MIN.into(), i64::MAX.into()),
            hi.clamp(i64::MIN.into(), i64::MAX.into()),
        );
        let step = i128::from(
            obj.get("multipleOf")
                .and_then(Value::as_i64)
                .filter(|m| *m > 0)
                .unwrap_or(1),
        );
        let first = lo.div_euclid(step) * step + if lo.rem_euclid(step) == 0 { 0 } else { step };
        let value = if first > hi {
            lo
        } else {
            let count = u64::try_from((hi - first) / step + 1).unwrap_or(u64::MAX);
            first + i128::from(self.writer.rng.below(count)) * step
        };
        i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
    }

    fn number(&mut self, obj: &Map<String, Value>) -> f64 {
        let num = |k: &str| obj.get(k).and_then(Value::as_f64);
        let lo = num("minimum").or(num("exclusiveMinimum"));
        let hi = num("maximum").or(num("exclusiveMaximum"));
        let (lo, hi) = match (lo, hi) {
            (Some(lo), Some(hi)) => (lo, hi.max(lo)),
            (Some(lo), None) => (lo, lo + 100.0),
            (None, Some(hi)) => (hi - 100.0, hi),
            (None, None) => (0.0, 100.0),
        };
        let frac = (self.writer.rng.below(1001) as f64) / 1000.0;
        let mut v = ((lo + (hi - lo) * frac) * 100.0).round() / 100.0;
        v = v.clamp(lo, hi);
        let excl_lo = num("exclusiveMinimum").is_some_and(|e| v <= e);
        let excl_hi = num("exclusiveMaximum").is_some_and(|e| v >= e);
        if excl_lo || excl_hi {
            v = (lo + hi) / 2.0;
        }
        v
    }

    fn string(&mut self, obj: &Map<String, Value>, name: &str) -> String {
        let min = usize_of(obj.get("minLength")).unwrap_or(0).min(100_000);
        let max = usize_of(obj.get("maxLength"));
        let format = obj.get("format").and_then(Value::as_str).unwrap_or("");
        let lname = name.to_lowercase();
        let w = &mut self.writer;
        let slug = w
            .word()
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let slug = if slug.is_empty() {
            "team".to_string()
        } else {
            slug
        };
        let day = 1 + w.rng.below(28);
        let mut s = match format {
            "date-time" => format!("2026-03-{day:02}T09:30:00Z"),
            "date" => format!("2026-03-{day:02}"),
            "time" => "09:30:00".to_string(),
            "email" => format!("{slug}@example.com"),
            "uri" | "url" | "iri" => format!("https://example.com/{slug}"),
            "uuid" => {
                let a = w.rng.next_u64();
                let b = w.rng.next_u64();
                format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    a >> 32,
                    (a >> 16) & 0xffff,
                    a & 0xfff,
                    b >> 52,
                    b & 0xffff_ffff_ffff
                )
            }
            "hostname" => "example.com".to_string(),
            "ipv4" => "192.0.2.10".to_string(),
            _ if lname.contains("email") => format!("{slug}@example.com"),
            _ if lname.contains("url") || lname.contains("link") || lname.contains("website") => {
                format!("https://example.com/{slug}")
            }
            _ if lname.contains("phone") => "+1 415 555 0134".to_string(),
            _ if is_title_like(&lname) => w.title(2, 5),
            _ if is_long_text(&lname) => {
                let n = w.rng.between(1, 2);
                (0..n).map(|_| w.sentence()).collect::<Vec<_>>().join(" ")
            }
            _ => w.phrase(2, 5),
        };
        while s.chars().count() < min {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&w.word());
        }
        if let Some(max) = max {
            if s.chars().count() > max {
                s = s.chars().take(max).collect::<String>();
                let trimmed = s.trim_end().to_string();
                if trimmed.chars().count() >= min {
                    s = trimmed;
                }
            }
        }
        s
    }
}

fn is_title_like(name: &str) -> bool {
    ["title", "name", "headline", "subject", "label", "heading"]
        .iter()
        .any(|k| name.ends_with(k))
}

fn is_long_text(name: &str) -> bool {
    [
        "summary",
        "description",
        "body",
        "content",
        "text",
        "note",
        "reason",
        "rationale",
        "explanation",
        "message",
        "detail",
        "answer",
        "paragraph",
        "markdown",
        "comment",
    ]
    .iter()
    .any(|k| name.contains(k))
}

fn usize_of(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// The schema's type: `type` (the first non-null one of a list), else inferred.
fn type_of(obj: Option<&Map<String, Value>>) -> &str {
    let Some(obj) = obj else { return "string" };
    match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .or_else(|| ts.first().and_then(Value::as_str))
            .unwrap_or("string"),
        _ if obj.contains_key("properties") => "object",
        _ if obj.contains_key("items") || obj.contains_key("prefixItems") => "array",
        _ => "string",
    }
}

fn shallow(ty: &str) -> J {
    match ty {
        "object" => J::Obj(Vec::new()),
        "array" => J::Arr(Vec::new()),
        "integer" => J::Int(0),
        "number" => J::Num(0.0),
        "boolean" => J::Bool(false),
        "null" => J::Null,
        _ => J::Str(String::new()),
    }
}

/// `allOf`: one schema with the parts' properties and required lists (and the parent's
/// own keywords).
fn merge_all_of(parent: &Map<String, Value>, parts: &[Value], root: &Value) -> Value {
    let mut merged = parent.clone();
    merged.remove("allOf");
    let mut props = merged
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut required: Vec<Value> = merged
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for part in parts {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => root.pointer(&r[1..]).unwrap_or(part),
            _ => part,
        };
        let Some(p) = part.as_object() else { continue };
        for (k, v) in p {
            match k.as_str() {
                "properties" => {
                    if let Some(ps) = v.as_object() {
                        props.extend(ps.clone());
                    }
                }
                "required" => {
                    if let Some(rs) = v.as_array() {
                        required.extend(rs.iter().cloned());
                    }
                }
                _ => {
                    merged.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    if !props.is_empty() {
        merged.insert("properties".to_string(), Value::Object(props));
        merged
            .entry("type".to_string())
            .or_insert_with(|| Value::from("object"));
    }
    if !required.is_empty() {
        merged.insert("required".to_string(), Value::Array(required));
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn synth(schema: &Value, seed: u64) -> J {
        let words: Vec<String> = ["acme", "renewal", "pricing", "security"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut s = Synth {
            writer: Writer {
                rng: Rng::new(seed),
                words: &words,
            },
            root: schema,
            budget: BUDGET,
        };
        s.value(schema, "", 0)
    }

    #[test]
    fn required_properties_come_first() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "z": {"type": "boolean"}},
            "required": ["z", "b"]
        });
        let J::Obj(entries) = synth(&schema, 1) else {
            panic!("not an object")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "b", "a"]);
    }

    #[test]
    fn bounds_and_enums_are_respected() {
        for seed in 0..200 {
            let schema = json!({
                "type": "object",
                "properties": {
                    "n": {"type": "integer", "minimum": 3, "maximum": 5},
                    "x": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    "e": {"enum": ["a", "b"]},
                    "s": {"type": "string", "minLength": 40, "maxLength": 45},
                    "l": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
                }
            });
            let v: Value = serde_json::from_str(&synth(&schema, seed).compact()).unwrap();
            let n = v["n"].as_i64().unwrap();
            assert!((3..=5).contains(&n), "{n}");
            let x = v["x"].as_f64().unwrap();
            assert!(x > 0.0 && x <= 1.0, "{x}");
            assert!(v["e"] == "a" || v["e"] == "b");
            let len = v["s"].as_str().unwrap().chars().count();
            assert!((40..=45).contains(&len), "{len}");
            assert_eq!(v["l"].as_array().unwrap().len(), 2);
        }
    }

    #[test]
    fn hostile_schemas_neither_panic_nor_explode() {
        let schema = json!({
            "type": "object",
            "properties": {
                "big": {"type": "integer", "minimum": -1e30, "maximum": 1e30, "multipleOf": 7},
                "edge": {"type": "integer", "exclusiveMinimum": 9.3e18},
                "deep": {"type": "array", "minItems": 1000, "items": {
                    "type": "array", "minItems": 1000, "items": {
                        "type": "array", "minItems": 1000, "items": {"type": "string", "minLength": 50}}}}
            },
            "required": ["big", "edge", "deep"]
        });
        let out = synth(&schema, 9).compact();
        assert!(out.len() < 5_000_000, "{} bytes", out.len());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["big"].is_i64());
        assert_eq!(v["edge"], i64::MAX);
    }

    #[test]
    fn spaced_matches_the_streamed_style() {
        let j = J::Obj(vec![
            ("name".into(), J::Str("Alice".into())),
            ("age".into(), J::Int(30)),
        ]);
        assert_eq!(j.spaced(), r#"{"name": "Alice", "age": 30}"#);
        assert_eq!(j.compact(), r#"{"name":"Alice","age":30}"#);
    }

    #[test]
    fn refs_and_all_of_resolve() {
        let schema = json!({
            "$defs": {"Item": {"type": "object", "properties": {"q": {"type": "integer", "minimum": 7, "maximum": 7}}, "required": ["q"]}},
            "type": "object",
            "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}}},
            "required": ["items"]
        });
        let v: Value = serde_json::from_str(&synth(&schema, 3).compact()).unwrap();
        assert_eq!(v["items"][0]["q"], 7);
    }

    #[test]
    fn words_skip_filler_and_pad() {
        let body =
            json!({"messages": [{"role": "user", "content": "Write the proposal for Acme Corp"}]});
        let w = words(body.as_object().unwrap());
        assert_eq!(&w[..3], ["proposal", "Acme", "Corp"]);
        assert!(w.len() >= 8);
    }
}
