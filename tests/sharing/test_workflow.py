"""sharing/workflow.py through its actions: the sharing-request workflow (catalog-spec §5).

Every transition, every refused input (with nothing changed), the deadlines in working days,
the overdue listing and the once-only extension, the expiry command, notices and mail.
"""

from __future__ import annotations

import datetime as dt

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.cli.cli import ckan as ckan_cli
from ckan.tests.helpers import call_action

from ckanext.govcatalog.model import AccessRequest, Grant, Notification
from ckanext.govcatalog.sharing import queries, workdays, workflow
from tests import factories

D = dt.date

# --- the migration ------------------------------------------------------------------------------


@pytest.mark.usefixtures("shared_plugins", "clean_db")
def test_migration_creates_and_drops_the_tables(migrate_db_for):
    tables = [
        "govcatalog_access_request",
        "govcatalog_grant",
        "govcatalog_access_log",
        "govcatalog_notification",
    ]

    def present() -> set[str]:
        return set(sa.inspect(core_model.Session.get_bind()).get_table_names()) & set(tables)

    assert present() == set(tables)
    core_model.Session.remove()
    migrate_db_for("govcatalog", "0001_code_sequence", forward=False)
    assert present() == set()
    migrate_db_for("govcatalog")
    assert present() == set(tables)
    columns = {
        c["name"]
        for c in sa.inspect(core_model.Session.get_bind()).get_columns("govcatalog_access_request")
    }
    for column in ("legal_basis", "usage_scenario", "usage_scope", "share_mode", "period_end"):
        assert column in columns


# --- the workflow -------------------------------------------------------------------------------


def act(name: str, user: dict, **data):
    return call_action(name, context={"user": user["name"], "ignore_auth": False}, **data)


def count(model=AccessRequest) -> int:
    core_model.Session.expire_all()
    return core_model.Session.query(model).count()


def snapshot(request_id: str) -> tuple:
    core_model.Session.expire_all()
    req = core_model.Session.get(AccessRequest, request_id)
    grants = core_model.Session.query(Grant).filter_by(request_id=request_id).all()
    return (
        req.status,
        req.due_date,
        req.decided_by,
        req.extension_days,
        len(req.history),
        sorted((g.status, g.expires) for g in grants),
        count(Notification),
    )


def new_request(world, who: str = "gov", entry: str = "conditional", **over):
    data = factories.access_request_data(world[entry], **over)
    return act("access_request_create", world[who], **data)


# plugins once for the module (tests/conftest.py); data per test as before
pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


def test_create_starts_the_clock_and_tells_the_deciders(world, monkeypatch):
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 26))
    req = new_request(world)
    assert req["status"] == "pending"
    assert req["due_date"] == "2025-10-16"  # 10 working days over 国庆 and two 调休 days
    assert req["requester_name"] == world["gov"]["name"]
    assert req["data_items"] == ["姓名", "公民身份号码"]
    assert req["owner_org"] == world["owner"]["id"]
    notices = core_model.Session.query(Notification).all()
    # every admin of the owner organization (its creator is one too), nobody else
    notified = {n.user_id for n in notices}
    assert world["admin"]["id"] in notified
    assert notified == set(queries.org_admin_ids(world["owner"]["id"]))
    assert not notified & {world["editor"]["id"], world["gov"]["id"]}
    assert notices[0].link == f"/access-request/{req['id']}"


def test_public_user_may_request_a_conditionally_open_entry(world):
    req = new_request(world, who="public", entry="conditional_open")
    assert req["status"] == "pending"


@pytest.mark.parametrize(
    "who,entry,message",
    [
        ("gov", "unconditional", "shared without conditions"),
        ("gov", "none", "not shared"),
        ("public", "none", "not shared"),
        ("editor", "conditional", "your own organization"),
        ("admin", "conditional", "your own organization"),
        ("public", "conditional", "only government users"),
        ("public", "unconditional", "open to everyone"),
        ("sysadmin", "conditional", "Platform administrators"),
    ],
)
def test_entries_that_cannot_be_requested(world, who, entry, message):
    with pytest.raises(tk.ValidationError) as raised:
        new_request(world, who=who, entry=entry)
    assert message in str(raised.value.error_dict["package_id"])
    assert count() == 0
    assert count(Notification) == 0


