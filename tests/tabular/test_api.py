"""The row API (datastore_search, datastore_info) under the sharing rules: column limits from the
grant's requested items, masking, input that would reach beyond them, and grants that lapse
between two calls."""

from __future__ import annotations

import datetime as dt
import json

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog.model import Grant
from tests.tabular import datastore_world as dw

ID_NUMBER = dw.ROWS[0]["公民身份号码"]
ID_MASKED = "610924********1234"


def search(world, role: str, key: str, **params):
    return call_action(
        "datastore_search", dw.ctx(world, role), resource_id=world.tables[key], **params
    )


def field_ids(result) -> list[str]:
    return [f["id"] for f in result["fields"]]


def test_a_grant_limited_to_items_reads_only_those_columns_unmasked(world):
    result = search(world, "requester", "cond", sort="_id")
    assert field_ids(result) == ["_id", "公民身份号码", "性别"]
    assert [r["公民身份号码"] for r in result["records"]] == [
        row["公民身份号码"] for row in dw.ROWS
    ]
    assert all("姓名" not in r and "备注" not in r for r in result["records"])
    assert "张三丰" not in json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fields": ["姓名"]}, "fields"),
        ({"fields": "性别,备注"}, "fields"),
        ({"fields": ["rank"], "q": {"性别": "男"}}, "fields"),
        ({"filters": {"姓名": "张三丰"}}, "filters"),
        ({"filters": json.dumps({"备注": "甲"})}, "filters"),
        ({"q": {"姓名": "张三丰"}}, "q"),
        ({"q": "张三丰"}, "q"),
        ({"q": '{"姓名": "张三丰"}'}, "q"),
        ({"full_text": "张三丰"}, "full_text"),
        ({"sort": "姓名 desc"}, "sort"),
        ({"sort": '"备注" asc nulls last'}, "sort"),
        ({"sort": "性别, 姓名"}, "sort"),
        ({"contains": {"姓名": "三丰"}}, "contains"),
        ({"contains": '{"备注": "甲"}'}, "contains"),
        ({"contains": {"没有这列": "甲"}}, "contains"),
        ({"contains": ["甲"]}, "contains"),
    ],
)
def test_input_cannot_reach_beyond_the_granted_columns(world, params, field):
    with pytest.raises(tk.ValidationError) as raised:
        search(world, "requester", "cond", **params)
    assert field in raised.value.error_dict


def test_queries_on_granted_columns_work(world):
    result = search(
        world, "requester", "cond", filters={"性别": "男"}, q={"公民身份号码": ID_NUMBER}
    )
    assert [r["公民身份号码"] for r in result["records"]] == [ID_NUMBER]
    distinct = search(world, "requester", "cond", fields=["性别"], distinct=True, sort="性别")
    assert [r["性别"] for r in distinct["records"]] == ["女", "男"]


def test_personal_columns_are_masked_for_readers_without_a_naming_grant(world):
    for role in ("anonymous", "public_user", "other_gov", "requester"):
        result = search(world, role, "open", sort="_id")
        assert field_ids(result) == ["_id", *dw.ITEMS], role
        first = result["records"][0]
        assert (first["姓名"], first["公民身份号码"], first["性别"]) == ("张**", ID_MASKED, "男")
        text = json.dumps(result, ensure_ascii=False)
        assert ID_NUMBER not in text and "张三丰" not in text, role


@pytest.mark.parametrize("records_format", ["lists", "csv", "tsv"])
def test_masks_hold_in_every_records_format(world, records_format):
    result = search(world, "anonymous", "open", records_format=records_format, sort="_id")
    text = json.dumps(result["records"], ensure_ascii=False)
    assert ID_NUMBER not in text and "张三丰" not in text
    assert ID_MASKED in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filters": {"公民身份号码": ID_NUMBER}}, "filters"),
        ({"q": {"姓名": "张三丰"}}, "q"),
        ({"q": "张三丰"}, "q"),
        ({"sort": "公民身份号码"}, "sort"),
        ({"distinct": True}, "distinct"),
        ({"contains": {"公民身份号码": "19900315"}}, "contains"),
    ],
)
def test_masked_columns_cannot_be_probed(world, params, field):
    with pytest.raises(tk.ValidationError) as raised:
        search(world, "anonymous", "open", **params)
    assert field in raised.value.error_dict


