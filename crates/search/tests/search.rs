//! closer-search end to end: the query parser's tables, odd input, indexing idempotence,
//! keyword-only operation without the model, and (when the model is installed) semantic
//! search and highlights on the demo library.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use closer_embed::{Embedder, MODEL_DIR_NAME};
use closer_search::{parse_query, Hit, Mode, SearchContext, SearchError, SearchIndex, INDEX_FILE};
use closer_types::{ContentItem, ContentKind, ContentStats};

const NOW: i64 = 1_793_491_200_000;

fn ctx() -> SearchContext {
    SearchContext {
        now_millis: NOW,
        ..SearchContext::default()
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn item(
    id: &str,
    title: &str,
    kind: ContentKind,
    industry: &str,
    persona: &str,
    topic: &str,
    body: &str,
) -> ContentItem {
    ContentItem {
        id: id.to_string(),
        title: title.to_string(),
        kind,
        industries: strings(&[industry]),
        personas: strings(&[persona]),
        topics: strings(&[topic]),
        body: body.to_string(),
        source_path: None,
        stats: ContentStats::default(),
        created_at: NOW - 86_400_000,
        updated_at: NOW - 86_400_000,
    }
}

/// A small library: enough to tell industries, personas and kinds apart.
fn library() -> Vec<ContentItem> {
    vec![
        item(
            "hc-cfo",
            "Meridian Health pays back Lumora in 3 months — CFO case study",
            ContentKind::CaseStudy,
            "Healthcare",
            "CFO",
            "payback",
            "Meridian Health is a regional health system with 40 clinics.\n\nThe CFO wanted a clear ROI: the investment paid back in 3 months.",
        ),
        item(
            "fs-cio",
            "Hollis Bank connects 3 systems with Lumora Connect — CIO case study",
            ContentKind::CaseStudy,
            "Financial Services",
            "CIO",
            "integration",
            "Hollis Bank connected nCino and Snowflake through Lumora Connect in weeks.",
        ),
        item(
            "rt-deck",
            "Retail CRO pitch deck: pipeline visibility",
            ContentKind::Deck,
            "Retail",
            "CRO",
            "pipeline visibility",
            "Slide 1 — the problem: promotions made last year's pipeline a poor guide. Café owners 😀 agree.",
        ),
        item(
            "en-email",
            "Email template: re-engage a stalled Energy deal",
            ContentKind::EmailTemplate,
            "Energy",
            "VP Sales",
            "deal risk",
            "Subject: Quick idea\n\nHi {{first_name}}, solar deals slip. We replaced Vantage BI at Summit Energy.",
        ),
    ]
}

fn open(dir: &tempfile::TempDir, embedder: Option<Arc<Embedder>>) -> SearchIndex {
    SearchIndex::open(&dir.path().join(INDEX_FILE), embedder).expect("open index")
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.content_id.as_str()).collect()
}

/// The model, loaded once for every test that wants it; `None` (with a note) when
/// `scripts/fetch-model.sh` has not been run.
fn model() -> Option<Arc<Embedder>> {
    static MODEL: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../models")
                .join(MODEL_DIR_NAME);
            match Embedder::load(&dir) {
                Ok(e) => Some(Arc::new(e)),
                Err(e) => {
                    eprintln!("note: skipping the semantic checks: {e}");
                    None
                }
            }
        })
        .clone()
}

/// The parser, as a table: query -> what it should understand.
mod parser {
    use super::*;

