"""The page cache for anonymous visitors (web/page_cache.py), against the real Redis and app: a
page is kept and replayed to anonymous visitors only; logged-in users (session cookie or API
token) and API calls never get a kept page; an entry closed, deleted or imported through the fast
path after the cache was warmed is seen as it is now by everyone, at once; with Redis down pages
are still served.

The app is built once for the module (CKAN's per-test app costs seconds at load); the pages are
kept from the second request on, after the quiet period that follows a write has been ended by
hand (``settle``), as time would end it.
"""

from __future__ import annotations

import re
import time
from typing import Any

import ckan.lib.redis
import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests.helpers import call_action
from itsdangerous import URLSafeTimedSerializer

from ckanext.govcatalog.bulk import importer, layout
from ckanext.govcatalog.web import page_cache
from tests import factories
from tests.module_app import catalog_app

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"
STATUS = page_cache.STATUS_HEADER
pytestmark = [
    pytest.mark.ckan_config(page_cache.ENABLED_OPTION, True),
    pytest.mark.ckan_config("ckan.cache_enabled", True),
]


@pytest.fixture(scope="module")
def site(reset_db, reset_index, migrate_db_for):
    """One app with our plugins and a small catalog: a department, its editor and three entries
    open to all."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        admin = factories.Sysadmin()
        dept = factories.Department(user=admin, name="pc-dept", org_code=factories.POLICE_CODE)
        editor = factories.User(fullname="Cachetest Editorname")
        call_action(
            "organization_member_create",
            context={"user": admin["name"]},
            id=dept["id"],
            username=editor["name"],
            role="editor",
        )
        entries = {
            key: factories.Entry(
                user=admin,
                owner_org=dept["id"],
                name=f"pc-{key}",
                title=f"Pcword {key}",
                open_to_all=True,
            )
            for key in ("stays", "closes", "goes")
        }
        yield {"web": web, "admin": admin, "dept": dept, "editor": editor, "entries": entries}


def settle() -> None:
    """Ends the quiet period after the last write (time would, after QUIET_AFTER_* seconds),
    after sending a bump this process may still owe (from a test that stopped Redis)."""
    page_cache.send_owed_bump()
    connect_to_redis().delete(*page_cache.quiet_keys())


def searchable(fq: str, deadline_seconds: float = 60) -> None:
    """Waits until Solr's searcher shows the document (opened in the background)."""
    until = time.monotonic() + deadline_seconds
    while not call_action("package_search", fq=fq)["count"]:
        assert time.monotonic() < until, f"Solr never showed {fq}"
        time.sleep(0.2)


def status(response: Any) -> str:
    return response.headers.get(STATUS, "")


def get(client: Any, path: str, **kw: Any) -> Any:
    response = client.get(path, **kw)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return response


def warm(client: Any, path: str) -> str:
    """Requests a page until it is served from the cache; returns its text."""
    settle()
    get(client, path)
    response = get(client, path)
    assert status(response).startswith("hit"), f"{path} not kept: {status(response)!r}"
    return response.get_data(as_text=True)


CSRF_META = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


def csrf_token(page: Any) -> str:
    found = CSRF_META.search(page.get_data(as_text=True))
    assert found, "CKAN's page carries a CSRF token"
    return found.group(1)


def masked_text(page: Any) -> str:
    """The page's text without its CSRF token (in the meta tag and every form)."""
    return page.get_data(as_text=True).replace(csrf_token(page), "TOKEN")


def token_belongs_to(client: Any, token: str) -> bool:
    """Whether a page's CSRF token is the one of this client's session (Flask-WTF's signing)."""
    serializer = URLSafeTimedSerializer(tk.config["WTF_CSRF_SECRET_KEY"], salt="wtf-csrf-token")
    with client.session_transaction() as session:
        return serializer.loads(token) == session.get("_csrf_token")


