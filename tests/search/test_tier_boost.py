"""How a tiered query's first tier reaches Solr (search/query.py Tiered.solr_params): its boost
query as a boost function over the ``boost`` parameter, so that CKAN has no local params to parse,
or, when the caller sends a bf or boost of its own, as dismax local params (bq) as before. Both
forms list the same entries in the same order."""

from __future__ import annotations

import struct

import pytest
from ckan.lib.search.query import QUERY_PARSER_RE

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.searches import open_entry, search, titles


def _params(**given: str) -> dict[str, object]:
    return query.before_dataset_search({"q": "屠宰 检疫", **given})


def test_the_tier_boost_goes_as_a_boost_function_without_local_params():
    tiered = query.tiered_query("屠宰 检疫", 2, query.QUERY_FIELDS)
    assert tiered is not None
    params = _params()
    assert params["q"] == tiered.q == "屠宰 检疫"
    assert params["defType"] == "dismax"
    assert params["bf"] == query.TIER_BOOST_FUNCTION == "query($boost,0)"
    assert params["boost"] == tiered.boost
    assert tiered.boost.endswith(f")^={query.TIER_BOOST} OR id:0")
    assert params["mm"] == "1" and params["tie"] == "0.1"
    assert params["fq_list"] == [tiered.fq]
    # nothing CKAN would parse as local params (lib/search/query.py _check_query_parser)
    values = [v for v in params.values() if isinstance(v, str)] + params["fq_list"]
    assert not any(QUERY_PARSER_RE.search(v) for v in values)


@pytest.mark.parametrize("own", [{"bf": "0"}, {"boost": "1"}])
def test_a_callers_own_boost_keeps_the_tier_boost_as_local_params(own):
    tiered = query.tiered_query("屠宰 检疫", 2, query.QUERY_FIELDS)
    params = _params(**own)
    assert params["q"] == f"{{!dismax bq='{tiered.boost}'}}屠宰 检疫"
    assert {k: params[k] for k in own} == own  # the caller's own, untouched
    assert "defType" not in params
    assert params["mm"] == "1" and params["fq_list"] == [tiered.fq]


def test_an_untiered_query_gets_no_tier_boost():
    # one word: the literal boost only (test_literal_boost.py)
    assert str(query.TIER_BOOST) not in query.before_dataset_search({"q": "兽医"})["boost"]
    params = query.before_dataset_search({"q": "兽医 人员 名册 台账"})
    assert "bf" not in params and "boost" not in params


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_both_forms_list_the_same_entries_in_the_same_order():
    org = factories.Organization(title="石泉县农业农村局")
    open_entry(org, "屠宰检疫记录")
    open_entry(org, "生猪屠宰检疫统计表", notes="屠宰 检疫 屠宰")
    open_entry(org, "屠宰场备案表", items=["检疫证明编号"])
    open_entry(org, "生猪屠宰统计")  # one word: the second tier
    open_entry(org, "检疫站名录", tags=[{"name": "检疫"}])  # one word: the second tier
    open_entry(org, "物价信息")  # neither word: not listed
    as_function = search(q="屠宰 检疫", rows=20)
    # bf=0 adds nothing to any score: only the form of the tier boost changes
    as_local_params = search(q="屠宰 检疫", rows=20, bf="0")
    assert as_function["count"] == as_local_params["count"] == 5
    assert titles(as_function) == titles(as_local_params)
    assert set(titles(as_function)[3:]) == {"生猪屠宰统计", "检疫站名录"}


def _float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


@pytest.mark.parametrize("score", [0.5, 12.0, 37.25, 820.0])
def test_the_tier_boost_keeps_the_order_of_nearly_equal_scores(score):
    # Solr adds the boost in 32-bit floats: two entries of the first tier whose scores differ by
    # a thousandth must still differ after it (at 100,000 they did not), and the boost stays far
    # above the highest score the words earn (820 on the corpus)
    assert query.TIER_BOOST >= 10 * 820
    assert _float32(query.TIER_BOOST + score) < _float32(query.TIER_BOOST + score + 0.001)