def test_a_private_entry_of_another_department_cannot_be_requested(world):
    private = factories.Entry(owner_org=world["owner"]["id"], open_type="conditional", private=True)
    for who in ("gov", "public"):
        with pytest.raises(tk.ValidationError) as raised:
            act("access_request_create", world[who], **factories.access_request_data(private))
        assert "not published" in str(raised.value.error_dict["package_id"])
    assert count() == 0


def test_the_holder_of_a_grant_may_request_again(world):
    first = new_request(world)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    act("access_request_approve", world["admin"], id=first["id"], expires=future)
    again = new_request(world)
    assert again["status"] == "pending" and again["id"] != first["id"]


def test_anonymous_users_cannot_request(world):
    with pytest.raises(tk.NotAuthorized):
        call_action(
            "access_request_create",
            context={"user": "", "ignore_auth": False},
            **factories.access_request_data(world["conditional"]),
        )
    assert count() == 0


def test_a_second_open_request_for_the_same_entry_is_refused(world):
    first = new_request(world)
    before = count(Notification)
    with pytest.raises(tk.ValidationError) as raised:
        new_request(world)
    assert "already have an open request" in str(raised.value.error_dict)
    assert count() == 1 and count(Notification) == before
    # also while the first waits for more information
    act("access_request_ask_info", world["admin"], id=first["id"], missing="盖章的申请函")
    with pytest.raises(tk.ValidationError):
        new_request(world)
    # another user, or the same user after a decision, may request again
    assert new_request(world, who="gov2")["status"] == "pending"
    act("access_request_reject", world["admin"], id=first["id"], reason="用途不明确")
    assert new_request(world)["status"] == "pending"


@pytest.mark.parametrize(
    "over,field",
    [
        ({"legal_basis": ""}, "legal_basis"),
        ({"usage_scenario": "  "}, "usage_scenario"),
        ({"usage_scope": None}, "usage_scope"),
        ({"period_end": "2020-01-01"}, "period_end"),
        ({"period_end": "next year"}, "period_end"),
        ({"data_items": []}, "data_items"),
        ({"data_items": ["不存在的信息项"]}, "data_items"),
    ],
)
def test_incomplete_requests_name_the_field(world, over, field):
    with pytest.raises(tk.ValidationError) as raised:
        new_request(world, **over)
    assert field in raised.value.error_dict
    assert count() == 0


def test_approve_creates_an_active_grant(world):
    req = new_request(world)
    expires = dt.date.today() + dt.timedelta(days=90)
    done = act(
        "access_request_approve",
        world["admin"],
        id=req["id"],
        expires=expires.isoformat(),
        reason="同意, 仅限窗口核验",
    )
    assert done["status"] == "approved"
    assert done["decided_by"] == world["admin"]["name"]
    assert done["grant"]["status"] == "active"
    assert done["provide_by"] is not None
    grant = core_model.Session.query(Grant).one()
    assert (grant.user_id, grant.package_id) == (world["gov"]["id"], req["package_id"])
    # a grant given until a date lasts through that day
    assert grant.expires == dt.datetime.combine(expires + dt.timedelta(days=1), dt.time.min)
    assert grant.expires > dt.datetime.utcnow()
    notice = core_model.Session.query(Notification).filter_by(user_id=world["gov"]["id"]).one()
    assert notice.kind == "request_approved" and expires.isoformat() in notice.message


@pytest.mark.parametrize("who", ["editor", "gov", "gov2", "public"])
def test_only_owner_admins_decide(world, who):
    req = new_request(world)
    before = snapshot(req["id"])
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for action, data in [
        ("access_request_approve", {"expires": future}),
        ("access_request_reject", {"reason": "x"}),
        ("access_request_ask_info", {"missing": "x"}),
        ("access_request_extend", {"days": 5, "reason": "x"}),
    ]:
        user = world[who]
        with pytest.raises(tk.NotAuthorized):
            act(action, user, id=req["id"], **data)
    assert snapshot(req["id"]) == before


