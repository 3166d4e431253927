"""ops/backup.py: a backup restored onto an empty database and Solr core gives back the same
catalog — entries, uploaded files, requests and grants — and the audit chain verifies against the
head saved with the backup."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib import search
from ckan.tests.helpers import call_action

from ckanext.govcatalog.audit import log
from ckanext.govcatalog.ops import backup
from tests import factories


def _empty_database_and_index() -> None:
    """What a fresh server has: no tables at all, an empty Solr core."""
    search.clear_all()
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    model.meta.engine.dispose()


def _catalog(admin: dict) -> dict:
    """Two departments, open and conditional entries, an uploaded file, an approved request."""
    county = factories.County(user=admin)
    owner = factories.Department(user=admin, parent_org=county["name"])
    other = factories.Department(user=admin, parent_org=county["name"])
    requester = factories.Member(organization=other, capacity="editor")
    closed = factories.Entry(user=admin, owner_org=owner["id"], title="户籍人口基本信息")
    opened = factories.Entry(
        user=admin, owner_org=owner["id"], title="公共厕所分布", open_to_all=True
    )
    request = call_action(
        "access_request_create",
        context={"user": requester["name"], "ignore_auth": False},
        **factories.access_request_data(closed),
    )
    call_action(
        "access_request_approve",
        context={"user": admin["name"], "ignore_auth": False},
        id=request["id"],
        expires=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
        reason="同意",
    )
    return {"entries": [closed, opened], "request": request, "requester": requester}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_backup_restores_onto_an_empty_database(cli, tmp_path, create_with_upload):
    admin = factories.Sysadmin()
    made = _catalog(admin)
    resource = create_with_upload(
        "名称,地址\n东关公厕,石泉县东关\n",
        "toilets.csv",
        package_id=made["entries"][1]["id"],
        context={"user": admin["name"]},
    )
    shown = {e["id"]: call_action("package_show", id=e["id"]) for e in made["entries"]}
    request_before = call_action("access_request_show", id=made["request"]["id"])
    searched_before = call_action("package_search", q="*:*", rows=100)["count"]
    counts_before = backup.catalog_counts()
    head_before = log.head()
    assert counts_before["grants"] == 1 and counts_before["resources"] == 1

    out = str(tmp_path / "backup")
    result = cli.invoke(ckan_cli, ["govcatalog", "backup", "--out", out])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["audit_head"] == f"{head_before[0]}:{head_before[1]}"
    assert manifest["counts"] == counts_before
    assert manifest["files"] >= 1

    _empty_database_and_index()
    assert backup.database_is_empty()

    storage = backup.storage_path()
    upload = os.path.join(
        storage, "resources", resource["id"][:3], resource["id"][3:6], resource["id"][6:]
    )
    assert os.path.isfile(upload)
    os.remove(upload)  # the files are gone too, as on a new server

    result = cli.invoke(ckan_cli, ["govcatalog", "restore", out])
    assert result.exit_code == 0, result.output
    model.Session.remove()

    assert backup.catalog_counts() == counts_before
    for entry_id, before in shown.items():
        after = call_action("package_show", id=entry_id)
        assert after == before
    assert call_action("package_search", q="*:*", rows=100)["count"] == searched_before
    assert call_action("access_request_show", id=made["request"]["id"]) == request_before
    with open(upload, encoding="utf-8") as f:
        assert "东关公厕" in f.read()
    verdict = log.verify(anchors=[head_before])
    assert verdict.ok and verdict.head == head_before


@pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")
def test_restore_refuses_a_database_that_is_not_empty(cli, tmp_path):
    admin = factories.Sysadmin()
    factories.Entry(user=admin)
    out = str(tmp_path / "backup")
    assert cli.invoke(ckan_cli, ["govcatalog", "backup", "--out", out]).exit_code == 0
    before = backup.catalog_counts()
    result = cli.invoke(ckan_cli, ["govcatalog", "restore", out])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert backup.catalog_counts() == before


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_backup_refuses_a_folder_that_holds_files(cli, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    result = cli.invoke(ckan_cli, ["govcatalog", "backup", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert sorted(os.listdir(tmp_path)) == ["old.txt"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_restore_of_a_folder_that_is_no_backup(cli, tmp_path):
    result = cli.invoke(ckan_cli, ["govcatalog", "restore", str(tmp_path)])
    assert result.exit_code == 1
    assert "manifest.json" in result.output
