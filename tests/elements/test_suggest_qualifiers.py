"""Qualifiers that change what a name holds (no database): a word narrowing a coded value or
naming a kind (少数民族, 本科学历, 儿童医院) is no holder, a noun after a holder word makes a
compound term (企业法人, 行政处罚), 经纬度 is two items in one, and a county-level division
after 所属 / 所在 is the county's name (GB/T 2260)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        # the word before narrows the value: a flag or a count of it, no code of the holder's
        ("少数民族", "民族"),
        ("本科学历", "学历"),
        ("外国籍", "国籍"),
        ("不分性别", "性别"),
        ("儿童医院", "医疗机构名称"),
        # a noun after a holder or subject word makes a compound term, no name of the noun's
        ("企业法人", "机构名称"),
        ("行政处罚", "处罚名称"),
    ],
)
def test_a_qualifier_that_is_no_holder_waits_for_review(index, name, suggested):
    suggestions = index.suggest(name, limit=3)
    assert suggestions[0].name == suggested
    assert not any(s.auto for s in suggestions)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # a word naming the holder (a holder noun or a party word) still binds: GA/T 1054.1
        ("参保人员性别", "性别"),
        ("被征地人员学历", "学历"),
        ("受助对象民族", "民族"),
        # a leading word saying where or whose keeps the noun the subject's (所在学校)
        ("所属学校", "学校名称"),
        # GB/T 2260: a county-level division is a 县 or a 区
        ("所属区", "区县名称"),
        ("所在县", "区县名称"),
    ],
)
def test_a_stated_holder_still_binds(index, name, expected):
    best = index.suggest(name)[0]
    assert (best.name, best.auto) == (expected, True)


def test_longitude_and_latitude_in_one_column_bind_to_neither(index):
    suggestions = index.suggest("经纬度", limit=3)
    assert not any(s.auto for s in suggestions)
    # each alone still binds
    assert index.suggest("纬度")[0].auto
    assert index.suggest("经度")[0].auto


def test_the_rules_name_only_published_elements(index):
    rules = index.rules
    names = {e.name for e in index.elements.values()}
    assert rules.holder_stated_elements <= names
    assert {"所在", "所属"} <= rules.implied_after


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # R6 with the shared words written once: the ending of the last part is every part's
        ("联系人/代理人地址", "地址"),
        ("申请人/代理人电话", "联系电话"),
        # ... or the opening words of the first part open a later one that names nothing alone
        ("不动产产权证号/证明号", "证照编号"),
    ],
)
def test_a_composite_with_its_shared_words_written_once_binds(index, name, expected):
    best = index.suggest(name)[0]
    assert (best.name, best.match, best.auto) == (expected, "parts", True)


@pytest.mark.parametrize(
    "name",
    [
        # two elements stay two (R6: none)
        "联系人/代理人姓名",
        "户籍地址/居住地址",
        "身份证号/护照号",
        "注册号/统一社会信用代码",
    ],
)
def test_a_composite_of_two_elements_is_never_bound_automatically(index, name):
    assert not any(s.auto for s in index.suggest(name, limit=3))
