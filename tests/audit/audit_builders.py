"""Catalog entries for the audit chain tests, made through package_create.

Values come from the configured catalog schema (schemas/catalog_entry.yaml): each required choice
field gets one of the schema's own values, required text a plausible value, so the tests follow
the schema as it evolves. share_type / open_type are the spec's fixed names.
"""

from __future__ import annotations

import uuid
from typing import Any

from ckan.tests.helpers import call_action

DATA_ITEMS = ["姓名", "公民身份号码"]
CONDITION = "仅限政务服务使用"


def _schema_fields() -> list[dict[str, Any]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", [])


def _choice(field: dict[str, Any]) -> Any:
    from ckanext.scheming.helpers import scheming_field_choices

    choices = scheming_field_choices(field) or []
    return choices[0]["value"] if choices else None


def _value(field: dict[str, Any], org_id: str) -> Any:
    name = field["field_name"]
    if field.get("repeating_subfields"):
        rows = []
        for item in DATA_ITEMS:
            row: dict[str, Any] = {}
            for sub in field["repeating_subfields"]:
                if sub["field_name"] == "name":
                    row["name"] = item
                elif sub.get("choices") or sub.get("choices_helper"):
                    row[sub["field_name"]] = _choice(sub)
                elif "date" in (sub.get("preset") or ""):
                    row[sub["field_name"]] = "2025-01-02"
                elif "length" in sub["field_name"]:
                    row[sub["field_name"]] = "20"
                else:
                    row[sub["field_name"]] = "测试"
            rows.append(row)
        return rows
    if field.get("choices") or field.get("choices_helper"):
        value = _choice(field)
        return [value] if "multiple" in (field.get("preset") or "") else value
    if name == "source_org":
        return org_id
    if "date" in name or "date" in (field.get("preset") or ""):
        return "2025-01-02"
    return "测试内容 张三 0915-1234567 test@example.gov.cn"


def entry_data(org: dict[str, Any], share_type: str, open_type: str, **fields: Any) -> dict:
    data: dict[str, Any] = {
        "name": "audit-" + uuid.uuid4().hex[:16],
        "title": "目录链测试信息资源",
        "notes": "目录链测试用的信息资源",
        "owner_org": org["id"],
        "share_type": share_type,
        "open_type": open_type,
    }
    if share_type != "unconditional":
        data["share_condition"] = CONDITION
    if open_type == "conditional":
        data["open_condition"] = CONDITION
    skip = {"name", "owner_org", "resource_code", "related_resource_codes", "id"}
    for field in _schema_fields():
        name = field["field_name"]
        if name in data or name in skip:
            continue
        if field.get("required") or name == "data_items":
            data[name] = _value(field, org["id"])
    data.update(fields)
    return data


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
