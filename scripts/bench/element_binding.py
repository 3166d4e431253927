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

Two anchors run beside it on the same names, from the same published seed:

    exact name      the item's name, folded (full/half width, spaces, punctuation), equal to an
                    element's name or synonym; bound automatically when it is
    jieba overlap   jieba's search segmentation of the item's name against each name and synonym,
                    ranked by the Jaccard overlap of their words; bound automatically when the
                    best overlap is at least JIEBA_AUTO and no other element's is as high

    .venv/bin/python scripts/bench/element_binding.py [--show-errors] [--split dev|test|all]
"""

from __future__ import annotations

import argparse
import dataclasses
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
JIEBA_AUTO = 0.75


@dataclasses.dataclass
class AnchorSuggestion:
    id: str
    name: str
    confidence: float
    auto: bool
    match: str


class ExactNameAnchor:
    """Binding by name equality alone: what a register without a matcher gives."""

    def __init__(self, seed: list[dict]) -> None:
        from ckanext.govcatalog.elements import names

        self.fold = names.fold
        self.by_name: dict[str, dict] = {}
        for element in seed:
            for text in [element["name"], *(element.get("synonyms") or [])]:
                self.by_name.setdefault(names.fold(text), element)

    def suggest(self, name: str, limit: int = 3) -> list[AnchorSuggestion]:
        element = self.by_name.get(self.fold(name))
        if element is None:
            return []
        return [AnchorSuggestion(element["id"], element["name"], 1.0, True, "exact")][:limit]


class JiebaOverlapAnchor:
    """Binding by the words jieba finds in both names (Jaccard overlap of word sets)."""

    def __init__(self, seed: list[dict]) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.cut = lambda text: {w for w in jieba.lcut_for_search(text) if w.strip()}
        self.forms: list[tuple[set[str], dict]] = [
            (self.cut(text), element)
            for element in seed
            for text in [element["name"], *(element.get("synonyms") or [])]
        ]

    def suggest(self, name: str, limit: int = 3) -> list[AnchorSuggestion]:
        words = self.cut(name)
        best: dict[str, tuple[float, dict]] = {}
        for form, element in self.forms:
            union = words | form
            overlap = len(words & form) / len(union) if union else 0.0
            if overlap > best.get(element["id"], (0.0, element))[0]:
                best[element["id"]] = (overlap, element)
        ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1]["id"]))
        out = [AnchorSuggestion(e["id"], e["name"], round(c, 3), False, "jieba") for c, e in ranked]
        if out and out[0].confidence >= JIEBA_AUTO:
            out[0].auto = len(out) == 1 or out[1].confidence < out[0].confidence
        return out[:limit]


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


def leave_synonym_out(seed: list[dict], dev_rows: list, counts: Counter[str]) -> list:
    """The dev half scored as if no seed synonym had been learnt from it: each dev name that is
    a seed synonym is suggested by an index without that synonym. Tuning reads this row, which
    guesses the held-out figures without reading a held-out name."""
    from ckanext.govcatalog.elements import names
    from ckanext.govcatalog.elements.suggest import Element, Index

    out = []
    for name, judged, suggestions, count in dev_rows:
        key = names.fold(name)
        trimmed = [
            {**e, "synonyms": [s for s in e.get("synonyms") or [] if names.fold(s) != key]}
            for e in seed
        ]
        if any(
            len(t["synonyms"]) != len(e.get("synonyms") or [])
            for t, e in zip(trimmed, seed, strict=True)
        ):
            suggestions = Index(Element.of(e) for e in trimmed).suggest(name, limit=3)
        out.append((name, judged, suggestions, count))
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
    matchers = {
        "govcatalog": Index(Element.of(e) for e in seed),
        "exact name": ExactNameAnchor(seed),
        "jieba overlap": JiebaOverlapAnchor(seed),
    }
    print(f"register: {len(seed)} published seed elements; {len(judgments)} judged names")
    header = (
        f"{'split':<6}{'names':>7}{'bound':>7}{'auto':>6}{'precision':>11}{'recall':>8}"
        f"{'top-1':>7}{'top-3':>7}   weighted by occurrences: precision recall top-1 top-3"
    )
    verdict = True
    rows: dict[str, list] = {}
    for label, matcher in matchers.items():
        started = time.perf_counter()
        by_split: dict[str, list] = {"dev": [], "test": []}
        for name, judged in judgments.items():
            by_split[split_of(name)].append(
                (name, str(judged), matcher.suggest(name, limit=3), counts[name])
            )
        per_call_ms = (time.perf_counter() - started) * 1000 / len(judgments)
        print(f"\n{label}: {per_call_ms:.2f} ms per name (in memory)")
        print(header)
        for split in ("dev", "test", "all"):
            chosen = by_split["dev"] + by_split["test"] if split == "all" else by_split[split]
            s = score(chosen)
            print(
                f"{split:<6}{s['names']:>7.0f}{s['bound']:>7.0f}{s['auto']:>6.0f}"
                f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['top1']:>7.3f}{s['top3']:>7.3f}"
                f"   {s['precision_weighted']:>31.3f} {s['recall_weighted']:.3f} "
                f"{s['top1_weighted']:.3f} {s['top3_weighted']:.3f}"
            )
            if split == "test" and label == "govcatalog":
                verdict = s["precision"] >= PRECISION_TARGET and s["recall"] >= RECALL_TARGET
        if label == "govcatalog":
            rows = by_split
            s = score(leave_synonym_out(seed, by_split["dev"], counts))
            print(
                f"{'dev-lo':<6}{s['names']:>7.0f}{s['bound']:>7.0f}{s['auto']:>6.0f}"
                f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['top1']:>7.3f}{s['top3']:>7.3f}"
                "   (dev names, each scored without the seed synonym equal to it)"
            )
    print(
        f"\ntargets for govcatalog on the test half: precision >= {PRECISION_TARGET}, "
        f"recall >= {RECALL_TARGET}: " + ("met" if verdict else "NOT met")
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
