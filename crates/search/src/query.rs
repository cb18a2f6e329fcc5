//! Query understanding without a network: which content kind, industry, persona, concern,
//! compliance regime and competitor a rep's words name, through synonym tables that are
//! tolerant to plurals (both sides are stemmed) and to small misspellings (one typo in
//! words of 5-8 letters, two in longer ones).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use closer_types::ContentKind;

use crate::text::{edit_distance, is_stopword, stem, tokenize, typo_budget};

/// Something a query can name that content metadata also describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Kind(ContentKind),
    Industry(&'static str),
    Persona(&'static str),
    /// A topic of the content taxonomy ("ROI", "data quality" ...).
    Concern(&'static str),
    /// A compliance regime or certification ("HIPAA", "SOC 2" ...).
    Compliance(&'static str),
    Competitor(&'static str),
}

/// What [`parse_query`] understood. Canonical names are those of the content taxonomy
/// (`"Healthcare"`, `"CFO"`, `"ROI"`), so they compare equal to item metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub kinds: Vec<ContentKind>,
    pub industries: Vec<&'static str>,
    /// Industries the query does not name but implies (HIPAA -> Healthcare).
    pub implied_industries: Vec<&'static str>,
    pub personas: Vec<&'static str>,
    pub concerns: Vec<&'static str>,
    pub compliance: Vec<&'static str>,
    pub competitors: Vec<&'static str>,
    /// Years named (2000-2063): the rep wants material of that year, not the newest.
    pub years: Vec<u16>,
    /// Lowercase words that named no facet, without stopwords and filler ("something",
    /// "worried"): they are searched as they are.
    pub residual: Vec<String>,
    /// What the keyword search looks for: the residual words, then every facet's own words
    /// and synonyms (phrases are space-separated words). No duplicates.
    pub expanded: Vec<String>,
    /// Misspellings that were read as another word: (typed, understood).
    pub corrections: Vec<(String, String)>,
}

impl ParsedQuery {
    /// Whether any facet was recognised.
    pub fn has_facets(&self) -> bool {
        !(self.kinds.is_empty()
            && self.industries.is_empty()
            && self.implied_industries.is_empty()
            && self.personas.is_empty()
            && self.concerns.is_empty()
            && self.compliance.is_empty()
            && self.competitors.is_empty()
            && self.years.is_empty())
    }

    fn add(&mut self, f: Facet) {
        fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
            if !v.contains(&x) {
                v.push(x);
            }
        }
        match f {
            Facet::Kind(k) => push(&mut self.kinds, k),
            Facet::Industry(i) => push(&mut self.industries, i),
            Facet::Persona(p) => push(&mut self.personas, p),
            Facet::Concern(c) => push(&mut self.concerns, c),
            Facet::Compliance(c) => {
                push(&mut self.compliance, c);
                if let Some(ind) = compliance_industry(c) {
                    push(&mut self.implied_industries, ind);
                }
            }
            Facet::Competitor(c) => push(&mut self.competitors, c),
        }
    }
}

/// Words a rep types around what they want, which no content is about.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "anything", "best", "concerned", "find", "get", "give", "great", "help", "keep",
    "keeps", "know", "like", "look", "looking", "need", "needs", "one", "please", "send",
    "share", "show", "skeptical", "some", "something", "stuff", "use", "want", "wants",
    "worried",
];

/// One line of the synonym tables: a facet, the phrases that name it and are also searched
/// for in the text (`expand`), and phrases that only name it (too vague or too common to
/// search for: "vp", "finance").
struct Syn {
    facet: Facet,
    expand: &'static [&'static str],
    parse_only: &'static [&'static str],
}

const fn syn(
    facet: Facet,
    expand: &'static [&'static str],
    parse_only: &'static [&'static str],
) -> Syn {
    Syn {
        facet,
        expand,
        parse_only,
    }
}

use ContentKind as K;
use Facet::{
    Competitor as Comp, Compliance as Reg, Concern as C, Industry as I, Kind, Persona as P,
};

