#![allow(clippy::unwrap_used)]
//! The content audit on the demo library: the stale items it plants (2022/2023 years, old
//! prices), its "(v2)" duplicates found without the model, a coverage gap made by removing
//! every healthcare case study, performers; and, when the model is installed, a planted
//! near-copy found by meaning.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use closer_embed::{Embedder, MODEL_DIR_NAME};
use closer_search::{audit, DealNeed, SearchIndex, GAP_KINDS, INDEX_FILE, MIN_DEALS_INFLUENCED};
use closer_types::{ContentItem, ContentKind, ContentStats};

const NOW: i64 = 1_793_491_200_000;
const DAY: i64 = 86_400_000;

fn demo() -> closer_demo::DemoWorkspace {
    closer_demo::generate(closer_demo::DEFAULT_SEED, NOW)
}

/// One need per open deal: the lead's industry and the stakeholders' job titles (the
/// audit reads personas out of titles).
fn needs(ws: &closer_demo::DemoWorkspace) -> Vec<DealNeed> {
    let industry: HashMap<&str, &str> = ws
        .leads
        .iter()
        .map(|l| (l.id.as_str(), l.industry.as_deref().unwrap_or("")))
        .collect();
    ws.deals
        .iter()
        .filter(|d| d.stage.is_open())
        .map(|d| DealNeed {
            industry: d
                .lead_id
                .as_deref()
                .and_then(|id| industry.get(id))
                .unwrap_or(&"")
                .to_string(),
            personas: d
                .stakeholders
                .iter()
                .filter_map(|s| s.title.clone())
                .collect(),
            amount_cents: d.amount_cents,
        })
        .collect()
}

fn names_old_year(it: &ContentItem) -> Option<&'static str> {
    ["2022", "2023"]
        .into_iter()
        .find(|y| it.title.contains(y) || it.body.contains(y))
}

fn index_without_model(items: &[ContentItem]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(&dir.path().join(INDEX_FILE), None).unwrap();
    index.upsert_many(items, |_, _| {}).unwrap();
    (dir, index)
}

#[test]
fn the_demo_audit_finds_the_planted_stale_items() {
    let ws = demo();
    let report = audit(&ws.content, &needs(&ws), &[], NOW);
    assert_eq!(report.items, ws.content.len() as u64);
    assert_eq!(report.generated_at, NOW);
    let stale: HashMap<&str, &Vec<String>> = report
        .stale
        .iter()
        .map(|s| (s.id.as_str(), &s.reasons))
        .collect();

    let planted: Vec<(&ContentItem, &str)> = ws
        .content
        .iter()
        .filter_map(|it| names_old_year(it).map(|y| (it, y)))
        .collect();
    assert!(planted.len() >= 10, "the demo plants stale items");
    for (it, year) in &planted {
        let reasons = stale
            .get(it.id.as_str())
            .unwrap_or_else(|| panic!("not found stale: {} / {}", it.title, it.body));
        assert!(
            reasons.iter().any(|r| r.contains(year)),
            "{}: {reasons:?}",
            it.title
        );
    }
    // Nothing else: every other flagged item is simply old.
    for s in &report.stale {
        let it = ws.content.iter().find(|it| it.id == s.id).unwrap();
        assert!(
            names_old_year(it).is_some() || NOW - it.updated_at > 548 * DAY,
            "flagged by mistake: {} {:?}",
            s.title,
            s.reasons
        );
    }
    // Old pricing is named as such.
    let price_reasons = report
        .stale
        .iter()
        .flat_map(|s| &s.reasons)
        .filter(|r| r.starts_with("quotes a price list from 202"))
        .count();
    assert!(price_reasons > 0, "{:#?}", report.stale);
    let old_prices = report
        .stale
        .iter()
        .flat_map(|s| &s.reasons)
        .filter(|r| r.contains("per seat, not on the current price list"))
        .count();
    assert!(old_prices > 0, "{:#?}", report.stale);
    assert!(report
        .stale
        .iter()
        .flat_map(|s| &s.reasons)
        .any(|r| r.starts_with("not updated for ")));
    // Most reasons first.
    assert!(report
        .stale
        .windows(2)
        .all(|w| w[0].reasons.len() >= w[1].reasons.len()));
    eprintln!(
        "stale: {} items flagged ({} planted with 2022/2023), {} old-price-list reasons, {} outdated seat prices",
        report.stale.len(),
        planted.len(),
        price_reasons,
        old_prices
    );
    for s in report.stale.iter().take(3) {
        eprintln!("  {} -> {:?}", s.title, s.reasons);
    }
}

