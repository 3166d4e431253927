"""一数一源 (elements/provenance.py): entries of other departments holding an element with a
数源部门 either cite the source or are flagged 重复采集 on their page, in search and in the
report; searching any name of an element finds every entry holding it; the reuse finder matches
by element. The catalog is tests/elements/provenance_world.py."""

from __future__ import annotations

import csv
from typing import Any

import ckan.plugins as p
import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.common import config
from ckan.tests.helpers import call_action

from ckanext.govcatalog.elements import provenance
from tests.elements import provenance_world as pw

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module, and one test app with our plugins loaded."""
    from ckan.tests.helpers import _get_test_app
    from ckan.tests.pytest_ckan import ckan_setup

    saved = {"ckan.plugins": config.get("ckan.plugins")}
    config["ckan.plugins"] = PLUGINS
    p.load_all()
    web = _get_test_app()
    saved_context = ckan_setup._tests_test_request_context
    ckan_setup._tests_test_request_context = web.flask_app.test_request_context()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govcatalog")
    reset_index()
    try:
        yield web, pw.build()
    finally:
        ckan_setup._tests_test_request_context = saved_context
        config.update(saved)
        p.unload_all()


@pytest.fixture(scope="module")
def world(web_and_world) -> pw.World:
    return web_and_world[1]


@pytest.fixture(scope="module")
def web(web_and_world):
    return web_and_world[0]


def token(world: pw.World, role: str) -> dict[str, str]:
    user = world.users[role]
    if user is None:
        return {}
    return {
        "Authorization": call_action(
            "api_token_create", {"user": user["name"]}, user=user["name"], name="pv"
        )["token"]
    }


def search(world: pw.World, role: str, **params: Any) -> dict[str, Any]:
    user = world.users[role]
    return call_action(
        "package_search",
        {"user": user["name"] if user else "", "ignore_auth": False},
        include_private=True,
        rows=50,
        **params,
    )


def names(result: dict[str, Any]) -> set[str]:
    return {pkg["name"].removeprefix("pv-") for pkg in result["results"]}


def test_each_entry_holding_a_sourced_element_is_judged(world):
    verdicts = {}
    for key, pkg in world.entries.items():
        shown = call_action("package_show", id=pkg["id"])
        findings = provenance.entry_findings(shown)
        assert len(findings) <= 1
        verdicts[key] = findings[0].verdict if findings else None
    assert verdicts == {
        "src": None,  # the source department's own collection
        "rep": "repeated",
        "cite": "cites",  # its related resource codes cite the source entry
        "named": "cites",  # its 数源部门 is the police
        "priv": "repeated",
        "open": "repeated",
        "free": None,  # its element names no source department
    }
    rep = provenance.entry_findings(call_action("package_show", id="pv-rep"))[0]
    assert rep.element_name == pw.ELEMENT_NAME and rep.items == (pw.ITEM_NAMES["rep"],)
    assert rep.source_org_title == "测试县公安局"
    assert [h.name for h in rep.source_entries] == ["pv-src"]


def test_the_repeated_collection_facet_and_the_element_facet(world):
    flagged = search(world, "sysadmin", fq="repeated_collection:yes")
    assert names(flagged) == {"rep", "priv", "open"}
    assert names(search(world, "sysadmin", fq="repeated_collection:no")) == {"cite", "named"}
    facets = search(world, "sysadmin", **{"facet.field": ["data_elements", "repeated_collection"]})[
        "search_facets"
    ]
    counts = {i["name"]: i["count"] for i in facets["data_elements"]["items"]}
    assert counts == {pw.ELEMENT_NAME: 6, pw.FREE_NAME: 1}
    labels = {i["name"]: i["display_name"] for i in facets["repeated_collection"]["items"]}
    assert labels == {"yes": "Collected again", "no": "Cites the source (obtained by sharing)"}
    # facet counts follow the reader's labels: the civil department does not count health's
    # private entry, the public only the open one
    assert names(search(world, "civil_editor", fq="repeated_collection:yes")) == {"rep", "open"}
    assert names(search(world, "anonymous", fq="repeated_collection:yes")) == {"open"}


def test_searching_any_name_of_an_element_finds_every_entry_holding_it(world):
    # no data item is called so: only the element's synonyms can match
    found = names(search(world, "sysadmin", q=pw.UNUSED_SYNONYM))
    assert found == {"src", "rep", "cite", "named", "priv", "open"}
    assert names(search(world, "sysadmin", q=pw.ELEMENT_NAME)) >= {"cite", "named", "priv"}
    assert names(search(world, "anonymous", q=pw.UNUSED_SYNONYM)) == {"open"}


def test_the_reuse_finder_matches_by_element_and_falls_back_to_names(world):
    user = world.users["civil_editor"]
    result = call_action(
        "govcatalog_reuse_search",
        {"user": user["name"], "ignore_auth": False},
        items=f"{pw.UNUSED_SYNONYM}，备注",
        rows=50,
    )
    provided = {r["name"].removeprefix("pv-"): r["provided"] for r in result["results"]}
    # bound entries provide the element by any of its names; 备注 is bound to nothing and is
    # found by its name
    assert set(provided) == {"src", "rep", "cite", "named", "open", "free"}
    for key in ("src", "rep", "cite", "named", "open"):
        assert provided[key] == [pw.UNUSED_SYNONYM, "备注"], key
    assert provided["free"] == ["备注"]


def test_the_entry_page_flags_a_repeated_collection_and_names_the_source(world, web):
    page = web.get("/dataset/pv-rep", headers=token(world, "civil_editor"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "govcatalog-repeated-collection" in text
    assert "测试县公安局" in text and pw.ITEM_NAMES["rep"] in text
    assert "/dataset/pv-src" in text  # the source entry to obtain it from
    cited = web.get("/dataset/pv-cite", headers=token(world, "civil_editor"))
    assert "govcatalog-repeated-collection" not in cited.get_data(as_text=True)
    assert "govcatalog-cites-source" in cited.get_data(as_text=True)
    own = web.get("/dataset/pv-src", headers=token(world, "police_editor"))
    own_text = own.get_data(as_text=True)
    assert "govcatalog-repeated-collection" not in own_text
    assert "govcatalog-cites-source" not in own_text
    # in Chinese, with the request advice
    zh = web.get("/zh_Hans_CN/dataset/pv-open").get_data(as_text=True)
    assert "重复采集" in zh and "通过共享获取，而非重复采集" in zh
    # the public may not see the source entry: it is named by department only
    assert "/dataset/pv-src" not in zh


def test_the_element_page_shows_the_source_entry_and_the_request_button(world, web):
    page = web.get(
        f"/zh_Hans_CN/data-element/{world.element_id}", headers=token(world, "civil_editor")
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "通过共享获取，而非重复采集" in text
    assert "/dataset/pv-src/access-request" in text  # conditional sharing: request it
    assert "测试县民政局" in text and "测试县卫健局" in text
    assert "县级就业系统" in text  # the system collecting it for the civil entry


def test_the_report_command_writes_the_repeated_entries(world, cli, tmp_path):
    out = tmp_path / "repeated.csv"
    result = cli.invoke(
        ckan_cli,
        ["govcatalog", "elements", "report", "--csv", str(out), "--table", "repeated"],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert sorted(r[1] for r in rows[1:]) == ["测试资源open", "测试资源priv", "测试资源rep"]
    assert {r[4] for r in rows[1:]} == {"测试县公安局"}
    summary = cli.invoke(ckan_cli, ["govcatalog", "elements", "report"])
    assert summary.exit_code == 0, summary.output
    assert "测试镇" in summary.output and pw.ELEMENT_NAME in summary.output
