"""The files that go wrong. Each is refused with a reason naming row and column,
and nothing is written."""

from __future__ import annotations

import io

import pytest
from ckan.tests.helpers import call_action
from openpyxl import Workbook, load_workbook

from ckanext.govcatalog.bulk import importer, workbook
from tests.bulk.spreadsheets import ENTRY_HEADERS, FIXTURE_SCHEMA, entry_row, item_rows, xlsx

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
    pytest.mark.usefixtures("with_request_context"),
]


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


def _count() -> int:
    return call_action("package_search", q="*:*", include_private=True)["count"]


def _run(bulk_env, data: bytes, name: str = "f.xlsx"):
    result = importer.import_file(data, name, bulk_env["user"])
    assert not result.written
    assert result.problems
    assert _count() == 0
    return result


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 this is a truncated zip", "损坏"),
        (b"%PDF-1.7\n\x00\x01\x02 binary", "既不是"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "既不是"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"", "空"),
        (b"hello, world\nno, headers here\n", "找不到"),
    ],
)
def test_unreadable_files(bulk_env, data, reason):
    result = _run(bulk_env, data)
    assert len(result.problems) == 1 and reason in result.problems[0].reason


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_large_csv_is_csv_wherever_the_sniff_sample_ends(bom, encoding):
    # the first 64 KiB are sniffed: a cut through a character must not make the file "not CSV"
    rows = "".join(f"{i},石泉县人口基础信息{i}\n" for i in range(4000))
    for shift in range(4):  # moves the 64 KiB boundary through each byte of a character
        text = "序号,信息资源名称" + "x" * shift + "\n" + rows
        data = (bom if encoding == "utf-8" else b"") + text.encode(encoding)
        assert workbook.sniff(data, "f.csv") == "csv"


def test_wrong_sheet(bulk_env):
    wb = Workbook()
    wb.active.title = "工资表"
    wb.active.append(["姓名", "工号", "金额"])
    wb.active.append(["张三", "001", 100])
    buf = io.BytesIO()
    wb.save(buf)
    result = _run(bulk_env, buf.getvalue())
    assert "信息资源" in result.problems[0].reason


def test_missing_and_renamed_columns(bulk_env):
    headers = [h if h != "共享类型" else "共享方式类型" for h in ENTRY_HEADERS]
    headers = [h for h in headers if h != "更新周期"]
    row = entry_row(1, "石泉县公安局")
    row = [v for h, v in zip(ENTRY_HEADERS, row, strict=True) if h != "更新周期"]
    result = _run(bulk_env, xlsx([row], entry_headers=headers))
    reason = result.problems[0].reason
    assert "共享类型" in reason and "更新周期" in reason and "缺少" in reason


def test_unknown_choice_values_name_row_and_column(bulk_env):
    data = xlsx(
        [entry_row(1, "石泉县公安局"), entry_row(2, "石泉县公安局", 共享类型="随便共享")],
        [*item_rows(1), [2, "字段", "字符串", 10, "", "否"]],
    )
    result = _run(bulk_env, data)
    got = {(p.sheet, p.row, p.column, p.value) for p in result.problems}
    assert ("信息资源", 3, "共享类型", "随便共享") in got
    assert ("信息项", 4, "数据类型", "字符串") in got
    reason = next(p.reason for p in result.problems if p.value == "随便共享")
    assert "无条件共享" in reason  # the allowed values are listed


def test_duplicate_codes_and_keys_in_one_file(bulk_env):
    data = xlsx(
        [
            entry_row(1, "石泉县公安局", 信息资源代码="403001/000001"),
            entry_row(2, "石泉县公安局", 信息资源代码="403001/000001"),
            entry_row(2, "石泉县公安局"),
        ],
    )
    result = _run(bulk_env, data)
    rows = {(p.row, p.column) for p in result.problems}
    assert (3, "信息资源代码") in rows
    assert (4, "序号") in rows


def test_validator_errors_are_reported_per_row(bulk_env):
    data = xlsx(
        [
            entry_row(1, "石泉县公安局"),
            entry_row(2, "石泉县公安局", 信息资源摘要="", 发布日期="明天"),
        ],
        [*item_rows(1), [1, "", "字符", "abc", "", "否"]],
    )
    result = _run(bulk_env, data)
    got = {(p.sheet, p.row, p.column) for p in result.problems}
    assert ("信息资源", 3, "信息资源摘要") in got
    assert ("信息资源", 3, "发布日期") in got
    assert ("信息项", 4, "信息项名称") in got  # required subfield, from the schema's validators


def test_formulas_are_refused(bulk_env):
    wb = load_workbook(io.BytesIO(xlsx([entry_row(1, "石泉县公安局")])))
    ws = wb["信息资源"]
    ws.cell(
        row=2, column=ENTRY_HEADERS.index("信息资源摘要") + 1, value='=HYPERLINK("http://x","y")'
    )
    buf = io.BytesIO()
    wb.save(buf)
    result = _run(bulk_env, buf.getvalue())
    p = result.problems[0]
    assert (p.row, p.column) == (2, "信息资源摘要") and "公式" in p.reason


def test_very_large_cells_are_refused(bulk_env):
    huge = "很长" * 40000
    lines = [",".join(ENTRY_HEADERS)]
    lines.append(",".join(str(v) for v in entry_row(1, "石泉县公安局", 信息资源摘要=huge)))
    result = _run(bulk_env, "\n".join(lines).encode("utf-8"), "big.csv")
    p = result.problems[0]
    assert p.column == "信息资源摘要" and "80000" in p.reason and len(p.value) < 100


def test_html_and_script_are_stored_as_text(bulk_env, app):
    title = '<script>alert("x")</script><b>人口</b>'
    result = importer.import_file(
        xlsx([entry_row(1, "石泉县公安局", 信息资源名称=title)], item_rows(1)),
        "a.xlsx",
        bulk_env["user"],
    )
    assert result.written, result.problems
    pkg = call_action("package_show", id=result.package_ids[0])
    assert pkg["title"] == title
    body = app.get(f"/dataset/{pkg['name']}", extra_environ={"REMOTE_USER": "officer"}).body
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;" in body


def test_ten_thousand_rows_with_one_bad_row_write_nothing(bulk_env):
    rows = [entry_row(n, "石泉县公安局") for n in range(1, 10001)]
    rows[7345] = entry_row(7346, "石泉县公安局", 开放属性="半开放")
    result = _run(bulk_env, xlsx(rows), "big.xlsx")
    assert [(p.row, p.column) for p in result.problems] == [(7347, "开放属性")]


def test_report_is_the_upload_with_an_error_column(bulk_env):
    data = xlsx(
        [entry_row(1, "石泉县公安局"), entry_row(2, "石泉县公安局", 共享类型="随便")],
        item_rows(1),
    )
    result = _run(bulk_env, data)
    content, ext = workbook.report_bytes(data, result.kind, result.problems)
    assert ext == "xlsx"
    ws = load_workbook(io.BytesIO(content))["信息资源"]
    last = ws.max_column
    assert ws.cell(row=1, column=last).value == "错误信息"
    assert ws.cell(row=2, column=last).value is None
    assert "共享类型" in ws.cell(row=3, column=last).value
    # the original cells are untouched
    assert ws.cell(row=3, column=ENTRY_HEADERS.index("共享类型") + 1).value == "随便"
