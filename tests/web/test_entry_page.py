"""The department box on an entry page (web/entry_page.py): filled from the entry's own
organization dict, without CKAN's organization_show, and the same box CKAN's helper makes; an
uploaded picture or a department that is not active is still left to CKAN's helper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import ckan.logic
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog.web import entry_page
from tests import factories
from tests.module_app import catalog_app

PLUGINS = "govcatalog scheming_datasets scheming_organizations activity"
PICTURE = "https://example.org/emblem.png"


@pytest.fixture(scope="module")
def site(reset_db, reset_index, migrate_db_for):
    """A department with a description and a picture by URL, and one entry open to all."""
    with catalog_app(reset_db, reset_index, migrate_db_for, PLUGINS) as web:
        admin = factories.Sysadmin()
        dept = factories.Department(
            user=admin,
            name="ep-dept",
            title="县测试局",
            description="负责**测试**工作的部门。",
            image_url=PICTURE,
            org_code=factories.POLICE_CODE,
        )
        entry = factories.Entry(
            user=admin, owner_org=dept["id"], name="ep-entry", title="Epword", open_to_all=True
        )
        yield {"web": web, "admin": admin, "dept": dept, "entry": entry}


@pytest.fixture
def organization_show_calls() -> Iterator[list[dict[str, Any]]]:
    """Every organization_show call of the test, through CKAN's action registry."""
    calls: list[dict[str, Any]] = []
    original = tk.get_action("organization_show")

    def counted(context: Any, data_dict: dict[str, Any]) -> Any:
        calls.append(dict(data_dict))
        return original(context, data_dict)

    with mock.patch.dict(ckan.logic._actions, {"organization_show": counted}):
        yield calls


def box(organization: dict[str, Any]) -> str:
    return tk.h.snippet(
        "organization/snippets/info.html",
        organization=organization,
        show_nums=False,
        am_following=False,
    )


def test_entry_page_shows_the_department_without_organization_show(
    site: dict[str, Any], organization_show_calls: list[dict[str, Any]]
) -> None:
    page = site["web"].get("/dataset/ep-entry")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="organization-info"' in text
    assert "县测试局" in text and PICTURE in text and "/organization/ep-dept" in text
    assert organization_show_calls == []


def test_the_box_is_the_one_ckans_helper_makes(site: dict[str, Any]) -> None:
    shown = call_action("package_show", id=site["entry"]["id"])
    with site["web"].flask_app.test_request_context():
        ours = box(entry_page.govcatalog_entry_department(shown["organization"]))
        ckans = box(tk.h.get_organization(shown["organization"]["id"]))
    assert "负责" in ours and PICTURE in ours
    assert ours == ckans


def test_uploaded_picture_or_inactive_department_goes_to_ckans_helper(
    site: dict[str, Any], organization_show_calls: list[dict[str, Any]]
) -> None:
    organization = call_action("package_show", id=site["entry"]["id"])["organization"]
    with site["web"].flask_app.test_request_context():
        uploaded = entry_page.govcatalog_entry_department(
            dict(organization, image_url="2026-11-30-emblem.png")
        )
        inactive = entry_page.govcatalog_entry_department(dict(organization, state="deleted"))
        by_url = entry_page.govcatalog_entry_department(organization)
    # both asked CKAN's helper (organization_show) about the department itself
    assert [call["id"] for call in organization_show_calls] == [organization["id"]] * 2
    assert uploaded["name"] == inactive["name"] == "ep-dept" and "package_count" in uploaded
    assert by_url["image_display_url"] == PICTURE
    assert entry_page.govcatalog_entry_department(None) == {}
