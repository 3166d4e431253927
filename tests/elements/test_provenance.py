"""一数一源 (elements/provenance.py): entries of other departments holding an element with a
数源部门 either cite the source or are flagged 重复采集 on their page, in search and in the
report; searching any name of an element finds every entry holding it; the reuse finder matches
by element; the search index follows changes of an element's 数源部门 and names at once. The
catalog is tests/elements/provenance_world.py."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.common import config
from ckan.lib import jobs as ckan_jobs
from ckan.tests.helpers import call_action

from ckanext.govcatalog.elements import provenance, refresh
from tests import factories
from tests.elements import provenance_world as pw
from tests.module_app import catalog_app

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module, and one test app with our plugins loaded."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        yield web, pw.build()


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
    holding = {"src", "rep", "cite", "named", "priv", "open"}
    # every word of the synonym (mm 100%): exactly the entries holding the element
    assert names(search(world, "sysadmin", q=pw.UNUSED_SYNONYM, mm="100%")) == holding
    # as typed, they rank first; entries holding some of its words follow (search/query.py
    # tiered_query)
    ranked = [
        p["name"].removeprefix("pv-")
        for p in search(world, "sysadmin", q=pw.UNUSED_SYNONYM)["results"]
    ]
    assert set(ranked[: len(holding)]) == holding
    assert names(search(world, "sysadmin", q=pw.ELEMENT_NAME)) >= {"cite", "named", "priv"}
    assert names(search(world, "anonymous", q=pw.UNUSED_SYNONYM, mm="100%")) == {"open"}
    assert names(search(world, "anonymous", q=pw.UNUSED_SYNONYM)) & holding == {"open"}


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


# ---- the search index follows the register (elements/refresh.py) ------------------------------
# These change the world's elements (each puts back what the next one starts from), so they come
# last in this module: a new 数源部门, status, name or synonyms of an element indexes the entries
# bound to it again, in the request when few, by one background job when many.

HOLDERS = {"src", "rep", "cite", "named", "priv", "open"}


def flagged_in_index(**params: Any) -> set[str]:
    """The entries the search index flags 重复采集 (as a sysadmin sees them)."""
    found = call_action(
        "package_search",
        {"ignore_auth": True},
        fq="repeated_collection:yes",
        include_private=True,
        rows=50,
        **params,
    )
    return {pkg["name"].removeprefix("pv-") for pkg in found["results"]}


def found_in_index_by(text: str) -> set[str]:
    found = call_action("package_search", {"ignore_auth": True}, q=text, include_private=True)
    return {pkg["name"].removeprefix("pv-") for pkg in found["results"]}


def element_update(world: pw.World, element_id: str, **changes: Any) -> dict[str, Any]:
    return call_action(
        "data_element_update", {"user": world.users["sysadmin"]["name"]}, id=element_id, **changes
    )


def test_a_new_source_department_reflags_the_bound_entries_at_once(world):
    assert flagged_in_index() & HOLDERS == {"rep", "priv", "open"}
    element_update(world, world.element_id, source_org=world.orgs["civil"]["name"])
    # civil's own entries are the source now; the police's and health's collect it again
    # (named cites the police, no longer the source)
    assert flagged_in_index() & HOLDERS == {"src", "named", "priv"}

    # an element without a 数源部门 gets one: its holder is flagged (health is not the police)
    assert "free" not in flagged_in_index()
    element_update(world, world.free_id, source_org=world.orgs["police"]["name"])
    assert "free" in flagged_in_index()

    # a new synonym finds the entries holding the element, though no item is called so
    assert "free" not in found_in_index_by("测试新增同义名称")
    element_update(world, world.free_id, synonyms=[pw.FREE_NAME + "甲", "测试新增同义名称"])
    assert found_in_index_by("测试新增同义名称") == {"free"}


def test_a_change_to_many_entries_is_indexed_by_one_background_job(
    world, web_and_world, clean_redis, monkeypatch
):
    element_update(world, world.element_id, source_org=world.orgs["health"]["name"])
    assert flagged_in_index() & HOLDERS == {"src", "rep", "cite", "open"}

    monkeypatch.setitem(config, refresh.INLINE_MAX_OPTION, "2")  # six entries hold ELEMENT
    element_update(world, world.element_id, source_org=world.orgs["police"]["name"])
    queue = ckan_jobs.get_queue()
    jobs = [queue.fetch_job(job_id) for job_id in queue.job_ids]
    assert [j.func_name for j in jobs] == [
        "ckanext.govcatalog.elements.refresh.reindex_element_entries"
    ]
    assert flagged_in_index() & HOLDERS == {
        "src",
        "rep",
        "cite",
        "open",
    }  # not yet: the job is queued

    web = web_and_world[0]
    for job in jobs:  # performed here, as the worker would, in an app context of its own
        queue.remove(job)
        with web.flask_app.app_context():
            assert job.perform() == len(HOLDERS)
    assert flagged_in_index() & HOLDERS == {"rep", "priv", "open"}


def test_a_change_that_no_search_document_holds_reindexes_nothing(world, clean_redis):
    before = refresh.bound_entry_ids(world.element_id)
    assert set(before)  # the element is held
    result = refresh.after_change(
        world.element_id,
        {"definition": "旧", "source_org": "x"},
        {"definition": "新", "source_org": "x"},
    )
    assert result == {"fields": [], "entries": 0, "mode": "none"}
    assert ckan_jobs.get_queue().job_ids == []


def test_the_form_note_says_how_the_source_shares_the_element(world, web):
    """The data-item grid's note (views.source_note) tells the recording officer what is true:
    a source entry that is 不予共享 cannot be requested, one shared without conditions is
    obtained by sharing; never "obtain it by sharing" for an entry that is not shared."""
    ctx = {"user": world.users["sysadmin"]["name"]}
    element = call_action(
        "data_element_create",
        ctx,
        name="测试封存编号",
        data_type="C",
        format="c..50",
        status="已发布",
        source_org="pv-health",
    )
    sealed = factories.Entry(
        user=world.users["sysadmin"],
        name="pv-sealed",
        title="测试封存记录",
        owner_org="pv-health",
        data_items=[dict(factories.data_item("测试封存编号"), element_id=element["id"])],
        share_type="none",
        open_type="closed",
    )
    url = f"/zh_Hans_CN/data-element/{element['id']}/source-note?owner_org=pv-civil"

    def note() -> dict[str, Any]:
        response = web.get(url, headers=token(world, "civil_editor"))
        assert response.status_code == 200
        return response.json

    answer = note()
    assert answer["share_type"] == "none" and answer["entry"]["name"] == "pv-sealed"
    assert "“测试封存记录”不予共享，不能申请使用" in answer["note"], answer["note"]
    assert "请向测试县卫健局索取" in answer["note"] and "通过共享获取" not in answer["note"]
    assert answer["link"]["href"] == "/zh_Hans_CN/dataset/pv-sealed"  # the law it rests on

    call_action(
        "package_patch",
        ctx,
        id=sealed["id"],
        share_type="unconditional",
        open_type="closed",
        share_condition="",
    )
    answer = note()
    assert answer["share_type"] == "unconditional"
    assert "“测试封存记录”无条件共享：请通过共享获取" in answer["note"], answer["note"]
    assert "不予共享" not in answer["note"]
    # the source department recording its own entry is told nothing
    own = web.get(url.replace("pv-civil", "pv-health"), headers=token(world, "health_editor"))
    assert own.json["note"] is None
    call_action("dataset_purge", ctx, id=sealed["id"])


def test_the_map_leaves_out_record_keeping_elements(world):
    """An element of the vocabulary record_keeping_element (备注) describes the record: the map
    counts it neither as an independent collection nor among the elements several systems of a
    town ask for, while an element bound the same way (FREE, the control) is counted."""
    from ckan import model as core_model

    from ckanext.govcatalog import vocab
    from ckanext.govcatalog.access import policy
    from ckanext.govcatalog.elements import collection_map, register

    remarks = "DE00606"
    assert remarks in vocab.values(collection_map.RECORD_KEEPING)
    register.create(
        {"name": "备注", "data_type": "C", "format": "c..2000", "status": "已发布"},
        None,
        element_id=remarks,
    )
    core_model.Session.commit()
    site = world.users["sysadmin"]
    made = [
        factories.Entry(
            user=site,
            name=f"pv-remarks-{org}",
            title=f"测试资源备注{org}",
            owner_org=f"pv-{org}",
            source_system=system,
            data_items=[
                dict(factories.data_item(pw.FREE_NAME), element_id=world.free_id),
                dict(factories.data_item("备注"), element_id=remarks),
            ],
        )
        for org, system in (("civil", "pv-sys-county"), ("health", "pv-sys-city"))
    ]
    found = collection_map.build(policy.viewer_for(site["name"]))
    counted = {row.element_id for row in found.elements}
    assert world.free_id in counted and remarks not in counted, counted
    town = next(p for p in found.places if p.name == "pv-town")
    asked = {element_id for element_id, _name, _systems in town.shared_elements}
    assert world.free_id in asked and remarks not in asked, asked
    for entry in made:
        call_action("dataset_purge", {"user": site["name"]}, id=entry["id"])
