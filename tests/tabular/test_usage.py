"""Usage records: every DataStore read and download is recorded (who, entry, resource, columns,
rows, grants, path), the owner department reads them per entry and per grant (page, API, CSV),
each day is digested once into the audit chain, and the retention cannot go under 3 years."""

from __future__ import annotations

import csv
import datetime as dt
import io

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan as ckan_cli
from ckan.exceptions import CkanConfigurationException
from ckan.tests.helpers import call_action

from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.model import AccessLog, AuditRecord, Grant
from ckanext.govcatalog.tabular import usage
from tests.tabular import datastore_world as dw


def grant_of(world, role: str) -> str:
    """The id of the grant of the role's approved request."""
    query = core_model.Session.query(Grant.id).filter_by(request_id=world.requests[role]["id"])
    return query.one()[0]


def records_since(before: int) -> list[AccessLog]:
    core_model.Session.expire_all()
    return (
        core_model.Session.query(AccessLog)
        .filter(AccessLog.id > before)
        .order_by(AccessLog.id)
        .all()
    )


def last_id() -> int:
    return (
        core_model.Session.query(
            core_model.Session.query(AccessLog.id).order_by(AccessLog.id.desc()).limit(1).subquery()
        ).scalar()
        or 0
    )


@pytest.mark.parametrize("value", [0, 2, "2", -5])
def test_a_retention_under_three_years_is_refused_at_start_up(value):
    with pytest.raises(CkanConfigurationException, match="3"):
        usage.check_settings({usage.RETENTION_OPTION: value})
    with pytest.raises(CkanConfigurationException):
        usage.check_settings({usage.RETENTION_OPTION: "three"})
    usage.check_settings({usage.RETENTION_OPTION: "3"})
    usage.check_settings({usage.RETENTION_OPTION: 10})
    usage.check_settings({})


def test_api_reads_and_downloads_are_recorded_with_columns_rows_and_grants(world, web):
    before = last_id()
    api = web.post(
        "/api/3/action/datastore_search",
        json={"resource_id": world.tables["cond"], "limit": 2},
        headers=dw.headers(world, "requester"),
    )
    assert api.status_code == 200
    dump = web.get(f"/datastore/dump/{world.tables['open']}")
    assert dump.status_code == 200
    resource = call_action("resource_show", {}, id=world.tables["cond"])
    download = web.get(
        f"/dataset/{world.entries['cond']['id']}/resource/{resource['id']}/download",
        headers=dw.headers(world, "requester"),
        follow_redirects=False,
    )
    assert download.status_code == 302
    refused = web.get(f"/dataset/{world.entries['cond']['id']}/resource/{resource['id']}/download")
    assert refused.status_code in (403, 404)
    api_read, dump_read, download_read = records_since(before)
    requester, grant = world.users["requester"], grant_of(world, "requester")
    assert (api_read.user_id, api_read.package_id, api_read.resource_id, api_read.kind) == (
        requester["id"],
        world.entries["cond"]["id"],
        world.tables["cond"],
        "datastore_search",
    )
    assert api_read.detail == {
        "via": "api",
        "columns": ["公民身份号码", "性别"],
        "rows": 2,
        "grants": [grant],
        "masked": [],
    }
    assert (dump_read.user_id, dump_read.detail["via"], dump_read.detail["rows"]) == (
        None,
        "dump",
        3,
    )
    assert dump_read.detail["masked"] == ["公民身份号码", "姓名"]
    assert (download_read.kind, download_read.detail["grants"]) == ("download", [grant])


def test_a_refused_read_is_not_recorded(world):
    before = last_id()
    with pytest.raises(tk.ValidationError):
        call_action(
            "datastore_search",
            dw.ctx(world, "requester"),
            resource_id=world.tables["cond"],
            fields=["姓名"],
        )
    with pytest.raises(tk.NotAuthorized):
        call_action(
            "datastore_search", dw.ctx(world, "other_gov"), resource_id=world.tables["cond"]
        )
    assert records_since(before) == []


