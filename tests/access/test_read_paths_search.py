"""The search page's read path per role of the read-path matrix: the result cards (highlighted
title, summary and matching data items, department and level badges; search/highlight.py asks
Solr a second time for the ids shown) list exactly the entries the role may see, and nothing of
the data of an entry the role may not read is on the page, not even when searched for.

The catalog and the expectations are those of tests/access/test_read_paths.py (its literal
matrix and its module fixtures, imported, so both files read one table).
"""

from __future__ import annotations

import re

import pytest

from tests.access import read_path_world as rpw
from tests.access import test_read_paths as trp
from tests.access.test_read_paths import (
    ROLES,
    assert_no_secret,
    headers,
    key_of,
    visible,
    with_data,
)

# the matrix's catalog, built once for this module by the matrix's own fixtures
web_and_world, world, web = trp.web_and_world, trp.world, trp.web
pytestmark = trp.pytestmark

_LINK = re.compile(r'href="/(?:dataset|info_system)/(rp-[a-z]{2})"')
# the catalog's search page lists entries and information systems (linked under their own type)
PAGES = {"/dataset/": set(rpw.ENTRIES)}


def shown(world: rpw.World, body: str) -> set[str]:
    return {key_of(world, name) for name in _LINK.findall(body)}


@pytest.mark.parametrize("role", ROLES)
def test_the_search_page_shows_and_highlights_only_what_the_role_may_see(world, web, role):
    no_data = set(rpw.ENTRIES) - with_data(role)
    for url, of_type in PAGES.items():
        page = web.get(url, query_string={"q": "entry"}, headers=headers(world, role))
        assert page.status_code == 200, f"{role}: search page {url} {page.status_code}"
        body = page.get_data(as_text=True)
        expected = visible(role) & of_type
        assert shown(world, body) == expected, f"{role}: {url} shows {shown(world, body)}"
        if expected:
            assert "<mark>" in body, f"{role}: the matches on {url} are not highlighted"
        assert_no_secret(role, body, no_data, f"search page {url}")
    # searching for where an entry's data lies never finds an entry whose data the role may not read
    for key in sorted(no_data):
        page = web.get(
            "/dataset/", query_string={"q": f"qzsecret{key}link"}, headers=headers(world, role)
        )
        body = page.get_data(as_text=True)
        assert shown(world, body) == set(), f"{role}: the search page finds {key} by its URL"
        # (the page repeats the query typed in its search box: that word alone is no leak)
        for secret in (rpw.link_url(key), rpw.upload_name(key)):
            assert secret not in body, f"{role}: the search for {key}'s URL shows {secret}"
