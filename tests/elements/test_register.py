"""The register: ids, identifiers, versions and history, one element per name, deprecation,
deletion, and the audit records every change leaves; refused changes write nothing."""

from __future__ import annotations

import json

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import pytest

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.elements import register
from ckanext.govcatalog.elements.binding import BoundItem, bound_items
from ckanext.govcatalog.elements.model import DataElement, DataElementName, DataElementVersion
from tests.elements.conftest import element_data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def create(actor: str | None = "tester", **overrides) -> DataElement:
    element = register.create(element_data(**overrides), actor)
    core_model.Session.commit()
    return element


def audit_actions(element_id: str) -> list[str]:
    core_model.Session.rollback()
    return [r.action for r in chain.records(object_id=element_id)]


def messages(error: tk.ValidationError) -> str:
    return " ".join(str(m) for msgs in error.value.error_dict.values() for m in msgs)


def test_a_new_element_gets_the_next_id_pinyin_initials_and_a_first_version():
    first = create()
    second = create(name="测试许可编号", synonyms=[])
    assert (first.id, second.id) == ("DE00001", "DE00002")
    assert first.identifier == "CSZZHM"
    assert first.version == 1 and first.status == "草稿" and first.data_grade == "一般数据"
    rows = register.versions(first.id)
    assert [(v.version, v.change) for v in rows] == [(1, "create")]
    assert rows[0].data["synonyms"] == ["测试证号"]


def test_an_identifier_taken_by_another_element_gets_a_number():
    create(name="测试证照号码", synonyms=[])
    twin = create(name="测试证照红码", synonyms=[])  # the same initials CSZZHM
    assert twin.identifier == "CSZZHM2"
    with pytest.raises(tk.ValidationError) as refused:
        create(name="另一个", synonyms=[], identifier="cszzhm")
    assert "CSZZHM" in messages(refused)


def test_a_change_is_a_new_version_and_the_same_values_are_none():
    element = create()
    register.update(element.id, {"synonyms": ["测试证号", "测试证件号"], "status": "已发布"}, "u2")
    core_model.Session.commit()
    register.update(element.id, {"synonyms": "测试证号、测试证件号"}, "u3")  # same, as text
    core_model.Session.commit()
    rows = register.versions(element.id)
    assert [(v.version, v.change, v.actor) for v in rows] == [
        (2, "update", "u2"),
        (1, "create", "tester"),
    ]
    assert rows[0].changed_fields == ["synonyms", "status"]
    assert rows[0].data["synonyms"] == ["测试证号", "测试证件号"]
    assert rows[1].data["synonyms"] == ["测试证号"]  # the old version is kept as it was
    assert audit_actions(element.id) == ["data_element_create", "data_element_update"]


def test_the_audit_record_binds_the_version_and_names_the_actor():
    element = create(actor="data-officer")
    core_model.Session.rollback()
    (record,) = chain.records(object_id=element.id)
    assert record.object_type == "data_element" and record.actor == "data-officer"
    assert record.payload["version"] == 1 and record.payload["name"] == "测试证照号码"
    assert len(record.payload["digest"]) == 64
    assert chain.verify().ok


def test_a_synonym_belongs_to_one_element_and_a_clash_writes_nothing():
    owner = create(name="公民身份号码", synonyms=["身份证号"], format="c18")
    before = (core_model.Session.query(DataElement).count(), chain.count())
    for clash in ("身份证号", " 身份证号 ", "身份证号\u3000"):  # spaces, also full-width
        with pytest.raises(tk.ValidationError) as refused:
            register.create(element_data(name="居民身份证号码", synonyms=[clash]), "u")
        core_model.Session.rollback()
        assert f"{owner.id} 公民身份号码" in messages(refused)
    with pytest.raises(tk.ValidationError) as refused:
        register.create(element_data(name="身份证号", synonyms=[]), "u")
    core_model.Session.rollback()
    assert "身份证号" in messages(refused) and owner.id in messages(refused)
    assert (core_model.Session.query(DataElement).count(), chain.count()) == before


def test_an_update_cannot_take_another_elements_synonym():
    create(name="公民身份号码", synonyms=["身份证号"], format="c18")
    other = create(name="证件号码", synonyms=["证件号"])
    with pytest.raises(tk.ValidationError) as refused:
        register.update(other.id, {"synonyms": ["证件号", "身份证号"]}, "u")
    core_model.Session.rollback()
    assert "DE00001 公民身份号码" in messages(refused)
    assert register.get(other.id).synonyms == ["证件号"] and register.get(other.id).version == 1


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("format", "d8", "does not suit"),
        ("format", "x18", "Unknown representation format"),
        ("data_type", "Q", "Unknown data type"),
        ("value_rule", "gb99999", "Unknown value rule"),
        ("status", "审核中", "Unknown status"),
        ("data_grade", "绝密", "Unknown data grade"),
        ("source_org", "no-such-department", "Unknown organization"),
        ("replaced_by", "DE09999", "Unknown data element"),
    ],
)
def test_bad_fields_are_refused_with_a_message(field, value, expected):
    with pytest.raises(tk.ValidationError) as refused:
        register.create(element_data(**{field: value}), "u")
    core_model.Session.rollback()
    assert field in refused.value.error_dict and expected in messages(refused)
    assert core_model.Session.query(DataElement).count() == 0


