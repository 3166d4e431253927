#!/usr/bin/env python
"""Load: concurrent users against the production mode, govcatalog beside stock CKAN 2.12.

    .venv/bin/python scripts/bench/load.py [--clients 32] [--seconds 60] [--workers 4]
        [--port 5036] [--stock-port 5037] [--corpus-limit 0] [--reuse]
        [--modes nonstop,paced] [--think 1-3] [--threads 1]
        [--demand [--demand-seconds 15] [--demand-clients 4]]

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

--demand (instead of the load runs): the service demand, each kind alone (search, entry and
home pages as page-cache hits and as misses, the API, the access-request pair) on both sides, 4
clients, --demand-seconds each after an unmetered warm-up: requests and CPU ms per request of the
server (the gunicorn group, the jobs worker, the PostgreSQL backends of the load database; Solr
and Redis, shared with other work, less their idle rate measured just before, Solr taken as the
smaller of that and the core's own handler time) and of the client (this process); then a
metered whole-mix run for the hit shares the mix reaches, and per mix the demand D, the bound
X_max = cores / D and Little's least mean latency N / X_max for --clients never-pausing clients,
at the hit shares reached, at those the mix would reach at its own bound (entry pages: 1,000
names kept for the TTL), and with every anonymous page a hit.

Measured 2026-11-30 16:28-16:43, after the entry page's department box stopped calling
organization_show (web/entry_page.py), 32 clients, 60 s, 4 sync workers, 365 demo entries + 23
information systems + 9,832 corpus records; machine shared (load average 4.8-7.7):

  never pausing           req/s  errors  p50 ms  p95 ms  p99 ms  cached   load
  ours, whole mix          17.6     0     1,582   3,048   5,300   52 %    4.8-6.7
  ours, shared parts       22.6     0     1,360   2,094   2,513   65 %    6.7-7.4
  stock, shared parts       8.7     0     3,627   4,744   5,498    -      5.7-6.9
  -> shared parts 2.60x stock's throughput, p95 0.44x stock's (last round: 1.9-2.0x, 0.56-0.62x)
  paced (1-3 s think)
  ours, whole mix          14.7     0       183     950   1,612   51 %    7.4-6.4
  ours, shared parts       14.8     0        66     468     692   64 %    6.4-5.9
  stock, shared parts       8.9     0     1,458   2,691   3,072    -      6.9-7.7

Demand (--demand, load 4.6-6.5), CPU ms per request, server + client: ours search hit 8.0 + 2.6,
miss 131.5 + 3.0; entry hit 7.6 + 2.0, miss 79.0 + 2.6 (before the department-box change, A/B
alternating at load 8-9: 162.7 / 165.1 vs 85.0 / 88.4, 5 Solr searches per page -> 1); home hit
7.8 + 2.4, miss 50.6 + 2.2; API 44.9 + 2.5; access request call 52.9 + 2.7. Stock: search 46.2,
entry 164.8, API 36.5, home 72.0 (+ 2.2-2.9 client). Whole mix at the hit shares it reached
(search 92 %, home 100 %, entry 8 %): D = 36.5 + 2.6 ms (metered directly: 33.9 + 2.6), X_max =
51 req/s on these 2 cores, least mean latency for 32 never-pausing clients 626 ms; at the hit
shares of its own bound (entries 44 %) 470 ms; every anonymous page a hit 347 ms; stock shared
parts D = 70.5 + 2.6 ms, X_max 27 req/s, 1,170 ms.
p95 < 300 ms with 32 clients that never pause is out of reach on 2 cores for either side: it
needs D <= 18.75 ms per request with the client, and the uncacheable quarter (API calls and access
requests with a token) alone costs 13.6 ms per request of the mix (docs/load.md). The measured
runs stay far below X_max because other work held most of the 2 cores (22.5 req/s x 36.5 ms =
0.8 of a core in the metered mix run). Targets met: 0 errors, >= 0.8x stock (2.60x / 1.66x).
(An earlier round's check with --threads 4 cut the p50, not the p95: production keeps sync workers.)
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
import uuid
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
    ini: str,
    port: int,
    workers: int,
    name: str,
    jobs: bool,
    threads: int = 1,
    leaders: list[int] | None = None,
) -> Iterator[str]:
    """gunicorn (config/gunicorn.conf.py) on 127.0.0.1:port, and `ckan jobs worker` when
    asked; stopped (their whole process groups) when the block ends. The process group leaders'
    pids (gunicorn's master, the jobs worker) are appended to ``leaders``."""
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
    if leaders is not None:
        leaders.extend(proc.pid for proc in procs)
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
        self.bust_cache = False  # --demand: the miss path of the page cache

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
        if self.bust_cache and method == "GET" and "headers" not in kw:
            # a page the cache has never stored (its key includes Accept), rendered as usual
            kw["headers"] = {"Accept": f"text/html, */*;q=0.1, x-load/{uuid.uuid4().hex}"}
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


# ---- service demand (--demand) ----------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat after the command name (field 3 onwards), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_cpu(pid: int | str) -> float:
    """CPU seconds of a process: its own (utime + stime) and that of the children it reaped
    (cutime + cstime: gunicorn's replaced workers, the jobs worker's work horses)."""
    fields = _stat_fields(pid)
    return sum(int(x) for x in fields[11:15]) / TICK if fields else 0.0


def group_cpu(leader: int) -> float:
    """CPU seconds of every live process of a process group (gunicorn: master + workers).
    A process that ended was reaped by another of the group, which counts it in its cutime."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields and int(fields[2]) == leader:
                total += sum(int(x) for x in fields[11:15]) / TICK
    return total


def _pid_of(pattern: str) -> int | None:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def solr_core_queries(core: str) -> tuple[int, float]:
    """Searches a Solr core has answered and the seconds its search handler took (Solr's own
    metrics: attributable to the core, unlike the shared JVM's CPU)."""
    found = (
        requests.get(
            f"{benchlib.SOLR}/admin/metrics",
            params={
                "group": "core",
                "prefix": "QUERY./select.requestTimes,QUERY./select.totalTime",
                "wt": "json",
            },
            timeout=30,
        )
        .json()["metrics"]
        .get(f"solr.core.{core}", {})
    )
    count = found.get("QUERY./select.requestTimes", {}).get("count", 0)
    return int(count), found.get("QUERY./select.totalTime", 0) / 1e9  # nanoseconds


class DemandMeter:
    """CPU seconds the server side spends during a run, by part: the served process groups
    (gunicorn, the jobs worker: ours alone), the PostgreSQL backends connected to the served
    databases (ours alone: polled, since a backend that ends is reaped by the postmaster), and
    the shared Solr JVM and Redis, which other work on the machine also uses: their CPU in the
    run minus their own idle rate measured just before it (``background``)."""

    POLL = 0.5

    def __init__(self, leaders: dict[str, int], databases: tuple[str, ...], core: str) -> None:
        self.leaders, self.databases, self.core = leaders, databases, core
        shared = {
            "solr": _pid_of("org.govcatalog.solr.Launcher"),
            "redis": _pid_of(
                "redis-server 127.0.0.1:{}".format(os.environ.get("GOVCATALOG_REDIS_PORT", "63790"))
            ),
        }
        self.shared = {name: pid for name, pid in shared.items() if pid}
        self.poller_cpu = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backends: dict[int, list[float]] = {}  # pid: [at start, last seen]
        self._rates: dict[str, float] = {}
        import psycopg2

        base, _solr = import_speed._base()
        self._db = psycopg2.connect(f"{base}/postgres")
        self._db.autocommit = True

    def _backend_pids(self) -> list[int]:
        with self._db.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", (list(self.databases),)
            )
            return [row[0] for row in cur.fetchall()]

    def _poll(self, first: bool = False) -> None:
        for pid in self._backend_pids():
            cpu = process_cpu(pid)
            if pid in self._backends:
                self._backends[pid][1] = max(self._backends[pid][1], cpu)
            else:  # there before the run: only what it spends from now; new: all of it
                self._backends[pid] = [cpu if first else 0.0, cpu]

    def background(self, seconds: float = 4.0) -> None:
        """The shared services' CPU rate with none of our requests (subtracted from runs)."""
        before = {name: process_cpu(pid) for name, pid in self.shared.items()}
        time.sleep(seconds)
        self._rates = {
            name: max(0.0, (process_cpu(pid) - before[name]) / seconds)
            for name, pid in self.shared.items()
        }

    def start(self) -> None:
        self._backends.clear()
        self._poll(first=True)
        self._groups = {name: group_cpu(pid) for name, pid in self.leaders.items()}
        self._shared = {name: process_cpu(pid) for name, pid in self.shared.items()}
        self._solr = solr_core_queries(self.core)
        self._started = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.POLL):
            self._poll()
        self._poll()
        self.poller_cpu = time.thread_time()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        seconds = time.monotonic() - self._started
        spent = {name: group_cpu(pid) - self._groups[name] for name, pid in self.leaders.items()}
        spent["postgres"] = sum(last - first for first, last in self._backends.values())
        for name, pid in self.shared.items():
            idle = self._rates.get(name, 0.0) * seconds
            spent[name] = max(0.0, process_cpu(pid) - self._shared[name] - idle)
            spent[f"{name} background"] = idle
        queries, handler = solr_core_queries(self.core)
        spent["solr queries"] = queries - self._solr[0]
        spent["solr handler"] = handler - self._solr[1]
        return spent

    def close(self) -> None:
        self._db.close()