#[rustfmt::skip]
const SYNONYMS: &[Syn] = &[
    // Content kinds.
    syn(Kind(K::CaseStudy), &["case study", "customer story", "success story"],
        &["casestudy", "story", "reference", "testimonial", "win story"]),
    syn(Kind(K::Deck), &["deck", "slides", "presentation"],
        &["slide", "pitch", "powerpoint", "ppt"]),
    syn(Kind(K::OnePager), &["one pager", "onepager", "datasheet", "data sheet", "flyer"],
        &["1 pager", "leave behind", "sell sheet", "solution brief", "brief"]),
    syn(Kind(K::PricingSheet), &["price list", "pricing sheet", "price sheet", "rate card"],
        &["price book", "packaging"]),
    syn(Kind(K::RoiCalculator), &["calculator", "roi calculator", "tco calculator"],
        &["calc", "roi model", "payback model", "tco model", "business case"]),
    syn(Kind(K::EmailTemplate), &["email", "email template"],
        &["e mail", "template", "follow up", "outreach", "nudge", "cold email"]),
    syn(Kind(K::Whitepaper), &["whitepaper", "white paper", "guide", "benchmark", "report"],
        &["paper", "research", "ebook", "survey"]),
    syn(Kind(K::Video), &["video", "recording", "webinar"], &["demo", "clip", "watch"]),
    syn(Kind(K::Battlecard), &["battlecard", "battle card"], &["competitive card"]),
    // Industries.
    syn(I("Healthcare"), &["healthcare", "health care", "hospital", "clinic", "health system",
        "medical", "diagnostics"],
        &["health", "patient", "pharma", "biotech", "life sciences"]),
    syn(I("Financial Services"), &["financial services", "bank", "banking", "credit union",
        "lender", "lending", "wealth management"],
        &["fin services", "finserv", "fintech", "wealth", "brokerage", "asset management"]),
    syn(I("Manufacturing"), &["manufacturing", "manufacturer", "factory", "industrial"],
        &["fabrication", "machining"]),
    syn(I("Retail"), &["retail", "retailer", "store chain", "grocery", "omnichannel"],
        &["store", "grocer", "ecommerce", "e commerce", "apparel", "cpg", "consumer goods"]),
    syn(I("Technology"), &["technology", "saas", "software"],
        &["tech", "it services", "tech company", "startup"]),
    syn(I("Education"), &["education", "university", "college", "school", "school district",
        "campus"],
        &["k 12", "edtech", "higher ed", "academy"]),
    syn(I("Public Sector"), &["public sector", "government", "county", "municipal",
        "state agency", "transit", "transit authority"],
        &["gov", "govt", "city", "agency", "federal", "public", "municipality"]),
    syn(I("Energy"), &["energy", "utility", "solar", "grid", "renewable energy"],
        &["power", "wind", "oil and gas", "electric", "grid operator"]),
    syn(I("Logistics"), &["logistics", "freight", "shipping", "3pl", "trucking",
        "supply chain"],
        &["shipper", "warehouse", "warehousing", "fulfillment", "distribution", "delivery"]),
    syn(I("Insurance"), &["insurance", "insurer", "underwriter", "underwriting"],
        &["carrier", "assurance", "reinsurance", "mutual"]),
    // Personas.
    syn(P("CFO"), &["cfo", "chief financial officer", "finance leader", "finance director",
        "vp finance", "budget owner", "budget holder", "controller"],
        &["finance", "finance chief", "finance exec", "finance executive", "finance team",
          "head of finance", "vp of finance", "budget", "treasurer", "fp a"]),
    syn(P("CIO"), &["cio", "chief information officer", "it leader", "it director"],
        &["head of it", "vp it", "it team", "information technology"]),
    syn(P("CTO"), &["cto", "chief technology officer", "vp engineering"],
        &["head of engineering", "engineering leader", "engineering"]),
    syn(P("VP Sales"), &["vp sales", "vp of sales", "sales vp", "vice president of sales",
        "head of sales", "sales director", "sales leader"],
        &["vp", "svp sales", "sales manager", "sales leadership"]),
    syn(P("CRO"), &["cro", "chief revenue officer", "revenue leader", "svp revenue"],
        &["head of revenue", "revenue chief", "revenue exec"]),
    syn(P("Head of Operations"), &["head of operations", "coo", "vp operations",
        "operations leader"],
        &["head of ops", "chief operating officer", "operations", "ops", "ops leader"]),
    syn(P("Procurement"), &["procurement", "purchasing", "sourcing"],
        &["buyer", "vendor management"]),
    syn(P("CISO"), &["ciso", "chief information security officer", "security team",
        "security leader", "director of security"],
        &["head of security", "security officer", "infosec team"]),
    syn(P("CEO"), &["ceo", "chief executive"], &["chief executive officer", "founder"]),
    syn(P("RevOps Manager"), &["revops", "revenue operations", "sales operations"],
        &["rev ops", "sales ops", "revops manager", "revops person"]),
    // Concerns (the topics of the content taxonomy).
    syn(C("ROI"), &["roi", "return on investment"], &["hard numbers", "returns"]),
    syn(C("payback"), &["payback", "pay back", "paid back", "money back"],
        &["pays back", "payback period", "break even"]),
    syn(C("cost savings"), &["cost savings", "savings", "cut costs", "cutting costs"],
        &["save money", "cost reduction", "reduce costs", "costs", "cost"]),
    syn(C("TCO"), &["tco", "total cost of ownership"], &["total cost", "cost of ownership"]),
    syn(C("forecast accuracy"), &["forecast accuracy", "accuracy", "accurate"],
        &["missing the quarter", "miss the quarter", "missed the quarter", "forecast miss",
          "call the quarter", "hit the number"]),
    syn(C("pipeline visibility"), &["pipeline visibility", "pipeline", "visibility"], &[]),
    syn(C("deal risk"), &["deal risk", "at risk", "risk signals"],
        &["risk", "slipping", "slip", "slipped"]),
    syn(C("integration"), &["integration", "integrate", "connector", "data silo",
        "core systems"],
        &["connect", "connected", "silo", "systems", "api"]),
    syn(C("data quality"), &["data quality", "clean data", "dirty data", "crm hygiene"],
        &["hygiene", "mess", "messy", "dirty", "clean", "duplicates"]),
    syn(C("implementation"), &["implementation", "rollout", "roll out", "go live",
        "deployment"],
        &["implement", "rolling out", "deploy", "launch", "time to value"]),
    syn(C("onboarding"), &["onboarding", "training"], &["onboard", "ramp", "adoption"]),
    syn(C("security"), &["security", "security review", "vendor risk", "risk assessment",
        "questionnaire"],
        &["secure", "infosec", "pen test", "penetration test"]),
    syn(C("compliance"), &["compliance", "compliant", "regulatory"], &["regulation", "audit"]),
    syn(C("data residency"), &["data residency", "residency", "data sovereignty"], &[]),
    syn(C("pricing"), &["pricing", "price", "discount"],
        &["prices", "cheaper", "charge", "charged", "seat price", "per seat", "seat"]),
    syn(C("contract terms"), &["contract terms", "contract", "renewal"],
        &["terms", "renewal caps", "caps", "msa", "negotiation", "legal"]),
    syn(C("growth planning"), &["growth planning", "growth", "expansion"],
        &["planning", "next year", "scale"]),
    syn(C("rep productivity"), &["rep productivity", "productivity"],
        &["efficiency", "selling time"]),
    // Compliance regimes and certifications.
    syn(Reg("HIPAA"), &["hipaa"], &[]),
    syn(Reg("SOC 2"), &["soc 2", "soc2"], &["soc ii"]),
    syn(Reg("ISO 27001"), &["iso 27001", "27001"], &["iso"]),
    syn(Reg("PCI DSS"), &["pci dss", "pci"], &[]),
    syn(Reg("FERPA"), &["ferpa"], &[]),
    syn(Reg("StateRAMP"), &["stateramp", "state ramp"], &[]),
    syn(Reg("FedRAMP"), &["fedramp"], &[]),
    syn(Reg("NERC CIP"), &["nerc cip", "nerc"], &["cip"]),
    syn(Reg("SOX"), &["sox", "sarbanes oxley"], &[]),
    syn(Reg("GDPR"), &["gdpr"], &[]),
    // Competitors.
    syn(Comp("Vantage BI"), &["vantage bi"], &["vantage"]),
    syn(Comp("DataForge"), &["dataforge", "data forge"], &[]),
    syn(Comp("Clearpath Analytics"), &["clearpath analytics", "clearpath"], &[]),
    syn(Comp("Quantive"), &["quantive"], &[]),
    syn(Comp("NimbusIQ"), &["nimbusiq", "nimbus iq"], &["nimbus"]),
    syn(Comp("Stratus Cloud"), &["stratus cloud"], &["stratus"]),
    syn(Comp("Helix Metrics"), &["helix metrics"], &["helix"]),
    syn(Comp("OrbitalOps"), &["orbitalops", "orbital ops"], &["orbital"]),
];

