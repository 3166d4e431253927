"""The read-path matrix. Every role of spec §4 × every allowed share_type/open_type
combination (plus an information system and a private entry) × every read path, asserting
exactly what is visible. The expectation is the literal table below, written from the spec, not
derived from access/policy.py.

Cells: D = metadata and data; m = metadata only (no URL, no file, no preview, no DataStore);
- = nothing (the entry does not exist for this role). The information system (is) has no
sharing levels and no resources: government users see it, the public never does.
"""

from __future__ import annotations

import collections
import json
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog.model import AccessLog
from tests.access import read_path_world as rpw
from tests.module_app import catalog_app

COLUMNS = list(rpw.ENTRIES)  # uo uc ux co cc cx nx is pv
# fmt: off
MATRIX = {
    #               uo  uc  ux  co  cc  cx  nx  is  pv
    "sysadmin":      "D   D   D   D   D   D   D   D   D",
    "owner_editor":  "D   D   D   D   D   D   D   D   D",
    "owner_admin":   "D   D   D   D   D   D   D   D   D",
    # admin of the owner's parent organization (ckan.auth.roles_that_cascade_to_sub_groups)
    "parent_admin":  "D   D   D   D   D   D   D   D   D",
    "other_dept":    "D   D   D   D   m   m   m   m   -",
    # admin of a child organization of the owner: still just another department
    "child_member":  "D   D   D   D   m   m   m   m   -",
    "public_user":   "D   m   -   D   m   -   -   -   -",
    "anonymous":     "D   m   -   D   m   -   -   -   -",
    # active grants on co cc cx nx uc (nx: a grant must never open a `none` entry)
    "gov_grant":     "D   D   D   D   D   D   m   m   -",
    # active grants on uc cc, and on ux cx is pv, which must open nothing
    "public_grant":  "D   D   -   D   D   -   -   -   -",
    # grants expired (cc), revoked (cx), suspended (nx)
    "gov_lapsed":    "D   D   D   D   m   m   m   m   -",
    # grants expired (uc), revoked (cc)
    "public_lapsed": "D   m   -   D   m   -   -   -   -",
}
# fmt: on
ROLES = list(MATRIX)
STREAM_DETAIL = "ckan.auth.public_activity_stream_detail"
# activity data for everyone who may see the entry: the setting where stripping must hold
# (config is reset before each test, so it is a mark, not a module-fixture assignment)
pytestmark = pytest.mark.ckan_config(STREAM_DETAIL, True)
PLUGINS = "govcatalog scheming_datasets scheming_organizations activity image_view dcat"


def cells(role: str) -> dict[str, str]:
    return dict(zip(COLUMNS, MATRIX[role].split(), strict=True))


def visible(role: str) -> set[str]:
    return {k for k, c in cells(role).items() if c != "-"}


def with_data(role: str) -> set[str]:
    return {k for k, c in cells(role).items() if c == "D"}


def assert_no_secret(role: str, text: str, keys: set[str], where: str) -> None:
    """None of the data locations of the entries `keys` appears in `text`."""
    for key in keys:
        for secret in rpw.secrets(key):
            assert secret not in text, f"{role}: {where} leaks data of entry {key} ({secret})"


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module, and one test app with our plugins loaded."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        yield web, rpw.build()


@pytest.fixture(scope="module")
def world(web_and_world):
    return web_and_world[1]


@pytest.fixture(scope="module")
def web(web_and_world):
    return web_and_world[0]


def ctx(world: rpw.World, role: str) -> dict[str, Any]:
    user = world.users[role]
    # call_action would otherwise set ignore_auth, which is CKAN's trusted internal path
    return {"user": user["name"] if user else "", "ignore_auth": False}


def headers(world: rpw.World, role: str) -> dict[str, str]:
    token = world.tokens[role]
    return {"Authorization": token} if token else {}


def api(web, world, role: str, action: str, **params: Any) -> tuple[int, Any]:
    resp = web.post(f"/api/3/action/{action}", json=params, headers=headers(world, role))
    return resp.status_code, resp.get_json()


def key_of(world: rpw.World, pkg_id_or_name: str) -> str:
    for key, pkg in world.entries.items():
        if pkg_id_or_name in (pkg["id"], pkg["name"]):
            return key
    raise AssertionError(f"unknown entry {pkg_id_or_name}")


