"""Who may read and edit the register.

Editors are sysadmins and the data bureau (数据局): the admins and editors of the organization
named by ``govcatalog.elements.bureau_org`` (its name or id; empty: sysadmins only). Reading is
public, for published elements; editors read every status.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as core_model
import ckan.plugins.toolkit as tk

BUREAU_OPTION = "govcatalog.elements.bureau_org"
EDITOR_CAPACITIES = ("admin", "editor")


def _user(context: dict[str, Any]) -> core_model.User | None:
    user = context.get("auth_user_obj")
    if user is not None and getattr(user, "is_authenticated", True) and getattr(user, "id", None):
        return user
    return core_model.User.get(context.get("user") or "") if context.get("user") else None


def bureau_org() -> core_model.Group | None:
    """The data bureau's organization, when configured and active."""
    name = (tk.config.get(BUREAU_OPTION) or "").strip()
    org = core_model.Group.get(name) if name else None
    return org if org is not None and org.is_organization and org.state == "active" else None


def is_editor(user: core_model.User | None) -> bool:
    """Whether ``user`` may create, change and delete data elements."""
    if user is None or not getattr(user, "name", None):
        return False
    if user.sysadmin:
        return True
    org = bureau_org()
    return org is not None and authz.users_role_for_group_or_org(org.id, user.name) in (
        EDITOR_CAPACITIES
    )


def editor_in(context: dict[str, Any]) -> bool:
    return is_editor(_user(context))


def _edit(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    if editor_in(context):
        return {"success": True}
    return {
        "success": False,
        "msg": tk._("Only the data bureau and platform administrators may edit data elements"),
    }


@tk.auth_allow_anonymous_access
def _read(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # published elements are public; which statuses a reader sees is decided by the action (the
    # collection map, like its page, counts only what access/policy.py lets the reader see)
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    functions: dict[str, Any] = {}
    for name in ("create", "update", "delete"):
        functions[f"data_element_{name}"] = _edit
    for name in ("show", "list", "search", "suggest", "collection_map"):
        functions[f"data_element_{name}"] = _read
    return functions
