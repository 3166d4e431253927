"""Binding readings of a holder before a property, coded elements and WS 445's date-times (no
database): a word ending with a holder noun of the element's 对象类 (申报旅行社, 被征地人员)
before a property of that class binds to it (R4, GA/T 1054.1's qualifiers), never to a count or
amount nor to an organization's identity name; a coded element's name with 代码 written is that
element, and …日期时间 is the date of the event (both as WS 445 names them)."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.elements.suggest import Element, Index, load_rules


@pytest.mark.parametrize(
    ("name", "expected", "how"),
    [
        # an organization in a role still holds an organization's properties
        ("申报旅行社英文名称", "英文名称", "holder_noun"),
        ("合作社经营范围", "经营范围", "holder_noun"),
        ("会员单位法定代表人姓名", "法定代表人姓名", "holder_noun"),
        # ... and a person in a role a person's
        ("被征地人员职业", "职业", "holder_noun"),
        # R4 and R11: the address of a residence permit is where its holder lives
        ("申办人居住证地址", "居住地址", "holder_noun"),
        # WS 445: a coded element named with its representation word
        ("职业类别代码", "职业", "core"),
        ("企业类型代码", "企业类型", "core"),
        # WS 445: the date of an event written with its time
        ("入院日期时间", "入院日期", "core"),
        ("死亡日期时间", "死亡日期", "core"),
        # GA/T 1054.1 DQ00008 暂(居)住地址: where one lives (R11)
        ("暂住地址", "居住地址", "synonym"),
    ],
)
def test_holder_and_standard_readings_bind_automatically(index, name, expected, how):
    best = index.suggest(name)[0]
    assert (best.name, best.match, best.auto) == (expected, how, True)


@pytest.mark.parametrize(
    ("name", "not_auto"),
    [
        # a word before a count names the population counted: a sector's statistic
        ("普通中学教职工数", "从业人员数"),
        ("合作社注册资本", "注册资本"),
        # R5: an organization in a role names another organization, not the subject
        ("建设单位名称", "机构名称"),
        # a word that names no holder (收费 is an activity, 产品 no organization)
        ("收费项目名称", "项目名称"),
        ("产品英文名称", "英文名称"),
    ],
)
def test_no_holder_noun_reading_of_counts_names_or_other_words(index, name, not_auto):
    suggestions = index.suggest(name, limit=3)
    assert not any(s.auto for s in suggestions)
    assert not any(s.match == "holder_noun" for s in suggestions)
    assert not_auto in [s.name for s in suggestions] or not suggestions


def test_a_longer_element_name_at_the_end_wins_over_a_holder_noun(index):
    # 负责人姓名 is a role's own element: 会计机构负责人 (R4) is no organization's property
    suggestions = index.suggest("会计机构负责人", limit=3)
    assert not any(s.match == "holder_noun" for s in suggestions)


def test_holder_nouns_apply_only_to_the_classes_the_rules_name():
    rules = load_rules()
    assert dict(rules.holder_nouns).keys() == {"自然人", "法人和其他组织"}
    assert rules.coded_suffix == "代码"
    # an element of another class (a place) is not read after a holder noun
    place = Element("DE90001", "测试地址", "CSDZ", (), "C", "c..100", object_class="地点")
    org = Element("DE90002", "测试范围", "CSFW", (), "C", "c..100", object_class="法人和其他组织")
    local = Index([place, org], rules=rules)
    assert local.suggest("合作社测试地址")[0].match != "holder_noun"
    best = local.suggest("合作社测试范围")[0]
    assert (best.id, best.match, best.auto) == ("DE90002", "holder_noun", True)
    # ... and a coded element's 代码 form needs the element's representation to be 代码
    coded = Element("DE90003", "测试类别", "CSLB", (), "C", "c2", representation="代码")
    plain = Element("DE90004", "测试性质", "CSXZ", (), "C", "c2", representation="文本")
    local = Index([coded, plain], rules=rules)
    assert local.suggest("测试类别代码")[0].match == "core"
    assert local.suggest("测试性质代码")[0].match != "core"
