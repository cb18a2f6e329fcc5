//! The content audit: which items are out of date, which say the same thing twice, what
//! the open deals need that the library lacks, and which items win or do not.
//!
//! [`audit`] is pure: it reads the items, what the open deals need ([`DealNeed`], filled by
//! the caller from deals, leads and stakeholders) and the near-duplicate pairs found by
//! [`SearchIndex::near_duplicates`], and returns a [`ContentAudit`] for the UI.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use closer_embed::cosine;
use closer_types::{
    ContentAudit, ContentItem, ContentKind, CoverageGap, DuplicatePair, EnumText, KindCount,
    Performer, StaleItem,
};

use crate::error::Result;
use crate::index::{DupeItem, SearchIndex};
use crate::query::{facets_of_phrase, Facet};
use crate::text::{tokenize, Fnv};

const DAY: i64 = 86_400_000;

/// An item not updated for longer than this (18 months) is stale.
pub const STALE_AFTER_DAYS: i64 = 548;
/// An item nobody has used, older than this, is an under-performer.
pub const UNUSED_AFTER_DAYS: i64 = 180;
/// The kinds of content every open deal needs for each of its personas.
pub const GAP_KINDS: &[ContentKind] = &[
    ContentKind::CaseStudy,
    ContentKind::OnePager,
    ContentKind::RoiCalculator,
];
/// How many top and under-performers the audit lists.
pub const PERFORMERS: usize = 10;
/// Fewest deals an item must have influenced to count as a top performer.
pub const MIN_DEALS_INFLUENCED: u32 = 3;
/// Fewest uses for a used item to count as an under-performer.
const MIN_USES_UNDER: u32 = 5;
/// Without vectors, two items are near-duplicates when this share of their word
/// shingles is shared (Jaccard), or when their titles are the same but for a "(v2)".
pub const FALLBACK_JACCARD: f32 = 0.8;
/// Words per shingle.
const SHINGLE: usize = 3;
/// Above this many items, [`SearchIndex::near_duplicates`] only compares items of the
/// same kind.
pub const SAME_KIND_ABOVE: usize = 5_000;
/// Longest phrase looked for inside an industry or a job title.
const MAX_PHRASE_WORDS: usize = 5;

/// What one open deal needs: the lead's industry and the personas (or job titles) of
/// its stakeholders. Either may be empty ("any").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealNeed {
    pub industry: String,
    pub personas: Vec<String>,
    pub amount_cents: i64,
}

/// Audits the library at `now_millis`.
///
/// - `stale`: items that name an old year as current ("2023 pricing", "Price list 2022":
///   years before last year), quote a per-seat price that is not on the current price
///   list (the pricing sheets that name this year or last), say of themselves that they
///   are out of date ("predates the current packaging"), or were not updated for 18 months.
/// - `duplicates`: `near_dupes` (from [`SearchIndex::near_duplicates`]) with titles, the
///   older item first, most similar first; pairs of unknown items are dropped.
/// - `gaps`: for each (industry, persona) an open deal needs and each of [`GAP_KINDS`],
///   when no item of that kind is for that industry and persona (an item naming no
///   industry, or no persona, serves all), most money at stake first. Industries and
///   personas are compared by their canonical names ("Chief Financial Officer" = "CFO").
/// - `top`: best win rate among items that influenced at least [`MIN_DEALS_INFLUENCED`]
///   deals, then most uses. `under`: items used often that win less than the library's
///   average, lowest win rate then most uses first, and items nobody used in
///   [`UNUSED_AFTER_DAYS`]. [`PERFORMERS`] each.
pub fn audit(
    items: &[ContentItem],
    needs: &[DealNeed],
    near_dupes: &[(String, String, f32)],
    now_millis: i64,
) -> ContentAudit {
    ContentAudit {
        generated_at: now_millis,
        items: items.len() as u64,
        stale: stale_items(items, now_millis),
        duplicates: duplicate_pairs(items, near_dupes),
        gaps: coverage_gaps(items, needs),
        top: top_performers(items),
        under: under_performers(items, now_millis),
        by_kind: by_kind(items),
    }
}

// ---------------------------------------------------------------------------------------
// Stale items.

