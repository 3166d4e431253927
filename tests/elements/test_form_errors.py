"""The error summary of the data-element form names each field as the form labels it: it listed
the messages alone (缺少值, 未知的表示格式), leaving the editor to find which field each meant. The
version history names its author by display name, the site's own user as the catalog system."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.govcatalog.elements import register
from tests.elements.conftest import BUREAU
from tests.elements.test_views import TOKEN, body, login

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context"),
    pytest.mark.ckan_config("govcatalog.elements.bureau_org", BUREAU),
]


def test_a_refused_element_names_each_field_by_its_label(app, seeded, bureau):
    login(app, bureau["editor"])
    form = app.get("/data-element/new")
    fields = {
        "_csrf_token": TOKEN.search(body(form)).group(1),
        "name": "",
        "data_type": "C",
        "format": "q77",
        "data_grade": "一般数据",
        "status": "草稿",
    }
    refused = app.post("/data-element/new", data=fields)
    soup = BeautifulSoup(body(refused), "html.parser")
    listed = [" ".join(li.get_text().split()) for li in soup.select(".alert-danger li")]
    assert any(line.startswith("Chinese name：") for line in listed), listed
    assert any(line.startswith("Representation format：") for line in listed), listed


def test_the_version_history_names_who_changed_an_element(app, seeded, bureau):
    site_user = call_action("get_site_user")["name"]
    register.update("DE00001", {"definition": "由命令行导入"}, site_user)
    register.update("DE00001", {"definition": "由数据局编辑"}, bureau["editor"]["name"])
    model.Session.commit()
    soup = BeautifulSoup(body(app.get("/data-element/DE00001")), "html.parser")
    authors = [
        row.select("td")[2].get_text(strip=True)
        for row in soup.select(".govcatalog-element-history tbody tr")
    ]
    assert authors[:2] == [bureau["editor"]["fullname"], "Catalog system"], authors