def check_package(role: str, key: str, pkg: dict[str, Any], where: str) -> None:
    text = json.dumps(pkg, ensure_ascii=False)
    urls = [r["url"] for r in pkg["resources"]]
    if key not in rpw.WITH_RESOURCES:
        assert urls == []
        return
    assert len(urls) == 2, f"{role}: {where} {key} lost resources"
    if key in with_data(role):
        assert rpw.link_url(key) in urls, f"{role}: {where} {key} hides the data it may read"
        assert any(rpw.upload_name(key) in u for u in urls), f"{role}: {where} {key} upload"
    else:
        assert urls == ["", ""], f"{role}: {where} {key} serves resource URLs"
        assert_no_secret(role, text, {key}, f"{where} {key}")


# --- package_show / package_search / lists / autocomplete ---


@pytest.mark.parametrize("role", ROLES)
def test_package_show(world, web, role):
    for key, entry in world.entries.items():
        if key in visible(role):
            pkg = call_action("package_show", ctx(world, role), id=entry["id"])
            check_package(role, key, pkg, "package_show")
            status, body = api(web, world, role, "package_show", id=entry["name"])
            assert status == 200, f"{role}: API package_show {key} -> {status}"
            check_package(role, key, body["result"], "API package_show")
            page = web.get(f"/dataset/{entry['name']}", headers=headers(world, role))
            if rpw.ENTRIES[key][0] == "dataset":
                assert page.status_code == 200, f"{role}: dataset page {key}"
            if key not in with_data(role):
                assert_no_secret(role, page.get_data(as_text=True), {key}, f"dataset page {key}")
        else:
            with pytest.raises(tk.NotAuthorized):
                call_action("package_show", ctx(world, role), id=entry["id"])
            status, body = api(web, world, role, "package_show", id=entry["name"])
            assert status == 403, f"{role}: API package_show {key} -> {status}"
            assert_no_secret(role, json.dumps(body), {key}, "API package_show refusal")
            page = web.get(f"/dataset/{entry['name']}", headers=headers(world, role))
            assert page.status_code in (403, 404), f"{role}: dataset page of hidden {key}"


@pytest.mark.parametrize("role", ROLES)
def test_package_search_results_and_facets(world, web, role):
    facets = ["share_type", "open_type", "organization", "dataset_type", "res_format"]
    params = {"include_private": True, "rows": 100, "facet.field": facets, "facet.limit": -1}
    for where, result in (
        ("package_search", call_action("package_search", ctx(world, role), **params)),
        ("API package_search", api(web, world, role, "package_search", **params)[1]["result"]),
    ):
        found = {key_of(world, r["name"]) for r in result["results"]}
        assert found == visible(role), f"{role}: {where} finds {sorted(found)}"
        assert result["count"] == len(visible(role))
        for item in result["results"]:
            check_package(role, key_of(world, item["name"]), item, where)
        counts = {
            name: {i["name"]: i["count"] for i in f["items"]}
            for name, f in result["search_facets"].items()
        }
        shown = visible(role)
        for field, pos in (("share_type", 1), ("open_type", 2), ("dataset_type", 0)):
            expected = collections.Counter(
                rpw.ENTRIES[k][pos] for k in shown if rpw.ENTRIES[k][pos] is not None
            )
            assert counts[field] == dict(expected), f"{role}: {where} facet {field}"
        assert counts["organization"] == ({"rp-owner": len(shown)} if shown else {})
        with_files = shown & set(rpw.WITH_RESOURCES)
        assert counts["res_format"] == ({"CSV": len(with_files)} if with_files else {})


def _indexed(key: str) -> dict[str, Any]:
    """The Solr fields of entry `key` that hold one of its data locations (for failure reports)."""
    from ckan.lib.search.common import make_connection

    docs = make_connection().search(q=f"name:rp-{key}", fl="*").docs
    return {
        field: value
        for doc in docs
        for field, value in doc.items()
        if field not in ("data_dict", "validated_data_dict") and "secret" in str(value)
    }


