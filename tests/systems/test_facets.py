"""The information-system pages: the list's own facets, and a system's page listing the entries it
produces as the viewer may see them and the towns and villages that use it."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = [
    pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
]


@pytest.fixture
def systems(county_and_department: dict[str, Any]) -> dict[str, Any]:
    admin, dept = county_and_department["admin"], county_and_department["dept"]
    town = factories.Town(user=admin, title="城关镇")
    village = factories.Village(user=admin, title="西沙社区", parent_org=town["name"])
    other = factories.Department(user=admin, title="石泉县民政局", parent_org="county")
    system = factories.InfoSystem(
        user=admin,
        owner_org=dept["id"],
        title="人口信息管理系统",
        build_level="county",
        system_status="in_use",
        user_orgs=[town["name"], village["name"]],
    )
    factories.InfoSystem(
        user=admin,
        owner_org=dept["id"],
        title="省级政务服务平台",
        build_level="provincial",
        system_status="in_use",
    )
    published = factories.Entry(
        user=admin, owner_org=dept["id"], title="户籍人口基本信息", source_system=system["name"]
    )
    private = factories.Entry(
        user=admin,
        owner_org=dept["id"],
        title="在逃人员信息",
        private=True,
        source_system=system["name"],
    )
    return dict(
        county_and_department,
        town=town,
        village=village,
        other=other,
        system=system,
        published=published,
        private=private,
        outsider=factories.Member(organization=other, capacity="editor"),
        insider=factories.Member(organization=dept, capacity="editor"),
    )


def _token(user: dict[str, Any]) -> dict[str, str]:
    from ckan.tests.helpers import call_action

    token = call_action("api_token_create", {"ignore_auth": True}, user=user["name"], name="t")
    return {"Authorization": token["token"]}


def test_list_page_has_the_system_facets_in_chinese(app, systems):
    body = app.get("/info_system/", headers={"Authorization": systems["admin"]["token"]}).body
    for title in ("建设层级", "系统状态", "使用单位", "所属部门"):
        assert title in body, title
    # value labels, not codes; organizations by title
    assert "城关镇" in body and "西沙社区" in body
    for catalog_facet in ("共享类型", "格式分类", "数源部门"):
        assert catalog_facet not in body, catalog_facet
    assert "Info_System" not in body and "info_systems found" not in body


def test_list_facet_filters_by_build_level(app, systems):
    body = app.get(
        "/info_system/?build_level=provincial",
        headers={"Authorization": systems["admin"]["token"]},
    ).body
    assert "省级政务服务平台" in body and "人口信息管理系统" not in body


@pytest.mark.parametrize(
    "viewer,sees_private",
    [("insider", True), ("outsider", False), ("admin", True)],
)
def test_system_page_lists_the_entries_the_viewer_may_see(app, systems, viewer, sees_private):
    user = systems[viewer]
    headers = {"Authorization": user["token"]} if "token" in user else _token(user)
    body = app.get(f"/info_system/{systems['system']['name']}", headers=headers).body
    assert systems["published"]["title"] in body
    assert (systems["private"]["title"] in body) is sees_private
    assert systems["town"]["title"] in body and systems["village"]["title"] in body


def test_system_pages_are_not_public(app, systems):
    app.get(f"/info_system/{systems['system']['name']}", status=404)
    body = app.get("/info_system/").body
    assert "人口信息管理系统" not in body
