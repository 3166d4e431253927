"""The spreadsheet layout of the catalog, derived from the scheming schema at run time.

Headers, their order, which columns are choices (and their values and labels), dates, lists and the
separate sheets for repeating subfields (data items) all come from the dataset schema, so the
template, the importer and the exporter follow the schema as it changes. This module also holds the
cell codecs: how one schema value is written into a cell and read back from what people type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab
from ckanext.govcatalog.access import policy
from ckanext.govcatalog.catalog.fields import as_list, split_text

# The template is a Chinese document; these names are also accepted in English when reading.
ENTRY_SHEET = "信息资源"
ENTRY_SHEET_ALIASES = ("信息资源", "目录", "entries", "datasets", "catalog")
INSTRUCTIONS_SHEET = "填写说明"
LISTS_SHEET = "选项"
KEY_HEADER = "序号"
KEY_ALIASES = ("序号", "编号", "no", "no.", "#", "key", "row")
ERROR_HEADER = "错误信息"
# What the key field of an entry is: the catalog's unique 信息资源代码.
KEY_FIELD = "resource_code"
# The language of the template's headers, help and choice labels, whoever downloads it.
LANG = vocab.DEFAULT_LANG

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?)?$"
)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
SUGGEST_SNIPPET = "govcatalog_datalist.html"


@dataclasses.dataclass(frozen=True)
class Choice:
    value: str
    label: str  # Chinese label, written into cells and drop-downs
    aliases: frozenset[str]  # normalised spellings that mean this value


@dataclasses.dataclass(frozen=True)
class Column:
    field: str
    header: str
    # text | choice | suggest (choices offered, other text accepted) | multi | date | datetime |
    # org | tags | list | int
    kind: str
    required: bool
    choices: tuple[Choice, ...] = ()
    help: str = ""
    aliases: frozenset[str] = frozenset()

    def choice_for(self, raw: str) -> Choice | None:
        key = norm_key(raw)
        for c in self.choices:
            if key in c.aliases:
                return c
        return None

    def label_of(self, value: Any) -> str:
        for c in self.choices:
            if c.value == value:
                return c.label
        return "" if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class ItemSheet:
    """One repeating-subfields field (e.g. data_items), laid out as its own sheet."""

    field: str
    title: str
    columns: tuple[Column, ...]
    required: bool
    aliases: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Layout:
    dataset_type: str
    columns: tuple[Column, ...]
    item_sheets: tuple[ItemSheet, ...]

    def column(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)


def norm_key(text: Any) -> str:
    """A header or choice spelling reduced to what matters: full-width folded, no spaces or '*'."""
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s*]+", "", s)


def norm_structured(text: str) -> str:
    """Codes, numbers and dates: full-width folded to half-width, stray spaces removed."""
    s = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", s).strip()


def clean_text(value: Any) -> str:
    """Free text as typed: ideographic and no-break spaces trimmed at both ends, nothing else."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    s = str(value).replace("\r\n", "\n").replace("\u00a0", " ")
    return s.strip(" \t\n\u3000")


def _aliases(*spellings: Any) -> frozenset[str]:
    out = set()
    for s in spellings:
        if isinstance(s, dict):
            out.update(norm_key(v) for v in s.values() if v)
        elif s:
            out.add(norm_key(s))
    return frozenset(out)


def _choices(field: dict[str, Any]) -> tuple[Choice, ...]:
    from ckanext.scheming.helpers import scheming_field_choices

    if field.get("field_name") == "license_id":
        licenses = tk.get_action("license_list")({"ignore_auth": True}, {})
        return tuple(
            Choice(lic["id"], lic["title"], _aliases(lic["id"], lic["title"])) for lic in licenses
        )
    raw = scheming_field_choices(field) or []
    return tuple(
        Choice(
            str(c["value"]),
            vocab.label_text(c.get("label", c["value"]), LANG),
            _aliases(c["value"], c.get("label")),
        )
        for c in raw
    )


