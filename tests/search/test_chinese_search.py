"""Chinese search on the govcatalog Solr configset: segmentation, pinyin, synonyms, English."""

import pytest

from tests import factories
from tests.search.searches import open_entry, search, titles

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

POPULATION = "石泉县人口基础信息"
SUBSISTENCE = "城关镇城乡低保对象名册"
ROADS = "农村公路养护里程统计"


@pytest.fixture
def entries():
    org = factories.Organization()
    return {
        t: open_entry(org, t)
        for t in (POPULATION, SUBSISTENCE, ROADS, "Population register of towns")
    }


@pytest.mark.parametrize("q", ["人口", "基础信息", "石泉县人口", "石泉"])
def test_a_word_inside_a_longer_title_is_found(entries, q):
    assert POPULATION in titles(search(q=q))


def test_a_word_does_not_match_unrelated_titles(entries):
    found = titles(search(q="人口"))
    assert SUBSISTENCE not in found
    assert ROADS not in found


def test_words_of_a_phrase_must_be_adjacent(entries):
    # 人口公路 never occurs: the bigram 口公 across the two words is no part of the query
    assert titles(search(q="人口公路", mm="2")) == []
    # ... and no entry holding one word of the two ranks as if it held both (tiered_query)
    assert all(("人口" in t) != ("公路" in t) for t in titles(search(q="人口公路")))


@pytest.mark.parametrize("q", ["renkou", "rk", "shiquan", "RenKou", "dibao"])
def test_pinyin_and_initials_find_the_title(entries, q):
    found = titles(search(q=q))
    assert found, q
    assert (SUBSISTENCE if q == "dibao" else POPULATION) in found


def test_the_pinyin_of_a_word_ranks_above_syllables_meeting_across_two_words():
    # shidi: 湿地 holds it as a word; 城市低保 only as cheng SHI DI bao, and its shorter title
    # ranked first while only the syllables were indexed
    org = factories.Organization()
    for title in ("城市低保数据", "若尔盖县湿地国家级自然保护区鸟类名录", "不良事件统计"):
        open_entry(org, title)
    assert titles(search(q="shidi"))[0] == "若尔盖县湿地国家级自然保护区鸟类名录"
    assert titles(search(q="sd"))[0] == "若尔盖县湿地国家级自然保护区鸟类名录"


@pytest.mark.parametrize(
    "q, title",
    [
        ("户籍", POPULATION),
        ("户口", POPULATION),
        ("最低生活保障", SUBSISTENCE),
    ],
)
def test_government_synonyms_apply_at_query_time(entries, q, title):
    assert title in titles(search(q=q))


def test_exact_words_rank_above_their_synonyms():
    org = factories.Organization()
    for title in ("户籍人口信息", "人口普查汇总"):
        open_entry(org, title)
    assert titles(search(q="户籍"))[0] == "户籍人口信息"


def test_english_is_still_searchable_with_stemming(entries):
    assert "Population register of towns" in titles(search(q="registers"))


def test_the_provider_department_title_is_searchable():
    bureau = factories.Organization(title="石泉县民政局")
    other = factories.Organization(title="石泉县交通运输局")
    for org, title in ((bureau, "城乡低保对象名册"), (other, "低保车辆补贴")):
        open_entry(org, title)
    assert titles(search(q="民政局 低保")) == ["城乡低保对象名册", "低保车辆补贴"]


def test_identifiers_match_exactly():
    # the neighbouring code shares every part but the serial number: only the asked one is found
    org = factories.Organization()
    entry, neighbour = (
        open_entry(org, title) for title in ("石泉县人口基础信息", "石泉县人口变动情况")
    )
    code = entry["resource_code"]
    assert code and neighbour["resource_code"] and code != neighbour["resource_code"]
    assert [r["id"] for r in search(q=code)["results"]] == [entry["id"]]


@pytest.mark.parametrize(
    "title, q",
    [
        ("公共停车场（库）", "公共停车场（库）"),
        ("公共停车场（库）", "公共停车场(库)"),
        ("公共停车场（库）", "公共停车场(库"),
        ("调控指标表（石泉县自然资源局）", "调控指标表（石泉县自然资源局）"),
        ("《石泉县志》电子版目录", "《石泉县志》电子版目录"),
        ("人口2023年度抽样调查", "人口2023年度抽样调查"),
    ],
)
def test_a_full_title_with_brackets_or_digits_finds_its_entry(title, q):
    # a Chinese run ending inside the query (at a bracket or a digit) must not break the phrase
    org = factories.Organization()
    for entry_title in (title, "公共场所卫生许可"):
        open_entry(org, entry_title)
    assert titles(search(q=q))[:1] == [title]


def test_quoted_phrases_and_fielded_queries_are_left_alone():
    from ckanext.govcatalog.search.query import split_cjk_runs

    assert split_cjk_runs('公共停车场（库） "人口（2023）"') == '公共停车场 库 "人口（2023）"'
    assert split_cjk_runs("人口2023年") == "人口 2023 年"
    # split before the escaping of unbalanced brackets: no backslash is left before a space
    from ckanext.govcatalog.search.query import clean_user_query

    assert clean_user_query("公共停车场(库", plain=True) == "公共停车场 库"
    assert clean_user_query("title:(人口") == "title:\\(人口"
