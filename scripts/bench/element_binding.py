#!/usr/bin/env python
"""Binding quality of the data-element suggester on real data-item names.

Scores ``elements.suggest`` (the same Index the ``data_element_suggest`` action uses, built here
from the published seed elements of schemas/elements, so no site is needed) against the
judgments of tests/data/element_judgments.yaml: every distinct data-item name of the 普陀区
templates in ../shared/corpus, each judged to one element or none by the rules at the top of
that file. Names are split by a fixed rule (crc32 of the UTF-8 name even: development, odd: test);
the suggester was tuned on the development half only.

    auto precision  auto-bound names whose element is the judged one / auto-bound names
                    (a name judged none counts against it when auto-bound)
    auto recall     correctly auto-bound names / names judged to an element
    top-1 / top-3   names judged to an element whose judged element is the first / among the
                    first three suggestions

Each figure is given per distinct name and weighted by how often the name occurs in the
templates. Targets: auto precision >= 0.97 with auto recall >= 0.85.

    .venv/bin/python scripts/bench/element_binding.py [--show-errors] [--split dev|test|all]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zlib
from collections import Counter

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
TEMPLATES = "putuo_district_data_templates.jsonl"
JUDGMENTS = os.path.join(ROOT, "tests", "data", "element_judgments.yaml")
SEED = os.path.join(ROOT, "schemas", "elements")
STATUS_VOCAB = os.path.join(ROOT, "schemas", "vocab", "element_status.yaml")
PRECISION_TARGET, RECALL_TARGET = 0.97, 0.85


def split_of(name: str) -> str:
    return "dev" if zlib.crc32(name.encode("utf-8")) % 2 == 0 else "test"


def occurrences(corpus: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    with open(os.path.join(corpus, TEMPLATES), encoding="utf-8") as f:
        for line in f:
            counts.update(json.loads(line)["columns"])
    return counts


def published_seed() -> list[dict]:
    sys.path.insert(0, os.path.join(ROOT, "ckanext-govcatalog"))
    from ckanext.govcatalog.elements import seedfile

    with open(STATUS_VOCAB, encoding="utf-8") as f:
        public = {str(v["value"]) for v in yaml.safe_load(f)["values"] if v.get("public")}
    return [e for e in seedfile.read_files(seedfile.seed_paths(SEED)) if e.get("status") in public]


def score(rows: list[tuple[str, str, list, int]]) -> dict[str, float]:
    """rows: (name, judged element or 'none', suggestions, occurrences)."""
    out: dict[str, float] = {}
    for weighted in (False, True):
        tally: Counter[str] = Counter()
        for _name, judged, suggestions, count in rows:
            w = count if weighted else 1
            auto = next((s for s in suggestions if s.auto), None)
            bound = judged != "none"
            tally["names"] += w
            tally["bound"] += w * bound
            if auto:
                tally["auto"] += w
                tally["auto_right"] += w * (auto.id == judged)
            if bound:
                ids = [s.id for s in suggestions]
                tally["top1"] += w * (ids[:1] == [judged])
                tally["top3"] += w * (judged in ids[:3])
        suffix = "_weighted" if weighted else ""
        out["names" + suffix] = tally["names"]
        out["bound" + suffix] = tally["bound"]
        out["auto" + suffix] = tally["auto"]
        out["precision" + suffix] = tally["auto_right"] / tally["auto"] if tally["auto"] else 1.0
        out["recall" + suffix] = tally["auto_right"] / tally["bound"] if tally["bound"] else 0.0
        out["top1" + suffix] = tally["top1"] / tally["bound"] if tally["bound"] else 0.0
        out["top3" + suffix] = tally["top3"] / tally["bound"] if tally["bound"] else 0.0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--show-errors", action="store_true", help="list wrong and missed names")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = parser.parse_args()
    templates = os.path.join(os.path.abspath(args.corpus), TEMPLATES)
    if not os.path.isfile(templates):
        print(
            f"benchmark stopped: {templates} is missing; put the shared corpus in "
            f"{os.path.abspath(args.corpus)} (../shared/corpus beside the checkout) "
            "or pass --corpus",
            file=sys.stderr,
        )
        return 2

    with open(JUDGMENTS, encoding="utf-8") as f:
        judgments: dict[str, str] = yaml.safe_load(f)["judgments"]
    counts = occurrences(args.corpus)
    missing = sorted(set(counts) - set(judgments))
    if missing:
        print(f"{len(missing)} corpus names have no judgment, e.g. {missing[:5]}", file=sys.stderr)
        return 2

    from ckanext.govcatalog.elements import names
    from ckanext.govcatalog.elements.suggest import Element, Index

    seed = published_seed()
    index = Index(Element.of(e) for e in seed)
    started = time.perf_counter()
    rows = {"dev": [], "test": []}
    for name, judged in judgments.items():
        rows[split_of(name)].append((name, str(judged), index.suggest(name, limit=3), counts[name]))
    per_call_ms = (time.perf_counter() - started) * 1000 / len(judgments)

    print(f"register: {len(seed)} published seed elements; {len(judgments)} judged names")
    print(f"suggest: {per_call_ms:.2f} ms per name (in-memory index)")
    header = (
        f"{'split':<6}{'names':>7}{'bound':>7}{'auto':>6}{'precision':>11}{'recall':>8}"
        f"{'top-1':>7}{'top-3':>7}   weighted by occurrences: precision recall top-1 top-3"
    )
    print(header)
    verdict = True
    for split in ("dev", "test", "all"):
        chosen = rows["dev"] + rows["test"] if split == "all" else rows[split]
        s = score(chosen)
        print(
            f"{split:<6}{s['names']:>7.0f}{s['bound']:>7.0f}{s['auto']:>6.0f}"
            f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['top1']:>7.3f}{s['top3']:>7.3f}"
            f"   {s['precision_weighted']:>31.3f} {s['recall_weighted']:.3f} "
            f"{s['top1_weighted']:.3f} {s['top3_weighted']:.3f}"
        )
        if split == "test":
            verdict = s["precision"] >= PRECISION_TARGET and s["recall"] >= RECALL_TARGET
    print(
        f"targets on the test half: precision >= {PRECISION_TARGET}, recall >= {RECALL_TARGET}: "
        + ("met" if verdict else "NOT met")
    )

    test_names = {names.fold(n) for n, *_ in rows["test"]}
    seed_names = {
        names.fold(text): text for e in seed for text in [e["name"], *(e.get("synonyms") or [])]
    }
    overlap = sorted(text for key, text in seed_names.items() if key in test_names)
    print(
        f"seed names that are also test-half names ({len(overlap)}; standard names and common "
        f"use): {'、'.join(overlap)}"
    )

    if args.show_errors:
        chosen = rows["dev"] + rows["test"] if args.split == "all" else rows[args.split]
        for name, judged, suggestions, count in chosen:
            auto = next((s for s in suggestions if s.auto), None)
            top = ", ".join(f"{s.id} {s.name} {s.confidence:.2f} {s.match}" for s in suggestions)
            if auto and auto.id != judged:
                print(f"WRONG AUTO  {name} (x{count}) judged {judged}: {top}")
            elif judged != "none" and not auto:
                print(f"MISSED      {name} (x{count}) judged {judged}: {top}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
