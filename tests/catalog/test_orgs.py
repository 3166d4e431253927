"""The organization tree (county → departments and towns → villages), kept in step with CKAN's
native hierarchy, and shown on the organization page."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests.helpers import call_action

from ckanext.govcatalog.catalog import orgs
from tests import factories


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


pytestmark = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")


@pytest.fixture
def tree(county_and_department: dict[str, Any]) -> dict[str, Any]:
    """The county with its police department, two towns, and two villages under the first."""
    admin = county_and_department["admin"]
    factories.Town(user=admin, name="town-a", title="城关镇人民政府", parent_org="county")
    factories.Town(user=admin, name="town-b", title="池河镇人民政府", parent_org="county")
    factories.Village(user=admin, name="village-a1", title="西城社区", parent_org="town-a")
    factories.Village(user=admin, name="village-a2", title="东城社区", parent_org="town-a")
    return {"admin": admin}


def test_descendants_and_ancestors(tree):
    assert sorted(orgs.descendant_org_names("county")) == [
        "dept-police",
        "town-a",
        "town-b",
        "village-a1",
        "village-a2",
    ]
    assert sorted(orgs.descendant_org_names("town-a")) == ["village-a1", "village-a2"]
    assert orgs.descendant_org_names("village-a1") == []
    assert orgs.ancestor_org_names("village-a1") == ["county", "town-a"]
    assert orgs.ancestor_org_names("county") == []
    assert orgs.descendant_org_names("no-such-org") == []


def test_read_once_reads_each_organization_and_path_once(tree):
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(model.meta.engine, "before_cursor_execute", count)
    try:
        with orgs.read_once():
            path = orgs.org_path("village-a1")
            town = orgs.active_org("town-a")
            read = len(statements)
            path.append("changed by its caller")
            with orgs.read_once():  # an inner block shares the outer one's reads
                assert orgs.org_path("village-a1") == ["county", "town-a", "village-a1"]
                assert orgs.active_org("town-a") is town
            assert len(statements) == read > 0
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", count)
    assert town is not None and town.name == "town-a"
    assert orgs.active_org("village-a1-unknown") is None


def test_outside_read_once_a_move_shows_at_once(tree):
    ctx = {"user": tree["admin"]["name"]}
    with orgs.read_once():
        assert orgs.org_path("village-a1") == ["county", "town-a", "village-a1"]
    call_action("organization_patch", context=ctx, id="village-a1", parent_org="town-b")
    assert orgs.org_path("village-a1") == ["county", "town-b", "village-a1"]


def test_native_hierarchy_follows_parent_org(tree):
    town = model.Group.get("town-a")
    parents = town.get_parent_groups(type="organization")
    assert [g.name for g in parents] == ["county"]
    link = (
        model.Session.query(model.Member)
        .filter_by(group_id=town.id, table_name="group", state="active")
        .one()
    )
    assert link.capacity == "parent"
    children = {
        row.name
        for row in model.Group.get("county").get_children_group_hierarchy(type="organization")
    }
    assert children == {"dept-police", "town-a", "town-b", "village-a1", "village-a2"}


def test_moving_an_organization_moves_its_units_and_reindexes(tree):
    ctx = {"user": tree["admin"]["name"]}
    factories.Entry(user=tree["admin"], owner_org="village-a1", name="village-entry")
    assert call_action("package_search", fq='org_path:"town-a"')["count"] == 1
    call_action("organization_patch", context=ctx, id="village-a1", parent_org="town-b")
    assert orgs.ancestor_org_names("village-a1") == ["county", "town-b"]
    assert sorted(orgs.descendant_org_names("town-a")) == ["village-a2"]
    assert call_action("package_search", fq='org_path:"town-a"')["count"] == 0
    assert call_action("package_search", fq='org_path:"town-b"')["count"] == 1
    # and removing the parent makes it a top-level organization
    call_action("organization_patch", context=ctx, id="village-a1", parent_org="")
    assert orgs.ancestor_org_names("village-a1") == []
    assert "village-a1" not in orgs.descendant_org_names("county")


def test_admin_role_cascades_down_the_tree(tree):
    user = factories.Member(organization="town-a", capacity="admin")
    listed = call_action(
        "organization_list_for_user",
        context={"user": user["name"]},
        id=user["name"],
        permission="manage_group",
    )
    assert {o["name"] for o in listed} == {"town-a", "village-a1", "village-a2"}


def test_organization_page_shows_its_place_in_the_tree(tree, app):
    html = app.get("/organization/town-a").body
    assert "Place in the organization tree" in html
    assert 'href="/organization/county"' in html  # ancestor
    assert 'href="/organization/village-a1"' in html and 'href="/organization/village-a2"' in html
    assert 'href="/organization/town-b"' not in html  # a sibling is not part of its place


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_organization_page_tree_in_chinese(tree, app):
    html = app.get("/organization/village-a1").body
    assert "在组织树中的位置" in html
    assert "城关镇人民政府" in html and "石泉县人民政府" in html


@pytest.mark.parametrize("cascade", ["admin", "admin editor"])
def test_viewer_organizations_are_ckans_read_list(tree, cascade):
    # policy.read_org_ids replaces organization_list_for_user(permission="read") on every search:
    # for every kind of membership it must name exactly the same organizations
    from ckanext.govcatalog.access import policy

    ctx = {"user": tree["admin"]["name"]}
    roles = {
        "county-admin": ("county", "admin"),
        "county-editor": ("county", "editor"),
        "town-member": ("town-a", "member"),
        "village-editor": ("village-a2", "editor"),
        "gone-member": ("gone", "member"),
        "gone-admin": ("gone", "admin"),  # its still active sub-unit is read through it
    }
    factories.Organization(user=tree["admin"], name="gone", title="已撤销单位", parent_org="county")
    factories.Organization(
        user=tree["admin"], name="gone-unit", title="已撤销单位下属站所", parent_org="gone"
    )
    group = factories.Group(name="topic-group")
    for name, (org, role) in roles.items():
        factories.Member(name=name, organization=org, capacity=role)
    call_action("organization_delete", context=ctx, id="gone")
    factories.User(name="group-only")
    call_action(
        "group_member_create", context=ctx, id=group["id"], username="group-only", role="admin"
    )
    factories.User(name="nobody")

    with pytest.MonkeyPatch.context() as mp:
        from ckan.common import config

        mp.setitem(config, "ckan.auth.roles_that_cascade_to_sub_groups", cascade.split())
        for name in [*roles, "group-only", "nobody"]:
            user = model.User.get(name)
            expected = call_action(
                "organization_list_for_user", {"user": name}, id=name, permission="read"
            )
            assert policy.read_org_ids(user.id) == {o["id"] for o in expected}, name
    county_admin = model.User.get("county-admin")
    assert len(policy.read_org_ids(county_admin.id)) == 7  # county and everything under it
    assert policy.read_org_ids(model.User.get("gone-admin").id) == {model.Group.get("gone-unit").id}
