"""Recall of catalog search: a run of Chinese is cut into its words (search/segment.py), most of a
long query's words are enough, the exact phrase still ranks first, the provider and the departments
above it are searched below the entry's own text, the synonyms come from named sources, and bad
input never breaks a search."""

from __future__ import annotations

import os

import pytest

from ckanext.govcatalog.search import query, segment, text
from tests import factories
from tests.search.searches import open_entry, search, titles

SYNONYMS = segment.SYNONYMS_FILE


# ---------------------------------------------------------------- cutting a query into words


@pytest.mark.parametrize(
    "run, words",
    [
        ("农村居民收入", ["农村", "居民", "收入"]),  # a dictionary compound is cut into its parts
        ("汶川县低保", ["汶川县", "低保"]),
        ("景区游客", ["景区", "游客"]),
        ("收入和支出", ["收入", "支出"]),  # a connective is no word of its own
        ("住房公积金", ["住房公积金"]),  # a term of the synonyms file is never cut
        ("市场监管局", ["市场监管局"]),
        ("低保", ["低保"]),
        ("县", ["县"]),
        ("renkou", ["renkou"]),
        ("人口2023", ["人口2023"]),  # not a run of Chinese: left to the analyzer
    ],
)
def test_a_chinese_run_is_cut_into_words(run, words):
    assert segment.query_words(run) == words


def test_no_single_character_is_left_as_a_word():
    # jieba leaves 县, 未, 证 ... alone; a single character would match nearly every entry
    for run in ("九寨沟县驾驶证逾期未审验信息", "若尔盖县景区游客", "人社局就业"):
        words = segment.query_words(run)
        assert all(len(w) > 1 for w in words), words
        assert "".join(words) == run


def test_the_synonym_terms_are_read_from_the_configset():
    terms = segment.synonym_terms()
    assert {"住房公积金", "社会保障卡", "互联网上网服务营业场所"} <= terms
    assert not any(len(t) < 2 for t in terms)


def test_the_pinyin_of_a_titles_words_is_one_token_per_word():
    assert text.word_pinyin("城市低保数据") == ("chengshi dibao shuju", "cs db sj")
    pinyin, initials = text.word_pinyin("若尔盖县湿地保护区")
    assert "shidi" in pinyin.split() and "sd" in initials.split()
    # no token crosses two words: cheng SHI DI bao is no word
    assert "shidi" not in text.word_pinyin("城市低保")[0].split()
    assert text.word_pinyin("GDP 2023") == ("", "")


def test_quotes_and_operators_are_kept_when_cutting():
    q, words = query.cut_into_words('城乡低保资金 "人口 信息" -公路 +户籍')
    assert q == '城乡低保 资金 "人口 信息" -公路 +户籍'
    # 城乡低保, 资金 and the quoted phrase; required and excluded words are not counted by mm
    assert words == 3


def test_a_word_typed_twice_counts_once_and_a_query_keeps_at_most_twelve_words():
    assert query.cut_into_words("人口" * 99) == ("人口", 1)
    q, words = query.cut_into_words(" ".join(f"词{i:02d}" for i in range(30)))
    assert words == query.MAX_WORDS == len(q.split())


@pytest.mark.parametrize("words, required", [(1, 1), (2, 2), (3, 3), (4, 3), (6, 5), (10, 8)])
def test_a_long_query_needs_most_of_its_words(words, required):
    assert query.words_required(words) == required


# ---------------------------------------------------------------- the synonyms file


def _groups() -> list[str]:
    with open(SYNONYMS, encoding="utf-8") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def test_the_synonyms_hold_at_least_500_groups_each_under_a_named_source():
    assert len(_groups()) >= 500
    with open(SYNONYMS, encoding="utf-8") as f:
        lines = f.read().split("# ==== Recall groups", 1)[1].splitlines()[1:]
    source = ""
    for line in lines:
        if line.startswith("# --- Source:"):
            source = line.removeprefix("# --- Source:").strip()
        elif line.strip() and not line.startswith("#"):
            assert source, f"{line!r} has no source above it"


def test_one_way_rules_keep_the_abbreviation_and_name_full_forms():
    for line in _groups():
        if "=>" not in line:
            continue
        left, right = (side.strip() for side in line.split("=>"))
        targets = [t.strip() for t in right.split(",")]
        assert left in targets, line  # the abbreviation still finds itself
        assert len(targets) >= 2, line
        assert "," not in left, line


