"""Issue 16, the kinds of query still below the jieba + BM25 anchor: a query of one synonym term
also finds the entries holding its parts apart (search/query.py whole_term_or_parts), and a tag of
several words counts as a phrase (schema.xml tags_text, solrconfig.xml pf)."""

from __future__ import annotations

import math
import os

import pytest

from ckanext.govcatalog.search import query, segment
from tests import factories
from tests.search.searches import open_entry, search, titles

CONF = os.path.dirname(segment.SYNONYMS_FILE)


# ---------------------------------------------------------------- the parts of a synonym term


@pytest.mark.parametrize(
    "word, parts",
    [
        ("高龄津贴", ["高龄", "津贴"]),  # a synonym term (高龄津贴,高龄补贴) made of two words
        ("道路运输", ["道路", "运输"]),
        ("信息系统", ["信息", "系统"]),  # no synonym term, but a dictionary word (one_word_query)
        ("石泉人口", []),  # neither a synonym term nor a dictionary word: the cut gives its words
        ("低保", []),  # too short to hold two words
        ("民政局", []),  # a term, but no two dictionary words of two characters make it up
        ("renkou", []),
    ],
)
def test_a_synonym_term_or_a_dictionary_word_is_made_of_its_dictionary_words(word, parts):
    assert segment.term_parts(word) == parts


def test_a_query_of_one_term_asks_for_the_term_or_all_its_parts():
    # as many copies of the term as the term has parts, plus one: an entry holding the term (or
    # a synonym) matches as many clauses as mm asks for, so does one holding every part apart
    assert query.whole_term_or_parts("高龄津贴", 1) == ("高龄津贴 高龄津贴 高龄津贴 高龄 津贴", 2)


def test_the_synonym_forms_of_a_word_are_counted_from_the_file():
    assert segment.expansions("高龄津贴") == 2  # 高龄津贴,高龄补贴
    assert segment.expansions("渲染") == 1


def test_a_term_whose_copies_would_overflow_the_phrase_boost_keeps_one_clause():
    # 互联网上网服务营业场所: five parts, six copies; Solr refused the query (1024 clauses)
    assert query.whole_term_or_parts("互联网上网服务营业场所", 1) == ("互联网上网服务营业场所", 1)


@pytest.mark.parametrize(
    "q, words",
    [
        ("高龄津贴 名单", 2),  # several words: a term must not stand in for the others
        ('"高龄津贴"', 1),  # a phrase the user quoted stays exact
        ("-高龄津贴", 0),
        ("低保", 1),
    ],
)
def test_other_queries_keep_one_clause_per_word(q, words):
    assert query.whole_term_or_parts(q, words) == (q, words)


def test_the_tags_are_searched_as_a_phrase_and_not_as_words():
    with open(os.path.join(CONF, "schema.xml"), encoding="utf-8") as f:
        schema = f.read()
    with open(os.path.join(CONF, "solrconfig.xml"), encoding="utf-8") as f:
        solrconfig = f.read()
    assert '<copyField source="tags" dest="tags_text"/>' in schema
    assert "tags_text" in solrconfig.split('<str name="pf">', 1)[1].split("</str>", 1)[0]
    assert "tags_text" not in query.QUERY_FIELDS  # a word inside a tag is found through "text"


# ---------------------------------------------------------------- searches (Solr)

pytestmark_db = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytestmark_db
def test_one_term_finds_itself_its_synonyms_and_its_parts_apart():
    org = factories.Organization()
    open_entry(org, "高龄津贴发放表")
    open_entry(org, "高龄老人津贴花名册")  # the parts apart: not found before
    open_entry(org, "高龄补贴汇总表")  # a synonym of the term only
    open_entry(org, "老年人津贴标准")  # one part only
    open_entry(org, "高龄老人体检名单")
    found = titles(search(q="高龄津贴"))
    assert found[0] == "高龄津贴发放表"
    assert sorted(found) == sorted(["高龄津贴发放表", "高龄老人津贴花名册", "高龄补贴汇总表"])


def _largest_allowed_terms(n: int) -> list[str]:
    """The synonym terms whose copies cost the phrase boost the most that is still allowed."""
    costs = []
    for term in segment.synonym_terms():
        parts = segment.term_parts(term)
        if parts and query.whole_term_or_parts(term, 1)[0] != term:
            cost = segment.expansions(term) ** (len(parts) + 1)
            costs.append((cost * math.prod(segment.expansions(p) for p in parts), term))
    return [term for _, term in sorted(costs, reverse=True)[:n]]


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_terms_closest_to_the_limit_are_answered(app):
    for term in _largest_allowed_terms(5):
        res = app.get("/api/3/action/package_search", query_string={"q": term}, expect_errors=True)
        assert res.status_code == 200, (term, res.body)


@pytestmark_db
def test_an_entry_tagged_with_the_words_typed_ranks_above_one_holding_them_as_two_tags():
    # "tags" is a string field: the query cut into 国有 经济 matches the tags 国有 and 经济
    # exactly, and never the tag 国有经济; the phrase boost on tags_text restores it
    org = factories.Organization()
    for title, tag in (("户籍人口台账", "户籍"), ("低保对象名册", "低保"), ("公路里程", "公路")):
        open_entry(org, title, tags=[{"name": tag}])  # other tagged entries: idf as in a catalog
    open_entry(org, "城镇单位就业人员信息", tags=[{"name": "国有"}, {"name": "经济"}])
    open_entry(org, "城镇单位就业人员统计", tags=[{"name": "国有经济"}])
    assert titles(search(q="国有经济")) == ["城镇单位就业人员统计", "城镇单位就业人员信息"]