/// Phrases that name two facets at once; they win over their parts (longest match).
const COMBOS: &[(&str, &[Facet])] = &[
    ("roi calculator", &[Kind(K::RoiCalculator), C("ROI")]),
    ("roi calc", &[Kind(K::RoiCalculator), C("ROI")]),
    ("roi model", &[Kind(K::RoiCalculator), C("ROI")]),
    ("payback model", &[Kind(K::RoiCalculator), C("payback")]),
    ("tco calculator", &[Kind(K::RoiCalculator), C("TCO")]),
    ("tco model", &[Kind(K::RoiCalculator), C("TCO")]),
    ("price list", &[Kind(K::PricingSheet), C("pricing")]),
    ("pricing sheet", &[Kind(K::PricingSheet), C("pricing")]),
    ("price sheet", &[Kind(K::PricingSheet), C("pricing")]),
    ("security team", &[P("CISO"), C("security")]),
    ("security review", &[C("security")]),
    ("soc 2", &[Reg("SOC 2"), C("SOC 2")]),
    ("soc2", &[Reg("SOC 2"), C("SOC 2")]),
    ("vendor risk", &[C("security")]),
];

/// The industry whose content a compliance regime points to.
pub fn compliance_industry(regime: &str) -> Option<&'static str> {
    match regime {
        "HIPAA" => Some("Healthcare"),
        "FERPA" => Some("Education"),
        "StateRAMP" | "FedRAMP" => Some("Public Sector"),
        "PCI DSS" => Some("Retail"),
        "NERC CIP" => Some("Energy"),
        "SOX" => Some("Financial Services"),
        _ => None,
    }
}

