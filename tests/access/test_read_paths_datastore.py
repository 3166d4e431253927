"""The DataStore's read paths in the read-path matrix: every role of spec §4 × every entry of the
matrix world × every DataStore read path (datastore_search by action and API, datastore_info,
the dump and API-info views, the table listing and SQL search), asserting exactly who reads the
rows, and whether the personal columns come masked. The expectation is the literal table below,
written from the spec, not derived from access/policy.py.

Cells: U = rows, personal columns unmasked (the owner, sysadmins, holders of a grant naming every
item: the world's grants have no request, so they cover the whole entry); M = rows, personal
columns masked; m = entry visible but no rows; - = nothing. ``is`` has no resources.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from tests.access import read_path_world as rpw
from tests.access import test_read_paths as trp
from tests.module_app import catalog_app
from tests.tabular import datastore_world as dw

KEYS = rpw.WITH_RESOURCES  # uo uc ux co cc cx nx pv
# fmt: off
MATRIX = {
    #               uo  uc  ux  co  cc  cx  nx  pv
    "sysadmin":      "U   U   U   U   U   U   U   U",
    "owner_editor":  "U   U   U   U   U   U   U   U",
    "owner_admin":   "U   U   U   U   U   U   U   U",
    "parent_admin":  "U   U   U   U   U   U   U   U",
    "other_dept":    "M   M   M   M   m   m   m   -",
    "child_member":  "M   M   M   M   m   m   m   -",
    "public_user":   "M   m   -   M   m   -   -   -",
    "anonymous":     "M   m   -   M   m   -   -   -",
    # active grants on co cc cx nx uc (whole entry): unmasked where they open the data
    "gov_grant":     "M   U   M   U   U   U   m   -",
    # active grants on uc cc ux cx is pv: only uc and cc can open anything
    "public_grant":  "M   U   -   M   U   -   -   -",
    "gov_lapsed":    "M   M   M   M   m   m   m   -",
    "public_lapsed": "M   m   -   M   m   -   -   -",
}
# fmt: on
ROLES = list(MATRIX)
assert set(ROLES) == set(trp.ROLES)
PLUGINS = trp.PLUGINS + " datastore"


def cells(role: str) -> dict[str, str]:
    return dict(zip(KEYS, MATRIX[role].split(), strict=True))


def secret_id(key: str) -> str:
    """The ID number of the entry's table: shown whole only in U cells."""
    return f"61092419900101{sum(map(ord, key)) % 10000:04d}"


def masked_id(key: str) -> str:
    value = secret_id(key)
    return value[:6] + "*" * 8 + value[-4:]


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The matrix world with a DataStore table on each entry's uploaded resource."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        dw.clear_datastore()
        world = rpw.build()
        for key in KEYS:
            call_action(
                "datastore_create",
                {"user": world.creator["name"]},
                resource_id=world.upload[key]["id"],
                force=True,
                fields=[{"id": "姓名", "type": "text"}, {"id": "公民身份号码", "type": "text"}],
                records=[{"姓名": f"qzsecret{key}name", "公民身份号码": secret_id(key)}],
            )
        yield web, world


@pytest.fixture(scope="module")
def world(web_and_world):
    return web_and_world[1]


@pytest.fixture(scope="module")
def web(web_and_world):
    return web_and_world[0]


def table(world, key: str) -> str:
    return world.upload[key]["id"]


def check_rows(role: str, key: str, text: str, where: str) -> None:
    cell = cells(role)[key]
    if cell == "U":
        assert secret_id(key) in text and f"qzsecret{key}name" in text, f"{role}: {where} {key}"
    else:
        assert cell == "M", f"{role}: {where} {key} served rows in a {cell} cell"
        assert masked_id(key) in text, f"{role}: {where} {key} rows missing"
        assert secret_id(key) not in text, f"{role}: {where} {key} unmasks the ID number"
        assert f"secret{key}name" not in text, f"{role}: {where} {key} unmasks the name"


