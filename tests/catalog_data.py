"""Valid catalog data for the tests: organizations of a small tree, a catalog entry that passes
every rule (to be varied one field at a time) and entries filled from the schema itself."""

from __future__ import annotations

import uuid
from typing import Any

from ckan.tests import factories
from ckan.tests.helpers import call_action

# 统一社会信用代码 with valid GB 32100 check characters (from the demo county's organizations).
COUNTY_CODE = "11610922054185442B"
DEPT_CODE = "11610922064806038K"


def make_org(user: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    return call_action(
        "organization_create",
        context={"user": user["name"]},
        name=name,
        title=fields.pop("title", name),
        **fields,
    )


def county_and_department(user: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    county = make_org(
        user,
        "county",
        title="石泉县人民政府",
        org_code=COUNTY_CODE,
        division_code="610922",
        org_level="county",
    )
    dept = make_org(
        user,
        "dept-police",
        title="石泉县公安局",
        org_code=DEPT_CODE,
        division_code="610922",
        org_level="county",
        parent_org="county",
    )
    return county, dept


def entry(owner_org: str, **overrides: Any) -> dict[str, Any]:
    """A catalog entry that satisfies every rule of catalog-spec §3."""
    data: dict[str, Any] = {
        "name": "entry-" + uuid.uuid4().hex[:10],
        "title": "户籍人口基本信息",
        "notes": "全县户籍人口的基本信息。",
        "catalog_class": "basic",
        "catalog_item": "人口",
        "owner_org": owner_org,
        "format_category": "数据库",
        "format_type": "达梦 DM8 数据表",
        "data_items": [
            {
                "name": "姓名",
                "data_type": "C",
                "length": 50,
                "description": "",
                "personal_info": "yes",
            },
            {"name": "公民身份号码", "data_type": "C", "length": 18, "personal_info": "yes"},
        ],
        "share_type": "conditional",
        "share_condition": "仅限县内政务部门依法履职使用，须经共享平台申请。",
        "share_mode": "库表",
        "open_type": "closed",
        "update_cycle": "每月",
        "publish_date": "2024-03-01",
        "data_grade": "重要数据",
        "source_org": owner_org,
        "steward": "李娜 0915-6312345 li.na@example.invalid",
        "theme": ["公共服务"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def sysadmin() -> dict[str, Any]:
    """A sysadmin with an API token (``token``), which also signs in web page requests."""
    return factories.SysadminWithToken()


# ---- entries filled from the configured schema ------------------------------------------------
# Each required field gets one of the schema's own choices or a plausible text, so the tests of
# other concerns (sharing requests, search, audit) follow the schema as it changes.

CONDITION = "仅限政务服务使用"


def _schema_fields() -> list[dict[str, Any]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return (scheming_get_dataset_schema("dataset") or {}).get("dataset_fields", [])


def _first_choice(field: dict[str, Any]) -> Any:
    from ckanext.scheming.helpers import scheming_field_choices

    choices = scheming_field_choices(field) or []
    return choices[0]["value"] if choices else None


def _has_choices(field: dict[str, Any]) -> bool:
    return bool(field.get("choices") or field.get("choices_helper"))


def _subfield_value(field: dict[str, Any]) -> Any:
    name = field["field_name"]
    if _has_choices(field):
        return _first_choice(field)
    if "date" in (field.get("preset") or ""):
        return "2025-01-02"
    return "20" if "length" in name else "测试"


def _schema_value(field: dict[str, Any], org_id: str, items: list[str]) -> Any:
    name = field["field_name"]
    if field.get("repeating_subfields"):
        return [
            {
                sub["field_name"]: item if sub["field_name"] == "name" else _subfield_value(sub)
                for sub in field["repeating_subfields"]
            }
            for item in items or ["姓名"]
        ]
    if _has_choices(field):
        value = _first_choice(field)
        return [value] if "multiple" in (field.get("preset") or "") else value
    if name == "source_org":
        return org_id
    if "date" in name or "date" in (field.get("preset") or ""):
        return "2025-01-02"
    if "condition" in name:
        return CONDITION
    return "测试内容 张三 0915-1234567 test@example.gov.cn"


def schema_entry(
    owner_org: str,
    share_type: str,
    open_type: str,
    items: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """package_create data for an entry of ``owner_org`` with these sharing levels: the given
    fields, the conditions its levels need, ``items`` as data items, and every other required
    field filled from the schema."""
    data: dict[str, Any] = {
        "name": "entry-" + uuid.uuid4().hex[:16],
        "title": "测试信息资源",
        "notes": "测试用的信息资源",
        "owner_org": owner_org,
        "share_type": share_type,
        "open_type": open_type,
        **fields,
    }
    if share_type != "unconditional":
        data.setdefault("share_condition", CONDITION)
    if open_type == "conditional":
        data.setdefault("open_condition", "实名申请后使用")
    schema_fields = {f["field_name"]: f for f in _schema_fields()}
    if items and "data_items" not in data:
        # the data items completed the way the form asks for them
        data["data_items"] = _schema_value(schema_fields["data_items"], owner_org, items)
    generated = {"name", "owner_org", "resource_code", "related_resource_codes", "id", "url"}
    for name, field in schema_fields.items():
        if name in data or name in generated or not field.get("required"):
            continue
        data[name] = _schema_value(field, owner_org, items or [])
    return {k: v for k, v in data.items() if v is not None}