@pytest.mark.parametrize("role", ROLES)
def test_package_search_cannot_probe_urls(world, role):
    no_data = set(rpw.ENTRIES) - with_data(role)
    # stored fields asked for by name
    result = call_action(
        "package_search",
        ctx(world, role),
        include_private=True,
        rows=100,
        fl=["name", "res_url", "validated_data_dict", "data_dict", "download_url"],
    )
    assert {key_of(world, r["name"]) for r in result["results"]} == visible(role)
    assert_no_secret(role, json.dumps(result, ensure_ascii=False), no_data, "package_search fl")
    # a facet on the URL field
    result = call_action(
        "package_search",
        ctx(world, role),
        include_private=True,
        rows=0,
        **{"facet.field": ["res_url"]},
    )
    assert_no_secret(role, json.dumps(result, ensure_ascii=False), no_data, "res_url facet")
    # queries on the URLs: an entry whose data the role may not read is never found by them
    for key in no_data:
        token = f"qzsecret{key}link"
        for q in (f'res_url:"{rpw.link_url(key)}"', f"urls:{token}", f"text:{token}", token):
            hits = call_action("package_search", ctx(world, role), include_private=True, q=q)
            assert hits["count"] == 0, f"{role}: query {q} finds entry {key}: {_indexed(key)}"


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_autocomplete(world, role):
    names = call_action("package_list", ctx(world, role))
    listed = {key_of(world, n) for n in names}
    assert listed == visible(role) - {"pv"}, f"{role}: package_list {sorted(listed)}"

    current = call_action("current_package_list_with_resources", ctx(world, role), limit=100)
    expected = visible(role) - ({"pv"} if role != "sysadmin" else set())
    assert {key_of(world, r["name"]) for r in current} == expected
    for item in current:
        check_package(role, key_of(world, item["name"]), item, "current_package_list")

    auto = call_action("package_autocomplete", ctx(world, role), q="rp-", limit=100)
    assert {key_of(world, r["name"]) for r in auto} == visible(role), f"{role}: autocomplete"

    found = call_action("resource_search", ctx(world, role), query="name:")["results"]
    found_keys = {key_of(world, r["package_id"]) for r in found}
    expected = with_data(role) & set(rpw.WITH_RESOURCES) - {"pv"}
    assert found_keys == expected, f"{role}: resource_search {sorted(found_keys)}"
    by_url = call_action("resource_search", ctx(world, role), query="url:secret")["results"]
    assert {key_of(world, r["package_id"]) for r in by_url} <= with_data(role)


# --- resources: resource_show, views, downloads ---


@pytest.mark.parametrize("role", ROLES)
def test_resource_show_views_and_downloads(world, web, role):
    for key in rpw.WITH_RESOURCES:
        entry = world.entries[key]
        for kind, res in (("upload", world.upload[key]), ("link", world.link[key])):
            view_id = world.views[res["id"]]
            status, body = api(web, world, role, "resource_show", id=res["id"])
            download = web.get(
                f"/dataset/{entry['id']}/resource/{res['id']}/download",
                headers=headers(world, role),
                follow_redirects=False,
            )
            preview = web.get(
                f"/dataset/{entry['id']}/resource/{res['id']}/view/{view_id}",
                headers=headers(world, role),
            )
            if key in with_data(role):
                shown = call_action("resource_show", ctx(world, role), id=res["id"])
                assert shown["url"] and shown["url"] == res["url"]
                assert status == 200 and body["result"]["url"] == res["url"]
                assert call_action("resource_view_list", ctx(world, role), id=res["id"])
                assert call_action("resource_view_show", ctx(world, role), id=view_id)
                assert preview.status_code == 200, f"{role}: preview {key} {kind}"
                if kind == "upload":
                    assert download.status_code == 200, f"{role}: download {key}"
                    assert download.get_data(as_text=True) == rpw.upload_content(key)
                else:
                    assert download.status_code == 302, f"{role}: link {key}"
                    assert download.headers["Location"] == rpw.link_url(key)
                continue
            for action, rid in (("resource_show", res["id"]), ("resource_view_show", view_id)):
                with pytest.raises(tk.NotAuthorized):
                    call_action(action, ctx(world, role), id=rid)
            if key in visible(role):  # the entry's page lists no previews
                assert call_action("resource_view_list", ctx(world, role), id=res["id"]) == []
            else:
                with pytest.raises(tk.NotAuthorized):
                    call_action("resource_view_list", ctx(world, role), id=res["id"])
            assert status == 403, f"{role}: API resource_show {key} {kind} -> {status}"
            assert download.status_code == 403, f"{role}: download {key} {kind}"
            assert "Location" not in download.headers
            assert preview.status_code in (403, 404), f"{role}: preview {key} {kind}"
            for resp in (download, preview):
                text = resp.get_data(as_text=True)
                assert rpw.upload_content(key) not in text
                assert_no_secret(role, text, {key}, f"{kind} download/preview {key}")


