"""Issue 4 item 6: the audit chain (目录链, catalog-spec §6).

Real actions append the expected records (and failed or read-only ones none); concurrent writers
keep one unbroken chain; records edited, deleted or reordered directly in the database with SQL
make verify fail at the right seq; the CLI reports the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.audit import records as hooks
from ckanext.govcatalog.model import AuditRecord
from tests.audit.audit_builders import DATA_ITEMS, make_entry

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TRIGGER = "govcatalog_audit_append_only"


def records() -> list[AuditRecord]:
    core_model.Session.rollback()  # a fresh snapshot
    return chain.records()


def actions(object_id: str | None = None) -> list[str]:
    return [r.action for r in records() if object_id is None or r.object_id == object_id]


def act(action: str, user: dict, /, **data):
    return call_action(action, context={"user": user["name"], "ignore_auth": False}, **data)


def tamper(*statements: str) -> None:
    """Run SQL on the table as someone with database access would, past the UPDATE trigger."""
    sess = core_model.Session
    sess.rollback()
    sess.execute(sa.text(f"ALTER TABLE govcatalog_audit DISABLE TRIGGER {TRIGGER}"))
    for statement in statements:
        sess.execute(sa.text(statement))
    sess.execute(sa.text(f"ALTER TABLE govcatalog_audit ENABLE TRIGGER {TRIGGER}"))
    sess.commit()


def build_chain(n: int) -> list[AuditRecord]:
    """n records, appended the way the hooks do (several per transaction sometimes)."""
    for i in range(1, n + 1):
        chain.append("test_action", "dataset", f"obj-{i}", {"i": i, "名称": f"记录{i}"}, actor="u")
        if i % 2 == 0 or i == n:
            core_model.Session.commit()
    return records()


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


# --- hashing ----------------------------------------------------------------------------------


def test_hash_is_sha256_of_the_documented_canonical_json():
    build_chain(2)
    first, second = records()
    content = {
        "seq": 1,
        "created": first.created.isoformat(timespec="microseconds"),
        "actor": "u",
        "action": "test_action",
        "object_type": "dataset",
        "object_id": "obj-1",
        "payload": {"i": 1, "名称": "记录1"},
        "prev_hash": "0" * 64,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash and second.seq == 2
    assert chain.head() == (2, second.hash)


def test_payloads_survive_the_jsonb_round_trip():
    payload = {
        "big": 1e100,
        "small": 0.1,
        "int": 2**62,
        "nul": "a\x00b",
        "when": dt.date(2025, 1, 2),
        "set": {"b", "a"},
        "nested": [{"z": None, "a": True}],
    }
    chain.append("odd_values", "dataset", "x", payload)
    core_model.Session.commit()
    assert chain.verify().ok
    (record,) = records()
    assert record.payload["set"] == ["a", "b"] and record.payload["nul"] == "ab"


def test_updates_are_refused_by_the_database():
    build_chain(1)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        core_model.Session.execute(sa.text("UPDATE govcatalog_audit SET actor = 'x'"))
    core_model.Session.rollback()


# --- what real actions record -----------------------------------------------------------------


def test_entry_lifecycle_and_sharing_change(dept):
    admin = dept["admin"]
    entry = make_entry(dept["org"], admin, share_type="conditional", open_type="closed")
    [created] = [r for r in records() if r.object_id == entry["id"]]
    assert created.action == "package_create"
    assert created.object_type == "dataset"
    assert created.actor == admin["name"]
    assert created.payload["sharing"]["share_type"] == "conditional"
    assert created.payload["name"] == entry["name"]

    act("package_patch", admin, id=entry["id"], title="目录链测试信息资源（修订）")
    patched = records()[-1]
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
    update, change = records()[-2:]
    assert update.action == "package_patch"
    assert change.action == hooks.SHARING_CHANGE and change.object_id == entry["id"]
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
    assert records()[-1].action == "package_update"
    assert records()[-1].payload["changed"] == ["steward"]

    act("package_delete", admin, id=entry["id"])
    deleted = records()[-1]
    assert (deleted.action, deleted.object_id) == ("package_delete", entry["id"])
    assert actions(entry["id"]) == [
        "package_create",
        "package_patch",
        "package_patch",
        hooks.SHARING_CHANGE,
        "package_update",
        "package_delete",
    ]
    verdict = chain.verify()
    assert verdict.ok and verdict.count == len(records())


def test_resource_changes_are_entry_updates(dept):
    admin = dept["admin"]
    entry = make_entry(dept["org"], admin)
    act("resource_create", admin, package_id=entry["id"], url="https://example.gov.cn/a.csv")
    last = records()[-1]
    assert (last.action, last.object_id) == ("resource_create", entry["id"])
    assert last.payload["changed"] == ["resources"]
    assert actions(entry["id"]).count("resource_create") == 1


def test_unchanged_update_and_read_only_actions_record_nothing(dept):
    admin = dept["admin"]
    entry = make_entry(dept["org"], admin)
    before = len(records())
    act("package_patch", admin, id=entry["id"], title=entry["title"])
    act("package_show", admin, id=entry["id"])
    act("package_search", admin, q="*:*")
    act("organization_show", admin, id=dept["org"]["id"])
    act("access_request_list", admin, scope="mine")
    assert len(records()) == before


def test_failed_actions_append_nothing(dept):
    admin = dept["admin"]
    entry = make_entry(dept["org"], admin)
    before = len(records())
    with pytest.raises(tk.ValidationError):
        act("package_patch", admin, id=entry["id"], share_type="no-such-level")
    with pytest.raises(tk.ValidationError):
        act("package_create", admin, name="audit-no-title", owner_org=dept["org"]["id"])
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        act("package_delete", outsider, id=entry["id"])
    assert len(records()) == before
    assert chain.verify().ok


def test_deferred_actions_join_the_callers_transaction(dept):
    """The bulk importer writes with defer_commit and rolls back on any error."""
    from tests.audit.audit_builders import entry_data

    user = dept["admin"]
    before = len(records())
    context = {"user": user["name"], "defer_commit": True, "return_id_only": True}
    tk.get_action("package_create")(context, entry_data(dept["org"], "conditional", "closed"))
    core_model.Session.rollback()
    assert len(records()) == before
    assert chain.verify().ok

    context = {"user": user["name"], "defer_commit": True, "return_id_only": True}
    pkg_id = tk.get_action("package_create")(
        context, entry_data(dept["org"], "conditional", "closed")
    )
    core_model.Session.commit()
    assert [r.object_id for r in records()[before:]] == [pkg_id]
    assert chain.verify().ok


def test_a_rolled_back_savepoint_takes_its_records_with_it():
    chain.append("kept", "dataset", "a")
    savepoint = core_model.Session.begin_nested()
    chain.append("dropped", "dataset", "b")
    savepoint.rollback()
    chain.append("kept_too", "dataset", "c")
    core_model.Session.commit()
    assert [r.action for r in records()] == ["kept", "kept_too"]


def test_organizations_and_memberships(dept):
    sysadmin = dept["sysadmin"]
    org = act("organization_create", sysadmin, name="dept-new", title="石泉县新部门")
    assert records()[-1].action == "organization_create"
    assert records()[-1].object_id == org["id"]

    act("organization_patch", sysadmin, id=org["id"], title="石泉县新部门（更名）")
    last = records()[-1]
    assert (last.action, last.object_type) == ("organization_patch", "organization")
    assert last.payload["changed"] == ["title"]

    user = factories.User()
    act("organization_member_create", sysadmin, id=org["id"], username=user["name"], role="editor")
    last = records()[-1]
    assert (last.action, last.object_type, last.object_id) == (
        "member_create",
        hooks.MEMBERSHIP,
        org["id"],
    )
    assert last.payload["member_name"] == user["name"]
    assert last.payload["capacity"] == "editor"

    act("organization_member_delete", sysadmin, id=org["id"], username=user["name"])
    assert records()[-1].action == "member_delete"
    assert records()[-1].payload["member_id"] == user["id"]

    act("organization_delete", sysadmin, id=org["id"])
    last = records()[-1]
    assert (last.action, last.object_id) == ("organization_delete", org["id"])
    assert last.payload["state"] == "deleted" and "state" in last.payload["changed"]
    assert chain.verify().ok


def _request_data(entry: dict) -> dict:
    from ckanext.govcatalog.sharing.workflow import share_mode_choices

    choices = share_mode_choices()
    return {
        "package_id": entry["id"],
        "legal_basis": "《政务数据共享条例》第二十条",
        "usage_scenario": "核验办事群众身份",
        "usage_scope": "本单位政务服务窗口",
        "share_mode": choices[0]["value"] if choices else "接口",
        "period_end": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
        "data_items": DATA_ITEMS[:1],
    }


def test_access_requests_and_grants(dept):
    admin = dept["admin"]
    entry = make_entry(dept["org"], admin, share_type="conditional", open_type="closed")
    requester = factories.User()
    factories.Organization(
        division_code="610922", users=[{"name": requester["name"], "capacity": "member"}]
    )
    before = len(records())

    request = act("access_request_create", requester, **_request_data(entry))
    with pytest.raises(tk.ValidationError):
        act("access_request_reject", admin, id=request["id"])  # a reason is required
    act("access_request_show", admin, id=request["id"])
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    act("access_request_approve", admin, id=request["id"], expires=expires)
    act("access_request_revoke", admin, id=request["id"], reason="用途已完成")

    new = records()[before:]
    assert [(r.action, r.object_type) for r in new] == [
        ("access_request_create", hooks.ACCESS_REQUEST),
        ("access_request_approve", hooks.ACCESS_REQUEST),
        (hooks.GRANT_CHANGE, hooks.GRANT),
        ("access_request_revoke", hooks.ACCESS_REQUEST),
        (hooks.GRANT_CHANGE, hooks.GRANT),
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


# --- concurrency ------------------------------------------------------------------------------


def test_concurrent_appends_keep_one_chain():
    threads_n, per_thread = 8, 25
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                # core_model.Session is thread-local: a session and connection of its own
                chain.append("concurrent", "dataset", f"t{n}", {"thread": n, "i": i})
                core_model.Session.commit()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            core_model.Session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stored = records()
    assert [r.seq for r in stored] == list(range(1, threads_n * per_thread + 1))
    for n in range(threads_n):
        assert [r.payload["i"] for r in stored if r.object_id == f"t{n}"] == list(range(per_thread))
    verdict = chain.verify()
    assert verdict.ok and verdict.count == threads_n * per_thread


# --- tampering --------------------------------------------------------------------------------


def broken() -> chain.Broken:
    core_model.Session.rollback()
    verdict = chain.verify()
    assert not verdict.ok
    return verdict.broken


def test_edited_payload_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET payload = '{\"i\": 99}' WHERE seq = 3")
    assert (broken().seq, broken().problem) == (3, chain.HASH_MISMATCH)


def test_edited_actor_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET actor = 'someone-else' WHERE seq = 5")
    assert (broken().seq, broken().problem) == (5, chain.HASH_MISMATCH)


def test_edited_hash_fails_at_that_record():
    build_chain(6)
    tamper("UPDATE govcatalog_audit SET hash = repeat('a', 64) WHERE seq = 4")
    assert (broken().seq, broken().problem) == (4, chain.HASH_MISMATCH)


def test_edited_payload_with_a_recomputed_hash_breaks_the_next_link():
    stored = build_chain(6)
    record = stored[2]
    forged_payload = {"i": 99}
    forged = hashlib.sha256(
        chain.canonical(
            3,
            record.created,
            record.actor,
            record.action,
            record.object_type,
            record.object_id,
            forged_payload,
            record.prev_hash,
        )
    ).hexdigest()
    tamper(
        f"UPDATE govcatalog_audit SET payload = '{json.dumps(forged_payload)}', "
        f"hash = '{forged}' WHERE seq = 3"
    )
    assert (broken().seq, broken().problem) == (4, chain.PREV_HASH_MISMATCH)


def test_deleted_middle_record_is_a_gap():
    build_chain(6)
    tamper("DELETE FROM govcatalog_audit WHERE seq = 3")
    problem = broken()
    assert (problem.seq, problem.problem) == (3, chain.GAP)
    assert problem.detail == {"expected": 3, "found": 4}


def test_deleted_first_record_is_a_gap():
    build_chain(3)
    tamper("DELETE FROM govcatalog_audit WHERE seq = 1")
    assert (broken().seq, broken().problem) == (1, chain.GAP)


def test_deleted_record_with_renumbered_successors_fails_there():
    build_chain(6)
    tamper(
        "DELETE FROM govcatalog_audit WHERE seq = 3",
        "UPDATE govcatalog_audit SET seq = -(seq - 1) WHERE seq > 3",
        "UPDATE govcatalog_audit SET seq = -seq WHERE seq < 0",
    )
    problem = broken()
    assert problem.seq == 3 and problem.problem in (chain.HASH_MISMATCH, chain.REORDERED)


def test_swapped_records_are_reported_as_reordered():
    build_chain(6)
    tamper(
        "UPDATE govcatalog_audit SET seq = -3 WHERE seq = 3",
        "UPDATE govcatalog_audit SET seq = 3 WHERE seq = 4",
        "UPDATE govcatalog_audit SET seq = 4 WHERE seq = -3",
    )
    problem = broken()
    assert (problem.seq, problem.problem) == (3, chain.REORDERED)
    assert problem.detail == {"belongs_at": 4}


def test_tail_deletion_needs_an_anchor():
    """Removing the newest records leaves a valid, shorter chain: only an exported head shows it."""
    build_chain(5)
    anchor = chain.head()
    tamper("DELETE FROM govcatalog_audit WHERE seq = 5")
    assert chain.verify().ok  # undetectable from the table alone
    problem = chain.verify(anchors=[anchor]).broken
    assert (problem.seq, problem.problem) == (5, chain.ANCHOR_MISSING)

    # a new record takes the deleted one's place and the chain is valid again ...
    chain.append("after_deletion", "dataset", "z")
    core_model.Session.commit()
    assert chain.verify().ok
    # ... but not the same record: the anchor no longer matches
    problem = chain.verify(anchors=[anchor]).broken
    assert (problem.seq, problem.problem) == (5, chain.ANCHOR_MISMATCH)


# --- the commands -----------------------------------------------------------------------------


def test_cli_verify_and_head(cli):
    build_chain(4)
    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "head"])
    assert result.exit_code == 0, result.output
    seq, _, digest = result.output.strip().partition(":")
    assert (int(seq), digest) == chain.head()
    anchor = result.output.strip()

    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify", "--anchor", anchor])
    assert result.exit_code == 0, result.output
    assert f"OK: 4 records, head seq 4 hash {digest}" in result.output

    tamper("UPDATE govcatalog_audit SET payload = '{}' WHERE seq = 2")
    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at seq 2: hash mismatch" in result.output

    result = cli.invoke(ckan_cli, ["govcatalog", "audit", "verify", "--anchor", "4:nothex"])
    assert result.exit_code == 2  # a bad anchor is a usage error
