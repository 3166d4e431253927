"""Catalog entries for the search tests (entries from catalog_data)."""

from __future__ import annotations

from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.catalog_data import schema_entry


def make_entry(
    org: dict[str, Any],
    title: str,
    share_type: str = "unconditional",
    open_type: str = "open",
    items: list[str] | None = None,
    notes: str = "测试用的信息资源",
    **fields: Any,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "title": title,
        "notes": notes,
        "share_condition": "仅限政务服务使用",
        "open_condition": "实名申请后使用",
        # a departmental entry: its item is the department, so no topic word leaks into the text
        "catalog_class": "departmental",
        "catalog_item": None,
    }
    data = schema_entry(org["id"], share_type, open_type, items=items, **{**defaults, **fields})
    sysadmin = factories.Sysadmin()
    entry = call_action("package_create", context={"user": sysadmin["name"]}, **data)
    return call_action("package_show", context={"ignore_auth": True}, id=entry["id"])


def organization(**fields: Any) -> dict[str, Any]:
    """An organization of the demo county (entries take their region from its division code)."""
    fields.setdefault("division_code", "610922")
    return factories.Organization(**fields)


def member(org: dict[str, Any], capacity: str = "member") -> dict[str, Any]:
    user = factories.User()
    call_action(
        "organization_member_create",
        context={"ignore_auth": True},
        id=org["id"],
        username=user["name"],
        role=capacity,
    )
    return user


def as_user(user: dict[str, Any] | None) -> dict[str, Any]:
    """An action context for this user (None = anonymous), with auth and labels applied."""
    return {
        "user": user["name"] if user else "",
        "auth_user_obj": core_model.User.get(user["id"]) if user else None,
        "ignore_auth": False,
    }


def search(user: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    return tk.get_action("package_search")(as_user(user), params)


def titles(result: dict[str, Any]) -> list[str]:
    return [r["title"] for r in result["results"]]
