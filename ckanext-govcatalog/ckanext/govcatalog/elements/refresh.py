"""Keeping the search index true to the register: an entry's Solr document carries its bound
elements' names and synonyms and its 重复采集 verdict (provenance.index_fields), all read from
the register when the entry was indexed. When an element's 数源部门, status, name or synonyms
change, the entries bound to it are indexed again: in the same request when they are few
(``govcatalog.elements.reindex_inline_max``), else by one CKAN background job (RQ on Redis,
``ckan jobs worker``) so that the data bureau's save does not wait for hundreds of documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import search

from ckanext.govcatalog import jobs
from ckanext.govcatalog.elements import provenance

log = logging.getLogger(__name__)

INLINE_MAX_OPTION = "govcatalog.elements.reindex_inline_max"
# the fields of an element that its entries' search documents hold or are judged by
INDEXED_FIELDS = ("name", "synonyms", "source_org", "status")
# a context key: index in this process whatever the count (the command line has no worker)
INLINE = "govcatalog_reindex_inline"


def inline_max() -> int:
    return tk.asint(tk.config.get(INLINE_MAX_OPTION))


def changed_indexed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The fields of INDEXED_FIELDS whose values differ between two states of an element."""
    return [f for f in INDEXED_FIELDS if before.get(f) != after.get(f)]


def bound_entry_ids(element_id: str) -> list[str]:
    """The entries (active or draft, private too) with an item bound to the element."""
    return [held.id for held in provenance.held_entries([element_id])]


def reindex_entries(package_ids: Iterable[str]) -> int:
    """Index these entries again with CKAN's own indexer, one Solr commit at the end."""
    ids = list(package_ids)
    for package_id in ids:
        search.rebuild(package_id=package_id, defer_commit=True)
    if ids:
        search.commit()
    return len(ids)


def reindex_element_entries(element_id: str) -> int:
    """The background job: the entries bound to the element when the job runs (bindings may
    have changed since it was enqueued)."""
    with jobs.request_context():
        done = reindex_entries(bound_entry_ids(element_id))
    log.info("reindexed %d entries bound to data element %s", done, element_id)
    return done


def after_change(
    element_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Bring the bound entries' search documents up to date after a saved change of an element.
    Returns what was done: ``{"fields": [...], "entries": n, "mode": "none" | "inline" |
    "job"}``."""
    fields = changed_indexed_fields(before, after)
    if not fields:
        return {"fields": [], "entries": 0, "mode": "none"}
    ids = bound_entry_ids(element_id)
    if not ids:
        return {"fields": fields, "entries": 0, "mode": "none"}
    if len(ids) <= inline_max() or (context or {}).get(INLINE):
        reindex_entries(ids)
        return {"fields": fields, "entries": len(ids), "mode": "inline"}
    tk.enqueue_job(
        reindex_element_entries,
        [element_id],
        title=f"govcatalog: reindex the {len(ids)} entries bound to data element {element_id}",
        rq_kwargs={"timeout": 3600},
    )
    return {"fields": fields, "entries": len(ids), "mode": "job"}