def run_load(
    url: str,
    mix: dict[str, int],
    found: Targets,
    tokens: dict[str, str],
    clients: int,
    seconds: int,
    think: tuple[float, float] | None = None,
    bust_cache: bool = False,
    meter: DemandMeter | None = None,
) -> dict[str, Any]:
    """Runs the clients; with a ``meter``, also the CPU seconds each server part spent."""
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
        t.bust_cache = bust_cache
    if meter is not None:
        meter.start()
    client_cpu = time.process_time()  # every thread of this process: the 32 clients' CPU
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    client_cpu = time.process_time() - client_cpu
    elapsed = time.perf_counter() - started
    server_cpu = meter.stop() if meter is not None else {}
    if meter is not None:
        client_cpu -= meter.poller_cpu  # the meter's own polling is not a client's work
    outcomes = [o for t in threads for o in t.outcomes]
    return {
        "elapsed": elapsed,
        "outcomes": outcomes,
        "load": (load_before, os.getloadavg()),
        "client_cpu": client_cpu,
        "server_cpu": server_cpu,
    }


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


# ---- the demand mode ---------------------------------------------------------------------------

# (label, kind of the mix, page cache: None (not a cached route), "hit" or "miss")
DEMAND_KINDS_OURS = (
    ("search hit", "search", "hit"),
    ("search miss", "search", "miss"),
    ("entry hit", "entry", "hit"),
    ("entry miss", "entry", "miss"),
    ("home hit", "home", "hit"),
    ("home miss", "home", "miss"),
    ("api", "api", None),
    ("request", "request", None),  # create + approve: two requests
)
DEMAND_KINDS_STOCK = (
    ("search", "search", None),
    ("entry", "entry", None),
    ("api", "api", None),
    ("home", "home", None),
)
HIT_NAMES = 20  # entry pages of the hit path: few enough to stay cached through the run
PARTS = ("gunicorn", "jobs", "postgres", "solr", "redis")
# Solr's share of the server CPU: the smaller of the shared JVM's CPU (less its idle rate) and the
# core's own handler time, so that D is not over-stated by other work on the shared Solr