/// The calendar year of a time (proleptic Gregorian, UTC).
fn year_of(ms: i64) -> i64 {
    let z = ms.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let y = yoe + era * 400;
    if mp >= 10 {
        y + 1
    } else {
        y
    }
}

/// Words before a year that make it history rather than "now" ("since 2019").
const HISTORY_WORDS: &[&str] = &[
    "since",
    "founded",
    "established",
    "est",
    "until",
    "before",
    "between",
    "in business since",
];

/// Words that make a sentence about prices.
const PRICE_WORDS: &[&str] = &["price", "prices", "pricing", "priced"];

/// What an item may say of itself when it is out of date.
const SELF_STALE: &[&str] = &[
    "predates the current",
    "has not been reviewed",
    "has not been updated",
    "is no longer current",
    "is out of date",
    "legacy pricing",
];

/// Sentences of a text: cut after `.`, `!` or `?` followed by a space, and at line breaks.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\n' => Some(i),
            '.' | '!' | '?' => match chars.peek() {
                None => Some(i + 1),
                Some(&(_, n)) if n.is_whitespace() => Some(i + 1),
                _ => None,
            },
            _ => None,
        };
        if let Some(e) = end {
            let s = text[start..e].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = e;
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// A year written as a word: `2023` or `FY2023`.
fn year_word(w: &str) -> Option<i64> {
    let digits = w.strip_prefix("fy").unwrap_or(w);
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..2100).contains(y))
}

/// Years written as current in a text, split into those in sentences about prices and the
/// others.
fn years_named(text: &str) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let mut price = BTreeSet::new();
    let mut other = BTreeSet::new();
    for s in sentences(text) {
        let words: Vec<String> = tokenize(s).into_iter().map(|t| t.lower).collect();
        let about_price = words.iter().any(|w| PRICE_WORDS.contains(&w.as_str()));
        for (i, w) in words.iter().enumerate() {
            let Some(y) = year_word(w) else { continue };
            let before = i.checked_sub(1).map(|j| words[j].as_str());
            if before.is_some_and(|b| HISTORY_WORDS.contains(&b)) {
                continue;
            }
            if about_price {
                price.insert(y);
            } else {
                other.insert(y);
            }
        }
    }
    (price, other)
}

/// Per-seat prices quoted in a text ("$59 per seat", "$59/seat", "$59 per user"), in cents.
fn seat_prices(text: &str) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices('$') {
        let rest = &text[i + 1..];
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(rest.len());
        let num = rest[..num_len].trim_end_matches(['.', ',']);
        let after = rest[num.len()..].trim_start().to_lowercase();
        let per_seat = [
            "per seat",
            "/seat",
            "per user",
            "/user",
            "a seat",
            "per license",
        ]
        .iter()
        .any(|p| after.starts_with(p));
        if !per_seat || num.is_empty() {
            continue;
        }
        let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
        let Ok(dollars) = whole.replace(',', "").parse::<u64>() else {
            continue;
        };
        let cents = match frac.len() {
            0 => 0,
            2 => frac.parse::<u64>().unwrap_or(0),
            _ => continue,
        };
        out.insert(dollars * 100 + cents);
    }
    out
}

fn money(cents: u64) -> String {
    if cents.is_multiple_of(100) {
        format!("${}", cents / 100)
    } else {
        format!("${}.{:02}", cents / 100, cents % 100)
    }
}

fn item_text(it: &ContentItem) -> String {
    format!("{}\n{}", it.title, it.body)
}

/// The per-seat prices of the current price list: those quoted by pricing sheets that name
/// this year or last and no older year. `None` when the library has no such sheet.
fn current_prices(items: &[ContentItem], year: i64) -> Option<BTreeSet<u64>> {
    let mut prices = BTreeSet::new();
    let mut any = false;
    for it in items
        .iter()
        .filter(|it| it.kind == ContentKind::PricingSheet)
    {
        let text = item_text(it);
        let (p, o) = years_named(&text);
        let years: BTreeSet<i64> = p.union(&o).copied().collect();
        let current = years.iter().any(|y| *y >= year - 1);
        let old = years.iter().any(|y| *y < year - 1);
        if current && !old {
            any = true;
            prices.extend(seat_prices(&text));
        }
    }
    (any && !prices.is_empty()).then_some(prices)
}

