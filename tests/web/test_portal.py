"""The portal around the catalog: branding from the ini, no stock CKAN features a county catalog
does not use, the navigation each role sees (with the requests waiting for the viewer's
decision), the entry page header with visible level badges, dates in Chinese form and error
pages in the catalog's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from ckanext.govcatalog import vocab
from ckanext.govcatalog.web import branding
from tests import factories

ZH = pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"), ZH]


def token_of(user: dict) -> dict[str, str]:
    return {"Authorization": factories.APIToken(user=user["name"])["token"]}


def page(app, url: str, user: dict | None = None, status: int = 200) -> BeautifulSoup:
    response = app.get(url, headers=token_of(user) if user else {}, status=status)
    return BeautifulSoup(response.body, "html.parser")


def nav(soup: BeautifulSoup) -> dict[str, str]:
    """route -> visible text of the main navigation items."""
    return {a["data-nav"]: " ".join(a.get_text().split()) for a in soup.select("a[data-nav]")}


# --- branding ----------------------------------------------------------------------------------


@pytest.mark.ckan_config("ckan.site_title", "石泉县政务信息资源目录")
@pytest.mark.ckan_config("ckan.site_logo", "")
@pytest.mark.ckan_config("govcatalog.portal.host_org", "石泉县人民政府办公室")
@pytest.mark.ckan_config("govcatalog.portal.contact", "0915-6312000")
@pytest.mark.ckan_config("govcatalog.portal.icp_number", "陕ICP备00000000号")
def test_branding_comes_from_the_ini_and_ckan_is_not_advertised(app):
    soup = page(app, "/")
    text = soup.get_text(" ")
    assert soup.select_one(".govcatalog-brand").get_text(" ").split()[1] == "石泉县政务信息资源目录"
    footer = soup.select_one("footer").get_text(" ")
    assert "主办单位：石泉县人民政府办公室" in footer
    assert "联系方式：0915-6312000" in footer
    assert soup.select_one('footer a[href="https://beian.miit.gov.cn/"]').get_text() == (
        "陕ICP备00000000号"
    )
    html = str(soup)
    for stock in ("Powered by", "CKAN Association", "ckan-logo", "ckan-footer-logo", "ckan.org"):
        assert stock not in html
    assert 'name="generator"' not in html
    # the top bar says 登录 and 注册, not CKAN's 登陆 and 登记
    account = soup.select_one(".account").get_text(" ")
    assert "登录" in account and "注册" in account
    assert "登陆" not in text and "登记" not in account


def test_a_logo_replaces_the_title_when_an_operator_sets_one(app, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.site_logo", "/images/shiquan.png")
    from ckan.lib.app_globals import app_globals

    monkeypatch.setattr(app_globals, "site_logo", "/images/shiquan.png", raising=False)
    soup = page(app, "/")
    assert soup.select_one(".masthead a.logo img")["src"].endswith("/images/shiquan.png")


def test_groups_followers_social_links_and_licence_are_off_by_default(app):
    admin = factories.Sysadmin()
    dept = factories.Department(user=admin)
    entry = factories.Entry(user=admin, owner_org=dept["id"], open_to_all=True)
    soup = page(app, f"/dataset/{entry['name']}", admin)
    html = str(soup)
    assert "group.index" not in nav(soup)
    assert not soup.select(".follow_button, a[href*='/follow'], .nums dt:-soup-contains('关注者')")
    assert "facebook.com" not in html and "twitter.com" not in html and "x.com/" not in html
    assert not soup.select(".license, #license")
    assert f"/dataset/groups/{entry['name']}" not in html
    org = page(app, f"/organization/{dept['name']}", admin)
    assert "关注者" not in org.get_text() and "追从者" not in org.get_text()


@pytest.mark.ckan_config("govcatalog.portal.show_groups", "true")
@pytest.mark.ckan_config("govcatalog.portal.show_social", "true")
@pytest.mark.ckan_config("govcatalog.portal.show_license", "true")
def test_an_operator_can_turn_groups_social_links_and_licence_on(app):
    admin = factories.Sysadmin()
    entry = factories.Entry(user=admin, open_to_all=True)
    soup = page(app, f"/dataset/{entry['name']}", admin)
    assert "group.index" in nav(soup)
    assert f"/dataset/groups/{entry['name']}" in str(soup)
    assert "facebook.com" in str(soup)


# --- navigation by role ------------------------------------------------------------------------

EVERYONE = [
    "dataset.search",
    "govcatalog_reuse.index",
    "organization.index",
    "govcatalog_elements.index",
    "home.index",
]


def test_navigation_shows_each_role_what_applies_to_it(app):
    admin = factories.Sysadmin()
    county = factories.County(user=admin, name="county")
    owner = factories.Department(user=admin, parent_org=county["name"], title="石泉县公安局")
    other = factories.Department(user=admin, parent_org=county["name"], title="石泉县人社局")
    public = factories.User()
    editor = factories.Member(organization=owner, capacity="editor")
    owner_admin = factories.Member(organization=owner, capacity="admin")
    other_admin = factories.Member(organization=other, capacity="admin")
    requester = factories.Member(organization=other, capacity="editor")
    entry = factories.Entry(user=admin, owner_org=owner["id"])
    call_action(
        "access_request_create",
        context={"user": requester["name"], "ignore_auth": False},
        **factories.access_request_data(entry),
    )

    anonymous = nav(page(app, "/"))
    assert list(anonymous) == EVERYONE
    assert anonymous["dataset.search"] == "目录检索"
    assert anonymous["govcatalog_reuse.index"] == "查找可复用数据"
    assert anonymous["home.index"] == "统计"

    for_public = nav(page(app, "/", public))
    assert for_public["govcatalog_requests.mine"] == "共享申请"
    assert "govcatalog_bulk.index" not in for_public
    # information systems are shown to government users only: no link to a list left empty
    assert "info_system.search" not in for_public

    for_editor = nav(page(app, "/", editor))
    assert for_editor["govcatalog_bulk.index"] == "批量导入"
    assert for_editor["info_system.search"] == "信息系统"
    assert for_editor["govcatalog_requests.mine"] == "共享申请"

    # the owner's admin decides: the link goes to 待我审批 with the one waiting request
    soup = page(app, "/", owner_admin)
    assert nav(soup)["govcatalog_requests.decide"] == "共享申请 1"
    assert soup.select_one("a[data-nav='govcatalog_requests.decide'] .badge")["aria-label"] == (
        "1 件待您审批"
    )
    # another department's admin decides too, but nothing of theirs waits
    assert nav(page(app, "/", other_admin))["govcatalog_requests.decide"] == "共享申请"
    assert nav(page(app, "/", admin))["govcatalog_requests.decide"] == "共享申请 1"


def test_the_current_section_is_marked(app):
    soup = page(app, "/organization/")
    current = soup.select('a[aria-current="page"]')
    assert [a["data-nav"] for a in current] == ["organization.index"]


# --- the entry page ----------------------------------------------------------------------------


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_sharing_and_opening_level_has_a_readable_badge_colour():
    colours = branding.badge_colours()
    for name, prefix in branding.BADGE_VOCABULARIES.items():
        for value in vocab.values(name):
            css = colours.get(f"{prefix}-{value}")
            assert css, f"{name} {value} has no badge colour in schemas/vocab/{name}.yaml"
            ratio = contrast(css["color"], css["background"])
            assert ratio >= 4.5, f"{name} {value}: contrast {ratio:.2f} < 4.5"


def test_entry_header_states_code_department_levels_cycle_and_update(app):
    admin = factories.Sysadmin()
    dept = factories.Department(user=admin, title="石泉县公安局")
    entry = factories.Entry(user=admin, owner_org=dept["id"], share_type="conditional")
    # conditional sharing, not opened: the public has no page; another department's officer
    # does (and may request the data)
    county_other = factories.Department(user=admin, title="石泉县人社局")
    officer = factories.Member(organization=county_other, capacity="editor")
    soup = page(app, f"/dataset/{entry['name']}", officer)
    header = soup.select_one(".govcatalog-entry-header")
    assert header.h1.get_text(" ").strip().startswith("户籍人口基本信息")
    facts = {
        div.dt.get_text(" ").strip(): div.dd.get_text(" ").strip()
        for div in header.select(".govcatalog-entry-facts > div")
    }
    assert facts["信息资源代码"] == entry["resource_code"]
    assert facts["信息资源提供方"] == "石泉县公安局"
    assert facts["共享类型"] == "有条件共享"
    assert facts["开放属性"] == "不予开放"
    assert facts["更新周期"] == "每月"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", facts["最近更新"])
    share = header.select_one(".badge.govcatalog-share-conditional")
    assert share.get_text() == "有条件共享"
    # the colour rule of the badge is on the page (white text on white was the bug)
    style = " ".join(s.get_text() for s in soup.select("style"))
    assert ".badge.govcatalog-share-conditional{background-color:#" in style
    assert ".badge.govcatalog-open-closed{background-color:#" in style
    # the request button is in the header, where a requester looks first
    assert header.select_one(".govcatalog-request-button")


def test_data_items_table_names_each_cell_for_phones(app):
    entry = factories.Entry(items=factories.PERSON_ITEMS, open_to_all=True)
    soup = page(app, f"/dataset/{entry['name']}")
    table = soup.select_one("table.govcatalog-data-items")
    assert [th["class"][0] for th in table.select("thead th")][:3] == [
        "gc-col-no",
        "gc-col-name",
        "gc-col-data_type",
    ]
    rows = table.select("tbody tr")
    assert len(rows) == 3
    cells = {td["data-label"]: td.get_text().strip() for td in rows[1].select("td")}
    assert cells["序号"] == "2"
    assert cells["信息项名称"] == "公民身份号码"


def test_entry_page_header_shows_nothing_a_viewer_may_not_see(app):
    """A private entry of a department has no page (and so no header) for the public."""
    admin = factories.Sysadmin()
    dept = factories.Department(user=admin)
    entry = factories.Entry(user=admin, owner_org=dept["id"], private=True)
    response = app.get(f"/dataset/{entry['name']}", status=404)
    assert entry["resource_code"] not in response.body
    assert "govcatalog-entry-header" not in response.body


# --- dates and errors --------------------------------------------------------------------------


def test_dates_read_in_chinese_form(app):
    from ckan.lib.helpers import helper_functions as h

    with app.flask_app.test_request_context():
        moment = dt.datetime(2026, 11, 27, 1, 17, 5)  # UTC, as CKAN stores times
        with_time = h["render_datetime"](moment, with_hours=True)
        assert with_time == "2026年11月27日 09:17"  # Asia/Shanghai (ckan.display_timezone)
        assert h["render_datetime"]("2024-03-01") == "2024年3月1日"
        assert h["render_datetime"](moment, with_seconds=True) == "2026年11月27日 09:17:05"
        # an explicit format is the caller's choice
        assert h["render_datetime"](moment, date_format="%Y-%m-%d") == "2026-11-27"
        assert h["render_datetime"]("not a date") == ""


def test_other_languages_keep_ckans_dates(app):
    import flask_babel
    from ckan.lib.helpers import helper_functions as h

    with app.flask_app.test_request_context(), flask_babel.force_locale("en"):
        assert "November" in h["render_datetime"](dt.datetime(2026, 11, 27, 1, 17))


def test_error_pages_speak_chinese(app):
    soup = page(app, "/dataset/no-such-entry", status=404)
    assert soup.select_one("#error-content h1").get_text(" ").split()[0] == "页面不存在"
    assert "The requested URL" not in str(soup)
    soup = page(app, "/ckan-admin", factories.User(), status=403)
    assert "无权访问" in soup.select_one("#error-content h1").get_text()
    from ckan.lib.base import render

    # CKAN_LANG: what CKAN's before_request sets for the page language
    with app.flask_app.test_request_context(
        environ_base={"CKAN_LANG": "zh_Hans_CN", "CKAN_CURRENT_URL": "/"}
    ):
        html = render(
            "error_document_template.html", {"code": [500], "content": "Internal server error"}
        )
    assert "服务器错误" in html and "Internal server error" not in html