def _rules() -> tuple[dict[str, set[str]], list[list[str]]]:
    """The one-way rules (name -> what it expands to) and the equivalence groups of the file."""
    one_way: dict[str, set[str]] = {}
    groups: list[list[str]] = []
    for line in _groups():
        left, arrow, right = line.partition("=>")
        if arrow:
            one_way.setdefault(left.strip(), set()).update(t.strip() for t in right.split(","))
        else:
            groups.append([t.strip() for t in line.split(",")])
    return one_way, groups


def test_every_name_of_a_department_finds_the_stems_of_its_first_name():
    # Solr applies the rules of the term typed only: 民宗委 (a name in 民宗局's group) found
    # 民族宗教事务局 but not the stem 民族宗教 that county titles hold (金川县民族宗教局...)
    one_way, groups = _rules()
    with open(SYNONYMS, encoding="utf-8") as f:
        section = f.read().split("department names and the work they name", 1)[1]
    firsts = [
        ln.split("=>")[0].strip()
        for ln in section.split("# --- Source:", 1)[0].splitlines()
        if "=>" in ln and not ln.startswith("#")
    ]
    assert len(firsts) >= 40
    for first in firsts:
        stems = one_way[first] - {n for g in groups if first in g for n in g}
        for group in (g for g in groups if first in g):
            for name in group:
                assert stems <= one_way.get(name, set()), (first, name, stems)


def test_the_configset_reads_the_synonyms_it_is_given():
    schema = os.path.join(os.path.dirname(SYNONYMS), "schema.xml")
    with open(schema, encoding="utf-8") as f:
        assert 'synonyms="synonyms_zh.txt"' in f.read()


# ---------------------------------------------------------------- searches (Solr)

pytestmark_db = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytestmark_db
def test_words_typed_together_find_entries_holding_them_apart():
    org = factories.Organization()
    open_entry(org, "农村居民人均可支配收入")
    open_entry(org, "收入分配与农村居民")  # another order
    open_entry(org, "农村公路养护里程")
    found = titles(search(q="农村居民收入"))
    assert sorted(found[:2]) == ["农村居民人均可支配收入", "收入分配与农村居民"]
    # holding one word of three, it comes after every entry holding them all (tiered_query)
    assert found[2:] == ["农村公路养护里程"]


@pytestmark_db
def test_a_word_the_records_lack_does_not_empty_the_result():
    org = factories.Organization()
    open_entry(org, "兽医人员名册")
    open_entry(org, "执业兽医登记")
    open_entry(org, "乡村兽医人员统计")
    open_entry(org, "乡镇干部名册")
    open_entry(org, "道路运输车辆台账")
    found = titles(search(q="兽医人员名册"))
    # all three words first, then the best of the rest; no entry holding none of the words
    assert found[0] == "兽医人员名册"
    assert found[1] == "乡村兽医人员统计"
    assert set(found[2:]) == {"执业兽医登记", "乡镇干部名册"}
    assert "道路运输车辆台账" not in found
    # a query that names its own mm, a built query or a longer one is not tiered
    assert query.tiered_query("兽医 人员 名册", 3, query.QUERY_FIELDS) is not None
    assert query.tiered_query("兽医", 1, query.QUERY_FIELDS) is None
    assert query.tiered_query('"兽医 人员" 名册', 2, query.QUERY_FIELDS) is None
    assert query.tiered_query("兽医 AND 名册", 2, query.QUERY_FIELDS) is None
    assert titles(search(q="兽医人员名册", mm="3")) == ["兽医人员名册"]


@pytestmark_db
def test_the_entry_holding_the_exact_phrase_ranks_first():
    org = factories.Organization()
    open_entry(org, "资金拨付情况与低保对象名册")
    open_entry(org, "低保资金发放明细")
    open_entry(org, "低保对象与资金")
    found = titles(search(q="低保资金"))
    assert found[0] == "低保资金发放明细"
    assert len(found) == 3


@pytestmark_db
def test_a_long_query_finds_the_entries_holding_most_of_its_words():
    org = factories.Organization()
    open_entry(org, "九寨沟县驾驶证逾期未审验信息")
    open_entry(org, "九寨沟县景区游客统计")
    found = titles(search(q="九寨沟县驾驶证逾期未审验信息汇总"))
    assert found == ["九寨沟县驾驶证逾期未审验信息"]


