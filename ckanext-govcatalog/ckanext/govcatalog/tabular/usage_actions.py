"""Actions and auth of the usage records: the owner department reads them per entry or grant.

``govcatalog_usage_list``: ``id`` (an entry) or ``grant_id``; ``limit`` (default 500). Only the
owner department of the entry (and sysadmins) may read them: who read what is itself governed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.model import Grant
from ckanext.govcatalog.tabular import usage

DEFAULT_LIMIT = 500
MAX_LIMIT = 10000


def _target(data_dict: dict[str, Any]) -> tuple[core_model.Package, Grant | None]:
    grant_id = data_dict.get("grant_id")
    if grant_id:
        grant = core_model.Session.get(Grant, str(grant_id))
        if grant is None:
            raise tk.ObjectNotFound(tk._("Grant not found"))
        pkg = core_model.Package.get(grant.package_id)
    else:
        grant = None
        pkg = core_model.Package.get(str(data_dict.get("id") or ""))
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Catalog entry not found"))
    return pkg, grant


@tk.auth_allow_anonymous_access
def govcatalog_usage_list_auth(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return {"success": True}  # the action then answers NotFound for an unknown target
    try:
        pkg, _grant = _target(data_dict)
    except tk.ObjectNotFound:
        # told apart from a refusal only to those who may read the records at all
        return {"success": False, "msg": tk._("Catalog entry not found")}
    if policy.is_owner(viewer, policy.Entry.from_package(pkg)):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only the department that owns the entry may read its usage records"),
    }


@tk.side_effect_free
def govcatalog_usage_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The usage records of one entry (``id``) or one grant (``grant_id``), newest first."""
    tk.check_access("govcatalog_usage_list", context, data_dict)
    pkg, grant = _target(data_dict)
    try:
        limit = int(data_dict.get("limit") or DEFAULT_LIMIT)
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]}) from None
    if not 0 < limit <= MAX_LIMIT:
        raise tk.ValidationError(
            {"limit": [tk._("Must be between 1 and {max}").format(max=MAX_LIMIT)]}
        )
    rows = usage.grant_usage(grant, limit) if grant else usage.entry_usage(pkg.id, limit)
    return {
        "package_id": pkg.id,
        "grant_id": grant.id if grant else None,
        "records": [dict(dataclasses.asdict(row), created=row.created.isoformat()) for row in rows],
    }


def get_actions() -> dict[str, Any]:
    return {"govcatalog_usage_list": govcatalog_usage_list}


def get_auth_functions() -> dict[str, Any]:
    return {"govcatalog_usage_list": govcatalog_usage_list_auth}
