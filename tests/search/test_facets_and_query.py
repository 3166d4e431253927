"""Government facets under permissions, the town -> village hierarchy filter, and bad query
syntax (escaped or rejected with a message; never a 500, never around the permission filter)."""

import pytest

from tests import factories
from tests.search.searches import open_entry, search, titles

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def world():
    owner = factories.Organization(title="石泉县民政局")
    other = factories.Organization(title="石泉县交通运输局")
    levels = {  # key: title, share type, open type
        "open": ("人口基础信息", "unconditional", "open"),
        "cond": ("人口变动信息", "conditional", "conditional"),
        "none": ("人口涉密外信息", "none", "closed"),
    }
    return {
        **{
            key: factories.Entry(
                owner_org=owner["id"],
                title=title,
                share_type=share_type,
                open_type=open_type,
                title_words_only=True,
            )
            for key, (title, share_type, open_type) in levels.items()
        },
        "gov": factories.Member(organization=other),
    }


def _counts(result, field):
    return {i["name"]: i["count"] for i in result["search_facets"][field]["items"]}


FACETS = ["share_type", "open_type", "catalog_class", "update_cycle", "data_grade", "region_code"]


def test_facet_counts_only_count_what_the_public_may_see(world):
    result = search(None, q="", **{"facet.field": FACETS})
    assert result["count"] == 2
    assert _counts(result, "share_type") == {"unconditional": 1, "conditional": 1}
    assert _counts(result, "open_type") == {"open": 1, "conditional": 1}


def test_a_government_user_counts_every_entry(world):
    result = search(world["gov"], q="", **{"facet.field": FACETS})
    assert result["count"] == 3
    assert _counts(result, "share_type") == {"unconditional": 1, "conditional": 1, "none": 1}


def test_facet_values_carry_vocabulary_labels(world):
    result = search(world["gov"], q="", **{"facet.field": FACETS})
    labels = {i["name"]: i["display_name"] for i in result["search_facets"]["share_type"]["items"]}
    assert labels == {
        "unconditional": "Unconditional sharing",
        "conditional": "Conditional sharing",
        "none": "Not shared",
    }
    regions = {
        i["name"]: i["display_name"] for i in result["search_facets"]["region_code"]["items"]
    }
    assert regions == {"610922": "Shiquan County"}


@pytest.mark.parametrize(
    "prefix,shown,not_shown",
    [
        ("/zh_Hans_CN", ("有条件共享", "有条件开放", "石泉县"), ("Conditional sharing",)),
        ("", ("Conditional sharing", "Conditionally open", "Shiquan County"), ("有条件共享",)),
    ],
)
def test_the_search_page_names_facet_values_in_the_users_language(
    app, world, prefix, shown, not_shown
):
    body = app.get(f"{prefix}/dataset/").get_data(as_text=True)
    for label in shown:
        assert label in body, label
    for label in not_shown:
        assert label not in body, label


def test_the_search_page_offers_the_government_facets(app, world):
    body = app.get("/dataset/").body
    for title in ("Share type", "Open type", "Provider department", "Data items", "Region"):
        assert title in body


def test_choosing_a_town_includes_its_villages():
    county = factories.County(name="shiquan-county", title="石泉县")
    town = factories.Town(name="chengguan-town", title="城关镇", parent_org="shiquan-county")
    village = factories.Village(name="xxx-village", title="城关镇某村", parent_org="chengguan-town")
    for org, title in (
        (town, "城关镇低保名册"),
        (village, "某村低保名册"),
        (county, "石泉县低保汇总"),
    ):
        open_entry(org, title)
    assert sorted(titles(search(None, fq='organization:"chengguan-town"'))) == [
        "城关镇低保名册",
        "某村低保名册",
    ]
    assert titles(search(None, fq='organization:"xxx-village"')) == ["某村低保名册"]
    assert len(titles(search(None, fq='organization:"shiquan-county"'))) == 3


# ---- bad query syntax


def _api(app, **params):
    return app.get("/api/3/action/package_search", query_string=params, expect_errors=True)


@pytest.mark.parametrize(
    "q", ['"人口', "人口)", "(人口", "title:(人口", "*人口", "人口 [", "人口 }"]
)
def test_unbalanced_syntax_is_escaped_and_still_searches(app, world, q):
    res = _api(app, q=q)
    assert res.status_code == 200, res.body
    assert res.json["success"] is True


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "{!lucene}*:*"}, "local parameters"),
        ({"q": "人口 {!xmlparser v='<a/>'}"}, "local parameters"),
        ({"q": '_query_:"{!dismax}x"'}, "local parameters"),
        ({"q": '_val_:"sum(1)"'}, "_val_"),
        ({"q": "人口 OR *:*"}, "*:*"),
        ({"q": "*:人口"}, "*:*"),
        ({"q": "人口" * 150}, "too long"),
        ({"q": "人口", "fq": "{!frange l=0}sum(1)"}, "local parameters"),
        # the site lets CKAN pass dismax local params for its own tiered queries, never a caller's
        ({"q": "{!dismax bq='permission_labels:*'}人口"}, "local parameters"),
        ({"q": "人口", "fq": "{!dismax}人口"}, "local parameters"),
        ({"q": "人口", "facet.field": '["{!dismax ex=x}organization"]'}, "local parameters"),
        ({"q": "人口", "defType": "func"}, "not allowed"),
    ],
)
def test_solr_syntax_is_rejected_with_a_clear_message(app, world, params, message):
    res = _api(app, **params)
    assert res.status_code == 400, res.body
    assert message.lower() in res.body.lower()


def test_the_search_page_answers_bad_syntax_with_400_not_500(app, world):
    res = app.get("/dataset/", query_string={"q": "{!xmlparser}x"}, expect_errors=True)
    assert res.status_code == 400
    assert "local parameters" in res.body


@pytest.mark.parametrize(
    "q",
    [
        "*:*",
        "人口 OR permission_labels:*",
        "capacity:private OR capacity:public",
        "title:人口涉密外信息",
        "人口 -permission_labels:public",
    ],
)
def test_no_query_reaches_around_the_permission_filter(world, q):
    found = titles(search(None, q=q))
    assert "人口涉密外信息" not in found


def test_an_api_caller_cannot_pass_for_a_query_built_by_code(app, world):
    res = app.post(
        "/api/3/action/package_search",
        json={"q": "人口" * 150, "extras": {"govcatalog_built_query": True}},
        expect_errors=True,
    )
    assert res.status_code == 400
    assert "too long" in res.body