/// A phrase of the tables, stemmed.
struct Phrase {
    stems: Vec<String>,
    facets: Vec<Facet>,
    /// From an `expand` list or a combo: specific enough to be looked for in documents.
    strong: bool,
}

struct Tables {
    /// By first stem; longest phrases first.
    by_first: HashMap<String, Vec<Phrase>>,
    /// Every word of the tables (lowercase, unstemmed) with its stem: the dictionary typos
    /// are corrected against.
    words: Vec<(String, String)>,
    stems: HashSet<String>,
    /// The phrases searched for when a facet is named.
    expansions: HashMap<Facet, Vec<String>>,
}

fn stems_of(phrase: &str) -> Vec<String> {
    tokenize(phrase).iter().map(|t| stem(&t.lower)).collect()
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut phrases: HashMap<Vec<String>, (Vec<Facet>, bool)> = HashMap::new();
    let mut expansions: HashMap<Facet, Vec<String>> = HashMap::new();
    let mut words: HashMap<String, String> = HashMap::new();
    let mut add = |p: &str, f: &[Facet], strong: bool, replace: bool| {
        let stems = stems_of(p);
        if stems.is_empty() {
            return;
        }
        for t in tokenize(p) {
            let s = stem(&t.lower);
            words.insert(t.lower, s);
        }
        if replace {
            phrases.remove(&stems);
        }
        let entry = phrases.entry(stems).or_default();
        entry.1 |= strong;
        for x in f {
            if !entry.0.contains(x) {
                entry.0.push(*x);
            }
        }
    };
    for s in SYNONYMS {
        for p in s.expand {
            add(p, &[s.facet], true, false);
        }
        for p in s.parse_only {
            add(p, &[s.facet], false, false);
        }
        expansions.insert(s.facet, s.expand.iter().map(|p| p.to_string()).collect());
    }
    // A combo replaces what its phrase meant alone.
    for (p, f) in COMBOS {
        add(p, f, true, true);
    }
    let mut by_first: HashMap<String, Vec<Phrase>> = HashMap::new();
    for (stems, (facets, strong)) in phrases {
        by_first.entry(stems[0].clone()).or_default().push(Phrase {
            stems,
            facets,
            strong,
        });
    }
    for list in by_first.values_mut() {
        list.sort_by(|a, b| {
            b.stems
                .len()
                .cmp(&a.stems.len())
                .then(a.stems.cmp(&b.stems))
        });
    }
    let mut words: Vec<(String, String)> = words.into_iter().collect();
    words.sort();
    let stems = words.iter().map(|(_, s)| s.clone()).collect();
    Tables {
        by_first,
        words,
        stems,
        expansions,
    }
});