    struct Case {
        q: &'static str,
        kinds: &'static [ContentKind],
        industries: &'static [&'static str],
        personas: &'static [&'static str],
        concerns: &'static [&'static str],
        others: &'static [&'static str],
    }

    const CASES: &[Case] = &[
        Case {
            q: "case studies for healthcare CFOs worried about ROI",
            kinds: &[ContentKind::CaseStudy],
            industries: &["Healthcare"],
            personas: &["CFO"],
            concerns: &["ROI"],
            others: &[],
        },
        Case {
            q: "something to show a skeptical finance leader at a bank about payback",
            kinds: &[],
            industries: &["Financial Services"],
            personas: &["CFO"],
            concerns: &["payback"],
            others: &[],
        },
        Case {
            q: "budget owner at a hospital wants cost savings",
            kinds: &[],
            industries: &["Healthcare"],
            personas: &["CFO"],
            concerns: &["cost savings"],
            others: &[],
        },
        Case {
            q: "one pager for a revenue leader at a clinic",
            kinds: &[ContentKind::OnePager],
            industries: &["Healthcare"],
            personas: &["CRO"],
            concerns: &[],
            others: &[],
        },
        Case {
            q: "One-pagers for VP Sales about TCO",
            kinds: &[ContentKind::OnePager],
            industries: &[],
            personas: &["VP Sales"],
            concerns: &["TCO"],
            others: &[],
        },
        Case {
            q: "exec deck for a health system controller",
            kinds: &[ContentKind::Deck],
            industries: &["Healthcare"],
            personas: &["CFO"],
            concerns: &[],
            others: &[],
        },
        Case {
            q: "price list for procurement",
            kinds: &[ContentKind::PricingSheet],
            industries: &[],
            personas: &["Procurement"],
            concerns: &["pricing"],
            others: &[],
        },
        Case {
            q: "how do we beat Vantage BI on price",
            kinds: &[],
            industries: &[],
            personas: &[],
            concerns: &["pricing"],
            others: &["Vantage BI"],
        },
        Case {
            q: "HIPAA security review",
            kinds: &[],
            industries: &[],
            personas: &[],
            concerns: &["security"],
            others: &["HIPAA"],
        },
        Case {
            q: "roi calc insurance",
            kinds: &[ContentKind::RoiCalculator],
            industries: &["Insurance"],
            personas: &[],
            concerns: &["ROI"],
            others: &[],
        },
        // Misspellings, one or two typos by word length.
        Case {
            q: "manufacturng cfo payback case study",
            kinds: &[ContentKind::CaseStudy],
            industries: &["Manufacturing"],
            personas: &["CFO"],
            concerns: &["payback"],
            others: &[],
        },
        Case {
            q: "insurence security one pager",
            kinds: &[ContentKind::OnePager],
            industries: &["Insurance"],
            personas: &[],
            concerns: &["security"],
            others: &[],
        },
        Case {
            q: "retial CRO deck",
            kinds: &[ContentKind::Deck],
            industries: &["Retail"],
            personas: &["CRO"],
            concerns: &[],
            others: &[],
        },
        Case {
            q: "compliance whitepapper for tech CISOs",
            kinds: &[ContentKind::Whitepaper],
            industries: &["Technology"],
            personas: &["CISO"],
            concerns: &["compliance"],
            others: &[],
        },
        Case {
            q: "Vantge BI comparison",
            kinds: &[],
            industries: &[],
            personas: &[],
            concerns: &[],
            others: &["Vantage BI"],
        },
        Case {
            q: "chief revenue officer at an insurer",
            kinds: &[],
            industries: &["Insurance"],
            personas: &["CRO"],
            concerns: &[],
            others: &[],
        },
        Case {
            q: "NimbusIQ and Stratus Cloud displacement stories",
            kinds: &[ContentKind::CaseStudy],
            industries: &[],
            personas: &[],
            concerns: &[],
            others: &["NimbusIQ", "Stratus Cloud"],
        },
        Case {
            q: "Pioneer Plastics security",
            kinds: &[],
            industries: &[],
            personas: &[],
            concerns: &["security"],
            others: &[],
        },
        Case {
            q: "",
            kinds: &[],
            industries: &[],
            personas: &[],
            concerns: &[],
            others: &[],
        },
    ];

    #[test]
    fn facets_synonyms_plurals_and_typos() {
        for c in CASES {
            let p = parse_query(c.q);
            assert_eq!(p.kinds, c.kinds, "kinds of {:?}", c.q);
            assert_eq!(p.industries, c.industries, "industries of {:?}", c.q);
            assert_eq!(p.personas, c.personas, "personas of {:?}", c.q);
            assert_eq!(p.concerns, c.concerns, "concerns of {:?}", c.q);
            let others: Vec<&str> = p.compliance.iter().chain(&p.competitors).copied().collect();
            assert_eq!(others, c.others, "regimes and competitors of {:?}", c.q);
        }
    }

    #[test]
    fn synonyms_are_expanded_and_typos_reported() {
        let p = parse_query("healthcare CFOs worried about ROI");
        for want in [
            "hospital",
            "clinic",
            "finance leader",
            "budget owner",
            "return on investment",
        ] {
            assert!(
                p.expanded.iter().any(|e| e == want),
                "{want} not in {:?}",
                p.expanded
            );
        }
        assert!(p.residual.is_empty(), "{:?}", p.residual);
        let p = parse_query("manufacturng deck");
        assert_eq!(
            p.corrections,
            [("manufacturng".to_string(), "manufacturing".to_string())]
        );
    }

    #[test]
    fn regimes_imply_industries_and_years_are_read() {
        let p = parse_query("FERPA and PCI questions, 2022 price list");
        assert_eq!(p.implied_industries, ["Education", "Retail"]);
        assert!(p.industries.is_empty());
        assert_eq!(p.years, [2022]);
    }
}

