"""Sample data files of the demo catalog: tables whose columns are an entry's data items, and PDF
documents for entries that are not tables.

The rule is data in ``schemas/demo/sample_files.yaml`` (documented there): which file an entry
gets, how many rows, which generator each data item gets. Rows come from ``random.Random`` seeded
with ``"<seed>:<entry name>"``, so an entry's file is the same on every machine and every run.
Personal information is fake but valid in form: 公民身份号码 carry a correct GB 11643 check
character (elements/formats.py), names are drawn from lists, never real people.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import random
from dataclasses import dataclass
from typing import Any

import yaml

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog.field_rules import uscc_check_char
from ckanext.govcatalog.elements.formats import gb11643_check_char
from ckanext.govcatalog.tabular.loading import MAX_NAME_BYTES

# personal_info values of a data item that mark it as personal information
_PERSONAL_FLAGS = ("yes", "sensitive")
# generators that apply whatever the item's data type (they decide the column's content)
_KINDS_FOR_ANY_TYPE = ("id_number", "credit_code", "phone", "birth_date", "age", "year")
# characters of a 统一社会信用代码 (GB 32100: digits and capitals without I, O, S, V, Z)
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_TEXT_TYPES = ("C", "M")


@dataclass(frozen=True)
class SampleFile:
    """One sample file: its name, format (CSV, XLSX or PDF), bytes, and for tables the columns
    and number of rows."""

    filename: str
    format: str
    content: bytes
    columns: tuple[str, ...] = ()
    row_count: int = 0


@functools.cache
def rules() -> dict[str, Any]:
    """The generation rule (schemas/demo/sample_files.yaml)."""
    with open(
        os.path.join(vocab.schemas_dir(), "demo", "sample_files.yaml"), encoding="utf-8"
    ) as f:
        return yaml.safe_load(f)


def wants_file(entry: dict[str, Any]) -> bool:
    """Whether a demo entry gets a sample file: open or shared entries do."""
    return entry.get("share_type") in ("unconditional", "conditional") or entry.get(
        "open_type"
    ) in ("open", "conditional")


def file_format(entry: dict[str, Any]) -> str:
    """CSV, XLSX or PDF, by the entry's format and whether it has data items."""
    rule = rules()
    if (
        not entry.get("data_items")
        or entry.get("format_category") in rule["document_format_categories"]
    ):
        return "PDF"
    if (entry.get("format_type") or "").lower() in rule["xlsx_format_types"]:
        return "XLSX"
    return "CSV"


def column_names(entry: dict[str, Any]) -> list[str]:
    """The table's column names: the entry's data item names, a repeated name numbered (room
    is left for the number), one too long for a database column cut short."""
    names: list[str] = []
    for item in entry.get("data_items") or []:
        name = str(item.get("name") or "").strip() or f"信息项{len(names) + 1}"
        # a name longer than a database column name may be (63 bytes) is cut, marked with …
        while len(name.encode("utf-8")) > MAX_NAME_BYTES - 9:
            name = name[:-2] + "…"
        base, n = name, 2
        while name in names:
            name, n = f"{base}（{n}）", n + 1
        names.append(name)
    return names


def id_number(rng: random.Random, birth: dt.date) -> str:
    """A fake 公民身份号码 of the demo county: division code, birth date, sequence number and
    a correct GB 11643 check character."""
    first17 = f"{rules()['division_code']}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + gb11643_check_char(first17)


def credit_code(rng: random.Random) -> str:
    """A fake 统一社会信用代码 of a unit registered in the demo county, with a correct GB 32100
    check character."""
    body = "".join(rng.choice(_USCC_CHARS[:10]) for _ in range(9))
    first17 = f"91{rules()['division_code']}" + body
    return first17 + uscc_check_char(first17)


def _kind(item: dict[str, Any]) -> dict[str, Any] | None:
    name = str(item.get("name") or "")
    for rule in rules()["name_rules"]:
        if any(word in name for word in rule["words"]):
            if rule["kind"] in _KINDS_FOR_ANY_TYPE or item.get("data_type") in _TEXT_TYPES:
                return rule
            return None
    return None


def _random_date(rng: random.Random, years: list[int]) -> dt.date:
    start = dt.date(years[0], 1, 1)
    return start + dt.timedelta(days=rng.randint(0, (dt.date(years[1], 12, 31) - start).days))


