"""Every catalog rule, each with good and bad input. A rejected create or update
comes back as a ValidationError keyed by the field and writes nothing."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest
from ckan.logic import ValidationError
from ckan.tests.helpers import call_action

from ckanext.govcatalog.catalog.field_rules import uscc_check_char
from tests import factories
from tests.factories import COUNTY_CODE

# plugins and the app once for the module (tests/conftest.py); data per test as before
pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


@pytest.fixture
def app(shared_app):
    return shared_app


def create(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return call_action(
        "package_create",
        context={"user": world["admin"]["name"]},
        **factories.Entry.data(owner_org=world["dept"]["name"], **overrides),
    )


def rejected(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Creates an entry that must be refused; returns the error dict. Checks nothing was
    written."""
    before = model.Session.query(model.Package).count()
    with pytest.raises(ValidationError) as e:
        create(world, **overrides)
    model.Session.remove()
    assert model.Session.query(model.Package).count() == before
    return e.value.error_dict


def test_valid_entry_is_created_with_defaults(world):
    pkg = create(world)
    assert pkg["resource_code"] == "101/000001"
    assert pkg["secret"] == "非涉密"
    assert pkg["region_code"] == "610922"  # from the provider's division code
    assert pkg["theme"] == ["公共服务"]
    assert [i["name"] for i in pkg["data_items"]] == ["姓名", "公民身份号码"]
    assert pkg["data_items"][0]["length"] == 50
    assert pkg["source_org"] == "dept-police"


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"share_type": "conditional", "share_condition": ""}, "share_condition", "conditions"),
        (
            {"share_type": "none", "share_condition": "", "open_type": "closed"},
            "share_condition",
            "law",
        ),
        (
            {"share_type": "none", "share_condition": "依据统计法第二十五条", "open_type": "open"},
            "open_type",
            "cannot be opened",
        ),
        ({"open_type": "conditional", "open_condition": ""}, "open_condition", "conditions"),
        ({"share_type": "partial"}, "share_type", "not an allowed value"),
        ({"open_type": "public"}, "open_type", "not an allowed value"),
        ({"update_cycle": "hourly"}, "update_cycle", "not an allowed value"),
        ({"data_grade": "机密数据"}, "data_grade", "not an allowed value"),
        ({"format_category": "PDF"}, "format_category", "not an allowed value"),
        ({"share_mode": "FTP"}, "share_mode", "not an allowed value"),
        ({"catalog_class": "other"}, "catalog_class", "not an allowed value"),
        ({"theme": ["公共服务", "旅游"]}, "theme", "旅游"),
        ({"catalog_item": "社区治理"}, "catalog_item", "not an item of the class"),
        ({"secret": "涉密"}, "secret", "Classified"),
        ({"secret": "内部"}, "secret", "not an allowed value"),
        ({"region_code": "61092"}, "region_code", "6 digits"),
        ({"catalog_entry": "12"}, "catalog_entry", "3 digits"),
        ({"source_org": "no-such-department"}, "source_org", "no organization"),
        ({"source_system": "no-such-system"}, "source_system", "no information system"),
        ({"related_resource_codes": ["101/999999"]}, "related_resource_codes", "101/999999"),
        ({"steward": ""}, "steward", "Missing value"),
        ({"publish_date": "2024-13-45"}, "publish_date", "ate"),
    ],
)
def test_rule_rejects_bad_input(world, overrides, field, words):
    errors = rejected(world, **overrides)
    assert field in errors, errors
    assert words in " ".join(map(str, errors[field])), errors[field]


@pytest.mark.parametrize(
    "prefix,closed,basic",
    [("/zh_Hans_CN", "不予开放", "基础信息资源"), ("", "Not open", "Basic information resources")],
)
def test_vocabulary_values_in_messages_are_named_in_the_users_language(
    app, world, prefix, closed, basic
):
    """A message that names a vocabulary value (the open type a share type forces, the class an
    item does not belong to) names it in the locale of the request, not the site's default."""
    response = app.post(
        f"{prefix}/api/3/action/package_create",
        json=factories.Entry.data(
            owner_org=world["dept"]["name"],
            share_type="none",
            share_condition="依据《统计法》第二十五条不予共享",
            open_type="open",
            catalog_item="社区治理",
        ),
        headers={"Authorization": world["admin"]["token"]},
        status=409,
    )
    errors = response.json["error"]
    assert closed in " ".join(errors["open_type"]), errors
    assert basic in " ".join(errors["catalog_item"]), errors


def test_share_none_forces_closed_when_open_type_is_omitted(world):
    pkg = create(
        world, share_type="none", share_condition="依据《统计法》第二十五条不予共享", open_type=""
    )
    assert pkg["open_type"] == "closed"


def test_open_type_required_otherwise(world):
    errors = rejected(world, open_type="")
    assert errors["open_type"] == ["Missing value"]


def test_good_conditions_pass(world):
    pkg = create(
        world,
        share_type="conditional",
        share_condition="仅限民政、人社部门核查使用",
        open_type="conditional",
        open_condition="经实名注册并签署协议后开放",
    )
    assert pkg["open_condition"] == "经实名注册并签署协议后开放"


@pytest.mark.parametrize("category", ["电子表格", "数据库", "服务接口"])
def test_data_items_required_for_tabular_formats(world, category):
    errors = rejected(world, format_category=category, data_items=[])
    assert "data items" in errors["data_items"][0]


def test_data_items_optional_for_documents(world):
    pkg = create(world, format_category="电子文件", format_type="OFD", data_items=[])
    assert pkg.get("data_items", []) == []


