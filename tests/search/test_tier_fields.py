"""What a tiered query (search/query.py tiered_query) lists, and on which fields: the first tier
holds every entry with every word anywhere, named on the few fields that "text" does not already
hold (schema.xml); the second tier only the entries holding a word in their title, tags or theme,
so that a department + topic query does not list (and facet) most of the catalog."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from fnmatch import fnmatch

import pytest

from ckanext.govcatalog.search import query
from tests import factories
from tests.search.searches import open_entry, search, titles

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
SCHEMA = os.path.join(ROOT, "config", "solr", "configsets", "govcatalog", "conf", "schema.xml")
# string fields holding codes only (the catalog rules check their digits), and CKAN's URL name
CODES = {"org_code", "division_code", "region_code"}
PINYIN_TYPES = {"text_pinyin", "text_pinyin_words"}  # search/text.py leaves out every Han character


def _schema() -> tuple[dict[str, str], dict[str, set[str]]]:
    """The type of each field, and the copyField sources of each destination."""
    root = ET.parse(SCHEMA).getroot()
    types = {f.get("name"): f.get("type") for f in root.iter("field")}
    sources: dict[str, set[str]] = {}
    for c in root.iter("copyField"):
        sources.setdefault(c.get("dest"), set()).add(c.get("source"))
    return types, sources


def _in_text(field: str, sources: dict[str, set[str]]) -> bool:
    """Whether every value of ``field`` is also a value of "text" (copied into it, directly or
    from each field it is itself copied from)."""
    if any(fnmatch(field, s) for s in sources["text"]):
        return True
    return bool(sources.get(field)) and all(_in_text(s, sources) for s in sources[field])


def test_the_first_tier_names_every_query_field_that_text_does_not_hold():
    types, sources = _schema()
    fields = [m.group(1) for m in re.finditer(r"([A-Za-z_]+)(?:\^[0-9.]+)?", query.QUERY_FIELDS)]
    for field in fields:
        if field not in query._TEXT_HOLDS:
            continue
        if _in_text(field, sources):
            continue
        kind = types.get(field)
        no_chinese = (field in CODES and kind == "string") or kind in PINYIN_TYPES
        assert no_chinese, f"{field} may hold a Chinese word that text does not"
    tiered = query.tiered_query("屠宰 检疫", 2, query.QUERY_FIELDS)
    assert tiered is not None and tiered.mm == 1
    boost = tiered.boost
    named = set(re.findall(r"([A-Za-z_]+):", boost)) - {"id"}
    assert named == {"text", "organization_title", "org_path_title"}
    # the filter keeps the same first tier, then the words on the tail's fields only
    assert tiered.fq.startswith("+((" + boost.split(")^=")[0][1:] + ") OR ")
    assert set(re.findall(r"([A-Za-z_]+):", tiered.fq)) == named | set(query.TAIL_FIELDS)


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_every_word_anywhere_comes_first_then_a_word_in_title_tags_or_theme():
    org = factories.Organization(title="石泉县农业农村局")
    station = factories.Organization(title="石泉县动物检疫站")
    open_entry(station, "年度工作报表")  # 检疫 is only in its department's title: not listed
    open_entry(org, "屠宰检疫记录")
    open_entry(org, "生猪屠宰企业名单", notes="附检疫合格证明编号")
    open_entry(org, "屠宰场备案表", items=["检疫证明编号"])
    open_entry(station, "屠宰数据")  # 检疫 is only in its department's title
    open_entry(org, "生猪屠宰统计")  # one word, in its title: the second tier
    open_entry(org, "物价信息", notes="含检疫收费标准")  # one word, in its summary only
    open_entry(org, "检测报告", items=["屠宰数量"])  # in an item only
    found = search(q="屠宰 检疫", rows=20)
    every_word = {"屠宰检疫记录", "生猪屠宰企业名单", "屠宰场备案表", "屠宰数据"}
    assert set(titles(found)[:4]) == every_word
    assert titles(found)[4:] == ["生猪屠宰统计"]
    assert found["count"] == 5  # the count is what the page lists
    # the count of full matches behind the page's note (search/cards.py) is the first tier
    assert search(q="屠宰 检疫", mm="2", rows=0)["count"] == 4
