"""Exports of the catalog entries the caller may see: .xlsx in the template layout, CSV, JSON Lines.

Entries are read through package_search as the caller, so the access rules (labels in Solr, field
stripping in after_dataset_search, owned by access/policy.py) decide what is in an export exactly as
they decide what the caller sees on the site. The .xlsx is the import template filled in: importing
an export changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W

FORMATS = ("xlsx", "csv", "jsonl")
PAGE = 500
_FORMULA_START = ("=", "+", "-", "@")


def visible_entries(
    user: str | None, org: str | None = None, dataset_type: str = "dataset"
) -> Iterator[dict[str, Any]]:
    """The caller's view of every entry (of ``org`` if given), oldest first."""
    fq = [f'+dataset_type:"{dataset_type}"']
    if org:
        found = L.OrgIndex().find(org)
        if not found:
            raise tk.ObjectNotFound(tk._("no such organization"))
        fq.append(f'+owner_org:"{found["id"]}"')
    start = 0
    while True:
        context = {"user": user or "", "ignore_auth": False}
        result = tk.get_action("package_search")(
            context,
            {
                "q": "*:*",
                "fq": " ".join(fq),
                "rows": PAGE,
                "start": start,
                "sort": "metadata_created asc, id asc",
                "include_private": True,
            },
        )
        yield from result["results"]
        start += PAGE
        if start >= result["count"] or not result["results"]:
            return


def _safe_text(cell: Any, text: str) -> None:
    # Text that starts like a formula stays text in the workbook (no formula injection).
    cell.value = text
    if isinstance(text, str) and text.startswith("="):
        cell.data_type = "s"


def to_xlsx(entries: list[dict[str, Any]], lay: L.Layout) -> bytes:
    orgs = L.OrgIndex()
    wb = W.new_workbook(lay, max_rows=max(5000, len(entries) * 2))
    ws = wb[L.ENTRY_SHEET]
    item_ws = {i.field: wb[i.title] for i in lay.item_sheets}
    item_next = dict.fromkeys(item_ws, 2)
    for n, pkg in enumerate(entries, start=1):
        r = n + 1
        ws.cell(row=r, column=1, value=n)
        for c_idx, column in enumerate(lay.columns, start=2):
            text = L.write_cell(column, L.dataset_value(column, pkg), orgs)
            if text:
                _safe_text(ws.cell(row=r, column=c_idx), text)
        for item in lay.item_sheets:
            sheet = item_ws[item.field]
            for value in pkg.get(item.field) or []:
                ir = item_next[item.field]
                sheet.cell(row=ir, column=1, value=n)
                for c_idx, column in enumerate(item.columns, start=2):
                    text = L.write_cell(column, value.get(column.field), orgs)
                    if text:
                        _safe_text(sheet.cell(row=ir, column=c_idx), text)
                item_next[item.field] = ir + 1
    return W.workbook_bytes(wb)


def _csv_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(entries: list[dict[str, Any]], lay: L.Layout) -> bytes:
    orgs = L.OrgIndex()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [L.KEY_HEADER] + [c.header for c in lay.columns] + [i.title for i in lay.item_sheets]
    )
    for n, pkg in enumerate(entries, start=1):
        row = [str(n)]
        row += [_csv_safe(L.write_cell(c, L.dataset_value(c, pkg), orgs)) for c in lay.columns]
        row += [_csv_safe(W.items_to_cell(i, pkg.get(i.field) or [])) for i in lay.item_sheets]
        writer.writerow(row)
    # The BOM makes Excel open UTF-8 CSV with the Chinese intact.
    return out.getvalue().encode("utf-8-sig")


def to_jsonl(entries: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")


def export(
    user: str | None, fmt: str = "xlsx", org: str | None = None, dataset_type: str = "dataset"
) -> bytes:
    """The caller's visible entries in ``fmt`` (xlsx, csv or jsonl)."""
    if fmt not in FORMATS:
        raise tk.ValidationError({"format": [tk._("unknown export format")]})
    entries = list(visible_entries(user, org, dataset_type))
    if fmt == "jsonl":
        return to_jsonl(entries)
    # the workbook's 选项 sheet lists the choices of each column: only those the caller may see
    lay = L.visible_links(L.layout(dataset_type), user)
    return to_xlsx(entries, lay) if fmt == "xlsx" else to_csv(entries, lay)


MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