@pytest.mark.parametrize(
    "item,subfield,words",
    [
        ({"name": "姓名", "data_type": "X", "length": 10}, "data_type", "not an allowed value"),
        ({"name": "姓名", "data_type": "C", "length": -5}, "length", "greater than 0"),
        ({"name": "姓名", "data_type": "C", "length": 0}, "length", "greater than 0"),
        ({"name": "姓名", "data_type": "C", "length": "十"}, "length", "greater than 0"),
        ({"name": "", "data_type": "C", "length": 10}, "name", "Missing value"),
        (
            {"name": "姓名", "data_type": "C", "personal_info": "maybe"},
            "personal_info",
            "not an allowed value",
        ),
    ],
)
def test_bad_data_item_is_reported_on_its_row(world, item, subfield, words):
    good = {"name": "性别", "data_type": "C", "length": 2}
    errors = rejected(world, data_items=[good, item])
    row = errors["data_items"][1]
    assert words in " ".join(row[subfield]), errors


def test_duplicate_data_item_names_rejected(world):
    items = [{"name": "姓名", "data_type": "C", "length": 50}] * 2
    errors = rejected(world, data_items=items)
    assert "listed twice" in errors["data_items"][1]["name"][0]


def test_data_item_length_is_stored_as_integer(world):
    pkg = create(world, data_items=[{"name": "年龄", "data_type": "I", "length": "3"}])
    assert pkg["data_items"][0]["length"] == 3
    assert pkg["data_items"][0]["personal_info"] == "no"


def test_related_codes_must_exist(world):
    first = create(world, name="first")
    second = create(world, name="second", related_resource_codes=[first["resource_code"]])
    assert second["related_resource_codes"] == [first["resource_code"]]


def test_departmental_item_defaults_to_the_provider(world):
    pkg = create(world, catalog_class="departmental", catalog_item="")
    assert pkg["catalog_item"] == "石泉县公安局"
    assert pkg["resource_code"].startswith("301")


def test_update_keeps_code_and_rejected_update_changes_nothing(world):
    pkg = create(world)
    ctx = {"user": world["admin"]["name"]}
    updated = call_action(
        "package_patch", context=ctx, id=pkg["id"], resource_code="999/000009", title="新名称"
    )
    assert updated["resource_code"] == pkg["resource_code"]
    assert updated["title"] == "新名称"
    with pytest.raises(ValidationError) as e:
        call_action(
            "package_patch",
            context=ctx,
            id=pkg["id"],
            share_type="none",
            share_condition="",
            open_type="open",
            title="不应保存",
        )
    assert {"share_condition", "open_type"} <= set(e.value.error_dict)
    model.Session.remove()
    shown = call_action("package_show", id=pkg["id"])
    assert shown["title"] == "新名称" and shown["share_type"] == "conditional"


# --- organizations ---------------------------------------------------------------------------


def test_uscc_check_character_matches_known_codes():
    assert uscc_check_char(COUNTY_CODE[:17]) == COUNTY_CODE[17]
    # 91350100M000100Y43: a widely published example code
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "fields,field,words",
    [
        ({"org_code": COUNTY_CODE[:17] + "A"}, "org_code", "should be B"),
        ({"org_code": "1161092205418544"}, "org_code", "18 characters"),
        ({"org_code": "11610922054185442O"}, "org_code", "not allowed"),
        ({"division_code": "61092"}, "division_code", "6 digits"),
        ({"division_code": "6109221000001"}, "division_code", "12 digits"),
        ({"org_level": "district"}, "org_level", "not an allowed value"),
        ({"parent_org": "nowhere"}, "parent_org", "no organization"),
    ],
)
def test_organization_rules(world, fields, field, words):
    before = model.Session.query(model.Group).count()
    with pytest.raises(ValidationError) as e:
        factories.Organization(user=world["admin"], name="bad-org", **fields)
    assert words in " ".join(e.value.error_dict[field])
    model.Session.remove()
    assert model.Session.query(model.Group).count() == before


def test_organization_cannot_be_put_under_its_own_unit(world):
    town = factories.Town(user=world["admin"], name="town", parent_org="county")
    with pytest.raises(ValidationError) as e:
        call_action(
            "organization_patch",
            context={"user": world["admin"]["name"]},
            id="county",
            parent_org=town["name"],
        )
    assert "under itself" in e.value.error_dict["parent_org"][0]


# --- information systems ---------------------------------------------------------------------


def test_info_system_fields(world):
    ctx = {"user": world["admin"]["name"]}
    system = call_action(
        "package_create",
        context=ctx,
        type="info_system",
        name="sys-hotline",
        title="12345 工单系统",
        owner_org="dept-police",
        build_level="city",
        system_status="in_use",
        maintainer_org="county",
        user_orgs=["county", "dept-police"],
        url="http://10.0.0.1/",
        sso_supported="yes",
    )
    assert system["user_orgs"] == ["county", "dept-police"]
    pkg = create(world, source_system="sys-hotline")
    assert pkg["source_system"] == "sys-hotline"
    with pytest.raises(ValidationError) as e:
        call_action(
            "package_create",
            context=ctx,
            type="info_system",
            name="sys-bad",
            title="x",
            owner_org="dept-police",
            build_level="township",
            system_status="broken",
            user_orgs=["nobody"],
            sso_supported="maybe",
        )
    assert {"build_level", "system_status", "user_orgs", "sso_supported"} <= set(e.value.error_dict)
