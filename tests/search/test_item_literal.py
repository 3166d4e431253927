"""A query of one word lists the entries holding it as typed in a data item above those holding
only a synonym of it in their items (search/query.py ITEM_LITERAL_BOOST), and the seventh
development set of scripts/bench/search_relevance.py (tests/data/*_fresh7.yaml) that showed it,
drawn by scripts/bench/draw_disagreement.py."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.query_files import DATA, queries, words_of_other_files
from tests.search.searches import open_entry, search, titles

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
FRESH7 = os.path.join(DATA, "search_relevance_queries_fresh7.yaml")


def test_a_one_word_query_boosts_the_word_in_an_item_as_the_fields_about_the_entry():
    clause = query.literal_boost(["邮编"])
    own = "title:邮编 OR notes:邮编 OR tags_text:邮编 OR extras_theme:邮编"
    assert clause == (
        f"(+text_exact:邮编 +({own}))^={query.LITERAL_BOOST:g} OR "
        f"({own} OR (+text_exact:邮编 +data_item_text:邮编))^={query.ITEM_LITERAL_BOOST:g}"
    )
    assert query.ITEM_LITERAL_BOOST > 0
    params = query.before_dataset_search({"q": "邮编"})
    assert params["boost"] == clause + " OR id:0"
    tiered = query.before_dataset_search({"q": "合格证"})  # one word with pieces: tiered
    assert f"^={query.TIER_BOOST} OR " + query.literal_boost(["合格证"]) in tiered["boost"]


@pytest.mark.parametrize("q", ["屠宰 检疫", "邮编 住址", "GB/T 2260"])
def test_no_item_boost_for_other_queries(q):
    params = query.before_dataset_search({"q": q})
    assert "data_item_text:" not in str(params.get("boost", ""))


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_word_in_an_item_ranks_above_its_synonym_in_an_item():
    # 邮政编码 <-> 邮编 (synonyms_zh.txt): the longer synonym, a phrase of three bigrams, had
    # outscored the word typed, one bigram, in the items of entries that do not hold the word
    org = factories.Organization()
    open_entry(org, "档案验收申请", items=["申请单位", "通讯地址", "邮政编码", "联系电话"])
    open_entry(org, "监理单位资质许可", items=["单位名称", "邮政编码"])
    open_entry(org, "药品零售企业许可", items=["企业名称", "通讯地址", "邮编", "法定代表人"])
    open_entry(org, "邮编区划对照表")  # the word in the title
    for title in ("企业年报公示信息", "食品经营许可信息", "特种设备登记信息"):
        open_entry(org, title)  # other entries: document frequencies as in a catalog
    found = titles(search(q="邮编"))
    assert found[:2] == ["邮编区划对照表", "药品零售企业许可"]
    assert set(found[2:]) == {"档案验收申请", "监理单位资质许可"}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_synonym_in_a_title_still_ranks_above_the_word_in_an_item():
    # the synonym queries grade a title holding the synonym above an item holding the word
    # (残疾证 for 残疾人证): the item's boost stays below what a title earns
    org = factories.Organization()
    open_entry(org, "邮政编码区划对照表")
    open_entry(org, "药品零售企业许可", items=["企业名称", "邮编"])
    for title in ("企业年报公示信息", "食品经营许可信息", "特种设备登记信息"):
        open_entry(org, title)
    assert titles(search(q="邮编")) == ["邮政编码区划对照表", "药品零售企业许可"]


# ---------------------------------------------------------------- the seventh development set


def test_the_seventh_set_is_plain_and_judged_literally():
    judged = queries(FRESH7)
    assert 26 <= len(judged) <= 50
    assert len({q["q"] for q in judged}) == len(judged)
    for q in judged:
        assert q["kind"] == "plain" and q["all"] == [[q["q"]]] and set(q) == {"q", "kind", "all"}


def test_the_seventh_set_reuses_no_word_of_the_other_files():
    used = words_of_other_files(FRESH7)
    for q in queries(FRESH7):
        clash = [u for u in used if u in q["q"] or q["q"] in u]
        assert not clash, (q["q"], clash)


def _bench_module(name: str):
    path = os.path.join(ROOT, "scripts", "bench", f"{name}.py")
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec = importlib.util.spec_from_file_location(f"{name}_under_test", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.path.dirname(path))
    return module


def test_the_seventh_set_is_a_development_set():
    bench = _bench_module("search_relevance")
    assert "dev7" in bench.TUNING_SETS and "dev7" in bench.SETS
    assert os.path.abspath(FRESH7) == bench.FRESH7_QUERIES


def test_the_draws_measures():
    draw = _bench_module("draw_disagreement")
    anchor, gov, relevant = ["a", "b", "c", "d"], ["a", "x", "y", "b"], {"a", "b", "c"}
    # disagreement: the share of the anchor's list that ours lacks (c, d), then Jaccard
    miss, jac = draw.measure(draw.DRAWS["dev7"], "w", anchor, gov, relevant)
    assert (miss, jac) == (0.5, 2 / 6)
    # recall: the anchor lists a, b, c of the relevant, ours a, b: one of three
    assert draw.measure(draw.DRAWS["dev7b"], "w", anchor, gov, relevant) == (1 / 3, 0.0)
    # R-precision (R = 3): the anchor's first 3 hold a, b, c, ours a only
    assert draw.measure(draw.DRAWS["dev7c"], "w", anchor, gov, relevant) == (2 / 3, 0.0)
    # the draw excludes every word equal to, inside or holding an earlier file's word
    assert draw.DRAWS["dev7"].files[-1] == draw.sr.FRESH6_QUERIES
