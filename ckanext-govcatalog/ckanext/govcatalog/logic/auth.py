"""Auth functions for the actions of logic/action.py."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def govcatalog_info(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


@tk.auth_allow_anonymous_access
def govcatalog_reuse_search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # like package_search: anyone; the search itself only counts the entries the caller may see
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.govcatalog.access import hooks as access_hooks
    from ckanext.govcatalog.logic import request_auth

    return {
        "govcatalog_info": govcatalog_info,
        "govcatalog_reuse_search": govcatalog_reuse_search,
        **request_auth.get_auth_functions(),
        **access_hooks.get_auth_functions(),
    }
