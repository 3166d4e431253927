"""Draws plain development queries for scripts/bench/search_relevance.py where govcatalog and
the jieba + BM25 anchor disagree: dev6 and dev7 (tests/data/search_relevance_queries_fresh6.yaml,
_fresh7.yaml; their headers give each rule and why).

Usage:  .venv/bin/python scripts/bench/draw_disagreement.py --set dev7 [--yaml]   (sets: DRAWS)

The rule of a set (DRAWS):
  candidates: every word that jieba's part-of-speech cut (jieba.posseg, default dictionary) of the
    titles, summaries and data-item names of the records of ../shared/corpus tags with a flag of
    the set's group (nouns, NOUN_TAGS; dev7's second group verbs and abbreviations, WIDEN_TAGS;
    dev7b/c both in one group), two to six Chinese characters, held (as search_relevance.judge()
    reads a record: title + summary + tags + data items + theme) by 3 to ``df_max`` records
    (300; dev7b/c any), and equal to, containing or contained in no query, jieba word (two
    characters or more) of a query, or rule term (all, weak, org; of any length: dev6's 845
    counts 村) of the query files before the set (EARLIER_FILES), nor a word of an earlier group
    of the same file (``also_excluded``); each group after the one before;
  runs: each candidate typed alone through package_search on the benchmark's own core
    ckan_relevance (govcatalog plugin loaded, as search_relevance.run_queries does) and through
    the anchor (search_relevance.anchor_search), first max(R, 100) ids of each (at most 1,000);
  measure (``measure``): dev6 and dev7 the disagreement, the share of the anchor's first 100 that
    govcatalog's first 100 lacks, descending, ties by the Jaccard index of the two, ascending;
    dev7b the anchor's recall@100 of the word's relevant records (all: [[word]]) minus ours;
    dev7c (and the scan scan6) the same for R-precision; then by the SHA-256 of the word;
  kept: the first ``keep`` above 0 in that order, skipping the words of the set's SKIPPED list
    (classes judged on the word alone, written in the set's header).
It prints the ordered candidates above 0 (word, measure, tie-break, records holding it), marks
the skipped and the kept ones, and, with --yaml, the kept ones as query lines judged by the plain
rule (all: [[word]]: grade 2 in a title, 1 elsewhere). It reads the queries of the held-out files
only to exclude their words; it runs no held-out query and prints nothing of their results.
The core must already hold the corpus as indexed by the current code: run search_relevance.py
(without --no-index) first. The lists depend on the code searched: a draw run again after a
change to search lists what that change left (search_relevance.py docstring, fourteenth session).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import time
from collections import Counter
from typing import Any, NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib
import search_relevance as sr

NOUN_TAGS = frozenset({"n", "nz", "vn", "nt", "nl", "ng"})
# dev7's widening (fewer than 30 nouns left with miss > 0): verbs and abbreviations
WIDEN_TAGS = frozenset({"v", "j"})
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
FIRST = 100

EARLIER_FILES = {
    # the query files a set's candidates must not overlap (dev6: the seven before it)
    "dev6": (
        sr.QUERIES,
        sr.NEW_QUERIES,
        sr.DEV_QUERIES,
        sr.FRESH_QUERIES,
        sr.FRESH3_QUERIES,
        sr.FRESH4_QUERIES,
        sr.FRESH5_QUERIES,
    ),
}
EARLIER_FILES["dev7"] = (*EARLIER_FILES["dev6"], sr.FRESH6_QUERIES)

# The words skipped on the word alone (classes: place and area words; counts and measures; kinds
# of organisation and department names; category and form words; jieba mis-cuts). dev6's list is
# its header's; dev7's is the same classes applied to its own candidates (its header).
SKIPPED = {
    "dev6": [
        *("所在地", "管理区", "县市区", "时长", "床位数", "年龄段", "工作量", "事务所", "事务局"),
        *("管理中心", "管理局", "保险局", "字段", "信息库", "名录", "调查表", "事项", "申请事项"),
        *("明细表", "申报表", "分行业", "申请表", "汇总表", "重点", "详细描述", "工作", "分析"),
        *("证编号", "人名录"),
    ],
}
# dev7's own candidates of the same classes: a form or category word (详细信息 汇总 记录表 总表),
# a count or measure (年份 占比), a department or kind of organisation (审计局 管委会)
SKIPPED["dev7"] = [
    *SKIPPED["dev6"],
    *("详细信息", "汇总", "记录表", "总表", "年份", "占比", "审计局", "管委会"),
]


def body(e: dict[str, Any]) -> str:
    """A record's text as search_relevance.judge() reads it for a plain rule."""
    return " ".join([e["title"], e.get("notes") or "", *e["tags"], *e["items"], *e["theme"]])


