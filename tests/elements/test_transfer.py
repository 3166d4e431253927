"""The register from and to files: the seed, and the YAML and Excel round trips of
``ckan govcatalog elements``; an import with one refused element imports nothing; an import
that deprecates a bound element warns as data_element_update does."""

from __future__ import annotations

import ckan.model as core_model
import pytest
import yaml
from ckan.cli.cli import ckan as ckan_cli

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.elements import register, terms, transfer
from ckanext.govcatalog.elements.model import DataElement
from tests import factories
from tests.elements.conftest import element_data

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def live_count() -> int:
    core_model.Session.rollback()
    return len(register.all_live())


def test_the_seed_loads_the_common_elements_once(cli):
    result = cli.invoke(ckan_cli, ["govcatalog", "elements", "seed"])
    assert result.exit_code == 0, result.output
    published = register.all_live(terms.public_statuses())
    assert len(published) >= 150
    by_name = {e.name: e for e in published}
    for name in (
        "公民身份号码",
        "姓名",
        "性别",
        "出生日期",
        "民族",
        "统一社会信用代码",
        "组织机构代码",
        "法定代表人姓名",
        "联系电话",
        "邮政编码",
        "户籍地址",
        "居住地址",
    ):
        assert name in by_name, name
    citizen_id = by_name["公民身份号码"]
    assert (citizen_id.id, citizen_id.identifier, citizen_id.format) == ("DE00001", "GMSFHM", "c18")
    assert citizen_id.value_rule == "gb11643" and citizen_id.sensitive_personal_info
    assert by_name["性别"].code_table == "sex"
    records = chain.count()
    again = cli.invoke(ckan_cli, ["govcatalog", "elements", "seed"])
    assert again.exit_code == 0 and f"unchanged {len(published)}" in again.output
    assert chain.count() == records  # nothing changed, nothing recorded


def test_yaml_export_and_import_round_trip(cli, seeded, tmp_path):
    out = tmp_path / "register.yaml"
    assert (
        cli.invoke(ckan_cli, ["govcatalog", "elements", "export", "--out", str(out)]).exit_code == 0
    )
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))["elements"]
    assert len(exported) == live_count() and exported[0]["id"] == "DE00001"
    result = cli.invoke(ckan_cli, ["govcatalog", "elements", "import", str(out)])
    assert result.exit_code == 0 and "created 0, updated 0" in result.output, result.output
    exported[0]["synonyms"].append("身份号码（公民）")
    exported.append({"name": "测试新增数据元", "data_type": "C", "format": "c..10"})
    out.write_text(yaml.safe_dump({"elements": exported}, allow_unicode=True), encoding="utf-8")
    result = cli.invoke(ckan_cli, ["govcatalog", "elements", "import", str(out)])
    assert "created 1, updated 1" in result.output, result.output
    assert "身份号码（公民）" in register.get("DE00001").synonyms
    assert register.get("DE00001").version == 2


def test_excel_export_and_import_round_trip(seeded):
    data = transfer.export_workbook()
    records = transfer.read_workbook(data)
    assert len(records) == live_count()
    first = records[0]
    assert first["id"] == "DE00001" and first["sensitive_personal_info"] is True
    assert "身份证号" in first["synonyms"]
    result = transfer.import_records(records, "u")
    assert (len(result.created), len(result.updated)) == (0, 0)


def test_an_import_with_a_refused_element_imports_nothing(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "elements": [
                    {"name": "甲号码", "synonyms": ["同名"], "data_type": "C", "format": "c..9"},
                    {"name": "乙号码", "synonyms": ["同名"], "data_type": "C", "format": "c..9"},
                    {"name": "丙日期", "data_type": "D", "format": "c18"},
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    result = cli.invoke(ckan_cli, ["govcatalog", "elements", "import", str(bad)])
    assert result.exit_code == 1
    assert "乙号码" in result.output and "DE00001 甲号码" in result.output
    assert "丙日期" in result.output
    core_model.Session.rollback()
    assert core_model.Session.query(DataElement).count() == 0 and chain.count() == 0


def _write_elements(path, records: list[dict]) -> str:
    path.write_text(yaml.safe_dump({"elements": records}, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_an_import_deprecating_a_bound_element_warns_like_the_update_action(
    cli, tmp_path, clean_index
):
    def published(name: str) -> DataElement:
        return register.create(element_data(name=name, synonyms=[], status="已发布"), "u")

    successor, old, lone = published("测试新证号"), published("测试旧证号"), published("测试旧编号")
    core_model.Session.commit()

    def bound(name: str, element: DataElement) -> dict:
        return dict(factories.data_item(name), element_id=element.id)

    factories.Entry(title="持证人员名册", data_items=[bound("旧证号", old), bound("旧编号", lone)])
    factories.Entry(title="从业人员名册", data_items=[bound("证号", old)])
    deprecate = _write_elements(
        tmp_path / "deprecate.yaml",
        [
            {"id": old.id, "status": "已废止", "replaced_by": successor.id},
            # no successor: data_element_update takes that (bindings stay), so an import does too
            {"id": lone.id, "status": "已废止"},
        ],
    )
    result = cli.invoke(ckan_cli, ["govcatalog", "elements", "import", deprecate])
    assert result.exit_code == 0 and "updated 2" in result.output, result.output
    lines = result.output.splitlines()
    (old_warning,) = [line for line in lines if f"{old.id} 测试旧证号" in line]
    assert "is deprecated while 2 data items of 2 entries" in old_warning
    assert "持证人员名册: 旧证号" in old_warning and "从业人员名册: 证号" in old_warning
    assert f"use {successor.id} 测试新证号 instead" in old_warning
    (lone_warning,) = [line for line in lines if f"{lone.id} 测试旧编号" in line]
    assert "1 data items of 1 entries" in lone_warning and "instead" not in lone_warning
    core_model.Session.rollback()
    assert {register.get(e.id).status for e in (old, lone)} == {"已废止"}
    # the action's warning for the same change is the same text
    assert old_warning == register.retirement_warning(register.get(old.id), "已发布")

    # importing the same file again changes nothing and warns of nothing
    again = cli.invoke(ckan_cli, ["govcatalog", "elements", "import", deprecate])
    assert again.exit_code == 0 and "unchanged 2" in again.output
    assert "deprecated" not in again.output, again.output