def test_anonymous_pages_are_kept_and_replayed_without_cookies(site):
    web = site["web"]
    client = web.flask_app.test_client()
    for path in ("/", "/dataset/?q=Pcword", "/dataset/pc-stays", "/zh_Hans_CN/dataset/pc-stays"):
        settle()
        first = get(client, path)
        assert status(first) == "miss"
        second = get(client, path)
        assert status(second).startswith("hit"), path
        # the same page, with this visitor's own CSRF token (re-signed for each page)
        masked = [masked_text(r) for r in (first, second)]
        assert masked[0] == masked[1]
        assert token_belongs_to(client, csrf_token(second))
        # another visitor: the kept page, with their token and only their own session cookie
        other = web.flask_app.test_client()
        third = get(other, path)
        assert status(third).startswith("hit")
        assert token_belongs_to(other, csrf_token(third))
        assert not token_belongs_to(client, csrf_token(third))
        assert masked_text(third) == masked[0]
        with other.session_transaction() as session:
            assert set(session) <= {"_csrf_token", "_permanent", "_fresh", "_id"}
    # the query is normalised (order of names), other queries are other pages
    warm(client, "/dataset/?q=Pcword&sort=score+desc")
    assert status(get(client, "/dataset/?sort=score+desc&q=Pcword")).startswith("hit")
    assert status(get(client, "/dataset/?q=Pcword+stays")) == "miss"
    # the language is part of the key: the Chinese page is not the English one
    english = get(client, "/dataset/pc-stays").get_data(as_text=True)
    chinese = get(client, "/zh_Hans_CN/dataset/pc-stays").get_data(as_text=True)
    assert english != chinese
    # HEAD is answered from the kept page too
    assert status(client.head("/dataset/pc-stays")).startswith("hit")