def totals(world, role: str, key: str, contains) -> list[str]:
    """The ID numbers (as served) of the rows a substring search finds."""
    result = search(world, role, key, contains=contains, sort="_id")
    return [r.get("公民身份号码") for r in result["records"]]


def test_substring_search_finds_parts_of_values_only_in_searchable_columns(world, web):
    """``contains`` matches any part of a value (Chinese has no word boundaries); over every
    column it looks only into the columns the caller reads unmasked; % _ \\ are literal."""
    # the owner reads and searches every column
    assert totals(world, "owner_admin", "cond", "三丰") == [ID_NUMBER]
    assert totals(world, "owner_admin", "cond", {"备注": "乙", "性别": "女"}) == [
        dw.ROWS[1]["公民身份号码"]
    ]
    assert totals(world, "owner_admin", "cond", {"备注": "乙", "性别": "男"}) == []
    for literal in ("%", "_", "\\", "9%1", "'); DROP TABLE x; --", '" OR 1=1 --'):
        assert totals(world, "owner_admin", "cond", literal) == [], literal
    assert len(totals(world, "owner_admin", "cond", "")) == len(dw.ROWS)  # empty: no search
    # the grant names 性别 and 公民身份号码: a hidden name typed finds nothing, a part of a
    # granted ID number finds its row
    assert totals(world, "requester", "cond", "三丰") == []
    assert totals(world, "requester", "cond", "19900315") == [ID_NUMBER]
    # the open table for a visitor: names and ID numbers are masked, so not searched
    assert totals(world, "anonymous", "open", "1990") == []
    assert totals(world, "anonymous", "open", "三丰") == []
    assert totals(world, "anonymous", "open", "男") == [ID_MASKED, "610924********0011"]
    # over HTTP, as text and as a JSON object
    answer = web.get(
        "/api/3/action/datastore_search",
        query_string={"resource_id": world.tables["cond"], "contains": "秀"},
        headers=dw.headers(world, "owner_admin"),
    )
    assert [r["姓名"] for r in answer.get_json()["result"]["records"]] == ["李秀英"]
    answer = web.get(
        "/api/3/action/datastore_search",
        query_string={"resource_id": world.tables["open"], "contains": '{"姓名": "秀"}'},
    )
    assert answer.status_code == 409
    assert "contains" in answer.get_json()["error"]


def test_owner_and_sysadmin_read_everything_unmasked(world):
    for role in ("owner_admin", "sysadmin"):
        for key in ("cond", "open"):
            result = search(world, role, key, q="张三丰")
            assert [r["公民身份号码"] for r in result["records"]] == [ID_NUMBER], (role, key)
            assert field_ids(result)[:5] == ["_id", *dw.ITEMS]


def test_items_bound_to_a_personal_element_are_masked(world):
    """An item not flagged 涉及个人信息 but bound to an element flagged 个人信息 is masked."""
    from ckanext.govcatalog.elements.model import DataElement
    from tests import factories

    now = dt.datetime.utcnow()
    core_model.Session.add(
        DataElement(
            id="DE90101",
            name="联系电话",
            identifier="DSLXDH",
            synonyms=[],
            data_type="C",
            format="c..50",
            personal_info=True,
            sensitive_personal_info=False,
            data_grade="一般数据",
            status="已发布",
            version=1,
            created=now,
            modified=now,
        )
    )
    core_model.Session.commit()
    owner = world.users["owner_admin"]
    items = [
        dict(factories.data_item("联系电话"), element_id="DE90101"),
        factories.data_item("性别"),
    ]
    entry = factories.Entry(
        user=owner,
        name="ds-bound",
        owner_org=world.entries["open"]["owner_org"],
        items=[],
        data_items=items,
        open_to_all=True,
    )
    assert entry["data_items"][0]["personal_info"] == "no"
    resource = call_action(
        "resource_create",
        {"user": owner["name"]},
        package_id=entry["id"],
        name="表",
        format="CSV",
        url="http://exchange.example.gov.cn/ds-bound.csv",
    )
    call_action(
        "datastore_create",
        {"user": owner["name"]},
        resource_id=resource["id"],
        force=True,
        fields=[{"id": "联系电话", "type": "text"}, {"id": "性别", "type": "text"}],
        records=[{"联系电话": "13912345678", "性别": "女"}],
    )
    for role, phone in (("anonymous", "139****5678"), ("owner_admin", "13912345678")):
        result = call_action("datastore_search", dw.ctx(world, role), resource_id=resource["id"])
        assert [(r["联系电话"], r["性别"]) for r in result["records"]] == [(phone, "女")], role


