"""No English on Chinese pages: a crawler signs in as each role, visits every page the main
navigation offers and each page kind (entry, its activity, department, information system,
request, bulk, reuse, user, data elements, error pages 403/404/500), and fails on any visible
text or spoken attribute (aria-label, title, alt, placeholder, tooltip) holding a Latin word
outside the allowlist of tests/web/english.py and the words of the data the test entered."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from tests import factories
from tests.module_app import catalog_app
from tests.web.english import data_words, english_on_page

# (config is reset before each test, so these are marks, not module-fixture assignments)
pytestmark = [
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
    pytest.mark.ckan_config("ckan.gravatar_default", "disabled"),
]


@pytest.fixture(scope="module")
def web_and_catalog(reset_db, reset_index, migrate_db_for):
    """The catalog, built once for the module (the crawl only reads it), and one test app with
    the plugins of the test ini."""
    with catalog_app(reset_db, reset_index, migrate_db_for) as web:
        yield web, _build_catalog()


@pytest.fixture(scope="module")
def app(web_and_catalog) -> Any:
    return web_and_catalog[0]


@pytest.fixture(scope="module")
def catalog(web_and_catalog) -> dict:
    return web_and_catalog[1]


def _build_catalog() -> dict:
    """A county with two departments, people in each role, an entry with a file and a request
    waiting for a decision, an information system and a published data element."""
    admin = factories.Sysadmin(fullname="平台管理员")
    county = factories.County(user=admin, name="county")
    owner = factories.Department(user=admin, parent_org=county["name"], name="dept-police")
    other = factories.Department(user=admin, parent_org=county["name"], title="石泉县人社局")
    people = {
        "anonymous": None,
        "public_user": factories.User(fullname="张三"),
        "department_editor": factories.Member(
            organization=owner, capacity="editor", fullname="李娜"
        ),
        "department_admin": factories.Member(
            organization=owner, capacity="admin", fullname="王建国"
        ),
        "sysadmin": admin,
    }
    requester = factories.Member(organization=other, capacity="editor", fullname="陈晓燕")
    system = factories.InfoSystem(user=admin, owner_org=owner["id"], title="户籍管理系统")
    entry = factories.Entry(
        user=admin,
        owner_org=owner["id"],
        source_system=system["id"],
        open_to_all=True,
    )
    resource = call_action(
        "resource_create",
        context={"user": admin["name"]},
        package_id=entry["id"],
        name="户籍人口名册.csv",
        url="https://data.example.invalid/huji.csv",
        format="CSV",
    )
    element = call_action(
        "data_element_create",
        context={"user": admin["name"]},
        name="公民身份号码",
        synonyms=["身份证号"],
        data_type="C",
        format="c18",
        object_class="公民",
        property="身份",
        representation="号码",
        status="已发布",
    )
    # shared on conditions and not opened: what another department has to ask for
    requested = factories.Entry(user=admin, owner_org=owner["id"], title="流动人口登记信息")
    request = call_action(
        "access_request_create",
        context={"user": requester["name"], "ignore_auth": False},
        **factories.access_request_data(requested),
    )
    made = [admin, county, owner, other, requester, system, entry, resource, element]
    made += [requested, request]
    # the site's own user (named after ckan.site_id) is listed among the sysadmins
    made.append(call_action("get_site_user", context={"ignore_auth": True}))
    made += list(people.values())
    return {
        "people": people,
        "requester": requester,
        "owner": owner,
        "entry": entry,
        "system": system,
        "request": request,
        "resource": resource,
        "element": element,
        "data_words": data_words(made),
    }


def page_kinds(catalog: dict, role: str) -> list[tuple[str, int]]:
    """(url, expected status) of each page kind, as the role may open it."""
    entry, owner = catalog["entry"], catalog["owner"]
    person = catalog["people"][role]
    pages = [
        ("/", 200),
        ("/dataset/", 200),
        ("/dataset/?q=户籍&sort=metadata_modified+desc", 200),
        (f"/dataset/{entry['name']}", 200),
        (f"/dataset/{entry['name']}/resource/{catalog['resource']['id']}", 200),
        (f"/dataset/activity/{entry['name']}", 200),
        ("/organization/", 200),
        (f"/organization/{owner['name']}", 200),
        ("/reuse?items=姓名", 200),
        ("/catalog/bulk", 200),
        ("/data-element", 200),
        (f"/data-element/{catalog['element']['id']}", 200),
        ("/dataset/no-such-entry", 404),
    ]
    if role != "anonymous":
        pages += [
            (f"/user/{person['name']}", 200),
            (f"/user/edit/{person['name']}", 200),
            ("/dashboard/datasets", 200),
            ("/dashboard/access-requests", 200),
        ]
    else:
        pages += [("/user/login", 200), ("/dashboard/access-requests", 403)]
    if role in ("department_editor", "department_admin", "sysadmin"):
        # the entry form, new and for an entry of the department
        pages += [("/dataset/new", 200), (f"/dataset/edit/{entry['name']}", 200)]
        # information systems are for government users; the public never sees them
        pages.append(("/info_system/", 200))
        pages.append((f"/info_system/{catalog['system']['name']}", 200))
    if role in ("department_admin", "sysadmin"):
        pages.append((f"/access-request/{catalog['request']['id']}", 200))
    if role != "sysadmin":
        pages.append(("/ckan-admin", 403))
    else:
        # the sysadmin's page, linked from the top bar
        pages.append(("/ckan-admin", 200))
    return pages


@pytest.mark.parametrize(
    "role", ["anonymous", "public_user", "department_editor", "department_admin", "sysadmin"]
)
def test_no_english_on_any_page_a_role_reaches(app, catalog, role):
    person = catalog["people"][role]
    headers = {"Authorization": factories.APIToken(user=person["name"])["token"]} if person else {}
    allowed = catalog["data_words"] | data_words([person or {}])
    visited: set[str] = set()
    problems: list[str] = []
    queue = list(page_kinds(catalog, role))
    home = BeautifulSoup(app.get("/", headers=headers).body, "html.parser")
    queue += [(a["href"].split("#")[0], 200) for a in home.select("a[data-nav]")]
    for url, status in queue:
        if url in visited:
            continue
        visited.add(url)
        response = app.get(url, headers=headers)
        if response.status_code != status:
            problems.append(f"{url}: status {response.status_code}, expected {status}")
        problems += [f"{url}: {found}" for found in english_on_page(response.body, allowed)]
    assert not problems, f"{len(problems)} English strings as {role}:\n" + "\n".join(problems)


def test_the_server_error_page_has_no_english(app):
    from ckan.lib.base import render

    # CKAN_LANG: what CKAN's before_request sets for the page language
    with app.flask_app.test_request_context(
        environ_base={"CKAN_LANG": "zh_Hans_CN", "CKAN_CURRENT_URL": "/"}
    ):
        html = render(
            "error_document_template.html", {"code": [500], "content": "Internal server error"}
        )
    assert english_on_page(html) == []


def test_the_finder_sees_english():
    """The crawler's eye: it catches visible text and spoken attributes, and lets data and the
    allowlist through."""
    html = """<html><head><title>目录</title></head><body>
      <a aria-label="Toggle navigation">菜单</a><img alt="Gravatar"><p>News feed</p>
      <input placeholder="Search..."><span title="提示">API 与 CSV 导出</span>
      <code>DM8</code><p>联系 li.na@example.invalid</p><p>户籍 Huji</p></body></html>"""
    found = english_on_page(html, allowed={"Huji"})
    assert found == [
        "<p>: News feed",
        "<a aria-label>: Toggle navigation",
        "<img alt>: Gravatar",
        "<input placeholder>: Search...",
    ]


def test_no_english_in_the_notification_list(app, catalog):
    """A notice written while the site spoke English (the catalog is built before this test's
    Chinese default) reads in Chinese on a Chinese page: the list renders each notice's message
    id and words when it is shown, its dates in Chinese form."""
    admin = catalog["people"]["department_admin"]
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    response = app.get("/dashboard/notifications", headers=headers)
    assert english_on_page(response.body, catalog["data_words"]) == []
    text = BeautifulSoup(response.body, "html.parser").select_one(".govcatalog-notifications")
    assert "陈晓燕 申请使用“流动人口登记信息”，请于 " in text.get_text()
    assert "日 前答复" in text.get_text()


def test_a_notice_reads_in_the_readers_language_and_old_notices_still_show(app, catalog):
    import ckan.model as core_model

    from ckanext.govcatalog.model import Notification
    from ckanext.govcatalog.sharing import notify

    admin = catalog["people"]["department_admin"]
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    # a notice written before message ids were kept: its stored text is all there is
    old = notify.add_text(admin["id"], "request_created", "旧通知：请审批户籍数据申请。")
    core_model.Session.commit()
    try:
        chinese = app.get("/dashboard/notifications", headers=headers).body
        english = app.get("/en/dashboard/notifications", headers=headers).body
    finally:
        core_model.Session.delete(core_model.Session.get(Notification, old.id))
        core_model.Session.commit()
    assert "旧通知：请审批户籍数据申请。" in chinese and "旧通知：请审批户籍数据申请。" in english
    assert "陈晓燕 申请使用“流动人口登记信息”" in chinese
    assert "New access request from 陈晓燕 for “流动人口登记信息”, answer due 20" in english


def test_a_notice_keeps_its_text_in_the_sites_default_language_for_mail():
    """``message`` (what a mail says) is written in ckan.locale_default, whoever wrote it."""
    import ckan.model as core_model

    from ckanext.govcatalog.sharing import notify

    due = "2026-12-07"
    notice = notify.add(
        "someone",
        "request_created",
        "Access request for “{title}” is overdue (due {due}).",
        {"title": "流动人口登记信息", "due": due},
    )
    core_model.Session.rollback()  # only what it holds is looked at; nothing is kept
    assert (
        notice.message
        == "对“流动人口登记信息”的共享申请已逾期未答复（应于 2026年12月7日 前答复）。"
    )
    assert notice.message_id.startswith("Access request for") and notice.params["due"] == due
