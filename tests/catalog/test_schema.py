"""The schemas (catalog entry, information system, organization), their
vocabularies, and the pages that show them, in English and Chinese."""

from __future__ import annotations

import ast
import os
import re
from typing import Any

import ckan
import polib
import pytest
from ckan.tests.helpers import call_action

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog import codes
from tests import factories

PKG = os.path.join(
    os.path.dirname(__file__), "..", "..", "ckanext-govcatalog", "ckanext", "govcatalog"
)


@pytest.fixture
def app(shared_app):
    """The module's one app (tests/conftest.py): plugins load once for the module."""
    return shared_app


SPEC_FIELDS = [
    "title",
    "notes",
    "resource_code",
    "catalog_class",
    "catalog_item",
    "catalog_entry",
    "catalog_subentry",
    "owner_org",
    "format_category",
    "format_type",
    "data_items",
    "share_type",
    "share_condition",
    "share_mode",
    "open_type",
    "open_condition",
    "update_cycle",
    "publish_date",
    "related_resource_codes",
    "data_grade",
    "secret",
    "region_code",
    "source_org",
    "steward",
    "source_system",
    "last_data_update",
    "tag_string",
    "theme",
    "temporal_coverage",
    "license_id",
]


def _fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["field_name"]: f for f in schema.get("dataset_fields") or schema["fields"]}


@pytest.mark.usefixtures("shared_plugins")
class TestSchemas:
    def test_both_dataset_types_are_loaded(self):
        assert set(call_action("scheming_dataset_schema_list")) == {"dataset", "info_system"}

    def test_catalog_entry_has_every_spec_field(self):
        fields = _fields(call_action("scheming_dataset_schema_show", type="dataset"))
        assert [f for f in SPEC_FIELDS if f not in fields] == []
        items = [f["field_name"] for f in fields["data_items"]["repeating_subfields"]]
        assert items == [
            "name",
            "data_type",
            "length",
            "description",
            "personal_info",
            "element_id",
        ]

    def test_info_system_fields(self):
        fields = _fields(call_action("scheming_dataset_schema_show", type="info_system"))
        for name in (
            "title",
            "name",
            "notes",
            "owner_org",
            "build_level",
            "maintainer_org",
            "system_status",
            "user_orgs",
            "url",
            "sso_supported",
        ):
            assert name in fields

    def test_organization_fields(self):
        fields = _fields(call_action("scheming_organization_schema_show", type="organization"))
        for name in ("org_code", "division_code", "org_level", "parent_org"):
            assert name in fields

    @pytest.mark.parametrize("schema_type", ["dataset", "info_system"])
    def test_every_label_is_bilingual_and_choices_come_from_vocabularies(self, schema_type):
        schema = call_action("scheming_dataset_schema_show", type=schema_type)
        fields = list(_fields(schema).values())
        fields += [s for f in fields for s in f.get("repeating_subfields", [])]
        for f in fields:
            assert set(f["label"]) == {"zh_Hans_CN", "en"}, f["field_name"]
            assert "choices" not in f, f"{f['field_name']} lists literal choices"
            if f.get("choices_helper") == "govcatalog_choices":
                name = vocab.field_vocabulary(f)
                assert name in vocab.vocabulary_names(), name

    def test_api_values_of_sharing_levels(self):
        assert vocab.values("share_type") == ["unconditional", "conditional", "none"]
        assert vocab.values("open_type") == ["open", "conditional", "closed"]

    def test_vocabulary_labels_are_bilingual(self):
        for name in vocab.vocabulary_names():
            for e in vocab.entries(name):
                assert set(e["label"]) == {"zh_Hans_CN", "en"}, (name, e["value"])

    def test_every_item_has_a_code(self):
        table = codes.code_table()["classes"]
        for e in vocab.entries("catalog_item"):
            assert e["value"] in table[e["class"]]["items"], e["value"]
        assert set(table) == set(vocab.values("catalog_class"))


def _msgids_in_code() -> set[str]:
    out: set[str] = set()
    for rel in (
        "catalog/field_rules.py",
        "catalog/entry_rules.py",
        "catalog/package_names.py",
        "catalog/codes.py",
    ):
        with open(os.path.join(PKG, rel), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant):
                fn = n.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
                if name in ("_", "CodeError"):
                    out.add(n.args[0].value)
    for rel in (
        "templates/scheming/package/snippets/catalog_card.html",
        "templates/scheming/package/snippets/info_system_card.html",
        "templates/organization/snippets/govcatalog_tree.html",
    ):
        with open(os.path.join(PKG, rel), encoding="utf-8") as f:
            out.update(re.findall(r"_\('([^']*)'\)", f.read()))
    return out


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(os.path.join(PKG, "i18n", "src", "zh_Hans_CN", "catalog.po"))
    translated = {e.msgid for e in po if e.msgstr}
    # messages worded exactly as CKAN's own (e.g. "Missing value") are translated by CKAN
    ckan_po = os.path.join(os.path.dirname(ckan.__file__), "i18n", "zh_Hans_CN", "LC_MESSAGES")
    translated |= {e.msgid for e in polib.pofile(os.path.join(ckan_po, "ckan.po")) if e.msgstr}
    missing = sorted(_msgids_in_code() - translated)
    assert missing == []


