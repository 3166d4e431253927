"""The judged query files of scripts/bench/search_relevance.py (tests/data), for the tests that
check how a development set was drawn."""

from __future__ import annotations

import os

import jieba
import yaml

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")


def queries(path: str) -> list[dict]:
    """The judged queries of one file."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["queries"]


def words_of_other_files(path: str, org_terms: bool = True) -> set[str]:
    """Every query, jieba word of a query (two characters or more) and rule term of the query
    files other than ``path`` (the department terms ``org`` too, unless ``org_terms`` is False):
    a new set's rule reuses none of them."""
    used: set[str] = set()
    for name in os.listdir(DATA):
        if name.startswith("search_relevance_queries") and name != os.path.basename(path):
            for q in queries(os.path.join(DATA, name)):
                used.add(str(q["q"]))
                used.update(w for w in jieba.lcut(str(q["q"])) if len(w) >= 2)
                used.update(str(a) for g in q.get("all") or [] for a in g)
                used.update(str(a) for a in q.get("weak") or [])
                if org_terms:
                    used.update(str(a) for a in q.get("org") or [])
    return used
