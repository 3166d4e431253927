#!/usr/bin/env python
"""Reindex speed: `ckan govcatalog reindex` against stock `ckan search-index rebuild`, one run.

    .venv/bin/python scripts/bench/reindex.py [--entries 100000] [--base 5000]
        [--stock-seconds 900] [--poll 15] [--workers N] [--sample 600] [--keep] [--build-only]

1. The database (not timed). A database of its own (govcatalog_reindex) and Solr core
   (ckan_reindex). --base distinct catalog entries of 10 data items each
   (scripts/bench/import_speed.generated: three classes, three share types, open and closed) are
   made through the import fast path, as users load catalogs; that runs at tens of entries per
   second here, so the rest up to --entries are copies made in SQL (:func:`grow`): copy k of
   an entry has a new id, the name ``<name>-copy<k>``, the title ``<title>（副本k）`` and a
   resource code of its own (the same class code, sequence number + k x base; the class's code
   sequence is moved past them), and copies of its package_tag and member (organization) rows,
   resources and views under new ids. Every copy is a valid entry: a sample of copies is read
   through package_show and must equal its original but for id, name, title and resource code
   (:func:`check_copies`). Activities are not copied (neither indexer reads them). --keep reuses
   the database as it is (growing it to --entries if it holds fewer); --build-only stops after
   this step.
2. Stock, time-bounded (all 100,000 would take hours): the core is emptied and CKAN 2.12's own
   ``ckan search-index rebuild`` runs for --stock-seconds, then is stopped. Every --poll seconds
   the core's document count is read (the core soft-commits every 2 s), a progress line printed,
   and the rate over the first and the last third of the indexing time compared: a steady rate
   (the command indexes one package at a time, independently) is what makes the extrapolation to
   --entries fair. Its total is printed as an extrapolation: start-up time (until the first
   document) + entries / the rate over the whole measured window.
3. Ours, measured whole: the core is emptied again and ``ckan govcatalog reindex`` rebuilds all
   --entries from the same database; wall time of the command (CKAN's start-up included), with a
   progress line (documents, rate) every --poll seconds.
4. Documents compared field by field (index_id, _version_, indexed_ts excepted): (a) the first
   --sample documents by id that the stock command indexed against ours; (b) a uniform sample of
   --sample ids of the whole database (every k-th id; originals and copies alike) indexed by ours,
   then by CKAN's own ckan.lib.search.rebuild(package_ids=...) (what the command runs for each
   package; the command itself takes one id per start) in the same core, and compared. Ours must
   hold exactly --entries documents. A difference stops the benchmark.

Prints entries, ours (measured) entries/s and time, stock (measured part, steadiness, and the
extrapolated total), the ratio (target >= 5x) and the machine's load average at each start:
other work on a shared machine slows either side.

Measured 2026-11-30 13:06-13:50 UTC on this 2-core machine, shared with ~8 other engineers' test
runs and servers, one run (`.venv/bin/python scripts/bench/reindex.py --keep --entries 100000
--stock-seconds 600 --poll 20 --sample 600`; the database of 5,000 fast-path entries + 95,000
copies built before it):
- ours, measured whole: 100,000 entries in 1,731.4 s = 57.8 entries/s (1,719.9 s inside the
  command, 2 worker processes; load average 8.96/7.57/6.30 when it started, mean 1-minute load
  7.9 while it ran). At load 7-9 it held ~50 entries/s (each worker had ~18 % of a core); in its
  last ~5 minutes other work ended (load 4.5-5.8) and it ran at 110-200 entries/s.
- stock, measured for 600 s: 4,301 entries (12 s start-up) = 7.31 entries/s, first third 6.36,
  last third 7.89 (load average 5.15/5.69/5.18 when it started, mean 1-minute load 7.0): steady,
  no slowing as the index grows. EXTRAPOLATED to 100,000 entries: 13,690 s (3.8 h); not measured.
- 7.9x (by rate and by the extrapolated total; ~6.8x comparing ours' ~50 entries/s at load 7-9
  with stock's 7.3 at load 5-9); the first 600 documents stock's command made and a uniform
  sample of 600 (originals and copies) identical field by field; 100,000 documents.
Before (5,000 entries, load 7-13): 33.8 vs 3.9 entries/s, 8.8x. Where ours' CPU goes (~8.5 ms
per entry, profiled on 1,000): CKAN's validation of both show schemas ~75 % (navl's flattening
and sorting of keys; gettext of the "Missing value" errors scheming's convert_from_extras leaves,
which package_show discards), CKAN's indexer and the plugins' index hooks ~18 %, reading the
database ~2 %; none of it can be skipped without changing CKAN's code or the documents. What was
taken: Solr took ~2 s to index each chunk of 250 while the worker that sent it waited; the
workers now hand the documents back and this process's sending thread posts them while they
build the next chunks.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

import requests
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib
import import_speed

ROOT = benchlib.ROOT
DB, CORE = "govcatalog_reindex", "ckan_reindex"
CKAN = os.path.join(ROOT, ".venv", "bin", "ckan")
# fields Solr or the indexer set anew on every indexing
VOLATILE = {"index_id", "_version_", "indexed_ts"}
COPY_NAME = r"-copy[0-9]+$"  # the name suffix of a copy made by grow()


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


def engine() -> sa.engine.Engine:
    db_base, _solr = import_speed._base()
    return sa.create_engine(f"{db_base}/{DB}")


def grow(entries: int) -> int:
    """Copies of the entries made by load() until the database holds ``entries`` packages (see
    the module's docstring); returns how many were added (removed, if negative: the last copies
    go when the database holds more)."""
    with engine().begin() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM package")).scalar_one()
        needed = entries - total
        if needed < 0:
            return -shrink(conn, -needed)
        if needed == 0:
            return 0
        base = conn.execute(
            sa.text("SELECT count(*) FROM package WHERE name !~ :copy"), {"copy": COPY_NAME}
        ).scalar_one()
        if base == 0:
            raise SystemExit(f"{DB} holds no entries to copy: run without --keep")
        last_k = conn.execute(
            sa.text(
                "SELECT coalesce(max(substring(name from '-copy([0-9]+)$')::int), 0) FROM package"
            )
        ).scalar_one()
        params = {"copy": COPY_NAME, "first": last_k + 1, "needed": needed, "base": base}
        statements = [
            # which copy of which entry, and the copy's new id
            """CREATE TEMP TABLE copy_map ON COMMIT DROP AS
               SELECT p.id AS old_id, gen_random_uuid()::text AS new_id, k
               FROM package p
               CROSS JOIN generate_series(
                   :first, :first + ceil(CAST(:needed AS numeric) / :base)::int) k
               WHERE p.name !~ :copy
               ORDER BY k, p.name LIMIT :needed""",
            """INSERT INTO package (id, name, title, version, url, notes, author, author_email,
                   maintainer, maintainer_email, state, license_id, type, owner_org, private,
                   metadata_modified, creator_user_id, metadata_created, plugin_data, extras)
               SELECT m.new_id, p.name || '-copy' || m.k, p.title || '（副本' || m.k || '）',
                   p.version, p.url, p.notes, p.author, p.author_email, p.maintainer,
                   p.maintainer_email, p.state, p.license_id, p.type, p.owner_org, p.private,
                   p.metadata_modified, p.creator_user_id, p.metadata_created, p.plugin_data,
                   CASE WHEN p.extras->>'resource_code' ~ '^[0-9]+/[0-9]+$' THEN
                       jsonb_set(p.extras, '{resource_code}', to_jsonb(
                           split_part(p.extras->>'resource_code', '/', 1) || '/' ||
                           lpad((split_part(p.extras->>'resource_code', '/', 2)::int
                                 + m.k * :base)::text, 6, '0')))
                   ELSE p.extras END
               FROM package p JOIN copy_map m ON p.id = m.old_id""",
            """INSERT INTO package_tag (id, state, package_id, tag_id)
               SELECT gen_random_uuid()::text, t.state, m.new_id, t.tag_id
               FROM package_tag t JOIN copy_map m ON t.package_id = m.old_id""",
            """INSERT INTO member (id, group_id, table_id, state, table_name, capacity)
               SELECT gen_random_uuid()::text, g.group_id, m.new_id, g.state, g.table_name,
                   g.capacity
               FROM member g JOIN copy_map m ON g.table_id = m.old_id
               WHERE g.table_name = 'package'""",
            """CREATE TEMP TABLE resource_map ON COMMIT DROP AS
               SELECT r.id AS old_id, gen_random_uuid()::text AS new_id, m.new_id AS package_id
               FROM resource r JOIN copy_map m ON r.package_id = m.old_id""",
            """INSERT INTO resource (id, url, format, description, position, hash, state, extras,
                   name, resource_type, mimetype, mimetype_inner, size, last_modified, cache_url,
                   cache_last_updated, created, url_type, package_id, metadata_modified)
               SELECT rm.new_id, r.url, r.format, r.description, r.position, r.hash, r.state,
                   r.extras, r.name, r.resource_type, r.mimetype, r.mimetype_inner, r.size,
                   r.last_modified, r.cache_url, r.cache_last_updated, r.created, r.url_type,
                   rm.package_id, r.metadata_modified
               FROM resource r JOIN resource_map rm ON r.id = rm.old_id""",
            """INSERT INTO resource_view (id, resource_id, title, description, view_type,
                   "order", config)
               SELECT gen_random_uuid()::text, rm.new_id, v.title, v.description, v.view_type,
                   v."order", v.config
               FROM resource_view v JOIN resource_map rm ON v.resource_id = rm.old_id""",
            """INSERT INTO package_member (package_id, user_id, capacity, modified)
               SELECT m.new_id, c.user_id, c.capacity, c.modified
               FROM package_member c JOIN copy_map m ON c.package_id = m.old_id""",
            # the catalog's code sequences move past the copies' codes, so that an entry made
            # later in this database gets a code of its own
            """UPDATE govcatalog_code_sequence s SET last_value = greatest(s.last_value, c.top)
               FROM (SELECT split_part(extras->>'resource_code', '/', 1) AS class_code,
                            max(split_part(extras->>'resource_code', '/', 2)::int) AS top
                     FROM package WHERE extras->>'resource_code' ~ '^[0-9]+/[0-9]+$'
                     GROUP BY 1) c
               WHERE s.class_code = c.class_code""",
        ]
        for statement in statements:
            conn.execute(sa.text(statement).bindparams(**_used(statement, params)))
        conn.execute(sa.text("ANALYZE package; ANALYZE package_tag; ANALYZE member"))
    return needed


def shrink(conn: sa.engine.Connection, n: int) -> int:
    """Removes the last n copies (highest copy number first) with their rows."""
    conn.execute(
        sa.text(
            """CREATE TEMP TABLE gone ON COMMIT DROP AS
               SELECT id FROM package WHERE name ~ :copy
               ORDER BY substring(name from '-copy([0-9]+)$')::int DESC, name DESC LIMIT :n"""
        ),
        {"copy": COPY_NAME, "n": n},
    )
    removed = conn.execute(sa.text("SELECT count(*) FROM gone")).scalar_one()
    for statement in (
        "DELETE FROM resource_view WHERE resource_id IN "
        "(SELECT id FROM resource WHERE package_id IN (SELECT id FROM gone))",
        "DELETE FROM resource WHERE package_id IN (SELECT id FROM gone)",
        "DELETE FROM package_tag WHERE package_id IN (SELECT id FROM gone)",
        "DELETE FROM member WHERE table_name = 'package' AND table_id IN (SELECT id FROM gone)",
        "DELETE FROM package_member WHERE package_id IN (SELECT id FROM gone)",
        "DELETE FROM package WHERE id IN (SELECT id FROM gone)",
    ):
        conn.execute(sa.text(statement))
    return removed


def _used(statement: str, params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if f":{k}" in statement}


def check_copies(ini: str, n: int = 30) -> None:
    """n copies (spread over all of them) read through package_show: each equals its original's
    package_show but for id, name, title and resource code; stops the benchmark if not."""
    code = f"""