@pytestmark_db
def test_a_department_typed_with_its_topic_finds_the_departments_entries():
    bureau = factories.Organization(title="石泉县民政局")
    other = factories.Organization(title="石泉县交通运输局")
    open_entry(bureau, "城乡低保对象名册")
    open_entry(other, "低保车辆补贴")
    # the department's own entry first; another's that holds only the topic after it
    assert titles(search(q="民政局低保")) == ["城乡低保对象名册", "低保车辆补贴"]
    assert titles(search(q="民政局 低保")) == ["城乡低保对象名册", "低保车辆补贴"]


@pytestmark_db
def test_a_department_finds_the_county_records_that_name_its_work():
    # county records name the department's work by its stem or by an office merged into it
    # (工商 -> 市场监管局, 2018); the stem typed alone does not find the department's records
    county = factories.Organization(title="汶川县")
    bureau = factories.Organization(title="石泉县市场监督管理局")
    open_entry(county, "汶川县工商行政处罚案源信息")
    open_entry(county, "汶川县交通运输行政处罚信息")
    open_entry(bureau, "食品经营行政处罚决定书")
    open_entry(bureau, "食品经营许可名单")
    found = titles(search(q="市场监管局 行政处罚"))
    # the entries holding both words first; those holding one (tiered_query) after them
    assert sorted(found[:2]) == sorted(["食品经营行政处罚决定书", "汶川县工商行政处罚案源信息"])
    assert titles(search(q="工商 许可", mm="2")) == []


@pytestmark_db
@pytest.mark.parametrize(
    "q, found",
    [
        # another name of 民宗局, and a department that had no stem (广电局 -> 广播电视)
        ("民宗委 宗教", "金川县民族宗教局宗教活动场所名册"),
        ("广电局 广播", "汶川县文化广播电视和旅游局广播覆盖情况"),
        ("公共资源交易中心 招标", "公共资源交易招标项目数据"),
    ],
)
def test_every_name_of_a_department_finds_the_county_records_that_name_its_work(q, found):
    county = factories.Organization(title="金川县")
    open_entry(county, found)
    open_entry(county, "金川县寺庙广播招标名录")  # the topic without the department
    assert titles(search(q=q))[0] == found
    assert titles(search(q=q, mm="2")) == [found]


@pytestmark_db
def test_the_provider_counts_less_than_the_entrys_own_title():
    bureau = factories.Organization(title="石泉县民政局")
    other = factories.Organization(title="石泉县交通运输局")
    open_entry(bureau, "城乡低保对象名册")
    open_entry(other, "民政局转来的低保对象名册")
    assert titles(search(q="民政局 低保")) == ["民政局转来的低保对象名册", "城乡低保对象名册"]


@pytestmark_db
def test_the_departments_above_the_provider_are_searchable():
    county = factories.Organization(name="shiquan-county", title="石泉县")
    town = factories.Organization(name="chengguan-town", title="城关镇", parent_org=county["name"])
    village = factories.Organization(name="xinhua-village", title="新华村", parent_org=town["name"])
    open_entry(village, "困难家庭台账")
    other = factories.Organization(title="汉阴县")
    open_entry(other, "困难家庭名单")
    assert titles(search(q="城关镇 困难家庭")) == ["困难家庭台账", "困难家庭名单"]


def test_the_words_of_a_department_name_never_cross_its_words():
    assert "民政" in segment.index_words("石泉县民政局").split()
    assert "民政" not in segment.index_words("石泉县人民政府").split()
    town = set(segment.index_words("石泉县城关镇人民政府").split())
    assert {"城关镇", "城关", "人民政府"} <= town


@pytestmark_db
def test_a_department_word_is_not_found_across_two_words_of_a_name_above():
    # 人民政府 holds the characters 民政 in a row: as bigrams, 民政 found every entry of every
    # department below the county government (the departments above the provider are searched)
    county = factories.Organization(name="shiquan-gov", title="石泉县人民政府")
    bureau = factories.Organization(
        name="shiquan-mzj", title="石泉县民政局", parent_org=county["name"]
    )
    finance = factories.Organization(
        name="shiquan-czj", title="石泉县财政局", parent_org=county["name"]
    )
    open_entry(bureau, "婚姻登记信息")
    open_entry(finance, "非税收入登记信息")
    assert titles(search(q="民政")) == ["婚姻登记信息"]
    assert titles(search(q="民政局 登记")) == ["婚姻登记信息", "非税收入登记信息"]
    # the county's name still finds its departments' entries
    assert len(titles(search(q="人民政府 登记"))) == 2