def test_a_rule_and_a_code_table_together_are_refused():
    with pytest.raises(tk.ValidationError) as refused:
        register.create(element_data(value_rule="date", code_table="sex"), "u")
    assert "either a rule or a code table" in messages(refused)


def test_sensitive_personal_information_is_personal_information():
    element = create(sensitive_personal_info=True, personal_info=False)
    assert element.personal_info is True


def test_only_published_elements_can_be_bound_and_a_deprecated_one_names_its_successor():
    new = create(name="新证照号码", synonyms=[], status="已发布")
    old = create(name="旧证照号码", synonyms=[], status="已废止", replaced_by=new.id)
    draft = create(name="草稿证照号码", synonyms=[])
    assert register.bindable(new.id.lower()) is new
    with pytest.raises(tk.ValidationError) as refused:
        register.bindable(old.id)
    assert f"{old.id} 旧证照号码" in messages(refused) and f"{new.id} 新证照号码" in messages(
        refused
    )
    with pytest.raises(tk.ValidationError) as refused:
        register.bindable(draft.id)
    assert "not published" in messages(refused)
    with pytest.raises(tk.ValidationError) as refused:
        register.bindable("DE77777")
    assert "DE77777" in messages(refused)


def test_a_deprecated_element_stays_bindable_only_where_it_is_bound_already():
    new = create(name="新证照号码", synonyms=[], status="已发布")
    old = create(name="旧证照号码", synonyms=[], status="已废止", replaced_by=new.id)
    draft = create(name="草稿证照号码", synonyms=[])
    assert register.bindable(old.id, kept=True) is old
    # kept keeps a deprecated binding only: a draft or unknown element is refused all the same
    with pytest.raises(tk.ValidationError):
        register.bindable(draft.id, kept=True)
    with pytest.raises(tk.ValidationError):
        register.bindable("DE77777", kept=True)


def test_deprecating_a_bound_element_warns_naming_how_many_items_and_entries_hold_it():
    element = create(status="已发布")

    def three_items(element_id: str) -> list[BoundItem]:
        return [
            BoundItem("p1", "entry-1", "低保对象名册", "org", "证照号"),
            BoundItem("p1", "entry-1", "低保对象名册", "org", "监护人证照号"),
            BoundItem("p2", "entry-2", "残疾人名册", "org", "证照编号"),
        ]

    def none(element_id: str) -> list[BoundItem]:
        return []

    register.update(element.id, {"status": "已废止"}, "u")
    warning = register.retirement_warning(element, "已发布", bound=three_items)
    assert warning is not None
    assert f"{element.id} 测试证照号码" in warning and "3 data items of 2 entries" in warning
    assert "低保对象名册: 监护人证照号" in warning and "残疾人名册: 证照编号" in warning
    # no warning when nothing is bound, when it was deprecated already, or when not deprecated
    assert register.retirement_warning(element, "已发布", bound=none) is None
    assert register.retirement_warning(element, "已废止", bound=three_items) is None
    register.update(element.id, {"status": "已发布"}, "u")
    assert register.retirement_warning(element, "已发布", bound=three_items) is None
    core_model.Session.rollback()


def test_an_element_still_bound_cannot_be_deleted():
    element = create()

    def two_items(element_id: str) -> list[BoundItem]:
        return [
            BoundItem("p1", "entry-1", "低保对象名册", "org", "证照号"),
            BoundItem("p2", "entry-2", "残疾人名册", "org", "证照编号"),
        ]

    with pytest.raises(tk.ValidationError) as refused:
        register.delete(element.id, "u", bound=two_items)
    core_model.Session.rollback()
    text = messages(refused)
    assert f"{element.id} 测试证照号码" in text and "低保对象名册: 证照号" in text and "2" in text
    assert register.get(element.id) is not None and register.get(element.id).version == 1


def test_bound_items_are_read_from_the_entries_data_items():
    element = create()
    items = [{"name": "证照号", "element_id": element.id}, {"name": "姓名"}]
    pkg = core_model.Package(name="bound-entry", title="持证人员名册", type="dataset")
    pkg.extras = {"data_items": json.dumps(items, ensure_ascii=False)}
    mention = core_model.Package(name="mention-entry", title="说明", type="dataset")
    mention.extras = {"data_items": json.dumps([{"name": f"见 {element.id}"}])}
    core_model.Session.add_all([pkg, mention])
    core_model.Session.commit()
    found = bound_items(element.id)
    assert [(i.package_name, i.item_name) for i in found] == [("bound-entry", "证照号")]
    with pytest.raises(tk.ValidationError):
        register.delete(element.id, "u")
    core_model.Session.rollback()


def test_a_deleted_element_frees_its_names_and_its_id_is_never_reused():
    element = create(name="测试证照号码", synonyms=["测试证号"])
    register.delete(element.id, "u")
    core_model.Session.commit()
    assert register.get(element.id) is None
    assert register.get(element.id, include_deleted=True).version == 2
    assert core_model.Session.query(DataElementName).count() == 0
    again = create(name="测试证照号码", synonyms=["测试证号"])
    assert again.id == "DE00002"
    assert audit_actions(element.id) == ["data_element_create", "data_element_delete"]
    assert [v.change for v in register.versions(element.id)] == ["delete", "create"]
    assert core_model.Session.query(DataElementVersion).count() == 3
