"""The vocabularies of schemas/vocab/: their values and labels, the user's language and the one
order in which a label's languages are tried."""

from __future__ import annotations

import glob
import os
import re

import pytest

from ckanext.govcatalog import vocab

PKG = os.path.join(os.path.dirname(__file__), "..", "ckanext-govcatalog", "ckanext", "govcatalog")


def test_every_vocabulary_lists_string_values_with_a_label_in_each_language():
    assert {"share_type", "open_type", "catalog_item", "region_code"} <= set(
        vocab.vocabulary_names()
    )
    for name in vocab.vocabulary_names():
        entries = vocab.entries(name)
        assert entries, name
        assert vocab.values(name) == [e["value"] for e in entries]
        for e in entries:
            assert isinstance(e["value"], str), (name, e)
            assert e["label"]["zh_Hans_CN"] and e["label"]["en"], (name, e)


def test_values_that_read_as_numbers_or_booleans_in_yaml_stay_strings():
    assert "610922" in vocab.values("region_code")
    assert vocab.values("yes_no") == ["yes", "no"]
    assert vocab.entry("region_code", 610922)["label"]["zh_Hans_CN"] == "石泉县"


def test_entries_are_copies_a_caller_cannot_change():
    vocab.entries("share_type")[0]["value"] = "changed"
    vocab.entry("open_type", "open")["requires_condition"] = True
    assert vocab.values("share_type")[0] == "unconditional"
    assert not vocab.entry("open_type", "open").get("requires_condition")


def test_entry_attributes_rejected_values_and_choices():
    assert vocab.entry("share_type", "none")["forces_open_type"] == "closed"
    assert vocab.entry("share_type", "partial") is None
    assert vocab.entry("share_type", None) is None
    assert [e["value"] for e in vocab.rejected("secret")] == ["涉密"]
    assert vocab.rejected("open_type") == []
    basic = vocab.scheming_choices("catalog_item", **{"class": "basic"})
    assert [c["value"] for c in basic][:2] == ["人口", "法人"]
    assert all(set(c) == {"value", "label"} for c in basic)
    assert len(vocab.scheming_choices("catalog_item")) > len(basic)


def test_a_field_names_its_vocabulary_or_uses_its_own_name():
    assert vocab.field_vocabulary({"field_name": "share_type"}) == "share_type"
    assert vocab.field_vocabulary({"field_name": "sso", "vocabulary": "yes_no"}) == "yes_no"
    # scheming's name for a repeating subfield of row 0
    assert vocab.field_vocabulary({"field_name": "data_items-0-data_type"}) == "data_type"


@pytest.mark.parametrize(
    "lang,order",
    [
        ("zh_Hans_CN", ("zh_Hans_CN", "zh", "en")),
        ("en", ("en", "zh_Hans_CN")),
        ("en_GB", ("en_GB", "en", "zh_Hans_CN")),
        ("fr", ("fr", "zh_Hans_CN", "en")),
    ],
)
def test_a_label_is_looked_up_in_the_locale_its_language_then_chinese_then_english(lang, order):
    assert vocab.language_order(lang) == order


@pytest.mark.parametrize(
    "label,lang,text",
    [
        ({"zh_Hans_CN": "有条件共享", "en": "Conditional sharing"}, "zh_Hans_CN", "有条件共享"),
        ({"zh_Hans_CN": "有条件共享", "en": "Conditional sharing"}, "en_GB", "Conditional sharing"),
        ({"zh_Hans_CN": "有条件共享", "en": "Conditional sharing"}, "fr", "有条件共享"),
        ({"en": "Conditional sharing"}, "zh_Hans_CN", "Conditional sharing"),
        ({"zh": "有条件共享", "en": "Conditional sharing"}, "zh_Hant_TW", "有条件共享"),
        ({"zh_Hans_CN": "", "en": "Conditional sharing"}, "zh_Hans_CN", "Conditional sharing"),
        ({"fr": "Partage conditionnel"}, "en", "Partage conditionnel"),
        ("有条件共享", "en", "有条件共享"),
        (None, "en", ""),
    ],
)
def test_label_text_picks_one_language(label, lang, text):
    assert vocab.label_text(label, lang) == text


def test_labels_of_values():
    assert vocab.label("open_type", "closed", "zh_Hans_CN") == "不予开放"
    assert vocab.label("open_type", "closed", "en") == "Not open"
    # a value the vocabulary does not list is shown as it is
    assert vocab.label("open_type", "sometimes", "en") == "sometimes"
    assert vocab.label("open_type", None, "en") == ""
    assert vocab.labels("share_type", "en") == {
        "unconditional": "Unconditional sharing",
        "conditional": "Conditional sharing",
        "none": "Not shared",
    }


@pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN")
def test_outside_a_request_the_language_is_the_sites_default(ckan_config):
    assert vocab.current_lang() == "zh_Hans_CN"
    assert vocab.label("open_type", "closed") == "不予开放"


@pytest.mark.ckan_config("ckan.locale_default", "en")
def test_in_a_request_the_language_is_the_requests_locale(app, ckan_config):
    with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "zh_Hans_CN"}):
        assert vocab.current_lang() == "zh_Hans_CN"
        assert vocab.label("open_type", "closed") == "不予开放"
    with app.flask_app.test_request_context("/"):
        assert vocab.current_lang() == "en"  # no locale asked for: the site's default
    assert vocab.label("open_type", "closed") == "Not open"


def test_no_other_module_reads_the_vocabulary_files():
    # vocab.py is the one reader: other modules ask it for values and labels
    readers = []
    for path in glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True):
        if os.path.normpath(path) == os.path.normpath(os.path.join(PKG, "vocab.py")):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if re.search(r"""vocab_dir\(|["']vocab["']|schemas/vocab/\w""", text):
            readers.append(os.path.relpath(path, PKG))
    assert readers == []
