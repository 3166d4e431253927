"""The home page statistics: counts by vocabulary value, every value of the vocabulary shown (zero
counts included), named in the language of the request, counted as the visitor may see."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests import factories


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

_CHART_DATA = re.compile(r'<script type="application/json" id="gc-home-data">(.*?)</script>', re.S)


@pytest.fixture
def world() -> dict[str, Any]:
    admin = factories.Sysadmin()
    dept = factories.Department(user=admin)
    factories.Entry(user=admin, owner_org=dept["id"])  # basic, 公共服务, closed
    factories.Entry(
        user=admin,
        owner_org=dept["id"],
        catalog_class="departmental",
        catalog_item=None,
        share_type="unconditional",
        open_type="open",
        theme=["公共服务", "城乡建设"],
    )
    return {"admin": admin}


def charts(app: Any, path: str, user: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Chart id -> its items, as the home page gives them to its charts."""
    headers = {"Authorization": user["token"]} if user else {}
    body = app.get(path, headers=headers).get_data(as_text=True)
    found = _CHART_DATA.search(body)
    assert found, body[:500]
    return {chart["id"]: chart["items"] for chart in json.loads(found.group(1))}


def _counts(items: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(i["value"], i["label"], i["count"]) for i in items]


@pytest.mark.parametrize(
    "path,labels",
    [
        (
            "/zh_Hans_CN/",
            (
                "基础信息资源",
                "主题信息资源",
                "部门信息资源",
                "无条件共享",
                "有条件共享",
                "不予共享",
            ),
        ),
        (
            "/",
            (
                "Basic information resources",
                "Thematic information resources",
                "Departmental information resources",
                "Unconditional sharing",
                "Conditional sharing",
                "Not shared",
            ),
        ),
    ],
)
def test_charts_list_every_vocabulary_value_in_the_users_language(app, world, path, labels):
    found = charts(app, path, world["admin"])
    basic, thematic, departmental, unconditional, conditional, none = labels
    assert _counts(found["class"]) == [
        ("basic", basic, 1),
        ("thematic", thematic, 0),
        ("departmental", departmental, 1),
    ]
    assert _counts(found["share"]) == [
        ("unconditional", unconditional, 1),
        ("conditional", conditional, 1),
        ("none", none, 0),
    ]


def test_charts_count_only_what_the_visitor_may_see(app, world):
    found = charts(app, "/", None)
    assert [i["count"] for i in found["class"]] == [0, 0, 1]
    assert [(i["value"], i["count"]) for i in found["open"]] == [
        ("open", 1),
        ("conditional", 0),
        ("closed", 0),
    ]


def test_a_level_has_its_badge_colour_on_the_charts(app, world):
    """不予共享 is drawn in the colour of its badge (schemas/vocab), not the next colour of a
    palette: the chart and the entry page say the same thing."""
    from ckanext.govcatalog.web import branding

    badges = branding.badge_colours()
    found = charts(app, "/", world["admin"])
    for chart, prefix in (("share", "govcatalog-share"), ("open", "govcatalog-open")):
        for item in found[chart]:
            assert item["colour"] == badges[f"{prefix}-{item['value']}"]["background"]


def test_browse_by_theme_names_the_themes_that_have_entries(app, world):
    from ckanext.govcatalog.home.helpers import home_stats

    # an anonymous visitor: only the open entry is counted
    with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "en"}):
        themes = home_stats()["themes"]
    assert [(t["value"], t["label"], t["count"]) for t in themes] == [
        ("公共服务", "Public services", 1),
        ("城乡建设", "Urban and rural development", 1),
    ]