/// Whatever a rep types, search answers (possibly with nothing) and never errors.
mod odd_input {
    use super::*;

    const ODD: &[&str] = &[
        "",
        "   ",
        "\"",
        "\"unterminated phrase",
        "AND (",
        "OR",
        "NOT",
        "NEAR(a b, 3)",
        "*",
        "pay*",
        "^title",
        "title:payback",
        "col : \"x\"",
        "a AND b OR NOT c",
        "'; DROP TABLE items; --",
        "-payback",
        "+roi",
        "😀🚀",
        "\u{0}",
        "café naïve Ünïcödé",
        "ROI ROI ROI ROI",
        "((((((((",
        "{}[]<>|\\/",
    ];

    #[test]
    fn fts5_syntax_and_junk_never_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        index.upsert_many(&library(), |_, _| {}).expect("index");
        let long = "payback ".repeat(2_000);
        for q in ODD.iter().copied().chain([long.as_str()]) {
            for mode in [Mode::Bm25, Mode::Hybrid] {
                let r = index.search(q, &ctx(), mode, 10);
                assert!(r.is_ok(), "{q:?} in {mode:?}: {r:?}");
            }
        }
        // Syntax characters around a real word still find it.
        let hits = index
            .search("\"payback\" AND (", &ctx(), Mode::Bm25, 10)
            .expect("search");
        assert_eq!(ids(&hits).first(), Some(&"hc-cfo"));
        assert!(index
            .search("roi", &ctx(), Mode::Hybrid, 0)
            .expect("k = 0")
            .is_empty());
    }
}

/// Indexing twice changes nothing; changes and removals show at once and survive a reopen.
mod indexing {
    use super::*;

    #[test]
    fn upsert_is_idempotent_and_reindex_replaces_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        let lib = library();
        index.upsert_many(&lib, |_, _| {}).expect("index");
        let counts = index.passage_counts().expect("counts");
        let before = index
            .search("payback clinics", &ctx(), Mode::Hybrid, 10)
            .expect("search");

        let mut calls = Vec::new();
        index
            .upsert_many(&lib, |done, total| calls.push((done, total)))
            .expect("again");
        index.upsert(&lib[0]).expect("once more");
        assert_eq!(calls.last(), Some(&(lib.len(), lib.len())));
        assert_eq!(index.len().expect("len"), lib.len());
        assert_eq!(index.passage_counts().expect("counts"), counts);
        let after = index
            .search("payback clinics", &ctx(), Mode::Hybrid, 10)
            .expect("search");
        assert_eq!(ids(&before), ids(&after));

        // New text replaces the old: the old words are gone, the new ones found.
        let mut changed = lib[0].clone();
        changed.body = "Meridian Health rolled out dashboards to every hospital.".into();
        index.upsert(&changed).expect("changed");
        assert!(
            !ids(&index.search("clinics", &ctx(), Mode::Bm25, 10).expect("s")).contains(&"hc-cfo")
        );
        assert_eq!(
            ids(&index
                .search("dashboards", &ctx(), Mode::Bm25, 10)
                .expect("s")),
            ["hc-cfo"]
        );
        assert_eq!(index.passage_counts().expect("counts"), counts);