@pytest.mark.usefixtures("world")
def test_downloads_are_logged_per_user(world, web):
    before = core_model.Session.query(AccessLog).count()
    user = world.users["other_dept"]
    res = world.upload["uo"]
    url = f"/dataset/{world.entries['uo']['id']}/resource/{res['id']}/download"
    assert web.get(url, headers=headers(world, "other_dept")).status_code == 200
    link = world.link["ux"]
    url = f"/dataset/{world.entries['ux']['id']}/resource/{link['id']}/download"
    assert (
        web.get(url, headers=headers(world, "other_dept"), follow_redirects=False).status_code
        == 302
    )
    refused = world.link["cc"]
    url = f"/dataset/{world.entries['cc']['id']}/resource/{refused['id']}/download"
    assert web.get(url, headers=headers(world, "other_dept")).status_code == 403
    core_model.Session.expire_all()
    rows = core_model.Session.query(AccessLog).order_by(AccessLog.id).all()[before:]
    assert [(r.user_id, r.resource_id, r.kind) for r in rows] == [
        (user["id"], res["id"], "download"),
        (user["id"], link["id"], "download"),
    ]
    assert rows[0].package_id == world.entries["uo"]["id"]


# --- activity streams ---


def _package_keys(world, activities: list[dict[str, Any]]) -> set[str]:
    ids = {pkg["id"]: key for key, pkg in world.entries.items()}
    return {ids[a["object_id"]] for a in activities if a["object_id"] in ids}


@pytest.mark.parametrize("role", ROLES)
def test_activity_streams(world, role):
    c = ctx(world, role)
    no_data = set(rpw.ENTRIES) - with_data(role)
    lists = {
        "organization": call_action(
            "organization_activity_list", c, id=world.orgs["owner"]["id"], limit=100
        ),
        "recent": call_action("recently_changed_packages_activity_list", c, limit=100),
    }
    try:
        lists["user"] = call_action("user_activity_list", c, id=world.creator["id"], limit=100)
    except tk.NotAuthorized:
        assert role in ("anonymous",), f"{role}: may not see the creator's stream"
    if world.users[role] and role != "sysadmin":
        lists["dashboard"] = call_action("dashboard_activity_list", c, limit=100)
    for name, activities in lists.items():
        keys = _package_keys(world, activities)
        assert keys <= visible(role), f"{role}: {name} activity shows {sorted(keys)}"
        # private entries may be left out of some streams; every other visible entry is there
        assert keys - {"pv"} == visible(role) - {"pv"}, f"{role}: {name} misses entries"
        text = json.dumps(activities, ensure_ascii=False)
        assert_no_secret(role, text, no_data, f"{name} activity")

    for key, entry in world.entries.items():
        if key not in visible(role):
            with pytest.raises(tk.NotAuthorized):
                call_action("package_activity_list", c, id=entry["id"])
            continue
        activities = call_action("package_activity_list", c, id=entry["id"])
        assert activities, f"{role}: no activity for {key}"
        text = json.dumps(activities, ensure_ascii=False)
        if key in no_data:
            assert_no_secret(role, text, {key}, f"package activity {key}")
        elif key in rpw.WITH_RESOURCES:
            # the data really is in the stream
            assert rpw.link_url(key) in text, f"{role}: {key} {text[:1500]}"

    for key, entry in world.entries.items():
        # as the sysadmin: CKAN filters activity lists by labels even with ignore_auth
        stream = call_action("package_activity_list", ctx(world, "sysadmin"), id=entry["id"])
        latest = next((a for a in stream if a["activity_type"].endswith("package")), None)
        if latest is None:
            kinds = [a["activity_type"] for a in stream]
            assert key == "pv", f"no activity recorded for {key}: {kinds}"  # CKAN may skip private
            continue
        if key not in visible(role):
            for action in ("activity_show", "activity_data_show", "activity_diff"):
                with pytest.raises(tk.NotAuthorized):
                    call_action(
                        action, c, id=latest["id"], object_type="package", include_data=True
                    )
            continue
        shown = call_action("activity_show", c, id=latest["id"], include_data=True)
        data = call_action("activity_data_show", c, id=latest["id"], object_type="package")
        text = json.dumps([shown, data], ensure_ascii=False)
        if key in no_data:
            assert_no_secret(role, text, {key}, f"activity_show {key}")
            with pytest.raises(tk.NotAuthorized):
                call_action("activity_diff", c, id=latest["id"], object_type="package")
        elif key in rpw.WITH_RESOURCES:  # (an entry without resources has no earlier version)
            assert rpw.link_url(key) in text
            diff = call_action("activity_diff", c, id=latest["id"], object_type="package")
            assert diff["activities"]


