"""Masking of personal information: the rules read from schemas/masking.yaml, which columns are
personal (the item's 涉及个人信息 flag, or a bound element's 个人信息 / 敏感个人信息 flags), and the
masks applied to answers in every records_format."""

from __future__ import annotations

import datetime as dt

import ckan.model as core_model
import pytest

from ckanext.govcatalog.elements.model import DataElement
from ckanext.govcatalog.tabular import masking

ID_NUMBER = "610924199003151234"


def test_methods_come_from_the_schema_file():
    rules = masking.rules()
    assert rules.method_for("公民身份号码").apply(ID_NUMBER) == "610924********1234"
    assert rules.method_for("联系电话").apply("13912345678") == "139****5678"
    assert rules.method_for("姓名").apply("张三丰") == "张**"
    # no rule names the item: every character hidden
    assert rules.method_for("救助类别").apply("低保") == "**"


@pytest.mark.parametrize(
    ("value", "masked"),
    [("", ""), (None, None), ("12345", "*****"), ("1234567890", "**********"), (42, "**")],
)
def test_short_values_never_show_through(value, masked):
    assert masking.Method(6, 4).apply(value) == masked


def test_a_file_without_a_default_method_is_refused(tmp_path):
    path = tmp_path / "masking.yaml"
    path.write_text("methods: {id_number: {keep_start: 6, keep_end: 4}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="default"):
        masking._load(str(path))


def test_rules_name_only_known_methods(tmp_path):
    path = tmp_path / "masking.yaml"
    path.write_text(
        "methods: {default: {keep_start: 0, keep_end: 0}}\n"
        "rules: [{method: nope, words: [姓名]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="nope"):
        masking._load(str(path))


def test_records_are_masked_in_every_format():
    masks = {"公民身份号码": masking.rules().method_for("公民身份号码")}
    fields = ["_id", "公民身份号码", "性别"]
    objects = [{"_id": 1, "公民身份号码": ID_NUMBER, "性别": "男"}]
    assert masking.mask_records(objects, fields, masks, "objects") == [
        {"_id": 1, "公民身份号码": "610924********1234", "性别": "男"}
    ]
    lists = [[1, ID_NUMBER, "男"]]
    assert masking.mask_records(lists, fields, masks, "lists") == [[1, "610924********1234", "男"]]
    csv_text = f'1,{ID_NUMBER},"男, 汉族"\n'
    assert masking.mask_records(csv_text, fields, masks, "csv") == (
        '1,610924********1234,"男, 汉族"\n'
    )
    tsv_text = f"1\t{ID_NUMBER}\t男\n"
    assert masking.mask_records(tsv_text, fields, masks, "tsv") == "1\t610924********1234\t男\n"
    assert ID_NUMBER not in str(masking.mask_records(objects, fields, masks, "objects"))


def _element(element_id: str, personal: bool, sensitive: bool) -> None:
    now = dt.datetime.utcnow()
    core_model.Session.add(
        DataElement(
            id=element_id,
            name=f"元素{element_id}",
            identifier=f"ID{element_id}",
            synonyms=[],
            data_type="C",
            format="c..50",
            personal_info=personal,
            sensitive_personal_info=sensitive,
            data_grade="一般数据",
            status="已发布",
            version=1,
            created=now,
            modified=now,
        )
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_personal_columns_follow_the_item_flag_and_the_bound_element():
    _element("DE90001", personal=True, sensitive=False)
    _element("DE90002", personal=False, sensitive=True)
    _element("DE90003", personal=False, sensitive=False)
    core_model.Session.commit()
    items = [
        {"name": "姓名", "personal_info": "yes"},
        {"name": "联系电话", "personal_info": "no", "element_id": "DE90001"},
        {"name": "救助类别", "element_id": "DE90002"},
        {"name": "行政区划", "personal_info": "no", "element_id": "DE90003"},
        {"name": "备注", "personal_info": "no"},
        {"name": "", "personal_info": "yes"},
    ]
    personal = masking.personal_items(items)
    assert set(personal) == {"姓名", "联系电话", "救助类别"}
    assert personal["联系电话"].apply("13912345678") == "139****5678"