def excluded_terms(paths: tuple[str, ...]) -> set[str]:
    """Every query, jieba word (two characters or more) of a query, and rule term of the query
    files."""
    import jieba

    out: set[str] = set()
    for path in paths:
        for q in sr.read_queries(path):
            out.add(str(q["q"]))
            out.update(w for w in jieba.lcut(str(q["q"])) if len(w) >= 2)
            groups = q.get("all") or []
            terms = [t for g in groups for t in g] + list(q.get("weak") or [])
            terms += list(q.get("org") or [])
            out.update(str(t) for t in terms)
    return out


def nouns(entries: list[dict[str, Any]], tags: frozenset[str] = NOUN_TAGS) -> set[str]:
    """The words jieba.posseg tags with one of ``tags`` (nouns) in titles, summaries and
    data-item names (a word tagged otherwise elsewhere counts as well)."""
    import jieba.posseg

    found: set[str] = set()
    texts = Counter(t for e in entries for t in [e["title"], e.get("notes") or "", *e["items"]])
    for text in texts:
        for w in jieba.posseg.cut(text):
            if w.flag in tags and 2 <= len(w.word) <= 6 and _HAN.match(w.word):
                found.add(w.word)
    return found


def record_counts(entries: list[dict[str, Any]], words: set[str]) -> Counter[str]:
    """How many records hold each word (a substring of body())."""
    counts: Counter[str] = Counter()
    for e in entries:
        text = body(e)
        held = {
            text[i : i + n]
            for n in range(2, 7)
            for i in range(len(text) - n + 1)
            if text[i : i + n] in words
        }
        counts.update(held)
    return counts


def candidates(
    entries: list[dict[str, Any]],
    exclude: set[str],
    df_min: int,
    df_max: int,
    tags: frozenset[str] = NOUN_TAGS,
) -> list[str]:
    words = nouns(entries, tags)
    counts = record_counts(entries, words)
    return sorted(
        w
        for w in words
        if df_min <= counts[w] <= df_max and not any(w == t or t in w or w in t for t in exclude)
    )


def sha(word: str) -> str:
    return hashlib.sha256(word.encode("utf-8")).hexdigest()


class Draw(NamedTuple):
    """One set's rule (the set's header says why)."""

    files: tuple[str, ...]  # the earlier query files its words must not overlap
    skipped: tuple[str, ...]  # words of the skipped classes, judged on the word alone
    groups: tuple[frozenset[str], ...]  # the part-of-speech groups, drawn one after the other
    df_max: int | None = 300  # the most records a candidate may be held by (None: any)
    measure: str = "disagreement"  # or "recall" / "rprec" (groups B and C of dev7)
    keep: int = 50
    also_excluded: tuple[str, ...] = ()  # words of an earlier group of the same file


# dev7's first group, kept by the disagreement rule: group B must not overlap it
DEV7_GROUP_A = (
    *("投入使用", "利用外资", "资产负债", "公用事业", "突发事件", "普通中学", "平均气温"),
    *("起重机械", "教职员工", "招商引资", "政治面貌", "知识产权", "劳动者", "有效期", "合格证"),
    *("污染物", "移动", "使用权", "人民币", "电话", "产品销售", "持证", "公示", "农专", "包括"),
    "提供",
)
DRAWS = {
    "dev6": Draw(EARLIER_FILES["dev6"], tuple(SKIPPED["dev6"]), (NOUN_TAGS,)),
    "dev7": Draw(EARLIER_FILES["dev7"], tuple(SKIPPED["dev7"]), (NOUN_TAGS, WIDEN_TAGS)),
    "dev7b": Draw(
        EARLIER_FILES["dev7"],
        tuple(SKIPPED["dev7"]),
        (NOUN_TAGS | WIDEN_TAGS,),
        df_max=None,
        measure="recall",
        keep=24,
        also_excluded=DEV7_GROUP_A,
    ),
}
# group B found nothing (its header); group C, the same pool, by R-precision
DRAWS["dev7c"] = DRAWS["dev7b"]._replace(measure="rprec")
# a scan, not a set (keeps none): group C's measure over dev6's pool, dev6's own words in
DRAWS["scan6"] = DRAWS["dev7c"]._replace(files=EARLIER_FILES["dev6"], also_excluded=(), keep=0)


