"""Chinese search on the govcatalog Solr configset: segmentation, pinyin, synonyms, English."""

import pytest

from tests.search.search_builders import make_entry, organization, search, titles

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

POPULATION = "石泉县人口基础信息"
SUBSISTENCE = "城关镇城乡低保对象名册"
ROADS = "农村公路养护里程统计"


@pytest.fixture
def entries():
    org = organization()
    return {
        t: make_entry(org, t)
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
    # 人口公路 never occurs: bigram phrases do not match every title with 人口 or 公路
    assert titles(search(q="人口公路")) == []


@pytest.mark.parametrize("q", ["renkou", "rk", "shiquan", "RenKou", "dibao"])
def test_pinyin_and_initials_find_the_title(entries, q):
    found = titles(search(q=q))
    assert found, q
    assert (SUBSISTENCE if q == "dibao" else POPULATION) in found


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
    org = organization()
    make_entry(org, "户籍人口信息")
    make_entry(org, "人口普查汇总")
    assert titles(search(q="户籍"))[0] == "户籍人口信息"


def test_english_is_still_searchable_with_stemming(entries):
    assert "Population register of towns" in titles(search(q="registers"))


def test_the_provider_department_title_is_searchable():
    bureau = organization(title="石泉县民政局")
    other = organization(title="石泉县交通运输局")
    make_entry(bureau, "城乡低保对象名册")
    make_entry(other, "低保车辆补贴")
    assert titles(search(q="民政局 低保")) == ["城乡低保对象名册"]


def test_identifiers_match_exactly():
    org = organization()
    entry = make_entry(org, "石泉县人口基础信息")
    code = entry.get("resource_code")
    if not code:
        pytest.skip("the catalog schema does not generate resource codes yet")
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
    org = organization()
    make_entry(org, title)
    make_entry(org, "公共场所卫生许可")
    assert titles(search(q=q))[:1] == [title]


def test_quoted_phrases_and_fielded_queries_are_left_alone():
    from ckanext.govcatalog.search.query import split_cjk_runs

    assert split_cjk_runs('公共停车场（库） "人口（2023）"') == '公共停车场 库 "人口（2023）"'
    assert split_cjk_runs("人口2023年") == "人口 2023 年"
    # split before the escaping of unbalanced brackets: no backslash is left before a space
    from ckanext.govcatalog.search.query import clean_user_query

    assert clean_user_query("公共停车场(库", plain=True) == "公共停车场 库"
    assert clean_user_query("title:(人口") == "title:\\(人口"
