"""What real actions append to the audit chain: entries created, changed (with the fields that
changed and a separate sharing_change record), deleted and purged; organizations and their
members; access requests and the grant changes they cause. Failed, refused, read-only and
unchanged actions append nothing, and records of a deferred commit wait for the caller's.
"""

from __future__ import annotations

import datetime as dt

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.audit import records
from ckanext.govcatalog.model import AuditRecord
from tests import factories

pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


def stored() -> list[AuditRecord]:
    core_model.Session.rollback()  # a fresh snapshot
    return chain.records()


def actions(object_id: str | None = None) -> list[str]:
    return [r.action for r in stored() if object_id is None or r.object_id == object_id]


def act(action: str, user: dict, /, **data):
    return call_action(action, context={"user": user["name"], "ignore_auth": False}, **data)


@pytest.fixture
def dept():
    """A department with an admin, and a sysadmin."""
    admin = factories.User()
    org = factories.Organization(
        name="dept-audit",
        title="石泉县数据局",
        division_code="610922",
        users=[{"name": admin["name"], "capacity": "admin"}],
    )
    return {"org": org, "admin": admin, "sysadmin": factories.Sysadmin()}


def test_entry_lifecycle_and_sharing_change(dept):
    admin = dept["admin"]
    entry = factories.Entry(
        user=admin, owner_org=dept["org"]["id"], share_type="conditional", open_type="closed"
    )
    [created] = [r for r in stored() if r.object_id == entry["id"]]
    assert created.action == "package_create"
    assert created.object_type == "dataset"
    assert created.actor == admin["name"]
    assert created.payload["sharing"]["share_type"] == "conditional"
    assert created.payload["name"] == entry["name"]

    act("package_patch", admin, id=entry["id"], title="目录链测试信息资源（修订）")
    patched = stored()[-1]
    assert (patched.action, patched.object_id) == ("package_patch", entry["id"])
    assert patched.payload["changed"] == ["title"]

    act(
        "package_patch",
        admin,
        id=entry["id"],
        share_type="unconditional",
        share_condition="",
        open_type="open",
    )
    update, change = stored()[-2:]
    assert update.action == "package_patch"
    assert change.action == records.SHARING_CHANGE and change.object_id == entry["id"]
    assert change.payload["old"]["share_type"] == "conditional"
    assert change.payload["new"]["share_type"] == "unconditional"
    assert change.payload["old"]["open_type"] == "closed"
    assert change.payload["new"]["open_type"] == "open"
    assert {"share_type", "open_type"} <= set(change.payload["changed"])
    assert change.payload["via"] == "package_patch"

    # a full update goes through package_update and is named so
    full = call_action("package_show", id=entry["id"])
    full["steward"] = "李四 0915-7654321"
    act("package_update", admin, **full)
    assert stored()[-1].action == "package_update"
    assert stored()[-1].payload["changed"] == ["steward"]

    act("package_delete", admin, id=entry["id"])
    deleted = stored()[-1]
    assert (deleted.action, deleted.object_id) == ("package_delete", entry["id"])
    assert actions(entry["id"]) == [
        "package_create",
        "package_patch",
        "package_patch",
        records.SHARING_CHANGE,
        "package_update",
        "package_delete",
    ]
    verdict = chain.verify()
    assert verdict.ok and verdict.count == len(stored())


def test_resource_changes_are_entry_updates(dept):
    admin = dept["admin"]
    entry = factories.Entry(user=admin, owner_org=dept["org"]["id"])
    act("resource_create", admin, package_id=entry["id"], url="https://example.gov.cn/a.csv")
    last = stored()[-1]
    assert (last.action, last.object_id) == ("resource_create", entry["id"])
    assert last.payload["changed"] == ["resources"]
    assert actions(entry["id"]).count("resource_create") == 1


def test_unchanged_update_and_read_only_actions_record_nothing(dept):
    admin = dept["admin"]
    entry = factories.Entry(user=admin, owner_org=dept["org"]["id"])
    before = len(stored())
    act("package_patch", admin, id=entry["id"], title=entry["title"])
    act("package_show", admin, id=entry["id"])
    act("package_search", admin, q="*:*")
    act("organization_show", admin, id=dept["org"]["id"])
    act("access_request_list", admin, scope="mine")
    assert len(stored()) == before


def test_failed_actions_append_nothing(dept):
    admin = dept["admin"]
    entry = factories.Entry(user=admin, owner_org=dept["org"]["id"])
    before = len(stored())
    with pytest.raises(tk.ValidationError):
        act("package_patch", admin, id=entry["id"], share_type="no-such-level")
    with pytest.raises(tk.ValidationError):
        act("package_create", admin, name="audit-no-title", owner_org=dept["org"]["id"])
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        act("package_delete", outsider, id=entry["id"])
    assert len(stored()) == before
    assert chain.verify().ok


def test_deferred_actions_join_the_callers_transaction(dept):
    """The bulk importer writes with defer_commit and rolls back on any error."""
    user = dept["admin"]
    before = len(stored())
    context = {"user": user["name"], "defer_commit": True, "return_id_only": True}
    tk.get_action("package_create")(context, factories.Entry.data(owner_org=dept["org"]["id"]))
    core_model.Session.rollback()
    assert len(stored()) == before
    assert chain.verify().ok

    context = {"user": user["name"], "defer_commit": True, "return_id_only": True}
    pkg_id = tk.get_action("package_create")(
        context, factories.Entry.data(owner_org=dept["org"]["id"])
    )
    core_model.Session.commit()
    assert [r.object_id for r in stored()[before:]] == [pkg_id]
    assert chain.verify().ok


