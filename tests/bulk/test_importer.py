"""Template generation and the all-or-nothing import with upsert."""

from __future__ import annotations

import io

import pytest
from ckan.tests.helpers import call_action
from openpyxl import load_workbook

from ckanext.govcatalog.bulk import importer, layout, workbook
from tests.bulk.spreadsheets import FIXTURE_SCHEMA, entry_row, item_rows, xlsx

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.usefixtures("with_request_context"),
]


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


def _activities(pkg_id: str) -> int:
    return len(call_action("package_activity_list", id=pkg_id, limit=100))


@pytest.mark.usefixtures("shared_plugins")
def test_template_follows_the_schema():
    lay = layout.layout()
    wb = load_workbook(io.BytesIO(workbook.template_bytes(lay)))
    assert wb.sheetnames[0] == "填写说明"
    ws = wb["信息资源"]
    headers = [c.value for c in ws[1]]
    # key column, then the resource code, then the schema's order (the slug is generated)
    assert headers[:4] == ["序号 *", "信息资源代码", "信息资源名称 *", "信息资源摘要 *"]
    assert "共享类型 *" in headers and "网址" not in " ".join(headers)
    items = wb["信息项"]
    assert [c.value for c in items[1]] == [
        "序号 *",
        "信息项名称 *",
        "数据类型 *",
        "数据长度",
        "描述",
        "是否个人信息",
    ]
    # a drop-down on every choice column, pointing at the hidden list of Chinese labels
    col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[headers.index("共享类型 *")]
    rules = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(col + "2")]
    assert len(rules) == 1 and rules[0].type == "list"
    lists = wb["选项"]
    sheet_col = rules[0].formula1.split("!$")[1].split("$")[0]
    labels = [c.value for c in lists[sheet_col][1:] if c.value]
    assert labels == ["无条件共享", "有条件共享", "不予共享"]
    assert lists.sheet_state == "hidden"
    assert len(items.data_validations.dataValidation) == 2  # 数据类型, 是否个人信息


def test_import_creates_entries_with_items_and_is_idempotent(bulk_env):
    org, user = bulk_env["org"], bulk_env["user"]
    data = xlsx(
        [entry_row(1, "石泉县公安局"), entry_row(2, "shiquan-gaj", 发布日期="2023年2月16日")],
        item_rows(1, 3) + item_rows(2, 1),
    )
    result = importer.import_file(data, "catalog.xlsx", user)
    assert result.problems == []
    assert result.summary()["created"] == 2 and result.written
    found = call_action("package_search", q="*:*", include_private=True)
    assert found["count"] == 2
    pkg = call_action("package_show", id=result.package_ids[0])
    assert pkg["owner_org"] == org["id"]
    assert pkg["share_type"] == "unconditional" and pkg["catalog_class"] == "departmental"
    assert pkg["publish_date"] == "2023-02-16"
    assert sorted(t["name"] for t in pkg["tags"]) == ["人口", "户籍"]
    assert [i["name"] for i in pkg["data_items"]] == ["字段1", "字段2", "字段3"]
    assert pkg["data_items"][0]["data_type"] == "C"
    assert call_action("package_show", id=result.package_ids[1])["publish_date"] == "2023-02-16"
    # the import made what package_create makes: one activity per entry
    assert _activities(pkg["id"]) == 1
    modified = pkg["metadata_modified"]

    again = importer.import_file(data, "catalog.xlsx", user)
    assert again.problems == [] and again.summary()["unchanged"] == 2
    assert again.summary()["created"] == again.summary()["updated"] == 0
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 2
    assert _activities(pkg["id"]) == 1
    assert call_action("package_show", id=pkg["id"])["metadata_modified"] == modified