def measure(
    draw: Draw, word: str, anchor_ids: list[str], gov_ids: list[str], relevant: set[str]
) -> tuple[float, float]:
    """(the measure, descending; the tie-break, ascending). disagreement: the share of the
    anchor's first 100 that govcatalog's lacks, then the Jaccard index of the two; recall: the
    anchor's recall@100 of the word's relevant records (all: [[word]]) minus govcatalog's;
    rprec: the same for R-precision."""
    a, g = set(anchor_ids[:FIRST]), set(gov_ids[:FIRST])
    if draw.measure == "rprec":
        r = len(relevant) or 1
        hits = [
            sum(1 for i in ids[: len(relevant)] if i in relevant) for ids in (anchor_ids, gov_ids)
        ]
        return (hits[0] - hits[1]) / r, 0.0
    if draw.measure == "recall":
        r = len(relevant) or 1
        return (len(a & relevant) - len(g & relevant)) / r, 0.0
    miss = len(a - g) / len(a) if a else 0.0
    return miss, (len(a & g) / len(a | g) if a | g else 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="dev7", choices=sorted(DRAWS))
    ap.add_argument("--yaml", action="store_true", help="print the kept words as query lines")
    args = ap.parse_args()
    draw = DRAWS[args.set]

    entries = benchlib.read_corpus()
    t0 = time.time()
    exclude = excluded_terms(draw.files) | set(draw.also_excluded)
    df_max = draw.df_max if draw.df_max is not None else len(entries)
    groups: list[list[str]] = []
    for tags in draw.groups:
        found = candidates(entries, exclude, 3, df_max, tags)
        groups.append(sorted(set(found) - {w for g in groups for w in g}))
    print(f"{' + '.join(str(len(g)) for g in groups)} candidates ({time.time() - t0:.0f}s)")
    benchlib.ensure_core(sr.CORES.bench, "govcatalog")
    if sr.core_count(sr.CORES.bench) != len(entries):
        sys.exit(f"{sr.CORES.bench} does not hold the corpus: run search_relevance.py first")
    app = benchlib.start_ckan(db=sr.DB, core=sr.CORES.bench)
    anchor = sr.anchor_search(entries)
    bodies = [(e["id"], body(e)) for e in entries]
    missing: list[tuple[str, float, float]] = []
    judged: dict[str, int] = {}
    with app._wsgi_app.test_request_context():
        benchlib.use_core(sr.CORES.bench)
        for words in groups:
            rows = []
            for w in words:
                relevant = {i for i, text in bodies if w in text}
                judged[w] = len(relevant)
                rows_asked = min(max(len(relevant), FIRST), sr.ROWS_MAX)  # as run_queries
                a_ids, g_ids = anchor(w, rows_asked), sr.package_search(w, rows_asked)
                m = measure(draw, w, a_ids, g_ids, relevant)
                rows.append((w, *m))
            rows.sort(key=lambda r: (-r[1], r[2], sha(r[0])))
            missing += [r for r in rows if r[1] > 0]
            print(f"{sum(1 for r in rows if r[1] > 0)} of {len(rows)} with {draw.measure} > 0")
    skipped = set(draw.skipped)
    kept: list[tuple[str, float, float]] = []
    for pos, (w, m, tie) in enumerate(missing, 1):
        mark = "skip" if w in skipped else ("keep" if len(kept) < draw.keep else "")
        if mark == "keep":
            kept.append((w, m, tie))
        print(f"{pos:>4} {w:<8} {draw.measure} {m:.2f} tie {tie:.2f} R {judged[w]:>4} {mark}")
    if args.yaml:
        for w, m, _ in kept:
            line = f"  - {{q: {w}, kind: plain, all: [[{w}]]}}"
            print(f"{line}  # R {judged[w]}, {draw.measure} {m:.2f}")


if __name__ == "__main__":
    main()
