#!/usr/bin/env python
"""Load: concurrent users against the production mode, govcatalog beside stock CKAN 2.12.

    .venv/bin/python scripts/bench/load.py [--clients 32] [--seconds 60] [--workers 4]
        [--port 5036] [--stock-port 5037] [--corpus-limit 0] [--reuse]
        [--modes nonstop,paced] [--think 1-3] [--threads 1]

Loopback only; bounded: at most --clients (<= 64) concurrent clients for --seconds (<= 300), then
everything it started stops by itself (servers included, also on Ctrl-C or an error).

The catalog: a database of its own (govcatalog_load, Solr core ckan_load) with the demo catalog
(`ckan govcatalog demo load`) plus the records of ../shared/corpus (9,834) through the import fast
path, each record an entry of a demo department (chosen by its provider), its title, summary,
keywords and data items its own; records the catalog's rules refuse are left out and counted.
Stock CKAN 2.12 serves a copy of the same database (govcatalog_load_stock; plain CKAN with the
activity plugin only, the catalog fields shown as extras) from a core with CKAN's own Solr schema
(ckan_load_stock; the information systems, a package type of ours whose pages stock CKAN lacks,
are marked deleted in the copy), indexed from that database with stock CKAN's indexer
(ops/reindex.py run with the stock configuration: the documents of `ckan search-index rebuild`).

Both are served the production way: gunicorn with config/gunicorn.conf.py (--workers sync
workers, preload, the same timeouts) on 127.0.0.1; ours with `ckan jobs worker` beside it.

Each client repeats one of (weights of issue 13):
  search  50 %  /dataset/?q=<word from the corpus> (a quarter of them with a facet filter; the
                page shows the facets: 13 on ours, CKAN's 4 on stock)
  entry   20 %  /dataset/<name> of an entry anonymous users may see (1,000 names)
  api     20 %  /api/3/action/package_show?id=<name> with a government user's API token
  home     5 %  /
  request  5 %  access_request_create by a government user, then access_request_approve by the
                providing department's admin (two API calls; ours only)
in two modes (--modes): "nonstop", clients that never pause (the load of issue 13's first
measurement), and "paced", each client a person who reads a page before the next click
(--think, uniform 1-3 s; the first click within the first 3 s), so both sides get the same
offered load as long as they keep up. Per mode three runs: ours with the whole mix; ours with the
shared four; stock with the shared four (weights in the same proportion), for the like-for-like
ratios. Ours serves anonymous pages from its page cache (web/page_cache.py; on in the ini, as in
production): the "cached" column is the share of requests answered from it (its response
header); stock CKAN has no server-side page cache. --threads N runs both sides with N threads per
worker (gunicorn's gthread; default 1, sync workers as in production).

Prints, per run and kind: requests, errors, p50/p95/p99 in ms, throughput and cached share; then
the ratios (targets: 0 errors, p95 < 300 ms, throughput >= 0.8x stock on the shared parts). The
machine's load average before and after each run is printed: other work on a shared machine
slows both.

Measured 2026-11-30 on this 2-core machine, two full runs (--reuse), 32 clients, 60 s, 4 sync
workers, 365 demo entries + 23 information systems + 9,832 corpus records. The machine was shared
with ~8 engineers' test runs: load average 5.8-9.7 during the runs (it includes the two servers,
the 32 client threads, Solr and PostgreSQL); stock served 5.9-6.5 req/s never pausing instead of
this morning's 17.0 at load 4-5. Run 1 at 13:14-13:21, run 2 at 13:37-13:44:

  never pausing          req/s   errors  p50 ms  p95 ms  p99 ms  cached   (run 1 | run 2)
  ours, whole mix     10.0 | 6.2    0 | 0   2,875 | 4,588  5,296 | 9,414  6,879 | 11,401  48 | 44 %
  ours, shared parts  11.5 | 12.9   0 | 0   2,521 | 2,262  4,528 | 4,140  5,441 | 4,658   61 | 61 %
  stock, shared parts  5.9 | 6.5    0 | 0   5,121 | 4,590  7,266 | 7,446  8,864 | 8,176    -
  -> throughput 1.94x | 1.98x stock on the shared parts; p95 0.62x | 0.56x stock's.
  paced (1-3 s think)
  ours, whole mix      8.6 | 8.8    0 | 0   1,641 | 1,601  3,398 | 3,320  4,213 | 3,981   48 | 49 %
  ours, shared parts  10.0 | 10.5   0 | 0     958 | 819    2,829 | 2,650  4,088 | 3,271   60 | 60 %
  stock, shared parts  6.8 | 9.0    0 | 0   2,278 | 1,410  4,987 | 2,595  5,614 | 3,073    -
  -> ours p50 0.42x | 0.58x stock's; p95 0.57x | 1.02x; p99 0.73x | 1.06x; throughput 1.47x |
     1.16x (32 people at 1-3 s offer ~14 req/s; neither side kept up with it).
  Per kind, ours paced (shared, run 2): search p50 652 / p95 2,379 ms (92 % cached), home 503 /
  2,259 (100 %), entry 1,510 / 2,950 (31 %), API 663 / 2,472 (never cached).

Targets: 0 errors and >= 0.8x stock met in both modes (1.94-1.98x never pausing, 1.16-1.47x paced).
p95 < 300 ms NOT met in either mode at this machine load, by either side: the cache halves the
median but the p95 is set by the requests it cannot answer. What a cache hit costs: 1-12 ms inside
the process (before_request: two Redis reads and the replay; the X-Govcatalog-Page-Cache header
says how long, measured in tests/web/test_page_cache.py at load ~5), against 150-550 ms for
rendering the same page (one worker, cProfile: an uncached search page 424 ms, an entry page 275 ms
at load 6; the search page's time is mostly CKAN's Jinja facet lists: 13 facets, 0.32 of 0.9 s
profiled; ours: the highlighting query 0.10 s, the result cards 0.17 s; no per-card database query,
vocabulary files read once per process). In gunicorn at load 7-11 a hit still took 87 ms p50 / 281
ms p95 of worker time (access log, home page, ~99 % hits) because each worker got a fraction of a
core, and a hit queues behind the misses (entry pages: 1,000 names, 26-39 % hits; the API with a
token, never cached) in the sync workers: the p95 is queueing on an overloaded machine. A 20 s
paced check with --threads 4 (load 9.6-11.6) cut ours' p50 from 958 to 276 ms (hits overtake
misses) but not the p95 (3,807 ms; stock 12,033), so production keeps sync workers.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib
import import_speed

ROOT = benchlib.ROOT
DATA = os.path.join(ROOT, ".data")
BIN = os.path.join(ROOT, ".venv", "bin")
DB, CORE = "govcatalog_load", "ckan_load"
STOCK_DB, STOCK_CORE = "govcatalog_load_stock", "ckan_load_stock"
REQUESTER = "sq-rsj-editor"  # a government user of 县人社局
WORDS = ["人口", "企业", "学校", "医疗", "交通", "社保", "环境", "婚姻", "农业", "就业", "户籍", ""]
TOKEN_USERS = (REQUESTER, "sq-gaj-admin", "sq-wjj-admin")
MIX = {"search": 50, "entry": 20, "api": 20, "home": 5, "request": 5}
SHARED = ("search", "entry", "api", "home")
MAX_CLIENTS, MAX_SECONDS = 64, 300


def ckan(ini: str, *args: str) -> str:
    return import_speed.ckan(ini, *args)


# ---- the catalog ------------------------------------------------------------------------------

CORPUS_LOAD = """
import json, sys
sys.path.insert(0, {bench!r})
import load as b
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config({ini!r}))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    from ckanext.govcatalog.bulk import importer, layout
    site = tk.get_action("get_site_user")({{"ignore_auth": True}}, {{}})["name"]
    orgs = tk.get_action("organization_list")({{"user": site}}, {{"all_fields": True,
        "limit": 1000}})
    departments = sorted(o["name"] for o in orgs if o["name"].count("-") == 1)
    values = b.corpus_entries(departments, {limit})
    rows = [importer.Row(i + 2, str(i + 1), v, {{}}) for i, v in enumerate(values)]
    lay = layout.layout()
    checked = importer.import_rows(rows, site, lay=lay, dry_run=True, processes=None)
    refused = {{p.row for p in checked.problems}}
    rows = [r for r in rows if r.row not in refused]
    result = importer.import_rows(rows, site, lay=lay, progress=b.bar, processes=None)
    assert not result.problems, result.problems[:3]
    tokens = {{user: tk.get_action("api_token_create")({{"user": site}}, {{"user": user,
        "name": "load"}})["token"] for user in b.TOKEN_USERS}}
    print(json.dumps({{"imported": len(rows), "refused": len(refused), "tokens": tokens}}))