#[test]
fn the_demo_v2_duplicates_are_found_without_the_model() {
    let ws = demo();
    let (_dir, index) = index_without_model(&ws.content);
    assert!(!index.semantic_available());
    let pairs = index.near_duplicates(0.9, 500).unwrap();
    assert!(!pairs.is_empty());
    assert!(
        pairs.windows(2).all(|w| w[0].2 >= w[1].2),
        "most similar first"
    );
    assert!(pairs.iter().all(|(a, b, _)| a < b));

    let report = audit(&ws.content, &needs(&ws), &pairs, NOW);
    let v2 = report
        .duplicates
        .iter()
        .filter(|p| {
            let (x, y) = (&p.a_title, &p.b_title);
            y.strip_suffix(" (v2)") == Some(x.as_str())
                || x.strip_suffix(" (v2)") == Some(y.as_str())
        })
        .count();
    let versioned = ws
        .content
        .iter()
        .filter(|it| it.title.ends_with(" (v2)"))
        .count();
    assert!(v2 >= 1, "{:#?}", report.duplicates);
    eprintln!(
        "duplicates (no model): {} pairs, {} of them an item and its \"(v2)\" ({} \"(v2)\" titles in the demo)",
        report.duplicates.len(),
        v2,
        versioned
    );
    for p in report.duplicates.iter().take(3) {
        eprintln!("  {:.2} {} <> {}", p.similarity, p.a_title, p.b_title);
    }

    // A copy with new title and one changed sentence is found by its wording alone.
    let mut copy = ws.content[7].clone();
    copy.id = "planted-copy".into();
    copy.title = "Something else entirely".into();
    copy.body = copy.body.replacen('.', ". Updated for this quarter.", 1);
    index.upsert(&copy).unwrap();
    let pairs = index.near_duplicates(0.9, 500).unwrap();
    let found = pairs
        .iter()
        .find(|(a, b, _)| {
            (a == &copy.id && b == &ws.content[7].id) || (b == &copy.id && a == &ws.content[7].id)
        })
        .unwrap_or_else(|| panic!("the copy is not found: {pairs:?}"));
    assert!(found.2 >= 0.8, "{found:?}");
}

#[test]
fn removing_healthcare_case_studies_opens_a_gap() {
    let ws = demo();
    let needs = needs(&ws);
    assert!(needs.iter().any(|n| n.industry == "Healthcare"));
    let before = audit(&ws.content, &needs, &[], NOW);
    let healthcare_case_study = |g: &closer_types::CoverageGap| {
        g.industry == "Healthcare" && g.kind == ContentKind::CaseStudy
    };
    let fewer: Vec<ContentItem> = ws
        .content
        .iter()
        .filter(|it| {
            !(it.kind == ContentKind::CaseStudy && it.industries.iter().any(|i| i == "Healthcare"))
        })
        .cloned()
        .collect();
    assert!(fewer.len() < ws.content.len());
    let after = audit(&fewer, &needs, &[], NOW);
    let new: Vec<_> = after
        .gaps
        .iter()
        .filter(|g| healthcare_case_study(g))
        .filter(|g| !before.gaps.contains(g))
        .collect();
    assert!(!new.is_empty(), "{:#?}", after.gaps);
    for g in &new {
        assert!(g.open_deals >= 1 && g.open_amount_cents > 0, "{g:?}");
        assert!(!g.persona.is_empty());
    }
    // Every (industry, persona) of the gaps is one an open deal needs, and only the kinds
    // that matter for a deal are listed; most money first.
    for g in &after.gaps {
        assert!(GAP_KINDS.contains(&g.kind));
    }
    assert!(after
        .gaps
        .windows(2)
        .all(|w| w[0].open_amount_cents >= w[1].open_amount_cents));
    eprintln!(
        "gaps: {} with the full library ({} open deals), {} without healthcare case studies ({} of them new healthcare case-study gaps, e.g. {:?})",
        before.gaps.len(),
        needs.len(),
        after.gaps.len(),
        new.len(),
        new.first()
    );
    for g in before.gaps.iter().take(3) {
        eprintln!("  {g:?}");
    }
}

