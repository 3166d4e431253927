"""The test factories: the one way tests make organizations, people and catalog entries.

Built on CKAN's factories (factory_boy): each call goes through the real create action, so the
catalog's validators run on everything a test makes. Usage::

    dept = factories.Department(name="dept-police", parent_org=county["name"])
    officer = factories.Member(organization=dept, capacity="editor")
    entry = factories.Entry(owner_org=dept["id"], share_type="unconditional", open_type="open")
    data = factories.Entry.data(owner_org=dept["id"])  # package_create data, nothing created

``user=`` (a user dict or name) says who creates an organization or entry; without it CKAN's site
user does. Fields given as None are left out of the create call, as if never filled in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import factory
from ckan.tests import factories as ckan_factories
from ckan.tests.factories import APIToken, Group
from ckan.tests.helpers import call_action

__all__ = [
    "COUNTY_CODE",
    "DIVISION_CODE",
    "PASSWORD",
    "PERSON_ITEMS",
    "POLICE_CODE",
    "APIToken",
    "County",
    "Department",
    "Entry",
    "Group",
    "InfoSystem",
    "Member",
    "Organization",
    "Sysadmin",
    "Town",
    "User",
    "Village",
    "access_request_data",
    "data_item",
    "org_code",
    "schema_choice",
]

DIVISION_CODE = "610922"  # 石泉县, the demo county (GB/T 2260)
PASSWORD = "correct123"  # every user's, so that a test can sign in as anyone
# 统一社会信用代码 of the county government and of its police department, with valid GB 32100
# check characters (from the demo data)
COUNTY_CODE = "11610922054185442B"
POLICE_CODE = "11610922064806038K"
# data items of a person's record; an entry has the first two unless told otherwise
PERSON_ITEMS = ["姓名", "公民身份号码", "户籍地址"]
# type, length and personal-information flag of the items the tests name; any other item is a
# 50-character text that is not personal information
_ITEM_SPECS: dict[str, tuple[str, int, str]] = {
    "姓名": ("C", 50, "yes"),
    "公民身份号码": ("C", 18, "yes"),
    "户籍地址": ("C", 200, "yes"),
}
SHARE_CONDITION = "仅限县内政务部门依法履职使用，须经共享平台申请。"
OPEN_CONDITION = "实名申请后使用"


def schema_choice(dataset_type: str, field_name: str) -> str:
    """The first value the configured schema offers for a choice field."""
    from ckanext.scheming.helpers import (
        scheming_field_by_name,
        scheming_field_choices,
        scheming_get_dataset_schema,
    )

    schema = scheming_get_dataset_schema(dataset_type)
    field = scheming_field_by_name(schema["dataset_fields"], field_name)
    return scheming_field_choices(field)[0]["value"]


def org_code(number: int) -> str:
    """A 统一社会信用代码 of an organ of the county (registered by an organ, code 11), distinct
    for each number, with a valid GB 32100 check character."""
    from ckanext.govcatalog.catalog.field_rules import uscc_check_char

    first17 = f"11{DIVISION_CODE}{number:09d}"
    return first17 + uscc_check_char(first17)


def data_item(name: str) -> dict[str, Any]:
    """One data item (信息项) as the entry form takes it."""
    data_type, length, personal = _ITEM_SPECS.get(name, ("C", 50, "no"))
    return {"name": name, "data_type": data_type, "length": length, "personal_info": personal}


class _CreatedBy:
    """Creates through the action as ``user`` (a dict or a name; CKAN's site user if not given),
    and leaves out the fields given as None."""

    @classmethod
    def _api_prepare_args(cls, data_dict: dict[str, Any]) -> dict[str, Any]:
        data = {k: v for k, v in data_dict.items() if v is not None and k != "user"}
        if "context" not in data:
            user = data_dict["user"] if "user" in data_dict else call_action("get_site_user")
            data["context"] = {"user": user["name"] if isinstance(user, dict) else user}
        return data


class User(ckan_factories.User):
    """A user who signs in with PASSWORD."""

    password = PASSWORD


class Sysadmin(ckan_factories.SysadminWithToken):
    """A sysadmin with an API token (``token``), which also signs in web page requests, and
    PASSWORD."""

    password = PASSWORD


class Member(User):
    """A new user who is a member of ``organization`` (a dict, or a name or id) with
    ``capacity``: member, editor or admin."""

    organization = factory.LazyFunction(lambda: Organization())
    capacity = "member"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        organization = kwargs.pop("organization")
        capacity = kwargs.pop("capacity")
        user = super()._create(model_class, *args, **kwargs)
        call_action(
            "organization_member_create",
            {"ignore_auth": True},
            id=organization if isinstance(organization, str) else organization["id"],
            username=user["name"],
            role=capacity,
        )
        return user


class Organization(_CreatedBy, ckan_factories.Organization):
    """A county-level organization of the demo county: entries take their region code from its
    division code."""

    division_code = DIVISION_CODE
    org_level = "county"


class County(Organization):
    """The county government, top of the organization tree."""

    title = "石泉县人民政府"
    org_code = COUNTY_CODE


class Department(Organization):
    """A department of the county government (``parent_org``: the county's name)."""

    title = "石泉县公安局"
    org_code = factory.Sequence(org_code)
    parent_org = factory.LazyFunction(lambda: County()["name"])


class Town(Organization):
    """A town under the county, with a 12-digit statistical division code."""

    org_level = "town"
    division_code = factory.Sequence(lambda n: f"{DIVISION_CODE}{100 + n % 900:03d}000")
    parent_org = factory.LazyFunction(lambda: County()["name"])


class Village(Organization):
    """A village or community committee under a town."""

    org_level = "village"
    division_code = factory.Sequence(lambda n: f"{DIVISION_CODE}100{1 + n % 999:03d}")
    parent_org = factory.LazyFunction(lambda: Town()["name"])


class Entry(_CreatedBy, ckan_factories.Dataset):
    """A catalog entry (信息资源) that passes every rule of the catalog schema, to be varied one
    field at a time. Its share and open conditions follow its levels: a condition is filled in
    when the level asks for one. ``items``: the names of its data items.

    ``open_to_all=True``: shared and opened without conditions (无条件共享, 无条件开放).
    ``title_words_only=True``: the title is the only text of its own (a plain summary, no theme,
    an electronic document with no data items unless ``items`` are given, and a departmental
    classification, whose item is the provider's title), so that a search matches it by its
    title and provider alone."""

    class Params:
        items = PERSON_ITEMS[:2]
        open_to_all = factory.Trait(share_type="unconditional", open_type="open")
        title_words_only = factory.Trait(
            notes="测试用的信息资源",
            catalog_class="departmental",
            catalog_item=None,
            theme=None,
            format_category="电子文件",  # a category that needs no data items
            format_type="PDF",
            items=[],
        )

    name = factory.LazyFunction(lambda: f"entry-{uuid.uuid4().hex[:12]}")
    title = "户籍人口基本信息"
    notes = "全县户籍人口的基本信息。"
    catalog_class = "basic"
    catalog_item = "人口"
    owner_org = factory.LazyFunction(lambda: Organization()["id"])
    format_category = "数据库"
    format_type = "达梦 DM8 数据表"
    data_items = factory.LazyAttribute(lambda e: [data_item(name) for name in e.items] or None)
    share_type = "conditional"
    share_condition = factory.LazyAttribute(
        lambda e: None if e.share_type == "unconditional" else SHARE_CONDITION
    )
    share_mode = "库表"
    open_type = "closed"
    open_condition = factory.LazyAttribute(
        lambda e: OPEN_CONDITION if e.open_type == "conditional" else None
    )
    update_cycle = "每月"
    publish_date = "2024-03-01"
    data_grade = "重要数据"
    source_org = factory.SelfAttribute("owner_org")
    steward = "李娜 0915-6312345 li.na@example.invalid"
    theme = factory.LazyFunction(lambda: ["公共服务"])

    @classmethod
    def data(cls, **fields: Any) -> dict[str, Any]:
        """The package_create data the factory would send, without creating the entry (for the
        tests of the create action itself)."""
        return {k: v for k, v in vars(cls.stub(**fields)).items() if v is not None}


class InfoSystem(_CreatedBy, ckan_factories.Dataset):
    """An information system (政务信息系统): no sharing levels and no resources; its build level
    and status are the first ones the schema offers."""

    type = "info_system"
    name = factory.LazyFunction(lambda: f"system-{uuid.uuid4().hex[:12]}")
    title = "12345 工单系统"
    notes = None  # no description unless given
    owner_org = factory.LazyFunction(lambda: Organization()["id"])
    build_level = factory.LazyFunction(lambda: schema_choice("info_system", "build_level"))
    system_status = factory.LazyFunction(lambda: schema_choice("info_system", "system_status"))


def access_request_data(entry: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """access_request_create data for ``entry`` that passes every rule: the first two of its data
    items, for a year, by the first sharing mode the schema offers."""
    data = {
        "package_id": entry["id"],
        "legal_basis": "《政务数据共享条例》第二十条",
        "usage_scenario": "核验办事群众户籍信息",
        "usage_scope": "本单位政务服务窗口",
        "share_mode": schema_choice("dataset", "share_mode"),
        "period_end": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
        "data_items": [item["name"] for item in entry.get("data_items", [])][:2],
    }
    data.update(fields)
    return data
