#!/usr/bin/env python
"""Import speed: the govcatalog fast path against stock CKAN loading the same entries.

    .venv/bin/python scripts/bench/import_speed.py -n 2000 [--stock-url http://127.0.0.1:5055
        --stock-apikey TOKEN]

Works on its own database (govcatalog_bench, made with scripts/services/postgres.sh createdb) and
the ckan_bench Solr core, never on the served catalog. The fast path is bulk/importer.import_rows:
every entry through the schema's validators and package_create, one transaction, batched index.
The stock comparison is what users do today, `ckanapi load datasets` against a running stock CKAN
site (schema-less config, its own database and the ckan_stock core), given by --stock-url.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, ".data")
CKAN = os.path.join(ROOT, ".venv", "bin", "ckan")
DB = "govcatalog_bench"


def bench_ini(schema: str | None) -> str:
    with open(os.path.join(DATA, "ckan.ini"), encoding="utf-8") as f:
        base = f.read()
    url = next(line for line in base.splitlines() if line.startswith("sqlalchemy.url"))
    solr = next(line for line in base.splitlines() if line.startswith("solr_url"))
    path = os.path.join(DATA, "bench.ini")
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            f"[app:main]\nuse = config:{os.path.join(DATA, 'ckan.ini')}\n"
            f"{url.rsplit('/', 1)[0]}/{DB}\n"
            f"{solr.rsplit('/', 1)[0]}/ckan_bench\n"
            "ckan.site_id = govcatalog_bench\n"
            + (f"scheming.dataset_schemas = {schema}\n" if schema else "")
        )
    return path


def prepare(ini: str) -> None:
    subprocess.run([os.path.join(ROOT, "scripts/services/postgres.sh"), "dropdb", DB], check=False)
    subprocess.run([os.path.join(ROOT, "scripts/services/postgres.sh"), "createdb", DB], check=True)
    for cmd in (
        ["db", "init"],
        ["db", "upgrade", "-p", "activity"],
        ["db", "upgrade", "-p", "govcatalog"],
    ):
        subprocess.run([CKAN, "-c", ini, *cmd], check=True, capture_output=True)
    subprocess.run([CKAN, "-c", ini, "search-index", "clear"], check=True, capture_output=True)


def generated(n: int, org_id: str) -> list[dict]:
    """N entries of about 10 data items, as a data officer's sheet would hold them."""
    types = ["C", "N", "D", "I"]
    out = []
    for i in range(n):
        out.append(
            {
                "title": f"石泉县测试信息资源{i:06d}",
                "notes": f"第{i}条基准测试信息资源的摘要，包含人口、法人等基础信息。",
                "owner_org": org_id,
                "catalog_class": "departmental",
                "share_type": ["unconditional", "conditional", "none"][i % 3],
                "open_type": ["open", "conditional", "closed"][i % 3],
                "update_cycle": "monthly",
                "publish_date": "2023-02-16",
                "tag_string": "人口,户籍",
                "steward": "张三 0915-1234567",
                "data_items": [
                    {
                        "name": f"字段{k}",
                        "data_type": types[k % 4],
                        "length": str(10 + k),
                        "description": f"第{k}个信息项",
                        "personal_info": "no",
                    }
                    for k in range(10)
                ],
            }
        )
    return out


def fast_path(ini: str, n: int) -> float:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        import ckan.plugins.toolkit as tk

        from ckanext.govcatalog.bulk import importer, layout

        site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        org = tk.get_action("organization_create")(
            {"user": site}, {"name": "bench-org", "title": "基准测试部门"}
        )
        entries = generated(n, org["id"])
        rows = [importer.Row(i + 2, str(i + 1), e, {}) for i, e in enumerate(entries)]
        lay = layout.layout()
        started = time.perf_counter()
        result = importer.import_rows(rows, site, lay=lay)
        elapsed = time.perf_counter() - started
        if result.problems:
            sys.exit(f"fast path refused the rows: {result.problems[:3]}")
        count = tk.get_action("package_search")({"user": site}, {"q": "*:*", "rows": 0})["count"]
        assert count == n, (count, n)
        with open(os.path.join(DATA, "bench_entries.jsonl"), "w", encoding="utf-8") as f:
            for e in entries:
                f.write(json.dumps(dict(e, owner_org="bench-org"), ensure_ascii=False) + "\n")
    return n / elapsed


def stock(url: str, apikey: str, n: int) -> float:
    path = os.path.join(DATA, "bench_entries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "load.log")
        started = time.perf_counter()
        subprocess.run(
            [
                os.path.join(ROOT, ".venv/bin/ckanapi"),
                "load",
                "datasets",
                "-I",
                path,
                "-r",
                url,
                "-a",
                apikey,
                "-l",
                log,
                "-p",
                "1",
            ],
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--schema", help="scheming.dataset_schemas for the run (default: ckan.ini)")
    parser.add_argument("--stock-url")
    parser.add_argument("--stock-apikey")
    args = parser.parse_args()
    ini = bench_ini(args.schema)
    prepare(ini)
    fast = fast_path(ini, args.n)
    print(f"govcatalog fast path: {args.n} entries, {fast:.1f} entries/s")
    if args.stock_url:
        slow = stock(args.stock_url, args.stock_apikey or "", args.n)
        print(f"stock CKAN (ckanapi load datasets): {slow:.1f} entries/s")
        print(f"ratio: {fast / slow:.1f}x")
    else:
        print("stock CKAN: skipped (no --stock-url given)")


if __name__ == "__main__":
    main()