@pytest.mark.parametrize("role", ROLES)
def test_datastore_search_action(world, role):
    for key in KEYS:
        if cells(role)[key] in "UM":
            result = call_action(
                "datastore_search", trp.ctx(world, role), resource_id=table(world, key)
            )
            check_rows(role, key, json.dumps(result, ensure_ascii=False), "datastore_search")
        else:
            with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound)):
                call_action("datastore_search", trp.ctx(world, role), resource_id=table(world, key))


@pytest.mark.parametrize("role", ROLES)
def test_datastore_search_api(world, web, role):
    for key in KEYS:
        status, body = trp.api(web, world, role, "datastore_search", resource_id=table(world, key))
        text = json.dumps(body, ensure_ascii=False)
        if cells(role)[key] in "UM":
            assert status == 200, f"{role}: API datastore_search {key} -> {status}"
            check_rows(role, key, text, "API datastore_search")
        else:
            assert status in (403, 404), f"{role}: API datastore_search {key} -> {status}"
            assert secret_id(key) not in text and masked_id(key) not in text


@pytest.mark.parametrize("role", ROLES)
def test_datastore_info(world, web, role):
    for key in KEYS:
        status, body = trp.api(web, world, role, "datastore_info", id=table(world, key))
        if cells(role)[key] in "UM":
            assert status == 200, f"{role}: datastore_info {key} -> {status}"
            assert [f["id"] for f in body["result"]["fields"]] == ["姓名", "公民身份号码"]
        else:
            assert status in (403, 404), f"{role}: datastore_info {key} -> {status}"


@pytest.mark.parametrize("role", ROLES)
def test_dump_view(world, web, role):
    for key in KEYS:
        dump = web.get(f"/datastore/dump/{table(world, key)}", headers=trp.headers(world, role))
        if cells(role)[key] in "UM":
            assert dump.status_code == 200, f"{role}: dump {key}"
            check_rows(role, key, dump.get_data(as_text=True), "dump")
        else:
            assert dump.status_code == 404, f"{role}: dump {key} -> {dump.status_code}"
            assert secret_id(key) not in dump.get_data(as_text=True)


# the API-info page shows no rows (it runs datastore_search with limit 0 and says whether the
# table may be read): one entry per sharing level keeps the page renders few
INFO_KEYS = ("uo", "uc", "cc", "nx")


@pytest.mark.parametrize("role", ROLES)
def test_api_info_view(world, web, role):
    for key in INFO_KEYS:
        info = web.get(f"/datastore/api_info/{table(world, key)}", headers=trp.headers(world, role))
        expected = 200 if cells(role)[key] in "UM" else 404
        assert info.status_code == expected, f"{role}: api_info {key} -> {info.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_table_listing_and_sql_search(world, web, role):
    status, body = trp.api(web, world, role, "datastore_search", resource_id="_table_metadata")
    context: dict[str, Any] = dict(trp.ctx(world, role), table_names=[table(world, "uo")])
    if role == "sysadmin":
        assert status == 200
        assert tk.check_access("datastore_search_sql", context, {"sql": "SELECT 1"})
    else:
        assert status == 403, f"{role}: table listing -> {status}"
        assert table(world, "nx") not in json.dumps(body)
        with pytest.raises(tk.NotAuthorized):
            tk.check_access("datastore_search_sql", context, {"sql": "SELECT 1"})


# The resource page's table preview reads through datastore_search with the viewer's context: the
# same cells as the API. One page per entry and role keeps the renders few: U cells are searched
# by a part of the ID number (substring search, unmasked), M cells show the masked rows, m cells
# say the rows are refused. (A masked column is not searched: tests/tabular/test_api.py.)
PREVIEW_KEYS = ("uo", "cc")


@pytest.fixture(scope="module")
def tables_marked_loaded(world):
    """The world's tables were written by datastore_create, while their uploads' own loads are
    still queued (no worker runs here): recorded as loaded, as the loader would after loading."""
    import ckan.model as core_model

    from ckanext.govcatalog.tabular import loading

    for key in PREVIEW_KEYS:
        res = core_model.Resource.get(table(world, key))
        facts = loading.resource_facts(res)
        loading.set_state(
            res.id, loading.LOADED, fingerprint=loading.fingerprint(facts), rows=1, columns=[]
        )


