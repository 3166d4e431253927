"""The second fresh binding set (no database): the tag rule and the summary rule of
scripts/bench/element_binding.py that take field names out of the Harbin and Foshan `标签` and the
Aba, Deyang and Shaanxi summaries, and the judged file tests/data/element_judgments_fresh2.yaml
holding exactly what those rules yield, apart from every earlier judged name."""

from __future__ import annotations

import hashlib
import os

import pytest

from ckanext.govcatalog.elements import names, seedfile, transfer


def _judged_before(bench) -> list[str]:
    """Every name judged before the fresh2 set: the first set's and the first fresh set's."""
    return [*bench.read_judgments(bench.JUDGMENTS), *bench.read_judgments(bench.FRESH_JUDGMENTS)]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        # the portal's fragments of longer tags are dropped, the longer tags kept in order
        (
            "企业信息,企业类型,法定代表,企业名称,注销,注销日期,法定代表人,日期",
            ["企业信息", "企业类型", "企业名称", "注销日期", "法定代表人"],
        ),
        # full-width commas cut too; spaces trimmed, empty and repeated tags dropped
        ("经度， 纬度,,经度 ", ["经度", "纬度"]),
        # a tag that is no part of another stays, however short
        ("5,气象", ["5", "气象"]),
        ("", []),
    ],
    ids=["fragments", "widths-and-repeats", "short-tags", "empty"],
)
def test_the_tag_rule(bench, tags, expected):
    assert bench.record_tag_names(tags) == expected


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        # the first fresh set's rule, then a trailing 等 trimmed (these lists end 原因等)
        ("严重违法失信企业详细信息包括企业名称、失信原因等", ["企业名称", "失信原因"]),
        # 等信息 still ends the list; a lone 等 is no name
        ("包括项目名称、年度等信息", ["项目名称", "年度"]),
        ("介绍包括、等", []),
        ("城市空气质量日均数据信息", []),
    ],
    ids=["trailing-deng", "dengxinxi", "lone-deng", "no-baokuo"],
)
def test_the_summary_rule(bench, summary, expected):
    assert bench.listed_summary_names(summary) == expected


def test_the_fresh2_file_holds_what_the_rules_yield_from_the_corpus(bench):
    corpus = bench.CORPUS
    sources = (*bench.FRESH_SOURCES, *(s for s, _ in bench.FRESH2_SUMMARIES))
    missing = [s for s in sources if not os.path.isfile(os.path.join(corpus, s))]
    if missing:
        pytest.skip(f"the shared corpus is not beside the checkout: {corpus} lacks {missing}")
    before = _judged_before(bench)
    extracted = bench.fresh2_names(corpus, before)
    # same names, same order: the file was written from the rules, not chosen
    assert list(bench.read_judgments(bench.FRESH2_JUDGMENTS)) == list(extracted)
    assert len(extracted) >= 300
    assert sum(extracted.values()) > len(extracted)  # some names are listed by several records


def test_fresh2_names_are_new_and_judged_to_published_elements_or_none(bench):
    fresh2 = bench.read_judgments(bench.FRESH2_JUDGMENTS)
    before = {names.fold(n) for n in _judged_before(bench)}
    assert not [n for n in fresh2 if names.fold(n) in before]
    assert len({names.fold(n) for n in fresh2}) == len(fresh2)
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    published = {r["id"] for r in records if r.get("status") == "已发布"}
    assert {str(v) for v in fresh2.values()} - {"none"} <= published


def test_the_fresh2_names_split_by_sha256_into_a_tuned_and_a_never_read_part(bench):
    fresh2 = list(bench.read_judgments(bench.FRESH2_JUDGMENTS))
    splits = {name: bench.fresh_split_of(name, "fresh2") for name in fresh2}
    assert {n for n, s in splits.items() if s == "fresh2-dev"} == {
        n for n in fresh2 if hashlib.sha256(n.encode("utf-8")).digest()[0] % 2 == 0
    }
    assert set(splits.values()) == {"fresh2-dev", "fresh2-test"}
    # choosing fresh2-dev (the only part whose errors are listed) scores no fresh2-test name
    assert bench.FRESH_PARTS["fresh2-dev"] == ("fresh2-dev",)
    assert set(bench.FRESH_PARTS["fresh2"]) == {"fresh2-dev", "fresh2-test"}
    assert "fresh2-test" in bench.UNREAD and "fresh2" in bench.UNREAD
