#!/usr/bin/env python3
"""Validate the content-search evaluation set (python3 standard library only).

Usage:
    python3 eval/content-search/check.py                 # validate the set
    python3 eval/content-search/check.py --run RUN.json  # also score a ranking (reference metrics)

Checks every `queries*.json` file in this directory (the frozen `queries.json` plus any
later additions) against `library-titles.txt`:
  - at least 60 queries in total, ids unique across files and shaped like `q001`;
  - non-empty query text (unique) and intent;
  - every label title exists in the library, at most once per query;
  - grades are integers 1..3, and every query has at least one grade-3 label;
  - tags come from the documented set.

RUN.json (optional) maps query ids to ranked lists of titles, best first:
    {"q001": ["title", "title", ...], ...}
or several systems at once:
    {"bm25": {"q001": [...], ...}, "hybrid": {"q001": [...], ...}}
It is scored with the metric definitions of README.md (nDCG@10 with gain 2^grade - 1 and
log2(rank + 1) discount, ideal DCG from all labels of the query; recall@10 over labels of
grade >= 2). This is a reference implementation for checking a port, not the product command.
"""

import argparse
import glob
import json
import math
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_QUERIES = 60
K = 10
RECALL_MIN_GRADE = 2
TAGS = {
    "combo",
    "synonym",
    "competitor",
    "compliance",
    "pricing",
    "email",
    "keyword",
    "misspelling",
    "vocab-gap",
    "single-answer",
}


def load_library(path):
    with open(path, encoding="utf-8") as f:
        titles = [line.rstrip("\n") for line in f]
    while titles and titles[-1] == "":
        titles.pop()
    return titles


def load_queries(paths):
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        queries = doc["queries"] if isinstance(doc, dict) else doc
        for q in queries:
            out.append((os.path.basename(path), q))
    return out


def validate(library, queries):
    errors = []
    lib = set(library)
    if len(lib) != len(library):
        dups = [t for t, n in Counter(library).items() if n > 1]
        errors.append(f"library-titles.txt has duplicate titles: {dups[:5]}")
    if any(not t.strip() for t in library):
        errors.append("library-titles.txt has empty lines")
    if len(queries) < MIN_QUERIES:
        errors.append(f"only {len(queries)} queries, need at least {MIN_QUERIES}")
    ids = Counter(q.get("id") for _, q in queries)
    for qid, n in ids.items():
        if n > 1:
            errors.append(f"duplicate query id {qid!r} ({n} times)")
    texts = Counter((q.get("query") or "").strip().lower() for _, q in queries)
    for text, n in texts.items():
        if n > 1:
            errors.append(f"duplicate query text {text!r}")
    for fname, q in queries:
        qid = q.get("id")
        where = f"{fname}:{qid}"
        if not isinstance(qid, str) or not re.fullmatch(r"q\d{3,}", qid):
            errors.append(f"{where}: id must look like q001")
        if not isinstance(q.get("query"), str) or not q["query"].strip():
            errors.append(f"{where}: empty query")
        if not isinstance(q.get("intent"), str) or not q["intent"].strip():
            errors.append(f"{where}: empty intent")
        for t in q.get("tags", []):
            if t not in TAGS:
                errors.append(f"{where}: unknown tag {t!r}")
        labels = q.get("labels")
        if not isinstance(labels, list) or not labels:
            errors.append(f"{where}: no labels")
            continue
        seen = set()
        for lab in labels:
            title, grade = lab.get("title"), lab.get("grade")
            if title not in lib:
                errors.append(f"{where}: label title not in library: {title!r}")
            if title in seen:
                errors.append(f"{where}: title labeled twice: {title!r}")
            seen.add(title)
            if not isinstance(grade, int) or isinstance(grade, bool) or grade not in (1, 2, 3):
                errors.append(f"{where}: grade must be 1, 2 or 3, got {grade!r} for {title!r}")
        if not any(lab.get("grade") == 3 for lab in labels):
            errors.append(f"{where}: no grade-3 label")
    return errors


# ---- reference metrics --------------------------------------------------------------------


def dcg(gains):
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, start=1))


def ndcg_at_k(ranked_titles, grades, k=K):
    """grades: {title: 1..3}; unlabeled titles count 0; ideal DCG from all labels of the query."""
    ranked = dedup(ranked_titles)[:k]
    got = dcg([2 ** grades.get(t, 0) - 1 for t in ranked])
    ideal = dcg([2 ** g - 1 for g in sorted(grades.values(), reverse=True)][:k])
    return got / ideal if ideal > 0 else 0.0


