"""Template helpers of the catalog schema: choices for scheming fields, labels, the catalog card
of an entry, the entries of an information system and an organization's place in the tree."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog import fields, orgs


def govcatalog_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """scheming choices_helper: the values of the field's vocabulary (schemas/vocab/)."""
    return vocab.scheming_choices(vocab.field_vocabulary(field))


def govcatalog_org_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """scheming choices_helper: every active organization, by name, in tree order."""
    return [{"value": o["name"], "label": o["label"]} for o in orgs.tree_options()]


def govcatalog_info_system_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """scheming choices_helper: the information systems (only offered on edit forms, which
    only government users reach)."""
    rows = (
        model.Session.query(model.Package.name, model.Package.title)
        .filter(model.Package.type == "info_system", model.Package.state == "active")
        .order_by(model.Package.title)
    )
    return [{"value": name, "label": title or name} for name, title in rows]


def govcatalog_vocab_label(vocabulary: str, value: Any) -> str:
    """The label of ``value`` in a vocabulary, in the current language."""
    return vocab.label(vocabulary, value)


def govcatalog_as_list(value: Any) -> list[Any]:
    """A list field that may still be a JSON string (e.g. from an unvalidated dict)."""
    return fields.as_list(value)


def govcatalog_org_title(name_or_id: str | None) -> str:
    if not name_or_id:
        return ""
    group = model.Group.get(name_or_id)
    return (group.title or group.name) if group is not None else str(name_or_id)


def govcatalog_org_extra(name_or_id: str | None, key: str) -> str:
    """One catalog field of an organization (e.g. its org_code, the provider code)."""
    group = model.Group.get(name_or_id) if name_or_id else None
    return str((group.extras or {}).get(key) or "") if group is not None else ""


def govcatalog_visible_package(name: str | None) -> dict[str, Any] | None:
    """``package_show`` of ``name`` as the current user, or None if it is unknown or hidden
    (information systems are never shown to the public)."""
    if not name:
        return None
    try:
        return tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def govcatalog_system_entries(system_name: str, rows: int = 100) -> dict[str, Any]:
    """The catalog entries an information system produces, as the current user may see them."""
    try:
        result = tk.get_action("package_search")(
            {},
            {
                "fq": '+dataset_type:dataset +source_system:"{}"'.format(
                    system_name.replace('"', '\\"')
                ),
                "rows": rows,
                "sort": "title_string asc",
                "include_private": True,
            },
        )
    except tk.NotAuthorized:
        return {"count": 0, "results": []}
    return {"count": result["count"], "results": result["results"]}


def govcatalog_org_tree(name_or_id: str) -> dict[str, Any]:
    """The organization's ancestors (root first) and its direct children."""
    return orgs.place_in_tree(name_or_id)


def get_helpers() -> dict[str, Any]:
    return {
        f.__name__: f
        for f in (
            govcatalog_choices,
            govcatalog_org_choices,
            govcatalog_info_system_choices,
            govcatalog_vocab_label,
            govcatalog_as_list,
            govcatalog_org_title,
            govcatalog_org_extra,
            govcatalog_visible_package,
            govcatalog_system_entries,
            govcatalog_org_tree,
        )
    }