def server_ms(cpu: dict[str, float]) -> float:
    """Server CPU seconds of a metered run (Solr: the smaller of its two figures)."""
    solr = min(cpu.get("solr", 0.0), cpu.get("solr handler", 0.0))
    return sum(cpu.get(part, 0.0) for part in PARTS if part != "solr") + solr


def warm_pages(url: str, names: list[str]) -> None:
    """Puts the search pages (every word, with and without the filter), the home page and the
    given entry pages in the page cache (stored unless a write's quiet period is open)."""
    paths = ["/"] + ["/dataset/" + name for name in names]
    for word in WORDS:
        for org in ({}, {"organization": "shiquan-gaj"}):
            paths.append("/dataset/?" + urllib.parse.urlencode({"q": word, **org}))
    with requests.Session() as session:
        for path in paths:
            session.get(url + path, timeout=60)


def measure_demand(
    url: str,
    kinds: tuple[tuple[str, str, str | None], ...],
    found: Targets,
    tokens: dict[str, str],
    meter: DemandMeter,
    clients: int,
    seconds: int,
) -> dict[str, dict[str, Any]]:
    """Each kind alone: requests, CPU seconds per part, client CPU, wall figures."""
    rows: dict[str, dict[str, Any]] = {}
    hot = Targets(found.names[:HIT_NAMES], found.requestable)
    for label, kind, path in kinds:
        targets_used = hot if path == "hit" else found
        if path == "hit":
            warm_pages(url, targets_used.names)
        # every worker compiles its templates on its first pages: not part of the steady cost
        run_load(url, {kind: 1}, targets_used, tokens, clients, 3, bust_cache=path == "miss")
        meter.background()
        run = run_load(
            url,
            {kind: 1},
            targets_used,
            tokens,
            clients,
            seconds,
            bust_cache=path == "miss",
            meter=meter,
        )
        outcomes = run["outcomes"]
        n = len(outcomes)
        cpu = run["server_cpu"]
        row = {
            "kind": kind,
            "requests": n,
            "errors": sum(not o.ok for o in outcomes),
            "cached": sum(o.cached for o in outcomes) / max(n, 1),
            "parts": {
                # CPU ms per request; searches per request
                part: cpu.get(part, 0.0) * (1 if part == "solr queries" else 1000) / max(n, 1)
                for part in (*PARTS, "solr handler", "solr queries")
            },
            "server": server_ms(cpu) * 1000 / max(n, 1),
            "client": run["client_cpu"] * 1000 / max(n, 1),
            "rate": n / run["elapsed"],
            "mean": statistics.fmean(o.ms for o in outcomes) if outcomes else float("nan"),
            "load": run["load"][1][0],
        }
        rows[label] = row
        parts = " ".join(
            f"{row['parts'][p]:>7.1f}" for p in (*PARTS, "solr handler", "solr queries")
        )
        print(
            f"  {label:<12} {n:>6} {row['errors']:>4} {row['cached']:>6.0%} {parts} "
            f"{row['server']:>7.1f} {row['client']:>6.1f} {row['rate']:>6.1f} "
            f"{row['mean']:>7.0f} {row['load']:>5.1f}",
            flush=True,
        )
    return rows


