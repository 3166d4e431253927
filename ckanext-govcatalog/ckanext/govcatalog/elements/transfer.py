"""The register in and out of files: the YAML form (seedfile.py) and an Excel workbook with one
row per element. An import is all or nothing: every element is checked and written in one
transaction, and one refused element rolls all of them back."""

from __future__ import annotations

import dataclasses
import io
import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ckanext.govcatalog import vocab
from ckanext.govcatalog.elements import refresh, register, seedfile

# workbook headers (the Chinese names of the fields); a header may also be the field itself
HEADERS = {
    "id": "内部标识符",
    "name": "中文名称",
    "identifier": "标识符",
    "synonyms": "同义名称",
    "definition": "说明",
    "object_class": "对象类",
    "property": "特性",
    "representation": "表示",
    "data_type": "数据类型",
    "format": "表示格式",
    "value_rule": "值域规则",
    "code_table": "值域代码表",
    "source_org": "数源部门",
    "personal_info": "个人信息",
    "sensitive_personal_info": "敏感个人信息",
    "data_grade": "数据分级",
    "status": "状态",
    "replaced_by": "替代数据元",
}
_FLAG_TEXT = {True: "是", False: "否"}
_SYNONYM_JOIN = "、"
SHEET = "数据元"


@dataclasses.dataclass
class ImportResult:
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    # deprecations of elements data items are still bound to (register.retirement_warning)
    warnings: list[str] = dataclasses.field(default_factory=list)


def seed_dir() -> str:
    return os.path.join(vocab.schemas_dir(), "elements")


def _label(record: dict[str, Any], position: int) -> str:
    return str(record.get("id") or record.get("name") or f"#{position}")


def import_records(records: list[dict[str, Any]], actor: str | None) -> ImportResult:
    """Create the records without an id or with an id the register does not know, update the
    others (fields a record leaves out keep their values). Commits once; on any refusal rolls
    back and raises ValidationError keyed by each refused element's id or name. Deprecating an
    element data items are bound to is done, with a warning in ``warnings``, as in
    data_element_update."""
    session = core_model.Session
    result = ImportResult()
    errors: dict[str, list[str]] = {}
    changed: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for position, record in enumerate(records, 1):
        fields = {k: v for k, v in record.items() if k in register.FIELDS}
        element_id = str(record.get("id") or "").strip().upper() or None
        try:
            existing = register.get(element_id, include_deleted=True) if element_id else None
            if existing is not None and existing.deleted is not None:
                raise tk.ValidationError(
                    {"id": [tk._("Data element {id} was deleted").format(id=element_id)]}
                )
            if existing is None:
                result.created.append(register.create(fields, actor, element_id=element_id).id)
                continue
            version, before = existing.version, register.state(existing)
            register.update(existing.id, fields, actor)
            (result.updated if existing.version != version else result.unchanged).append(
                existing.id
            )
            if existing.version != version:
                changed[existing.id] = (before, register.state(existing))
                # the warning data_element_update gives: an import deprecates no more quietly
                warning = register.retirement_warning(existing, before["status"])
                if warning:
                    result.warnings.append(warning)
        except tk.ValidationError as error:
            errors[_label(record, position)] = [
                f"{field}: {message}"
                for field, messages in error.error_dict.items()
                for message in (messages if isinstance(messages, list) else [messages])
            ]
    if errors:
        session.rollback()
        raise tk.ValidationError(errors)
    session.commit()
    # the entries bound to an element whose indexed fields changed (the command line: inline)
    for element_id, (before, after) in changed.items():
        refresh.after_change(element_id, before, after, {refresh.INLINE: True})
    return result


# ---- files -----------------------------------------------------------------------------------


def read_file(path: str) -> list[dict[str, Any]]:
    """The records of a .yaml / .yml or .xlsx file."""
    if path.lower().endswith((".yaml", ".yml")):
        with open(path, encoding="utf-8") as f:
            return seedfile.read(f.read(), os.path.basename(path))
    if path.lower().endswith(".xlsx"):
        with open(path, "rb") as f:
            return read_workbook(f.read())
    raise ValueError(f"{path}: expected a .yaml or .xlsx file")


def read_workbook(data: bytes) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    by_header = {**{v: k for k, v in HEADERS.items()}, **{k: k for k in HEADERS}}
    header = [by_header.get(str(cell or "").strip()) for cell in next(rows, ())]
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for field, cell in zip(header, row, strict=False):
            if field is None or cell is None or str(cell).strip() == "":
                continue
            text = str(cell).strip()
            if field == "synonyms":
                record[field] = [
                    s.strip()
                    for s in text.replace("，", _SYNONYM_JOIN).split(_SYNONYM_JOIN)
                    if s.strip()
                ]
            elif field in ("personal_info", "sensitive_personal_info"):
                record[field] = {"是": True, "否": False}.get(text, text)
            else:
                record[field] = text
        if record:
            records.append(record)
    return records


def _export_rows(statuses: list[str] | None) -> list[dict[str, Any]]:
    rows = []
    for element in register.all_live(statuses):
        data = register.dictize(element)
        data["source_org"] = data["source_org_name"]  # portable: a name, not this site's id
        rows.append(data)
    return rows


def export_yaml(statuses: list[str] | None = None) -> str:
    return seedfile.write(_export_rows(statuses), register.FIELDS)


def export_workbook(statuses: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    fields = list(HEADERS)
    sheet.append([HEADERS[f] for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _export_rows(statuses):
        values = []
        for field in fields:
            value = row.get(field)
            if field == "synonyms":
                value = _SYNONYM_JOIN.join(value or [])
            elif isinstance(value, bool):
                value = _FLAG_TEXT[value]
            values.append(value)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