def test_admin_of_another_department_cannot_decide(world):
    req = new_request(world)
    stranger = factories.Member(organization=world["other"], capacity="admin")
    with pytest.raises(tk.NotAuthorized):
        act("access_request_reject", stranger, id=req["id"], reason="不是我的")
    assert snapshot(req["id"])[0] == "pending"


@pytest.mark.parametrize("expires", [None, "", "2020-01-01", "not a date"])
def test_approval_needs_an_expiry_not_in_the_past(world, expires):
    req = new_request(world)
    before = snapshot(req["id"])
    data = {} if expires is None else {"expires": expires}
    with pytest.raises(tk.ValidationError) as raised:
        act("access_request_approve", world["admin"], id=req["id"], **data)
    assert "expires" in raised.value.error_dict
    assert snapshot(req["id"]) == before


def test_reject_needs_a_reason(world):
    req = new_request(world)
    before = snapshot(req["id"])
    with pytest.raises(tk.ValidationError) as raised:
        act("access_request_reject", world["admin"], id=req["id"], reason=" ")
    assert "reason" in raised.value.error_dict
    assert snapshot(req["id"]) == before
    done = act("access_request_reject", world["admin"], id=req["id"], reason="无法定依据")
    assert (done["status"], done["decision_reason"]) == ("rejected", "无法定依据")
    assert done["grant"] is None


def test_decided_requests_cannot_be_decided_again(world):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    approved = new_request(world)
    act("access_request_approve", world["admin"], id=approved["id"], expires=future)
    rejected = new_request(world, who="gov2")
    act("access_request_reject", world["admin"], id=rejected["id"], reason="no")
    for req in (approved, rejected):
        before = snapshot(req["id"])
        for action, data in [
            ("access_request_approve", {"expires": future}),
            ("access_request_reject", {"reason": "again"}),
            ("access_request_ask_info", {"missing": "more"}),
            ("access_request_extend", {"days": 3, "reason": "busy"}),
        ]:
            with pytest.raises(tk.ValidationError) as raised:
                act(action, world["admin"], id=req["id"], **data)
            assert "status" in raised.value.error_dict
        user = world["gov"] if req is approved else world["gov2"]
        with pytest.raises(tk.ValidationError):
            act("access_request_withdraw", user, id=req["id"])
        assert snapshot(req["id"]) == before


def test_ask_info_stops_the_clock_and_update_restarts_it(world, monkeypatch):
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 24))
    req = new_request(world)
    asked = act(
        "access_request_ask_info",
        world["admin"],
        id=req["id"],
        missing=["加盖公章的申请函", "具体的使用场景说明"],
    )
    assert asked["status"] == "info_requested"
    assert asked["due_date"] is None and not asked["overdue"]
    assert asked["info_requested"] == "加盖公章的申请函\n具体的使用场景说明"
    # only the requester completes it, and only with valid fields
    with pytest.raises(tk.NotAuthorized):
        act("access_request_update", world["gov2"], id=req["id"], usage_scenario="x")
    with pytest.raises(tk.ValidationError):
        act("access_request_update", world["gov"], id=req["id"], period_end="2020-01-01")
    assert snapshot(req["id"])[0] == "info_requested"
    # completed on Tue 30 Sep: due 10 working days later, across 国庆 and the 调休 Saturday
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 30))
    done = act(
        "access_request_update",
        world["gov"],
        id=req["id"],
        usage_scenario="窗口核验户籍, 见附件申请函",
        response="已补充申请函",
    )
    assert done["status"] == "pending"
    assert done["due_date"] == "2025-10-21"
    assert done["usage_scenario"] == "窗口核验户籍, 见附件申请函"
    assert done["legal_basis"] == req["legal_basis"]  # what was not resent stays
    assert [h["action"] for h in done["history"]] == ["create", "ask_info", "update"]
    # a pending request is not "completed" again
    with pytest.raises(tk.ValidationError):
        act("access_request_update", world["gov"], id=req["id"], usage_scope="x")