/// What a metadata value names, if the tables know it as a whole ("Banking" ->
/// Financial Services, "price list" -> the pricing-sheet kind and the pricing topic). Used to
/// read item metadata.
pub fn facets_of_phrase(text: &str) -> Vec<Facet> {
    let stems = stems_of(text);
    let Some(first) = stems.first() else {
        return Vec::new();
    };
    TABLES
        .by_first
        .get(first)
        .and_then(|list| list.iter().find(|p| p.stems == stems))
        .map(|p| p.facets.clone())
        .unwrap_or_default()
}

/// Every facet that a specific phrase names anywhere in `text` (vague phrases such as
/// "vantage" or "power" are not counted): how competitors and regimes are found in bodies.
pub fn facets_in(text: &str) -> Vec<Facet> {
    let stems: Vec<String> = tokenize(text).iter().map(|t| stem(&t.lower)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < stems.len() {
        match longest_at(&stems, i) {
            Some(p) => {
                if p.strong {
                    for f in &p.facets {
                        if !out.contains(f) {
                            out.push(*f);
                        }
                    }
                }
                i += p.stems.len();
            }
            None => i += 1,
        }
    }
    out
}

fn longest_at<'a>(stems: &[String], i: usize) -> Option<&'a Phrase> {
    let candidates = TABLES.by_first.get(&stems[i])?;
    candidates
        .iter()
        .find(|p| stems.len() - i >= p.stems.len() && stems[i..i + p.stems.len()] == p.stems[..])
}

/// Understands a query with the built-in tables only: every word of 5+ letters that the
/// tables do not know may be read as a misspelling of one they know.
pub fn parse_query(q: &str) -> ParsedQuery {
    parse_query_with(q, |_| false)
}

/// Like [`parse_query`], but a word for which `known(stem)` holds (a word of the indexed
/// library, say) is never "corrected".
pub fn parse_query_with(q: &str, mut known: impl FnMut(&str) -> bool) -> ParsedQuery {
    let tables = &*TABLES;
    let tokens = tokenize(q);
    let mut lower: Vec<String> = Vec::with_capacity(tokens.len());
    let mut stems: Vec<String> = Vec::with_capacity(tokens.len());
    let mut out = ParsedQuery::default();
    for t in &tokens {
        let s = stem(&t.lower);
        let mut word = t.lower.clone();
        let mut st = s.clone();
        if !tables.stems.contains(&s)
            && !is_stopword(&t.lower)
            && !FILLER.contains(&t.lower.as_str())
            && !known(&s)
        {
            if let Some(w) = correct(&t.lower) {
                out.corrections.push((t.lower.clone(), w.0.clone()));
                word = w.0.clone();
                st = w.1.clone();
            }
        }
        lower.push(word);
        stems.push(st);
    }

    let mut i = 0;
    while i < stems.len() {
        if let Some(p) = longest_at(&stems, i) {
            for f in &p.facets {
                out.add(*f);
            }
            i += p.stems.len();
            continue;
        }
        let w = &lower[i];
        if let Some(y) = year(w) {
            if !out.years.contains(&y) {
                out.years.push(y);
            }
        }
        if !is_stopword(w) && !FILLER.contains(&w.as_str()) && !out.residual.contains(w) {
            out.residual.push(w.clone());
        }
        i += 1;
    }

    let mut seen = HashSet::new();
    let mut expanded = Vec::new();
    let mut push = |p: String| {
        if seen.insert(p.clone()) {
            expanded.push(p);
        }
    };
    for w in &out.residual {
        push(w.clone());
    }
    let facets: Vec<Facet> = out
        .kinds
        .iter()
        .map(|k| Kind(*k))
        .chain(out.industries.iter().map(|x| I(x)))
        .chain(out.personas.iter().map(|x| P(x)))
        .chain(out.concerns.iter().map(|x| C(x)))
        .chain(out.compliance.iter().map(|x| Reg(x)))
        .chain(out.competitors.iter().map(|x| Comp(x)))
        .collect();
    for f in facets {
        if let Some(list) = tables.expansions.get(&f) {
            for p in list {
                push(p.clone());
            }
        }
    }
    out.expanded = expanded;
    out
}

/// A year the year facet can hold (2000-2063), written as four digits.
pub fn year(w: &str) -> Option<u16> {
    if w.len() != 4 {
        return None;
    }
    w.parse::<u16>().ok().filter(|y| (2000..2064).contains(y))
}

/// The table word closest to `w` within its typo budget, if exactly one word (or several
/// with the same stem) is closest.
fn correct(w: &str) -> Option<&'static (String, String)> {
    let budget = typo_budget(w.chars().count());
    if budget == 0 || w.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut best: Option<(usize, &'static (String, String))> = None;
    let mut tie = false;
    for entry in &TABLES.words {
        let Some(d) = edit_distance(w, &entry.0, budget) else {
            continue;
        };
        if d == 0 {
            return None;
        }
        match best {
            Some((bd, b)) if d == bd => {
                if b.1 != entry.1 {
                    tie = true;
                }
            }
            Some((bd, _)) if d > bd => {}
            _ => {
                best = Some((d, entry));
                tie = false;
            }
        }
    }
    match (best, tie) {
        (Some((_, e)), false) => Some(e),
        _ => None,
    }
}

/// Persona pairs close enough that content for one often serves the other.
pub fn neighbouring_personas(a: &str, b: &str) -> bool {
    const GROUPS: &[&[&str]] = &[
        &["CFO", "Procurement"],
        &["CRO", "VP Sales", "CEO"],
        &["CIO", "CTO", "CISO"],
        &["RevOps Manager", "Head of Operations"],
    ];
    a != b && GROUPS.iter().any(|g| g.contains(&a) && g.contains(&b))
}

/// Concern groups: topics that answer the same worry.
pub fn concern_group(topic: &str) -> usize {
    match topic {
        "ROI" | "payback" | "cost savings" | "TCO" => 1,
        "forecast accuracy" => 2,
        "pipeline visibility" | "deal risk" => 3,
        "integration" | "data quality" => 4,
        "implementation" | "onboarding" => 5,
        "security" | "SOC 2" | "compliance" | "data residency" => 6,
        "pricing" | "contract terms" => 7,
        "rep productivity" => 8,
        "growth planning" => 9,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fillers_are_not_table_words() {
        for f in FILLER {
            assert!(
                !TABLES.stems.contains(&stem(f)) || *f == "one",
                "{f} is both filler and a synonym"
            );
        }
    }

    #[test]
    fn no_two_facets_share_a_phrase_by_accident() {
        // Stemming can make two synonyms one ("securities" and "security" both stem to
        // "secur"); only the combos may name two facets.
        let combos: HashSet<Vec<String>> = COMBOS.iter().map(|(p, _)| stems_of(p)).collect();
        let mut clashes = Vec::new();
        for list in TABLES.by_first.values() {
            for p in list {
                if p.facets.len() > 1 && !combos.contains(&p.stems) {
                    clashes.push(format!("{:?} -> {:?}", p.stems, p.facets));
                }
            }
        }
        assert!(clashes.is_empty(), "{clashes:#?}");
    }

    #[test]
    fn combos_replace_their_parts() {
        assert_eq!(
            facets_of_phrase("ROI calculator"),
            [Kind(K::RoiCalculator), C("ROI")]
        );
        assert_eq!(facets_of_phrase("Banking"), [I("Financial Services")]);
        assert_eq!(facets_of_phrase("VP Sales"), [P("VP Sales")]);
        assert_eq!(facets_of_phrase("cost savings"), [C("cost savings")]);
        assert_eq!(facets_of_phrase("nothing known"), []);
    }
}
