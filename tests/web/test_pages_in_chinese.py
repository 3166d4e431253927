"""Pages a walk through the served demo in a browser found in English or showing stored codes:
the footer's 关于本目录 (CKAN's English advertisement of itself), a department's 关于 tab (its
level and parent unit as codes, county and shiquan), the site's own user on member lists and the
sysadmin list (by its machine name), CKAN's sysadmin pages and the department's bulk page (their
help texts and counts untranslated), and the picture of a department named by its URL name."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.common import config
from ckan.tests.helpers import call_action

from ckanext.govcatalog import vocab
from tests import factories
from tests.web.english import data_words, english_on_page

ZH = pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"), ZH]


def page(app, url: str, user: dict | None = None, status: int = 200) -> BeautifulSoup:
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]} if user else {}
    return BeautifulSoup(app.get(url, headers=headers, status=status).body, "html.parser")


def main_text(soup: BeautifulSoup) -> str:
    return " ".join(soup.select_one('[role="main"], .main').get_text(" ").split())


@pytest.mark.ckan_config("govcatalog.portal.host_org", "石泉县人民政府办公室")
def test_the_about_page_describes_the_catalog_in_chinese(app):
    soup = page(app, "/about")
    text = main_text(soup)
    assert "CKAN" not in text
    assert "主办单位：石泉县人民政府办公室" in text
    assert english_on_page(str(soup)) == []
    # it leads to what it describes
    links = {a["href"] for a in soup.select('[role="main"] a[href]')}
    assert {"/dataset/", "/reuse", "/data-element"} <= links


def test_a_departments_about_tab_shows_its_level_and_parent_by_name(app):
    admin = factories.Sysadmin()
    county = factories.County(user=admin)
    department = factories.Department(user=admin, parent_org=county["name"])
    soup = page(app, f"/organization/about/{department['name']}")
    names = soup.select(".govcatalog-org-about dt")
    values = soup.select(".govcatalog-org-about dd")
    about = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(names, values, strict=True)
    }
    assert about["上级单位"] == "石泉县人民政府"
    assert about["层级"] == vocab.label("org_level", "county", "zh_Hans_CN") == "县级"
    assert about["部门名称"] == "石泉县公安局"
    # the URL name and the empty picture address are not facts shown to a reader
    assert "网址标识" not in about and "图片地址" not in about
    assert english_on_page(str(soup), data_words([county, department])) == []


def test_the_site_user_is_named_as_the_catalog_system(app):
    admin = factories.Sysadmin()
    # factories create departments as the site user, which CKAN makes their admin
    department = factories.Department()
    site_user = call_action("get_site_user")["name"]
    assert site_user == config["ckan.site_id"]
    members = page(app, f"/organization/members/{department['name']}", user=admin)
    rows = [" ".join(tr.get_text(" ").split()) for tr in members.select("table tbody tr")]
    assert any(row.startswith("目录系统") for row in rows), rows
    assert not any(site_user in row for row in rows)
    assert "名成员" in members.select_one("h3").get_text()
    sysadmins = page(app, "/ckan-admin/", user=admin)
    assert site_user not in main_text(sysadmins)


@pytest.mark.parametrize(
    "url", ["/ckan-admin/config", "/ckan-admin/trash", "/ckan-admin/activities"]
)
def test_the_sysadmin_pages_are_in_chinese(app, url):
    admin = factories.Sysadmin(fullname="平台管理员")
    soup = page(app, url, user=admin)
    # CSS is what the 自定义 CSS box holds; "ckan clean activities" is a command to type
    allowed = {"CSS", "ckan", "clean", "activities"} | data_words([admin])
    assert english_on_page(str(soup), allowed) == []


def test_a_departments_bulk_page_counts_and_names_its_entries_in_chinese(app):
    admin = factories.Sysadmin(fullname="平台管理员")
    department = factories.Department(user=admin)
    entry = factories.Entry(user=admin, owner_org=department["id"])
    soup = page(app, f"/organization/bulk_process/{department['name']}", user=admin)
    assert "共 1 条信息资源。" in main_text(soup)
    assert english_on_page(str(soup), data_words([admin, department, entry])) == []


def test_a_departments_picture_is_named_by_its_title(app):
    department = factories.Department()
    entry = factories.Entry(owner_org=department["id"], open_to_all=True)
    soup = page(app, f"/dataset/{entry['name']}")
    picture = soup.select_one("#organization-info .image img")
    assert picture["alt"] == department["title"]
    # in the list, the title beside the picture names it: the picture itself is decoration
    pictures = page(app, "/organization/").select(".media-item img")
    assert pictures and {img["alt"] for img in pictures} == {""}


def test_a_refused_search_says_why_in_chinese(app):
    # CKAN's 400 page puts its own prefix before the search's message; both are Chinese
    soup = page(app, "/dataset/?q=" + "人口" * 120, status=400)
    text = soup.get_text(" ")
    assert "无法按此条件搜索：" in text and "Invalid search query" not in text
