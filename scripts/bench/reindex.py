#!/usr/bin/env python
"""Reindex speed: `ckan govcatalog reindex` against stock `ckan search-index rebuild`, one run.

    .venv/bin/python scripts/bench/reindex.py [--entries 100000] [--workers N] [--sample 1000]
        [--keep]

1. A database of its own (govcatalog_reindex) and Solr core (ckan_reindex), both emptied, get
   --entries catalog entries of 10 data items each (scripts/bench/import_speed.generated)
   through the import fast path; that load is not timed.
2. Stock: the core is emptied and ``ckan search-index rebuild`` (CKAN 2.12's own command, as
   operators recover today) rebuilds it; wall time of the command.
3. Ours: the core is emptied again and ``ckan govcatalog reindex`` rebuilds it from the same
   database; wall time of the command (both include CKAN's start-up, ~5-10 s).
4. Both runs' documents of --sample entries (and the counts) are compared field by field,
   index_id/_version_/indexed_ts excepted; a difference stops the benchmark.

Prints entries/s of both and the ratio (target >= 5x). The machine's load average before each
timed command is printed too: other work on a shared machine slows both sides.

Measured 2026-11-30 on this 2-core machine, shared with other engineers' test runs and servers
(load average 7-13 throughout, i.e. this benchmark had roughly a fifth of the machine), one run,
5,000 entries: stock `ckan search-index rebuild` 5,000 in 1,294.6 s = 3.9 entries/s (load average
12.7 when it started); `ckan govcatalog reindex` (2 processes) 5,000 in 147.7 s = 33.8 entries/s
(123.0 s inside the command; load average 7.8 when it started): 8.8x, the 1,000 documents compared
identical field by field. Part of that ratio is the lighter machine during ours: in one process
and the same minute, stock spent 47 ms of CPU per entry and ~13 database queries (235 ms of wall
time, most of it waiting for the shared PostgreSQL), ours a handful of queries per 250 entries
and the same CKAN validation (80 % of its CPU). 100,000 entries were NOT measured (at 3.9
entries/s stock would take ~7 hours here); 20,000 neither, for the same reason.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib
import import_speed

ROOT = benchlib.ROOT
DB, CORE = "govcatalog_reindex", "ckan_reindex"
CKAN = os.path.join(ROOT, ".venv", "bin", "ckan")
# fields Solr or the indexer set anew on every indexing
VOLATILE = {"index_id", "_version_", "indexed_ts"}


def load(ini: str, n: int) -> None:
    """n generated entries through the import fast path (not timed)."""
    code = f"""
import sys
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import import_speed as b
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config({ini!r}))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    from ckanext.govcatalog.bulk import importer, layout
    site = tk.get_action("get_site_user")({{"ignore_auth": True}}, {{}})["name"]
    org = tk.get_action("organization_create")({{"user": site}}, {{
        "name": "bench-org", "title": "石泉县基准测试局", "division_code": "610922"}})
    rows = [importer.Row(i + 2, str(i + 1), e, {{}})
            for i, e in enumerate(b.generated({n}, org["id"]))]
    result = importer.import_rows(rows, site, lay=layout.layout(), progress=b._bar,
                                  processes=None)
    assert not result.problems, result.problems[:3]
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def solr(path: str, **params: Any) -> Any:
    r = requests.get(f"{benchlib.SOLR}/{CORE}/{path}", params=dict(params, wt="json"), timeout=600)
    r.raise_for_status()
    return r.json()


def count() -> int:
    return solr("select", q="*:*", rows=0)["response"]["numFound"]


def sample(n: int) -> dict[str, dict[str, Any]]:
    """The first n documents by id, every stored field."""
    docs = solr("select", q="*:*", rows=n, sort="id asc", fl="*")["response"]["docs"]
    return {d["id"]: {k: v for k, v in d.items() if k not in VOLATILE} for d in docs}


def timed(ini: str, *args: str) -> float:
    load1 = os.getloadavg()[0]
    print(f"  $ ckan {' '.join(args)}   (load average before: {load1:.2f})", flush=True)
    started = time.perf_counter()
    subprocess.run([CKAN, "-c", ini, *args], check=True, cwd=ROOT)
    return time.perf_counter() - started


def differences(stock: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    out = []
    if stock.keys() != ours.keys():
        out.append(f"ids differ: {len(stock.keys() ^ ours.keys())}")
    for pid in sorted(stock.keys() & ours.keys()):
        a, b = stock[pid], ours[pid]
        for key in sorted(a.keys() | b.keys()):
            if a.get(key, "<missing>") != b.get(key, "<missing>"):
                out.append(
                    f"{pid} {key}: stock {a.get(key, '<missing>')!r:.200} ours "
                    f"{b.get(key, '<missing>')!r:.200}"
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=0, help="reindex workers (0: default)")
    parser.add_argument("--sample", type=int, default=1000, help="documents compared")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    parser.add_argument("--load-only", action="store_true", help="load the entries, then stop")
    args = parser.parse_args()

    benchlib.ensure_core(CORE, "govcatalog")
    ini = import_speed.render_ini("reindex.ini", DB, CORE)
    if not args.keep:
        print(f"loading {args.entries} entries into {DB} (not timed)", flush=True)
        import_speed.fresh_db(ini, DB, CORE, ("activity", "govcatalog"))
        load(ini, args.entries)
    n = count()
    print(f"{n} documents after the load", flush=True)
    if args.load_only:
        return

    benchlib.clear_core(CORE)
    stock_s = timed(ini, "search-index", "rebuild", "--quiet")
    stock_n = count()
    stock_docs = sample(args.sample)

    benchlib.clear_core(CORE)
    ours_args = ["govcatalog", "reindex", "--quiet"]
    if args.workers:
        ours_args += ["--workers", str(args.workers)]
    ours_s = timed(ini, *ours_args)
    ours_n = count()
    ours_docs = sample(args.sample)

    diff = differences(stock_docs, ours_docs)
    print(
        json.dumps(
            {
                "documents": {"stock": stock_n, "ours": ours_n},
                "compared": len(stock_docs),
                "differences": len(diff),
            },
        )
    )
    if stock_n != ours_n or diff:
        print("\n".join(diff[:20]), file=sys.stderr)
        raise SystemExit("the two rebuilds differ: see above")
    stock_rate, ours_rate = stock_n / stock_s, ours_n / ours_s
    print(
        f"stock `ckan search-index rebuild`: {stock_n} entries in {stock_s:.1f} s = "
        f"{stock_rate:.1f} entries/s"
    )
    print(
        f"`ckan govcatalog reindex`:        {ours_n} entries in {ours_s:.1f} s = "
        f"{ours_rate:.1f} entries/s"
    )
    print(
        f"ratio: {ours_rate / stock_rate:.1f}x (target >= 5x); {len(stock_docs)} documents "
        "identical field by field"
    )


if __name__ == "__main__":
    main()
