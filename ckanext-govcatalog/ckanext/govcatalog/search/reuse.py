"""The reuse finder: which catalog entries already hold the data items a department needs.

A user lists the items (姓名, 公民身份号码, 联系电话, 户籍地址 ...). Each item is matched by data
element: an entry whose items are bound to an element named so (or having it as a synonym)
provides it; items that are not bound fall back to names, widened to their synonym group
(schemas/data_item_synonyms.yaml) and looked up in the indexed ``data_item_names``.
Entries are ranked by how many of the requested items they provide (Solr constant-score clauses,
one per item, so the score is the count). The search runs as the user through package_search, so
only entries they may see are counted; for each one the access policy says whether they can get
the data now, must request it (conditional sharing) or cannot (not shared).

一数一源: for an item naming a published element with a 数源部门, the source department's entry
the element page offers this reader (elements/provenance.py source_for_viewer: one they may see)
comes first among the entries providing as many items, and is marked ``source_for`` that item,
so a department is pointed to the authoritative copy rather than to another collection.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.govcatalog import vocab
from ckanext.govcatalog.access import policy
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import binding, provenance, register, terms
from ckanext.govcatalog.search import query

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 50
DEFAULT_ROWS = 20
MAX_ROWS = 100

ACCESS_NOW = "available"  # the user can read the data now
ACCESS_REQUEST = "request"  # conditional sharing: a sharing request is needed
ACCESS_NONE = "not_shared"  # not shared (or closed to this user)

_SPLIT = re.compile(r"[,，、;；\n\r\t]+")


def synonyms_path() -> str:
    return os.path.join(vocab.schemas_dir(), "data_item_synonyms.yaml")


@functools.cache
def _groups(path: str) -> dict[str, frozenset[str]]:
    """name -> every name it is equivalent to (itself included; groups sharing a name merge)."""
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    out: dict[str, set[str]] = {}
    for group in data.get("groups") or []:
        names = {str(n).strip() for n in group if str(n).strip()}
        merged = set(names)
        for n in names:
            merged |= out.get(n, set())
        for n in merged:
            out[n] = merged
    return {k: frozenset(v) for k, v in out.items()}


def equivalents(item: str) -> frozenset[str]:
    return _groups(synonyms_path()).get(item, frozenset({item}))


def parse_items(items: Any) -> list[str]:
    """The requested item names, from a list or a comma/newline separated string; deduplicated."""
    if isinstance(items, str):
        raw = _SPLIT.split(items)
    elif isinstance(items, (list, tuple)):
        raw = [p for i in items for p in _SPLIT.split(str(i))]
    else:
        raw = []
    out: list[str] = []
    for name in (r.strip() for r in raw):
        if name and name not in out:
            out.append(name)
    if not out:
        raise tk.ValidationError({"items": [tk._("List at least one data item.")]})
    if len(out) > MAX_ITEMS:
        raise tk.ValidationError(
            {"items": [tk._("List at most {n} data items.").format(n=MAX_ITEMS)]}
        )
    for name in out:
        if len(name) > MAX_ITEM_LENGTH:
            msg = tk._("Data item name too long (at most {n} characters): {name}")
            raise tk.ValidationError({"items": [msg.format(n=MAX_ITEM_LENGTH, name=name[:20])]})
    return out


def _literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# below one item (the score of an entry is the number of items it provides): a tie-break only
SOURCE_BOOST = 0.5


def solr_query(items: list[str], source_ids: Iterable[str] = ()) -> str:
    """One constant-score clause per requested item: the score is the number provided. An item
    matches an entry holding an item of an equivalent name, or an item bound to a data element
    of which the requested name is the name or a synonym (``data_element_names``). Entries of
    ``source_ids`` (authoritative copies) that match score SOURCE_BOOST more, so that the rows
    returned keep them among the entries providing as many items; what matches is unchanged."""
    clauses = []
    for item in items:
        names = " OR ".join(_literal(n) for n in sorted(equivalents(item)))
        clauses.append(f"(data_item_names:({names}) OR data_element_names:{_literal(item)})^=1")
    matching = " OR ".join(clauses)
    ids = sorted(set(source_ids))
    if not ids:
        return matching
    wanted = " OR ".join(_literal(i) for i in ids)
    return f"{matching} OR (id:({wanted}) AND ({matching}))^={SOURCE_BOOST}"


def source_entries(items: list[str], viewer: policy.Viewer) -> dict[str, list[str]]:
    """entry id -> the requested items for which it is the authoritative copy this reader may
    see: the item names a published element with a 数源部门 (by name or synonym), and the entry is
    the one the element page offers them (provenance.source_for_viewer)."""
    found: dict[str, list[str]] = {}
    by_element: dict[str, provenance.SourceForViewer | None] = {}
    public = terms.public_statuses()
    book = provenance.OrgBook()
    for item in items:
        element = register.get(binding.element_ref(item))
        if element is None or not element.source_org or element.status not in public:
            continue
        if element.id not in by_element:
            by_element[element.id] = provenance.source_for_viewer(element, viewer, book=book)
        source = by_element[element.id]
        if source is not None and source.entry is not None:
            found.setdefault(source.entry.id, []).append(item)
    return found


def _element_names(search_context: dict[str, Any], ids: list[str]) -> dict[str, set[str]]:
    """package id -> the names and synonyms of the elements its items are bound to (indexed by
    elements/provenance.py), read as the same user."""
    if not ids:
        return {}
    found = tk.get_action("package_search")(
        dict(search_context),
        {
            "q": "*:*",
            "fq": "id:(" + " OR ".join(_literal(i) for i in ids) + ")",
            "fl": ["id", "data_element_names"],
            "rows": len(ids),
            "include_private": True,
        },
    )
    return {
        r["id"]: set(as_list(r.get("data_element_names"))) for r in found["results"] if "id" in r
    }


def _item_names(pkg: dict[str, Any]) -> set[str]:
    items = as_list(pkg.get("data_items"))
    return {str(i.get("name")).strip() for i in items if isinstance(i, dict) and i.get("name")}


def access_status(viewer: policy.Viewer, pkg: dict[str, Any]) -> str:
    entry = policy.Entry.from_dict(pkg)
    if policy.can_access_data(viewer, entry):
        return ACCESS_NOW
    # the request action's own rule; an anonymous visitor is told a request is possible where
    # they could make one once logged in
    refusal = policy.request_refusal(viewer, entry)
    requestable = refusal is None or refusal is policy.RequestRefusal.LOG_IN
    return ACCESS_REQUEST if requestable else ACCESS_NONE


def reuse_search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    items = parse_items(data_dict.get("items"))
    rows = min(max(tk.asint(data_dict.get("rows") or DEFAULT_ROWS), 1), MAX_ROWS)
    # only who is asking: the search must apply their permission labels
    search_context = {k: context[k] for k in ("user", "auth_user_obj") if k in context}
    viewer = policy.viewer_from_context(context)
    sources = source_entries(items, viewer)
    found = tk.get_action("package_search")(
        search_context,
        {
            "q": solr_query(items, sources),
            "rows": rows,
            "sort": "score desc, metadata_modified desc",
            "include_private": True,
            "extras": query.built_query_extras(),
        },
    )
    bound = _element_names(search_context, [pkg["id"] for pkg in found["results"]])
    results = []
    for pkg in found["results"]:
        names = _item_names(pkg)
        by_element = bound.get(pkg["id"], set())
        provided = [i for i in items if equivalents(i) & names or i in by_element]
        if not provided:
            continue
        results.append(
            {
                "id": pkg["id"],
                "name": pkg.get("name"),
                "title": pkg.get("title"),
                "organization": (pkg.get("organization") or {}).get("title"),
                "resource_code": pkg.get("resource_code"),
                "share_type": pkg.get("share_type"),
                "open_type": pkg.get("open_type"),
                "provided": provided,
                "missing": [i for i in items if i not in provided],
                "provided_count": len(provided),
                "access": access_status(viewer, pkg),
                # the provided items this entry is the authoritative copy of (数源)
                "source_for": [i for i in sources.get(pkg["id"], []) if i in provided],
            }
        )
    # stable: Solr's order within a count, the authoritative copies first
    results.sort(key=lambda r: (-r["provided_count"], not r["source_for"]))
    return {"items": items, "count": found["count"], "results": results}
