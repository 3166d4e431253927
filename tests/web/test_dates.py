"""Date inputs in Chinese form: the entry form's date fields are marked lang="zh-CN" with the
placeholder 年-月-日, and the server takes 2026年11月27日 and 2026-11-27 alike, refusing what is not
a day of the calendar with a message in Chinese."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action

from ckanext.govcatalog.web.dates import parse_date_input
from tests import factories

pytestmark = pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
with_catalog = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.mark.parametrize(
    "typed",
    [
        "2026年11月27日",
        "2026-11-27",
        "2026/11/27",
        "2026.11.27",
        " 2026 年 11 月 27 日 ",
        "２０２６年１１月２７日",
    ],
)
def test_the_forms_people_type_are_read_as_one_day(typed):
    assert parse_date_input(typed) == dt.date(2026, 11, 27)


def test_single_digit_months_and_days_are_read():
    assert parse_date_input("2026年1月5日") == dt.date(2026, 1, 5)


@pytest.mark.parametrize(
    "typed", ["2026年2月30日", "11/27/2026", "27.11.2026", "明年", "2026年11月"]
)
def test_what_is_not_a_day_is_refused(typed):
    with pytest.raises(ValueError):
        parse_date_input(typed)


def _create(user: dict, **fields) -> dict:
    return call_action(
        "package_create", context={"user": user["name"], "ignore_auth": False}, **fields
    )


@with_catalog
def test_an_entry_takes_a_chinese_date_and_stores_it_as_iso():
    admin = factories.Sysadmin()
    org = factories.Department(user=admin)
    data = factories.Entry.data(owner_org=org["id"], publish_date="2026年1月15日")
    data["temporal_coverage"] = [{"start": "2025年1月1日", "end": "2025/12/31"}]
    entry = _create(admin, **data)
    assert entry["publish_date"] == "2026-01-15"
    assert entry["temporal_coverage"] == [{"start": "2025-01-01", "end": "2025-12-31"}]
    iso = _create(admin, **factories.Entry.data(owner_org=org["id"], publish_date="2026-11-27"))
    assert iso["publish_date"] == "2026-11-27"


@with_catalog
def test_a_date_that_is_no_day_is_refused_on_its_field():
    admin = factories.Sysadmin()
    org = factories.Department(user=admin)
    with pytest.raises(tk.ValidationError) as refused:
        _create(admin, **factories.Entry.data(owner_org=org["id"], publish_date="2026年2月30日"))
    assert list(refused.value.error_dict) == ["publish_date"]
    # the message of isodate, which CKAN's zh_Hans_CN catalog reads 日期格式错误 on a page
    assert refused.value.error_dict["publish_date"] == ["Date format incorrect"]


@with_catalog
def test_the_form_marks_its_date_inputs_chinese(app):
    admin = factories.Sysadmin()
    factories.Department(user=admin)
    response = app.get("/dataset/new", headers={"Authorization": admin["token"]})
    soup = BeautifulSoup(response.body, "html.parser")
    date_inputs = soup.select("input.govcatalog-date-input")
    names = {i["name"] for i in date_inputs}
    assert {"publish_date", "last_data_update_date"} <= names
    for field in date_inputs:
        # a text input: a browser's own date input shows the browser's locale (mm/dd/yyyy)
        assert field["type"] == "text" and field["lang"] == "zh-CN"
        assert field["placeholder"] == "年-月-日"
        hint = soup.find(id=field["aria-describedby"])
        assert "2026年11月27日" in hint.get_text()