@pytest.mark.parametrize("role", ROLES)
def test_resource_page_preview(world, web, role, tables_marked_loaded):
    for key in PREVIEW_KEYS:
        entry = world.entries[key]
        cell = cells(role)[key]
        page = web.get(
            f"/dataset/{entry['name']}/resource/{table(world, key)}",
            query_string={"q": secret_id(key)[6:14]} if cell == "U" else {},
            headers=trp.headers(world, role),
        )
        text = page.get_data(as_text=True)
        if cell in "UM":
            assert page.status_code == 200, f"{role}: preview {key} -> {page.status_code}"
            assert 'data-load-state="loaded"' in text and "data-preview-refused" not in text
            check_rows(role, key, text, "preview")
            if cell == "U":
                assert 'data-total="1"' in text, f"{role}: {key} not found by a part of its ID"
        else:
            assert page.status_code in (200, 403, 404), f"{role}: preview {key}"
            if cell == "m":
                assert page.status_code == 200 and "data-preview-refused" in text, role
            assert secret_id(key) not in text and masked_id(key) not in text, f"{role}: {key}"
            assert f"qzsecret{key}name" not in text, f"{role}: {key}"


# Usage records (who read an entry's data) are the owner department's: the page opens for it
# and sysadmins, and the entry page and the request page link it for them only.
USAGE_READERS = {"sysadmin", "owner_editor", "owner_admin", "parent_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_usage_page_and_its_link_on_the_entry_page(world, web, role):
    name = world.entries["cc"]["name"]  # an entry every government role sees
    usage_path = f"/dataset/{name}/usage"
    page = web.get(f"/dataset/{name}", headers=trp.headers(world, role))
    usage = web.get(usage_path, headers=trp.headers(world, role))
    linked = f'href="{usage_path}"' in page.get_data(as_text=True)
    if role in USAGE_READERS:
        assert linked and usage.status_code == 200, f"{role}: usage link / page"
    else:
        assert not linked, f"{role}: the entry page links the usage records"
        assert usage.status_code in (403, 404), f"{role}: usage -> {usage.status_code}"


def test_grant_usage_page_and_its_link_on_the_request_page(world, web):
    """Runs last: a request of a department user of its own (no role of the matrix gains a
    grant) on the conditionally shared entry, approved by the owner's admin."""
    from tests import factories

    requester = factories.Member(
        name="rp_usage_requester", organization=world.orgs["other"], capacity="editor"
    )
    entry = world.entries["cc"]
    request = call_action(
        "access_request_create",
        {"user": requester["name"], "ignore_auth": False},
        **factories.access_request_data(entry),
    )
    approved = call_action(
        "access_request_approve",
        {"user": world.users["owner_admin"]["name"], "ignore_auth": False},
        id=request["id"],
        expires=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
    )
    grant_id = approved["grant"]["id"]
    grant_path = f"/usage/grant/{grant_id}"
    token = call_action(
        "api_token_create", {"user": requester["name"]}, user=requester["name"], name="rp"
    )["token"]
    viewers = {role: trp.headers(world, role) for role in ROLES}
    viewers["requester"] = {"Authorization": token}
    linked_for = set()
    for who, headers in viewers.items():
        page = web.get(f"/access-request/{request['id']}", headers=headers)
        usage = web.get(grant_path, headers=headers)
        if f'href="{grant_path}"' in page.get_data(as_text=True):
            linked_for.add(who)
        if who in USAGE_READERS:
            assert usage.status_code == 200, f"{who}: grant usage -> {usage.status_code}"
        else:
            assert usage.status_code in (403, 404), f"{who}: grant usage -> {usage.status_code}"
    # the request page itself is the requester's and the deciders' (sharing/auth.py: the owner
    # organization's admins and sysadmins); of them, the deciders get the link, not the requester
    assert linked_for == {"sysadmin", "owner_admin"}, linked_for
