"""The reuse finder: entries ranked by how many requested data items they provide (item-name
synonyms count), with share_type and whether the caller can get the data now."""

import ckan.plugins.toolkit as tk
import pytest

from tests import factories
from tests.search.searches import as_user

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

WANTED = ["姓名", "公民身份号码", "联系电话", "户籍地址"]


@pytest.fixture
def world():
    owner = factories.Organization(title="石泉县公安局")
    other = factories.Organization(title="石泉县民政局")
    entries = [  # title, share type, open type, data items
        ("常住人口信息", "unconditional", "open", [*WANTED, "民族"]),
        # 身份证号码 is 公民身份号码 under another name
        ("低保对象名册", "conditional", "conditional", ["姓名", "身份证号码"]),
        # 手机号码 is 联系电话 under another name
        ("重点人员名单", "none", "closed", ["姓名", "公民身份号码", "手机号码"]),
        ("企业登记信息", "unconditional", "open", ["统一社会信用代码"]),
    ]
    for title, share_type, open_type, items in entries:
        factories.Entry(
            owner_org=owner["id"],
            title=title,
            share_type=share_type,
            open_type=open_type,
            items=items,
            title_words_only=True,
        )
    return {
        "gov": factories.Member(organization=other),
        "owner_admin": factories.Member(organization=owner, capacity="admin"),
    }


def reuse(user, **data):
    return tk.get_action("govcatalog_reuse_search")(as_user(user), data)


def _rows(result):
    return [
        (r["title"], r["provided_count"], r["share_type"], r["access"]) for r in result["results"]
    ]


def test_a_government_user_sees_entries_ranked_by_items_provided(world):
    result = reuse(world["gov"], items=WANTED)
    assert _rows(result) == [
        ("常住人口信息", 4, "unconditional", "available"),
        ("重点人员名单", 3, "none", "not_shared"),
        ("低保对象名册", 2, "conditional", "request"),
    ]
    second = result["results"][1]
    assert second["provided"] == ["姓名", "公民身份号码", "联系电话"]
    assert second["missing"] == ["户籍地址"]


def test_the_owner_can_get_all_its_own_data_now(world):
    rows = _rows(reuse(world["owner_admin"], items=WANTED))
    assert [r[3] for r in rows] == ["available", "available", "available"]


def test_the_public_only_sees_entries_open_to_it(world):
    assert _rows(reuse(None, items="姓名，公民身份号码\n联系电话、户籍地址")) == [
        ("常住人口信息", 4, "unconditional", "available"),
        ("低保对象名册", 2, "conditional", "request"),
    ]


@pytest.mark.parametrize(
    "items, message",
    [
        ("", "at least one"),
        ([f"信息项{i}" for i in range(31)], "at most 30"),
        (["名" * 51], "too long"),
    ],
)
def test_bad_item_lists_are_rejected_with_a_message(world, items, message):
    with pytest.raises(tk.ValidationError) as err:
        reuse(world["gov"], items=items)
    assert message in str(err.value.error_dict["items"])


def test_the_reuse_page_lists_the_entries(app, world):
    body = app.get("/reuse", query_string={"items": "姓名,公民身份号码"}).body
    assert "常住人口信息" in body
    assert "低保对象名册" in body
    assert "重点人员名单" not in body  # closed: not visible to the public


def test_the_api_answers_like_the_action(app, world):
    res = app.post("/api/3/action/govcatalog_reuse_search", json={"items": WANTED})
    assert [r["title"] for r in res.json["result"]["results"]] == ["常住人口信息", "低保对象名册"]