def _kind(field: dict[str, Any], choices: tuple[Choice, ...]) -> str:
    name = field.get("field_name")
    preset = field.get("preset") or ""
    validators = str(field.get("validators") or "")
    if name == "owner_org" or preset == "dataset_organization":
        return "org"
    if name == "tag_string":
        return "tags"
    if choices:
        if preset.startswith("multiple_") or "multiple_choice" in validators:
            return "multi"
        # a datalist form field offers its choices but takes any text (the departmental 项 is
        # the department's name); the schema's validators decide what is allowed
        if field.get("form_snippet") == SUGGEST_SNIPPET:
            return "suggest"
        return "choice"
    if preset.startswith("datetime") or "isodatetime" in validators:
        return "datetime"
    if preset == "date" or "isodate" in validators:
        return "date"
    if preset == "multiple_text" or "multiple_text" in validators:
        return "list"
    if "int_validator" in validators or "natural_number" in validators:
        return "int"
    return "text"


def _required(field: dict[str, Any]) -> bool:
    validators = str(field.get("validators") or "")
    return bool(field.get("required")) or validators.startswith("not_empty")


def _column(field: dict[str, Any]) -> Column:
    choices = _choices(field)
    label = field.get("label") or field["field_name"]
    return Column(
        field=field["field_name"],
        header=vocab.label_text(label, LANG),
        kind=_kind(field, choices),
        required=_required(field),
        choices=choices,
        help=vocab.label_text(field.get("help_text") or "", LANG),
        aliases=_aliases(label, field["field_name"]),
    )


def _in_sheet(field: dict[str, Any]) -> bool:
    """The URL slug is made by the importer; fields kept out of the web form stay out of the sheet,
    except the key that upserts match on."""
    name = field["field_name"]
    if name == "name":
        return False
    if name == KEY_FIELD:
        return True
    return not ("form_snippet" in field and field["form_snippet"] is None)


def layout(dataset_type: str = "dataset") -> Layout:
    """The spreadsheet layout of ``dataset_type`` as its scheming schema defines it now."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type)
    if not schema:
        raise tk.ObjectNotFound(f"no scheming schema for dataset type {dataset_type}")
    columns: list[Column] = []
    sheets: list[ItemSheet] = []
    for field in schema["dataset_fields"]:
        if not _in_sheet(field):
            continue
        if "repeating_subfields" in field:
            label = field.get("repeating_label") or field.get("label") or field["field_name"]
            sub = tuple(_column(f) for f in field["repeating_subfields"])
            sheets.append(
                ItemSheet(
                    field=field["field_name"],
                    title=vocab.label_text(label, LANG)[:31],
                    columns=sub,
                    required=_required(field),
                    aliases=_aliases(label, field.get("label"), field["field_name"]),
                )
            )
            continue
        columns.append(_column(field))
    # The key first: it is what an update is matched on.
    columns.sort(key=lambda c: c.field != KEY_FIELD)
    return Layout(dataset_type, tuple(columns), tuple(sheets))


def visible_links(lay: Layout, user: str | None) -> Layout:
    """``lay`` with the choices of each field naming another entry (policy.LINK_FIELDS: the
    information systems) cut to the entries ``user`` (None: anonymous) may see: the import
    template and the export workbook list a column's choices, anyone may download the template,
    and information systems are never shown to the public."""
    viewer = policy.viewer_for(user)
    if viewer.sysadmin:
        return lay
    columns = []
    for column in lay.columns:
        if column.field in policy.LINK_FIELDS:
            seen = set(policy.visible_links(viewer, [c.value for c in column.choices]))
            kept = tuple(c for c in column.choices if c.value in seen)
            column = dataclasses.replace(column, choices=kept)
        columns.append(column)
    return dataclasses.replace(lay, columns=tuple(columns))


# ---- cell codecs -----------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is shown to the user."""