def test_upsert_by_resource_code_updates_in_place(bulk_env):
    user = bulk_env["user"]
    first = importer.import_file(
        xlsx([entry_row(1, "石泉县公安局", 信息资源代码="403001/000001")], item_rows(1)),
        "a.xlsx",
        user,
    )
    assert first.written, first.problems
    pid = first.package_ids[0]
    changed = xlsx(
        [
            entry_row(
                1,
                "石泉县公安局",
                信息资源代码="403001/000001",
                信息资源名称="改名后的资源",
                更新周期="每年",
            )
        ],
        item_rows(1, 4),
    )
    second = importer.import_file(changed, "b.xlsx", user)
    assert second.problems == [] and second.summary()["updated"] == 1
    assert second.package_ids == [pid]
    from ckan import model

    assert model.Package.get(pid).title == "改名后的资源"
    pkg = call_action("package_show", id=pid)
    assert pkg["title"] == "改名后的资源" and pkg["update_cycle"] == "yearly"
    assert len(pkg["data_items"]) == 4
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 1
    assert call_action("package_search", q="title:改名后的资源", include_private=True)["count"] == 1
    assert _activities(pid) == 2
    assert importer.import_file(changed, "b.xlsx", user).summary()["unchanged"] == 1
    assert _activities(pid) == 2


def test_dry_run_writes_nothing(bulk_env):
    result = importer.import_file(
        xlsx([entry_row(1, "石泉县公安局")], item_rows(1)),
        "a.xlsx",
        bulk_env["user"],
        dry_run=True,
    )
    assert result.problems == [] and result.summary()["created"] == 1
    assert not result.written
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 0


def test_messy_real_world_cells(bulk_env):
    """Full-width digits, stray and ideographic spaces, API values instead of labels, a title row
    and merged header cells above the headers, dates as 2023/2/16 and as Excel dates."""
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "石泉县公安局政务信息资源目录（2023年）"
    ws.merge_cells("A1:M1")
    from tests.bulk.spreadsheets import ENTRY_HEADERS

    # two-level header: a merged group cell over two sub-headers, the rest merged vertically
    for i, h in enumerate(ENTRY_HEADERS, start=1):
        if h in ("共享类型", "开放属性"):
            ws.cell(row=3, column=i, value=h)
        else:
            ws.cell(row=2, column=i, value=f" {h}\u3000")
            ws.merge_cells(start_row=2, start_column=i, end_row=3, end_column=i)
    g = ENTRY_HEADERS.index("共享类型") + 1
    ws.cell(row=2, column=g, value="共享开放属性")
    ws.merge_cells(start_row=2, start_column=g, end_row=2, end_column=g + 1)
    ws.append(
        entry_row(
            1,
            " 石泉县公安局 ",
            共享类型="unconditional",
            开放属性=" 无条件开放",
            发布日期="２０２３/2/16",
            类="Departmental",
        )
    )
    ws.append(entry_row(2, "shiquan-gaj", 发布日期=dt.datetime(2023, 2, 16), 更新周期="每 月"))
    its = wb.create_sheet("信息项")
    from tests.bulk.spreadsheets import ITEM_HEADERS

    its.append(ITEM_HEADERS)
    its.append([1, "姓名", "C", "５０", "", "是"])
    buf = io.BytesIO()
    wb.save(buf)
    result = importer.import_file(buf.getvalue(), "messy.xlsx", bulk_env["user"])
    assert result.problems == [], result.problems
    pkgs = [call_action("package_show", id=i) for i in result.package_ids]
    assert {p["publish_date"] for p in pkgs} == {"2023-02-16"}
    assert pkgs[0]["share_type"] == "unconditional" and pkgs[0]["open_type"] == "open"
    assert pkgs[0]["catalog_class"] == "departmental"
    assert pkgs[1]["update_cycle"] == "monthly"
    assert pkgs[0]["data_items"] == [
        {
            "name": "姓名",
            "data_type": "C",
            "length": 50,
            "description": "",
            "personal_info": "yes",
        }
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_utf8_and_gbk(bulk_env, encoding):
    from tests.bulk.spreadsheets import ENTRY_HEADERS

    lines = [",".join([*ENTRY_HEADERS, "信息项"])]
    row = entry_row(1, "石泉县公安局", 发布日期="2023/2/16")
    lines.append(",".join(str(v) for v in row) + ',"姓名|字符|50||是\n住址|字符|200||是"')
    data = "\n".join(lines).encode(encoding)
    result = importer.import_file(data, "catalog.csv", bulk_env["user"])
    assert result.problems == [], result.problems
    pkg = call_action("package_show", id=result.package_ids[0])
    assert [i["name"] for i in pkg["data_items"]] == ["姓名", "住址"]
    assert pkg["publish_date"] == "2023-02-16"
