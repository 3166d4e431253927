"""Home page statistics: catalog counts by class, share and open level, department and town.

Every number comes from one ``package_search`` run AS THE CURRENT USER with ``include_private``,
so the permission labels of the access rules (spec §4) decide what is counted: a visitor never
sees a count that includes an entry they could not open. Which fields are counted and their
vocabularies come from the scheming schema, choice labels from the vocabularies (vocab.py) in the
user's language, and organization names from the organizations themselves, so no vocabulary is
repeated here.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab

# Catalog entry fields (machine names of catalog-spec §3) that the home page counts.
CLASS_FIELD = "catalog_class"
ITEM_FIELD = "catalog_item"
SHARE_FIELD = "share_type"
OPEN_FIELD = "open_type"
REGION_FIELD = "region_code"
THEME_FIELD = "theme"
ORG_FACET = "organization"

# Organization levels (spec §2) that are places rather than departments.
TOWN_LEVEL = "town"
PLACE_LEVELS = ("town", "village")
# A 12-digit statistical code: 6 digits county + 3 digits town + 3 digits village.
TOWN_PREFIX = 9

TOP_DEPARTMENTS = 12
LATEST_ROWS = 6


def _schema_field(field_name: str) -> dict[str, Any] | None:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema("dataset") or {}
    for field in schema.get("dataset_fields", []):
        if field.get("field_name") == field_name:
            return field
    return None


def _choices(field_name: str) -> list[tuple[str, str]]:
    """(value, label in the user's language) of a vocabulary field, in vocabulary order; none
    when the schema has no such field or it draws on no vocabulary."""
    field = _schema_field(field_name)
    if not field:
        return []
    name = vocab.field_vocabulary(field)
    if name not in vocab.vocabulary_names():
        return []
    labels = vocab.labels(name)
    return [(value, labels.get(value, value)) for value in vocab.values(name)]


def _facet_counts(facets: dict[str, Any], field: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in (facets.get(field) or {}).items()}


def _choice_series(facets: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """Every choice of the field, zero counts included (so the chart always shows all levels),
    then any indexed value the schema does not list."""
    counts = _facet_counts(facets, field)
    items = [
        {"value": value, "label": label, "count": counts.pop(value, 0)}
        for value, label in _choices(field)
    ]
    items += [{"value": v, "label": v, "count": n} for v, n in sorted(counts.items())]
    # a level's chart colour is its badge's (schemas/vocab), so 不予共享 is not green on the chart
    # and grey on the entry page
    colours = _colours(field)
    for item in items:
        item["url"] = tk.h.url_for("dataset.search", **{field: item["value"]})
        item["colour"] = colours.get(str(item["value"]))
    return items


def _colours(field_name: str) -> dict[str, str]:
    """value -> colour of a vocabulary field's values that have one (the level badges')."""
    field = _schema_field(field_name)
    name = vocab.field_vocabulary(field) if field else None
    if name not in vocab.vocabulary_names():
        return {}
    return {
        str(entry["value"]): str(entry["colour"])
        for entry in vocab.entries(name)
        if entry.get("colour")
    }


def _organizations() -> list[dict[str, Any]]:
    """Active organizations with their level and division code (public metadata in CKAN)."""
    rows = (
        model.Session.query(model.Group.name, model.Group.title, model.Group.extras)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .all()
    )
    return [
        {
            "name": name,
            "title": title or name,
            "org_level": (extras or {}).get("org_level", ""),
            "division_code": (extras or {}).get("division_code", ""),
        }
        for name, title, extras in rows
    ]


def _department_series(facets: dict[str, Any], orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {o["name"]: o for o in orgs}
    counts = _facet_counts(facets, ORG_FACET)
    items = [
        {
            "value": name,
            "label": by_name[name]["title"] if name in by_name else name,
            "count": n,
            "url": tk.h.url_for("organization.read", id=name),
        }
        for name, n in counts.items()
        if by_name.get(name, {}).get("org_level") not in PLACE_LEVELS
    ]
    items.sort(key=lambda i: (-i["count"], i["label"]))
    return items[:TOP_DEPARTMENTS]


def _town_series(facets: dict[str, Any], orgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries per town: region codes are rolled up to their town (villages included) by the
    9-digit prefix of the 12-digit statistical code."""
    towns = sorted(
        (o for o in orgs if o["org_level"] == TOWN_LEVEL and len(o["division_code"]) == 12),
        key=lambda o: o["division_code"],
    )
    counts = _facet_counts(facets, REGION_FIELD)
    items = []
    for town in towns:
        prefix = town["division_code"][:TOWN_PREFIX]
        total = sum(n for code, n in counts.items() if len(code) == 12 and code.startswith(prefix))
        items.append(
            {
                "value": town["division_code"],
                "label": town["title"],
                "count": total,
                "url": tk.h.url_for("organization.read", id=town["name"]),
            }
        )
    return items


def _theme_entries(facets: dict[str, Any]) -> list[dict[str, Any]]:
    """Browse-by-theme links: the `theme` field when the schema has one, else the items of the
    thematic class (主题信息资源 项)."""
    field = THEME_FIELD if _schema_field(THEME_FIELD) else ITEM_FIELD
    counts = _facet_counts(facets, field)
    choices = _choices(field) or [(v, v) for v in sorted(counts)]
    return [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "url": tk.h.url_for("dataset.search", **{field: value}),
        }
        for value, label in choices
        if counts.get(value, 0) > 0
    ]


def home_stats() -> dict[str, Any]:
    """Counts and latest entries for the home page, as the current user may see them."""
    user = tk.current_user
    context = {"user": user.name if user.is_authenticated else "", "auth_user_obj": user}
    fields = [
        CLASS_FIELD,
        ITEM_FIELD,
        SHARE_FIELD,
        OPEN_FIELD,
        REGION_FIELD,
        THEME_FIELD,
        ORG_FACET,
    ]
    try:
        result = tk.get_action("package_search")(
            context,
            {
                "q": "*:*",
                "fq": "+dataset_type:dataset",
                "include_private": True,
                "facet.field": fields,
                "facet.limit": -1,
                "facet.mincount": 1,
                "rows": LATEST_ROWS,
                "sort": "metadata_modified desc",
            },
        )
    except tk.ValidationError:
        result = {"count": 0, "facets": {}, "results": []}
    facets = result.get("facets", {})
    orgs = _organizations()
    charts = [
        ("class", CLASS_FIELD, tk._("Catalog class"), _choice_series(facets, CLASS_FIELD)),
        ("share", SHARE_FIELD, tk._("Share level"), _choice_series(facets, SHARE_FIELD)),
        ("open", OPEN_FIELD, tk._("Open level"), _choice_series(facets, OPEN_FIELD)),
        ("department", ORG_FACET, tk._("Entries by department"), _department_series(facets, orgs)),
        ("town", REGION_FIELD, tk._("Entries by town"), _town_series(facets, orgs)),
    ]
    return {
        "total": result.get("count", 0),
        "charts": [
            {"id": cid, "field": field, "title": title, "items": items}
            for cid, field, title, items in charts
        ],
        "themes": _theme_entries(facets),
        "latest": result.get("results", []),
    }


def get_helpers() -> dict[str, Any]:
    return {"govcatalog_home_stats": home_stats}
