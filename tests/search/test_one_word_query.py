"""Issue 16, plain words: a query that is one dictionary word made of smaller words, typed alone
(信息系统), is sent as the word or all its parts apart (search/segment.py one_word_query), not cut
into its parts, so the entries holding the word itself rank first; and the sixth development set
of scripts/bench/search_relevance.py (tests/data/*_fresh6.yaml) that showed it."""

from __future__ import annotations

import os

import pytest

from ckanext.govcatalog.search import query, segment
from tests import factories
from tests.search.query_files import DATA, queries, words_of_other_files
from tests.search.searches import open_entry, search, titles


@pytest.mark.parametrize(
    "q, alone",
    [
        ("信息系统", True),  # a dictionary word of two words
        ("个人信息", True),
        ("高龄津贴", True),  # a synonym term: kept whole by the cut already
        ("农村居民收入", False),  # a run of three words: cut as before
        ("市场监管局 行政处罚", False),  # several words: 行政处罚 is still cut
        ("石泉人口", False),  # no dictionary word
        ("护林员", False),  # three characters: the tiers' pieces handle it
        ("人口", False),
        ("xinxi", False),
    ],
)
def test_only_one_compound_typed_alone_is_kept_whole(q, alone):
    assert segment.one_word_query(q) is alone


def test_the_compound_typed_alone_is_the_word_or_its_parts_apart():
    cut, words = query.cut_into_words("信息系统")
    assert (cut, words) == ("信息系统", 1)
    assert query.tiered_query(cut, words, query.QUERY_FIELDS) is None
    assert query.whole_term_or_parts(cut, words) == ("信息系统 信息系统 信息系统 信息 系统", 2)


def test_a_compound_among_other_words_is_still_cut():
    assert query.cut_into_words("市场监管局 行政处罚") == ("市场监管局 行政 处罚", 3)


# ---------------------------------------------------------------- the sixth development set

FRESH6 = os.path.join(DATA, "search_relevance_queries_fresh6.yaml")


def test_the_sixth_set_is_plain_and_judged_literally():
    judged = queries(FRESH6)
    assert 40 <= len(judged) <= 60
    assert len({q["q"] for q in judged}) == len(judged)
    for q in judged:
        assert q["kind"] == "plain" and q["all"] == [[q["q"]]] and set(q) == {"q", "kind", "all"}


def test_the_sixth_set_reuses_no_word_of_the_other_files():
    used = words_of_other_files(FRESH6)
    for q in queries(FRESH6):
        clash = [u for u in used if len(u) >= 2 and (u in q["q"] or q["q"] in u)]
        assert not clash, (q["q"], clash)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_the_word_in_a_summary_ranks_above_its_parts_apart_in_a_title():
    # cut into 信息 系统, the rare part 系统 in a short title outranked the word in a summary,
    # and an entry holding one part only in its title followed them
    org = factories.Organization()
    plain = "本表逐月汇总。"  # a summary without either part
    open_entry(org, "信息系统运维记录", notes=plain)
    open_entry(org, "拍卖案件统计表", notes="拍卖案件统计表，来自统计调查信息系统。")
    open_entry(org, "市民政局-事项系统服务信息", notes=plain)
    open_entry(org, "系统管理员名单", notes=plain)  # one part only
    open_entry(org, "户籍人口台账", notes=plain)
    assert titles(search(q="信息系统")) == [
        "信息系统运维记录",
        "拍卖案件统计表",
        "市民政局-事项系统服务信息",
    ]