def demand_header(clients: int, seconds: int) -> None:
    print(
        f"  each kind alone, {clients} clients never pausing, {seconds} s; CPU ms per request "
        "(server parts; solr: the shared JVM less its idle rate, solr-own: the core's handler "
        "time, solr-q: searches per request; server: their sum with the smaller Solr figure; "
        "the client); wall: req/s and mean ms at that concurrency, load average after"
    )
    parts = " ".join(f"{p:>7}" for p in (*PARTS, "solr-own", "solr-q"))
    print(
        f"  {'kind':<12} {'reqs':>6} {'err':>4} {'cached':>6} {parts} {'server':>7} "
        f"{'client':>6} {'req/s':>6} {'mean':>7} {'load':>5}"
    )


def per_request(rows: dict[str, dict[str, Any]], kind: str, hit: float, field: str) -> float:
    """CPU ms per request of a kind of the mix at a hit share (cached kinds: hit and miss)."""
    if f"{kind} hit" in rows:
        return hit * rows[f"{kind} hit"][field] + (1 - hit) * rows[f"{kind} miss"][field]
    return rows[kind][field]


REQUESTS_PER_CHOICE = {"request": 2}  # a client's "request" is create + approve


def mix_demand(
    rows: dict[str, dict[str, Any]], mix: dict[str, int], hits: dict[str, float], field: str
) -> float:
    """CPU ms per request of the mix (a client's choice of kind k makes n_k requests)."""
    weights = {k: w * REQUESTS_PER_CHOICE.get(k, 1) for k, w in mix.items()}
    total = sum(weights.values())
    return (
        sum(w * per_request(rows, k, hits.get(k, 0.0), field) for k, w in weights.items()) / total
    )


PAGE_CACHE_TTL = 60  # govcatalog.page_cache.ttl of config/ckan.ini.in, which the load ini uses


def hit_shares_at_bound(
    rows: dict[str, dict[str, Any]], names: int, ttl: int = PAGE_CACHE_TTL
) -> dict[str, float]:
    """The hit shares the mix would reach at its own throughput bound on this machine: search
    and home pages (24 searches, one home page) all hits; entry pages: each of ``names`` pages
    is kept for ``ttl`` s after a miss, so at a rate r per page the share is r*ttl / (1 + r*ttl).
    Solved for the fixed point X = cores / D(shares(X))."""
    cores = os.cpu_count() or 1
    shares = dict.fromkeys(MIX, 1.0)
    per_choice = sum(w * REQUESTS_PER_CHOICE.get(k, 1) for k, w in MIX.items()) / sum(MIX.values())
    rate = 10.0
    for _ in range(200):
        entry_rate = rate / per_choice * MIX["entry"] / sum(MIX.values()) / names * ttl
        shares["entry"] = entry_rate / (1 + entry_rate)
        d = mix_demand(rows, MIX, shares, "server") + mix_demand(rows, MIX, shares, "client")
        rate = cores * 1000 / d
    return shares


def print_bound(name: str, server_ms: float, client_ms: float, clients: int) -> None:
    cores = os.cpu_count() or 1
    x_server = cores * 1000 / server_ms
    x_machine = cores * 1000 / (server_ms + client_ms)
    print(
        f"  {name}: D = {server_ms:.1f} ms server (+ {client_ms:.1f} client) -> X_max = "
        f"{x_server:.1f} req/s with the clients elsewhere, {x_machine:.1f} on this machine; "
        f"least mean latency for {clients} never-pausing clients N/X_max = "
        f"{clients / x_server * 1000:.0f} / {clients / x_machine * 1000:.0f} ms (target p95 < 300)"
    )


