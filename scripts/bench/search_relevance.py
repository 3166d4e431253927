"""Relevance of catalog search: govcatalog versus stock CKAN 2.12, on real Chinese records.

Usage:  .venv/bin/python scripts/bench/search_relevance.py [--queries FILE] [--per-query]

What it does, in one run:
1. Reads the real public catalog records of ../shared/corpus (9,834 records; SOURCES.md there) and
   shapes each as the dict ``package_show`` returns (provider = an organization titled with the
   record's department, theme, tags, formats, data items as catalog fields).
2. Builds the Solr documents with CKAN's own indexer (``PackageSearchIndex.index_package``, every
   loaded plugin's ``before_dataset_index`` included) and writes them straight to the ``ckan_bench``
   core (govcatalog configset). Then unloads the govcatalog plugin and builds the same records'
   stock documents into ``ckan_stock`` (stock CKAN 2.12 schema).
3. Runs every judged query of tests/data/search_relevance_queries.yaml through the
   ``package_search`` action on both cores (with the govcatalog plugin loaded for ckan_bench,
   unloaded for ckan_stock), ignoring permissions (all records are public).
4. Judges EVERY record for every query with the rule written next to the query (graded 0/1/2;
   see the file's header) and prints nDCG@10, R-precision (precision at R = number of relevant
   records), P@10 and MRR per query kind and overall, for both, and govcatalog/stock ratios.

Analyzer choice (issue 5 asks to measure both and keep the better). Measured with this script on
2026-11-27 (93 queries, 9,834 records, 2,999 relevant pairs), overall govcatalog figures:
                                            nDCG@10  R-prec  P@10   MRR
    ICU tokenizer + CJK bigrams (kept: "text")  0.947   0.901  0.873  0.984
    smartcn HMMChineseTokenizer ("text_zh_alt") 0.922   0.848  0.852  0.974
    stock CKAN 2.12 (whitespace tokenizer)      0.060   0.019  0.043  0.194
smartcn loses where its dictionary splits a query differently from the same word inside a
longer title (低保 -> 低/保, 石泉县 -> 石/泉/县); bigrams match any substring. To re-measure, swap
the names text <-> text_zh_alt and text_nosyn <-> text_nosyn_alt in schema.xml, reload, rerun.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import defaultdict
from typing import Any

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib

QUERIES = os.path.join(benchlib.ROOT, "tests", "data", "search_relevance_queries.yaml")
ROWS_MAX = 1000


def judge(rule: dict[str, Any], e: dict[str, Any]) -> int:
    title = e["title"]
    body = " ".join([title, e.get("notes") or "", *e["tags"], *e["items"], *e["theme"]])
    org = [str(o) for o in rule.get("org") or []]
    if org and not any(o in e["provider"] or o in title for o in org):
        return 0
    groups = [[str(a) for a in g] for g in rule.get("all") or []]
    if groups and all(any(a in title for a in g) for g in groups):
        return 2
    if groups and all(any(a in body for a in g) for g in groups):
        return 1
    if any(str(w) in title for w in rule.get("weak") or []):
        return 1
    return 0


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    rel = {k for k, g in grades.items() if g > 0}
    r = len(rel)
    gains = [grades.get(i, 0) for i in ranked]
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = dcg(ideal)
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked) if d in rel), 0.0)
    return {
        "nDCG@10": dcg(gains[:10]) / idcg if idcg else 0.0,
        "R-prec": (sum(1 for d in ranked[:r] if d in rel) / r) if r else 0.0,
        "P@10": sum(1 for d in ranked[:10] if d in rel) / 10.0,
        "MRR": rr,
    }


def search(q: str, rows: int) -> list[str]:
    import ckan.plugins.toolkit as tk

    res = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": q, "rows": rows, "fl": ["id"], "facet": "false", "sort": "score desc"},
    )
    return [r["id"] for r in res["results"]]


def run_queries(queries: list[dict[str, Any]], judged: list[dict[str, int]]) -> list[dict]:
    out = []
    for qd, grades in zip(queries, judged, strict=True):
        r = sum(1 for g in grades.values() if g > 0)
        ranked = search(qd["q"], min(max(r, 10), ROWS_MAX))
        out.append(metrics(ranked, grades))
    return out


def summarise(rows: list[dict[str, float]], kinds: list[str]) -> dict[str, dict[str, float]]:
    by: dict[str, list[dict[str, float]]] = defaultdict(list)
    for k, m in zip(kinds, rows, strict=True):
        by[k].append(m)
        by["ALL"].append(m)
    return {k: {m: sum(x[m] for x in v) / len(v) for m in v[0]} for k, v in by.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", default=QUERIES)
    ap.add_argument("--per-query", action="store_true", help="print each query's figures")
    args = ap.parse_args()

    with open(args.queries, encoding="utf-8") as f:
        queries = yaml.safe_load(f)["queries"]
    app = benchlib.start_ckan()
    with app._wsgi_app.test_request_context():
        entries = benchlib.read_corpus()
        judged = [{e["id"]: g for e in entries if (g := judge(q, e))} for q in queries]
        pkgs = [benchlib.package_dict(e) for e in entries]
        t0 = time.time()
        n_bench, n_stock = benchlib.load_both(pkgs)
        print(
            f"indexed {n_bench} records into {benchlib.BENCH_CORE} and {n_stock} into "
            f"{benchlib.STOCK_CORE} in {time.time() - t0:.0f}s; {len(queries)} judged queries, "
            f"{sum(len(j) for j in judged)} relevant (query, record) pairs"
        )
        benchlib.use_core(benchlib.BENCH_CORE)
        gov = run_queries(queries, judged)
        with benchlib.stock_ckan():
            stock = run_queries(queries, judged)
        benchlib.use_core(benchlib.BENCH_CORE)

    kinds = [q["kind"] for q in queries]
    if args.per_query:
        print(f"\n{'query':<22}{'kind':<9}{'R':>5}  govcatalog nDCG/Rp/P10/MRR   stock")
        for q, j, g, s in zip(queries, judged, gov, stock, strict=True):
            r = sum(1 for v in j.values() if v > 0)
            fig = "/".join(f"{g[m]:.2f}" for m in g)
            sfig = "/".join(f"{s[m]:.2f}" for m in s)
            print(f"{q['q']:<20}{q['kind']:<9}{r:>5}  {fig:<28}{sfig}")
    sg, ss = summarise(gov, kinds), summarise(stock, kinds)
    names = list(gov[0])
    print(f"\n{'kind':<9}{'n':>4}  " + "  ".join(f"{m:>22}" for m in names))
    print(f"{'':<15}" + "  ".join(f"{'gov / stock (ratio)':>22}" for _ in names))
    for k in [*sorted(k for k in sg if k != "ALL"), "ALL"]:
        n = kinds.count(k) if k != "ALL" else len(kinds)
        cells = []
        for m in names:
            g, s = sg[k][m], ss[k][m]
            ratio = f"{g / s:.1f}x" if s else "inf"
            cells.append(f"{g:.3f} / {s:.3f} ({ratio})".rjust(22))
        print(f"{k:<9}{n:>4}  " + "  ".join(cells))
    ok = sg["ALL"]["nDCG@10"] >= 0.8 and sg["ALL"]["R-prec"] >= 0.7
    print(
        f"\ntarget govcatalog nDCG@10 >= 0.8 and R-precision >= 0.7: {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