fn stale_reasons(
    it: &ContentItem,
    year: i64,
    prices: Option<&BTreeSet<u64>>,
    now: i64,
) -> Vec<String> {
    let mut reasons = Vec::new();
    let text = item_text(it);
    let (price_years, other_years) = years_named(&text);
    let old = |y: &&i64| **y < year - 1;
    for y in price_years.iter().filter(old) {
        reasons.push(format!("quotes a price list from {y}"));
    }
    for y in other_years
        .iter()
        .filter(old)
        .filter(|y| !price_years.contains(y))
    {
        reasons.push(format!("mentions {y} as the current year"));
    }
    let mut said = HashSet::new();
    for s in sentences(&it.body) {
        let lower = s.to_lowercase();
        for m in SELF_STALE {
            if let Some(at) = lower.find(m) {
                let clause = lower[at..].trim_end_matches(['.', '!', '?', ' ']);
                if said.insert(*m) {
                    reasons.push(format!("says it {clause}"));
                }
            }
        }
    }
    if let Some(current) = prices {
        let quoted = seat_prices(&text);
        let outdated: Vec<String> = quoted.difference(current).map(|p| money(*p)).collect();
        if !outdated.is_empty() {
            reasons.push(format!(
                "quotes {} per seat, not on the current price list",
                join_and(&outdated)
            ));
        }
    }
    let days = (now - it.updated_at) / DAY;
    if days > STALE_AFTER_DAYS {
        let months = (days as f64 / 30.44) as i64;
        if months >= 24 {
            let years = months / 12;
            reasons.push(format!("not updated for {years} years"));
        } else {
            reasons.push(format!("not updated for {months} months"));
        }
    }
    reasons
}

fn join_and(v: &[String]) -> String {
    match v {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn stale_items(items: &[ContentItem], now: i64) -> Vec<StaleItem> {
    let year = year_of(now);
    let prices = current_prices(items, year);
    let mut out: Vec<(&ContentItem, StaleItem)> = items
        .iter()
        .filter_map(|it| {
            let reasons = stale_reasons(it, year, prices.as_ref(), now);
            (!reasons.is_empty()).then(|| {
                let s = StaleItem {
                    id: it.id.clone(),
                    title: it.title.clone(),
                    reasons,
                };
                (it, s)
            })
        })
        .collect();
    out.sort_by(|(a, x), (b, y)| {
        y.reasons
            .len()
            .cmp(&x.reasons.len())
            .then(a.updated_at.cmp(&b.updated_at))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    out.into_iter().map(|(_, s)| s).collect()
}

// ---------------------------------------------------------------------------------------
// Duplicates.

fn duplicate_pairs(
    items: &[ContentItem],
    near_dupes: &[(String, String, f32)],
) -> Vec<DuplicatePair> {
    let by_id: HashMap<&str, &ContentItem> = items.iter().map(|it| (it.id.as_str(), it)).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (a, b, s) in near_dupes {
        let (Some(x), Some(y)) = (by_id.get(a.as_str()), by_id.get(b.as_str())) else {
            continue;
        };
        if x.id == y.id {
            continue;
        }
        let (x, y) = if (x.created_at, &x.id) <= (y.created_at, &y.id) {
            (x, y)
        } else {
            (y, x)
        };
        if !seen.insert((x.id.clone(), y.id.clone())) {
            continue;
        }
        out.push(DuplicatePair {
            a_id: x.id.clone(),
            a_title: x.title.clone(),
            b_id: y.id.clone(),
            b_title: y.title.clone(),
            similarity: s.clamp(0.0, 1.0),
        });
    }
    out.sort_by(|p, q| {
        q.similarity
            .total_cmp(&p.similarity)
            .then_with(|| p.a_title.cmp(&q.a_title))
            .then_with(|| p.b_title.cmp(&q.b_title))
    });
    out
}

impl SearchIndex {
    /// Pairs of indexed items that say nearly the same thing: `(id, id, similarity)`, the
    /// smaller id first, most similar first, at most `max_pairs`.
    ///
    /// With the model, each item is the normalised mean of its passage vectors and every
    /// pair with a cosine of at least `threshold` is kept (exact; above
    /// [`SAME_KIND_ABOVE`] items, only items of the same kind are compared). Items without
    /// vectors (no model, or not embedded yet) are compared by wording instead: the same
    /// title once a " (v2)" suffix is dropped, or at least [`FALLBACK_JACCARD`] of their
    /// 3-word shingles shared; the similarity is then that share.
    pub fn near_duplicates(
        &self,
        threshold: f32,
        max_pairs: usize,
    ) -> Result<Vec<(String, String, f32)>> {
        let items = self.items_for_dupes()?;
        Ok(near_duplicate_pairs(&items, threshold, max_pairs))
    }
}

/// The best pairs seen so far, trimmed to `keep` now and then so memory stays bounded.
struct Best {
    keep: usize,
    pairs: Vec<(f32, usize, usize)>,
}

impl Best {
    fn push(&mut self, s: f32, i: usize, j: usize) {
        self.pairs.push((s, i.min(j), i.max(j)));
        if self.pairs.len() >= self.keep.saturating_mul(4).max(4_096) {
            self.trim();
        }
    }

    fn trim(&mut self) {
        let better = |a: &(f32, usize, usize), b: &(f32, usize, usize)| {
            b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2)))
        };
        if self.pairs.len() > self.keep {
            self.pairs.select_nth_unstable_by(self.keep, better);
            self.pairs.truncate(self.keep);
        }
        self.pairs.sort_by(better);
    }
}

/// Indices of the items to compare with each other: all together, or by kind when there
/// are many.
fn comparison_groups(items: &[DupeItem]) -> Vec<Vec<usize>> {
    if items.len() <= SAME_KIND_ABOVE {
        return vec![(0..items.len()).collect()];
    }
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        by_kind.entry(it.kind.as_str()).or_default().push(i);
    }
    by_kind.into_values().collect()
}

