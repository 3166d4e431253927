"""The search page's note on partial matches (search/cards.py govcatalog_full_matches): a query
of a few words lists the entries holding some of its words after those holding all of them
(search/query.py tiered_query), and the page says where the full matches end. The count is made
as the viewer: an entry the viewer may not see is never counted, so the note tells nothing of it."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.searches import open_entry

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

NONE_HOLD_ALL = "No entry holds every word of the query"
FIRST_HOLDS_ALL = "The first entry holds every word of the query"


def _page(app, q: str, token: str | None = None) -> str:
    headers = {"Authorization": token} if token else {}
    res = app.get("/dataset/", query_string={"q": q}, headers=headers)
    assert res.status_code == 200
    return res.get_data(as_text=True)


def test_the_page_says_where_the_entries_holding_every_word_end(app):
    org = factories.Organization()
    full = open_entry(org, "兽医人员名册")
    partial = open_entry(org, "乡镇干部名册")
    body = _page(app, "兽医人员名册")
    assert FIRST_HOLDS_ALL in body
    assert body.index(f"/dataset/{full['name']}") < body.index(f"/dataset/{partial['name']}")
    # every entry found holds every word: no note
    assert "hold every word" not in _page(app, "兽医人员") and NONE_HOLD_ALL not in _page(
        app, "兽医人员"
    )
    # a word no entry holds: the note says so above the partial matches
    assert NONE_HOLD_ALL in _page(app, "屠宰场名册")
    # a one-word query without pieces and a quoted phrase are not tiered
    assert query.tiered_words("名册") is None
    assert query.tiered_words('"兽医人员名册"') is None
    assert query.tiered_words("兽医人员名册") == 3


def test_an_entry_the_viewer_may_not_see_is_never_counted(app):
    org = factories.Organization()
    # closed (the factory's default): government users may see it, the public may not
    closed = factories.Entry(owner_org=org["id"], title="兽医人员名册", title_words_only=True)
    open_entry(org, "乡镇干部名册")
    anonymous = _page(app, "兽医人员名册")
    assert NONE_HOLD_ALL in anonymous and FIRST_HOLDS_ALL not in anonymous
    assert f"/dataset/{closed['name']}" not in anonymous
    member = factories.Member(organization=org)
    token = factories.APIToken(user=member["name"])["token"]
    assert FIRST_HOLDS_ALL in _page(app, "兽医人员名册", token)