def demand(args: argparse.Namespace, ini: str, stock_ini: str, tokens: dict[str, str]) -> None:
    """--demand: the CPU each kind of request costs, both sides, and the bound it sets."""
    clients, seconds = args.demand_clients, args.demand_seconds
    print(
        f"\nservice demand ({os.cpu_count()} cores; load average now "
        f"{os.getloadavg()[0]:.1f}). CPU seconds per request move far less with other load on "
        "the machine than wall times do (10-20 % between runs at load 5-9 here, wall times "
        "several-fold): a sound figure on a shared machine."
    )
    leaders: list[int] = []
    with served(ini, args.port, args.workers, "ours", jobs=True, leaders=leaders) as url:
        found = targets(url, tokens, with_requests=True)
        meter = DemandMeter(
            {"gunicorn": leaders[0], "jobs": leaders[1]}, (DB, "govcatalog_datastore"), CORE
        )
        print(f"\ngovcatalog ({args.workers} workers):")
        demand_header(clients, seconds)
        ours = measure_demand(url, DEMAND_KINDS_OURS, found, tokens, meter, clients, seconds)
        # the hit share the real mix reaches: a whole-mix run as load.py runs it, also metered
        print(f"  whole mix, {args.clients} clients never pausing, {seconds * 2} s:", flush=True)
        meter.background()
        mixed = run_load(url, MIX, found, tokens, args.clients, seconds * 2, meter=meter)
        meter.close()
    summary = report("govcatalog, whole mix (metered)", mixed)
    hits = {k: summary[k]["cached"] for k in MIX if k in summary}
    n_mixed = len(mixed["outcomes"])
    mixed_server = server_ms(mixed["server_cpu"]) * 1000 / n_mixed
    mixed_client = mixed["client_cpu"] * 1000 / n_mixed

    leaders = []
    with served(
        stock_ini, args.stock_port, args.workers, "stock", jobs=False, leaders=leaders
    ) as url:
        meter = DemandMeter({"gunicorn": leaders[0]}, (STOCK_DB,), STOCK_CORE)
        print(f"\nstock CKAN 2.12 ({args.workers} workers):")
        demand_header(clients, seconds)
        stock = measure_demand(url, DEMAND_KINDS_STOCK, found, tokens, meter, clients, seconds)
        meter.close()

    shared_mix = {k: v for k, v in MIX.items() if k in SHARED}
    everything = dict.fromkeys(MIX, 1.0)
    at_bound = hit_shares_at_bound(ours, len(found.names))
    print("\nbound (utilisation law X <= cores / D; Little's law: mean latency = N / X):")
    print(
        "  hit shares the whole mix reached: " + ", ".join(f"{k} {v:.0%}" for k, v in hits.items())
    )
    for title, mix, rows, hit in (
        ("ours, whole mix, measured hit shares", MIX, ours, hits),
        (
            f"ours, whole mix, hit shares at its bound (entries {at_bound['entry']:.0%})",
            MIX,
            ours,
            at_bound,
        ),
        ("ours, whole mix, every anonymous page a hit", MIX, ours, everything),
        ("ours, shared parts, measured hit shares", shared_mix, ours, hits),
        ("ours, shared parts, every anonymous page a hit", shared_mix, ours, everything),
        ("stock, shared parts", shared_mix, stock, {}),
    ):
        print_bound(
            title,
            mix_demand(rows, mix, hit, "server"),
            mix_demand(rows, mix, hit, "client"),
            args.clients,
        )
    print_bound("ours, whole mix, metered directly", mixed_server, mixed_client, args.clients)
    print(
        f"  (whole mix metered: {n_mixed} requests at {n_mixed / mixed['elapsed']:.1f} req/s, "
        f"p95 {summary['all']['p95']:.0f} ms)"
    )


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
    parser.add_argument(
        "--demand",
        action="store_true",
        help="instead of the load runs: the CPU per request of each kind, both sides, and the "
        "throughput and latency bound it sets",
    )
    parser.add_argument("--demand-seconds", type=int, default=15, help="--demand: per kind")
    parser.add_argument("--demand-clients", type=int, default=4, help="--demand: per kind")
    args = parser.parse_args()
    if not 1 <= args.demand_clients <= MAX_CLIENTS or not 1 <= args.demand_seconds <= 120:
        raise SystemExit(f"--demand-clients must be 1..{MAX_CLIENTS}, --demand-seconds 1..120")
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
    if args.demand:
        demand(args, ini, stock_ini, tokens)
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