#[test]
fn performers_and_kinds() {
    let ws = demo();
    let report = audit(&ws.content, &[], &[], NOW);
    assert!(report.gaps.is_empty(), "no open deals, no gaps");
    assert!(!report.top.is_empty() && report.top.len() <= 10);
    assert!(report.top.windows(2).all(|w| w[0].win_rate > w[1].win_rate
        || (w[0].win_rate == w[1].win_rate && w[0].uses >= w[1].uses)));
    for p in &report.top {
        assert!(p.deals_influenced >= MIN_DEALS_INFLUENCED);
        let expected = p.deals_won as f32 / p.deals_influenced as f32;
        assert!((p.win_rate - expected).abs() < 1e-6);
    }
    // The best item of the library by win rate (with enough deals) leads.
    let best = ws
        .content
        .iter()
        .filter(|it| it.stats.deals_influenced >= MIN_DEALS_INFLUENCED)
        .map(|it| it.stats.deals_won as f32 / it.stats.deals_influenced as f32)
        .fold(0.0f32, f32::max);
    assert!((report.top[0].win_rate - best).abs() < 1e-6);

    assert!(!report.under.is_empty() && report.under.len() <= 10);
    assert!(report
        .under
        .windows(2)
        .all(|w| w[0].win_rate <= w[1].win_rate));
    for p in &report.under {
        assert!(!report.top.iter().any(|t| t.id == p.id));
        assert!(p.win_rate < report.top[report.top.len() - 1].win_rate);
    }
    let total: u32 = report.by_kind.iter().map(|k| k.count).sum();
    assert_eq!(total as usize, ws.content.len());
    assert!(report.by_kind.iter().all(|k| k.count > 0));
    eprintln!(
        "performers: top {:?}, under {:?}",
        report
            .top
            .iter()
            .map(|p| (p.win_rate, p.deals_influenced))
            .collect::<Vec<_>>(),
        report
            .under
            .iter()
            .map(|p| (p.win_rate, p.uses))
            .collect::<Vec<_>>()
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"by_kind\""));
}

fn item(
    id: &str,
    title: &str,
    kind: ContentKind,
    ind: &str,
    persona: &str,
    body: &str,
) -> ContentItem {
    ContentItem {
        id: id.into(),
        title: title.into(),
        kind,
        industries: if ind.is_empty() {
            vec![]
        } else {
            vec![ind.into()]
        },
        personas: vec![persona.into()],
        topics: vec![],
        body: body.into(),
        source_path: None,
        stats: ContentStats::default(),
        created_at: NOW - 10 * DAY,
        updated_at: NOW - 10 * DAY,
    }
}