def _all_msgids() -> dict[str, set[str]]:
    """msgid -> files, of every _('...') in the plugin's templates and every _()/tk._() call
    with a literal in its modules."""
    import glob

    found: dict[str, set[str]] = {}
    for path in glob.glob(os.path.join(PKG, "templates", "**", "*.html"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for quote, msgid in re.findall(r"""_\(\s*(['"])((?:\\.|(?!\1).)*)\1\s*[,)]""", text):
            msgid = msgid.replace("\\" + quote, quote)
            found.setdefault(msgid, set()).add(os.path.relpath(path, PKG))
    for path in glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant):
                fn = n.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
                if name == "_" and isinstance(n.args[0].value, str):
                    found.setdefault(n.args[0].value, set()).add(os.path.relpath(path, PKG))
    return found


def test_every_message_of_the_plugin_reads_in_chinese():
    # every page, error and report string: from our catalogs or CKAN's own (zh_Hans_CN)
    import glob

    import ckan

    ours: set[str] = set()
    for po_path in glob.glob(os.path.join(PKG, "i18n", "src", "zh_Hans_CN", "*.po")):
        ours |= {e.msgid for e in polib.pofile(po_path) if e.msgstr}
    ckan_po = os.path.join(
        os.path.dirname(ckan.__file__), "i18n", "zh_Hans_CN", "LC_MESSAGES", "ckan.po"
    )
    ckans = {e.msgid for e in polib.pofile(ckan_po) if e.msgstr}
    no_words = re.compile(r"^[\W\d_]*$|^(CSV|JSON Lines|XLSX|DCAT|API)$")
    missing = {
        msgid: sorted(files)
        for msgid, files in _all_msgids().items()
        if msgid not in ours
        and msgid not in ckans
        and not no_words.match(msgid)
        and not re.search(r"[\u4e00-\u9fff]", msgid)
    }
    assert missing == {}


@pytest.fixture
def world(county_and_department: dict[str, Any]) -> dict[str, Any]:
    """The police department's entry "people", collected by its information system."""
    admin = county_and_department["admin"]
    factories.InfoSystem(
        user=admin,
        name="sys-people",
        title="人口信息管理系统",
        owner_org="dept-police",
        build_level="provincial",
        system_status="in_use",
        user_orgs=["county", "dept-police"],
        sso_supported="yes",
    )
    pkg = factories.Entry(
        user=admin,
        owner_org="dept-police",
        name="people",
        source_system="sys-people",
        open_type="conditional",
        open_condition="实名注册后开放汇总数据",
    )
    return {"admin": admin, "pkg": pkg}


@pytest.mark.usefixtures("shared_plugins", "clean_db", "clean_index")
class TestPages:
    def test_entry_page_shows_the_catalog_card(self, app, world):
        html = app.get("/dataset/people", headers={"Authorization": world["admin"]["token"]})
        body = html.body
        assert "Catalog card" in body
        for text in (
            world["pkg"]["resource_code"],
            "Basic information resources",
            "人口",
            "石泉县公安局",
            "11610922064806038K",
            "李娜",
            "Conditional sharing",
            "仅限县内政务部门依法履职使用",
            "Conditionally open",
            "实名注册后开放汇总数据",
            "Monthly",
            "March 1, 2024",  # publish_date, in CKAN's English date form
            "Important data",
            "Not classified",
            "公民身份号码",
            "C Character",
            "人口信息管理系统",
        ):
            assert text in body, text

    @pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
    def test_entry_page_in_chinese(self, app, world):
        body = app.get("/dataset/people", headers={"Authorization": world["admin"]["token"]}).body
        for text in (
            "信息资源编目信息",
            "信息资源代码",
            "数源部门",
            "有条件共享",
            "有条件开放",
            "每月",
            "重要数据",
            "非涉密",
            "信息项",
            "C 字符型",
            "提供方代码",
            "石泉县",
        ):
            assert text in body, text

    def test_info_system_page_lists_entries_and_user_orgs(self, app, world):
        body = app.get(
            "/info_system/sys-people", headers={"Authorization": world["admin"]["token"]}
        ).body
        assert "Catalog entries it produces" in body
        assert 'href="/dataset/people"' in body and world["pkg"]["resource_code"] in body
        assert 'href="/organization/county"' in body and 'href="/organization/dept-police"' in body
        assert "Provincial" in body and "In use" in body

    def test_forms_render_with_vocabulary_choices(self, app, world):
        auth = {"Authorization": world["admin"]["token"]}
        body = app.get("/dataset/new", headers=auth).body
        assert 'list="datalist-catalog_item"' in body and 'value="自然资源和空间地理"' in body
        assert 'value="unconditional"' in body and 'value="库表"' in body
        assert app.get("/info_system/new", headers=auth).status_code == 200
        body = app.get("/organization/edit/dept-police", headers=auth).body
        assert 'value="county"' in body  # parent organization choices
