"""Spreadsheets the way people fill them in, for the bulk tests: rows of the template's entry and
data item sheets, and the xlsx file made of them (with the test schema they are read against)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

# the entry schema the bulk tests run with (scheming.dataset_schemas), beside this file
FIXTURE_SCHEMA = "ckanext.govcatalog:../../../tests/bulk/catalog_fixture.yaml"

ENTRY_HEADERS = [
    "序号",
    "信息资源代码",
    "信息资源名称",
    "信息资源摘要",
    "信息资源提供方",
    "类",
    "共享类型",
    "开放属性",
    "更新周期",
    "发布日期",
    "关联资源代码",
    "关键词",
    "数据责任人",
]
ITEM_HEADERS = ["序号", "信息项名称", "数据类型", "数据长度", "描述", "是否个人信息"]


def entry_row(n: int, org: str, **over: Any) -> list[Any]:
    """Row ``n`` of the entry sheet, provided by ``org`` (its title); ``over`` replaces cells by
    column header."""
    values = {
        "序号": n,
        "信息资源代码": "",
        "信息资源名称": f"石泉县测试信息资源{n}",
        "信息资源摘要": f"第{n}条测试资源的摘要",
        "信息资源提供方": org,
        "类": "部门信息资源",
        "共享类型": "无条件共享",
        "开放属性": "无条件开放",
        "更新周期": "每月",
        "发布日期": "2023-02-16",
        "关联资源代码": "",
        "关键词": "人口、户籍",
        "数据责任人": "张三 0915-1234567",
    }
    values.update(over)
    return [values[h] for h in ENTRY_HEADERS]


def item_rows(n: int, count: int = 2) -> list[list[Any]]:
    """``count`` rows of the data item sheet for entry row ``n``."""
    return [[n, f"字段{k}", "字符", 20, f"第{k}个信息项", "否"] for k in range(1, count + 1)]


def xlsx(
    entries: list[list[Any]],
    items: list[list[Any]] | None = None,
    entry_headers: list[str] | None = None,
    sheet: str = "信息资源",
) -> bytes:
    """An xlsx file: the entry sheet (named ``sheet``) and, if ``items`` are given, the data
    item sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(entry_headers or ENTRY_HEADERS)
    # by row and column number: ws[ws.max_row] scans every cell written so far, which made a
    # 10,000-row file take minutes to build
    for number, row in enumerate(entries, start=2):
        ws.append(row)
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                # text typed with a leading '=' (Excel: '=...)
                ws.cell(row=number, column=column).data_type = "s"
    if items is not None:
        its = wb.create_sheet("信息项")
        its.append(ITEM_HEADERS)
        for row in items:
            its.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
