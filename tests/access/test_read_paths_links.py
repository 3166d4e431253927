"""Links between entries on the read paths: an entry names the information system it comes from
(source_system). An information system is never shown to the public, so an open entry may be
shown to the public only without the name of its system, and the import template offers the
public no system to choose; every government user sees them.
The expectation is written out per role (the read-path matrix's roles and world), not derived
from access/policy.py.
"""

from __future__ import annotations

import io
import json
from typing import Any

import ckan.model as core_model
import pytest
from ckan.tests.helpers import call_action
from openpyxl import load_workbook

from tests import factories
from tests.access import read_path_world as rpw
from tests.module_app import catalog_app

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity image_view"
# who may see the information system the linked entry names (the matrix's column `is`)
SEES_SYSTEM = {
    "sysadmin": True,
    "owner_editor": True,
    "owner_admin": True,
    "parent_admin": True,
    "other_dept": True,
    "child_member": True,
    "gov_grant": True,
    "gov_lapsed": True,
    "public_user": False,
    "anonymous": False,
    # a grant to an information system opens nothing
    "public_grant": False,
    "public_lapsed": False,
}
ROLES = list(SEES_SYSTEM)
LINKED = "rp-linked"
# activity data for everyone who may see the entry, where hiding the link must hold
pytestmark = pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True)


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    """The read-path world plus an open entry of another department that names the world's
    information system as its source."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        world = rpw.build()
        factories.Entry(
            user=world.creator,
            name=LINKED,
            owner_org=world.orgs["owner"]["id"],
            source_system=world.entries["is"]["name"],
            open_to_all=True,
        )
        core_model.repo.commit()
        yield web, world


def _api(web_and_world, role: str, action: str, **params: Any) -> Any:
    web, world = web_and_world
    token = world.tokens[role]
    response = web.post(
        f"/api/3/action/{action}", json=params, headers={"Authorization": token} if token else {}
    )
    body = response.get_json()
    assert body["success"], f"{role}: {action} failed: {body}"
    return body["result"]


def _check(web_and_world, role: str, served: Any, where: str) -> None:
    system = web_and_world[1].entries["is"]
    text = json.dumps(served, ensure_ascii=False)
    if SEES_SYSTEM[role]:
        assert system["name"] in text, f"{role}: {where} lost the source system it may see"
    else:
        for secret in (system["name"], system["id"]):
            assert secret not in text, f"{role}: {where} names the hidden information system"


@pytest.mark.parametrize("role", ROLES)
def test_package_show_names_the_source_system_only_to_who_may_see_it(web_and_world, role):
    shown = _api(web_and_world, role, "package_show", id=LINKED)
    _check(web_and_world, role, shown, "package_show")
    expected = web_and_world[1].entries["is"]["name"] if SEES_SYSTEM[role] else ""
    assert shown["source_system"] == expected


@pytest.mark.parametrize("role", ROLES)
def test_search_and_lists_name_the_source_system_only_to_who_may_see_it(web_and_world, role):
    query = {"q": f"name:{LINKED}"}
    found = _api(web_and_world, role, "package_search", **query)
    assert [p["name"] for p in found["results"]] == [LINKED]
    _check(web_and_world, role, found["results"], "package_search")
    # the dicts the index stores: source_system as an extra, and as a field
    for fl in (["name", "data_dict"], ["validated_data_dict"]):
        found = _api(web_and_world, role, "package_search", fl=fl, **query)
        assert len(found["results"]) == 1
        _check(web_and_world, role, found["results"], f"package_search fl={fl}")
    listed = _api(web_and_world, role, "current_package_list_with_resources", limit=100)
    _check(web_and_world, role, [p for p in listed if p["name"] == LINKED], "package list")


@pytest.mark.parametrize("role", ROLES)
def test_activity_names_the_source_system_only_to_who_may_see_it(web_and_world, role):
    activities = _api(web_and_world, role, "package_activity_list", id=LINKED)
    assert activities, f"{role}: no activity of the linked entry"
    _check(web_and_world, role, activities, "package_activity_list")
    latest = activities[0]["id"]
    _check(
        web_and_world,
        role,
        _api(web_and_world, role, "activity_show", id=latest, include_data=True),
        "activity",
    )
    data = _api(web_and_world, role, "activity_data_show", id=latest, object_type="package")
    _check(web_and_world, role, data, "activity_data_show")
    recent = _api(web_and_world, role, "recently_changed_packages_activity_list", limit=100)
    mine = [a for a in recent if (a.get("data") or {}).get("package", {}).get("name") == LINKED]
    assert mine, f"{role}: the linked entry's activity is not in the recent stream"
    _check(web_and_world, role, mine, "recently_changed_packages_activity_list")


def test_the_link_is_kept_in_the_index_and_for_trusted_calls(web_and_world):
    """Hiding is done when serving: CKAN's own calls (ignore_auth) keep the stored value."""
    world = web_and_world[1]
    shown = call_action("package_show", {"ignore_auth": True}, id=LINKED)
    assert shown["source_system"] == world.entries["is"]["name"]


@pytest.mark.parametrize("url", ["/catalog/bulk/template.xlsx", "/catalog/bulk/export?format=xlsx"])
@pytest.mark.parametrize("role", ROLES)
def test_the_workbooks_offer_only_the_systems_the_reader_may_see(web_and_world, role, url):
    """The import template and the export workbook list the information systems as the choices
    of 来源信息系统; anyone may download them, so the public gets none of them."""
    web, world = web_and_world
    token = world.tokens[role]
    response = web.get(url, headers={"Authorization": token} if token else {})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    cells = {
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    }
    system = world.entries["is"]
    assert (system["title"] in cells) == SEES_SYSTEM[role], f"{role}: template choices"
    assert system["name"] not in cells
