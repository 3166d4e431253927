"""Template helpers of the data-element register."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.elements import auth, register, terms


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


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_element_status_label": govcatalog_element_status_label,
        "govcatalog_element_change_label": govcatalog_element_change_label,
        "govcatalog_element_editor": govcatalog_element_editor,
        "govcatalog_data_element": govcatalog_data_element,
    }