def recall_at_k(ranked_titles, grades, k=K, min_grade=RECALL_MIN_GRADE):
    relevant = {t for t, g in grades.items() if g >= min_grade}
    if not relevant:
        return 0.0
    return len(relevant & set(dedup(ranked_titles)[:k])) / len(relevant)


def dedup(titles):
    seen, out = set(), []
    for t in titles:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def self_test(queries):
    for _, q in queries:
        grades = {lab["title"]: lab["grade"] for lab in q["labels"]}
        ideal = sorted(grades, key=lambda t: -grades[t])
        assert abs(ndcg_at_k(ideal, grades) - 1.0) < 1e-9, q["id"]
        assert ndcg_at_k([], grades) == 0.0
    # worked example: grades 3, 2 at ranks 2 and 1 (swapped) -> (3/1 + 7/log2 3) / (7/1 + 3/log2 3)
    g = {"a": 3, "b": 2}
    want = (3 / 1 + 7 / math.log2(3)) / (7 / 1 + 3 / math.log2(3))
    assert abs(ndcg_at_k(["b", "a"], g) - want) < 1e-12
    assert recall_at_k(["x", "b"], {"a": 3, "b": 2, "c": 1}) == 0.5


def score(run, queries, library):
    systems = run if run and all(isinstance(v, dict) for v in run.values()) else {"run": run}
    lib = set(library)
    for name, ranking in systems.items():
        nd, rc, missing, unknown = [], [], 0, set()
        per_tag = {}
        for _, q in queries:
            grades = {lab["title"]: lab["grade"] for lab in q["labels"]}
            ranked = ranking.get(q["id"])
            if ranked is None:
                missing += 1
                ranked = []
            unknown.update(t for t in ranked[:K] if t not in lib)
            n, r = ndcg_at_k(ranked, grades), recall_at_k(ranked, grades)
            nd.append(n)
            rc.append(r)
            for t in q.get("tags", []):
                per_tag.setdefault(t, []).append(n)
        print(f"{name}: nDCG@{K} {sum(nd) / len(nd):.4f}   recall@{K} {sum(rc) / len(rc):.4f}"
              f"   ({len(nd)} queries, {missing} missing from run)")
        for t in sorted(per_tag):
            v = per_tag[t]
            print(f"    {t:<14} nDCG@{K} {sum(v) / len(v):.4f}  (n={len(v)})")
        if unknown:
            print(f"    warning: {len(unknown)} ranked titles are not in library-titles.txt, e.g. "
                  f"{sorted(unknown)[:3]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=HERE, help="directory holding queries*.json and library-titles.txt")
    ap.add_argument("--run", help="JSON ranking(s) to score with the reference metrics")
    args = ap.parse_args()

    library = load_library(os.path.join(args.dir, "library-titles.txt"))
    paths = sorted(glob.glob(os.path.join(args.dir, "queries*.json")))
    if not paths:
        print("no queries*.json found", file=sys.stderr)
        return 1
    queries = load_queries(paths)
    errors = validate(library, queries)
    if errors:
        for e in errors:
            print("ERROR", e)
        print(f"FAILED: {len(errors)} problem(s)")
        return 1
    self_test(queries)

    grades = Counter(lab["grade"] for _, q in queries for lab in q["labels"])
    tags = Counter(t for _, q in queries for t in q.get("tags", []))
    per_query = [len(q["labels"]) for _, q in queries]
    one_g3 = sum(1 for _, q in queries if sum(lab["grade"] == 3 for lab in q["labels"]) == 1)
    print(f"OK: {len(queries)} queries in {', '.join(os.path.basename(p) for p in paths)}; "
          f"library {len(library)} titles")
    print(f"labels: {sum(per_query)} (grade 3: {grades[3]}, grade 2: {grades[2]}, grade 1: {grades[1]}); "
          f"per query min {min(per_query)} / median {sorted(per_query)[len(per_query) // 2]} / max {max(per_query)}")
    print(f"queries with exactly one grade-3 item: {one_g3}")
    print("tags (a query may have several): " + ", ".join(f"{t} {n}" for t, n in tags.most_common()))

    if args.run:
        with open(args.run, encoding="utf-8") as f:
            run = json.load(f)
        score(run, queries, library)
    return 0


if __name__ == "__main__":
    sys.exit(main())
