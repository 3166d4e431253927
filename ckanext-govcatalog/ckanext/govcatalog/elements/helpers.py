"""Template helpers of the data-element register."""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import auth, binding, grading, register, terms


def govcatalog_element_status_label(status: str) -> str:
    return terms.label(terms.STATUS, status)


def govcatalog_element_change_label(change: str) -> str:
    labels = {"create": tk._("Created"), "update": tk._("Changed"), "delete": tk._("Deleted")}
    return labels.get(change, change)


def govcatalog_element_editor() -> bool:
    """Whether the current user may edit the register (for links to its forms)."""
    return auth.is_editor(tk.current_user if tk.current_user.is_authenticated else None)


def govcatalog_data_element(element_id: str) -> dict[str, Any] | None:
    """A published element as a dict (for pages that show a bound item's element), or None."""
    element = register.get(element_id or "")
    if element is None or element.status not in terms.public_statuses():
        return None
    return register.dictize(element)


def govcatalog_entry_elements(pkg: dict[str, Any]) -> dict[str, Any]:
    """What an entry's bound data items bring, for its page and the request form:
    ``{by_row: {1-based row: element dict}, grade: the grade they set (就高从严) or None,
    grade_item: the item that sets it, sensitive: [{row, item, element_id, element_name}]}``.
    Elements are public register data; the items are the entry's own, shown to whoever may
    see the entry."""
    items = as_list(pkg.get("data_items"))
    held = binding.held_elements(items)
    by_row: dict[int, dict[str, Any]] = {}
    retired = terms.retired_statuses()
    for h in held:
        element = register.get(h.element_id)
        if element is None:
            continue
        # a deprecated element stays bound to the items that held it: shown as 已废止, with the
        # element the register names instead when that one is published
        if element.status in terms.public_statuses() or element.status in retired:
            successor = register.get(element.replaced_by or "")
            by_row[h.row] = {
                "id": element.id,
                "name": element.name,
                "identifier": element.identifier,
                "sensitive": bool(element.sensitive_personal_info),
                "data_grade": element.data_grade,
                "retired": element.status in retired,
                "status_label": terms.label(terms.STATUS, element.status),
                "replaced_by": {"id": successor.id, "name": successor.name}
                if successor is not None and successor.status in terms.public_statuses()
                else None,
            }
    grade = grading.entry_grade(held)
    setter = next((h for h in held if h.data_grade == grade), None)
    return {
        "by_row": by_row,
        "grade": grade,
        "grade_item": dataclasses.asdict(setter) if setter else None,
        "sensitive": [dataclasses.asdict(h) for h in grading.sensitive_items(held)],
    }


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_entry_elements": govcatalog_entry_elements,
        "govcatalog_element_status_label": govcatalog_element_status_label,
        "govcatalog_element_change_label": govcatalog_element_change_label,
        "govcatalog_element_editor": govcatalog_element_editor,
        "govcatalog_data_element": govcatalog_data_element,
    }
