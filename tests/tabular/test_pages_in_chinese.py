"""The pages of data in use, as a Chinese reader sees them: the owner's usage records name each
reader by name and give times in Beijing time and Chinese form (they showed user names and UTC
times), and the 数据 API window of a table explains the row API in Chinese (CKAN's English)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from tests.tabular import datastore_world as dw
from tests.web.english import english_on_page

pytestmark = pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")


def test_usage_records_name_readers_and_give_beijing_times(world, web):
    call_action("datastore_search", dw.ctx(world, "requester"), resource_id=world.tables["cond"])
    page = web.get("/dataset/ds-cond/usage", headers=dw.headers(world, "owner_admin"))
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert [th.get_text(strip=True) for th in soup.select("table thead th")][:2] == ["时间", "用户"]
    first = soup.select_one("table tbody tr").select("td")
    assert re.fullmatch(
        r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}", first[0].get_text(strip=True)
    )
    requester = world.users["requester"]
    reader = first[1].select_one("a")
    assert reader["href"] == f"/user/{requester['name']}"
    assert reader.get_text(strip=True) == requester["fullname"] != requester["name"]


def test_the_row_api_window_is_in_chinese(world, web):
    page = web.get(f"/datastore/api_info/{world.tables['open']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "数据接口（API）" in html and "CKAN Data API" not in html
    # what stays Latin: the names of the languages of the code examples, the values the examples
    # search for, the client library's name and the (English) documentation's title
    allowed = {"curl", "JavaScript", "PowerShell", "Python", "ckanapi", "GET", "CKAN", "DataStore"}
    allowed |= {"jones", "watershed", "survey", "subject", "active", "stage"}
    assert english_on_page(html, allowed) == []
