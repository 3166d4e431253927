"""Links to entries a reader may not see, on the paths test_read_paths_links.py does not cover:
the activity diff and the pages built from activity data, the edits of an entry whose link its
editor may not see, and the hints a search or a refusal gives that a hidden entry exists.

The world: the read-path matrix's, plus
- DIFF, an open entry of the owner department that gets a file and then the world's information
  system (rp-is, never shown to the public) as its source: its last activity changes the link;
- KEEP and CHANGE, open entries of the owner department whose source is OTHER_SYS, a system of
  another department made private after the link was made: the owner department's people may
  not see it, the other department's may.
The expectation is written out per role, not derived from access/policy.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.access import read_path_world as rpw
from tests.module_app import catalog_app
from tests.ops.forms import read_form, replace

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity image_view"
# activity data for everyone who may see the entry, where hiding the link must hold
pytestmark = pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True)

DIFF, KEEP, CHANGE, OTHER_SYS = "rp-hl-diff", "rp-hl-keep", "rp-hl-change", "rp-hl-other-sys"
OTHER_SYS_TITLE = "rp 他部门内部系统"
NO_SUCH = "rp-hl-no-such-system"
KEPT_NOTE = "已关联其他部门的信息系统（您无权查看）"
# fmt: off
# who may see rp-is (the matrix's column `is`) and OTHER_SYS (private to rp-other; rp-county's
# admin reads its sub-departments' entries)
SEES = {
    #                 rp-is  OTHER_SYS
    "sysadmin":      (True,  True),
    "owner_editor":  (True,  False),
    "owner_admin":   (True,  False),
    "parent_admin":  (True,  True),
    "other_dept":    (True,  True),
    "child_member":  (True,  False),
    "gov_grant":     (True,  True),
    "gov_lapsed":    (True,  True),
    "public_user":   (False, False),
    "anonymous":     (False, False),
    "public_grant":  (False, False),
    "public_lapsed": (False, False),
}
# fmt: on
ROLES = list(SEES)
SEES_PV = {"sysadmin", "owner_editor", "owner_admin", "parent_admin"}  # the private entry
# the rows of the matrix with data of `cc` (conditional sharing and opening)
CC_DATA = {"sysadmin", "owner_editor", "owner_admin", "parent_admin", "gov_grant", "public_grant"}


@pytest.fixture(scope="module")
def web_and_world(reset_db, reset_index, migrate_db_for):
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        world = rpw.build()
        site = {"user": world.users["sysadmin"]["name"]}
        owner, creator = world.orgs["owner"]["id"], world.creator
        editor = {"user": creator["name"]}
        diff = factories.Entry(user=creator, name=DIFF, owner_org=owner, open_to_all=True)
        call_action(
            "resource_create",
            editor,
            package_id=diff["id"],
            name="diff link",
            url=rpw.link_url("uo"),
        )
        call_action("package_patch", editor, id=DIFF, source_system=world.entries["is"]["name"])
        system = factories.InfoSystem(
            user=world.users["sysadmin"],
            name=OTHER_SYS,
            title=OTHER_SYS_TITLE,
            owner_org=world.orgs["other"]["id"],
        )
        for name in (KEEP, CHANGE):
            factories.Entry(
                user=creator, name=name, owner_org=owner, source_system=OTHER_SYS, open_to_all=True
            )
        # the other department closes its system after the links were made
        call_action("package_patch", site, id=system["id"], private=True)
        core_model.repo.commit()
        yield web, world


def _headers(world: rpw.World, role: str) -> dict[str, str]:
    token = world.tokens[role]
    return {"Authorization": token} if token else {}


def _api(web_and_world, role: str, action: str, **params: Any) -> Any:
    web, world = web_and_world
    response = web.post(f"/api/3/action/{action}", json=params, headers=_headers(world, role))
    body = response.get_json()
    assert body["success"], f"{role}: {action} failed: {body}"
    return body["result"]


def _check_is(web_and_world, role: str, text: str, where: str) -> None:
    system = web_and_world[1].entries["is"]
    if SEES[role][0]:
        assert system["name"] in text, f"{role}: {where} lost the source system it may see"
    else:
        for secret in (system["name"], system["id"]):
            assert secret not in text, f"{role}: {where} names the hidden information system"


def _stored_link(name: str) -> str:
    core_model.Session.expire_all()
    return call_action("package_show", {"ignore_auth": True}, id=name)["source_system"]


# --- (a) the activity diff and the pages made of activity data ---------------------------------


def _last_change(name: str) -> dict[str, Any]:
    stream = call_action("package_activity_list", {"ignore_auth": True}, id=name)
    return next(a for a in stream if a["activity_type"] == "changed package")


@pytest.mark.parametrize("role", ROLES)
def test_activity_diff_names_the_source_system_only_to_who_may_see_it(web_and_world, role):
    activity = _last_change(DIFF)
    for diff_type in ("unified", "context", "html"):
        diff = _api(
            web_and_world,
            role,
            "activity_diff",
            id=activity["id"],
            object_type="package",
            diff_type=diff_type,
        )
        _check_is(web_and_world, role, json.dumps(diff, ensure_ascii=False), f"diff {diff_type}")
        if diff_type == "unified":
            # the link is the change: the diff says so to who may see it, and nothing to others
            changed = [
                line
                for line in diff["diff"].splitlines()
                if line[:1] in "+-" and "source_system" in line
            ]
            assert bool(changed) == SEES[role][0], f"{role}: {changed}"
        assert [a["id"] for a in diff["activities"]][1] == activity["id"]


@pytest.mark.parametrize("role", ROLES)
def test_the_changes_pages_name_the_source_system_only_to_who_may_see_it(web_and_world, role):
    web, world = web_and_world
    activity = _last_change(DIFF)
    stream = call_action("package_activity_list", {"ignore_auth": True}, id=DIFF)
    first = stream[-1]["id"]
    for url in (
        f"/dataset/changes/{activity['id']}",
        f"/dataset/changes_multiple?new_id={activity['id']}&old_id={first}",
    ):
        page = web.get(url, headers=_headers(world, role))
        assert page.status_code == 200, f"{role}: {url}"
        _check_is(web_and_world, role, page.get_data(as_text=True), url)


@pytest.mark.parametrize("role", ROLES)
def test_resource_history_serves_neither_data_nor_hidden_links(web_and_world, role):
    """CKAN's resource history page reads the activity straight from the database."""
    web, world = web_and_world
    latest = _last_change("rp-cc")
    link = world.link["cc"]
    url = f"/dataset/rp-cc/resources/{link['id']}/history/{latest['id']}"
    page = web.get(url, headers=_headers(world, role))
    text = page.get_data(as_text=True)
    if role in CC_DATA:
        assert page.status_code == 200, f"{role}: {url}"
        assert rpw.link_url("cc") in text, f"{role}: the history of data it may read"
    else:
        assert page.status_code in (403, 404), f"{role}: {url} -> {page.status_code}"
        for secret in rpw.secrets("cc"):
            assert secret not in text, f"{role}: resource history leaks {secret}"
    # and the history of DIFF's resource, whose entry links to rp-is
    resource = call_action("package_show", {"ignore_auth": True}, id=DIFF)["resources"][0]
    latest = _last_change(DIFF)
    page = web.get(
        f"/dataset/{DIFF}/resources/{resource['id']}/history/{latest['id']}",
        headers=_headers(world, role),
    )
    assert page.status_code == 200, f"{role}: history of an open resource"
    system = world.entries["is"]
    if not SEES[role][0]:
        assert system["name"] not in page.get_data(as_text=True)
        assert system["id"] not in page.get_data(as_text=True)


