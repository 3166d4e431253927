"""The table preview on the resource page: load state, pages, search, and rows only for those who
may read them (it reads through datastore_search with the viewer's context)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup

from ckanext.govcatalog.tabular import loading, substring
from tests import factories
from tests.web.english import english_on_page


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


with_db = pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")

SECRET = "机密站点值"


def _csv(rows: int, first_name: str = "站点") -> bytes:
    lines = ["# 示例数据", "名称,类别,数量,地址"]
    lines += [
        f"{first_name}{i},{'泵站' if i % 2 else '水厂'},{i},"
        + (f"石泉县城关镇长兴街{i}号" if i % 2 else f"石泉县池河镇{i}_组")
        for i in range(1, rows + 1)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _body(response: Any) -> str:
    return response.get_data(as_text=True)


def _page(app: Any, entry: dict[str, Any], resource: dict[str, Any], **params: Any) -> str:
    response = app.get(f"/dataset/{entry['name']}/resource/{resource['id']}", query_string=params)
    return _body(response) if response.status_code == 200 else ""


def _login(app: Any, user: dict[str, Any]) -> None:
    app.client = app.test_client()
    response = app.post(
        "/user/login",
        data={"login": user["name"], "password": factories.PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 302


def _table(
    county_and_department: dict[str, Any], create_with_upload: Any, content: bytes, **levels: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    admin = county_and_department["admin"]
    entry = factories.Entry(
        user=admin, owner_org=county_and_department["dept"]["id"], items=["名称", "类别"], **levels
    )
    resource = create_with_upload(
        content, "t.csv", context={"user": admin["name"]}, package_id=entry["id"], format="CSV"
    )
    return entry, resource


def test_substring_patterns_take_wildcards_literally() -> None:
    assert substring.like_pattern("长兴街") == "%长兴街%"
    assert substring.like_pattern("5%_\\") == "%5\\%\\_\\\\%"
    assert substring.parse(" 长兴街 ") == [(None, "长兴街")]
    assert substring.parse('{"地址": "长兴街", "类别": ""}') == [(["地址"], "长兴街")]
    with pytest.raises(tk.ValidationError):
        substring.parse("长" * 101)


@with_db
def test_open_table_pages_and_search(
    app: Any, county_and_department: dict[str, Any], create_with_upload: Any
) -> None:
    entry, resource = _table(county_and_department, create_with_upload, _csv(25), open_to_all=True)
    queued = _page(app, entry, resource)
    assert 'data-load-state="queued"' in queued and "站点1<" not in queued

    loading.load_resource(resource["id"])
    first = _page(app, entry, resource)
    assert 'data-load-state="loaded"' in first and 'data-total="25"' in first
    assert ">站点1<" in first and ">站点20<" in first and ">站点21<" not in first
    second = _page(app, entry, resource, page=2)
    assert ">站点21<" in second and ">站点25<" in second and ">站点1<" not in second
    # search: 13 rows are 泵站 (odd numbers), in a column or in all of them
    for column in ("", "类别"):
        found = _page(app, entry, resource, q="泵站", column=column)
        assert 'data-total="13"' in found and ">水厂<" not in found
    # any part of a value: 长兴街 inside "石泉县城关镇长兴街1号" (no word boundaries in Chinese)
    found = _page(app, entry, resource, q="长兴街", column="地址")
    assert 'data-total="13"' in found and "石泉县城关镇长兴街25号" in found
    found = _page(app, entry, resource, q="长兴街1")  # 1, 11, 13, 15, 17, 19
    assert 'data-total="6"' in found and "长兴街3号" not in found
    assert 'data-total="11"' in _page(app, entry, resource, q="点1", column="名称")
    # the LIKE wildcards are plain characters: _ only in the 池河镇 addresses, % in none
    assert 'data-total="12"' in _page(app, entry, resource, q="_")
    assert 'data-total="0"' in _page(app, entry, resource, q="%")
    # a page past the end and a page that is not a number do not break the page
    assert "data-total" in _page(app, entry, resource, page=99)
    assert ">站点1<" in _page(app, entry, resource, page="x")


@with_db
@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_chinese_page_says_why_a_load_failed_and_shows_the_table_in_chinese(
    app: Any, county_and_department: dict[str, Any], create_with_upload: Any
) -> None:
    entry, ragged = _table(
        county_and_department, create_with_upload, "名称,类别\r\n甲\r\n".encode(), open_to_all=True
    )
    loading.load_resource(ragged["id"])
    page = _page(app, entry, ragged)
    assert 'data-load-state="failed"' in page and "失败" in page
    assert "第 2 行有 1 个值，但表头有 2 列。" in page
    good = create_with_upload(
        _csv(25),
        "t.csv",
        context={"user": county_and_department["admin"]["name"]},
        package_id=entry["id"],
        format="CSV",
    )
    loading.load_resource(good["id"])
    page = _page(app, entry, good, page=2)
    assert "已加载" in page and "共 25 行，第 2 / 2 页" in page
    section = BeautifulSoup(page, "html.parser").find(id="table-preview")
    assert english_on_page(str(section)) == []


@with_db
def test_rows_only_for_those_who_may_read_them(
    app: Any, county_and_department: dict[str, Any], create_with_upload: Any
) -> None:
    """The preview follows access/policy.py (spec §4) through datastore_search:
    - conditionally shared and opened (cc): everyone may open the page, but anonymous visitors,
      a public user and another department's member without a grant get no rows (and are told
      why); the sysadmin gets them;
    - shared unconditionally, not opened (ux): another department's member gets the rows; the
      public gets neither page nor rows."""
    admin = county_and_department["admin"]
    other = factories.Department(user=admin, parent_org="county", name="dept-other")
    colleague = factories.Member(organization=other, capacity="member")
    public_user = factories.User()
    cc, cc_table = _table(
        county_and_department,
        create_with_upload,
        _csv(3, first_name=SECRET),
        share_type="conditional",
        open_type="conditional",
    )
    ux, ux_table = _table(
        county_and_department,
        create_with_upload,
        _csv(3, first_name=SECRET + "乙"),
        share_type="unconditional",
        open_type="closed",
    )
    loading.load_resource(cc_table["id"])
    loading.load_resource(ux_table["id"])

    for viewer in (None, public_user, colleague):
        if viewer:
            _login(app, viewer)
        page = _page(app, cc, cc_table)
        assert 'data-load-state="loaded"' in page, "the page itself is open"
        assert "data-preview-refused" in page and SECRET not in page
    # the colleague (still logged in) reads what is shared with every department
    page = _page(app, ux, ux_table)
    assert SECRET + "乙" in page and "data-preview-refused" not in page
    for viewer in (None, public_user):
        app.client = app.test_client()
        if viewer:
            _login(app, viewer)
        assert SECRET not in _page(app, ux, ux_table)
    _login(app, admin)
    page = _page(app, cc, cc_table)
    assert SECRET in page and "data-preview-refused" not in page
