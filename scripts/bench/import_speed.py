#!/usr/bin/env python
"""Import speed: the govcatalog import fast path against stock CKAN loading the same entries.

    .venv/bin/python scripts/bench/import_speed.py -n 2000 [--stock-n 1000] [--full 100000]
        [--no-stock] [--port 5077]

Fast path: bulk/importer.import_rows (every row through the catalog schema's validators, then
bulk/fastpath/) on its own database (govcatalog_import) and Solr core (ckan_import, created on
the govcatalog configset when missing), so that it can run while the search benchmarks use
govcatalog_bench, ckan_bench and ckan_stock; the real catalog schema of .data/ckan.ini; N
generated entries of 10 data items each.

Stock CKAN, the way users load catalogs today: a second ``ckan run`` on --port from a rendered
.data/bench_import_stock.ini (plain CKAN 2.12 with only the activity plugin and its default dataset
schema, database govcatalog_import_stock, the ckan_import_stock core on the ckan-stock
configset), a sysadmin API token, and
``ckanapi load datasets`` of the same entries as JSON lines. Stock CKAN has no schema for the
catalog fields, so each entry carries them as extras (strings; the 10 data items as one JSON
extra ``data_items``, the themes as a JSON list), keywords as tags, the same name and title.
Only --stock-n entries go to stock CKAN (its rate is steady); the site is stopped at the end.

--full M also times M entries through the fast path (into a fresh database) at the end. Both
sides start from an empty database and an empty Solr core.

Measured 2026-11-27 on this 2-core machine (three runs): fast path 342-393 entries/s (N=2,000),
stock 15.5-18.1 entries/s (N=1,000) -> 21.6-22.0x; 100,000 entries in 256-288 s (4.3-4.8 min)
with the checks of the run passing (100,000 Solr documents and "new package" activities, audit
chain verifies). The run costs ~5 ms of CPU per entry, most of it the three schema passes of
CKAN's validation framework (create, and the default and catalog show schemas); rows are checked
in two processes, and while one chunk is inserted two forked workers build the previous chunk's
package_show dicts and a thread sends documents to Solr. Before that (one process for writing,
one query per row for its URL name, Python's collector walking the whole application) it was
188-195 entries/s (12.4x).

Measured 2026-11-30 on a machine shared by ~8 sessions (load average 7-17, one run each): with
CKAN's user and organization reads answered by bulk/fastpath/ckan_checks.py instead of a
classmethod override of model.Group.get/User.get, 17.0 entries/s vs stock 1.1 (15.4x); before
the change, 13.4 entries/s vs stock 1.5 (~9x). Checking alone, the two ways alternated in one
process: 87 vs 82 and 34 vs 38 rows/s (no difference beyond noise); with neither, 14 rows/s.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, ".data")
BIN = os.path.join(ROOT, ".venv", "bin")
PG = os.path.join(ROOT, "scripts", "services", "postgres.sh")
# names of this benchmark's own: the search benchmarks empty govcatalog_bench and its cores
BENCH_DB, STOCK_DB = "govcatalog_import", "govcatalog_import_stock"
BENCH_CORE, STOCK_CORE = "ckan_import", "ckan_import_stock"


def _base() -> tuple[str, str]:
    with open(os.path.join(DATA, "ckan.ini"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    url = next(x for x in lines if x.startswith("sqlalchemy.url")).split("=", 1)[1].strip()
    solr = next(x for x in lines if x.startswith("solr_url")).split("=", 1)[1].strip()
    return url.rsplit("/", 1)[0], solr.rsplit("/", 1)[0]


def render_ini(name: str, db: str, core: str, extra: str = "") -> str:
    db_base, solr_base = _base()
    path = os.path.join(DATA, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            f"[app:main]\nuse = config:{os.path.join(DATA, 'ckan.ini')}\n"
            f"sqlalchemy.url = {db_base}/{db}\nsolr_url = {solr_base}/{core}\n"
            f"ckan.site_id = {db}\n{extra}"
        )
    return path


def ckan(ini: str, *args: str) -> str:
    done = subprocess.run(
        [os.path.join(BIN, "ckan"), "-c", ini, *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def fresh_db(ini: str, db: str, core: str, plugins: tuple[str, ...]) -> None:
    """A new database and an empty Solr core: both sides start from nothing (the search
    benchmarks leave up to 100,000 documents of their own in these cores, which would make every
    commit slower)."""
    subprocess.run([PG, "dropdb", db], check=False, capture_output=True)
    subprocess.run([PG, "createdb", db], check=True, capture_output=True)
    ckan(ini, "db", "init")
    for plugin in plugins:
        ckan(ini, "db", "upgrade", "-p", plugin)
    benchlib.clear_core(core)


def generated(n: int, org: str, offset: int = 0) -> list[dict]:
    """N catalog entries of 10 data items each, in the three classes and three share types."""
    classes = [("basic", "人口"), ("thematic", "公共服务"), ("departmental", None)]
    types = ["C", "N", "D", "I"]
    out = []
    for i in range(offset, offset + n):
        cls, item = classes[i % 3]
        share = ["unconditional", "conditional", "none"][i % 3]
        e = {
            "title": f"石泉县测试信息资源{i:06d}",
            "notes": f"第{i}条基准测试信息资源的摘要，包含人口、法人等基础信息。",
            "owner_org": org,
            "catalog_class": cls,
            "format_category": "数据库",
            "format_type": "达梦 DM8 数据表",
            "share_type": share,
            "share_mode": "库表",
            "open_type": "open" if share == "unconditional" else "closed",
            "update_cycle": "每月",
            "publish_date": "2023-02-16",
            "data_grade": "一般数据",
            "source_org": "bench-org",
            "steward": "张三 0915-1234567",
            "theme": ["公共服务"],
            "tag_string": "人口,户籍",
            "data_items": [
                {
                    "name": f"字段{k}",
                    "data_type": types[k % 4],
                    "length": 10 + k,
                    "description": f"第{k}个信息项",
                    "personal_info": "no",
                }
                for k in range(10)
            ],
        }
        if item:
            e["catalog_item"] = item
        if share != "unconditional":
            e["share_condition"] = "仅限县内政务部门依法履职使用。"
        out.append(e)
    return out


# ---- the fast path --------------------------------------------------------------------------


def _bar(phase: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r  {phase:<6} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def fast_path(n: int) -> tuple[float, list[dict]]:
    """Seconds to import n entries into a fresh bench database; the entries, for stock."""
    benchlib.ensure_core(BENCH_CORE, "govcatalog")
    ini = render_ini("bench_import.ini", BENCH_DB, BENCH_CORE)
    fresh_db(ini, BENCH_DB, BENCH_CORE, ("activity", "govcatalog"))
    code = f"""
