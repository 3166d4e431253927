"""Masking (脱敏) of personal information in DataStore answers and previews.

Which columns are personal and how their values are hidden is data (schemas/masking.yaml): a
data item flagged 涉及个人信息, or bound to a data element flagged 个人信息 / 敏感个人信息, is
personal; its method is picked by words in the item's name. Who sees such a column unmasked is
decided in columns.py (owner, sysadmin, holders of a grant naming the item).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import os
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
import yaml
from ckan import model as core_model

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog.fields import as_list


@dataclasses.dataclass(frozen=True)
class Method:
    """Keep ``keep_start`` and ``keep_end`` characters, replace the rest by ``fill``."""

    keep_start: int
    keep_end: int
    fill: str = "*"

    def apply(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        text = str(value)
        hidden = len(text) - self.keep_start - self.keep_end
        if hidden <= 0:
            return self.fill * len(text)
        end = text[len(text) - self.keep_end :] if self.keep_end else ""
        return text[: self.keep_start] + self.fill * hidden + end


@dataclasses.dataclass(frozen=True)
class Rules:
    item_field: str
    item_values: frozenset[str]
    element_flags: tuple[str, ...]
    methods: Mapping[str, Method]
    choices: tuple[tuple[str, tuple[str, ...]], ...]  # (method, words) in order

    def method_for(self, item_name: str) -> Method:
        for method, words in self.choices:
            if any(word in item_name for word in words):
                return self.methods[method]
        return self.methods["default"]


def rules_path() -> str:
    return os.path.join(vocab.schemas_dir(), "masking.yaml")


def rules() -> Rules:
    return _load(rules_path())


@functools.cache
def _load(path: str) -> Rules:
    # read once per path: the file changes with a deploy, not at run time
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f) or {}
    methods = {
        name: Method(int(m.get("keep_start", 0)), int(m.get("keep_end", 0)), m.get("fill", "*"))
        for name, m in (document.get("methods") or {}).items()
    }
    if "default" not in methods:
        raise ValueError(f"{path}: masking needs a 'default' method")
    choices = []
    for rule in document.get("rules") or []:
        if rule["method"] not in methods:
            raise ValueError(f"{path}: unknown masking method {rule['method']!r}")
        choices.append((rule["method"], tuple(str(w) for w in rule.get("words") or [])))
    flag = document.get("item_flag") or {}
    return Rules(
        item_field=flag.get("field", "personal_info"),
        item_values=frozenset(str(v) for v in flag.get("values") or ["yes"]),
        element_flags=tuple(document.get("element_flags") or ()),
        methods=methods,
        choices=tuple(choices),
    )


def data_items(pkg: core_model.Package | None) -> list[dict[str, Any]]:
    """The entry's data items (信息项) as dicts, as stored now."""
    if pkg is None:
        return []
    return [
        item for item in as_list((pkg.extras or {}).get("data_items")) if isinstance(item, dict)
    ]


def _flagged_elements(element_ids: set[str], flags: tuple[str, ...]) -> set[str]:
    if not element_ids or not flags:
        return set()
    from ckanext.govcatalog.elements.model import DataElement

    conditions = [getattr(DataElement, flag).is_(True) for flag in flags]
    rows = core_model.Session.query(DataElement.id).filter(
        DataElement.id.in_(element_ids), sa.or_(*conditions)
    )
    return {row[0] for row in rows}


def personal_items(items: Iterable[Mapping[str, Any]]) -> dict[str, Method]:
    """Name -> masking method of the personal data items among ``items``."""
    found = rules()
    items = list(items)
    bound = {str(i["element_id"]) for i in items if i.get("element_id")}
    flagged_elements = _flagged_elements(bound, found.element_flags)
    personal: dict[str, Method] = {}
    for item in items:
        name = str(item.get("name") or "").strip()
        if not name:
            continue
        flagged = str(item.get(found.item_field) or "") in found.item_values
        if flagged or (item.get("element_id") and str(item["element_id"]) in flagged_elements):
            personal[name] = found.method_for(name)
    return personal


# --- applying the masks to a datastore_search result ----------------------------------------


def mask_records(
    records: Any, field_ids: list[str], masks: Mapping[str, Method], records_format: str
) -> Any:
    """The records with every value of a masked column replaced, in any records_format."""
    if not masks or not records:
        return records
    if records_format in ("csv", "tsv"):
        return _mask_delimited(records, field_ids, masks, "\t" if records_format == "tsv" else ",")
    if records_format == "lists":
        positions = [(i, masks[f]) for i, f in enumerate(field_ids) if f in masks]
        out = []
        for row in records:
            row = list(row)
            for i, method in positions:
                if i < len(row):
                    row[i] = method.apply(row[i])
            out.append(row)
        return out
    return [
        {key: (masks[key].apply(value) if key in masks else value) for key, value in row.items()}
        for row in records
    ]


def _mask_delimited(
    text: str, field_ids: list[str], masks: Mapping[str, Method], delimiter: str
) -> str:
    positions = [(i, masks[f]) for i, f in enumerate(field_ids) if f in masks]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for i, method in positions:
            if i < len(row):
                row[i] = method.apply(row[i])
        writer.writerow(row)
    return out.getvalue()
