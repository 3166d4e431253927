"""Actions of the search package: the reuse finder."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.side_effect_free
def govcatalog_reuse_search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Entries ranked by how many of the listed data items they provide (the reuse finder).

    :param items: data item names, a list or a comma/newline separated string (at most 30)
    :param rows: how many entries to return (default 20, at most 100)
    :returns: ``items``, ``count`` and ``results``, each with ``provided``, ``missing``,
        ``share_type``, ``access`` (available / request / not_shared) for the caller and
        ``source_for``: the requested items of which the entry is the authoritative copy (its
        department is the 数源部门 of their data element); such entries come first among those
        providing as many items
    """
    tk.check_access("govcatalog_reuse_search", context, data_dict)
    from ckanext.govcatalog.search import reuse

    return reuse.reuse_search(context, data_dict)


@tk.auth_allow_anonymous_access
def govcatalog_reuse_search_auth(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    # like package_search: anyone; the search itself only counts the entries the caller may see
    return {"success": True}


def get_actions() -> dict[str, Any]:
    return {"govcatalog_reuse_search": govcatalog_reuse_search}


def get_auth_functions() -> dict[str, Any]:
    return {"govcatalog_reuse_search": govcatalog_reuse_search_auth}