"""

TAG = re.compile(r"^[\w\-. ]{2,50}$")


def corpus_entries(departments: list[str], limit: int = 0) -> list[dict[str, Any]]:
    """The corpus records as catalog entries of the demo departments."""
    records = benchlib.read_corpus()
    if limit:
        records = records[:limit]
    out = []
    for i, r in enumerate(records):
        template = import_speed.generated(1, "", offset=i)[0]
        h = int(hashlib.md5(r["provider"].encode()).hexdigest(), 16)
        tags = [t for t in r["tags"] if TAG.match(t)][:5]
        items = r["items"][:20] or ["名称", "统一社会信用代码", "更新时间"]
        types = ["C", "N", "D", "C"]
        entry = dict(
            template,
            title=r["title"][:200],
            notes=(r["notes"] or r["title"])[:2000],
            owner_org=departments[h % len(departments)],
            source_org=departments[h % len(departments)],
            tag_string=",".join(tags) or "政务数据",
            data_items=[
                {
                    "name": name[:50],
                    "data_type": types[k % 4],
                    "length": 50,
                    "description": "",
                    "personal_info": "no",
                }
                for k, name in enumerate(dict.fromkeys(items))
            ],
        )
        out.append(entry)
    return out


def bar(phase: str, done: int, total: int) -> None:
    import_speed._bar(phase, done, total)


def set_up(corpus_limit: int) -> tuple[str, str, dict[str, str]]:
    """Both databases and cores; returns the two inis and the API tokens."""
    benchlib.corpus_files()  # stops with the folder's name when the corpus is missing
    benchlib.ensure_core(CORE, "govcatalog")
    benchlib.ensure_core(STOCK_CORE, "ckan-stock")
    ini = import_speed.render_ini("load.ini", DB, CORE)
    print(f"setting up {DB}: demo catalog + corpus (not timed)", flush=True)
    import_speed.fresh_db(ini, DB, CORE, ("activity", "govcatalog"))
    ckan(ini, "govcatalog", "elements", "seed")
    ckan(ini, "govcatalog", "demo", "load")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CORPUS_LOAD.format(
                bench=os.path.dirname(os.path.abspath(__file__)), ini=ini, limit=corpus_limit
            ),
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    tokens = loaded.pop("tokens")
    print("  corpus:", loaded, flush=True)
    with open(os.path.join(DATA, "load-tokens.json"), "w", encoding="utf-8") as f:
        json.dump(tokens, f)

    print(f"copying it to {STOCK_DB} for stock CKAN", flush=True)
    copy_database(DB, STOCK_DB)
    stock_ini = import_speed.render_ini(
        "load_stock.ini", STOCK_DB, STOCK_CORE, "ckan.plugins = activity\n"
    )
    benchlib.clear_core(STOCK_CORE)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from ckan.cli import load_config\n"
            "from ckan.config.middleware import make_app\n"
            f"app = make_app(load_config({stock_ini!r}))\n"
            "with app._wsgi_app.test_request_context():\n"
            "    import sqlalchemy as sa\n"
            "    from ckan import model\n"
            "    from ckanext.govcatalog.ops import reindex\n"
            "    model.Session.execute(sa.text(\"UPDATE package SET state = 'deleted' \"\n"
            "        \"WHERE type <> 'dataset'\"))\n"
            "    model.Session.commit()\n"
            "    print(reindex.reindex())\n",
        ],
        check=True,
        cwd=ROOT,
    )
    return ini, stock_ini, tokens


def copy_database(source: str, target: str) -> None:
    pg = os.path.join(ROOT, "scripts", "services", "postgres.sh")
    subprocess.run([pg, "dropdb", target], check=False, capture_output=True)
    subprocess.run([pg, "createdb", target], check=True, capture_output=True)
    base, _solr = import_speed._base()
    dump = subprocess.Popen(
        ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"{base}/{source}"],
        stdout=subprocess.PIPE,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-acl", "--dbname", f"{base}/{target}"],
        stdin=dump.stdout,
        check=True,
    )
    if dump.wait() != 0:
        raise SystemExit(f"pg_dump of {source} failed")


# ---- the servers ------------------------------------------------------------------------------


@contextlib.contextmanager
def served(
    ini: str, port: int, workers: int, name: str, jobs: bool, threads: int = 1
) -> Iterator[str]:
    """gunicorn (config/gunicorn.conf.py) on 127.0.0.1:port, and `ckan jobs worker` when
    asked; stopped (their whole process groups) when the block ends."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken by another server; choose another (--port)")
    logs = os.path.join(DATA, "logs", f"load-{name}")
    run = os.path.join(DATA, "run", f"load-{name}")
    os.makedirs(logs, exist_ok=True)
    os.makedirs(run, exist_ok=True)
    env = dict(
        os.environ,
        CKAN_INI=ini,
        GOVCATALOG_CKAN_PORT=str(port),
        GOVCATALOG_WEB_WORKERS=str(workers),
        GOVCATALOG_WEB_THREADS=str(threads),
        GOVCATALOG_LOGS=logs,
        GOVCATALOG_RUN=run,
    )
    procs = [
        subprocess.Popen(
            [os.path.join(BIN, "gunicorn"), "-c", os.path.join(ROOT, "config", "gunicorn.conf.py")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    if jobs:
        with open(os.path.join(logs, "jobs-worker.log"), "w") as log:
            procs.append(
                subprocess.Popen(
                    [os.path.join(BIN, "ckan"), "-c", ini, "jobs", "worker"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if procs[0].poll() is not None:
                raise SystemExit(f"gunicorn for {name} exited; see {logs}/gunicorn.log")
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                    break
            time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn for {name} did not answer; see {logs}/gunicorn.log")
        yield url
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# ---- what the clients ask ---------------------------------------------------------------------


@dataclasses.dataclass
class Targets:
    names: list[str]  # entries anonymous users may see
    requestable: list[tuple[str, str, dict[str, Any]]]  # (entry id, decider, request data)


def targets(url: str, tokens: dict[str, str], with_requests: bool) -> Targets:
    found = requests.get(
        url + "/api/3/action/package_search",
        params={"rows": 1000, "fl": "name", "fq": "dataset_type:dataset"},
        timeout=120,
    ).json()["result"]["results"]
    names = [d["name"] for d in found]
    requestable: list[tuple[str, str, dict[str, Any]]] = []
    if with_requests:
        deciders = {"shiquan-gaj": "sq-gaj-admin", "shiquan-wjj": "sq-wjj-admin"}
        shown = requests.get(
            url + "/api/3/action/package_search",
            params={
                "rows": 200,
                "fq": "share_type:conditional AND organization:(shiquan-gaj OR shiquan-wjj)",
            },
            headers={"Authorization": tokens[REQUESTER]},
            timeout=120,
        ).json()["result"]["results"]
        # a sharing mode the requests take: the one the first entry states (a schema choice)
        mode = next(e["share_mode"] for e in shown if e.get("share_mode"))
        end = (dt.date.today() + dt.timedelta(days=365)).isoformat()
        for entry in shown:
            items = [i["name"] for i in entry.get("data_items") or []][:2]
            data = {
                "package_id": entry["id"],
                "legal_basis": "《政务数据共享条例》第二十条",
                "usage_scenario": "核验办事群众信息",
                "usage_scope": "本单位政务服务窗口",
                "share_mode": mode,
                "period_end": end,
                "data_items": items,
            }
            requestable.append((entry["id"], deciders[entry["organization"]["name"]], data))
    return Targets(names, requestable)


@dataclasses.dataclass
class Outcome:
    kind: str
    ms: float
    ok: bool
    detail: str = ""
    cached: bool = False  # answered from the page cache (its response header says so)


CACHE_HEADER = "X-Govcatalog-Page-Cache"


class Client(threading.Thread):
    def __init__(
        self,
        n: int,
        url: str,
        mix: dict[str, int],
        found: Targets,
        tokens: dict[str, str],
        until: float,
        locks: dict[str, threading.Lock],
        think: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.random = random.Random(n)
        self.url, self.mix, self.found, self.tokens, self.until = url, mix, found, tokens, until
        self.locks, self.think = locks, think
        self.session = requests.Session()
        self.outcomes: list[Outcome] = []

    def run(self) -> None:
        kinds, weights = list(self.mix), list(self.mix.values())
        if self.think:  # people do not all arrive in the same second
            time.sleep(self.random.uniform(0, self.think[1]))
        while time.monotonic() < self.until:
            kind = self.random.choices(kinds, weights)[0]
            getattr(self, kind)()
            if self.think:  # a person reads the page before the next click
                pause = self.random.uniform(*self.think)
                time.sleep(max(0.0, min(pause, self.until - time.monotonic())))

    def _timed(self, kind: str, method: str, path: str, **kw: Any) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.url + path, timeout=60, **kw)
            ok = response.status_code == 200
            detail = "" if ok else f"{response.status_code} {path}"
            cached = response.headers.get(CACHE_HEADER, "").startswith("hit")
        except requests.RequestException as error:
            response, ok, detail = None, False, f"{type(error).__name__} {path}"
            cached = False
        ms = (time.perf_counter() - started) * 1000
        self.outcomes.append(Outcome(kind, ms, ok, detail, cached))
        return response

    def search(self) -> None:
        params = {"q": self.random.choice(WORDS)}
        if self.random.random() < 0.25:
            params["organization"] = "shiquan-gaj"
        self._timed("search", "GET", "/dataset/?" + urllib.parse.urlencode(params))

    def entry(self) -> None:
        self._timed("entry", "GET", "/dataset/" + self.random.choice(self.found.names))

    def api(self) -> None:
        name = self.random.choice(self.found.names)
        self._timed(
            "api",
            "GET",
            "/api/3/action/package_show?id=" + name,
            headers={"Authorization": self.tokens[REQUESTER]},
        )

    def home(self) -> None:
        self._timed("home", "GET", "/")

    def request(self) -> None:
        entry_id, decider, data = self.random.choice(self.found.requestable)
        # one open request per user and entry: the same entry's create+approve never overlap
        with self.locks[entry_id]:
            created = self._timed(
                "request",
                "POST",
                "/api/3/action/access_request_create",
                json=data,
                headers={"Authorization": self.tokens[REQUESTER]},
            )
            if created is None or created.status_code != 200:
                return
            expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
            self._timed(
                "request",
                "POST",
                "/api/3/action/access_request_approve",
                json={"id": created.json()["result"]["id"], "expires": expires},
                headers={"Authorization": self.tokens[decider]},
            )


def run_load(
    url: str,
    mix: dict[str, int],
    found: Targets,
    tokens: dict[str, str],
    clients: int,
    seconds: int,
    think: tuple[float, float] | None = None,
) -> dict[str, Any]:
    locks = {entry_id: threading.Lock() for entry_id, _d, _x in found.requestable}
    # a warm-up request per kind, so that no worker's first (cold) request is timed
    warm = Client(-1, url, mix, found, tokens, 0, locks)
    for kind in mix:
        getattr(warm, kind)()
    load_before = os.getloadavg()
    until = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [Client(n, url, mix, found, tokens, until, locks, think) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - started
    outcomes = [o for t in threads for o in t.outcomes]
    return {"elapsed": elapsed, "outcomes": outcomes, "load": (load_before, os.getloadavg())}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(name: str, run: dict[str, Any]) -> dict[str, Any]:
    outcomes, elapsed = run["outcomes"], run["elapsed"]
    before, after = run["load"]
    print(
        f"\n{name}: {len(outcomes)} requests in {elapsed:.1f} s = "
        f"{len(outcomes) / elapsed:.1f} req/s   (load average before {before[0]:.1f}, "
        f"after {after[0]:.1f})"
    )
    print(
        f"  {'kind':<8} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>7} {'cached':>7}"
    )
    summary: dict[str, Any] = {}
    for kind in [*MIX, "shared", "all"]:
        if kind == "all":
            chosen = outcomes
        elif kind == "shared":
            chosen = [o for o in outcomes if o.kind in SHARED]
        else:
            chosen = [o for o in outcomes if o.kind == kind]
        if not chosen:
            continue
        ms = sorted(o.ms for o in chosen)
        row = {
            "requests": len(chosen),
            "errors": sum(not o.ok for o in chosen),
            "p50": percentile(ms, 50),
            "p95": percentile(ms, 95),
            "p99": percentile(ms, 99),
            "rate": len(chosen) / elapsed,
            "cached": sum(o.cached for o in chosen) / len(chosen),
        }
        summary[kind] = row
        print(
            f"  {kind:<8} {row['requests']:>8} {row['errors']:>6} {row['p50']:>8.0f} "
            f"{row['p95']:>8.0f} {row['p99']:>8.0f} {row['rate']:>7.1f} {row['cached']:>7.0%}"
        )
    errors = [o.detail for o in outcomes if not o.ok]
    if errors:
        print("  first errors:", "; ".join(sorted(set(errors))[:5]))
    return summary


def think_range(text: str) -> tuple[float, float]:
    low, _sep, high = text.partition("-")
    pair = (float(low), float(high or low))
    if not 0 <= pair[0] <= pair[1] <= 60:
        raise argparse.ArgumentTypeError("--think is LOW-HIGH seconds, 0 <= LOW <= HIGH <= 60")
    return pair


def compare(title: str, ours: dict[str, Any], stock: dict[str, Any]) -> None:
    print(f"\n{title}")
    for kind in [*SHARED, "shared"]:
        a, b = ours.get(kind), stock.get(kind)
        if a and b:
            print(
                f"  {kind:<8} throughput {a['rate']:.1f} vs {b['rate']:.1f} req/s = "
                f"{a['rate'] / b['rate']:.2f}x; p50 {a['p50']:.0f} vs {b['p50']:.0f} ms, "
                f"p95 {a['p95']:.0f} vs {b['p95']:.0f}, p99 {a['p99']:.0f} vs {b['p99']:.0f}"
                f" ({a['cached']:.0%} of ours from the page cache)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, both sides")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker, both sides (1: sync)"
    )
    parser.add_argument("--port", type=int, default=5036)
    parser.add_argument("--stock-port", type=int, default=5037)
    parser.add_argument("--corpus-limit", type=int, default=0, help="0: every record")
    parser.add_argument("--reuse", action="store_true", help="the databases of the last run")
    parser.add_argument("--setup-only", action="store_true", help="set up, then stop")
    parser.add_argument(
        "--modes",
        default="nonstop,paced",
        help="nonstop (clients that never pause) and/or paced (each client thinks between "
        "requests, like a person)",
    )
    parser.add_argument(
        "--think",
        type=think_range,
        default=(1.0, 3.0),
        help="paced mode: seconds between a client's requests, uniform LOW-HIGH (default 1-3)",
    )
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.seconds <= MAX_SECONDS):
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - {"nonstop", "paced"}:
        raise SystemExit("--modes takes nonstop, paced or both (comma-separated)")
    pacing = {"nonstop": None, "paced": args.think}

    if args.reuse:
        ini, stock_ini = os.path.join(DATA, "load.ini"), os.path.join(DATA, "load_stock.ini")
        with open(os.path.join(DATA, "load-tokens.json"), encoding="utf-8") as f:
            tokens = json.load(f)
    else:
        ini, stock_ini, tokens = set_up(args.corpus_limit)
        if args.setup_only:
            return
    shared_mix = {k: v for k, v in MIX.items() if k in SHARED}
    ours: dict[str, dict[str, Any]] = {}
    ours_shared: dict[str, dict[str, Any]] = {}
    stock: dict[str, dict[str, Any]] = {}

    def label(mode: str) -> str:
        think = pacing[mode]
        return "never pausing" if think is None else f"paced, {think[0]:g}-{think[1]:g} s think"

    with served(ini, args.port, args.workers, "ours", jobs=True, threads=args.threads) as url:
        found = targets(url, tokens, with_requests=True)
        print(
            f"\nours: {len(found.names)} entries for pages, {len(found.requestable)} "
            f"requestable; {args.clients} clients, {args.seconds} s, {args.workers} workers x "
            f"{args.threads} threads"
        )
        if not found.requestable:
            raise SystemExit("no entry the requester may request: the demo catalog changed?")
        for mode in modes:
            ours[mode] = report(
                f"govcatalog, whole mix, {label(mode)}",
                run_load(url, MIX, found, tokens, args.clients, args.seconds, pacing[mode]),
            )
            ours_shared[mode] = report(
                f"govcatalog, shared parts only, {label(mode)}",
                run_load(url, shared_mix, found, tokens, args.clients, args.seconds, pacing[mode]),
            )
    with served(
        stock_ini, args.stock_port, args.workers, "stock", jobs=False, threads=args.threads
    ) as url:
        for mode in modes:
            stock[mode] = report(
                f"stock CKAN 2.12, shared parts, {label(mode)}",
                run_load(url, shared_mix, found, tokens, args.clients, args.seconds, pacing[mode]),
            )

    for mode in modes:
        compare(
            f"shared parts, like for like ({label(mode)}; same mix, same gunicorn settings):",
            ours_shared[mode],
            stock[mode],
        )
        whole = ours[mode]["all"]
        print(
            f"targets ({label(mode)}): errors {whole['errors']} (0), p95 {whole['p95']:.0f} ms "
            f"(< 300), shared throughput "
            f"{ours_shared[mode]['shared']['rate'] / stock[mode]['shared']['rate']:.2f}x "
            "stock (>= 0.8)"
        )


if __name__ == "__main__":
    main()
