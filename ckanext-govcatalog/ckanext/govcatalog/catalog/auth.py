"""Auth functions for the actions of catalog/actions.py."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def govcatalog_info(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {"govcatalog_info": govcatalog_info}
