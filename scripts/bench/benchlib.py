"""Shared pieces of the search benchmarks (scripts/bench/search_*.py).

* ``start_ckan()`` loads .data/ckan.ini with the benchmark's own database (govcatalog_bench, created
  and migrated on first use) and the ``ckan_bench`` Solr core, and builds the app (plugins loaded).
  A benchmark that must not share them (search_relevance.py runs beside import_speed.py) passes its
  own database and cores (``Cores``); ``ensure_core`` creates a core on its configset if missing.
* ``read_corpus()`` turns the real records of /work/shared/corpus into catalog entries.
* ``solr_docs()`` builds the Solr documents exactly as CKAN's indexer does: it runs
  ``ckan.lib.search.index.PackageSearchIndex.index_package`` (with every loaded plugin's
  ``before_dataset_index``) on a package dict shaped like ``package_show``'s unvalidated output, and
  captures the document instead of sending it one by one. ``post_docs()`` then sends them in
  batches to one core. With the govcatalog plugin unloaded the same call yields stock CKAN's
  document, which goes to ``ckan_stock`` (stock CKAN 2.12 schema).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple
from unittest import mock

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.environ.get("GOVCATALOG_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
SOLR = "http://127.0.0.1:{}/solr".format(os.environ.get("GOVCATALOG_SOLR_PORT", "8983"))
BENCH_CORE, STOCK_CORE = "ckan_bench", "ckan_stock"
BENCH_DB = "govcatalog_bench"
PLUGIN = "govcatalog"


class Cores(NamedTuple):
    """The two Solr cores a side-by-side benchmark writes: govcatalog's and stock CKAN's."""

    bench: str = BENCH_CORE
    stock: str = STOCK_CORE


BENCH_CORES = Cores()


# ---------------------------------------------------------------- CKAN set-up


def start_ckan(db: str = BENCH_DB, core: str = BENCH_CORE) -> Any:
    """Loads CKAN on a benchmark database and core; returns the Flask app."""
    ini = os.path.join(ROOT, ".data", "ckan.ini")
    subprocess.run(
        [os.path.join(ROOT, "scripts", "services", "postgres.sh"), "createdb", db],
        check=True,
        capture_output=True,
    )
    from ckan.cli import load_config

    conf = load_config(ini)
    url = conf["sqlalchemy.url"].rsplit("/", 1)[0] + "/" + db
    conf["sqlalchemy.url"] = url
    conf["solr_url"] = f"{SOLR}/{core}"
    conf["ckan.tracking_enabled"] = "false"
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    os.environ["CKAN_SOLR_URL"] = conf["solr_url"]
    _migrate(ini)
    from ckan.config.middleware import make_app

    return make_app(conf)


def _migrate(ini: str) -> None:
    ckan = os.path.join(ROOT, ".venv", "bin", "ckan")
    for args in (["db", "init"], ["db", "pending-migrations", "--apply"]):
        subprocess.run([ckan, "-c", ini, *args], check=True, capture_output=True)


def ensure_core(core: str, configset: str) -> None:
    """Creates the Solr core on a configset of config/solr/configsets unless it answers."""
    ping = requests.get(f"{SOLR}/{core}/admin/ping", params={"wt": "json"}, timeout=10)
    if ping.status_code == 200:
        return
    r = requests.get(
        f"{SOLR}/admin/cores",
        params={"action": "CREATE", "name": core, "configSet": configset, "wt": "json"},
        timeout=120,
    )
    r.raise_for_status()


def use_core(core: str) -> None:
    """Points CKAN's search code (make_connection reads the config each call) at a core."""
    from ckan.common import config

    config["solr_url"] = f"{SOLR}/{core}"


# ---------------------------------------------------------------- corpus


def _clean(v: Any) -> str:
    v = "" if v is None else str(v).strip()
    return "" if v in ("暂无", "无", "[]") else v


def _split(v: Any, seps: str = ",，;；、 ") -> list[str]:
    if isinstance(v, list):
        items = [str(x) for x in v]
    else:
        s = _clean(v).strip("[]").replace("'", "")
        for sep in seps[1:]:
            s = s.replace(sep, seps[0])
        items = s.split(seps[0])
    return [i.strip() for i in items if i and i.strip() and i.strip() != "暂无"]


def _open_type(v: str) -> str:
    v = _clean(v)
    return "open" if v.startswith("无条件") else "conditional" if v.startswith("有条件") else ""