# --- (b) an editor saves an entry whose link they may not see -----------------------------------


def _editor(world: rpw.World) -> dict[str, str]:
    return {"user": world.users["owner_editor"]["name"], "ignore_auth": False}


def test_the_editor_sees_no_link_and_api_edits_keep_it(web_and_world):
    world = web_and_world[1]
    ctx = _editor(world)
    shown = call_action("package_show", ctx, id=KEEP)
    assert shown["source_system"] == ""  # hidden from the owner department's editor
    call_action("package_patch", ctx, id=KEEP, notes="补充说明：数据每月更新。")
    assert _stored_link(KEEP) == OTHER_SYS, "package_patch dropped the hidden link"
    shown = call_action("package_show", ctx, id=KEEP)
    call_action("package_update", ctx, **dict(shown, title="户籍人口基本信息（更新）"))
    assert _stored_link(KEEP) == OTHER_SYS, "package_update of the shown dict dropped the link"
    shown = call_action("package_show", ctx, id=KEEP)
    without = {k: v for k, v in shown.items() if k != "source_system"}
    call_action("package_update", ctx, **without)
    assert _stored_link(KEEP) == OTHER_SYS, "package_update without the field dropped the link"
    call_action("resource_create", ctx, package_id=KEEP, name="新资源", url=rpw.link_url("uo"))
    assert _stored_link(KEEP) == OTHER_SYS, "resource_create dropped the hidden link"
    assert call_action("package_show", ctx, id=KEEP)["source_system"] == ""


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_the_edit_form_says_the_hidden_link_is_kept_and_saving_keeps_it(web_and_world):
    web, world = web_and_world
    headers = _headers(world, "owner_editor")
    url = f"/dataset/edit/{KEEP}"
    page = web.get(url, headers=headers)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert KEPT_NOTE in html
    for secret in (OTHER_SYS, OTHER_SYS_TITLE, call_action("package_show", id=OTHER_SYS)["id"]):
        assert secret not in html, f"the edit form names the hidden system ({secret})"
    fields, buttons = read_form(html, "dataset-edit")
    # the save button that keeps the entry published (not go-metadata-unpublish)
    save = [b for b in buttons if b[0] == "save" and "unpublish" not in b[1]][:1]
    assert save, buttons
    posted = replace(fields, title="户籍人口基本信息（表单保存）")
    response = web.post(url, data=MultiDict(posted + save), headers=headers)
    assert response.status_code in (200, 302)
    core_model.Session.expire_all()
    saved = call_action("package_show", id=KEEP)
    assert (saved["title"], saved["state"]) == ("户籍人口基本信息（表单保存）", "active")
    assert _stored_link(KEEP) == OTHER_SYS, "saving the form dropped the hidden link"
    # who may see the system gets no note, and the system stays chosen in the form
    page = web.get(url, headers=_headers(world, "sysadmin")).get_data(as_text=True)
    assert KEPT_NOTE not in page
    assert dict(read_form(page, "dataset-edit")[0])["source_system"] == OTHER_SYS