def test_purges_name_what_they_removed(dept):
    """A purge removes the row: its record still says which entry or organization it was."""
    sysadmin = dept["sysadmin"]
    entry = factories.Entry(user=dept["admin"], owner_org=dept["org"]["id"])
    act("dataset_purge", sysadmin, id=entry["id"])
    last = stored()[-1]
    assert (last.action, last.object_type, last.object_id) == (
        "dataset_purge",
        entry["type"],
        entry["id"],
    )
    assert last.payload == {"name": entry["name"]}

    org = act("organization_create", sysadmin, name="dept-purged", title="石泉县待清除部门")
    act("organization_purge", sysadmin, id=org["id"])
    last = stored()[-1]
    assert (last.action, last.object_type, last.object_id) == (
        "organization_purge",
        "organization",
        org["id"],
    )
    assert last.payload == {"name": "dept-purged"}
    assert chain.verify().ok


def test_moving_an_entry_is_recorded_unless_it_is_part_of_writing_it(dept):
    """package_create moves the entry to its organization through package_owner_org_update:
    that makes no record of its own; a move called on its own does."""
    sysadmin = dept["sysadmin"]
    entry = factories.Entry(user=dept["admin"], owner_org=dept["org"]["id"])
    assert actions(entry["id"]) == ["package_create"]
    other = act("organization_create", sysadmin, name="dept-other", title="石泉县其他部门")
    act("package_owner_org_update", sysadmin, id=entry["id"], organization_id=other["id"])
    assert actions(entry["id"]) == ["package_create", "package_owner_org_update"]
    assert stored()[-1].payload == {"name": entry["name"], "owner_org": other["id"]}


def test_bulk_updates_record_each_entry(dept):
    """A bulk action is recorded once per entry, besides the package_patch it calls for each."""
    admin = dept["admin"]
    first = factories.Entry(user=admin, owner_org=dept["org"]["id"])
    second = factories.Entry(user=admin, owner_org=dept["org"]["id"], title="目录链测试信息资源二")
    ids = sorted([first["id"], second["id"]])
    before = len(stored())
    act("bulk_update_private", admin, datasets=ids, org_id=dept["org"]["id"])
    new = stored()[before:]
    bulk = [r for r in new if r.action == "bulk_update_private"]
    assert sorted(r.object_id for r in bulk) == ids
    assert all(r.payload["private"] is True for r in bulk)
    assert all(r.payload["org_id"] == dept["org"]["id"] for r in bulk)
    patched = [r for r in new if r.action == "package_patch"]
    assert sorted(r.object_id for r in patched) == ids
    assert all(r.payload["changed"] == ["private"] for r in patched)
    assert len(new) == 4


def test_organizations_and_memberships(dept):
    sysadmin = dept["sysadmin"]
    org = act("organization_create", sysadmin, name="dept-new", title="石泉县新部门")
    assert stored()[-1].action == "organization_create"
    assert stored()[-1].object_id == org["id"]

    act("organization_patch", sysadmin, id=org["id"], title="石泉县新部门（更名）")
    last = stored()[-1]
    assert (last.action, last.object_type) == ("organization_patch", "organization")
    assert last.payload["changed"] == ["title"]

    user = factories.User()
    act("organization_member_create", sysadmin, id=org["id"], username=user["name"], role="editor")
    last = stored()[-1]
    assert (last.action, last.object_type, last.object_id) == (
        "member_create",
        records.MEMBERSHIP,
        org["id"],
    )
    assert last.payload["member_name"] == user["name"]
    assert last.payload["capacity"] == "editor"

    act("organization_member_delete", sysadmin, id=org["id"], username=user["name"])
    assert stored()[-1].action == "member_delete"
    assert stored()[-1].payload["member_id"] == user["id"]

    act("organization_delete", sysadmin, id=org["id"])
    last = stored()[-1]
    assert (last.action, last.object_id) == ("organization_delete", org["id"])
    assert last.payload["state"] == "deleted" and "state" in last.payload["changed"]
    assert chain.verify().ok


def test_access_requests_and_grants(dept):
    admin = dept["admin"]
    entry = factories.Entry(
        user=admin, owner_org=dept["org"]["id"], share_type="conditional", open_type="closed"
    )
    requester = factories.User()
    factories.Organization(
        division_code="610922", users=[{"name": requester["name"], "capacity": "member"}]
    )
    before = len(stored())

    data = factories.access_request_data(entry, data_items=factories.PERSON_ITEMS[:1])
    request = act("access_request_create", requester, **data)
    with pytest.raises(tk.ValidationError):
        act("access_request_reject", admin, id=request["id"])  # a reason is required
    act("access_request_show", admin, id=request["id"])
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    act("access_request_approve", admin, id=request["id"], expires=expires)
    act("access_request_revoke", admin, id=request["id"], reason="用途已完成")

    new = stored()[before:]
    assert [(r.action, r.object_type) for r in new] == [
        ("access_request_create", records.ACCESS_REQUEST),
        ("access_request_approve", records.ACCESS_REQUEST),
        (records.GRANT_CHANGE, records.GRANT),
        ("access_request_revoke", records.ACCESS_REQUEST),
        (records.GRANT_CHANGE, records.GRANT),
    ]
    created, approved, granted, revoked, revoked_grant = new
    assert created.object_id == request["id"] and created.actor == requester["name"]
    assert created.payload["decision"] == "pending"
    assert created.payload["input"]["legal_basis"] == "《政务数据共享条例》第二十条"
    assert approved.actor == admin["name"] and approved.payload["decision"] == "approved"
    assert granted.payload["old"] is None and granted.payload["new"]["status"] == "active"
    assert revoked.payload["input"]["reason"] == "用途已完成"
    assert revoked_grant.object_id == granted.object_id
    assert revoked_grant.payload["old"]["status"] == "active"
    assert revoked_grant.payload["new"]["status"] == "revoked"
    assert chain.verify().ok