import json, sys, time
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import import_speed as b
from ckan.cli import load_config
from ckan.config.middleware import make_app
app = make_app(load_config({ini!r}))
with app._wsgi_app.test_request_context():
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckanext.activity.model import Activity
    from ckanext.govcatalog.audit import log as chain
    from ckanext.govcatalog.bulk import importer, layout
    site = tk.get_action("get_site_user")({{"ignore_auth": True}}, {{}})["name"]
    org = tk.get_action("organization_create")({{"user": site}}, {{
        "name": "bench-org", "title": "石泉县基准测试局", "division_code": "610922"}})
    rows = [importer.Row(i + 2, str(i + 1), e, {{}})
            for i, e in enumerate(b.generated({n}, org["id"]))]
    started = time.perf_counter()
    result = importer.import_rows(rows, site, lay=layout.layout(), progress=b._bar,
                                  processes=None)
    elapsed = time.perf_counter() - started
    assert not result.problems, result.problems[:3]
    found = tk.get_action("package_search")({{"user": site}}, {{"q": "*:*", "rows": 0,
        "include_private": True}})["count"]
    acts = model.Session.query(Activity).filter(Activity.activity_type == "new package").count()
    audits = chain.count()
    assert found == acts == {n} and audits >= {n}, (found, acts, audits)
    names = [p.name for p in model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset").order_by(model.Package.title)]
    print(json.dumps({{"elapsed": elapsed, "names": names, "verify": chain.verify().ok}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["verify"], "audit chain does not verify"
    entries = generated(n, "bench-org")
    for e, name in zip(entries, out["names"], strict=True):
        e["name"] = name
    return out["elapsed"], entries


# ---- stock CKAN -----------------------------------------------------------------------------


def stock_line(e: dict) -> dict:
    """An entry as stock CKAN takes it: catalog fields as extras (see the module docstring)."""
    extras = []
    for key, value in e.items():
        if key in ("name", "title", "notes", "owner_org", "tag_string"):
            continue
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        extras.append({"key": key, "value": value})
    return {
        "name": e["name"],
        "title": e["title"],
        "notes": e["notes"],
        "owner_org": "bench-org",
        "tags": [{"name": t} for t in e["tag_string"].split(",")],
        "extras": extras,
    }


def _wait(url: str, proc: subprocess.Popen, seconds: int = 120) -> None:
    for _ in range(seconds * 2):
        if proc.poll() is not None:
            raise RuntimeError("the stock CKAN site exited; see .data/logs/bench-import-stock.log")
        try:
            with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the stock CKAN site did not answer")


def stock(entries: list[dict], port: int) -> float:
    """Seconds for ckanapi load datasets of the entries into a fresh stock CKAN site."""
    url = f"http://127.0.0.1:{port}"
    benchlib.ensure_core(STOCK_CORE, "ckan-stock")
    ini = render_ini(
        "bench_import_stock.ini",
        STOCK_DB,
        STOCK_CORE,
        f"ckan.plugins = activity\nckan.site_url = {url}\n",
    )
    fresh_db(ini, STOCK_DB, STOCK_CORE, ("activity",))
    ckan(ini, "user", "add", "benchadmin", "email=bench@example.invalid", "password=Bench-12345")
    ckan(ini, "sysadmin", "add", "benchadmin")
    token = (
        ckan(ini, "user", "token", "add", "benchadmin", "bench").strip().splitlines()[-1].strip()
    )
    path = os.path.join(DATA, "bench_import_stock.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(stock_line(e), ensure_ascii=False) + "\n")
    os.makedirs(os.path.join(DATA, "logs"), exist_ok=True)
    with open(os.path.join(DATA, "logs", "bench-import-stock.log"), "w") as log:
        proc = subprocess.Popen(
            [
                os.path.join(BIN, "ckan"),
                "-c",
                ini,
                "run",
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
                "--disable-reloader",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait(url, proc)
        subprocess.run(
            [
                os.path.join(BIN, "ckanapi"),
                "action",
                "organization_create",
                "-r",
                url,
                "-a",
                token,
                "name=bench-org",
                "title=石泉县基准测试局",
            ],
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        subprocess.run(
            [
                os.path.join(BIN, "ckanapi"),
                "load",
                "datasets",
                "-I",
                path,
                "-r",
                url,
                "-a",
                token,
                "-l",
                os.path.join(DATA, "logs", "bench-import-stock-load.log"),
                "-q",
            ],
            check=True,
            # ckanapi starts its workers as `ckanapi` from PATH
            env=dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", "")),
        )
        elapsed = time.perf_counter() - started
        with urllib.request.urlopen(
            url + "/api/3/action/package_search?rows=0&include_private=true", timeout=30
        ) as r:
            count = json.load(r)["result"]["count"]
        assert count == len(entries), (count, len(entries))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="entries through the fast path")
    parser.add_argument("--stock-n", type=int, default=1000, help="entries into stock CKAN")
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--full", type=int, default=0, help="then time this many (e.g. 100000)")
    args = parser.parse_args()

    seconds, entries = fast_path(args.n)
    fast = args.n / seconds
    print(f"govcatalog fast path: {args.n} entries in {seconds:.1f} s = {fast:.1f} entries/s")
    if not args.no_stock:
        n = min(args.stock_n, len(entries))
        slow_seconds = stock(entries[:n], args.port)
        slow = n / slow_seconds
        print(
            f"stock CKAN, ckanapi load datasets: {n} entries in {slow_seconds:.1f} s = "
            f"{slow:.1f} entries/s"
        )
        print(f"ratio: {fast / slow:.1f}x")
    if args.full:
        seconds, _entries = fast_path(args.full)
        print(
            f"govcatalog fast path: {args.full} entries in {seconds:.1f} s "
            f"({seconds / 60:.1f} min, {args.full / seconds:.1f} entries/s)"
        )


if __name__ == "__main__":
    main()