fn near_duplicate_pairs(
    items: &[DupeItem],
    threshold: f32,
    max_pairs: usize,
) -> Vec<(String, String, f32)> {
    if max_pairs == 0 || items.len() < 2 {
        return Vec::new();
    }
    let groups = comparison_groups(items);
    let mut best = Best {
        keep: max_pairs,
        pairs: Vec::new(),
    };
    for g in &groups {
        let with: Vec<(usize, &[f32])> = g
            .iter()
            .filter_map(|&i| items[i].vector.as_deref().map(|v| (i, v)))
            .collect();
        for (n, (i, a)) in with.iter().enumerate() {
            for (j, b) in &with[n + 1..] {
                let s = cosine(a, b);
                if s >= threshold {
                    best.push(s, *i, *j);
                }
            }
        }
    }
    if items.iter().any(|it| it.vector.is_none()) {
        for (s, i, j) in wording_pairs(items, &groups) {
            if items[i].vector.is_none() || items[j].vector.is_none() {
                best.push(s, i, j);
            }
        }
    }
    best.trim();
    best.pairs
        .into_iter()
        .map(|(s, i, j)| {
            let (a, b) = (&items[i].id, &items[j].id);
            if a <= b {
                (a.clone(), b.clone(), s)
            } else {
                (b.clone(), a.clone(), s)
            }
        })
        .collect()
}

