"""The search result cards show why an entry matches: its title, summary and data items with the
matches marked (Solr highlighting, escaped), its provider department and its share/open levels as
visible badges."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from ckanext.govcatalog import vocab
from ckanext.govcatalog.search import cards
from ckanext.govcatalog.search.highlight import POST, PRE, marked
from ckanext.govcatalog.web import branding
from tests import factories

# ---------------------------------------------------------------- marking a fragment


def test_a_fragment_is_escaped_and_only_its_matches_are_marked():
    source = "<b>城乡</b>低保 & 名册"
    html = marked(f"<b>城乡</b>{PRE}低保{POST} & 名册", source)
    assert html == Markup("&lt;b&gt;城乡&lt;/b&gt;<mark>低保</mark> &amp; 名册")


def test_a_match_holding_markup_is_escaped_inside_the_mark():
    html = marked(f"{PRE}<img src=x onerror=alert(1)>{POST}", "<img src=x onerror=alert(1)>")
    assert html == Markup("<mark>&lt;img src=x onerror=alert(1)&gt;</mark>")


@pytest.mark.parametrize(
    "fragment, source",
    [
        (f"{PRE}低保{POST}<script>", "低保名册"),  # not the entry's text
        ("低保名册", "低保名册"),  # nothing marked
        (f"{PRE}低保{POST}", f"低保{PRE}名册"),  # the entry holds a mark character itself
        (f"{PRE}{POST}", "低保"),
    ],
)
def test_a_fragment_that_is_not_the_entrys_own_marked_text_is_not_used(fragment, source):
    assert marked(fragment, source) is None


def test_a_data_item_fragment_is_checked_against_every_item():
    assert marked(f"{PRE}法定代表人{POST}姓名", ["企业名称", "法定代表人姓名"]) == Markup(
        "<mark>法定代表人</mark>姓名"
    )


# ---------------------------------------------------------------- level badges


def test_level_badges_have_the_entry_pages_class_of_their_value():
    """Search cards colour a level as the entry page does: one class per value, whose colours
    come from schemas/vocab (tests/web/test_portal checks their contrast)."""
    colours = branding.badge_colours()
    for name in ("share_type", "open_type"):
        for value in vocab.values(name):
            badge = cards.govcatalog_level_badge(name, value)
            assert badge["label"] == vocab.label(name, value)
            level, css = badge["css"].split()
            assert level == "govcatalog-level" and css == branding.level_badge_class(name, value)
            assert css in colours, f"{css} has no colour"
    assert cards.govcatalog_level_badge("share_type", "no-such-level") is None
    assert cards.govcatalog_level_badge("share_type", None) is None
    assert cards.govcatalog_level_badge("data_grade", vocab.values("data_grade")[0]) is None


# ---------------------------------------------------------------- the search page

pytestmark_db = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def bureau_entry():
    bureau = factories.Organization(title="石泉县民政局")
    return factories.Entry(
        owner_org=bureau["id"],
        title="<b>城乡</b>低保对象名册",
        notes="<script>alert(1)</script>全县城乡低保对象的名册。",
        open_to_all=True,
        items=["法定代表人", "企业名称", "低保金额"],
    )


@pytestmark_db
def test_the_search_page_marks_the_matches_and_escapes_the_entry(app, bureau_entry):
    body = app.get("/dataset/", query_string={"q": "低保"}).get_data(as_text=True)
    assert "&lt;b&gt;城乡&lt;/b&gt;<mark>低保</mark>对象名册" in body
    assert "<mark>低保</mark>对象的名册" in body
    assert "<script>alert(1)</script>" not in body
    assert "<b>城乡</b>" not in body


@pytestmark_db
def test_the_card_lists_the_matching_data_items(app, bureau_entry):
    body = app.get("/dataset/", query_string={"q": "法定代表人"}).get_data(as_text=True)
    assert "Matching data items" in body
    assert "<mark>法定代表人</mark>" in body
    assert "企业名称" not in body.split("Matching data items", 1)[1].split("</div>", 1)[0]


@pytestmark_db
def test_the_card_shows_the_department_and_visible_level_badges(app, bureau_entry):
    body = app.get("/dataset/", query_string={"q": "低保"}).get_data(as_text=True)
    department = body.split('class="govcatalog-result-department"', 1)[1].split("</span>\n", 1)[0]
    assert "石泉县民政局" in department
    share = vocab.label("share_type", "unconditional")
    opened = vocab.label("open_type", "open")
    for css, label in (
        ("govcatalog-share-unconditional", share),
        ("govcatalog-open-open", opened),
    ):
        # the entry page's class, coloured by the page's own style rule (white on white without)
        assert re.search(
            r'class="badge govcatalog-level ' + css + r'[^"]*"[^>]*>' + re.escape(label) + "<", body
        )
        assert re.search(r"\.badge\." + css + r"\{background-color:#[0-9a-fA-F]{6};", body)


@pytestmark_db
def test_the_results_fetched_by_htmx_are_marked_too(app, bureau_entry):
    res = app.get("/dataset/", query_string={"q": "低保"}, headers={"HX-Request": "true"})
    assert "<mark>低保</mark>" in res.get_data(as_text=True)


@pytestmark_db
def test_a_page_without_a_query_shows_plain_cards(app, bureau_entry):
    body = app.get("/dataset/").get_data(as_text=True)
    assert "<mark>" not in body
    assert "&lt;b&gt;城乡&lt;/b&gt;低保对象名册" in body


@pytestmark_db
def test_an_entry_the_user_may_not_see_is_never_highlighted(app):
    owner = factories.Organization(title="石泉县民政局")
    factories.Entry(owner_org=owner["id"], title="低保涉密名册", share_type="none")
    body = app.get("/dataset/", query_string={"q": "低保"}).get_data(as_text=True)
    assert "低保涉密名册" not in body
