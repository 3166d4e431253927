"""Exports hold what the caller may see; an .xlsx export re-imports unchanged."""

from __future__ import annotations

import io
import json

import pytest
from ckan.tests.helpers import call_action
from openpyxl import load_workbook

from ckanext.govcatalog.bulk import exporter, importer
from tests import factories
from tests.bulk.spreadsheets import FIXTURE_SCHEMA, entry_row, item_rows, xlsx

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.usefixtures("with_request_context"),
]


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


@pytest.fixture
def imported(bulk_env):
    rows = [
        entry_row(1, "石泉县公安局", 信息资源代码="403001/000001", 关联资源代码="403001/000002"),
        entry_row(2, "石泉县公安局", 信息资源摘要="=1+1 看起来像公式的文本", 关键词=""),
        entry_row(3, "石泉县公安局", 信息资源名称='<b>带标签</b>"引号"|竖线', 发布日期="2023/2/16"),
    ]
    result = importer.import_file(
        xlsx(rows, item_rows(1, 3) + item_rows(3, 2)), "a.xlsx", bulk_env["user"]
    )
    assert result.written, result.problems
    return bulk_env


def test_xlsx_export_reimports_with_no_changes(imported):
    data = exporter.export(imported["user"], "xlsx")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["信息资源"]
    assert ws.max_row == 4
    # text that starts with '=' stays text, not a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert wb["信息项"].max_row == 6
    again = importer.import_file(data, "export.xlsx", imported["user"])
    assert again.problems == []
    assert again.summary()["unchanged"] == 3
    assert again.summary()["created"] == again.summary()["updated"] == 0


def test_csv_export_reimports_with_no_changes(imported):
    data = exporter.export(imported["user"], "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=1+1" in data.decode("utf-8-sig")  # no formula injection into Excel
    again = importer.import_file(data, "export.csv", imported["user"])
    assert again.problems == [] and again.summary()["unchanged"] == 3


def test_jsonl_and_org_filter(imported):
    lines = exporter.export(imported["user"], "jsonl").decode().splitlines()
    assert len(lines) == 3
    entries = [json.loads(line) for line in lines]
    # rows written in one transaction share metadata_created, so their order is not fixed
    coded = [e for e in entries if e.get("resource_code")]
    assert [e["resource_code"] for e in coded] == ["403001/000001"]
    assert len(coded[0]["data_items"]) == 3
    other = factories.Organization(name="other-org")
    assert exporter.export(imported["user"], "jsonl", org=other["name"]) == b""
    assert len(exporter.export(imported["user"], "jsonl", org="石泉县公安局").splitlines()) == 3


def test_export_has_only_what_the_caller_may_see(imported):
    """A private entry of the organization is not in an outsider's export (the access rules of
    package_search apply; the access engineer's policy refines them)."""
    pkg = call_action("package_search", q="*:*", include_private=True)["results"][0]
    call_action("package_patch", context={"user": imported["user"]}, id=pkg["id"], private=True)
    outsider = factories.User()
    seen = exporter.export(outsider["name"], "jsonl").decode().splitlines()
    ids = {json.loads(line)["id"] for line in seen}
    assert pkg["id"] not in ids and len(ids) == 2
    assert len(exporter.export(None, "jsonl").splitlines()) == 2
    assert len(exporter.export(imported["user"], "jsonl").splitlines()) == 3