def _record(src: str, r: dict[str, Any]) -> dict[str, Any]:
    """One corpus record -> a plain entry (title, notes, provider, theme, tags, items ...)."""
    if src == "aba":
        return {
            "title": r["subjectBaseName"],
            "notes": _clean(r.get("tableRemark")),
            "provider": _clean(r.get("orgName")) or "阿坝州",
            "theme": _split(r.get("fieldName")),
            "tags": _split(r.get("label")),
            "open_type": _open_type(r.get("openTypeName", "")),
            "update_cycle": _clean(r.get("frequency")),
            "formats": _split(r.get("dataType")),
            "items": [],
        }
    if src in ("deyang", "shaanxi"):
        return {
            "title": r["标题"],
            "notes": _clean(r.get("资源摘要") or r.get("描述")),
            "provider": _clean(r.get("资源提供方") or r.get("来源部门")) or src,
            "theme": _split(r.get("领域名称") or r.get("所属主题") or ""),
            "tags": _split(r.get("标签") or ""),
            "open_type": _open_type(r.get("开放类型", "")),
            "update_cycle": _clean(r.get("更新周期")),
            "formats": _split(r.get("资源格式") or r.get("数据格式") or ""),
            "items": [],
        }
    if src in ("harbin", "foshan"):
        return {
            "title": r["数据目录名称"],
            "notes": _clean(r.get("简介")),
            "provider": _clean(r.get("来源部门")) or src,
            "theme": _split(r.get("所属主题") or ""),
            "tags": _split(r.get("标签") or "", ",，"),
            "open_type": _open_type(r.get("开放状态", "")),
            "update_cycle": _clean(r.get("更新频率")),
            "formats": _split(r.get("数据格式") or ""),
            "items": [],
        }
    if src == "putuo":
        cols = [c for c in r.get("columns") or [] if c and c != "入库数据名称"]
        return {
            "title": r["resource_name"],
            "notes": "",
            "provider": _clean(r.get("dept_inferred")) or "普陀区",
            "theme": [],
            "tags": [],
            "open_type": "",
            "update_cycle": "",
            "formats": ["xls"],
            "items": cols,
        }
    raise ValueError(src)


_PREFIX = {
    "aba": "aba",
    "deyang": "deyang",
    "shaanxi": "shaanxi",
    "harbin": "hrb",
    "foshan": "fs",
    "putuo": "putuo",
}


class CorpusMissing(SystemExit):
    """The corpus folder is missing or holds none of the corpus files. A SystemExit, so that a
    benchmark stops with the message (naming the folder) rather than a traceback."""


def corpus_files() -> list[str]:
    """The corpus's record files (<source>_*.jsonl); raises CorpusMissing when there are none."""
    folder = os.path.abspath(CORPUS)
    files = [
        path
        for path in sorted(glob.glob(os.path.join(folder, "*.jsonl")))
        if os.path.basename(path).split("_")[0] in _PREFIX
    ]
    if not files:
        found = "does not exist" if not os.path.isdir(folder) else "holds no corpus records"
        raise CorpusMissing(
            f"benchmark stopped: the corpus folder {folder} {found} (expected "
            f"{', '.join(f'{src}_*.jsonl' for src in _PREFIX)}). Put the shared corpus there "
            "(../shared/corpus beside the checkout) or set GOVCATALOG_CORPUS to its folder."
        )
    return files


def read_corpus() -> list[dict[str, Any]]:
    out = []
    for path in corpus_files():
        src = os.path.basename(path).split("_")[0]
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                e = _record(src, r)
                e["id"] = r["id"]
                e["source"] = src
                out.append(e)
    return out


# ---------------------------------------------------------------- package dicts and Solr docs


def org_for(provider: str) -> dict[str, Any]:
    h = hashlib.md5(provider.encode("utf-8")).hexdigest()[:10]
    return {
        "id": "org-" + h,
        "name": "org-" + h,
        "title": provider,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "description": "",
        "image_url": "",
        "created": "2024-01-01T00:00:00",
        "approval_status": "approved",
    }


def package_dict(e: dict[str, Any], extra_fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """The dict package_show(validate=False) returns for an entry, plus ``with_custom_schema``."""
    org = org_for(e["provider"])
    now = dt.datetime(2025, 1, 1).isoformat()
    fields = {
        "open_type": e.get("open_type") or "",
        "update_cycle": e.get("update_cycle") or "",
        "theme": json.dumps(e.get("theme") or [], ensure_ascii=False),
        "data_items": json.dumps([{"name": n} for n in e.get("items") or []], ensure_ascii=False),
    }
    fields.update(extra_fields or {})
    extras = [{"key": k, "value": v} for k, v in fields.items() if v not in ("", None)]
    slug = "e-" + hashlib.md5(e["id"].encode()).hexdigest()[:16]
    base = {
        "id": e["id"],
        "name": slug,
        "title": e["title"],
        "notes": e.get("notes") or "",
        "type": "dataset",
        "state": "active",
        "private": False,
        "owner_org": org["id"],
        "organization": org,
        "metadata_created": now,
        "metadata_modified": now,
        "license_id": "",
        "url": "",
        "version": "",
        "author": "",
        "maintainer": "",
        "tags": [{"name": t[:100], "display_name": t[:100], "state": "active"} for t in e["tags"]],
        "groups": [],
        "resources": [
            {
                "id": f"{e['id']}-r{i}",
                "name": e["title"],
                "format": fmt,
                "url": "",
                "description": "",
            }
            for i, fmt in enumerate(e.get("formats") or [])
        ],
        "relationships_as_subject": [],
        "relationships_as_object": [],
        "extras": extras,
    }
    validated = dict(base)
    validated.pop("extras")
    validated.update(dict(fields.items()))
    validated["theme"] = e.get("theme") or []
    validated["data_items"] = [{"name": n} for n in e.get("items") or []]
    base["with_custom_schema"] = validated
    return base


class _Capture:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **kw: Any) -> None:
        self.docs.extend(docs)


