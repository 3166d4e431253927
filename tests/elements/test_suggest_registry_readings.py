"""Binding readings of the columns of registration and public-service systems (no database):
the parties of a real-estate registration (TD/T 1066: 权利人, 义务人) before a property, 登簿 as
registration (不动产登记暂行条例 art. 21), measured and predicted areas (GB/T 17986), a coded
element shown by its code's text, any official document's 文号, a place word before 地址, the
division code of a county, review opinions of any stage (R12), the update time of a record; and
what stays for review: a person's property after an organization (单位证件类型), lists and
questions (是否)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # R4 with TD/T 1066's parties: the general element of the property
        ("义务人证件号码", "证件号码"),
        ("权利人通讯地址", "通讯地址"),
        ("义务人联系电话", "联系电话"),
        ("权利人委托代理人姓名", "代理人姓名"),
        # registration is complete when entered in the register
        ("登簿时间", "登记日期"),
        # GB/T 17986: measured or predicted, a building's area
        ("预测建筑面积", "建筑面积"),
        ("总建筑面积", "建筑面积"),
        # the code's text of a coded element
        ("证件类型名称", "证件类型"),
        ("民族名称", "民族"),
        # R10: any official document's number, a notice's too
        ("解除查封文号", "文号"),
        # GB/T 37346: a unit's code whoever's it is
        ("抵押不动产单元号", "不动产单元号"),
        # a place word written before 地址
        ("户籍地地址", "户籍地址"),
        ("经营地地址", "经营地址"),
        # GB/T 2260: a county's code is a division code
        ("所在区县代码", "行政区划代码"),
        # R12: opinions of any stage
        ("复核意见", "审核意见"),
        # a record's modification is its data's update
        ("最后修改时间", "数据更新时间"),
        # the Chinese name is the name
        ("单位中文全称", "机构名称"),
        # TD/T 1066's columns
        ("业务号", "办件编号"),
        ("附记", "备注"),
        # GB/T 2659: one code list for countries and regions
        ("国籍或地区", "国籍"),
        # R10: a registration certificate's number
        ("登记证明号", "证照编号"),
    ],
)
def test_registry_and_service_readings_bind_automatically(index, name, expected):
    best = index.suggest(name)[0]
    assert (best.name, best.auto) == (expected, True), index.suggest(name)


@pytest.mark.parametrize(
    ("name", "not_auto"),
    [
        # an organization's 证件 is a licence, not an identity document (R4, R10)
        ("单位证件类型", "证件类型"),
        ("部门证件号", "证件号码"),
        ("企业证件号码", "证件号码"),
        ("单位身份证号码", "公民身份号码"),
        # lists hold several values (R6)
        ("权利人列表", "姓名"),
        ("一个单元对应的所有的不动产权证号", "证照编号"),
        # a record's modifier is nobody's element
        ("修改人", "数据更新时间"),
        # a question holds yes or no (R1)
        ("是否有经纬度", "纬度"),
        ("有无身份证号码", "公民身份号码"),
        ("所长是否进乡镇（街道）班子", "乡镇（街道）名称"),
    ],
)
def test_readings_that_stay_for_review(index, name, not_auto):
    suggestions = index.suggest(name, limit=5)
    assert not any(s.auto and s.name == not_auto for s in suggestions), suggestions


def test_a_person_in_an_organization_still_holds_a_persons_property(index):
    # the organization names whose person it is; the person holds the number
    best = index.suggest("单位负责人身份证号")[0]
    assert (best.name, best.auto) == ("公民身份号码", True)
    best = index.suggest("企业法人证件号码")[0]
    assert (best.name, best.auto) == ("证件号码", True)


def test_the_decisions_keep_their_own_document_number_elements(index):
    assert index.suggest("行政处罚决定书文号")[0].name == "行政处罚决定书文号"
    assert index.suggest("行政许可决定书文号")[0].name == "行政许可决定书文号"
