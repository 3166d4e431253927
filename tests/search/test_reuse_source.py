"""The reuse finder and 一数一源 (issue 15 §4, §7), per role: for an item naming an element with
a 数源部门, the source department's entry comes first among the entries providing as many items
and is marked 数源 (``source_for``), to a reader who may see it; nobody is told of an entry they
may not see, and counts and data access stay what they were. The catalog is
tests/elements/provenance_world.py (the police's entry ``src`` is the source of its element);
the expectations are written out from its table, not derived from access/policy.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests.helpers import call_action

from tests.elements import provenance_world as pw
from tests.module_app import catalog_app
from tests.search.searches import as_user

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"
ROLES = ["sysadmin", "police_editor", "civil_editor", "health_editor", "public_user", "anonymous"]
# 备注 is bound to no element: every entry of the world provides it by name
WANTED = [pw.UNUSED_SYNONYM, "备注"]
# fmt: off
# the entries each role is shown (the entries holding the element, and ``free``, which provides
# 备注 only), and how it may get the police's source entry's data (conditional sharing)
SHOWN = {
    "sysadmin":      {"src", "rep", "cite", "named", "priv", "open", "free"},
    "police_editor": {"src", "rep", "cite", "named", "open", "free"},
    "civil_editor":  {"src", "rep", "cite", "named", "open", "free"},
    "health_editor": {"src", "rep", "cite", "named", "priv", "open", "free"},
    "public_user":   {"open"},
    "anonymous":     {"open"},
}
SOURCE_ACCESS = {
    "sysadmin": "available", "police_editor": "available",
    "civil_editor": "request", "health_editor": "request",
}
# fmt: on


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module, and one test app with our plugins loaded."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        world = pw.build()
        tokens = {
            role: call_action("api_token_create", {"user": u["name"]}, user=u["name"], name="r")[
                "token"
            ]
            for role, u in world.users.items()
            if u
        }
        yield web, world, tokens


def reuse(world: pw.World, role: str, **data: Any) -> dict[str, Any]:
    return call_action("govcatalog_reuse_search", as_user(world.users[role]), **data)


def short(result: dict[str, Any]) -> list[tuple[str, int, list[str]]]:
    return [
        (r["name"].removeprefix("pv-"), r["provided_count"], r["source_for"])
        for r in result["results"]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_the_source_entry_comes_first_and_is_marked_for_who_may_see_it(web_and_world, role):
    world = web_and_world[1]
    result = reuse(world, role, items=WANTED, rows=50)
    rows = short(result)
    assert {key for key, _n, _s in rows} == SHOWN[role], role
    # counts as before: every holder of the element provides both items, free only 备注
    assert {key: n for key, n, _s in rows} == {k: 1 if k == "free" else 2 for k in SHOWN[role]}
    marked = {key: source_for for key, _n, source_for in rows if source_for}
    if role in SOURCE_ACCESS:
        # only the item naming the element is the source's; 备注 is nobody's
        assert marked == {"src": [pw.UNUSED_SYNONYM]}, role
        assert rows[0][0] == "src", f"{role}: {rows}"
        access = {r["name"]: r["access"] for r in result["results"]}
        assert access["pv-src"] == SOURCE_ACCESS[role], role
    else:
        assert marked == {}, role
        assert "pv-src" not in str(result) and "测试资源src" not in str(result), role


def test_the_source_entry_is_kept_when_the_rows_run_out(web_and_world):
    """The source entry is the oldest of six entries providing both items, so Solr's order
    (score, then newest) alone would leave it out of a short list."""
    world = web_and_world[1]
    assert short(reuse(world, "civil_editor", items=WANTED, rows=1)) == [
        ("src", 2, [pw.UNUSED_SYNONYM])
    ]
    # without an item naming the element there is no source to prefer
    (only,) = short(reuse(world, "civil_editor", items=["备注"], rows=1))
    assert only[0] != "src" and only[2] == []


def test_an_element_s_other_names_point_to_the_same_source(web_and_world):
    world = web_and_world[1]
    rows = short(reuse(world, "health_editor", items=[pw.ELEMENT_NAME, "就业证号码"], rows=50))
    assert rows[0] == ("src", 2, [pw.ELEMENT_NAME, "就业证号码"])
    assert all(not source_for for _k, _n, source_for in rows[1:])


@pytest.mark.parametrize("role", ["civil_editor", "anonymous"])
def test_the_reuse_page_marks_the_source_entry_in_chinese(web_and_world, role):
    web, _world, tokens = web_and_world
    headers = {"Authorization": tokens[role]} if role in tokens else {}
    page = web.get(
        "/zh_Hans_CN/reuse", query_string={"items": "，".join(WANTED)}, headers=headers
    ).get_data(as_text=True)
    assert "govcatalog-reuse-results" in page
    marked = "govcatalog-reuse-source" in page
    assert marked == (role == "civil_editor"), role
    if marked:
        assert "数源" in page and f"{pw.UNUSED_SYNONYM}的数源部门资源" in page
        first = page.index('href="/zh_Hans_CN/dataset/pv-')
        assert page[first:].startswith('href="/zh_Hans_CN/dataset/pv-src"'), role
    else:
        assert "pv-src" not in page and "测试资源src" not in page
