"""Valid catalog data for the catalog schema tests: organizations of a small tree and a catalog
entry that passes every rule, to be varied one field at a time."""

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