def test_logged_in_users_and_api_calls_never_get_a_kept_page(site):
    web, editor = site["web"], site["editor"]
    anonymous = web.flask_app.test_client()
    for path in ("/", "/dataset/?q=Pcword", "/dataset/pc-stays"):
        kept = warm(anonymous, path)
        assert "Cachetest Editorname" not in kept

    # a session cookie (the login form)
    browser = web.flask_app.test_client()
    login = browser.post(
        "/user/login",
        data={"login": editor["name"], "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert login.status_code == 302
    for path in ("/", "/dataset/?q=Pcword", "/dataset/pc-stays"):
        page = get(browser, path)
        assert STATUS not in page.headers, path
        assert "Cachetest Editorname" in page.get_data(as_text=True), path

    # an API token (CKAN identifies the user from the header)
    token = call_action(
        "api_token_create", context={"user": editor["name"]}, user=editor["name"], name="pc"
    )["token"]
    for path in ("/", "/dataset/?q=Pcword", "/dataset/pc-stays"):
        page = get(anonymous, path, headers={"Authorization": token})
        assert STATUS not in page.headers, path
        assert "Cachetest Editorname" in page.get_data(as_text=True), path

    # the API is never cached, for anyone
    for _ in range(2):
        api = get(anonymous, "/api/3/action/package_show?id=pc-stays")
        assert STATUS not in api.headers
    # after the logout, the kept anonymous page again
    browser.get("/user/_logout")
    assert status(get(browser, "/dataset/pc-stays")).startswith("hit")


def test_a_page_with_a_flash_message_is_neither_served_from_nor_kept(site):
    client = site["web"].flask_app.test_client()
    warm(client, "/dataset/pc-stays")
    with client.session_transaction() as session:
        session["_flashes"] = [("alert-info", "Pcflash message")]
    page = get(client, "/dataset/pc-stays")
    assert STATUS not in page.headers
    assert "Pcflash message" in page.get_data(as_text=True)


def test_entries_closed_deleted_or_imported_after_warming_are_current_for_everyone(site):
    web, admin, dept = site["web"], site["admin"], site["dept"]
    client = web.flask_app.test_client()
    search = "/dataset/?q=Pcword"
    before = warm(client, search)
    assert "pc-closes" in before and "pc-goes" in before and "pc-came" not in before
    warm(client, "/dataset/pc-closes")
    warm(client, "/dataset/pc-goes")
    warm(client, "/")

    # made not open (不予开放) through the API: anonymous visitors no longer see it
    call_action(
        "package_patch", context={"user": admin["name"]}, id="pc-closes", open_type="closed"
    )
    call_action("package_delete", context={"user": admin["name"]}, id="pc-goes")
    values = factories.Entry.data(owner_org=dept["id"], title="Pcword came", open_to_all=True)
    values.pop("name")
    imported = importer.import_rows(
        [importer.Row(2, "1", values, {})], admin["name"], lay=layout.layout()
    )
    assert not imported.problems and imported.package_ids
    came = call_action("package_show", id=imported.package_ids[0])["name"]
    # the fast path commits Solr after the database without waiting for the new searcher: a
    # search may not find the entry for a moment, cache or not (the quiet period covers that)
    searchable(f"name:{came}")

    for visitor in (client, web.flask_app.test_client()):
        assert visitor.get("/dataset/pc-closes").status_code in (403, 404)
        assert visitor.get("/dataset/pc-goes").status_code in (403, 404)
        page = get(visitor, search)
        assert not status(page).startswith("hit")
        body = page.get_data(as_text=True)
        assert "pc-closes" not in body and "pc-goes" not in body and came in body
    # within the quiet period after the writes nothing is kept ...
    assert status(get(client, search)) == "miss"
    # ... and after it, the current page is
    after = warm(client, search)
    assert "pc-closes" not in after and "pc-goes" not in after and came in after


def test_a_write_during_rendering_keeps_the_page_out_of_the_cache(site):
    client = site["web"].flask_app.test_client()
    settle()
    redis = connect_to_redis()
    generation = redis.get(page_cache.generation_key())
    page_cache.bump()  # as a commit does, while a page is being rendered
    settle()
    with site["web"].flask_app.test_request_context("/dataset/pc-stays"):
        key = page_cache.page_key((generation or b"0").decode())
    assert get(client, "/dataset/pc-stays")  # rendered and kept at the new generation
    assert redis.get(key) is None  # nothing is found under the old one
    # writes to tables no cached page shows do not bump the generation
    assert not page_cache.writes_seen_table(
        'UPDATE "user" SET last_active=%(last_active)s WHERE "user".id = %(user_id)s'
    )
    assert not page_cache.writes_seen_table("INSERT INTO govcatalog_audit (seq) VALUES (1)")
    for statement in (
        "UPDATE package SET state=%(state)s WHERE package.id = %(id)s",
        'UPDATE "user" SET fullname=%(f)s, last_active=%(l)s WHERE "user".id = %(id)s',
        "INSERT INTO package_extra (id, key, value) VALUES (%(a)s, %(b)s, %(c)s)",
        "DELETE FROM member WHERE member.id = %(id)s",
        "TRUNCATE package CASCADE",
        "WITH moved AS (UPDATE package SET owner_org = 'x') SELECT 1",
    ):
        assert page_cache.writes_seen_table(statement), statement


def test_with_redis_down_pages_are_still_served(site):
    client = site["web"].flask_app.test_client()
    redis = connect_to_redis()
    before = int(redis.get(page_cache.generation_key()) or 0)
    # (a monkeypatch of its own: undoing the test's would undo the module's ckan_config marks)
    with pytest.MonkeyPatch.context() as down:
        # CKAN's Redis URL names a port where nothing listens (its pool is made again from it)
        down.setitem(tk.config, "ckan.redis.url", "redis://127.0.0.1:1/0")
        down.setattr(ckan.lib.redis, "_connection_pool", None)
        assert not ckan.lib.redis.is_redis_available()
        for path in ("/", "/dataset/?q=Pcword", "/dataset/pc-stays"):
            for _ in range(2):
                page = get(client, path)
                assert not status(page).startswith("hit")
        assert "Pcword stays" in get(client, "/dataset/pc-stays").get_data(as_text=True)
        # a write is saved without Redis ...
        call_action(
            "package_patch", context={"user": site["admin"]["name"]}, id="pc-stays", notes="Pcnew"
        )
        assert call_action("package_show", id="pc-stays")["notes"] == "Pcnew"
    # ... and its bump is sent as soon as Redis answers again, before any request of this
    # process (other processes may be serving pages from before the write meanwhile)
    until = time.monotonic() + 30
    while int(redis.get(page_cache.generation_key()) or 0) <= before:
        assert time.monotonic() < until, "the bump owed while Redis was down was never sent"
        time.sleep(0.1)
    get(client, "/dataset/pc-stays")
    assert "Pcnew" in get(client, "/dataset/pc-stays").get_data(as_text=True)
