"""Catalog entries for the search tests.

Entries go through package_create with whatever the configured catalog schema requires; the fields
the schema does not declare yet (share_type, open_type, data_items on the placeholder schema) are
then stored in the entry's extras as scheming would, and the entry is reindexed.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
from ckan.lib.search import rebuild
from ckan.tests import factories
from ckan.tests.helpers import call_action


def _schema_fields() -> list[dict[str, Any]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", [])


def _choice(field: dict[str, Any]) -> Any:
    from ckanext.scheming.helpers import scheming_field_choices

    choices = scheming_field_choices(field) or []
    return choices[0]["value"] if choices else None


def _default(field: dict[str, Any], org_id: str, items: list[str]) -> Any:
    name = field["field_name"]
    if field.get("repeating_subfields"):
        rows = []
        for item in items or ["姓名"]:
            row = {}
            for sub in field["repeating_subfields"]:
                if sub["field_name"] == "name":
                    row["name"] = item
                elif sub.get("choices") or sub.get("choices_helper"):
                    row[sub["field_name"]] = _choice(sub)
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
    if "condition" in name:
        return "仅限政务服务使用"
    return "测试内容 0915-1234567 test@example.gov.cn"


def make_entry(
    org: dict[str, Any],
    title: str,
    share_type: str = "unconditional",
    open_type: str = "open",
    items: list[str] | None = None,
    notes: str = "测试用的信息资源",
    **fields: Any,
) -> dict[str, Any]:
    items = items or []
    data: dict[str, Any] = {
        "name": "e-" + uuid.uuid4().hex[:20],
        "title": title,
        "notes": notes,
        "owner_org": org["id"],
        "share_type": share_type,
        "open_type": open_type,
        "share_condition": "仅限政务服务使用",
        "open_condition": "实名申请后使用",
        # a departmental entry: its item is the department, so no topic word leaks into the text
        "catalog_class": "departmental",
        **fields,
    }
    skip = {"name", "owner_org", "resource_code", "related_resource_codes", "id", "url"}
    skip |= {"catalog_item"}
    for field in _schema_fields():
        name = field["field_name"]
        if name in data or name in skip:
            continue
        if field.get("required") or (name == "data_items" and items):
            data[name] = _default(field, org["id"], items)
    if "data_items" not in data and items:
        data["data_items"] = [{"name": i} for i in items]
    sysadmin = factories.Sysadmin()
    entry = call_action("package_create", context={"user": sysadmin["name"]}, **data)
    pkg = core_model.Package.get(entry["id"])
    extras = dict(pkg.extras or {})
    wanted = {"share_type": share_type, "open_type": open_type}
    if items:
        wanted["data_items"] = json.dumps([{"name": i} for i in items], ensure_ascii=False)
    if any(extras.get(k) != v for k, v in wanted.items() if k != "data_items") or (
        "data_items" in wanted and "data_items" not in extras
    ):
        # the schema does not declare these yet: store them as scheming would
        pkg.extras = {**extras, **wanted}
        core_model.repo.commit()
        rebuild(pkg.id)
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