def solr_docs(pkgs: Iterable[dict[str, Any]], labels: Any = None) -> list[dict[str, Any]]:
    """Solr documents as CKAN's indexer builds them for the plugins loaded now.

    ``labels(pkg_dict) -> list[str]`` replaces the permission labels, which index_package takes
    from the database row (these entries have none).
    """
    from ckan.lib.search import index as ckan_index

    capture = _Capture()
    indexer = ckan_index.PackageSearchIndex()
    with (
        mock.patch.object(ckan_index, "make_connection", lambda *a, **k: capture),
        mock.patch.object(ckan_index.model.Package, "get", classmethod(lambda cls, ref: None)),
    ):
        for pkg in pkgs:
            before = len(capture.docs)
            indexer.index_package(pkg, defer_commit=True)
            if labels is not None and len(capture.docs) > before:
                capture.docs[-1]["permission_labels"] = labels(pkg)
    return capture.docs


def chunks(seq: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def clear_core(core: str) -> None:
    r = requests.post(
        f"{SOLR}/{core}/update?commit=true",
        json={"delete": {"query": "*:*"}},
        timeout=120,
    )
    r.raise_for_status()


def post_docs(
    core: str, docs: list[dict[str, Any]], batch: int = 2000, commit: bool = True
) -> None:
    for part in chunks(docs, batch):
        r = requests.post(f"{SOLR}/{core}/update", json=part, timeout=600)
        if r.status_code != 200:
            raise RuntimeError(f"Solr {core} rejected a batch: {r.text[:500]}")
    if commit:
        commit_core(core)


def commit_core(core: str) -> None:
    r = requests.get(f"{SOLR}/{core}/update?commit=true&waitSearcher=true", timeout=1200)
    r.raise_for_status()


def settle_core(core: str) -> None:
    """Merges the core's segments into one and waits, so that timings are not taken while Solr
    is still merging what a bulk load left behind (both cores get the same treatment)."""
    r = requests.get(
        f"{SOLR}/{core}/update?optimize=true&maxSegments=1&waitSearcher=true", timeout=1200
    )
    r.raise_for_status()


def load_both(
    pkgs: Any,
    labels: Any = None,
    stock_labels: Any = None,
    batch: int = 2000,
    cores: Cores = BENCH_CORES,
) -> tuple[int, int]:
    """Indexes the same package dicts into ckan_bench (govcatalog) and ckan_stock (stock CKAN),
    or into the given ``cores``.

    ``pkgs`` is a list, or a callable returning an iterator of chunks (lists) of package dicts,
    so that 100,000 entries need not sit in memory at once. ``labels``/``stock_labels`` give
    each document's permission labels in each core (default: CKAN's, i.e. none for entries
    that are not in the database).
    """
    import ckan.plugins as p

    chunked = pkgs if callable(pkgs) else (lambda: chunks(pkgs, 5000))
    clear_core(cores.bench)
    clear_core(cores.stock)
    n_bench = n_stock = 0
    for part in chunked():
        docs = solr_docs(part, labels)
        post_docs(cores.bench, docs, batch, commit=False)
        n_bench += len(docs)
    commit_core(cores.bench)
    with stock_ckan(cores):
        for part in chunked():
            docs = solr_docs(part, stock_labels if stock_labels is not None else labels)
            post_docs(cores.stock, docs, batch, commit=False)
            n_stock += len(docs)
    commit_core(cores.stock)
    assert p.plugin_loaded(PLUGIN)
    return n_bench, n_stock


class stock_ckan:
    """Context: the govcatalog plugin unloaded (stock indexing, stock package_search on
    ckan_stock). Loading/unloading a plugin re-reads the configuration, so the core is set after.
    """

    def __init__(self, cores: Cores = BENCH_CORES) -> None:
        self.cores = cores

    def __enter__(self) -> None:
        import ckan.plugins as p

        p.unload(PLUGIN)
        use_core(self.cores.stock)

    def __exit__(self, *exc: Any) -> None:
        import ckan.plugins as p

        p.load(PLUGIN)
        use_core(self.cores.bench)
