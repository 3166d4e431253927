"""Binding readings of codes and countries (no database): a system's own …编码 is no issued
代码 without review, an organization's code binds after a longer name only when the word before it
names its holder, and a country or region (GB/T 2659) is a 国籍."""

from __future__ import annotations

import dataclasses

import pytest

from ckanext.govcatalog.elements.suggest import Index


@pytest.mark.parametrize(
    ("name", "expected", "how"),
    [
        # a name or synonym written with 编码 binds as written
        ("行政区划编码", "行政区划代码", "synonym"),
        ("项目编码", "项目编号", "synonym"),
        # 编码 is still 编号's suffix for elements not named as an issued code
        ("办件编码", "办件编号", "core"),
        # the word before an organization's code names its holder (GA/T 1054.1)
        ("行政相对人组织机构代码", "组织机构代码", "holder_free"),
        ("登记机关统一社会信用代码", "统一社会信用代码", "holder_free"),
        # ... or a party of a record or contract (the rules' party_words)
        ("处罚对象统一社会信用代码", "统一社会信用代码", "holder_free"),
        ("销售方纳税人识别号", "纳税人识别号", "holder_free"),
        # a person's holder-free elements bind after any word, as before
        ("婚姻咨询电话", "联系电话", "holder_free"),
        # GB/T 2659: a country or region, by code or by name, is a 国籍
        ("国家地区名称", "国籍", "core"),
        ("国家和地区", "国籍", "core"),
        ("所属国家或地区", "国籍", "leading"),
    ],
)
def test_code_and_country_readings_that_bind_automatically(index, name, expected, how):
    best = index.suggest(name)[0]
    assert (best.name, best.match, best.auto) == (expected, how, True)


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        # a framework's department table numbers its departments itself (GB/T 10113: 编码 is
        # giving codes; GB 11714 names its code 代码)
        ("机构编码", "组织机构代码"),
        ("统一社会信用编码", "统一社会信用代码"),
        # an activity before an organization's code says neither whose nor whose numbering
        ("签约组织机构代码", "组织机构代码"),
        ("审批统一社会信用代码", "统一社会信用代码"),
    ],
)
def test_code_readings_left_for_review(index, name, suggested):
    suggestions = index.suggest(name, limit=3)
    assert suggestions[0].name == suggested
    assert not any(s.auto for s in suggestions)


def test_the_code_words_and_holder_classes_are_the_rules_data(index):
    # without the two rules of name_rules.yaml, the older readings come back: the rules decide
    rules = dataclasses.replace(
        index.rules, system_code_word="", issued_code_word="", holder_stated_classes=frozenset()
    )
    plain = Index(index.elements.values(), rules=rules)
    assert plain.suggest("机构编码")[0].auto
    assert plain.suggest("签约组织机构代码")[0].auto
    assert index.rules.system_code_word == "编码"
    assert "法人和其他组织" in index.rules.holder_stated_classes