def test_the_owner_reads_usage_per_entry_and_per_grant(world, web):
    call_action("datastore_search", dw.ctx(world, "requester"), resource_id=world.tables["cond"])
    call_action("datastore_search", dw.ctx(world, "requester2"), resource_id=world.tables["cond"])
    owner = dw.ctx(world, "owner_admin")
    entry_rows = call_action("govcatalog_usage_list", owner, id="ds-cond")["records"]
    assert {"ds_requester", "ds_requester2"} <= {r["user_name"] for r in entry_rows}
    grant = grant_of(world, "requester")
    grant_rows = call_action("govcatalog_usage_list", owner, grant_id=grant)["records"]
    assert grant_rows and {r["user_name"] for r in grant_rows} == {"ds_requester"}
    assert all(grant in r["grants"] for r in grant_rows)

    page = web.get("/zh_Hans_CN/dataset/ds-cond/usage", headers=dw.headers(world, "owner_admin"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "使用记录" in text and "ds_requester2" in text and "数据接口" in text
    page = web.get(f"/zh_Hans_CN/usage/grant/{grant}", headers=dw.headers(world, "owner_admin"))
    assert page.status_code == 200 and "ds_requester2" not in page.get_data(as_text=True)

    exported = web.get(
        f"/zh_Hans_CN/usage/grant/{grant}?format=csv", headers=dw.headers(world, "owner_admin")
    )
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["时间（UTC）", "用户"]
    assert len(rows) - 1 == len(grant_rows)
    assert {r[1] for r in rows[1:]} == {"ds_requester"}
    assert any(r[6] == "公民身份号码|性别" and r[8] == grant for r in rows[1:])


@pytest.mark.parametrize("role", ["anonymous", "public_user", "requester", "other_gov"])
def test_only_the_owner_department_reads_usage(world, web, role):
    with pytest.raises(tk.NotAuthorized):
        call_action("govcatalog_usage_list", dw.ctx(world, role), id="ds-cond")
    grant = grant_of(world, "requester")
    for url in ("/dataset/ds-cond/usage", f"/usage/grant/{grant}?format=csv"):
        assert web.get(url, headers=dw.headers(world, role)).status_code == 403, url
    # an unknown grant answers as a refused one: its existence is not told either
    assert web.get("/usage/grant/nope", headers=dw.headers(world, role)).status_code == 403


def test_unknown_grants_and_entries_are_not_found(world, web):
    sysadmin = dw.headers(world, "sysadmin")
    assert web.get("/usage/grant/nope", headers=sysadmin).status_code == 404
    assert web.get("/dataset/nope/usage", headers=sysadmin).status_code == 404


def test_each_day_is_digested_once_into_the_audit_chain(world, cli, monkeypatch):
    day = dt.date(2026, 3, 9)
    entry = world.entries["open"]["id"]
    for hour, rows in ((8, 5), (9, 7)):
        core_model.Session.add(
            AccessLog(
                created=dt.datetime.combine(day, dt.time(hour)),
                user_id=None,
                package_id=entry,
                resource_id=world.tables["open"],
                kind="datastore_search",
                detail={"via": "api", "columns": ["性别"], "rows": rows, "grants": []},
            )
        )
    core_model.Session.commit()
    monkeypatch.setattr(usage, "_digested_through", {})

    def digests():
        core_model.Session.expire_all()
        return (
            core_model.Session.query(AuditRecord)
            .filter_by(action=usage.DIGEST_ACTION, object_id=day.isoformat())
            .all()
        )

    usage.digest_if_new_day(day + dt.timedelta(days=1))
    (record,) = digests()
    assert (record.payload["reads"], record.payload["rows"]) == (2, 12)
    assert record.payload["entries"] == [
        {"package_id": entry, "reads": {"datastore_search": 2}, "rows": 12}
    ]
    monkeypatch.setattr(usage, "_digested_through", {})
    usage.digest_if_new_day(day + dt.timedelta(days=1))
    result = cli.invoke(ckan_cli, ["govcatalog", "usage", "digest", "--day", day.isoformat()])
    assert result.exit_code == 0, result.output
    assert len(digests()) == 1
    assert audit_log.verify().ok


def test_purge_keeps_three_years(world):
    now = dt.datetime.utcnow()
    entry = world.entries["open"]["id"]
    for years in (2, 4):
        core_model.Session.add(
            AccessLog(
                created=now - dt.timedelta(days=365 * years + 1),
                package_id=entry,
                kind="download",
                detail={"purge_test": years},
            )
        )
    core_model.Session.commit()
    assert usage.purge_expired() >= 1
    core_model.Session.expire_all()
    kept = core_model.Session.query(AccessLog).filter(AccessLog.detail.has_key("purge_test")).all()
    assert [r.detail["purge_test"] for r in kept] == [2]
