"""People and catalog entries for the sharing-request tests (entries from catalog_data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.catalog_data import schema_entry

DATA_ITEMS = ["姓名", "公民身份号码", "户籍地址"]


def make_entry(
    org: dict[str, Any],
    share_type: str,
    open_type: str,
    by: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A catalog entry of org with the given share and open types."""
    by = by or factories.Sysadmin()
    defaults: dict[str, Any] = {
        "title": f"测试信息资源 {share_type}/{open_type}",
        "notes": "共享申请测试用的信息资源",
        "share_condition": "仅限政务服务使用",
        "open_condition": "实名申请后使用",
    }
    data = schema_entry(org["id"], share_type, open_type, items=DATA_ITEMS, **{**defaults, **extra})
    entry = call_action("package_create", context={"user": by["name"]}, **data)
    return call_action("package_show", context={"ignore_auth": True}, id=entry["id"])


def member(org: dict[str, Any], capacity: str, **user_fields: Any) -> dict[str, Any]:
    user = factories.User(**user_fields)
    call_action(
        "organization_member_create",
        context={"ignore_auth": True},
        id=org["id"],
        username=user["name"],
        role=capacity,
    )
    return user


def _share_mode() -> str:
    from ckanext.govcatalog.sharing.workflow import share_mode_choices

    choices = share_mode_choices()
    return choices[0]["value"] if choices else "接口"


def request_data(entry: dict[str, Any], **over: Any) -> dict[str, Any]:
    data = {
        "package_id": entry["id"],
        "legal_basis": "《政务数据共享条例》第二十条; 本单位职责",
        "usage_scenario": "核验办事群众户籍信息",
        "usage_scope": "本单位政务服务窗口",
        "share_mode": _share_mode(),
        "period_end": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
        "data_items": DATA_ITEMS[:2],
    }
    data.update(over)
    return data