import json, re, sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config({ini!r}))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.govcatalog.catalog import codes
    show = lambda i: tk.get_action("package_show")({{"ignore_auth": True}}, {{"id": i}})
    names = [r[0] for r in model.Session.query(model.Package.name)
             .filter(model.Package.name.op("~")({COPY_NAME!r})).order_by(model.Package.id)]
    step = max(1, len(names) // {n})
    bad = []
    for name in names[::step][:{n}]:
        copy = show(name)
        k = int(re.search({COPY_NAME!r}, name).group(0)[5:])
        original = show(name[: name.rindex("-copy")])
        for key in ("id", "name", "title", "resource_code"):
            assert copy[key] != original[key], (name, key)
        assert copy["title"] == original["title"] + f"（副本{{k}}）", name
        assert codes.code_pattern().match(copy["resource_code"]), copy["resource_code"]
        strip = lambda d: json.dumps({{k2: v for k2, v in d.items() if k2 not in (
            "id", "name", "title", "resource_code")}}, sort_keys=True, default=str)
        if strip(copy).replace(copy["id"], original["id"]) != strip(original):
            bad.append(name)
    print(json.dumps({{"copies_checked": len(names[::step][:{n}]), "differing": bad}}))
    sys.exit(1 if bad else 0)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit("a copy's package_show differs from its original's: see above")
    print("  " + done.stdout.strip().splitlines()[-1], flush=True)


def solr(path: str, **params: Any) -> Any:
    r = requests.get(f"{benchlib.SOLR}/{CORE}/{path}", params=dict(params, wt="json"), timeout=600)
    r.raise_for_status()
    return r.json()


def count() -> int:
    return solr("select", q="*:*", rows=0)["response"]["numFound"]


def solr_commit() -> None:
    requests.get(f"{benchlib.SOLR}/{CORE}/update", params={"commit": "true"}, timeout=600)


def _stripped(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["id"]: {k: v for k, v in d.items() if k not in VOLATILE} for d in docs}


def first_docs(n: int) -> dict[str, dict[str, Any]]:
    """The first n documents by id, every stored field."""
    return _stripped(solr("select", q="*:*", rows=n, sort="id asc", fl="*")["response"]["docs"])


def docs_of(ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 200):
        part = " OR ".join(f'"{x}"' for x in ids[i : i + 200])
        r = requests.post(
            f"{benchlib.SOLR}/{CORE}/select",
            data={"q": f"id:({part})", "rows": 200, "fl": "*", "wt": "json"},
            timeout=600,
        )
        r.raise_for_status()
        out.update(_stripped(r.json()["response"]["docs"]))
    return out


def uniform_ids(n: int) -> list[str]:
    """n ids spread evenly over the database's packages (every k-th id in id order)."""
    with engine().connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM package ORDER BY id"))]
    step = max(1, len(ids) // max(n, 1))
    return ids[::step][:n]


def stock_rebuild_of(ini: str, ids: list[str]) -> None:
    """CKAN's own rebuild (ckan.lib.search.rebuild, what `ckan search-index rebuild` runs for
    each package) of these packages, in the core as it is."""
    code = f"""
import json, sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config({ini!r}))
with app._wsgi_app.test_request_context():
    from ckan.lib import search
    search.rebuild(package_ids=json.load(sys.stdin), defer_commit=True, quiet=True)
    search.commit()
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(ids),
        text=True,
        cwd=ROOT,
        capture_output=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit("CKAN's rebuild of the sample failed: see above")


def load_average() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


class Watch:
    """Runs a ckan command and polls the core's document count every ``poll`` seconds, printing
    a progress line; ``samples`` holds (seconds since start, documents)."""

    def __init__(self, label: str, ini: str, args: list[str], poll: float) -> None:
        self.label, self.poll = label, poll
        self.load_before = load_average()
        print(
            f"  $ ckan {' '.join(args)}   (load average 1/5/15 min before: {self.load_before})",
            flush=True,
        )
        self.started = time.perf_counter()
        # the command's log goes to a file: a pipe nobody reads while it runs could fill up
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (read and closed in run())
        self.proc = subprocess.Popen(
            [CKAN, "-c", ini, *args],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.samples: list[tuple[float, int]] = [(0.0, 0)]
        self.loads: list[float] = []  # 1-minute load average at each poll

    def mean_load(self) -> str:
        return f"{sum(self.loads) / len(self.loads):.1f}" if self.loads else "?"

    def _sample(self) -> None:
        n = count()
        t = time.perf_counter() - self.started
        last_t, last_n = self.samples[-1]
        self.samples.append((t, n))
        self.loads.append(os.getloadavg()[0])
        rate = (n - last_n) / (t - last_t) if t > last_t else 0.0
        first_t, first_n = next(((t0, n0) for t0, n0 in self.samples if n0 > 0), (t, n))
        overall = (n - first_n) / (t - first_t) if t > first_t else 0.0
        print(
            f"  {self.label}: {n} documents after {t:.0f} s; {rate:.1f} entries/s over the "
            f"last {t - last_t:.0f} s, {overall:.1f} since the first poll that saw any; load "
            f"{load_average()}",
            flush=True,
        )

    def run(self, seconds: float | None = None) -> float:
        """Until the command ends (or ``seconds`` have passed: then it is stopped); returns the
        wall time."""
        while True:
            try:
                self.proc.wait(timeout=self.poll)
                break
            except subprocess.TimeoutExpired:
                self._sample()
            if seconds is not None and time.perf_counter() - self.started >= seconds:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait()
                break
        wall = time.perf_counter() - self.started
        self.log.seek(0)
        err = self.log.read()
        if seconds is None and self.proc.returncode != 0:
            sys.stderr.write(err[-3000:])
            raise SystemExit(f"{self.label}: the command failed ({self.proc.returncode})")
        if seconds is None:
            self.output = err
        return wall


def thirds(samples: list[tuple[float, int]]) -> tuple[float, float, float, float]:
    """(start-up seconds, rate over the first third, over the last third, over the whole) of
    the indexing time, from the polled counts (linear between polls)."""
    first_seen = next(i for i, (_t, n) in enumerate(samples) if n > 0)
    start = samples[first_seen][0]
    # the rates are measured from the first poll that saw documents
    points = samples[first_seen:]
    end_t, end_n = points[-1]
    span = end_t - start

    def at(x: float) -> float:
        for (t0, n0), (t1, n1) in itertools.pairwise(points):
            if t0 <= x <= t1:
                return n0 + (n1 - n0) * (x - t0) / (t1 - t0)
        return float(end_n)

    first = (at(start + span / 3) - at(start)) / (span / 3)
    last = (at(end_t) - at(end_t - span / 3)) / (span / 3)
    whole = (end_n - points[0][1]) / span
    # the indexing began between that poll and the one before: start-up is estimated back from
    # the documents the first poll saw, at the measured rate
    startup = max(samples[first_seen - 1][0], start - points[0][1] / whole)
    return startup, first, last, whole


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


def _stop_if_different(what: str, stock: dict[str, Any], ours: dict[str, Any]) -> None:
    diff = differences(stock, ours)
    print(
        f"  {what}: {len(stock)} documents compared field by field, {len(diff)} differences",
        flush=True,
    )
    if diff or not stock:
        print("\n".join(diff[:20]), file=sys.stderr)
        raise SystemExit(f"{what}: the two rebuilds differ (or nothing to compare): see above")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=5000, help="entries made by the fast path")
    parser.add_argument(
        "--stock-seconds",
        type=float,
        default=900,
        help="how long stock's rebuild runs before it is stopped",
    )
    parser.add_argument("--poll", type=float, default=15, help="seconds between progress lines")
    parser.add_argument("--workers", type=int, default=0, help="reindex workers (0: default)")
    parser.add_argument("--sample", type=int, default=600, help="documents compared, per check")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    parser.add_argument("--build-only", action="store_true", help="build the database, stop")
    args = parser.parse_args()

    benchlib.ensure_core(CORE, "govcatalog")
    ini = import_speed.render_ini("reindex.ini", DB, CORE)
    started = time.perf_counter()
    if not args.keep:
        print(f"loading {args.base} entries into {DB} (not timed)", flush=True)
        import_speed.fresh_db(ini, DB, CORE, ("activity", "govcatalog"))
        load(ini, min(args.base, args.entries))
    added = grow(args.entries)
    with engine().connect() as conn:
        entries = conn.execute(sa.text("SELECT count(*) FROM package")).scalar_one()
        copies = conn.execute(
            sa.text("SELECT count(*) FROM package WHERE name ~ :c"), {"c": COPY_NAME}
        ).scalar_one()
    print(
        f"{entries} entries in {DB} ({entries - copies} made by the fast path, {copies} "
        f"copies, {added:+d} now; {time.perf_counter() - started:.0f} s, not timed)",
        flush=True,
    )
    if copies:
        check_copies(ini)
    if args.build_only:
        return

    print(f"stock, for {args.stock_seconds:.0f} s:", flush=True)
    benchlib.clear_core(CORE)
    stock = Watch("stock", ini, ["search-index", "rebuild"], args.poll)
    stock_wall = stock.run(args.stock_seconds)
    solr_commit()
    stock_n = count()
    stock.samples.append((stock_wall, stock_n))
    startup, first_rate, last_rate, stock_rate = thirds(stock.samples)
    stock_docs = first_docs(args.sample)
    stock_total = startup + entries / stock_rate

    print("ours, all entries:", flush=True)
    benchlib.clear_core(CORE)
    ours_args = ["govcatalog", "reindex", "--quiet"]
    if args.workers:
        ours_args += ["--workers", str(args.workers)]
    ours = Watch("ours", ini, ours_args, args.poll)
    ours_s = ours.run()
    ours_n = count()
    if ours_n != entries:
        raise SystemExit(f"ours indexed {ours_n} documents of {entries} entries")
    _stop_if_different(
        "stock's command vs ours (its first documents by id)", stock_docs, docs_of(list(stock_docs))
    )
    ids = uniform_ids(args.sample)
    ours_uniform = docs_of(ids)
    stock_rebuild_of(ini, ids)
    _stop_if_different(
        "uniform sample of the database, CKAN's rebuild vs ours", docs_of(ids), ours_uniform
    )

    ours_rate = ours_n / ours_s
    print(
        json.dumps(
            {
                "entries": entries,
                "ours": {
                    "seconds": round(ours_s, 1),
                    "entries_per_s": round(ours_rate, 1),
                    "load_before": ours.load_before,
                    "command_says": ours.output.strip().splitlines()[-1:],
                },
                "stock": {
                    "seconds_run": round(stock_wall, 1),
                    "documents": stock_n,
                    "startup_s": round(startup, 1),
                    "entries_per_s": {
                        "first_third": round(first_rate, 2),
                        "last_third": round(last_rate, 2),
                        "whole": round(stock_rate, 2),
                    },
                    "extrapolated_seconds": round(stock_total),
                    "load_before": stock.load_before,
                },
            },
            ensure_ascii=False,
        )
    )
    print(f"entries: {entries}")
    print(
        f"`ckan govcatalog reindex` (measured): {ours_n} entries in {ours_s:.1f} s = "
        f"{ours_rate:.1f} entries/s (load average before: {ours.load_before}; mean of the "
        f"1-minute load while it ran: {ours.mean_load()})"
    )
    print(
        f"stock `ckan search-index rebuild` (measured part): {stock_n} entries in "
        f"{stock_wall:.0f} s ({startup:.0f} s start-up) = {stock_rate:.2f} entries/s; first "
        f"third {first_rate:.2f}, last third {last_rate:.2f} (load average before: "
        f"{stock.load_before}; mean of the 1-minute load while it ran: {stock.mean_load()})"
    )
    print(
        f"stock, EXTRAPOLATED to {entries} entries: {stock_total:.0f} s "
        f"({stock_total / 3600:.1f} h)"
    )
    print(
        f"ratio: {ours_rate / stock_rate:.1f}x by rate, {stock_total / ours_s:.1f}x by the "
        "extrapolated total (target >= 5x); documents identical field by field"
    )


if __name__ == "__main__":
    main()
