//! Ranking metrics exactly as `eval/content-search/README.md` defines them (and
//! `check.py --run` computes them): nDCG@k with gain 2^grade - 1, a log2(rank + 1)
//! discount and the ideal from all labels; recall@k over the labels of grade 2 or more. A
//! title returned twice counts once.

use std::collections::{HashMap, HashSet};

fn dedup(ranked: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    ranked
        .iter()
        .filter(|t| seen.insert(t.as_str()))
        .map(String::as_str)
        .collect()
}

pub fn ndcg_at(ranked: &[String], labels: &HashMap<String, u32>, k: usize) -> f64 {
    let gain = |g: u32| 2f64.powi(g as i32) - 1.0;
    let dcg: f64 = dedup(ranked)
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, t)| gain(labels.get(*t).copied().unwrap_or(0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u32> = labels.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) / ((i + 2) as f64).log2())
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

pub fn recall_at(ranked: &[String], labels: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant: HashSet<&str> = labels
        .iter()
        .filter(|(_, g)| **g >= 2)
        .map(|(t, _)| t.as_str())
        .collect();
    if relevant.is_empty() {
        return 0.0;
    }
    let found = dedup(ranked)
        .iter()
        .take(k)
        .filter(|t| relevant.contains(*t))
        .count();
    found as f64 / relevant.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[(&str, u32)]) -> HashMap<String, u32> {
        v.iter().map(|(t, g)| (t.to_string(), *g)).collect()
    }

    fn ranked(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_perfect_ranking_scores_one() {
        let l = labels(&[("a", 3), ("b", 2), ("c", 1)]);
        assert!((ndcg_at(&ranked(&["a", "b", "c"]), &l, 10) - 1.0).abs() < 1e-12);
        assert!((recall_at(&ranked(&["a", "b", "x"]), &l, 10) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn duplicates_count_once_and_order_matters() {
        let l = labels(&[("a", 3), ("b", 1)]);
        let swapped = ndcg_at(&ranked(&["b", "a"]), &l, 10);
        let expected = (1.0 + 7.0 / 3f64.log2()) / (7.0 + 1.0 / 3f64.log2());
        assert!((swapped - expected).abs() < 1e-12);
        let dup = ndcg_at(&ranked(&["b", "b", "a"]), &l, 10);
        assert!((dup - expected).abs() < 1e-12);
        assert_eq!(recall_at(&ranked(&["b"]), &l, 10), 0.0);
    }
}