        // Stats alone change no passages but are kept.
        let mut used = changed.clone();
        used.stats.uses = 40;
        index.upsert(&used).expect("stats");
        assert_eq!(index.passage_counts().expect("counts"), counts);

        index.remove("hc-cfo").expect("remove");
        index.remove("hc-cfo").expect("remove twice");
        index.remove("never-indexed").expect("remove unknown");
        assert!(index
            .search("dashboards", &ctx(), Mode::Bm25, 10)
            .expect("s")
            .is_empty());
        assert_eq!(index.len().expect("len"), lib.len() - 1);

        drop(index);
        let index = open(&dir, None);
        assert_eq!(index.len().expect("len"), lib.len() - 1);
        assert_eq!(
            ids(&index.search("nCino", &ctx(), Mode::Bm25, 10).expect("s")),
            ["fs-cio"]
        );
    }

    #[test]
    fn items_without_a_body_are_found_by_title() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        let mut it = library().remove(1);
        it.body = String::new();
        index.upsert(&it).expect("index");
        let hits = index
            .search("Hollis", &ctx(), Mode::Hybrid, 10)
            .expect("search");
        assert_eq!(ids(&hits), ["fs-cio"]);
    }

    #[test]
    fn the_schema_migrations_are_valid() {
        assert!(closer_search::migrations().validate().is_ok());
    }

    #[test]
    fn searches_run_while_items_are_indexed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Arc::new(open(&dir, None));
        let lib = closer_demo::bulk_content(7, 300, NOW);
        std::thread::scope(|s| {
            let w = Arc::clone(&index);
            s.spawn(move || w.upsert_many(&lib, |_, _| {}).expect("index"));
            for _ in 0..20 {
                index
                    .search("healthcare CFO payback", &ctx(), Mode::Hybrid, 10)
                    .expect("search");
            }
        });
        assert_eq!(index.len().expect("len"), 300);
    }
}

/// Without the model: keyword search with boosts, nothing fails.
mod without_model {
    use super::*;

    #[test]
    fn hybrid_degrades_to_keywords_and_vector_mode_says_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        index.upsert_many(&library(), |_, _| {}).expect("index");
        assert!(!index.semantic_available());
        let hits = index
            .search(
                "case studies for healthcare CFOs worried about ROI",
                &ctx(),
                Mode::Hybrid,
                3,
            )
            .expect("hybrid without a model");
        assert_eq!(ids(&hits).first(), Some(&"hc-cfo"));
        assert!(hits[0].why.contains("Healthcare"), "{}", hits[0].why);
        assert!(matches!(
            index.search("roi", &ctx(), Mode::Vector, 3),
            Err(SearchError::SemanticUnavailable)
        ));
    }

    #[test]
    fn the_open_deal_breaks_ties() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        index.upsert_many(&library(), |_, _| {}).expect("index");
        let deal = SearchContext {
            deal_industry: Some("Energy".into()),
            deal_competitors: vec!["Vantage BI".into()],
            now_millis: NOW,
        };
        let hits = index
            .search("case study deck email", &deal, Mode::Hybrid, 4)
            .expect("search");
        assert_eq!(ids(&hits).first(), Some(&"en-email"));
    }
}

/// Highlights are byte ranges on char boundaries, in order, covering matched words.
mod highlights {
    use super::*;

    fn check(hits: &[Hit]) {
        for h in hits {
            for p in &h.passages {
                let mut end = 0;
                for &(a, b) in &p.highlights {
                    assert!(
                        a >= end && a < b && b <= p.text.len(),
                        "{:?} in {:?}",
                        (a, b),
                        p.text
                    );
                    assert!(p.text.is_char_boundary(a) && p.text.is_char_boundary(b));
                    end = b;
                }
            }
        }
    }

