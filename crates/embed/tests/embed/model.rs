use closer_embed::{cosine, from_blob, to_blob, VectorIndex, DIM, MAX_TOKENS};
use serde::Deserialize;

use crate::helpers::embedder;

/// tests/fixtures/reference.json: vectors computed by sentence-transformers itself (see
/// its "note" and tests/fixtures/make_reference.py).
#[derive(Deserialize)]
struct Reference {
    max_seq_length: usize,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    tokens: usize,
    vector: Vec<f32>,
}

fn reference() -> Reference {
    let text = include_str!("../fixtures/reference.json");
    serde_json::from_str(text).unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn vectors_match_sentence_transformers() {
    let Some(e) = embedder("vectors_match_sentence_transformers") else {
        return;
    };
    let reference = reference();
    assert_eq!(reference.max_seq_length, MAX_TOKENS);
    assert!(
        reference.cases.iter().any(|c| c.tokens > MAX_TOKENS),
        "the fixture has a text that must be cut"
    );
    // All at once (one padded batch) and one by one.
    let texts: Vec<&str> = reference.cases.iter().map(|c| c.text.as_str()).collect();
    let batched = e.embed(&texts).unwrap();
    let (mut worst_sim, mut worst_diff) = (1.0f32, 0.0f32);
    for (case, ours) in reference.cases.iter().zip(&batched) {
        let single = e.embed_query(&case.text).unwrap();
        for v in [ours, &single] {
            assert_eq!(v.len(), DIM);
            let sim = cosine(v, &case.vector);
            let diff = max_abs_diff(v, &case.vector);
            worst_sim = worst_sim.min(sim);
            worst_diff = worst_diff.max(diff);
            assert!(
                sim >= 0.999,
                "{:?}: cosine {sim} with the reference",
                case.text
            );
            assert!(diff < 1e-3, "{:?}: a value is off by {diff}", case.text);
            assert!(
                max_abs_diff(&v[..8], &case.vector[..8]) < 1e-4,
                "{:?}: first dims {:?} vs {:?}",
                case.text,
                &v[..8],
                &case.vector[..8]
            );
        }
    }
    eprintln!("against sentence-transformers: lowest cosine {worst_sim}, largest difference {worst_diff:e}");
}

#[test]
fn related_texts_score_higher_than_unrelated_ones() {
    let Some(e) = embedder("related_texts_score_higher_than_unrelated_ones") else {
        return;
    };
    let v = e
        .embed(&[
            "healthcare CFO worried about ROI",
            "case study: hospital finance team cut costs",
            "pizza recipe",
        ])
        .unwrap();
    let related = cosine(&v[0], &v[1]);
    let unrelated = cosine(&v[0], &v[2]);
    assert!(
        related > unrelated + 0.3,
        "related {related}, unrelated {unrelated}"
    );
    assert!(cosine(&v[1], &v[2]) < 0.2);

    // The model card's own example pair.
    let food = e
        .embed(&["A man is eating food.", "A man is eating a piece of bread."])
        .unwrap();
    assert!((cosine(&food[0], &food[1]) - 0.755).abs() < 0.005);
}

#[test]
fn vectors_are_normalised_whatever_the_input() {
    let Some(e) = embedder("vectors_are_normalised_whatever_the_input") else {
        return;
    };
    assert_eq!(e.dim(), DIM);
    assert!(e.embed(&[]).unwrap().is_empty());
    let long = "renewal ".repeat(2_000);
    let texts = ["", "   ", "🚀 ünïcödé 数据", "x", long.as_str()];
    for v in e.embed(&texts).unwrap() {
        assert_eq!(v.len(), DIM);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        assert!(v.iter().all(|x| x.is_finite()));
    }
}

#[test]
fn text_past_256_word_pieces_is_ignored() {
    let Some(e) = embedder("text_past_256_word_pieces_is_ignored") else {
        return;
    };
    // "procurement" and friends are several word pieces each; 300 words are well past 256.
    let head = "the procurement committee reviewed the security questionnaire ".repeat(50);
    let a = e.embed_query(&head).unwrap();
    let b = e
        .embed_query(&format!("{head} pizza recipe with extra cheese and basil"))
        .unwrap();
    assert!(cosine(&a, &b) > 0.99999, "{}", cosine(&a, &b));
}

#[test]
fn order_and_batch_size_do_not_change_vectors() {
    let Some(e) = embedder("order_and_batch_size_do_not_change_vectors") else {
        return;
    };
    // More texts than one batch, of very different lengths.
    let texts: Vec<String> = (0..70)
        .map(|i| format!("deal {i} ") + &"pricing objection handled ".repeat(i % 9))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let all = e.embed(&refs).unwrap();
    assert_eq!(all.len(), 70);
    for i in [0, 8, 33, 69] {
        let alone = e.embed_query(&texts[i]).unwrap();
        assert!(cosine(&all[i], &alone) > 0.9999, "text {i}");
    }
}

#[test]
fn threads_can_share_one_embedder() {
    let Some(e) = embedder("threads_can_share_one_embedder") else {
        return;
    };
    let expected = e.embed_query("quarterly business review").unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| e.embed_query("quarterly business review").unwrap()))
            .collect();
        for h in handles {
            assert!(cosine(&h.join().unwrap(), &expected) > 0.99999);
        }
    });
}

#[test]
fn stored_vectors_find_the_right_document() {
    let Some(e) = embedder("stored_vectors_find_the_right_document") else {
        return;
    };
    let docs = [
        (
            "bc-security",
            "Battle card: answering security and SOC 2 compliance objections",
        ),
        (
            "cs-hospital",
            "Case study: a hospital finance team cut software costs by 30%",
        ),
        (
            "pb-discovery",
            "Playbook: discovery questions for the first call with a new lead",
        ),
        (
            "tpl-pricing",
            "Pricing sheet for the enterprise plan with volume discounts",
        ),
    ];
    let texts: Vec<&str> = docs.iter().map(|d| d.1).collect();
    let mut index = VectorIndex::new(e.dim());
    for ((id, _), v) in docs.iter().zip(e.embed(&texts).unwrap()) {
        // Through the bytes SQLite stores, as the app will.
        index
            .add(id.to_string(), &from_blob(&to_blob(&v)).unwrap())
            .unwrap();
    }
    for (query, want) in [
        ("healthcare CFO worried about ROI", "cs-hospital"),
        ("they asked whether we are SOC2 certified", "bc-security"),
        ("how much does it cost for 500 seats", "tpl-pricing"),
    ] {
        let q = e.embed_query(query).unwrap();
        let top = index.top_k(&q, 2);
        assert_eq!(top[0].0, want, "{query}: {top:?}");
    }
}
