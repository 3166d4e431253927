"""Faults survived: Solr, PostgreSQL and Redis stopping, and storage that takes no file.

The services are shared by every test run on the machine, so none is ever stopped: each test puts
a loopback proxy (tests/ops/proxy.py) between its own CKAN and the real service and cuts that, or
points CKAN at a port where nothing listens. Storage failures are real failures of the operating
system (a file where a folder must be; a file size limit, as a full disk gives). Commands run as
an operator runs them, as ``ckan`` processes.

Each test checks what the user is told (a clear message in Chinese on pages, in the command's
language on the command line, never a stack trace), that nothing is half-written (the database
holds nothing the search index lacks, no resource without its file), and ends with the audit
chain verifying and the counts compared.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlparse

import ckan.lib.redis
import ckan.plugins.toolkit as tk
import pysolr
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action
from werkzeug.datastructures import MultiDict

from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.bulk import importer
from tests import factories
from tests.bulk.spreadsheets import FIXTURE_SCHEMA, entry_row, item_rows, xlsx
from tests.ops.forms import read_form, replace
from tests.ops.proxy import Proxy

CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
# what no page or command may show a user
LEAKS = ("Traceback", "pysolr", "OperationalError", "psycopg2", "Errno", "Internal server error")
ORG_TITLE = "石泉县公安局"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ +\[")


# ---- helpers ---------------------------------------------------------------------------------


def ckan_command(*args: str, ini: str | None = None) -> subprocess.CompletedProcess[str]:
    """``ckan -c INI args...`` as an operator runs it."""
    return subprocess.run(
        [CKAN, "-c", ini or tk.config["__file__"], *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def ini_with(tmp_path: Any, **options: str) -> str:
    """A copy of the test ini with some options changed, for a command of this test alone."""
    with open(tk.config["__file__"], encoding="utf-8") as f:
        text = f.read()
    for key, value in options.items():
        line = f"{key} = {value}"
        pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(line.replace("\\", "\\\\"), text)
        else:
            text = text.replace("[app:main]\n", f"[app:main]\n{line}\n", 1)
    path = tmp_path / "fault.ini"
    path.write_text(text, encoding="utf-8")
    return str(path)


def audit_verifies() -> None:
    result = ckan_command("govcatalog", "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert audit_log.verify().ok


def database_ids() -> set[str]:
    model.Session.rollback()
    rows = model.Session.query(model.Package.id).filter(
        model.Package.state != "deleted", model.Package.type == "dataset"
    )
    return {r.id for r in rows}


def solr_ids(solr_url: str) -> set[str]:
    """The package ids the real Solr core holds for this site (after a commit)."""
    conn = pysolr.Solr(solr_url, timeout=30)
    conn.commit()
    found = conn.search(
        "*:*",
        fq=f'+site_id:"{tk.config["ckan.site_id"]}" +entity_type:package',
        fl="id",
        rows=100000,
    )
    return {d["id"] for d in found}


def search_state(user: str) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """What the catalog search answers a sysadmin: count, every result, the facets."""
    found = call_action(
        "package_search",
        context={"user": user, "ignore_auth": True},
        q="*:*",
        rows=1000,
        sort="id asc",
        include_private=True,
        include_drafts=True,
        **{"facet.field": '["organization", "tags", "res_format"]'},
    )
    return found["count"], found["results"], found["search_facets"]


def assert_same_documents(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The same search results, naming the fields that differ."""
    assert [d["id"] for d in found] == [d["id"] for d in expected]
    missing = object()
    for got, want in zip(found, expected, strict=True):
        differ = {
            k: (got.get(k, missing), want.get(k, missing))
            for k in set(got) | set(want)
            if got.get(k, missing) != want.get(k, missing)
        }
        assert not differ, (got["id"], differ)


