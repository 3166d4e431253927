#!/usr/bin/env python
"""Load: concurrent users against the production mode, govcatalog beside stock CKAN 2.12.

    .venv/bin/python scripts/bench/load.py [--clients 32] [--seconds 60] [--workers 4]
        [--port 5036] [--stock-port 5037] [--corpus-limit 0] [--reuse]

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

Each client repeats, without pause, one of (weights of issue 13):
  search  50 %  /dataset/?q=<word from the corpus> (a quarter of them with a facet filter; the
                page shows the facets: 13 on ours, CKAN's 4 on stock)
  entry   20 %  /dataset/<name> of an entry anonymous users may see
  api     20 %  /api/3/action/package_show?id=<name> with a government user's API token
  home     5 %  /
  request  5 %  access_request_create by a government user, then access_request_approve by the
                providing department's admin (two API calls; ours only)
Three runs: ours with the whole mix; stock with the shared four (weights in the same
proportion); ours again with the shared four, for the like-for-like throughput ratio.

Prints, per run and kind: requests, errors, p50/p95/p99 in ms, and throughput; then the ratios
(targets: 0 errors, p95 < 300 ms, throughput >= 0.8x stock on the shared parts). The machine's
load average before and after each run is printed: other work on a shared machine slows both.

Measured 2026-11-30 07:24-07:28 on this 2-core machine (one run; load average 4.4-5.2 during the
runs, which includes the two servers, the 32 client threads, Solr and PostgreSQL; other
engineers' work was lighter then than the 7-13 of the hour before), 32 clients, 60 s, 4 workers,
365 demo entries + 23 information systems + 9,832 corpus records (2 refused by the rules):
  ours, whole mix      12.9 req/s, 0 errors of 796; p50 2,176 ms, p95 3,817, p99 5,843
                       (access requests: 90 calls, 0 errors, p95 3,498 ms)
  ours, shared parts   17.7 req/s, 0 errors of 1,115; p50 1,707, p95 2,854, p99 3,403
  stock, shared parts  17.0 req/s, 0 errors of 1,037; p50 1,879, p95 2,559, p99 3,106
  -> throughput 1.04x stock on the shared parts (search 1.03x, entry page 1.02x, API 1.06x,
     home 1.08x); p95 1.12x stock's.
Targets: 0 errors and >= 0.8x met; p95 < 300 ms NOT met by either side: 32 clients that never
pause, on two cores that serve ~17 requests/s, wait ~1.9 s on average by Little's law (32 /
17 req/s); the p95 target needs several times this machine's CPU (or fewer clients), for stock
CKAN as for ours.
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
def served(ini: str, port: int, workers: int, name: str, jobs: bool) -> Iterator[str]:
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
    ) -> None:
        super().__init__(daemon=True)
        self.random = random.Random(n)
        self.url, self.mix, self.found, self.tokens, self.until = url, mix, found, tokens, until
        self.locks = locks
        self.session = requests.Session()
        self.outcomes: list[Outcome] = []

    def run(self) -> None:
        kinds, weights = list(self.mix), list(self.mix.values())
        while time.monotonic() < self.until:
            kind = self.random.choices(kinds, weights)[0]
            getattr(self, kind)()

    def _timed(self, kind: str, method: str, path: str, **kw: Any) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.url + path, timeout=60, **kw)
            ok = response.status_code == 200
            detail = "" if ok else f"{response.status_code} {path}"
        except requests.RequestException as error:
            response, ok, detail = None, False, f"{type(error).__name__} {path}"
        self.outcomes.append(Outcome(kind, (time.perf_counter() - started) * 1000, ok, detail))
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
) -> dict[str, Any]:
    locks = {entry_id: threading.Lock() for entry_id, _d, _x in found.requestable}
    # a warm-up request per kind, so that no worker's first (cold) request is timed
    warm = Client(-1, url, mix, found, tokens, 0, locks)
    for kind in mix:
        getattr(warm, kind)()
    load_before = os.getloadavg()
    until = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [Client(n, url, mix, found, tokens, until, locks) for n in range(clients)]
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
        f"{'p99 ms':>8} {'req/s':>7}"
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
        }
        summary[kind] = row
        print(
            f"  {kind:<8} {row['requests']:>8} {row['errors']:>6} {row['p50']:>8.0f} "
            f"{row['p95']:>8.0f} {row['p99']:>8.0f} {row['rate']:>7.1f}"
        )
    errors = [o.detail for o in outcomes if not o.ok]
    if errors:
        print("  first errors:", "; ".join(sorted(set(errors))[:5]))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, both sides")
    parser.add_argument("--port", type=int, default=5036)
    parser.add_argument("--stock-port", type=int, default=5037)
    parser.add_argument("--corpus-limit", type=int, default=0, help="0: every record")
    parser.add_argument("--reuse", action="store_true", help="the databases of the last run")
    parser.add_argument("--setup-only", action="store_true", help="set up, then stop")
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.seconds <= MAX_SECONDS):
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --seconds 1..{MAX_SECONDS}")

    if args.reuse:
        ini, stock_ini = os.path.join(DATA, "load.ini"), os.path.join(DATA, "load_stock.ini")
        with open(os.path.join(DATA, "load-tokens.json"), encoding="utf-8") as f:
            tokens = json.load(f)
    else:
        ini, stock_ini, tokens = set_up(args.corpus_limit)
        if args.setup_only:
            return
    shared_mix = {k: v for k, v in MIX.items() if k in SHARED}

    with served(ini, args.port, args.workers, "ours", jobs=True) as url:
        found = targets(url, tokens, with_requests=True)
        print(
            f"\nours: {len(found.names)} entries for pages, {len(found.requestable)} "
            f"requestable; {args.clients} clients, {args.seconds} s, {args.workers} workers"
        )
        if not found.requestable:
            raise SystemExit("no entry the requester may request: the demo catalog changed?")
        ours = report(
            "govcatalog, whole mix", run_load(url, MIX, found, tokens, args.clients, args.seconds)
        )
        ours_shared = report(
            "govcatalog, shared parts only",
            run_load(url, shared_mix, found, tokens, args.clients, args.seconds),
        )
    with served(stock_ini, args.stock_port, args.workers, "stock", jobs=False) as url:
        stock = report(
            "stock CKAN 2.12, shared parts",
            run_load(url, shared_mix, found, tokens, args.clients, args.seconds),
        )

    print("\nshared parts, like for like (same mix, same gunicorn settings):")
    for kind in [*SHARED, "shared"]:
        a, b = ours_shared.get(kind), stock.get(kind)
        if a and b:
            print(
                f"  {kind:<8} throughput {a['rate']:.1f} vs {b['rate']:.1f} req/s = "
                f"{a['rate'] / b['rate']:.2f}x; p95 {a['p95']:.0f} vs {b['p95']:.0f} ms"
            )
    whole = ours["all"]
    print(
        f"\ntargets: errors {whole['errors']} (0), p95 {whole['p95']:.0f} ms (< 300), "
        f"shared throughput {ours_shared['shared']['rate'] / stock['shared']['rate']:.2f}x "
        "stock (>= 0.8)"
    )


if __name__ == "__main__":
    main()
