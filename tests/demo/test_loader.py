"""The 石泉县 demo catalog: its data files obey the catalog rules, and the loader puts all of it
into CKAN through the actions (so every validator runs), idempotently."""

from __future__ import annotations

import copy
import re
import time
from collections import Counter

import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.govcatalog import vocab
from ckanext.govcatalog.bulk import exporter, importer
from ckanext.govcatalog.catalog import field_rules
from ckanext.govcatalog.demo import loader as demo


def _values(name: str, **where: str) -> set[str]:
    return {
        v["value"]
        for v in vocab.entries(name)
        if all(v.get(k) == want for k, want in where.items())
    }


BASIC_ITEMS = _values("catalog_item", **{"class": "basic"})
THEMES = _values("theme")
DATA_TYPES = _values("data_type")
CHOICE_FIELDS = (
    "catalog_class",
    "format_category",
    "share_type",
    "open_type",
    "share_mode",
    "update_cycle",
    "data_grade",
)
TOWN_CODES = {
    "城关镇": "610922100000",
    "饶峰镇": "610922101000",
    "两河镇": "610922102000",
    "迎丰镇": "610922103000",
    "池河镇": "610922104000",
    "后柳镇": "610922105000",
    "喜河镇": "610922106000",
    "熨斗镇": "610922107000",
    "云雾山镇": "610922108000",
    "中池镇": "610922109000",
    "曾溪镇": "610922110000",
}
# catalog-spec §3, as the vocabulary states it: a share type may force one open type.
ALLOWED = {
    (s["value"], o)
    for s in vocab.entries("share_type")
    for o in _values("open_type")
    if s.get("forces_open_type") in (None, o)
}
FORBIDDEN = {(s, o) for s in _values("share_type") for o in _values("open_type")} - ALLOWED
REQUIRED_DEPARTMENTS = [
    "公安",
    "人力资源和社会保障",
    "卫生健康",
    "医疗保障",
    "民政",
    "市场监督管理",
    "自然资源",
    "住房和城乡建设",
    "教育",
    "农业农村",
    "应急管理",
    "生态环境",
    "税务",
    "统计",
    "信访局",
    "12345",
    "政务服务中心",
    "数据局",
]
REQUIRED_SYSTEMS = [
    "政务值班",
    "12345",
    "信访",
    "政府信息公开",
    "公文",
    "人口",
    "社保|人社",
    "医疗保障",
]
# What load() reports having done.
COUNTERS = (
    "organizations",
    "updated_organizations",
    "updated_packages",
    "info_systems",
    "entries",
    "users",
    "memberships",
    "purged",
)
ITEMS_REQUIRED_FOR = _values("format_category", requires_data_items=True)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_valid(code: str) -> bool:
    """GB 32100: 18 characters from the code set, the last one the mod-31 check character.
    (Written here independently of the validators so that each checks the other.)"""
    if not re.fullmatch(f"[{USCC_CHARS}]{{18}}", code or ""):
        return False
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def test_uscc_check_detects_any_single_change(data):
    # 31 is prime and no weight is a multiple of it, so every single-character change of a
    # valid code must break its check character.
    code = data["organizations"][0]["org_code"]
    assert uscc_valid(code)
    for i in range(18):
        for c in USCC_CHARS:
            if c != code[i]:
                assert not uscc_valid(code[:i] + c + code[i + 1 :]), (i, c)


@pytest.fixture(scope="module")
def data():
    return demo.read_data(demo_dir())


def demo_dir():
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "schemas", "demo")