/// A title without a trailing version suffix (" (v2)", "(V3)"), lowercased, in words.
fn title_key(title: &str) -> String {
    let t = title.trim();
    let t = match t.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
        Some((head, v))
            if v.len() > 1
                && (v.starts_with('v') || v.starts_with('V'))
                && v[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => t,
    };
    tokenize(t)
        .into_iter()
        .map(|w| w.lower)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distinct 3-word shingles of a text, hashed, sorted.
fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<String> = tokenize(text).into_iter().map(|t| t.lower).collect();
    if words.is_empty() {
        return Vec::new();
    }
    let n = SHINGLE.min(words.len());
    let mut out: Vec<u64> = words
        .windows(n)
        .map(|w| {
            let mut h = Fnv::default();
            for x in w {
                h.write_str(x);
            }
            h.finish()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f32 / (a.len() + b.len() - common) as f32
}

/// Pairs alike in wording: the same title (but for a version suffix), or a shingle
/// Jaccard of at least [`FALLBACK_JACCARD`]. Candidates for the second come from prefix
/// filtering (rarest shingles first), which misses no pair above the bar.
fn wording_pairs(items: &[DupeItem], groups: &[Vec<usize>]) -> Vec<(f32, usize, usize)> {
    let sets: Vec<Vec<u64>> = items.iter().map(|it| shingles(&it.text)).collect();
    let mut df: HashMap<u64, u32> = HashMap::new();
    for s in &sets {
        for h in s {
            *df.entry(*h).or_default() += 1;
        }
    }
    let mut found: BTreeMap<(usize, usize), f32> = BTreeMap::new();
    for g in groups {
        // Same titles.
        let mut by_title: HashMap<String, Vec<usize>> = HashMap::new();
        for &i in g {
            let k = title_key(&items[i].title);
            if !k.is_empty() {
                by_title.entry(k).or_default().push(i);
            }
        }
        for same in by_title.values() {
            for (n, &i) in same.iter().enumerate() {
                for &j in &same[n + 1..] {
                    found.insert((i.min(j), i.max(j)), jaccard(&sets[i], &sets[j]));
                }
            }
        }
        // Shared wording: two sets with a Jaccard >= t share a shingle within the first
        // |x| - ceil(t |x|) + 1 of each, in any fixed order of shingles.
        let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut candidates: HashSet<(usize, usize)> = HashSet::new();
        for &i in g {
            let s = &sets[i];
            if s.is_empty() {
                continue;
            }
            let mut ordered = s.clone();
            ordered.sort_by_key(|h| (df.get(h).copied().unwrap_or(0), *h));
            let need = ((f64::from(FALLBACK_JACCARD) * s.len() as f64) - 1e-9)
                .ceil()
                .max(1.0) as usize;
            let prefix = s.len() + 1 - need.min(s.len());
            for h in &ordered[..prefix] {
                let list = postings.entry(*h).or_default();
                for &j in list.iter() {
                    candidates.insert((j.min(i), j.max(i)));
                }
                list.push(i);
            }
        }
        for (i, j) in candidates {
            if found.contains_key(&(i, j)) {
                continue;
            }
            let s = jaccard(&sets[i], &sets[j]);
            if s >= FALLBACK_JACCARD {
                found.insert((i, j), s);
            }
        }
    }
    found.into_iter().map(|((i, j), s)| (s, i, j)).collect()
}

// ---------------------------------------------------------------------------------------
// Coverage gaps.

/// The canonical name of an industry ("Banking" -> "Financial Services"), or the value as
/// written.
fn canon_industry(s: &str) -> String {
    canon(s, |f| match f {
        Facet::Industry(n) => Some(n),
        _ => None,
    })
}

/// The canonical persona of a persona or job title ("Chief Financial Officer" -> "CFO",
/// "Regional Sales Director" -> "VP Sales"), or the value as written.
fn canon_persona(s: &str) -> String {
    canon(s, |f| match f {
        Facet::Persona(n) => Some(n),
        _ => None,
    })
}

fn canon(s: &str, pick: impl Fn(Facet) -> Option<&'static str>) -> String {
    let s = s.trim();
    if s.is_empty() {
        return String::new();
    }
    if let Some(n) = facets_of_phrase(s).into_iter().find_map(&pick) {
        return n.to_string();
    }
    // A phrase inside it: the longest, and of those the last (in a job title the function
    // usually comes last: "VP Information Technology" is a CIO, not a VP of Sales).
    let words: Vec<String> = tokenize(s).into_iter().map(|t| t.lower).collect();
    let mut best: Option<(usize, &'static str)> = None;
    for start in 0..words.len() {
        for end in start + 1..=words.len().min(start + MAX_PHRASE_WORDS) {
            let phrase = words[start..end].join(" ");
            if let Some(n) = facets_of_phrase(&phrase).into_iter().find_map(&pick) {
                if best.is_none_or(|(len, _)| end - start >= len) {
                    best = Some((end - start, n));
                }
            }
        }
    }
    best.map_or_else(|| s.to_string(), |(_, n)| n.to_string())
}

fn key(s: &str) -> String {
    s.to_lowercase()
}

fn coverage_gaps(items: &[ContentItem], needs: &[DealNeed]) -> Vec<CoverageGap> {
    // (industry key, persona key) -> (industry, persona, deals, amount)
    let mut wanted: BTreeMap<(String, String), (String, String, u32, i64)> = BTreeMap::new();
    for d in needs {
        let industry = canon_industry(&d.industry);
        let mut personas: Vec<String> = Vec::new();
        for p in &d.personas {
            let c = canon_persona(p);
            if !c.is_empty() && !personas.iter().any(|x| key(x) == key(&c)) {
                personas.push(c);
            }
        }
        if personas.is_empty() {
            personas.push(String::new());
        }
        for p in personas {
            let e = wanted
                .entry((key(&industry), key(&p)))
                .or_insert_with(|| (industry.clone(), p.clone(), 0, 0));
            e.2 += 1;
            e.3 = e.3.saturating_add(d.amount_cents.max(0));
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    // What each item is for: (kind, industry keys, persona keys).
    let covers: Vec<(ContentKind, HashSet<String>, HashSet<String>)> = items
        .iter()
        .filter(|it| GAP_KINDS.contains(&it.kind))
        .map(|it| {
            let inds = it
                .industries
                .iter()
                .map(|s| key(&canon_industry(s)))
                .collect();
            let pers = it.personas.iter().map(|s| key(&canon_persona(s))).collect();
            (it.kind, inds, pers)
        })
        .collect();
    let serves = |set: &HashSet<String>, k: &str| k.is_empty() || set.is_empty() || set.contains(k);
    let mut gaps = Vec::new();
    for ((ik, pk), (industry, persona, deals, amount)) in &wanted {
        for kind in GAP_KINDS {
            let covered = covers
                .iter()
                .any(|(k, inds, pers)| k == kind && serves(inds, ik) && serves(pers, pk));
            if !covered {
                gaps.push(CoverageGap {
                    industry: industry.clone(),
                    persona: persona.clone(),
                    kind: *kind,
                    open_deals: *deals,
                    open_amount_cents: *amount,
                });
            }
        }
    }
    let kind_rank = |k: ContentKind| GAP_KINDS.iter().position(|x| *x == k).unwrap_or(usize::MAX);
    gaps.sort_by(|a, b| {
        b.open_amount_cents
            .cmp(&a.open_amount_cents)
            .then(b.open_deals.cmp(&a.open_deals))
            .then_with(|| a.industry.cmp(&b.industry))
            .then_with(|| a.persona.cmp(&b.persona))
            .then_with(|| kind_rank(a.kind).cmp(&kind_rank(b.kind)))
    });
    gaps
}

// ---------------------------------------------------------------------------------------
// Performers and counts.

fn win_rate(won: u32, influenced: u32) -> f32 {
    if influenced == 0 {
        0.0
    } else {
        won.min(influenced) as f32 / influenced as f32
    }
}

fn performer(it: &ContentItem) -> Performer {
    let s = &it.stats;
    Performer {
        id: it.id.clone(),
        title: it.title.clone(),
        uses: s.uses,
        deals_influenced: s.deals_influenced,
        deals_won: s.deals_won.min(s.deals_influenced),
        win_rate: win_rate(s.deals_won, s.deals_influenced),
    }
}

fn top_performers(items: &[ContentItem]) -> Vec<Performer> {
    let mut v: Vec<Performer> = items
        .iter()
        .filter(|it| it.stats.deals_influenced >= MIN_DEALS_INFLUENCED)
        .map(performer)
        .collect();
    v.sort_by(|a, b| {
        b.win_rate
            .total_cmp(&a.win_rate)
            .then(b.uses.cmp(&a.uses))
            .then(b.deals_won.cmp(&a.deals_won))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    v.truncate(PERFORMERS);
    v
}

fn under_performers(items: &[ContentItem], now: i64) -> Vec<Performer> {
    let top: HashSet<String> = top_performers(items).into_iter().map(|p| p.id).collect();
    let (won, influenced) = items.iter().fold((0u64, 0u64), |(w, n), it| {
        let s = &it.stats;
        (
            w + u64::from(s.deals_won.min(s.deals_influenced)),
            n + u64::from(s.deals_influenced),
        )
    });
    let average = if influenced == 0 {
        0.0
    } else {
        won as f32 / influenced as f32
    };
    let mut v: Vec<(&ContentItem, Performer)> = items
        .iter()
        .filter(|it| !top.contains(&it.id))
        .filter(|it| {
            let s = &it.stats;
            let used_but_losing =
                s.uses >= MIN_USES_UNDER && win_rate(s.deals_won, s.deals_influenced) < average;
            let unused_and_old = s.uses == 0 && now - it.created_at > UNUSED_AFTER_DAYS * DAY;
            used_but_losing || unused_and_old
        })
        .map(|it| (it, performer(it)))
        .collect();
    v.sort_by(|(x, a), (y, b)| {
        a.win_rate
            .total_cmp(&b.win_rate)
            .then(b.uses.cmp(&a.uses))
            .then(y.stats.views.cmp(&x.stats.views))
            .then(x.created_at.cmp(&y.created_at))
            .then_with(|| a.title.cmp(&b.title))
    });
    v.truncate(PERFORMERS);
    v.into_iter().map(|(_, p)| p).collect()
}

fn by_kind(items: &[ContentItem]) -> Vec<KindCount> {
    ContentKind::ALL
        .iter()
        .map(|k| KindCount {
            kind: *k,
            count: items.iter().filter(|it| it.kind == *k).count() as u32,
        })
        .filter(|c| c.count > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_of_times() {
        assert_eq!(year_of(1_793_491_200_000), 2026);
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(1_704_067_199_999), 2023);
        assert_eq!(year_of(1_704_067_200_000), 2024);
    }

    #[test]
    fn sentences_and_years() {
        let s = sentences("Price list 2022: A.\nOur 2023 survey found $1.5M. Founded since 2015!");
        assert_eq!(
            s,
            [
                "Price list 2022: A.",
                "Our 2023 survey found $1.5M.",
                "Founded since 2015!"
            ]
        );
        let (p, o) =
            years_named("Lumora 2022 list prices. Results as of Q4 2023. Since 2015 we grew.");
        assert_eq!(p.into_iter().collect::<Vec<_>>(), [2022]);
        assert_eq!(o.into_iter().collect::<Vec<_>>(), [2023]);
    }

    #[test]
    fn seat_prices_are_read() {
        let p = seat_prices("Growth: $59 per seat per month; Signals $30/seat; a fee of $12,000 per year; $1,250.50 per user.");
        assert_eq!(p.into_iter().collect::<Vec<_>>(), [3_000, 5_900, 125_050]);
        assert_eq!(money(5_900), "$59");
        assert_eq!(money(125_050), "$1250.50");
    }

    #[test]
    fn titles_lose_their_version() {
        assert_eq!(
            title_key("Price list 2026: Forecast (v2)"),
            "price list 2026 forecast"
        );
        assert_eq!(
            title_key("Price list 2026: Forecast"),
            "price list 2026 forecast"
        );
        assert_eq!(title_key("Video (4 min)"), "video 4 min");
    }

    #[test]
    fn personas_and_industries_are_canonical() {
        assert_eq!(canon_persona("Chief Financial Officer"), "CFO");
        assert_eq!(canon_persona("VP Finance"), "CFO");
        assert_eq!(canon_persona("Regional Sales Director"), "VP Sales");
        assert_eq!(canon_persona("VP Information Technology"), "CIO");
        assert_eq!(canon_persona("Founder & CEO"), "CEO");
        assert_eq!(canon_persona("Director of Security"), "CISO");
        assert_eq!(
            canon_persona("Chief Happiness Officer"),
            "Chief Happiness Officer"
        );
        assert_eq!(canon_industry("Banking"), "Financial Services");
        assert_eq!(canon_industry("healthcare"), "Healthcare");
        assert_eq!(canon_industry("Healthcare & Life Sciences"), "Healthcare");
    }

    #[test]
    fn jaccard_of_shingles() {
        let a = shingles("one two three four five");
        let b = shingles("one two three four six");
        assert!((jaccard(&a, &a) - 1.0).abs() < 1e-6);
        assert!((jaccard(&a, &b) - 0.5).abs() < 1e-6);
        assert_eq!(jaccard(&a, &[]), 0.0);
    }
}