    #[test]
    fn ranges_are_valid_and_cover_the_query_words() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        index.upsert_many(&library(), |_, _| {}).expect("index");
        let hits = index
            .search(
                "cafe owners pipeline 😀 promotions",
                &ctx(),
                Mode::Hybrid,
                5,
            )
            .expect("search");
        check(&hits);
        let deck = hits
            .iter()
            .find(|h| h.content_id == "rt-deck")
            .expect("deck found");
        let words: Vec<&str> = deck.passages[0]
            .highlights
            .iter()
            .map(|&(a, b)| &deck.passages[0].text[a..b])
            .collect();
        assert!(
            words.contains(&"pipeline") && words.contains(&"promotions"),
            "{words:?}"
        );
        assert!(words.contains(&"owners"), "{words:?}");

        // Synonyms are highlighted too: "hospital" for healthcare, "ROI" for payback.
        let hits = index
            .search("hospital payback", &ctx(), Mode::Hybrid, 5)
            .expect("search");
        check(&hits);
        let hc = hits
            .iter()
            .find(|h| h.content_id == "hc-cfo")
            .expect("found");
        let words: Vec<&str> = hc.passages[0]
            .highlights
            .iter()
            .map(|&(a, b)| &hc.passages[0].text[a..b])
            .collect();
        assert!(
            words.contains(&"health system") && words.contains(&"paid back"),
            "{words:?}"
        );
    }

    #[test]
    fn demo_library_hits_have_valid_highlights_and_a_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, None);
        let lib = closer_demo::generate(closer_demo::DEFAULT_SEED, NOW).content;
        index.upsert_many(&lib, |_, _| {}).expect("index");
        for q in [
            "healthcare CFO ROI",
            "Vantage BI pricing",
            "HIPAA",
            "ünïcode 😀 deck",
        ] {
            let hits = index.search(q, &ctx(), Mode::Hybrid, 10).expect("search");
            check(&hits);
            for h in &hits {
                assert!(!h.why.is_empty(), "{}", h.title);
            }
        }
    }
}

/// With the model (skipped with a note when it is not installed).
mod semantic {
    use super::*;

    #[test]
    fn healthcare_cfo_roi_case_study_in_the_top_three() {
        let Some(model) = model() else { return };
        let dir = tempfile::tempdir().expect("tempdir");
        let index = open(&dir, Some(model));
        assert!(index.semantic_available());
        // The demo library's case studies and ROI material (what the query is about, and
        // plenty to confuse it with); the whole library takes minutes in a debug build.
        let lib: Vec<ContentItem> = closer_demo::generate(closer_demo::DEFAULT_SEED, NOW)
            .content
            .into_iter()
            .filter(|c| matches!(c.kind, ContentKind::CaseStudy | ContentKind::RoiCalculator))
            .collect();
        index.upsert_many(&lib, |_, _| {}).expect("index");
        let (passages, vectors) = index.passage_counts().expect("counts");
        assert_eq!(passages, vectors);
        let q = "case studies for healthcare CFOs worried about ROI";
        let hits = index.search(q, &ctx(), Mode::Hybrid, 3).expect("hybrid");
        assert!(
            hits.iter().any(|h| {
                h.kind == ContentKind::CaseStudy
                    && lib.iter().any(|c| {
                        c.id == h.content_id
                            && c.industries.first().map(String::as_str) == Some("Healthcare")
                    })
            }),
            "{:#?}",
            hits.iter().map(|h| &h.title).collect::<Vec<_>>()
        );
        // Vectors alone also work, and rank by meaning.
        let v = index
            .search("hospital finance chief money back", &ctx(), Mode::Vector, 5)
            .expect("vector");
        assert_eq!(v.len(), 5);
    }

    #[test]
    fn an_index_built_without_the_model_gets_vectors_later() {
        let Some(model) = model() else { return };
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = library();
        open(&dir, None)
            .upsert_many(&lib, |_, _| {})
            .expect("keywords only");
        let index = open(&dir, Some(model));
        assert_eq!(index.passage_counts().expect("counts").1, 0);
        assert_eq!(index.embed_missing(|_, _| {}).expect("embed"), lib.len());
        let (passages, vectors) = index.passage_counts().expect("counts");
        assert_eq!(passages, vectors);
        assert_eq!(index.embed_missing(|_, _| {}).expect("nothing left"), 0);
        let hits = index
            .search("bank integration", &ctx(), Mode::Vector, 1)
            .expect("vector");
        assert_eq!(ids(&hits), ["fs-cio"]);
    }
}