class TestDataFiles:
    """The data files alone, without CKAN: fast, and they name the offending record."""

    def test_organization_tree(self, data):
        orgs = {o["name"]: o for o in data["organizations"]}
        levels = Counter(o["org_level"] for o in orgs.values())
        assert levels["county"] >= 26  # the county and at least 25 departments
        assert levels["town"] == 11
        assert levels["village"] >= 6
        for o in orgs.values():
            assert uscc_valid(o["org_code"]), o
            assert field_rules.uscc_check_char(o["org_code"][:17]) == o["org_code"][17], o
            assert o["parent_org"] == "" or o["parent_org"] in orgs, o
            assert re.fullmatch(r"\d{6}|\d{12}", o["division_code"]), o
        towns = {o["title"]: o for o in orgs.values() if o["org_level"] == "town"}
        for town, code in TOWN_CODES.items():
            match = [o for title, o in towns.items() if town in title]
            assert match and match[0]["division_code"] == code, town
        village_towns = {o["parent_org"] for o in orgs.values() if o["org_level"] == "village"}
        assert len(village_towns) >= 2
        for o in orgs.values():
            if o["org_level"] == "village":
                assert o["division_code"][:9] == orgs[o["parent_org"]]["division_code"][:9], o
        assert len({o["org_code"] for o in orgs.values()}) == len(orgs)

    def test_required_departments(self, data):
        titles = [o["title"] for o in data["organizations"] if o["org_level"] == "county"]
        for dept in REQUIRED_DEPARTMENTS:
            assert any(dept in t for t in titles), dept

    def test_entries_follow_the_rules(self, data):
        entries = data["entries"]
        systems = {s["name"] for s in data["info_systems"]}
        orgs = {o["name"] for o in data["organizations"]}
        assert len(entries) >= 300
        assert len({e["name"] for e in entries}) == len(entries)
        for e in entries:
            pair = (e["share_type"], e["open_type"])
            assert pair in ALLOWED, e["name"]
            if e["share_type"] in ("conditional", "none"):
                assert e.get("share_condition"), e["name"]
            if e["open_type"] == "conditional":
                assert e.get("open_condition"), e["name"]
            if e["format_category"] in ITEMS_REQUIRED_FOR:
                assert e.get("data_items"), e["name"]
            for item in e.get("data_items", []):
                assert item["name"] and item["length"] > 0, e["name"]
                assert item["data_type"] in DATA_TYPES, (e["name"], item)
            for field in CHOICE_FIELDS:
                assert e[field] in _values(field), (e["name"], field, e[field])
            assert set(e["theme"]) <= THEMES, e["name"]
            assert e["owner_org"] in orgs and e["source_org"] in orgs, e["name"]
            assert e.get("source_system") is None or e["source_system"] in systems, e["name"]
        pairs = Counter((e["share_type"], e["open_type"]) for e in entries)
        assert set(pairs) == ALLOWED
        basic = {e["catalog_item"] for e in entries if e["catalog_class"] == "basic"}
        thematic = {e["catalog_item"] for e in entries if e["catalog_class"] == "thematic"}
        assert basic == BASIC_ITEMS
        assert thematic == THEMES

    def test_systems_produce_entries(self, data):
        systems = data["info_systems"]
        orgs = {o["name"] for o in data["organizations"]}
        assert len(systems) >= 15
        for s in systems:
            assert s["owner_org"] in orgs and s["maintainer_org"] in orgs, s["name"]
            assert s["user_orgs"] and set(s["user_orgs"]) <= orgs, s["name"]
        for wanted in REQUIRED_SYSTEMS:
            assert any(re.search(wanted, s["title"]) for s in systems), wanted
        used = Counter(e.get("source_system") for e in data["entries"])
        in_use = [s for s in systems if s["system_status"] != "retired"]
        assert all(used[s["name"]] > 0 for s in in_use), [
            s["name"] for s in in_use if not used[s["name"]]
        ]

    def test_users_show_the_roles(self, data):
        roles = Counter()
        for u in data["users"]:
            for m in u["memberships"]:
                roles[m["role"]] += 1
        assert roles["editor"] >= 2 and roles["admin"] >= 2
        assert any(not u["memberships"] for u in data["users"])


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_loader_loads_everything_idempotently(data):
    first = demo.load()
    assert first["organizations"] == len(data["organizations"])
    assert first["entries"] == len(data["entries"])
    assert first["info_systems"] == len(data["info_systems"])
    assert first["users"] == len(data["users"])

    sysadmin = {"ignore_auth": True}
    # organizations, with their catalog fields, as CKAN returns them
    names = helpers.call_action("organization_list", sysadmin, limit=1000)
    assert set(names) == {o["name"] for o in data["organizations"]}
    for o in data["organizations"]:
        shown = helpers.call_action("organization_show", sysadmin, id=o["name"])
        assert shown["org_code"] == o["org_code"] and uscc_valid(shown["org_code"])
        assert shown["org_level"] == o["org_level"]
        assert shown["division_code"] == o["division_code"]
        assert shown.get("parent_org", "") == o["parent_org"]

    # entries and systems: in the database and in the index
    def search(fq: str, **kw):
        return helpers.call_action("package_search", sysadmin, fq=fq, include_private=True, **kw)

    entries = search("+dataset_type:dataset", rows=1000)
    assert entries["count"] == len(data["entries"]) >= 300
    systems = search("+dataset_type:info_system", rows=100)
    assert systems["count"] == len(data["info_systems"]) >= 15
    system_names = {s["name"] for s in systems["results"]}
    results = entries["results"]
    pairs = Counter((r["share_type"], r["open_type"]) for r in results)
    assert set(pairs) == ALLOWED
    assert not set(pairs) & FORBIDDEN
    assert {r["catalog_item"] for r in results if r["catalog_class"] == "basic"} == BASIC_ITEMS
    assert {r["catalog_item"] for r in results if r["catalog_class"] == "thematic"} == THEMES
    for r in results:
        assert r.get("resource_code"), r["name"]
        if r.get("source_system"):
            assert r["source_system"] in system_names, r["name"]
    assert len({r["resource_code"] for r in results}) == len(results)

    # the users and their roles
    for u in data["users"]:
        user = model.User.get(u["name"])
        assert user is not None and user.validate_password(demo.demo_password(u["name"]))
        mine = helpers.call_action(
            "organization_list_for_user", {"user": u["name"]}, id=u["name"], permission="read"
        )
        assert {o["name"] for o in mine} >= {m["org"] for m in u["memberships"]}

    # a second run creates nothing, and quickly
    started = time.monotonic()
    again = demo.load()
    elapsed = time.monotonic() - started
    assert {k: again[k] for k in COUNTERS} == dict.fromkeys(COUNTERS, 0)
    assert elapsed < 10, elapsed
    assert search("+dataset_type:dataset", rows=0)["count"] == len(data["entries"])

    # an edited data file updates the entry it changes, through the validators, keeping its code
    edited = copy.deepcopy(data)
    entry = next(e for e in edited["entries"] if e.get("data_items"))
    before = helpers.call_action("package_show", sysadmin, id=entry["name"])
    entry["title"] += "（修订）"
    entry["data_items"][0]["length"] += 1
    report = demo.load(data=edited)
    assert report["updated_packages"] == 1
    assert {k: report[k] for k in COUNTERS if k != "updated_packages"} == dict.fromkeys(
        set(COUNTERS) - {"updated_packages"}, 0
    )
    after = helpers.call_action("package_show", sysadmin, id=entry["name"])
    assert after["title"] == entry["title"]
    assert after["data_items"][0]["length"] == entry["data_items"][0]["length"]
    assert after["resource_code"] == before["resource_code"]

    # the whole demo, exported as a spreadsheet, re-imports with no errors and no changes
    # (departmental entries' 项 is free text, the exported CSV is larger than one sniff sample)
    site_user = helpers.call_action("get_site_user", sysadmin)["name"]
    for fmt in ("xlsx", "csv"):
        exported = exporter.export(site_user, fmt)
        again = importer.import_file(exported, f"demo.{fmt}", site_user, dry_run=True)
        assert again.problems == [], (fmt, again.problems[:3])
        assert again.summary()["unchanged"] == len(data["entries"]), (fmt, again.summary())
