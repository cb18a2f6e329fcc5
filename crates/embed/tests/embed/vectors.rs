use closer_embed::{cosine, from_blob, to_blob, EmbedError, VectorIndex};

use crate::helpers::Rng;

#[test]
fn blob_is_little_endian_f32_and_round_trips() {
    assert_eq!(to_blob(&[1.0]), vec![0x00, 0x00, 0x80, 0x3f]);
    let v = vec![0.0, -0.5, 1e-30, f32::MAX, f32::MIN_POSITIVE, -0.0];
    let blob = to_blob(&v);
    assert_eq!(blob.len(), v.len() * 4);
    let back = from_blob(&blob).unwrap();
    assert_eq!(
        back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert!(from_blob(&[]).unwrap().is_empty());
}

#[test]
fn blob_of_partial_floats_is_an_error() {
    for len in [1, 2, 3, 5, 1535] {
        match from_blob(&vec![0u8; len]) {
            Err(EmbedError::BadBlob { len: got }) => assert_eq!(got, len),
            other => panic!("{len} bytes gave {other:?}"),
        }
    }
}

#[test]
fn cosine_is_the_dot_product_of_normalised_vectors() {
    let mut rng = Rng::new(7);
    let a = rng.normalised(384);
    let b = rng.normalised(384);
    assert!((cosine(&a, &a) - 1.0).abs() < 1e-5);
    let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    assert!((cosine(&a, &b) - naive).abs() < 1e-5);
    let minus_a: Vec<f32> = a.iter().map(|x| -x).collect();
    assert!((cosine(&a, &minus_a) + 1.0).abs() < 1e-5);
    // Lengths that are not a multiple of 8 use the tail loop.
    assert!((cosine(&[0.6, 0.8, 0.0], &[0.6, 0.8, 0.0]) - 1.0).abs() < 1e-6);
    assert_eq!(
        cosine(&a, &b[..100]),
        0.0,
        "different lengths are unrelated"
    );
}

#[test]
fn top_k_returns_the_best_first_and_at_most_k() {
    let mut index = VectorIndex::new(2);
    index.add("east".into(), &[1.0, 0.0]).unwrap();
    index.add("north".into(), &[0.0, 1.0]).unwrap();
    let diagonal = std::f32::consts::FRAC_1_SQRT_2;
    index
        .add("north-east".into(), &[diagonal, diagonal])
        .unwrap();
    index.add("west".into(), &[-1.0, 0.0]).unwrap();

    let top = index.top_k(&[0.8, 0.6], 3);
    let ids: Vec<&str> = top.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["north-east", "east", "north"]);
    assert!((top[1].1 - 0.8).abs() < 1e-6);

    assert_eq!(
        index.top_k(&[0.8, 0.6], 10).len(),
        4,
        "k larger than the index"
    );
    assert!(index.top_k(&[0.8, 0.6], 0).is_empty());
    assert!(
        index.top_k(&[0.8, 0.6, 0.0], 3).is_empty(),
        "wrong query length"
    );
    assert!(VectorIndex::new(2).top_k(&[1.0, 0.0], 3).is_empty());
}

#[test]
fn equal_scores_are_ordered_by_id() {
    let mut index = VectorIndex::new(2);
    for id in ["c", "a", "d", "b"] {
        index.add(id.into(), &[1.0, 0.0]).unwrap();
    }
    let ids: Vec<String> = index
        .top_k(&[1.0, 0.0], 3)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
}

#[test]
fn add_replaces_the_vector_of_a_known_id() {
    let mut index = VectorIndex::new(2);
    index.add("x".into(), &[1.0, 0.0]).unwrap();
    index.add("y".into(), &[0.0, 1.0]).unwrap();
    index.add("x".into(), &[0.0, -1.0]).unwrap();
    assert_eq!(index.len(), 2);
    let top = index.top_k(&[0.0, 1.0], 2);
    assert_eq!(top[0].0, "y");
    assert_eq!(top[1], ("x".to_string(), -1.0));
}

