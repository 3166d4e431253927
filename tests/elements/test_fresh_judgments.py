"""The fresh binding set (no database): the extraction rule of scripts/bench/element_binding.py
that takes field names out of the Harbin and Foshan catalog summaries, and the judged file
tests/data/element_judgments_fresh.yaml holding exactly what that rule yields."""

from __future__ import annotations

import hashlib
import os

import pytest

from ckanext.govcatalog.elements import names, seedfile, transfer


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        # the list runs from 包括 to 等信息; the lead-in before 包括 is not a name
        (
            "提供哈尔滨市企业注销信息，包括企业名称、企业类型、法定代表人、注销日期等信息。",
            ["企业名称", "企业类型", "法定代表人", "注销日期"],
        ),
        # a colon after 包括, no closing word: to the end; a comma inside a name's list splits
        (
            "文化设施名录，包括：设施名称、地址,电话、经度",
            ["设施名称", "地址", "电话", "经度"],
        ),
        # 登内容 is the sources' typo of 等内容; a slash joins, it does not split
        (
            "商事主体，包括注册号/统一社会信用代码、状态、备注字段登内容。",
            ["注册号/统一社会信用代码", "状态", "备注字段"],
        ),
        # separators inside brackets (either width) stay in the name; empty parts are dropped
        (
            "预报，包括预报类型、、预报时段(24、48、72小时等)、货运量（公路、水路）等内容。",
            ["预报类型", "预报时段(24、48、72小时等)", "货运量（公路、水路）"],
        ),
        # a full stop ends the list when 等信息 does not come
        ("档案，包括文档名称、文档内容。另附说明、备注", ["文档名称", "文档内容"]),
        # no 包括: nothing, even when the summary reads like a list
        ("佛山5区短时预报，区域、发布时间、天气预报等内容。", []),
        ("城镇居民家庭平均每百户主要耐用消费品拥有量信息，包括", []),
    ],
    ids=[
        "to-dengxinxi",
        "colon-to-end",
        "typo-and-slash",
        "brackets-and-empty",
        "full-stop",
        "no-baokuo",
        "baokuo-at-end",
    ],
)
def test_the_extraction_rule(bench, summary, expected):
    assert bench.summary_field_names(summary) == expected


def test_the_fresh_file_holds_what_the_rule_yields_from_the_corpus(bench):
    corpus = bench.CORPUS
    missing = [s for s in bench.FRESH_SOURCES if not os.path.isfile(os.path.join(corpus, s))]
    if missing:
        pytest.skip(f"the shared corpus is not beside the checkout: {corpus} lacks {missing}")
    extracted = bench.fresh_names(corpus, bench.read_judgments(bench.JUDGMENTS))
    # same names, same order: the file was written from the rule, not chosen
    assert list(bench.read_judgments(bench.FRESH_JUDGMENTS)) == list(extracted)
    assert sum(extracted.values()) > len(extracted)  # some names are listed by several records


def test_fresh_names_are_new_and_judged_to_published_elements_or_none(bench):
    fresh = bench.read_judgments(bench.FRESH_JUDGMENTS)
    before = {names.fold(n) for n in bench.read_judgments(bench.JUDGMENTS)}
    assert not [n for n in fresh if names.fold(n) in before]
    assert len({names.fold(n) for n in fresh}) == len(fresh)
    records = seedfile.read_files(seedfile.seed_paths(transfer.seed_dir()))
    published = {r["id"] for r in records if r.get("status") == "已发布"}
    assert {str(v) for v in fresh.values()} - {"none"} <= published
    # enough of them bind for a recall to be read from the set
    assert sum(1 for v in fresh.values() if v != "none") >= 100


def test_the_fresh_names_split_by_sha256_into_a_tuned_and_a_never_read_part(bench):
    fresh = list(bench.read_judgments(bench.FRESH_JUDGMENTS))
    splits = {name: bench.fresh_split_of(name) for name in fresh}
    # the fixed rule: the first byte of the SHA-256 of the UTF-8 name, even -> fresh-dev
    assert {n for n, s in splits.items() if s == "fresh-dev"} == {
        n for n in fresh if hashlib.sha256(n.encode("utf-8")).digest()[0] % 2 == 0
    }
    sizes = {s: sum(1 for v in splits.values() if v == s) for s in ("fresh-dev", "fresh-test")}
    assert sum(sizes.values()) == len(fresh)
    assert min(sizes.values()) > 250  # both parts big enough to read a precision from
    # choosing fresh-dev (the only split whose errors are listed) scores no fresh-test name
    assert bench.FRESH_PARTS["fresh-dev"] == ("fresh-dev",)
    assert set(bench.FRESH_PARTS["fresh"]) == {"fresh-dev", "fresh-test"}