def test_readers_without_data_access_are_refused(world):
    for role in ("anonymous", "public_user", "other_gov"):
        with pytest.raises(tk.NotAuthorized):
            search(world, role, "cond")
        with pytest.raises(tk.NotAuthorized):
            call_action("datastore_info", dw.ctx(world, role), id=world.tables["cond"])


def test_datastore_info_lists_only_the_granted_columns(world):
    info = call_action("datastore_info", dw.ctx(world, "requester"), id=world.tables["cond"])
    assert [f["id"] for f in info["fields"]] == ["公民身份号码", "性别"]
    info = call_action("datastore_info", dw.ctx(world, "owner_admin"), id=world.tables["cond"])
    assert [f["id"] for f in info["fields"]] == dw.ITEMS


def test_a_grant_expiring_between_two_calls_refuses_the_second(world):
    assert [r["备注"] for r in search(world, "requester2", "cond", sort="_id")["records"]] == [
        "甲",
        "乙",
        "丙",
    ]
    grant = (
        core_model.Session.query(Grant)
        .filter_by(request_id=world.requests["requester2"]["id"])
        .one()
    )
    grant.expires = dt.datetime.utcnow() - dt.timedelta(seconds=1)
    core_model.Session.commit()
    with pytest.raises(tk.NotAuthorized):
        search(world, "requester2", "cond")


def test_the_table_listing_is_for_sysadmins_only(world):
    for role in ("anonymous", "public_user", "owner_admin", "requester"):
        with pytest.raises(tk.NotAuthorized):
            call_action("datastore_search", dw.ctx(world, role), resource_id="_table_metadata")
    listed = call_action(
        "datastore_search", dw.ctx(world, "sysadmin"), resource_id="_table_metadata", limit=1000
    )
    assert {r["name"] for r in listed["records"]} >= set(world.tables.values())


def test_sql_search_is_refused_to_everyone_but_sysadmins(world):
    for role in ("anonymous", "public_user", "owner_admin", "requester"):
        context = dict(dw.ctx(world, role), table_names=[world.tables["open"]])
        with pytest.raises(tk.NotAuthorized) as raised:
            tk.check_access("datastore_search_sql", context, {"sql": "SELECT 1"})
        assert "sysadmin" in str(raised.value)
    context = dict(dw.ctx(world, "sysadmin"), table_names=[world.tables["open"]])
    assert tk.check_access("datastore_search_sql", context, {"sql": "SELECT 1"})


def test_the_dump_serves_what_the_search_would(world, web):
    url = f"/datastore/dump/{world.tables['cond']}"
    text = web.get(url, headers=dw.headers(world, "requester")).get_data(as_text=True)
    header = text.lstrip("\ufeff").splitlines()[0]
    assert header.split(",") == ["_id", "公民身份号码", "性别"]
    assert ID_NUMBER in text and "张三丰" not in text
    text = web.get(f"/datastore/dump/{world.tables['open']}").get_data(as_text=True)
    assert ID_MASKED in text and ID_NUMBER not in text and "张三丰" not in text
    assert web.get(url).status_code == 404  # CKAN's dump hides what it refuses


def test_api_errors_name_the_column_in_chinese(world, web):
    res = web.post(
        "/zh_Hans_CN/api/3/action/datastore_search",
        json={"resource_id": world.tables["open"], "filters": {"公民身份号码": ID_NUMBER}},
    )
    assert res.status_code == 409
    error = res.get_json()["error"]
    assert error["filters"] == ["列“公民身份号码”含已脱敏的个人信息，不能用于检索、筛选或排序"]


def test_after_revocation_the_api_and_the_dump_are_refused(world, web):
    """Runs last in this module: it ends the requester's grant."""
    assert search(world, "requester", "cond")["records"]
    call_action(
        "access_request_revoke",
        dw.ctx(world, "owner_admin"),
        id=world.requests["requester"]["id"],
        reason="使用目的已实现",
    )
    with pytest.raises(tk.NotAuthorized):
        search(world, "requester", "cond")
    dump = web.get(
        f"/datastore/dump/{world.tables['cond']}", headers=dw.headers(world, "requester")
    )
    assert dump.status_code == 404
    status = web.post(
        "/api/3/action/datastore_search",
        json={"resource_id": world.tables["cond"]},
        headers=dw.headers(world, "requester"),
    ).status_code
    assert status == 403