def _value(item: dict[str, Any], row: int, rng: random.Random, person: dict[str, Any]) -> str:
    rule = rules()
    kind = _kind(item)
    personal = item.get("personal_info") in _PERSONAL_FLAGS
    name = str(item.get("name") or "")
    if kind is not None:
        k = kind["kind"]
        if k == "id_number":
            return id_number(rng, person["birth"])
        if k == "credit_code":
            return credit_code(rng)
        if k == "year":
            return str(rng.randint(*rule["date_years"]))
        if k == "phone":
            return rng.choice(rule["mobile_prefixes"]) + f"{rng.randint(0, 99_999_999):08d}"
        if k == "person_name":
            return rng.choice(rule["surnames"]) + rng.choice(rule["given_names"])
        if k == "address":
            town, street = rng.choice(rule["towns"]), rng.choice(rule["streets"])
            return f"石泉县{town}{street}{rng.randint(1, 300)}号"
        if k == "choice":
            return rng.choice(kind["values"])
        if k == "birth_date":
            return person["birth"].isoformat()
        if k == "age":
            return str(dt.date(rule["date_years"][1], 12, 31).year - person["birth"].year)
        if k == "town":
            return rng.choice(rule["towns"])
        if k == "date":
            return _random_date(rng, rule["date_years"]).isoformat()
    if personal:  # a personal item no rule names (诊断, 婚姻状况…): an obvious placeholder
        return f"{name}（示例）{row}"
    data_type = item.get("data_type")
    if data_type == "I":
        return str(rng.randint(1, 5000))
    if data_type in ("N", "Y"):
        return f"{rng.uniform(0, 100_000):.2f}"
    if data_type == "D":
        return _random_date(rng, rule["date_years"]).isoformat()
    if data_type == "T":
        day = _random_date(rng, rule["date_years"])
        return f"{day.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:00"
    if data_type == "L":
        return rng.choice(("是", "否"))
    if name in ("序号", "编号"):
        return str(row)
    return f"{name}{row}"


def sample_rows(entry: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of an entry's sample table (deterministic per entry name)."""
    rule = rules()
    rng = random.Random(f"{rule['seed']}:{entry['name']}")
    items = entry.get("data_items") or []
    columns = column_names(entry)
    rows: list[list[str]] = []
    for row in range(1, int(rule["rows"]) + 1):
        # one person per row, so that a row's birth date, age and ID number agree
        person = {"birth": _random_date(rng, rule["birth_years"])}
        rows.append([_value(item, row, rng, person) for item in items])
    return columns, rows


def csv_bytes(columns: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that spreadsheet programs read the Chinese), the
    示例数据 marker line first, then the header and the rows."""
    out = io.StringIO()
    out.write(rules()["marker"] + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns: list[str], rows: list[list[str]], title: str) -> bytes:
    """An XLSX workbook: sheet 数据 (marker row, header, rows) and sheet 说明 (what it is)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append([rules()["marker"]])
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    notes = book.create_sheet("说明")
    notes.append(["资源", title])
    notes.append(["说明", rules()["marker"].lstrip("# ")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_text(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF of the given lines in Adobe's STSong-Light (a standard Chinese font that
    PDF readers supply, so nothing is embedded)."""
    content = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    for i, line in enumerate(lines[:44]):
        content.append(("" if i == 0 else "T* ") + _pdf_text(line) + " Tj")
    content.append("ET")
    stream = "\n".join(content).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _document_lines(entry: dict[str, Any]) -> list[str]:
    notes = str(entry.get("notes") or "")
    lines = [rules()["marker"].lstrip("# "), "", str(entry.get("title") or entry["name"]), ""]
    lines += [notes[i : i + 40] for i in range(0, len(notes), 40)]
    items = column_names(entry)
    if items:
        lines += ["", "信息项：" + "、".join(items)[:200]]
    return lines


def sample_file(entry: dict[str, Any]) -> SampleFile:
    """The sample file of a demo entry."""
    fmt = file_format(entry)
    stem = f"{entry['name']}-sample"
    if fmt == "PDF":
        return SampleFile(f"{stem}.pdf", "PDF", pdf_bytes(_document_lines(entry)))
    columns, rows = sample_rows(entry)
    if fmt == "XLSX":
        content = xlsx_bytes(columns, rows, str(entry.get("title") or entry["name"]))
    else:
        content = csv_bytes(columns, rows)
    return SampleFile(f"{stem}.{fmt.lower()}", fmt, content, tuple(columns), len(rows))