#[test]
fn remove_keeps_the_other_vectors_under_their_ids() {
    let mut index = VectorIndex::new(3);
    let mut rng = Rng::new(11);
    let vecs: Vec<Vec<f32>> = (0..5).map(|_| rng.normalised(3)).collect();
    for (i, v) in vecs.iter().enumerate() {
        index.add(format!("v{i}"), v).unwrap();
    }
    assert!(
        index.remove("v1"),
        "a middle row: the last row moves into its place"
    );
    assert!(index.remove("v4"), "the last row");
    assert!(!index.remove("v1"), "already gone");
    assert!(!index.remove("nope"));
    assert_eq!(index.len(), 3);
    assert!(!index.contains("v1") && index.contains("v3"));
    for i in [0, 2, 3] {
        let top = index.top_k(&vecs[i], 1);
        assert_eq!(top[0].0, format!("v{i}"));
        assert!((top[0].1 - 1.0).abs() < 1e-5);
    }
    for i in [0, 2, 3] {
        index.remove(&format!("v{i}"));
    }
    assert!(index.is_empty());
    assert!(index.top_k(&vecs[0], 3).is_empty());
}

#[test]
fn a_vector_of_the_wrong_length_is_refused() {
    let mut index = VectorIndex::new(384);
    match index.add("x".into(), &[1.0; 383]) {
        Err(EmbedError::DimensionMismatch {
            expected: 384,
            got: 383,
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(index.is_empty());
}

#[test]
fn top_k_agrees_with_sorting_every_score() {
    let mut rng = Rng::new(42);
    let mut index = VectorIndex::with_capacity(384, 2_000);
    let mut all = Vec::new();
    for i in 0..2_000 {
        let v = rng.normalised(384);
        index.add(format!("doc-{i:04}"), &v).unwrap();
        all.push((format!("doc-{i:04}"), v));
    }
    for _ in 0..5 {
        let q = rng.normalised(384);
        let mut expected: Vec<(String, f32)> = all
            .iter()
            .map(|(id, v)| (id.clone(), cosine(v, &q)))
            .collect();
        expected.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        expected.truncate(10);
        assert_eq!(index.top_k(&q, 10), expected);
    }
}

/// The first pass scans 8-bit codes; the answer must still be the exact top k, with the
/// exact scores: compared with a brute-force f32 search over random vectors and a tight
/// cluster of near-duplicates (where scores crowd together, as with a library's copies of
/// the same passage), after replacements and removals too.
#[test]
fn top_k_is_exact_although_the_first_pass_is_8_bit() {
    let mut rng = Rng::new(42);
    let dim = 384;
    let mut index = VectorIndex::new(dim);
    let mut all: Vec<(String, Vec<f32>)> = Vec::new();
    for i in 0..4_000 {
        all.push((format!("r{i}"), rng.normalised(dim)));
    }
    let centre = rng.normalised(dim);
    for i in 0..150 {
        let mut v: Vec<f32> = centre.iter().map(|x| x + 0.01 * rng.unit()).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= n);
        all.push((format!("c{i}"), v));
    }
    for (id, v) in &all {
        index.add(id.clone(), v).unwrap();
    }
    // Replace some, remove some: the codes must follow the f32 rows.
    for i in (0..4_000).step_by(97) {
        let v = rng.normalised(dim);
        index.add(format!("r{i}"), &v).unwrap();
        all[i].1 = v;
    }
    for i in (1..4_000).step_by(101) {
        assert!(index.remove(&format!("r{i}")));
        all[i].0.clear();
    }
    all.retain(|(id, _)| !id.is_empty());
    assert_eq!(index.len(), all.len());

    let mut near_centre: Vec<f32> = centre.iter().map(|x| x + 0.02 * rng.unit()).collect();
    let n = near_centre.iter().map(|x| x * x).sum::<f32>().sqrt();
    near_centre.iter_mut().for_each(|x| *x /= n);
    let queries = [rng.normalised(dim), all[17].1.clone(), near_centre];
    for q in &queries {
        for k in [1, 10, 200] {
            let mut exact: Vec<(f32, &str)> = all
                .iter()
                .map(|(id, v)| (cosine(v, q), id.as_str()))
                .collect();
            exact.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            exact.truncate(k);
            let got = index.top_k(q, k);
            let got_ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
            let want_ids: Vec<&str> = exact.iter().map(|(_, id)| *id).collect();
            assert_eq!(got_ids, want_ids, "k = {k}");
            for ((_, s), (e, _)) in got.iter().zip(&exact) {
                assert_eq!(
                    s.to_bits(),
                    e.to_bits(),
                    "scores are the exact dot products"
                );
            }
        }
    }
}
