"""Data item names and the choice fields are indexed for search and facets."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests.helpers import call_action

from tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def world(county_and_department: dict[str, Any]) -> dict[str, Any]:
    """Two entries: one of the police department, one of a village that uses its data."""
    admin = county_and_department["admin"]
    town = factories.Town(
        user=admin, name="town-chengguan", title="城关镇人民政府", parent_org="county"
    )
    village = factories.Village(
        user=admin, name="village-xicheng", title="西城社区居民委员会", parent_org=town["name"]
    )
    ctx = {"user": admin["name"]}
    people = factories.Entry(
        user=admin,
        owner_org="dept-police",
        name="people",
        data_items=[
            {"name": "姓名", "data_type": "C", "length": 50},
            {"name": "公民身份号码", "data_type": "C", "length": 18},
        ],
        theme=["公共服务", "社会保障"],
    )
    relief = factories.Entry(
        user=admin,
        owner_org="village-xicheng",
        name="relief",
        catalog_class="thematic",
        catalog_item="社会保障",
        share_type="unconditional",
        share_condition="",
        update_cycle="每年",
        data_items=[
            {"name": "姓名", "data_type": "C", "length": 50},
            {"name": "救助金额", "data_type": "Y", "length": 16},
        ],
        theme=["社会保障"],
        related_resource_codes=[people["resource_code"]],
    )
    return {
        "admin": admin,
        "ctx": ctx,
        "people": people,
        "relief": relief,
        "town": town,
        "village": village,
        "county": county_and_department["county"],
    }


def search(**params: Any) -> dict[str, Any]:
    return call_action("package_search", include_private=True, **params)


def facet(result: dict[str, Any], field: str) -> dict[str, int]:
    return result["facets"][field]


def test_data_item_names_are_a_multivalued_facet(world):
    result = search(**{"facet.field": '["data_item_names"]', "rows": 0})
    assert facet(result, "data_item_names") == {"姓名": 2, "公民身份号码": 1, "救助金额": 1}


def test_filter_on_a_data_item(world):
    result = search(fq='data_item_names:"救助金额"')
    assert [r["name"] for r in result["results"]] == ["relief"]
    assert search(fq='data_item_names:"姓名"')["count"] == 2
    assert search(fq='data_item_names:"不存在的信息项"')["count"] == 0


def test_data_items_stay_whole_in_the_result(world):
    result = search(fq="name:relief")["results"][0]
    assert [i["name"] for i in result["data_items"]] == ["姓名", "救助金额"]


def test_choice_fields_facet_as_single_values(world):
    fields = '["share_type", "update_cycle", "catalog_class", "theme", "catalog_item"]'
    result = search(**{"facet.field": fields, "rows": 0})
    assert facet(result, "share_type") == {"conditional": 1, "unconditional": 1}
    assert facet(result, "update_cycle") == {"每月": 1, "每年": 1}
    assert facet(result, "catalog_class") == {"basic": 1, "thematic": 1}
    assert facet(result, "catalog_item") == {"人口": 1, "社会保障": 1}
    assert facet(result, "theme") == {"社会保障": 2, "公共服务": 1}


def test_org_path_holds_the_provider_and_its_ancestors(world):
    # a town includes its villages; the county includes everything
    assert [r["name"] for r in search(fq='org_path:"town-chengguan"')["results"]] == ["relief"]
    assert search(fq='org_path:"county"')["count"] == 2
    assert search(fq='org_path:"dept-police"')["count"] == 1


def test_related_codes_and_resource_code_are_exact_fields(world):
    code = world["people"]["resource_code"]
    assert [r["name"] for r in search(fq=f'related_resource_codes:"{code}"')["results"]] == [
        "relief"
    ]
    assert [r["name"] for r in search(fq=f'resource_code:"{code}"')["results"]] == ["people"]


def test_info_system_user_orgs_indexed(world):
    call_action(
        "package_create",
        context=world["ctx"],
        type="info_system",
        name="sys-relief",
        title="社会救助系统",
        owner_org="dept-police",
        build_level="provincial",
        system_status="in_use",
        user_orgs=["town-chengguan", "village-xicheng"],
    )
    found = search(fq='user_orgs:"village-xicheng" +dataset_type:info_system')
    assert [r["name"] for r in found["results"]] == ["sys-relief"]