# --- organization and user counts ---


@pytest.mark.parametrize("role", ROLES)
def test_dataset_counts(world, role):
    c = ctx(world, role)
    shown = visible(role)
    orgs = call_action("organization_list", c, all_fields=True)
    counts = {o["name"]: o["package_count"] for o in orgs}
    assert counts["rp-owner"] == len(shown), f"{role}: organization_list count"
    assert counts["rp-other"] == 0
    org = call_action("organization_show", c, id="rp-owner", include_datasets=True)
    assert org["package_count"] == len(shown), f"{role}: organization_show count"
    assert {key_of(world, d["name"]) for d in org["packages"]} == shown
    for item in org["packages"]:
        check_package(role, key_of(world, item["name"]), item, "organization_show")
    try:
        creator = call_action("user_show", c, id=world.creator["id"], include_datasets=True)
    except tk.NotAuthorized:  # ckan.auth.public_user_details = false
        assert role == "anonymous"
        return
    own = role in ("sysadmin", "owner_editor")
    assert creator["number_created_packages"] == len(shown - (set() if own else {"pv"}))
    for item in creator.get("datasets", []):
        check_package(role, key_of(world, item["name"]), item, "user_show")


# --- DCAT ---


def _in_open_data_feed(key: str, listing: bool = True) -> bool:
    """DCAT publishes only entries whose open_type schemas/dcat.yaml lists (spec §7); the
    catalog listing, like package_search, leaves private entries out."""
    from ckanext.govcatalog.dcat import profile as dcat_profile

    type_, _share, open_, private = rpw.ENTRIES[key]
    if listing and private:
        return False
    return type_ == "dataset" and open_ in dcat_profile.published_open_types()


@pytest.mark.parametrize("role", ROLES)
def test_dcat_endpoints(world, web, role):
    no_data = set(rpw.ENTRIES) - with_data(role)
    catalog = web.get("/catalog.ttl", headers=headers(world, role))
    assert catalog.status_code == 200
    text = catalog.get_data(as_text=True)
    for key, entry in world.entries.items():
        listed = entry["title"] in text
        # what the role may see, and of that only the open-data feed
        expected = key in visible(role) and _in_open_data_feed(key)
        assert listed == expected, f"{role}: catalog.ttl lists {key}: {listed}"
    assert_no_secret(role, text, no_data, "catalog.ttl")
    for key, entry in world.entries.items():
        resp = web.get(f"/dataset/{entry['id']}.rdf", headers=headers(world, role))
        if key not in visible(role) or not _in_open_data_feed(key, listing=False):
            assert resp.status_code in (403, 404), f"{role}: {key}.rdf -> {resp.status_code}"
            assert_no_secret(role, resp.get_data(as_text=True), {key}, f"{key}.rdf refusal")
            continue
        assert resp.status_code == 200
        body = resp.get_data(as_text=True)
        if key in no_data:
            assert_no_secret(role, body, {key}, f"{key}.rdf")
        else:
            assert rpw.link_url(key) in body, f"{role}: {key}.rdf lacks the data it may read"