@pytestmark_db
@pytest.mark.parametrize(
    "q, title",
    [
        ("电子社保卡", "电子社会保障卡签发量"),
        ("公租房", "廉租住房分配名单"),
        ("网吧", "互联网上网服务营业场所备案"),
        ("七普", "第七次全国人口普查汇总"),
        ("创文", "创建全国文明城市测评点位"),
        ("疾控中心", "疾病预防控制中心工作人员"),
        ("五保", "城镇特困人员花名册"),  # the name before 《社会救助暂行办法》 (2014)
        ("国企", "县属国有企业基本信息"),  # 《企业国有资产法》
        ("招投标", "工程建设项目招标公告"),  # 《招标投标法》: either half
        ("贫困户", "建档立卡户帮扶台账"),
        ("退伍军人", "自主就业退役士兵名单"),  # 《退役军人保障法》 第二条
    ],
)
def test_abbreviations_and_common_names_find_the_full_form(q, title):
    org = factories.Organization()
    open_entry(org, title)
    open_entry(org, "农村公路养护里程")
    assert titles(search(q=q)) == [title]


@pytestmark_db
def test_an_entry_filed_under_the_theme_typed_ranks_above_titles_holding_its_words_apart():
    # the theme is the publisher's own subject: the whole name there counts as a phrase (solrconfig
    # pf), above a title that holds the theme's words apart; every entry is filed under a theme
    org = factories.Organization()
    for title, theme in (
        ("体系建设资金与信用贷款台账", "价格监管"),
        ("企业红黑名单", "信用体系"),
        ("公共停车场泊位", "城乡建设"),
        ("城乡低保对象名册", "社区治理"),
    ):
        open_entry(org, title, theme=[theme])
    assert titles(search(q="信用体系")) == ["企业红黑名单", "体系建设资金与信用贷款台账"]


@pytestmark_db
def test_the_wider_social_security_finds_its_part_and_not_the_other_way():
    org = factories.Organization()
    open_entry(org, "社会保险参保人数")
    open_entry(org, "社会保障资金支出")
    assert titles(search(q="社会保险")) == ["社会保险参保人数"]
    # the part is found, below the entry holding the words typed
    assert titles(search(q="社会保障")) == ["社会保障资金支出", "社会保险参保人数"]


@pytestmark_db
def test_an_abbreviation_expands_one_way():
    # 七普 => 第七次全国人口普查: the full name does not find every title holding 七普
    org = factories.Organization()
    open_entry(org, "七普数据")
    assert titles(search(q="七普")) == ["七普数据"]
    assert titles(search(q="第七次全国人口普查")) == []


# ---------------------------------------------------------------- bad input: never a 500


def _api(app, q):
    return app.get("/api/3/action/package_search", query_string={"q": q}, expect_errors=True)


@pytest.fixture
def population(with_plugins, clean_db, clean_index):
    org = factories.Organization()
    return open_entry(org, "石泉县人口基础信息（2023）")


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize(
    "q",
    [
        "人",  # one character
        "口",
        "a",
        "人口" * 99,  # just under the length limit
        "人口基础信息" * 33,
    ],
)
def test_one_character_and_very_long_queries_answer(app, q):
    res = _api(app, q)
    assert res.status_code == 200, res.body
    assert res.json["success"] is True


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize(
    "q",
    [
        "renkou人口2023",
        "石泉xian人口",
        "shiquan 人口 2023",
        "rk 人口",
        "人口（2023）",
        "（人口）【基础信息】",
        "人口，基础信息。",
        "人口／基础信息",
        "《人口》基础信息",
        "人口 基础信息 ？！",
    ],
)
def test_mixed_scripts_and_full_width_punctuation_find_the_entry(q):
    assert titles(search(q=q)) == ["石泉县人口基础信息（2023）"]


@pytest.mark.usefixtures("population")
@pytest.mark.parametrize(
    "q",
    [
        "人口 AND 基础信息",
        "人口 OR",
        "人口~2",
        "人口^10",
        "/.*/",
        "人口/基础/",
        "+人口 -户籍",
        "人口 && 信息 || 户籍",
        "!人口",
        '"人口 基础"~3',
        "人口*",
        "人口 NOT 户籍",
        "\\(人口",
        "人口\\",
        " ".join(["人口"] * 60),  # sixty words typed apart
        "卫健委 市场监管局 人社局 住建局 自然资源局 税务局 发改局 生态环境局 文旅局 应急局",
    ],
)
def test_solr_syntax_in_a_plain_query_never_fails(app, q):
    res = _api(app, q)
    assert res.status_code == 200, (q, res.body)
    assert res.json["success"] is True
