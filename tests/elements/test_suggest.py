"""Binding suggestions: ranking on the shipped seed (no database), type and length
compatibility, value-domain rules, and the data_element_suggest action over the site's register,
whose in-memory index follows the register's changes."""

from __future__ import annotations

import ckan.model as core_model
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog.elements import formats, register
from ckanext.govcatalog.elements.suggest import Index


def top(index: Index, name: str, **kwargs):
    return index.suggest(name, **kwargs)[0]


def test_a_common_alias_binds_automatically_to_the_standard_element(index):
    best = top(index, "身份证号")
    assert (best.name, best.identifier, best.auto) == ("公民身份号码", "GMSFHM", True)
    assert best.confidence >= 0.9


def test_a_colloquial_role_name_binds_to_the_legal_representative(index):
    best = top(index, "法人代表")
    assert (best.name, best.auto) == ("法定代表人姓名", True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ＧＭＳＦＨＭ", "公民身份号码"),  # the identifier, typed full-width
        ("身份证号码 ", "公民身份号码"),  # a trailing space
        ("行政相对人代码_5 (居民身份证号)", "公民身份号码"),  # the bracket names it
        ("注册资本（万元）", "注册资本"),  # a unit in brackets
        ("项目代码", "项目编号"),  # 代码 / 编号 are one suffix
        ("申请单位地址", "地址"),  # the holder before the property
        ("监护人身份证号", "公民身份号码"),  # a role before the property
        ("法人姓名", "法定代表人姓名"),  # 法人 as a person is the legal representative
        ("注册资本【万元】", "注册资本"),  # a unit in other brackets
        ("注册资本万元", "注册资本"),  # a unit written without brackets
        ("所在街道", "乡镇（街道）名称"),  # 街道 is the 乡镇（街道） level
        ("乡镇/街道", "乡镇（街道）名称"),  # R6: every part names the same element
        ("最高文化程度", "学历"),  # 文化程度 = 学历
        ("工作单位电话", "联系电话"),  # the holder is a role's organization
        ("（身份证号）", "公民身份号码"),  # a name written wholly in brackets is the name
        ("【姓名】", "姓名"),
        ("身分证号", "公民身份号码"),  # 身分 is 身份 in another writing, not some certificate
    ],
)
def test_normalised_readings_bind_automatically(index, name, expected):
    best = top(index, name)
    assert (best.name, best.auto) == (expected, True)


def test_an_identifier_in_a_date_column_does_not_bind(index):
    suggestions = index.suggest("身份证号", data_type="D", length=8)
    best = next(s for s in suggestions if s.name == "公民身份号码")
    assert best.fits is False and best.auto is False and best.confidence < 0.5


def test_a_birth_date_binds_to_a_date_column_but_not_to_an_18_character_one(index):
    as_date = top(index, "出生日期", data_type="D", length=8)
    assert (as_date.name, as_date.auto, as_date.fits) == ("出生日期", True, True)
    as_text_date = top(index, "出生日期", data_type="C", length=10)  # 2024-01-01
    assert as_text_date.auto is True
    as_id = index.suggest("出生日期", data_type="C", length=18)
    assert not any(s.auto for s in as_id)
    assert next(s for s in as_id if s.name == "出生日期").fits is False


def test_a_short_column_cannot_hold_an_18_character_code(index):
    best = index.suggest("统一社会信用代码", data_type="C", length=9)[0]
    assert best.auto is False and best.fits is False


def test_unrelated_or_composite_names_are_not_bound_automatically(index):
    assert index.suggest("入库数据名称") == [] or not index.suggest("入库数据名称")[0].auto
    composite = index.suggest("住所/经营场所")
    assert composite and not composite[0].auto
    parts_differ = index.suggest("姓名/性别")  # each part binds, but not to one element
    assert parts_differ and not parts_differ[0].auto
    street_address = index.suggest("街道地址")  # a street's address is no 乡镇（街道）
    assert not street_address or not street_address[0].auto
    assert index.suggest("") == []


def test_fuzzy_and_partial_matches_are_ranked_but_left_for_review(index):
    # the ending 居住地址 is made by an equivalence (居住证地址 -> 居住地址), not written, after a
    # word that names no holder of it
    suggestions = index.suggest("出租房屋居住证地址", limit=3)
    assert suggestions[0].name == "居住地址" and suggestions[0].auto is False
    ranked = [s.confidence for s in suggestions]
    assert ranked == sorted(ranked, reverse=True) and all(0 <= c <= 1 for c in ranked)


def test_formats_and_value_rules():
    assert formats.parse_format("c..50") == formats.Format("text", None, 50)
    assert formats.parse_format("n..18,2") == formats.Format("number", None, 18, 2)
    assert formats.parse_format("d8") == formats.Format("date", 8, 8)
    assert formats.parse_format("c..5,2") is None and formats.parse_format("q8") is None
    assert formats.check_value("gb11643", "11010519491231002X")
    assert not formats.check_value("gb11643", "110105194912310021")
    assert formats.check_value("gb32100", "91350100M000100Y43")
    assert not formats.check_value("gb32100", "91350100M000100Y44")
    assert formats.check_value("division12", "610922100000")
    assert formats.check_value("date", "2024-02-29") and not formats.check_value("date", "20230229")


@pytest.mark.usefixtures("with_plugins")
def test_the_action_suggests_from_the_register_and_follows_its_changes(seeded):
    found = call_action("data_element_suggest", name="身份证号", limit=3)
    assert found[0]["id"] == "DE00001" and found[0]["auto"] is True
    assert set(found[0]) >= {"id", "name", "identifier", "confidence", "auto"}
    # the site's index reads each element's 对象类 and 表示 from the register: a holder before a
    # property of its class, a coded element named with 代码 (test_suggest_holders.py)
    for name, element_id in (("申报旅行社英文名称", "DE00124"), ("职业类别代码", "DE00012")):
        best = call_action("data_element_suggest", name=name, limit=1)[0]
        assert (best["id"], best["auto"]) == (element_id, True)
    assert not call_action("data_element_suggest", name="居民身份证件编码X")[0]["auto"]
    register.update("DE00001", {"synonyms": ["身份证号", "居民身份证件编码X"]}, "u")
    core_model.Session.commit()
    assert call_action("data_element_suggest", name="居民身份证件编码X")[0]["auto"] is True
    # drafts are not offered
    register.update("DE00001", {"status": "草稿"}, "u")
    core_model.Session.commit()
    assert all(s["id"] != "DE00001" for s in call_action("data_element_suggest", name="身份证号"))
