"""The words typed outrank their synonyms beyond the title: the entry's own text without synonyms
(schema.xml text_exact, searched by search/query.py), no synonym-bearing phrase boost, and the
fifth development set of scripts/bench/search_relevance.py (tests/data/*_fresh5.yaml)."""

from __future__ import annotations

import os
import re

import pytest

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.query_files import queries, words_of_other_files
from tests.search.searches import open_entry, search, titles

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
CONF = os.path.join(ROOT, "config", "solr", "configsets", "govcatalog", "conf")
DATA = os.path.join(ROOT, "tests", "data")


def _read(name: str) -> str:
    with open(os.path.join(CONF, name), encoding="utf-8") as f:
        return f.read()


def test_the_entrys_own_text_without_synonyms_is_searched():
    schema = _read("schema.xml")
    assert '<field name="text_exact" type="text_nosyn"' in schema
    for source in ("title", "notes", "tags", "data_item_names", "extras_theme"):
        assert f'<copyField source="{source}" dest="text_exact"/>' in schema
    assert re.search(r"(^| )text_exact\^\d", query.QUERY_FIELDS)
    # the analysis without synonyms has none on its query side
    nosyn = schema.split('<fieldType name="text_nosyn"', 1)[1].split("</fieldType>", 1)[0]
    assert "Synonym" not in nosyn


def test_the_phrase_boost_holds_no_field_with_synonyms():
    pf = _read("solrconfig.xml").split('<str name="pf">', 1)[1].split("</str>", 1)[0].split()
    fields = [f.split("^")[0] for f in pf]
    assert "title_exact" in fields
    assert "title" not in fields  # "title" carries the synonyms: a synonym earned the boost too


# ---------------------------------------------------------------- the fifth development set

FRESH5 = os.path.join(DATA, "search_relevance_queries_fresh5.yaml")


def test_the_fifth_set_is_plain_and_multi_judged_literally():
    judged = queries(FRESH5)
    assert len(judged) >= 40
    for q in judged:
        words = [g[0] for g in q["all"]]
        assert all(len(g) == 1 for g in q["all"]), q
        if q["kind"] == "plain":
            assert words == [q["q"]], q
        else:
            assert q["kind"] == "multi" and "".join(words) == q["q"] and len(words) == 2, q


def test_the_fifth_set_reuses_no_word_of_the_other_files():
    used = words_of_other_files(FRESH5, org_terms=False)  # dev5's rule left them out
    for q in queries(FRESH5):
        for word in (g[0] for g in q["all"]):
            clash = [u for u in used if len(u) >= 2 and (u in word or word in u)]
            assert not clash, (word, clash)


# ---------------------------------------------------------------- searches (Solr)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_long_title_holding_the_word_typed_ranks_above_short_titles_holding_a_synonym():
    # 机动车 is a synonym of 车辆 (synonyms_zh.txt): as two bigrams its phrase outscores the one
    # bigram 车辆, and the phrase boost on the synonym-bearing title doubled it, so short titles
    # holding only 机动车 ranked above a long title holding 车辆 itself
    org = factories.Organization()
    open_entry(org, "机动车检测站名单")
    open_entry(org, "机动车维修企业名单")
    open_entry(org, "城市公用事业服务中心部门车辆基本信息统计")
    for title in ("道路货运企业名单", "公交线路信息", "停车场泊位信息"):
        open_entry(org, title)  # other entries: document frequencies as in a catalog
    found = titles(search(q="车辆"))
    assert found[0] == "城市公用事业服务中心部门车辆基本信息统计"
    assert sorted(found[1:]) == ["机动车检测站名单", "机动车维修企业名单"]
    # the field without synonyms holds the word typed only (the full text holds its synonyms)
    assert titles(search(q="text_exact:车辆")) == ["城市公用事业服务中心部门车辆基本信息统计"]
    assert len(titles(search(q="text:车辆"))) == 3
