"""Catalog entries for the audit chain tests, made through package_create (catalog_data)."""

from __future__ import annotations

from typing import Any

from ckan.tests.helpers import call_action

from tests.catalog_data import schema_entry

DATA_ITEMS = ["姓名", "公民身份号码"]


def entry_data(org: dict[str, Any], share_type: str, open_type: str, **fields: Any) -> dict:
    defaults = {"title": "目录链测试信息资源", "notes": "目录链测试用的信息资源"}
    return schema_entry(
        org["id"], share_type, open_type, items=DATA_ITEMS, **{**defaults, **fields}
    )


def make_entry(
    org: dict[str, Any],
    user: dict[str, Any],
    share_type: str = "conditional",
    open_type: str = "closed",
    **fields: Any,
) -> dict[str, Any]:
    return call_action(
        "package_create",
        context={"user": user["name"]},
        **entry_data(org, share_type, open_type, **fields),
    )
