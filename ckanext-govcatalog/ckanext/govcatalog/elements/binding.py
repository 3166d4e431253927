"""Binding data items to data elements (a data item's ``element_id``).

Which entries' items are bound to an element (the register asks before an element is deleted;
the pages and reports that show where an element is held read it too); whether an item may be
bound to an element (check_item); the elements an entry holds (held_elements, for grading.py).
"""

from __future__ import annotations

import collections
import dataclasses
import re
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import formats, grading, names
from ckanext.govcatalog.elements.model import DataElement, DataElementName


@dataclasses.dataclass(frozen=True)
class BoundItem:
    package_id: str
    package_name: str
    package_title: str
    owner_org: str | None
    item_name: str


def bound_items(element_id: str) -> list[BoundItem]:
    """The data items of live entries (any owner, private ones too) bound to ``element_id``."""
    package = core_model.package_table
    data_items = package.c.extras["data_items"].astext
    rows = core_model.Session.execute(
        sa.select(package.c.id, package.c.name, package.c.title, package.c.owner_org, data_items)
        .where(package.c.state == "active")
        # a cheap filter first; the JSON is read below, so a mention elsewhere does not count
        .where(data_items.contains(element_id))
        .order_by(package.c.name)
    ).all()
    found = []
    for pkg_id, name, title, owner_org, raw in rows:
        for item in as_list(raw):
            if isinstance(item, dict) and item.get("element_id") == element_id:
                found.append(
                    BoundItem(pkg_id, name, title or name, owner_org, item.get("name", ""))
                )
    return found


# ---- checking a data item's binding -------------------------------------------------------------

_ELEMENT_ID = re.compile(r"DE\d{5,}", re.IGNORECASE)


def element_ref(value: Any) -> str:
    """The element id a cell or box means: ``DE00001``, ``de00001``, ``DE00001 公民身份号码`` or
    ``公民身份号码（DE00001）`` are DE00001; a name or synonym of an element alone is its id;
    other text is kept as typed (and refused by ``check_item`` as an unknown element)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    found = _ELEMENT_ID.search(text)
    if found:
        return found.group(0).upper()
    owner = core_model.Session.execute(
        sa.select(DataElementName.element_id).where(DataElementName.key == names.fold(text))
    ).scalar_one_or_none()
    return owner or text


def stored_bindings(package: Any) -> collections.Counter[str]:
    """How many data items of a stored entry (a model Package, or None for a new entry) are
    bound to each element: the bindings that exist already."""
    if package is None:
        return collections.Counter()
    extras = package.extras or {}
    return collections.Counter(
        str(item["element_id"]).upper()
        for item in as_list(extras.get("data_items"))
        if isinstance(item, dict) and item.get("element_id")
    )


def check_item(
    row: int,
    item: str,
    data_type: str | None,
    length: int | None,
    element_id: str,
    *,
    kept: bool = False,
) -> tuple[DataElement | None, str | None]:
    """The element data item ``item`` (1-based ``row``) may be bound to, or the reason it may
    not: unknown, not published, deprecated (naming its replacement; unless ``kept``, a binding
    the stored entry holds already), or a type or length that cannot hold the element's values
    (an 18-character ID in a d8 date)."""
    from ckanext.govcatalog.elements import register

    where = tk._("Row {row}, data item \u201c{item}\u201d").format(row=row, item=item)
    try:
        element = register.bindable(element_id, kept=kept)
    except tk.ValidationError as refused:
        return None, f"{where}: {'；'.join(refused.error_dict['element_id'])}"
    fmt = formats.parse_format(element.format)
    if not formats.item_fits(data_type, length, element.data_type, fmt):
        shown_type = vocab.label("data_type", data_type) if data_type else "—"
        return None, tk._(
            "{where}: its type {data_type} and length {length} cannot hold the values of data "
            "element {element} (format {format})"
        ).format(
            where=where,
            data_type=shown_type,
            length=length if length is not None else "—",
            element=f"{element.name}（{element.id}）",
            format=element.format,
        )
    return element, None


def held(row: int, item: str, element: DataElement) -> grading.HeldElement:
    return grading.HeldElement(
        row=row,
        item=item,
        element_id=element.id,
        element_name=element.name,
        data_grade=element.data_grade,
        sensitive=bool(element.sensitive_personal_info),
    )


def held_elements(items: list[Any]) -> list[grading.HeldElement]:
    """The live elements a stored entry's data items are bound to (for pages and the rules)."""
    from ckanext.govcatalog.elements import register

    found = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("element_id"):
            continue
        element = register.get(str(item["element_id"]))
        if element is not None:
            found.append(held(n, str(item.get("name") or ""), element))
    return found
