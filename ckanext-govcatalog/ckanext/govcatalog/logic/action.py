"""CKAN actions added by govcatalog."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.side_effect_free
def govcatalog_info(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Version and vocabulary summary of this catalog (public)."""
    tk.check_access("govcatalog_info", context, data_dict)
    from ckanext.govcatalog import vocab

    return {"version": "0.1.0", "vocabularies": sorted(vocab.vocabulary_names())}


@tk.side_effect_free
def govcatalog_reuse_search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Entries ranked by how many of the listed data items they provide (the reuse finder).

    :param items: data item names, a list or a comma/newline separated string (at most 30)
    :param rows: how many entries to return (default 20, at most 100)
    :returns: ``items``, ``count`` and ``results``, each with ``provided``, ``missing``,
        ``share_type`` and ``access`` (available / request / not_shared) for the caller
    """
    tk.check_access("govcatalog_reuse_search", context, data_dict)
    from ckanext.govcatalog.search import reuse

    return reuse.reuse_search(context, data_dict)


def get_actions() -> dict[str, Any]:
    from ckanext.govcatalog import dcat_access, orgs
    from ckanext.govcatalog.access import hooks as access_hooks
    from ckanext.govcatalog.audit import hooks as audit_hooks
    from ckanext.govcatalog.logic import request_actions

    return {
        **orgs.get_actions(),
        "govcatalog_info": govcatalog_info,
        "govcatalog_reuse_search": govcatalog_reuse_search,
        **request_actions.get_actions(),
        **access_hooks.get_actions(),
        **audit_hooks.get_actions(),
        **dcat_access.get_actions(),
    }