def parse_date(raw: Any, with_time: bool = False) -> str:
    """2023-02-16, 2023/2/16, 2023年2月16日, 2023.2.16, an Excel date or serial number -> ISO."""
    if isinstance(raw, dt.datetime):
        return raw.isoformat(timespec="seconds") if with_time else raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        value = _EXCEL_EPOCH + dt.timedelta(days=float(raw))
        return value.isoformat(timespec="seconds") if with_time else value.date().isoformat()
    s = norm_structured(clean_text(raw))
    m = (_DATETIME if with_time else _DATE).match(s)
    if not m:
        raise CellError(tk._("not a date; write it as 2023-02-16, 2023/2/16 or 2023年2月16日"))
    parts = [int(p) if p else 0 for p in m.groups()]
    try:
        value = dt.datetime(*parts)
    except ValueError as e:
        raise CellError(tk._("not a valid calendar date")) from e
    return value.isoformat(timespec="seconds") if with_time else value.date().isoformat()


def read_cell(column: Column, raw: Any, orgs: OrgIndex | None = None) -> Any:
    """The schema value of a cell, or None when empty. Raises CellError with the reason."""
    if isinstance(raw, str | type(None)) and not clean_text(raw):
        return None
    kind = column.kind
    if kind in ("date", "datetime"):
        return parse_date(raw, with_time=kind == "datetime")
    text = clean_text(raw)
    if kind in ("choice", "suggest"):
        choice = column.choice_for(text)
        if choice:
            return choice.value
        if kind == "suggest":
            return text
        raise CellError(_not_a_choice(column))
    if kind == "multi":
        values = []
        for part in split_text(text):
            choice = column.choice_for(part)
            if not choice:
                raise CellError(_not_a_choice(column))
            values.append(choice.value)
        return values
    if kind == "tags":
        return ",".join(split_text(text))
    if kind == "list":
        return [norm_structured(p) for p in split_text(text)]
    if kind == "int":
        s = norm_structured(text)
        if not re.fullmatch(r"-?\d+(\.0+)?", s):
            raise CellError(tk._("not a whole number"))
        return str(int(float(s)))
    if kind == "org":
        assert orgs is not None
        org = orgs.find(text)
        if not org:
            raise CellError(tk._("no such organization"))
        return org["id"]
    if column.field == KEY_FIELD:
        return norm_structured(text).replace(" ", "")
    return text


def _not_a_choice(column: Column) -> str:
    labels = "、".join(c.label for c in column.choices[:30])
    return tk._("not one of the allowed values: {values}").format(values=labels)


def write_cell(column: Column, value: Any, orgs: OrgIndex | None = None) -> str:
    """The cell text of a schema value: Chinese labels for choices, ISO dates, '、'-joined lists."""
    if value is None or value == "" or value == []:
        return ""
    kind = column.kind
    if kind in ("choice", "suggest"):
        return column.label_of(value)
    if kind == "multi":
        return "、".join(column.label_of(v) for v in text_values(value))
    if kind in ("list",):
        return "、".join(str(v) for v in text_values(value))
    if kind == "tags":
        return "、".join(text_values(value))
    if kind == "org":
        org = orgs.find(value) if orgs else None
        return org["title"] or org["name"] if org else str(value)
    if kind == "date":
        return str(value)[:10]
    return str(value)


def text_values(value: Any) -> list[str]:
    """The values of a list field as text: a list, its JSON text or what people type between
    separators."""
    return [str(v) for v in as_list(value, split=True)]


def dataset_value(column: Column, pkg: dict[str, Any]) -> Any:
    """The value of ``column`` in a package_show dict (tags are a list there, not tag_string)."""
    if column.kind == "tags":
        return [t["name"] for t in pkg.get("tags") or []]
    return pkg.get(column.field)


class OrgIndex:
    """Organizations by id, name, title and org_code, read once per import or export."""

    def __init__(self) -> None:
        from ckan import model

        self._by: dict[str, dict[str, str]] = {}
        rows = (
            model.Session.query(model.Group)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .all()
        )
        # Titles last, so an id, name or code always wins over a title another org shares.
        for key in ("title", "org_code", "name", "id"):
            for g in rows:
                org = {"id": g.id, "name": g.name, "title": g.title or g.name}
                spelling = getattr(g, key, None) if key != "org_code" else g.extras.get("org_code")
                if spelling:
                    self._by[norm_key(spelling)] = org

    def find(self, spelling: Any) -> dict[str, str] | None:
        return self._by.get(norm_key(spelling))