def test_extension_once_at_most_ten_days_with_a_reason(world, monkeypatch):
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 15))
    req = new_request(world)
    assert req["due_date"] == "2025-09-28"  # the 10th working day is a worked Sunday (调休)
    before = snapshot(req["id"])
    for data in [{"days": 11, "reason": "x"}, {"days": 0, "reason": "x"}, {"days": 5}]:
        with pytest.raises(tk.ValidationError):
            act("access_request_extend", world["admin"], id=req["id"], **data)
    assert snapshot(req["id"]) == before
    done = act(
        "access_request_extend", world["admin"], id=req["id"], days=3, reason="需会商数源部门"
    )
    # Sun 28 Sep + 3 working days: Mon 29, Tue 30, (国庆 1-8 Oct), Thu 9
    assert done["due_date"] == "2025-10-09"
    assert (done["extension_days"], done["extension_reason"]) == (3, "需会商数源部门")
    # the requester sees it
    shown = act("access_request_show", world["gov"], id=req["id"])
    assert shown["extension_reason"] == "需会商数源部门"
    notice = core_model.Session.query(Notification).filter_by(user_id=world["gov"]["id"]).one()
    assert "需会商数源部门" in notice.message and "2025-10-09" in notice.message
    before = snapshot(req["id"])
    with pytest.raises(tk.ValidationError) as raised:
        act("access_request_extend", world["admin"], id=req["id"], days=1, reason="again")
    assert "already been extended" in str(raised.value.error_dict)
    assert snapshot(req["id"]) == before


def test_withdraw(world):
    req = new_request(world)
    with pytest.raises(tk.NotAuthorized):
        act("access_request_withdraw", world["gov2"], id=req["id"])
    with pytest.raises(tk.NotAuthorized):  # the deciders cannot withdraw it either
        act("access_request_withdraw", world["admin"], id=req["id"])
    done = act("access_request_withdraw", world["gov"], id=req["id"], reason="不再需要")
    assert done["status"] == "withdrawn" and done["due_date"] is None
    with pytest.raises(tk.ValidationError):
        act("access_request_withdraw", world["gov"], id=req["id"])


def test_suspend_resume_revoke_follow_the_grant(world):
    req = new_request(world)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    act("access_request_approve", world["admin"], id=req["id"], expires=future)

    def grant_status() -> str:
        core_model.Session.expire_all()
        return core_model.Session.query(Grant).filter_by(request_id=req["id"]).one().status

    with pytest.raises(tk.ValidationError):  # a reason is required
        act("access_request_suspend", world["admin"], id=req["id"])
    with pytest.raises(tk.NotAuthorized):
        act("access_request_suspend", world["gov"], id=req["id"], reason="x")
    with pytest.raises(tk.ValidationError):  # not suspended yet
        act("access_request_resume", world["admin"], id=req["id"])
    assert grant_status() == "active"
    done = act("access_request_suspend", world["admin"], id=req["id"], reason="疑似超范围使用")
    assert (done["status"], done["grant"]["status"]) == ("suspended", "suspended")
    done = act("access_request_resume", world["admin"], id=req["id"])
    assert (done["status"], grant_status()) == ("approved", "active")
    done = act("access_request_revoke", world["admin"], id=req["id"], reason="使用目的已实现")
    assert (done["status"], grant_status()) == ("revoked", "revoked")
    before = snapshot(req["id"])
    for action in ("access_request_revoke", "access_request_suspend", "access_request_resume"):
        with pytest.raises(tk.ValidationError):
            act(action, world["admin"], id=req["id"], reason="again")
    assert snapshot(req["id"]) == before


def test_suspended_request_can_be_revoked(world):
    req = new_request(world)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    act("access_request_approve", world["admin"], id=req["id"], expires=future)
    act("access_request_suspend", world["admin"], id=req["id"], reason="核查中")
    done = act("access_request_revoke", world["admin"], id=req["id"], reason="核查属实")
    assert (done["status"], done["grant"]["status"]) == ("revoked", "revoked")