#[test]
fn a_small_library_by_hand() {
    let mut old = item(
        "old",
        "Banking one-pager",
        ContentKind::OnePager,
        "Financial Services",
        "CFO",
        "Our platform since 2015. Results as of Q4 2024 are strong.",
    );
    old.updated_at = NOW - 800 * DAY;
    old.created_at = NOW - 900 * DAY;
    let items = vec![
        old,
        item(
            "pricing",
            "Price list 2026",
            ContentKind::PricingSheet,
            "",
            "Procurement",
            "Growth is $65 per seat per month. Enterprise is $95 per seat per month.",
        ),
        item(
            "roi",
            "ROI model",
            ContentKind::RoiCalculator,
            "",
            "CFO",
            "Assumes $59 per seat per month and a 2023 pricing baseline.",
        ),
        item(
            "cs",
            "Nordbank case study",
            ContentKind::CaseStudy,
            "Banking",
            "Chief Financial Officer",
            "A case study from 2025.",
        ),
    ];
    let needs = [
        DealNeed {
            industry: "banking".into(),
            personas: vec!["VP Finance".into(), "Chief Information Officer".into()],
            amount_cents: 5_000_000,
        },
        DealNeed {
            industry: "Financial Services".into(),
            personas: vec!["CFO".into()],
            amount_cents: 1_000_000,
        },
    ];
    let r = audit(&items, &needs, &[], NOW);
    let reasons = |id: &str| {
        r.stale
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reasons.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        reasons("old"),
        [
            "mentions 2024 as the current year",
            "not updated for 2 years"
        ]
    );
    assert_eq!(
        reasons("roi"),
        [
            "quotes a price list from 2023",
            "quotes $59 per seat, not on the current price list"
        ]
    );
    assert!(reasons("pricing").is_empty() && reasons("cs").is_empty());

    // Financial Services CFOs have a case study, a one-pager and a generic ROI model; the
    // CIO of the first deal has no case study and no one-pager.
    let gaps: Vec<(&str, &str, ContentKind, u32, i64)> = r
        .gaps
        .iter()
        .map(|g| {
            (
                g.industry.as_str(),
                g.persona.as_str(),
                g.kind,
                g.open_deals,
                g.open_amount_cents,
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [
            (
                "Financial Services",
                "CIO",
                ContentKind::CaseStudy,
                1,
                5_000_000
            ),
            (
                "Financial Services",
                "CIO",
                ContentKind::OnePager,
                1,
                5_000_000
            ),
            (
                "Financial Services",
                "CIO",
                ContentKind::RoiCalculator,
                1,
                5_000_000
            ),
        ]
    );
    assert_eq!(r.by_kind.len(), 4);
    assert!(r.top.is_empty());
    // Zero uses, older than six months.
    assert_eq!(
        r.under.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["old"]
    );

    // Pairs of unknown items are dropped; the older item comes first.
    let r = audit(
        &items,
        &[],
        &[
            ("cs".into(), "old".into(), 0.97),
            ("cs".into(), "gone".into(), 0.99),
        ],
        NOW,
    );
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(r.duplicates[0].a_id, "old");
    assert_eq!(r.duplicates[0].b_id, "cs");
}

/// With the real model (skipped with a note when it is not installed): a copy of an item
/// whose first sentence is reworded is found by meaning.
#[test]
fn the_model_finds_a_reworded_copy() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(MODEL_DIR_NAME);
    if !dir.join("model.safetensors").exists() {
        eprintln!(
            "note: skipping the semantic near-duplicate check: no model at {}",
            dir.display()
        );
        return;
    }
    let embedder = Arc::new(Embedder::load(&dir).unwrap());
    let ws = demo();
    let mut items: Vec<ContentItem> = ws.content.iter().take(40).cloned().collect();
    let original = items
        .iter()
        .find(|it| it.kind == ContentKind::CaseStudy)
        .unwrap()
        .clone();
    let (first, rest) = original.body.split_once(". ").unwrap();
    let mut copy = original.clone();
    copy.id = "planted-copy".into();
    copy.title = format!("{} (copy)", original.title);
    copy.body = format!(
        "This is a reworded opening, which says in other words what the first line said about {}. {rest}",
        first.split_whitespace().next().unwrap_or("the customer")
    );
    items.push(copy.clone());

    let tmp = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(&tmp.path().join(INDEX_FILE), Some(embedder)).unwrap();
    index.upsert_many(&items, |_, _| {}).unwrap();
    assert!(index.semantic_available());
    let pairs = index.near_duplicates(0.9, 1_000).unwrap();
    let found = pairs
        .iter()
        .find(|(a, b, _)| {
            (a == &copy.id && b == &original.id) || (b == &copy.id && a == &original.id)
        })
        .unwrap_or_else(|| panic!("the reworded copy is not found among {} pairs", pairs.len()));
    assert!(found.2 > 0.9, "{found:?}");
    assert!(pairs.windows(2).all(|w| w[0].2 >= w[1].2));
    let report = audit(&items, &[], &pairs, NOW);
    assert!(report
        .duplicates
        .iter()
        .any(|p| p.b_id == copy.id || p.a_id == copy.id));
    eprintln!(
        "model: {} pairs at cosine >= 0.9 among {} items; the reworded copy at {:.3}",
        pairs.len(),
        items.len(),
        found.2
    );
}
