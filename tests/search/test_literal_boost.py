"""A query of one word lists the entries holding the word as typed in their title, summary, tags
or theme above those holding only a synonym of it in their title, and these above an entry
holding the word in a data item only (search/query.py literal_boost)."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.searches import open_entry, search, titles


def test_a_one_word_query_adds_the_literal_boost():
    # 业务范围 <-> 经营范围 in synonyms_zh.txt; a synonym term is sent as copies and parts
    params = query.before_dataset_search({"q": "业务范围"})
    assert params["defType"] == "dismax" and params["bf"] == query.TIER_BOOST_FUNCTION
    assert params["boost"] == query.literal_boost(["业务范围"]) + " OR id:0"
    assert params["boost"].startswith("(+text_exact:业务范围 +(title:业务范围 OR notes:业务范围")
    assert f")^={query.LITERAL_BOOST} OR id:0" in params["boost"]
    # a tiered one-word query carries it beside the first tier's boost
    tiered = query.before_dataset_search({"q": "幼儿园"})
    assert f"^={query.TIER_BOOST} OR " + query.literal_boost(["幼儿园"]) in tiered["boost"]


@pytest.mark.parametrize("q", ["屠宰 检疫", "兽医 人员 名册 台账", "GB/T 2260", "\"车辆\""])
def test_no_literal_boost_for_other_queries(q):
    params = query.before_dataset_search({"q": q})
    assert "text_exact" not in str(params.get("boost", ""))


def test_a_callers_own_boost_is_left_alone():
    params = query.before_dataset_search({"q": "车辆", "bf": "0"})
    assert params["bf"] == "0" and "boost" not in params


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_word_in_a_summary_ranks_above_its_synonym_in_a_title():
    org = factories.Organization(title="石泉县市场监督管理局")
    open_entry(org, "个体工商户经营范围变更信息")  # the synonym, in a short title
    open_entry(
        org,
        "民办非企业单位登记信息",
        notes="民办非企业单位的名称、住所、业务范围、法定代表人和登记日期。",
    )
    open_entry(org, "农民专业合作社名录", items=["合作社名称", "业务范围"])  # an item only
    for title in ("企业年报公示信息", "食品经营许可信息", "特种设备登记信息"):
        open_entry(org, title)  # other entries: document frequencies as in a catalog
    assert titles(search(q="业务范围")) == [
        "民办非企业单位登记信息",
        "个体工商户经营范围变更信息",
        "农民专业合作社名录",
    ]