def test_expire_marks_grants_past_their_expiry(world, cli, ckan_config):
    late = new_request(world)
    later = new_request(world, who="gov2")
    today = dt.date.today()
    act("access_request_approve", world["admin"], id=late["id"], expires=today.isoformat())
    act(
        "access_request_approve",
        world["admin"],
        id=later["id"],
        expires=(today + dt.timedelta(days=30)).isoformat(),
    )
    # two days on, the first grant has run out
    expired = workflow.expire_due(dt.datetime.combine(today + dt.timedelta(days=2), dt.time()))
    assert [r.id for r in expired] == [late["id"]]
    shown = act("access_request_show", world["gov"], id=late["id"])
    assert (shown["status"], shown["grant"]["status"]) == ("expired", "expired")
    assert act("access_request_show", world["gov2"], id=later["id"])["status"] == "approved"
    # the expiry is a grant change in the audit chain
    from ckanext.govcatalog.model import AuditRecord

    last = core_model.Session.query(AuditRecord).order_by(AuditRecord.seq.desc()).first()
    assert (last.action, last.object_id) == ("grant_change", shown["grant"]["id"])
    assert (last.payload["old"]["status"], last.payload["new"]["status"]) == ("active", "expired")
    assert last.payload["via"] == "requests_expire"
    # the command finds nothing more to expire today
    result = cli.invoke(ckan_cli, ["govcatalog", "requests", "expire"])
    assert result.exit_code == 0, result.output
    assert "0 grant(s) expired" in result.output


def test_overdue_listing_and_command(world, monkeypatch, cli, ckan_config):
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 1))
    late = new_request(world)  # due Mon 15 Sep 2025
    assert late["due_date"] == "2025-09-15"
    waiting = new_request(world, who="gov2")
    act("access_request_ask_info", world["admin"], id=waiting["id"], missing="申请函")
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 12))
    on_time = new_request(world, entry="conditional_open")
    monkeypatch.setattr(workdays, "today", lambda: D(2025, 9, 16))
    listed = act("access_request_list", world["admin"], scope="decide", overdue=True)
    assert [r["id"] for r in listed["results"]] == [late["id"]]
    assert listed["results"][0]["overdue"] is True
    everything = act("access_request_list", world["admin"], scope="decide")
    assert {r["id"] for r in everything["results"]} == {late["id"], waiting["id"], on_time["id"]}
    # the command: as of a date, with the platform admins notified once
    result = cli.invoke(
        ckan_cli, ["govcatalog", "requests", "overdue", "--on", "2025-09-16", "--notify"]
    )
    assert result.exit_code == 0, result.output
    assert late["id"] in result.output and waiting["id"] not in result.output
    assert on_time["id"] not in result.output
    assert "1 overdue request(s)" in result.output
    notices = core_model.Session.query(Notification).filter_by(kind="request_overdue").all()
    sysadmins = core_model.Session.query(core_model.User).filter_by(sysadmin=True).all()
    assert sorted(n.user_id for n in notices) == sorted(u.id for u in sysadmins)
    assert world["sysadmin"]["id"] in {n.user_id for n in notices}
    again = cli.invoke(
        ckan_cli, ["govcatalog", "requests", "overdue", "--on", "2025-09-16", "--notify"]
    )
    assert "notified platform admins of 0" in again.output
    result = cli.invoke(ckan_cli, ["govcatalog", "requests", "overdue", "--on", "2025-09-15"])
    assert "0 overdue request(s)" in result.output


def test_list_scopes_and_filters(world):
    mine = new_request(world)
    theirs = new_request(world, who="gov2")
    act("access_request_reject", world["admin"], id=theirs["id"], reason="no")
    assert [r["id"] for r in act("access_request_list", world["gov"])["results"]] == [mine["id"]]
    decide = act("access_request_list", world["admin"], scope="decide", status="pending")
    assert [r["id"] for r in decide["results"]] == [mine["id"]]
    rejected = act("access_request_list", world["admin"], scope="decide", status=["rejected"])
    assert [r["id"] for r in rejected["results"]] == [theirs["id"]]
    assert act("access_request_list", world["gov"], scope="decide")["count"] == 0
    assert act("access_request_list", world["sysadmin"], scope="all")["count"] == 2
    with pytest.raises(tk.NotAuthorized):
        act("access_request_list", world["admin"], scope="all")
    with pytest.raises(tk.ValidationError):
        act("access_request_list", world["gov"], status="granted")


