"""The register's pages: anyone browses published elements; the data bureau's editors add and
change elements through the form (posted as a browser does, with the CSRF token)."""

from __future__ import annotations

import re

import pytest
from ckan import model

from ckanext.govcatalog.elements import register
from tests.elements.conftest import BUREAU, PASSWORD

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context"),
    pytest.mark.ckan_config("govcatalog.elements.bureau_org", BUREAU),
]
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def login(app, user):
    app.client = app.test_client()
    response = app.post(
        "/user/login", data={"login": user["name"], "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 302
    return app


def body(response) -> str:
    return response.get_data(as_text=True)


def test_anonymous_visitors_browse_published_elements_only(app, seeded):
    register.update("DE00002", {"status": "草稿"}, "u")  # 姓名 back to draft
    model.Session.commit()
    listing = app.get("/data-element", query_string={"q": "身份"})
    assert listing.status_code == 200 and "公民身份号码" in body(listing)
    assert "/data-element/new" not in body(listing)
    page = app.get("/data-element/DE00001")
    assert page.status_code == 200
    for text in ("GMSFHM", "身份证号", "c18", "DE00001"):
        assert text in body(page)
    assert app.get("/data-element/DE00002").status_code == 404
    assert "/data-element/DE00002" not in body(app.get("/data-element", query_string={"q": "XM"}))
    assert app.get("/data-element/new").status_code == 403
    assert app.get("/data-element/DE00001/edit").status_code == 403


def test_a_department_admin_outside_the_bureau_cannot_edit(app, seeded, bureau):
    login(app, bureau["outsider"])
    assert app.get("/data-element/new").status_code == 403


def test_the_bureau_editor_adds_and_changes_an_element(app, seeded, bureau):
    login(app, bureau["editor"])
    form = app.get("/data-element/new")
    assert form.status_code == 200
    token = TOKEN.search(body(form)).group(1)
    fields = {
        "_csrf_token": token,
        "name": "测试许可证编号",
        "synonyms": "测试许可号、测试许可证号",
        "data_type": "C",
        "format": "c..30",
        "data_grade": "一般数据",
        "status": "已发布",
        "source_org": BUREAU,
        "personal_info": "true",
    }
    refused = app.post("/data-element/new", data=dict(fields, synonyms="身份证号"))
    assert refused.status_code == 200 and "DE00001" in body(refused)  # the clash is named
    created = app.post("/data-element/new", data=fields, follow_redirects=False)
    assert created.status_code == 302, body(created)
    element_id = created.headers["Location"].rsplit("/", 1)[-1]
    element = register.get(element_id)
    assert element.synonyms == ["测试许可号", "测试许可证号"] and element.personal_info
    assert element.source_org == bureau["org"]["id"]
    edit = app.get(f"/data-element/{element_id}/edit")
    assert edit.status_code == 200 and "测试许可证号" in body(edit)
    changed = app.post(
        f"/data-element/{element_id}/edit",
        data={  # the personal-information box left unticked: a browser does not post it
            **{k: v for k, v in fields.items() if k != "personal_info"},
            "_csrf_token": TOKEN.search(body(edit)).group(1),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 302
    page = app.get(f"/data-element/{element_id}")
    assert page.status_code == 200 and "/edit" in body(page) and "石泉县数据局" in body(page)
    model.Session.rollback()
    model.Session.expire_all()
    changed_element = register.get(element_id)
    assert changed_element.version == 2 and changed_element.personal_info is False
