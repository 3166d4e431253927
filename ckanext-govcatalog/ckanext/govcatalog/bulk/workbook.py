"""Spreadsheet files: the template, reading what data officers upload, and the error report.

Everything about the columns comes from bulk/layout.py (the scheming schema). Reading tolerates the
files people really have: .xlsx or .csv (UTF-8 or GBK), a title row or merged header cells above the
headers, full-width characters and stray spaces, headers in Chinese or English or as field names.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ckanext.govcatalog.bulk import layout as L

# Excel's own limit for one cell; longer text cannot round-trip through a workbook.
MAX_CELL_CHARS = 32767
HEADER_SCAN_ROWS = 10
ITEM_SEPARATOR = "\n"  # CSV only: data items in one cell, one per line, subfields split by '|'
SUBFIELD_SEPARATOR = "|"
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


class FileError(ValueError):
    """The file as a whole cannot be read; the message (Chinese via i18n) says why."""


@dataclasses.dataclass
class Problem:
    sheet: str
    row: int | None  # spreadsheet row number as the user sees it (1-based)
    column: str  # header text
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class SheetRow:
    row: int
    cells: dict[str, Any]  # field name (or KEY_HEADER) -> raw cell value
    bad: set[str] = dataclasses.field(default_factory=set)  # fields with a refused cell


@dataclasses.dataclass
class Sheet:
    name: str
    headers: dict[str, str]  # field name -> header text as found in the file
    rows: list[SheetRow]


@dataclasses.dataclass
class Upload:
    kind: str  # xlsx | csv
    entries: Sheet
    items: dict[str, Sheet]  # repeating field -> its sheet
    problems: list[Problem]


# ---- template ---------------------------------------------------------------------------------


def _header_row(ws: Any, headers: list[tuple[str, bool, str]]) -> None:
    for i, (text, required, note) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=text + (" *" if required else ""))
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if note:
            cell.comment = Comment(note, "govcatalog")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(text) * 3))
    ws.freeze_panes = "A2"


def _choice_note(column: L.Column) -> str:
    parts = [column.help] if column.help else []
    if column.kind == "multi":
        parts.append(tk._("Several values may be separated by 、"))
    if column.kind in ("date", "datetime"):
        parts.append(tk._("Dates: 2023-02-16, 2023/2/16 or 2023年2月16日"))
    return "\n".join(parts)


def new_workbook(lay: L.Layout, max_rows: int = 5000) -> Workbook:
    """An empty workbook in the template layout: headers, drop-downs and the instructions sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = L.ENTRY_SHEET
    lists = wb.create_sheet(L.LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_col = 0

    def add_validation(sheet: Any, col_idx: int, column: L.Column) -> None:
        nonlocal list_col
        if column.kind not in ("choice", "suggest", "multi") or not column.choices:
            return
        list_col += 1
        letter = get_column_letter(list_col)
        lists.cell(row=1, column=list_col, value=column.header)
        for r, choice in enumerate(column.choices, start=2):
            lists.cell(row=r, column=list_col, value=choice.label)
        last = len(column.choices) + 1
        dv = DataValidation(
            type="list",
            formula1=f"='{L.LISTS_SHEET}'!${letter}$2:${letter}${last}",
            allow_blank=True,
            # A multi-choice cell holds several labels and a suggest cell may hold other text,
            # which a strict list rule would refuse.
            showErrorMessage=column.kind == "choice",
            errorTitle=column.header,
            error=tk._("Choose a value from the list"),
        )
        target = get_column_letter(col_idx)
        dv.add(f"{target}2:{target}{max_rows + 1}")
        sheet.add_data_validation(dv)

    headers = [(L.KEY_HEADER, True, tk._("Any unique number; data items refer to it"))]
    headers += [(c.header, c.required, _choice_note(c)) for c in lay.columns]
    _header_row(ws, headers)
    for i, column in enumerate(lay.columns, start=2):
        add_validation(ws, i, column)

    for item in lay.item_sheets:
        sheet = wb.create_sheet(item.title)
        sub_headers = [(L.KEY_HEADER, True, tk._("The 序号 of the entry these items belong to"))]
        sub_headers += [(c.header, c.required, _choice_note(c)) for c in item.columns]
        _header_row(sheet, sub_headers)
        for i, column in enumerate(item.columns, start=2):
            add_validation(sheet, i, column)

    _instructions(wb.create_sheet(L.INSTRUCTIONS_SHEET, 0), lay)
    wb.active = 1
    return wb


def _instructions(ws: Any, lay: L.Layout) -> None:
    lines = [
        tk._("How to fill in this workbook"),
        "",
        tk._(
            "One row of the sheet {sheet} is one catalog entry. Columns marked * are required."
        ).format(sheet=L.ENTRY_SHEET),
        tk._(
            "An entry with a resource code updates the existing entry with that code; "
            "without one, a new entry is created and given a code."
        ),
    ]
    for item in lay.item_sheets:
        lines.append(
            tk._(
                "The sheet {sheet} lists the {label} of the entries: one row per item, "
                "with the 序号 of its entry in the first column."
            ).format(sheet=item.title, label=item.title)
        )
    lines += [
        tk._("Choice columns take a value from their drop-down list."),
        tk._("Dates may be written 2023-02-16, 2023/2/16 or 2023年2月16日."),
        tk._("Enter values, not formulas. Nothing is imported until every row is correct."),
        "",
        tk._("Columns"),
    ]
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90
    for r, line in enumerate(lines, start=1):
        ws.cell(row=r, column=1, value=line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    r = len(lines) + 1
    for sheet_name, columns in [(L.ENTRY_SHEET, lay.columns)] + [
        (i.title, i.columns) for i in lay.item_sheets
    ]:
        for c in columns:
            allowed = "、".join(ch.label for ch in c.choices)
            ws.cell(row=r, column=1, value=f"{sheet_name} / {c.header}")
            ws.cell(row=r, column=2, value=tk._("required") if c.required else "")
            ws.cell(row=r, column=3, value="；".join(x for x in (c.help, allowed) if x))
            r += 1


def template_bytes(lay: L.Layout) -> bytes:
    return workbook_bytes(new_workbook(lay))


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- reading ----------------------------------------------------------------------------------


def sniff(data: bytes, filename: str = "") -> str:
    """xlsx or csv, from the content (people rename files); FileError for anything else."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError(tk._("Old .xls workbooks are not supported; save the file as .xlsx"))
    if not data.strip():
        raise FileError(tk._("The file is empty"))
    if b"\x00" in data[:4096]:
        raise FileError(tk._("The file is neither an .xlsx workbook nor a CSV file"))
    try:
        decode_text(data[:65536], partial=True)
    except FileError as e:
        raise FileError(tk._("The file is neither an .xlsx workbook nor a CSV file")) from e
    return "csv"


def kind_of(data: bytes) -> str:
    """xlsx or csv, or "" when the file is neither (for reports on unreadable files)."""
    try:
        return sniff(data)
    except FileError:
        return ""


def decode_text(data: bytes, partial: bool = False) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            if partial:
                # a sample may end inside a multi-byte character: the incremental decoder holds
                # those bytes back instead of failing (error offsets would not help: utf-8-sig
                # counts them after the BOM)
                return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(tk._("The CSV file is neither UTF-8 nor GBK text"))


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[list[tuple[Any, bool]]]]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise FileError(tk._("The workbook is damaged or not an .xlsx file")) from e
    except Exception as e:  # openpyxl raises many types for broken XML inside the zip
        raise FileError(tk._("The workbook is damaged or not an .xlsx file")) from e

    def rows(ws: Any) -> Iterator[list[tuple[Any, bool]]]:
        for row in ws.iter_rows():
            yield [(c.value, getattr(c, "data_type", None) == "f") for c in row]

    for ws in wb.worksheets:
        yield ws.title, rows(ws)


def _csv_rows(data: bytes) -> Iterator[list[tuple[Any, bool]]]:
    text = decode_text(data)
    sample = text[:8192]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        # A leading apostrophe is how our CSV export protects text that starts like a formula.
        yield [(v[1:] if v[:2] in ("'=", "'+", "'-", "'@") else v, False) for v in row]


def _match_headers(
    cells: list[Any], columns: Iterable[L.Column]
) -> tuple[dict[int, str], dict[str, str]]:
    """Column index -> field name (KEY_HEADER for the key), and field -> header text found."""
    by_alias: dict[str, str] = {}
    for c in columns:
        for a in c.aliases | {L.norm_key(c.header)}:
            by_alias.setdefault(a, c.field)
    for a in L.KEY_ALIASES:
        by_alias[L.norm_key(a)] = L.KEY_HEADER
    index: dict[int, str] = {}
    found: dict[str, str] = {}
    for i, raw in enumerate(cells):
        key = L.norm_key(raw)
        field = by_alias.get(key)
        if field and field not in found:
            index[i] = field
            found[field] = L.clean_text(raw).rstrip(" *＊")
    return index, found


def _read_sheet(
    name: str, rows: Iterator[list[tuple[Any, bool]]], columns: tuple[L.Column, ...]
) -> tuple[Sheet | None, list[Problem], int]:
    """Finds the header row among the first rows (title rows and merged group headers above it are
    fine), then reads the data rows. Returns the sheet, its problems and the header match count."""
    head: list[list[tuple[Any, bool]]] = []
    best: tuple[int, int, dict[int, str], dict[str, str]] = (-1, 0, {}, {})
    for r, row in enumerate(rows):
        head.append(row)
        values = [v for v, _f in row]
        # A cell left empty under a vertically merged header takes the text above it.
        filled = [
            v
            if L.clean_text(v)
            else next(
                (h[i][0] for h in reversed(head[:-1]) if i < len(h) and L.clean_text(h[i][0])),
                None,
            )
            for i, v in enumerate(values)
        ]
        index, found = _match_headers(filled, columns)
        if len(found) > best[1]:
            best = (r, len(found), index, found)
        if r + 1 >= HEADER_SCAN_ROWS:
            break
    header_row, matches, index, found = best
    if matches < 2:
        return None, [], matches
    problems: list[Problem] = []
    out: list[SheetRow] = []

    def data_rows() -> Iterator[tuple[int, list[tuple[Any, bool]]]]:
        n = header_row + 1
        for row in head[header_row + 1 :]:
            n += 1
            yield n, row
        for row in rows:
            n += 1
            yield n, row

    headers = dict(found)
    for n, row in data_rows():
        cells: dict[str, Any] = {}
        bad: set[str] = set()
        for i, (value, is_formula) in enumerate(row):
            field = index.get(i)
            if field is None:
                continue
            if is_formula:
                bad.add(field)
                reason = tk._("formulas are not accepted; enter the value itself")
                problems.append(Problem(name, n, headers[field], str(value)[:200], reason))
                continue
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                bad.add(field)
                problems.append(
                    Problem(
                        name,
                        n,
                        headers[field],
                        value[:50] + "…",
                        tk._("the text is too long ({n} characters; at most {max})").format(
                            n=len(value), max=MAX_CELL_CHARS
                        ),
                    )
                )
                continue
            cells[field] = value
        if any(L.clean_text(v) for v in cells.values()):
            out.append(SheetRow(n, cells, bad))
    return Sheet(name, headers, out), problems, matches


def read_upload(data: bytes, filename: str, lay: L.Layout) -> Upload:
    """Parses an uploaded file into raw rows per sheet. FileError when nothing usable is in it."""
    kind = sniff(data, filename)
    problems: list[Problem] = []
    entries: Sheet | None = None
    items: dict[str, Sheet] = {}
    if kind == "csv":
        columns = lay.columns + tuple(
            L.Column(i.field, i.title, "items", i.required, aliases=i.aliases)
            for i in lay.item_sheets
        )
        entries, problems, _m = _read_sheet(L.ENTRY_SHEET, _csv_rows(data), columns)
    else:
        candidates: list[tuple[int, int, Sheet, list[Problem]]] = []
        for title, rows in _xlsx_sheets(data):
            norm = L.norm_key(title)
            item = next(
                (i for i in lay.item_sheets if norm in i.aliases | {L.norm_key(i.title)}), None
            )
            if item:
                sheet, probs, _m = _read_sheet(title, rows, item.columns)
                if sheet:
                    items[item.field] = sheet
                    problems += probs
                continue
            if norm in (L.norm_key(L.INSTRUCTIONS_SHEET), L.norm_key(L.LISTS_SHEET)):
                continue
            sheet, probs, matches = _read_sheet(title, rows, lay.columns)
            if sheet:
                named = norm in {L.norm_key(a) for a in L.ENTRY_SHEET_ALIASES}
                candidates.append((int(named), matches, sheet, probs))
        if candidates:
            candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
            _n, _m, entries, probs = candidates[0]
            problems += probs
    if entries is None:
        raise FileError(
            tk._(
                "No sheet with the catalog's column headers was found; "
                "use the sheet {sheet} of the template"
            ).format(sheet=L.ENTRY_SHEET)
        )
    missing = [
        c.header
        for c in lay.columns
        if c.required and c.field not in entries.headers and c.field != L.KEY_FIELD
    ]
    if missing:
        raise FileError(
            tk._("Required columns are missing or renamed: {columns}").format(
                columns="、".join(missing)
            )
        )
    return Upload(kind, entries, items, problems)


# ---- CSV cells for repeating subfields ---------------------------------------------------------


def items_to_cell(item: L.ItemSheet, values: list[dict[str, Any]]) -> str:
    lines = []
    for v in values:
        lines.append(
            SUBFIELD_SEPARATOR.join(
                L.write_cell(c, v.get(c.field)).replace(SUBFIELD_SEPARATOR, "/").replace("\n", " ")
                for c in item.columns
            )
        )
    return ITEM_SEPARATOR.join(lines)


def items_from_cell(item: L.ItemSheet, text: str) -> list[dict[str, Any]]:
    out = []
    for line in L.clean_text(text).split(ITEM_SEPARATOR):
        if not line.strip():
            continue
        parts = line.split(SUBFIELD_SEPARATOR)
        out.append(
            {c.field: parts[i] if i < len(parts) else "" for i, c in enumerate(item.columns)}
        )
    return out


# ---- report -----------------------------------------------------------------------------------


def report_bytes(
    data: bytes,
    kind: str,
    problems: list[Problem],
    filled: Iterable[dict[str, Any]] = (),
    lay: L.Layout | None = None,
) -> tuple[bytes, str]:
    """The uploaded file with an error column added next to each faulty row, and the 数据元 the
    import filled in (``filled``: ImportResult.auto_bound) written where the officer reviews
    them: in the item sheet's 数据元 column (``lay`` names it), highlighted, with the
    confidence in a note; in an added column when the file has no such column.

    Returns the bytes and the file extension (xlsx or csv, as uploaded)."""
    # a suggestion left out (it would break the entry's share type) filled in nothing
    filled = [b for b in filled if not b.get("left_out")]
    by_sheet: dict[str, dict[int, list[str]]] = {}
    general: list[str] = []
    for p in problems:
        text = f"{p.column}: {p.reason}" if p.column else p.reason
        if p.row is None:
            general.append(text)
        else:
            by_sheet.setdefault(p.sheet, {}).setdefault(p.row, []).append(text)
    if kind == "csv":
        rows = [[v for v, _f in row] for row in _csv_rows(data)]
        out = io.StringIO()
        writer = csv.writer(out)
        marks = by_sheet.get(L.ENTRY_SHEET, {})
        bound = _filled_by_row(filled, L.ENTRY_SHEET)
        for n, row in enumerate(rows, start=1):
            extra = "；".join(marks.get(n, []))
            if n == 1:
                extra = L.ERROR_HEADER + ("：" + "；".join(general) if general else "")
            tail = [_filled_header() if n == 1 else "；".join(bound.get(n, []))] if filled else []
            writer.writerow([*row, extra, *tail])
        return out.getvalue().encode("utf-8-sig"), "csv"
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        marks = by_sheet.get(ws.title)
        if not marks and not (general and ws.title == wb.worksheets[0].title):
            continue
        col = ws.max_column + 1
        header_row = min(marks) - 1 if marks else 1
        header_row = max(1, min(header_row, _guess_header_row(ws)))
        head = ws.cell(row=header_row, column=col, value=L.ERROR_HEADER)
        head.font = Font(bold=True, color="9C0006")
        ws.column_dimensions[get_column_letter(col)].width = 60
        for r, msgs in (marks or {}).items():
            cell = ws.cell(row=r, column=col, value="；".join(msgs))
            cell.fill = _ERROR_FILL
            cell.alignment = Alignment(wrap_text=True)
    if filled:
        _write_filled(wb, filled, lay)
    if general:
        ws = wb.create_sheet(L.ERROR_HEADER, 0)
        for r, text in enumerate(general, start=1):
            ws.cell(row=r, column=1, value=text)
    return workbook_bytes(wb), "xlsx"


_FILLED_FILL = PatternFill("solid", fgColor="FFF2CC")


def _filled_header() -> str:
    return tk._("Data element (filled automatically, please check)")


def _filled_text(bound: dict[str, Any]) -> str:
    return f"{bound['element_id']} {bound['element_name']}"


def _filled_by_row(filled: list[dict[str, Any]], sheet: str) -> dict[int, list[str]]:
    """Row -> "item → element" texts of the filled 数据元 of one sheet (items given in a cell)."""
    by_row: dict[int, list[str]] = {}
    for b in filled:
        if b["sheet"] == sheet:
            by_row.setdefault(b["row"], []).append(f"{b['item']} → {_filled_text(b)}")
    return by_row


def _element_column(ws: Any, item: L.ItemSheet | None) -> tuple[int, int] | None:
    """(header row, column) of the item sheet's 数据元 column, if the file has one."""
    aliases: set[str] = set()
    for c in item.columns if item else ():
        if c.field == "element_id":
            aliases |= c.aliases | {L.norm_key(c.header)}
    if not aliases:
        return None
    for r in range(1, HEADER_SCAN_ROWS + 1):
        for cell in ws[r]:
            if L.norm_key(cell.value) in aliases:
                return r, cell.column
    return None


def _write_filled(wb: Any, filled: list[dict[str, Any]], lay: L.Layout | None) -> None:
    for ws in wb.worksheets:
        # the report names an item sheet by the layout's title; the file may use an alias
        item = next(
            (
                i
                for i in (lay.item_sheets if lay else ())
                if L.norm_key(ws.title) in i.aliases | {L.norm_key(i.title)}
            ),
            None,
        )
        title = item.title if item else ws.title
        mine = [b for b in filled if b["sheet"] == title]
        if not mine:
            continue
        found = _element_column(ws, item)
        if found is None:
            # no 数据元 column (items in a cell, or an older template): one added at the end
            col = ws.max_column + 1
            head = ws.cell(row=_guess_header_row(ws), column=col, value=_filled_header())
            head.font = Font(bold=True)
            ws.column_dimensions[get_column_letter(col)].width = 40
            for r, texts in _filled_by_row(mine, title).items():
                cell = ws.cell(row=r, column=col, value="；".join(texts))
                cell.fill = _FILLED_FILL
            continue
        _header, col = found
        for b in mine:
            cell = ws.cell(row=b["row"], column=col, value=_filled_text(b))
            cell.fill = _FILLED_FILL
            cell.comment = Comment(
                tk._("Filled automatically, please check (confidence {p}%)").format(
                    p=round(b["confidence"] * 100)
                ),
                "govcatalog",
            )


def _guess_header_row(ws: Any) -> int:
    for r in range(1, HEADER_SCAN_ROWS + 1):
        if L.norm_key(ws.cell(row=r, column=1).value) in {L.norm_key(a) for a in L.KEY_ALIASES}:
            return r
    return 1