def test_show_only_to_the_requester_and_deciders(world):
    req = new_request(world)
    assert act("access_request_show", world["gov"], id=req["id"])["id"] == req["id"]
    assert act("access_request_show", world["admin"], id=req["id"])["id"] == req["id"]
    assert act("access_request_show", world["sysadmin"], id=req["id"])["id"] == req["id"]
    for who in ("gov2", "editor", "public"):
        with pytest.raises(tk.NotAuthorized):
            act("access_request_show", world[who], id=req["id"])


def test_notifications_list_and_mark_read(world):
    req = new_request(world)
    act("access_request_ask_info", world["admin"], id=req["id"], missing="申请函")
    listed = act("govcatalog_notification_list", world["gov"])
    assert listed["unread"] == 1
    assert "申请函" in listed["results"][0]["message"]
    assert act("govcatalog_notification_mark_read", world["gov"])["marked"] == 1
    assert act("govcatalog_notification_list", world["gov"])["unread"] == 0
    # the admin's own notice is untouched
    assert act("govcatalog_notification_list", world["admin"])["unread"] == 1


@pytest.mark.ckan_config("smtp.mail_from", "catalog@shiquan.gov.cn")
def test_decisions_are_mailed_when_smtp_is_configured(world, mail_server, ckan_config):
    req = new_request(world)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    act("access_request_approve", world["admin"], id=req["id"], expires=future)
    recipients = [msg[2] for msg in mail_server.get_smtp_messages()]
    assert [world["admin"]["email"]] in recipients  # the new request
    assert [world["gov"]["email"]] in recipients  # the approval


@pytest.mark.ckan_config("smtp.server", "127.0.0.1:9")
@pytest.mark.ckan_config("smtp.mail_from", "catalog@shiquan.gov.cn")
def test_a_mail_failure_is_logged_not_raised(world, caplog, ckan_config, monkeypatch):
    from ckanext.govcatalog.sharing import notify

    monkeypatch.setattr(notify.log, "disabled", False)
    notify.log.addHandler(caplog.handler)
    try:
        req = new_request(world)
    finally:
        notify.log.removeHandler(caplog.handler)
    assert req["status"] == "pending"
    assert count(Notification) == len(queries.org_admin_ids(world["owner"]["id"]))
    assert "could not e-mail" in caplog.text


# --- the transition table -----------------------------------------------------------------------


def test_every_step_a_user_takes_has_its_action_and_auth_function():
    from ckanext.govcatalog.sharing import actions, auth

    people = workflow.steps_of(workflow.REQUESTER) + workflow.steps_of(workflow.DECIDER)
    assert sorted(people + workflow.steps_of(workflow.SYSTEM)) == sorted(workflow.TRANSITIONS)
    names = {f"access_request_{step}" for step in people}
    assert names <= set(actions.get_actions())
    assert names <= set(auth.get_auth_functions())


def test_every_state_but_pending_is_reached_by_a_step():
    from ckanext.govcatalog.sharing import states

    targets = {t.target for t in workflow.TRANSITIONS.values() if t.target}
    assert targets | {states.PENDING} == set(states.STATUSES)
    for transition in workflow.TRANSITIONS.values():
        assert set(transition.sources) <= set(states.STATUSES)


def test_every_message_of_the_table_reads_in_chinese_with_the_same_fields():
    import os
    import string

    import polib

    po = os.path.join(
        os.path.dirname(workflow.__file__), "..", "i18n", "src", "zh_Hans_CN", "requests.po"
    )
    translated = {e.msgid: e.msgstr for e in polib.pofile(po) if e.msgstr}

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for name, transition in workflow.TRANSITIONS.items():
        messages = [transition.refused, transition.notice]
        if transition.once:
            messages.append(transition.once[1])
        for message in messages:
            assert message in translated, (name, message)
            assert fields(translated[message]) == fields(message), (name, message)
