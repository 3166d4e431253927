"""People and catalog entries for the sharing-request tests.

Entries are created through package_create with whatever the configured catalog schema
requires: choice fields get one of the schema's own values, required text fields a plausible
value. Until the schema declares share_type/open_type (the placeholder schema does not), the
two attributes are written to the entry's extras, where scheming keeps them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.model as core_model
from ckan.lib.search import rebuild
from ckan.tests import factories
from ckan.tests.helpers import call_action

DATA_ITEMS = ["姓名", "公民身份号码", "户籍地址"]

_TEXT_HINTS = {
    "date": "2025-01-02",
    "code": "610922",
    "steward": "张三 0915-1234567 zhangsan@example.gov.cn",
    "email": "zhangsan@example.gov.cn",
}


def _schema_fields() -> list[dict[str, Any]]:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return []
    return (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", [])


def _first_choice(field: dict[str, Any]) -> Any:
    from ckanext.scheming.helpers import scheming_field_choices

    choices = scheming_field_choices(field) or []
    return choices[0]["value"] if choices else None


def _value_for(field: dict[str, Any], org_id: str) -> Any:
    name = field["field_name"]
    if field.get("repeating_subfields"):
        rows = []
        for item in DATA_ITEMS:
            row = {}
            for sub in field["repeating_subfields"]:
                sub_name = sub["field_name"]
                if sub_name == "name":
                    row[sub_name] = item
                else:
                    row[sub_name] = _first_choice(sub) or _text(sub_name, sub)
            rows.append(row)
        return rows
    choice = _first_choice(field) if (field.get("choices") or field.get("choices_helper")) else None
    if choice is not None:
        return [choice] if "multiple" in (field.get("preset") or "") else choice
    if name in ("source_org",):
        return org_id
    return _text(name, field)


def _text(name: str, field: dict[str, Any]) -> str:
    for hint, value in _TEXT_HINTS.items():
        if hint in name or hint in (field.get("preset") or ""):
            return value
    if "length" in name:
        return "20"
    return "测试内容"


def make_entry(
    org: dict[str, Any],
    share_type: str,
    open_type: str,
    by: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A catalog entry of org with the given share and open types."""
    by = by or factories.Sysadmin()
    data: dict[str, Any] = {
        "name": f"entry-{share_type}-{open_type}-{uuid.uuid4().hex[:8]}",
        "title": f"测试信息资源 {share_type}/{open_type}",
        "notes": "共享申请测试用的信息资源",
        "owner_org": org["id"],
        "share_type": share_type,
        "open_type": open_type,
        "share_condition": "仅限政务服务使用",
        "open_condition": "实名申请后使用",
    }
    skip = {"name", "owner_org", "resource_code", "related_resource_codes", "id"}
    for field in _schema_fields():
        name = field["field_name"]
        if name in data or name in skip:
            continue
        if field.get("required") or field.get("repeating_subfields"):
            data[name] = _value_for(field, org["id"])
    data.update(extra)
    entry = call_action("package_create", context={"user": by["name"]}, **data)
    pkg = core_model.Package.get(entry["id"])
    if pkg.extras.get("share_type") != share_type or pkg.extras.get("open_type") != open_type:
        # the schema does not declare them yet: store them as scheming would
        pkg.extras = {
            **pkg.extras,
            "share_type": share_type,
            "open_type": open_type,
            "data_items": '[{"name": "姓名"}, {"name": "公民身份号码"}, {"name": "户籍地址"}]',
        }
        core_model.repo.commit()
        rebuild(pkg.id)
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
    from ckanext.govcatalog.access.requests import share_mode_choices

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