def login(app: Any, name: str) -> None:
    user = model.User.get(name)
    user.password = factories.PASSWORD  # hashed by the model
    model.repo.commit()
    app.client = app.test_client()
    response = app.post(
        "/user/login",
        data={"login": name, "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 302, "logged in"


def assert_clean_page(response: Any, *expected: str) -> str:
    html = response.get_data(as_text=True)
    errors = html[html.find("error-explanation") :][:1500] if "error-explanation" in html else ""
    assert response.status_code == 503, errors or html[-3000:]
    for text in expected:
        assert text in html, html[:3000]
    for leak in LEAKS:
        assert leak not in html, leak
    return html


@pytest.fixture
def solr_proxy(monkeypatch: pytest.MonkeyPatch):
    """The test's CKAN reaches its Solr core through a proxy that the test can cut."""
    real = tk.config["solr_url"]
    url = urlparse(real)
    proxy = Proxy(url.hostname or "127.0.0.1", url.port or 8983)
    via = real.replace(url.netloc, proxy.address, 1)
    monkeypatch.setitem(tk.config, "solr_url", via)
    yield proxy, real, via
    proxy.close()


@pytest.fixture
def office(clean_db, clean_index) -> dict[str, Any]:
    admin = factories.Sysadmin()
    org = factories.Organization(name="shiquan-gaj", title=ORG_TITLE, user=admin)
    officer = factories.Member(organization=org, capacity="editor")
    return {"admin": admin, "org": org, "officer": officer}


# ---- Solr ------------------------------------------------------------------------------------


@pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA)
@pytest.mark.usefixtures("with_plugins", "with_request_context")
def test_solr_cut_during_a_command_line_import(office, solr_proxy, tmp_path):
    proxy, real_solr, via = solr_proxy
    admin = office["admin"]["name"]
    codes = [f"403001/{n:06d}" for n in range(1, 7)]
    first = importer.import_file(
        xlsx(
            [entry_row(n, ORG_TITLE, 信息资源代码=codes[n - 1]) for n in range(1, 5)],
            [r for n in range(1, 5) for r in item_rows(n)],
        ),
        "first.xlsx",
        office["officer"]["name"],
    )
    assert first.written, first.problems
    # the search results to get back are those of CKAN's own indexer (the import's fast path
    # differs in one field: test_fast_path_documents_are_what_a_rebuild_makes)
    assert ckan_command("search-index", "rebuild").returncode == 0
    before = search_state(admin)
    ids_before = database_ids()
    titles_before = {pid: model.Package.get(pid).title for pid in ids_before}
    head_before = audit_log.head()
    assert before[0] == 4 and solr_ids(real_solr) == ids_before

    # two entries changed and two new: the new ones' documents go out first (the first update
    # request to Solr), the changed ones' next (the second, on which Solr "dies")
    changed = tmp_path / "second.xlsx"
    changed.write_bytes(
        xlsx(
            [
                entry_row(1, ORG_TITLE, 信息资源代码=codes[0], 信息资源名称="改名的资源一"),
                entry_row(2, ORG_TITLE, 信息资源代码=codes[1], 信息资源名称="改名的资源二"),
                entry_row(5, ORG_TITLE, 信息资源代码=codes[4]),
                entry_row(6, ORG_TITLE, 信息资源代码=codes[5]),
            ],
            [r for n in (1, 2, 5, 6) for r in item_rows(n)],
        )
    )
    proxy.cut_on(b"/update", 2)
    ini = ini_with(tmp_path, solr_url=via, **{"scheming.dataset_schemas": FIXTURE_SCHEMA})
    result = ckan_command(
        "govcatalog", "import", str(changed), "--user", office["officer"]["name"], ini=ini
    )
    output = result.stdout + result.stderr
    # the log's lines (the operator's details, no stack trace) aside, what the command says
    said = "\n".join(line for line in output.splitlines() if not LOG_LINE.match(line))
    assert "Traceback" not in output, output
    assert proxy.cut_happened.is_set(), output
    assert result.returncode == 1, output
    assert "The search index (Solr) did not answer" in output, output
    assert "nothing of this file was written" in output, output
    assert "created 0, updated 0, unchanged 0, errors 1" in said, said
    for leak in LEAKS:
        assert leak not in said, said

    # nothing written: the database is as it was, and holds nothing the search index lacks
    assert database_ids() == ids_before
    assert {pid: model.Package.get(pid).title for pid in ids_before} == titles_before
    assert database_ids() <= solr_ids(real_solr)
    assert audit_log.head() == head_before

    # Solr back: the operator's reindex gives exactly the search results of before
    proxy.restore()
    rebuilt = ckan_command("search-index", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    after = search_state(admin)
    assert after[0] == before[0]
    assert_same_documents(after[1], before[1])
    assert after[2] == before[2]
    assert solr_ids(real_solr) == ids_before
    audit_verifies()

    # and the same import, run again with Solr answering, goes through
    again = ckan_command(
        "govcatalog", "import", str(changed), "--user", office["officer"]["name"], ini=ini
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(database_ids()) == 6 and solr_ids(real_solr) == database_ids()
    audit_verifies()


@pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA)
@pytest.mark.usefixtures("with_plugins", "with_request_context")
def test_fast_path_documents_are_what_a_rebuild_makes(office, tmp_path):
    rows = [entry_row(n, ORG_TITLE) for n in (1, 2)]
    imported = importer.import_file(
        xlsx(rows, item_rows(1) + item_rows(2)), "a.xlsx", office["officer"]["name"]
    )
    assert imported.written, imported.problems
    before = search_state(office["admin"]["name"])
    # the rebuild reads the entries with the schema they were imported with (the fixture's has
    # no license_id field, so license_id: null stays in the shown dict; the catalog schema's
    # license_id field drops it: a rebuild under another schema is another set of documents)
    ini = ini_with(tmp_path, **{"scheming.dataset_schemas": FIXTURE_SCHEMA})
    assert ckan_command("search-index", "rebuild", ini=ini).returncode == 0
    assert_same_documents(search_state(office["admin"]["name"])[1], before[1])


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("with_plugins")
def test_solr_cut_before_a_web_form_save(app, office, solr_proxy):
    proxy, real_solr, _via = solr_proxy
    admin = office["admin"]
    entry = factories.Entry(user=admin, owner_org=office["org"]["id"], title="户籍人口基本信息")
    before = search_state(admin["name"])
    head_before = audit_log.head()
    login(app, admin["name"])
    form_url = f"/dataset/edit/{entry['name']}"
    fields, buttons = read_form(app.get(form_url).get_data(as_text=True), "dataset-edit")
    save = [b for b in buttons if b[0] == "save"]
    assert save, buttons
    # the form offers blank data item blocks to fill in, whose selects have defaults; this test
    # is about saving, not about those blocks, so it posts the entry's own items only
    blank = {
        k.rsplit("-", 1)[0]
        for k, v in fields
        if k.startswith("data_items-") and k.endswith("-name") and not v
    }
    fields = [(k, v) for k, v in fields if k.rsplit("-", 1)[0] not in blank]
    posted = MultiDict(replace(fields, title="户籍人口基本信息（修订）") + save[:1])

    proxy.cut()
    response = app.post(form_url, data=posted, follow_redirects=False)
    assert_clean_page(response, "检索服务", "没有保存任何内容")
    # no flash message quoting the error waits for the next page either
    next_page = app.get(f"/dataset/{entry['name']}").get_data(as_text=True)
    for leak in (*LEAKS, "127.0.0.1", "search index"):
        assert leak not in next_page
    assert model.Package.get(entry["id"]).title == "户籍人口基本信息"
    assert audit_log.head() == head_before
    assert database_ids() <= solr_ids(real_solr)

    proxy.restore()
    assert search_state(admin["name"]) == before
    saved = app.post(form_url, data=posted, follow_redirects=False)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    model.Session.rollback()
    assert model.Package.get(entry["id"]).title == "户籍人口基本信息（修订）"
    count, results, _facets = search_state(admin["name"])
    assert count == 1 and results[0]["title"] == "户籍人口基本信息（修订）"
    audit_verifies()


# ---- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("with_plugins")
def test_postgresql_restarted_while_requests_are_in_flight(app, office):
    admin = office["admin"]
    entries = [
        factories.Entry(user=admin, owner_org=office["org"]["id"], open_to_all=True)
        for _ in range(3)
    ]
    token = factories.APIToken(user=admin["name"])["token"]
    ids_before = database_ids()
    head_before = audit_log.head()
    paths = [
        "/",
        "/dataset/",
        f"/dataset/{entries[0]['name']}",
        f"/api/3/action/package_show?id={entries[1]['id']}",
        "/api/3/action/package_search?q=*:*",
    ]
    flask_app = app.flask_app
    outcomes: list[tuple[str, int, str]] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def browse(n: int) -> None:
        client = flask_app.test_client()
        i = n
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                response = client.get(path, headers={"Authorization": token})
                outcomes.append((path, response.status_code, response.get_data(as_text=True)))
            except BaseException as error:  # an error no handler turned into a page
                failures.append(error)
                return

    proxy = Proxy(*_database_target())
    with _engine_through(proxy):
        threads = [threading.Thread(target=browse, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        # counted in requests, not seconds: a loaded machine serves fewer in a second
        _wait_for(lambda: len(outcomes) >= 8 or failures)
        proxy.cut()  # PostgreSQL goes away with requests running
        time.sleep(1.0)
        proxy.restore()  # and is back
        served_before_restore = len(outcomes)
        _wait_for(lambda: len(outcomes) >= served_before_restore + 8 or failures)
        stop.set()
        for t in threads:
            t.join(60)
        assert not failures, failures
        assert len(outcomes) >= served_before_restore + 8
        codes = {code for _path, code, _body in outcomes}
        assert codes <= {200, 503}, codes
        assert 503 in codes, "the cut met no request"
        for path, code, body in outcomes:
            if code != 503:
                continue
            for leak in LEAKS:
                assert leak not in body, (path, body[:2000])
            if path.startswith("/api/"):
                answer = json.loads(body)
                assert answer["success"] is False and answer["error"]["service"] == "database"
                assert "目录数据库" in answer["error"]["message"]
            else:
                assert "目录数据库" in body, body[:2000]
        # the next requests succeed
        client = flask_app.test_client()
        for path in paths * 2:
            response = client.get(path, headers={"Authorization": token})
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:1000])
    proxy.close()
    assert database_ids() == ids_before
    assert audit_log.head() == head_before
    audit_verifies()


def _wait_for(condition: Any, most_seconds: float = 90.0) -> None:
    deadline = time.monotonic() + most_seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def _database_target() -> tuple[str, int]:
    real = sa.engine.make_url(tk.config["sqlalchemy.url"])
    return real.host or "127.0.0.1", real.port or 5432


class _engine_through:
    """CKAN's sessions use an engine that reaches PostgreSQL through ``proxy`` (as a server
    would whose database restarts); the original engine is put back afterwards."""

    def __init__(self, proxy: Proxy) -> None:
        real = sa.engine.make_url(tk.config["sqlalchemy.url"])
        options = {
            k: v
            for k, v in tk.config.items()
            if k.startswith("sqlalchemy.") and k != "sqlalchemy.url"
        }
        options["sqlalchemy.url"] = real.set(port=proxy.port).render_as_string(hide_password=False)
        self.engine = sa.engine_from_config(options, client_encoding="utf8")
        self.original = model.meta.engine

    def __enter__(self) -> sa.engine.Engine:
        model.Session.remove()
        model.init_model(self.engine)
        return self.engine

    def __exit__(self, *_exc: Any) -> None:
        model.Session.remove()
        model.init_model(self.original)
        self.engine.dispose()


# ---- Redis -----------------------------------------------------------------------------------


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch):
    """CKAN's Redis URL names a port where nothing listens (its connection pool, made once per
    process, is made again from it)."""
    closed = Proxy("127.0.0.1", 1)
    closed.cut()  # a port that was just free and has no listener now
    monkeypatch.setitem(tk.config, "ckan.redis.url", f"redis://127.0.0.1:{closed.port}/0")
    monkeypatch.setattr(ckan.lib.redis, "_connection_pool", None)
    assert not ckan.lib.redis.is_redis_available()
    yield


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("with_plugins")
def test_redis_down_reading_and_searching_work(app, office, redis_down, tmp_path):
    admin = office["admin"]
    entry = factories.Entry(
        user=admin, owner_org=office["org"]["id"], title="公共厕所分布", open_to_all=True
    )
    ids_before = database_ids()
    for path in ("/", "/dataset/", "/dataset/?q=公共厕所", f"/dataset/{entry['name']}"):
        response = app.get(path)
        assert response.status_code == 200, path
        assert "公共厕所分布" in response.get_data(as_text=True) or path == "/"
    found = app.get("/api/3/action/package_search?q=公共厕所").json
    assert found["success"] and found["result"]["count"] == 1

    # logging in works; only its throttling is skipped (and logged)
    login(app, office["officer"]["name"])
    assert app.get("/dataset/").status_code == 200

    # what needs Redis fails cleanly: CKAN's API answers a JSON error, no trace
    token = factories.APIToken(user=admin["name"])["token"]
    response = app.get("/api/3/action/job_list", headers={"Authorization": token})
    assert response.status_code == 500 and response.json["success"] is False
    for leak in LEAKS:
        assert leak not in response.get_data(as_text=True)
    # and the operators' check names it, with what stops and what to do
    ini = ini_with(tmp_path, **{"ckan.redis.url": tk.config["ckan.redis.url"]})
    health = ckan_command("govcatalog", "health", ini=ini)
    assert health.returncode == 1, health.stdout + health.stderr
    assert "PostgreSQL: answering" in health.stdout and "Solr: answering" in health.stdout
    assert "Redis: NOT ANSWERING" in health.stderr
    assert "background jobs" in health.stderr and "start Redis" in health.stderr
    # (CKAN's start-up logs "Redis is not available" with its trace before any command runs:
    # ckan/config/environment.py, core; the command's own lines are the ones above)
    # with Redis answering, it says so
    assert ckan_command("govcatalog", "health").returncode == 0

    assert database_ids() == ids_before
    audit_verifies()


# ---- storage ---------------------------------------------------------------------------------


def _resources() -> int:
    model.Session.rollback()
    return model.Session.query(model.Resource).count()


def _post_upload(app: Any, entry: dict[str, Any], payload: bytes) -> Any:
    form_url = f"/dataset/{entry['name']}/resource/new"
    fields, buttons = read_form(app.get(form_url).get_data(as_text=True), "resource-edit")
    data = MultiDict(
        replace(fields, name="厕所分布表") + [b for b in buttons if b[0] == "save"][:1]
    )
    data.add("upload", (io.BytesIO(payload), "toilets.csv"))
    return app.post(form_url, data=data, content_type="multipart/form-data")


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("fault", ["folder_is_a_file", "disk_full"])
def test_storage_that_takes_no_file(app, office, tmp_path, fault, ckan_config, monkeypatch):
    storage = tmp_path / "storage"
    storage.mkdir()
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(storage))
    admin = office["admin"]
    entry = factories.Entry(user=admin, owner_org=office["org"]["id"], open_to_all=True)
    login(app, admin["name"])
    count_before, head_before = _resources(), audit_log.head()
    payload = ("名称,地址\n" + "东关公厕,石泉县东关\n" * 5000).encode()  # about 140 KB

    if fault == "folder_is_a_file":
        (storage / "resources").write_text("not a folder")  # the uploads folder is gone
        response = _post_upload(app, entry, payload)
    else:
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)
        # this process may write no file larger than 64 KB: what a full disk does to a write
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, limit[1]))
        try:
            response = _post_upload(app, entry, payload)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limit)

    assert_clean_page(response, "文件存储", "没有保存任何内容")
    assert _resources() == count_before
    assert call_action("package_show", id=entry["id"])["resources"] == []
    assert audit_log.head() == head_before

    # storage back: the same upload registers the resource with its file
    if fault == "folder_is_a_file":
        (storage / "resources").unlink()
    response = _post_upload(app, entry, payload)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    assert _resources() == count_before + 1
    shown = call_action("package_show", id=entry["id"])["resources"]
    assert len(shown) == 1 and shown[0]["url_type"] == "upload"
    rid = shown[0]["id"]
    with open(storage / "resources" / rid[:3] / rid[3:6] / rid[6:], "rb") as f:
        assert f.read() == payload
    audit_verifies()