def test_a_deliberate_change_replaces_the_hidden_link(web_and_world):
    world = web_and_world[1]
    ctx = _editor(world)
    system = world.entries["is"]["name"]
    call_action("package_patch", ctx, id=CHANGE, source_system=system)
    assert _stored_link(CHANGE) == system
    # a system the editor may not see is refused as an unknown one, the stored hidden link of
    # KEEP too: the answer confirms nothing
    refusals = []
    for name in (OTHER_SYS, NO_SUCH):
        with pytest.raises(tk.ValidationError) as refused:
            call_action("package_patch", ctx, id=CHANGE, source_system=name)
        refusals.append(str(refused.value.error_dict["source_system"]).replace(name, "NAME"))
    assert refusals[0] == refusals[1]
    assert _stored_link(CHANGE) == system
    with pytest.raises(tk.ValidationError):
        call_action("package_patch", ctx, id=KEEP, source_system=OTHER_SYS)
    assert _stored_link(KEEP) == OTHER_SYS
    # who may see the link may remove it
    call_action(
        "package_patch", {"user": world.users["sysadmin"]["name"]}, id=CHANGE, source_system=""
    )
    assert _stored_link(CHANGE) == ""


# --- (c) hints that a hidden entry exists --------------------------------------------------------


def _count(web_and_world, role: str, **params: Any) -> int:
    return _api(web_and_world, role, "package_search", rows=0, include_private=True, **params)[
        "count"
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_search_on_the_link_does_not_confirm_a_hidden_system(web_and_world, role):
    world = web_and_world[1]
    for system, seen in zip((world.entries["is"]["name"], OTHER_SYS), SEES[role], strict=True):
        probes = {
            "fq": (f"source_system:{system}", f"source_system:{NO_SUCH}"),
            "fq quoted": (f'source_system:"{system}"', f'source_system:"{NO_SUCH}"'),
            "fq negated": (f"-source_system:{system}", f"-source_system:{NO_SUCH}"),
            "fq prefix": (f"source_system:{system[:8]}*", f"source_system:{NO_SUCH[:8]}x*"),
            "fq extras": (f"extras_source_system:{system}", f"extras_source_system:{NO_SUCH}"),
        }
        for where, (probe, control) in probes.items():
            hit = _count(web_and_world, role, fq=probe)
            if seen:
                if where in ("fq", "fq quoted"):
                    assert hit >= 1, f"{role}: {where} does not find the entries of {system}"
                continue
            assert hit == _count(web_and_world, role, fq=control), f"{role}: {where} {system}"
        for field in ("q", "fq"):
            text_hit = _count(web_and_world, role, **{field: f'text:"{system}"'})
            if not seen:
                assert text_hit == 0, f"{role}: a text search finds the links to {system}"
        facets = _api(
            web_and_world,
            role,
            "package_search",
            rows=0,
            include_private=True,
            **{"facet.field": ["source_system"], "facet.limit": -1},
        )["search_facets"]
        names = {i["name"] for i in facets.get("source_system", {}).get("items", [])}
        assert (system in names) == seen, f"{role}: source_system facet {sorted(names)}"


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_entry_answers_as_an_absent_one_on_its_page(web_and_world, role):
    """The dataset page answers 404 alike for a hidden and for an absent entry (the API keeps
    CKAN's 403: README, the access row of the package table)."""
    web, world = web_and_world
    hidden = [(OTHER_SYS, SEES[role][1]), ("rp-pv", role in SEES_PV)]
    for prefix in ("/dataset", "/info_system"):
        absent = web.get(f"{prefix}/rp-hl-absent-entry", headers=_headers(world, role))
        assert absent.status_code == 404
        for name, seen in hidden:
            if seen:
                continue
            page = web.get(f"{prefix}/{name}", headers=_headers(world, role))
            where = f"{role}: {prefix}/{name}"
            assert page.status_code == 404, f"{where} -> {page.status_code}"
            assert _body(page, name) == _body(absent, "rp-hl-absent-entry"), where


def _body(page: Any, name: str) -> str:
    """The page without its name and its per-response CSRF token."""
    text = page.get_data(as_text=True).replace(name, "NAME")
    return re.sub(r'(csrf[^>]*(?:content|value)=")[^"]*', r"\1", text)
