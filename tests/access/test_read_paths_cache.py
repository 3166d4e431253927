"""The page cache (web/page_cache.py) and the read-path matrix: with the cache on and warmed by
anonymous visitors, every role sees on every cached route (home, search, each entry's page, in
English and Chinese) exactly the page it sees with the cache off; only anonymous visitors are
answered from the cache.

The catalog and the roles are those of tests/access/test_read_paths.py (its module fixtures,
imported, so both files read one table); the roles are identified by their API tokens, as there.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis

from ckanext.govcatalog.web import page_cache
from tests.access import read_path_world as rpw
from tests.access import test_read_paths as trp
from tests.access.test_read_paths import ROLES, assert_no_secret, headers, visible, with_data
from tests.access.test_read_paths_search import shown as search_shown

# the matrix's catalog, built once for this module by the matrix's own fixtures
web_and_world, world, web = trp.web_and_world, trp.world, trp.web
pytestmark = [trp.pytestmark, pytest.mark.ckan_config("ckan.cache_enabled", True)]

STATUS = page_cache.STATUS_HEADER
ENTRY_PAGES = [key for key, spec in rpw.ENTRIES.items() if spec[0] == "dataset"]
ROUTES = [
    "/",
    "/dataset/?q=entry",
    *(f"/dataset/rp-{key}" for key in ENTRY_PAGES),
    "/zh_Hans_CN/dataset/rp-cc",
]
_TOKEN = re.compile(r'<meta name="_csrf_token" content="([^"]+)"')


def page(web: Any, path: str, extra: dict[str, str]) -> tuple[int, str, str]:
    """Status, text without the visitor's CSRF token (signed anew for every page) and the cache's
    header of a page."""
    response = web.flask_app.test_client().get(path, headers=extra)
    text = response.get_data(as_text=True)
    found = _TOKEN.search(text)
    if found:
        text = text.replace(found.group(1), "TOKEN")
    return response.status_code, text, response.headers.get(STATUS, "")


@pytest.fixture(scope="module")
def warmed(web_and_world) -> dict[str, Any]:
    """Every route anonymous visitors may open, asked for by them until it is kept; the
    generation it was kept at (the pages stay reachable while it does not change)."""
    web = web_and_world[0]
    cache_on = {
        page_cache.ENABLED_OPTION: True,
        page_cache.TTL_OPTION: 3600,
        "ckan.cache_enabled": True,  # (the module's mark applies to the tests, not here)
    }
    saved = {key: tk.config.get(key) for key in cache_on}
    tk.config.update(cache_on)
    redis = connect_to_redis()
    page_cache.send_owed_bump()  # one this process may owe (a test that stopped Redis)
    redis.delete(*page_cache.quiet_keys())  # as time ends the quiet period after the set-up
    try:
        kept = []
        for path in ROUTES:
            code, _text, cache = page(web, path, {})
            if code == 200:
                if not cache.startswith("hit"):
                    assert page(web, path, {})[2].startswith("hit"), f"{path} was not kept"
                kept.append(path)
    finally:
        tk.config.update(saved)
    return {"kept": kept, "generation": redis.get(page_cache.generation_key())}


# anonymous visitors last: by then every other role has asked for every route with the cache on,
# so a page kept from one of them would be found
ORDER = [role for role in ROLES if role != "anonymous"] + ["anonymous"]


@pytest.mark.parametrize("role", ORDER)
def test_every_role_sees_with_the_cache_what_it_sees_without(world, web, warmed, role):
    """Anonymous visitors: each page from the cache equals the page made with the cache off.
    Every other role, on every route the cache holds a page for: never answered from the cache,
    and the page holds exactly what the matrix gives the role (the matrix's own page checks)."""
    extra = headers(world, role)
    if role == "anonymous":
        tk.config[page_cache.ENABLED_OPTION] = False  # (CKAN's plugin resets config per test)
        without = {path: page(web, path, extra) for path in ROUTES}
    tk.config.update({page_cache.ENABLED_OPTION: True, page_cache.TTL_OPTION: 3600})
    # the anonymous pages kept for the module are still there (nothing bumped the generation)
    assert connect_to_redis().get(page_cache.generation_key()) == warmed["generation"]
    no_data = set(rpw.ENTRIES) - with_data(role)
    # the routes whose pages the cache holds are the ones it could hand to the wrong role
    for path in ROUTES if role == "anonymous" else warmed["kept"]:
        code, text, cache = page(web, path, extra)
        if role == "anonymous":
            assert (code, text) == without[path][:2], f"{path} differs with the cache on"
            assert cache.startswith("hit") == (path in warmed["kept"]), f"{path}: {cache}"
        else:
            assert cache == "", f"{role}: {path} went through the cache ({cache})"
        key = path.rsplit("/rp-", 1)[1] if "/rp-" in path else None
        if key:
            assert (code == 200) == (key in visible(role)), f"{role}: page of {key} -> {code}"
        if "?q=entry" in path:
            assert search_shown(world, text) == visible(role) & set(rpw.ENTRIES), f"{role}: {path}"
        assert_no_secret(role, text, no_data, path)
    if role == "anonymous":
        assert len(warmed["kept"]) == 2 + len(visible(role) & set(ENTRY_PAGES)) + 1
