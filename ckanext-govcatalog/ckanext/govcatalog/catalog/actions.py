"""Actions about the catalog itself (the department tree's chained actions live in orgs.py)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.side_effect_free
def govcatalog_info(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Version and vocabulary summary of this catalog (public)."""
    tk.check_access("govcatalog_info", context, data_dict)
    from ckanext.govcatalog import vocab

    return {"version": "0.1.0", "vocabularies": sorted(vocab.vocabulary_names())}


def get_actions() -> dict[str, Any]:
    from ckanext.govcatalog.catalog import orgs

    return {"govcatalog_info": govcatalog_info, **orgs.get_actions()}
