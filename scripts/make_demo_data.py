#!/usr/bin/env python3
"""Generates the 石泉县 demo catalog data files from the real corpus records.

Reads the corpus (../shared/corpus/*.jsonl) and the hand-written inputs in schemas/demo/src/, and
writes schemas/demo/organizations.yaml and schemas/demo/entries.json (both committed; the loader
only reads them). Deterministic: the same inputs give byte-identical outputs.

Usage: .venv/bin/python scripts/make_demo_data.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from typing import Any

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEMO = os.path.join(ROOT, "schemas", "demo")
SRC = os.path.join(DEMO, "src")
VOCAB = os.path.join(ROOT, "schemas", "vocab")

# --- GB 32100 / GB 11714 check characters -----------------------------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def uscc_check(body17: str) -> str:
    """GB 32100 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def make_uscc(prefix2: str, division6: str, seed: str) -> str:
    """登记管理部门码+机构类别码 (2) + 区划 (6) + GB 11714 组织机构代码 (9) + check (1)."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    body8 = "0" + str(digest % 10**7).zfill(7)
    body17 = prefix2 + division6 + body8 + org_code_check(body8)
    return body17 + uscc_check(body17)


# --- corpus -----------------------------------------------------------------------------------
ABA_PLACES = "汶川|理县|茂县|松潘|九寨沟|金川|小金|黑水|马尔康|壤塘|阿坝县|若尔盖|红原"
REJECT = re.compile(
    r"藏|羌|牦牛|草原|青稞|虫草|寺|宗教|熊猫|九寨|黄龙|米亚罗|卧龙|漳扎|慈坝|经开区|旌|八角井|德阳|"
    r"成都|测试|暂无|党史|GPS|gps|\?|？|关于|市场监督管理局关于|第[一二三四]季度|\d{4}年|\d{4}-"
)
FOREIGN_TOWN = re.compile(r"[\u4e00-\u9fff]{2}(乡|镇)(?!人民政府)")
OK_TOWN = re.compile(r"乡镇|城乡|各乡|各镇|乡村|镇村|城镇|小城镇|重点镇")


def adapt(text: str) -> str:
    """Moves a corpus title or summary to 石泉县."""
    t = text.strip().replace("\n", "").replace(" ", "")
    t = re.sub(r"^[^-－_]{1,12}[-－_]", "", t)  # "市统计局-..." / "经开区-..."
    t = re.sub(rf"^(阿坝州|阿坝|{ABA_PLACES})(县|市)?", "", t)
    t = re.sub(rf"(阿坝州|阿坝藏族羌族自治州|德阳市|普陀区|{ABA_PLACES})(县|市)?", "石泉县", t)
    t = t.replace("四川省", "陕西省").replace("上海市", "陕西省").replace("上海", "陕西")
    # Province-level records become the county's own.
    t = t.replace("陕西省省级", "县级").replace("陕西省州市", "各镇").replace("陕西省省", "石泉县")
    t = (
        t.replace("省级", "县级")
        .replace("州市", "各镇")
        .replace("陕西省", "石泉县")
        .replace("陕西", "石泉")
    )
    t = t.replace("普陀", "石泉").replace("来沪", "来石").replace("本市户籍", "本县户籍")
    t = t.replace("街道", "镇").replace("居委会", "社区")
    t = re.sub(r"^区", "县", t)
    t = (
        t.replace("区级", "县级")
        .replace("区管", "县管")
        .replace("区县", "县")
        .replace("市、区", "省、县")
    )
    t = t.replace("全市", "全县").replace("全州", "全县").replace("市级及市级以下", "县级")
    t = t.replace("模板", "信息").replace("石泉县石泉县", "石泉县").strip("-－_ 、.。…")
    return t


# A department named at the start of an Aba county title ("信访局统计...", "林草局...").
DEPT_PREFIX = re.compile(
    r"^([\u4e00-\u9fff]{1,9}?(局|委员会|委|办公室|中心|大队|联合会))(?=[\u4e00-\u9fff“(（]{2})"
)


def load_corpus(folder: str) -> list[dict[str, Any]]:
    """Every corpus record in one shape: id, title, provider, notes, cycle, released, items."""
    out: list[dict[str, Any]] = []

    def rows(name: str) -> list[dict[str, Any]]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    for r in rows("putuo_district_data_templates.jsonl"):
        items = [c for c in r["columns"] if c != "入库数据名称"]
        out.append(
            {
                "id": r["id"],
                "title": r["resource_name"],
                "provider": r["dept_inferred"] or "",
                "notes": "",
                "cycle": None,
                "released": None,
                "updated": None,
                "items": items,
                "putuo": r["dept_code"],
                "rank": 0,
            }
        )
    for r in rows("aba_prefecture_open_catalog.jsonl"):
        county = r["orgName"].strip().endswith(("县", "市"))
        out.append(
            {
                "id": r["id"],
                "title": r["subjectBaseName"],
                "provider": r["orgName"].strip(),
                "notes": r.get("tableRemark") or "",
                "cycle": r.get("frequency"),
                "released": (r.get("releaseTime") or "")[:10] or None,
                "updated": r.get("updateTime"),
                "items": None,
                "putuo": None,
                "rank": 1 if county else 4,
            }
        )
    for r in rows("deyang_city_open_catalog.jsonl"):
        out.append(
            {
                "id": r["id"],
                "title": r["标题"],
                "provider": r["资源提供方"] + r["标题"].split("-")[0],
                "notes": r.get("资源摘要") or "",
                "cycle": r.get("更新周期"),
                "released": r.get("发布时间"),
                "updated": r.get("更新时间"),
                "items": None,
                "putuo": None,
                "rank": 2,
            }
        )
    for r in rows("shaanxi_province_open_catalog.jsonl"):
        out.append(
            {
                "id": r["id"],
                "title": r["标题"],
                "provider": r["来源部门"],
                "notes": r.get("描述") or "",
                "cycle": None,
                "released": r.get("发布时间"),
                "updated": r.get("更新时间"),
                "items": None,
                "putuo": None,
                "rank": 3,
            }
        )
    return out


CYCLES = {
    "实时": "实时",
    "每日": "每日",
    "每周": "每周",
    "每月": "每月",
    "季度": "每季度",
    "每季度": "每季度",
    "每半年": "每半年",
    "年": "每年",
    "每年": "每年",
    "不定期": "不定期",
}


# --- generation -------------------------------------------------------------------------------
def first(rules: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    return next((r for r in rules if re.search(r["match"], text)), None)


def stable(seed: str, n: int) -> int:
    return int(hashlib.md5(seed.encode()).hexdigest(), 16) % n


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "明",
    "静",
    "磊",
    "敏",
    "强",
    "芳",
    "军",
    "丽",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "霞",
    "超",
    "婷",
    "鹏",
    "燕",
    "斌",
    "琳",
    "晓东",
    "海燕",
    "建华",
    "志刚",
    "红梅",
    "文博",
    "思远",
    "雪梅",
]


def steward_for(slug: str, title: str) -> str:
    name = SURNAMES[stable(slug, len(SURNAMES))] + GIVEN[stable(slug + "g", len(GIVEN))]
    phone = f"0915-63{stable(slug + 'p', 100000):05d}"
    return f"{name}（{title}数据管理员） {phone} {slug}@example.invalid"


def data_items(names: list[str], spec: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    items = []
    personal = re.compile(spec["personal"])
    not_personal = re.compile(spec["not_personal"])
    for raw in names:
        name = adapt(str(raw)).strip("*＊ ")[:60]
        if not name:
            continue
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}（{seen[name]}）"
        rule = first(spec["types"], name)
        assert rule is not None
        items.append(
            {
                "name": name,
                "data_type": rule["type"],
                "length": rule["length"],
                "description": "",
                "personal_info": "yes"
                if personal.search(name) and not not_personal.search(name)
                else "no",
            }
        )
    return items


def build(corpus_dir: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    def src(name: str) -> Any:
        with open(os.path.join(SRC, name), encoding="utf-8") as f:
            return yaml.safe_load(f)

    depts, div, items_spec, rules = (
        src("departments.yaml"),
        src("divisions.yaml"),
        src("data_items.yaml"),
        src("rules.yaml"),
    )
    extra = src("extra_entries.yaml")

    # organizations
    county = div["county"]
    orgs: list[dict[str, Any]] = [
        {
            "name": county["slug"],
            "title": county["title"],
            "org_level": "county",
            "division_code": county["code"],
            "parent_org": "",
            "org_code": make_uscc("11", county["code"], county["slug"]),
        }
    ]
    for d in depts:
        orgs.append(
            {
                "name": d["slug"],
                "title": d["title"],
                "org_level": "county",
                "division_code": county["code"],
                "parent_org": county["slug"],
                "org_code": make_uscc(d["kind"], county["code"], d["slug"]),
            }
        )
    for t in div["towns"]:
        orgs.append(
            {
                "name": t["slug"],
                "title": t["title"],
                "org_level": "town",
                "division_code": t["code"],
                "parent_org": county["slug"],
                "org_code": make_uscc("11", county["code"], t["slug"]),
            }
        )
    for town, villages in div["villages"].items():
        for v in villages:
            # 基层群众性自治组织 (村民委员会/居民委员会) codes are issued with prefix 54.
            orgs.append(
                {
                    "name": v["slug"],
                    "title": v["title"],
                    "org_level": "village",
                    "division_code": v["code"],
                    "parent_org": town,
                    "org_code": make_uscc("54", county["code"], v["slug"]),
                }
            )
    org_by_slug = {o["name"]: o for o in orgs}

    # pick corpus records for each provider
    corpus = load_corpus(corpus_dir)
    corpus.sort(key=lambda r: (r["rank"], r["id"]))
    used_ids: set[str] = set()
    used_titles: set[str] = set()
    picks: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (provider spec, record)

    def usable(r: dict[str, Any]) -> str | None:
        if r["id"] in used_ids:
            return None
        if REJECT.search(r["title"]) or REJECT.search(r["provider"]):
            return None
        title = adapt(r["title"])
        if not 4 <= len(title) <= 40 or title in used_titles:
            return None
        if FOREIGN_TOWN.search(title) and not OK_TOWN.search(title):
            return None
        return title

    def take(spec: dict[str, Any], r: dict[str, Any], title: str) -> None:
        used_ids.add(r["id"])
        used_titles.add(title)
        picks.append((spec, dict(r, title=title)))

    def matches(d: dict[str, Any], r: dict[str, Any]) -> str | None:
        """The adapted title if the record is usable and belongs to department d."""
        title = usable(r)
        if not title:
            return None
        prefix = DEPT_PREFIX.match(title)
        text = prefix.group(1) if prefix else title + " " + r["provider"]
        if prefix:
            title = title[prefix.end() :]
            if len(title) < 4 or title in used_titles:
                return None
        if re.search(d["match"], text) and not (d.get("exclude") and re.search(d["exclude"], text)):
            return title
        return None

    towns_spec = {
        t["slug"]: {"slug": t["slug"], "title": t["title"], "default": "sq-sys-share"}
        for t in div["towns"]
    }
    for slug, quota in div["town_quota"].items():
        n = 0
        for r in corpus:
            if n >= quota:
                break
            title = usable(r)
            if title and r["putuo"] is None and re.search(div["town_match"], title):
                take(towns_spec[slug], r, title)
                n += 1

    for d in depts:
        n = 0
        putuo_cap = max(d["quota"] - 3, d["quota"] // 2)
        for r in corpus:
            if r["putuo"] and r["putuo"] in d.get("putuo", []) and n < putuo_cap:
                title = usable(r)
                if title:
                    take(d, r, title)
                    n += 1
        # Candidates from each source in turn (Aba counties, Deyang, Shaanxi, Aba prefecture),
        # so that no single portal fills a department.
        queues = [[r for r in corpus if r["rank"] == k] for k in (1, 2, 3, 4)]
        cursors = [0, 0, 0, 0]
        while n < d["quota"] and any(c < len(q) for c, q in zip(cursors, queues, strict=True)):
            for k, queue in enumerate(queues):
                while n < d["quota"] and cursors[k] < len(queue):
                    r = queue[cursors[k]]
                    cursors[k] += 1
                    title = matches(d, r)
                    if title:
                        take(d, r, title)
                        n += 1
                        break
    # 双公示 templates have no department: they go to the credit platform's owner.
    fgj = next(d for d in depts if d["slug"] == "shiquan-fgj")
    for r in corpus:
        if r["putuo"] in ("corp_cf", "corp_xk", "people_cf", "people_xk"):
            take(fgj, r, adapt(r["title"]))

    entries = [entry_from(spec, r, org_by_slug, items_spec, rules) for spec, r in picks]
    for e in extra:
        entries.append(finish(dict(e), org_by_slug, items_spec, rules))
    entries.sort(key=lambda e: e["name"])
    return {"organizations": orgs}, entries


def entry_from(
    spec: dict[str, Any],
    r: dict[str, Any],
    orgs: dict[str, Any],
    items_spec: dict[str, Any],
    rules: dict[str, Any],
) -> dict[str, Any]:
    title = r["title"]
    names = r["items"]
    if names is None:
        names = first(items_spec["templates"], title)["items"]
    system = spec.get("default")
    route = first(spec.get("systems") or [], title)
    if route is not None:
        system = route["system"]
    notes = adapt(r["notes"]) if r["notes"] else ""
    if len(notes) <= len(title) + 2:
        notes = ""
    short = spec["slug"].removeprefix("shiquan-")
    e = {
        "name": f"sq-{short}-{r['id'].removeprefix('putuo-')}".lower().replace("_", "-"),
        "title": title,
        "notes": notes,
        "owner_org": spec["slug"],
        "items": names,
        "source_system": system,
        "update_cycle": CYCLES.get(r["cycle"] or "", "不定期"),
        "publish_date": r["released"]
        or f"2024-{1 + stable(r['id'], 12):02d}-{1 + stable(r['id'] + 'd', 28):02d}",
        "last_data_update": _datetime(r["updated"]),
        "corpus_id": r["id"],
    }
    return finish(e, orgs, items_spec, rules)


def _datetime(value: str | None) -> str | None:
    """ISO date-time as CKAN's datetime preset returns it (a bare date gets midnight)."""
    if not value:
        return None
    text = value[:19].replace(" ", "T")
    return text if "T" in text else text + "T00:00:00"


FORMATS = [
    (r"视频|录音|监控", "流媒体", "MP4"),
    (r"分布图|地图|影像|遥感", "图形图像", "GeoTIFF"),
    (r"公文|文件汇编|政策文件|年度报告|规划文本|方案$|制度", "电子文件", "OFD"),
]


def finish(
    e: dict[str, Any], orgs: dict[str, Any], items_spec: dict[str, Any], rules: dict[str, Any]
) -> dict[str, Any]:
    """Fills the derived fields of an entry (class, item, format, sharing, ...)."""
    org = orgs[e["owner_org"]]
    title = e["title"]
    names = e.pop("items", None)
    items = data_items(names, items_spec) if names else []
    personal = any(i["personal_info"] == "yes" for i in items)

    cls = first(rules["classify"], title)
    if "catalog_class" not in e:
        if cls is None:
            e["catalog_class"], e["catalog_item"] = "departmental", org["title"]
        else:
            e["catalog_class"], e["catalog_item"] = cls["class"], cls["item"]
    if e["catalog_class"] == "thematic":
        theme = e["catalog_item"]
    else:
        t = first(rules["themes"], title + org["title"])
        theme = t["theme"] if t else "公共服务"
    e.setdefault("theme", [theme])

    if "format_category" not in e:
        fmt = next(((c, t) for rx, c, t in FORMATS if re.search(rx, title)), None)
        if fmt:
            e["format_category"], e["format_type"] = fmt
        elif e.get("source_system") and e["update_cycle"] in ("实时", "每日"):
            e["format_category"], e["format_type"] = "服务接口", "RESTful 接口（JSON）"
        elif e.get("source_system"):
            db = ["KingbaseES 数据表", "达梦 DM8 数据表", "Oracle 数据表"]
            e["format_category"], e["format_type"] = "数据库", db[stable(e["name"], 3)]
        else:
            e["format_category"], e["format_type"] = "电子表格", "xlsx"
    e["data_items"] = items
    e.setdefault(
        "share_mode", {"数据库": "库表", "服务接口": "接口"}.get(e["format_category"], "文件")
    )

    # sharing and opening
    duty = org["title"].removeprefix("石泉县").removeprefix("国家税务总局石泉县")
    none_rule = first(rules["none"], title)
    if "share_type" in e:
        pass
    elif none_rule is not None:
        e["share_type"], e["open_type"], e["share_condition"] = "none", "closed", none_rule["basis"]
    elif personal:
        e["share_type"], e["open_type"] = "conditional", "closed"
        e["share_condition"] = rules["share_conditions"]["personal"].format(
            duty=duty, org=org["title"]
        )
    elif re.search(rules["internal"], title):
        e["share_type"] = ["unconditional", "conditional"][stable(e["name"], 2)]
        e["open_type"] = "closed"
        if e["share_type"] == "conditional":
            e["share_condition"] = rules["share_conditions"]["internal"].format(org=org["title"])
    else:
        e["share_type"], e["open_type"] = [
            ("unconditional", "open"),
            ("unconditional", "open"),
            ("unconditional", "open"),
            ("unconditional", "conditional"),
            ("conditional", "open"),
            ("conditional", "conditional"),
            ("unconditional", "closed"),
        ][stable(e["name"] + "s", 7)]
        if e["share_type"] == "conditional":
            e["share_condition"] = rules["share_conditions"]["public"].format(org=org["title"])
    if e["open_type"] == "conditional" and not e.get("open_condition"):
        conds = rules["open_conditions"]
        e["open_condition"] = conds[stable(e["name"] + "o", len(conds))].format(org=org["title"])

    if e["share_type"] == "none" or personal:
        grade = "重要数据"
    elif e["catalog_class"] == "basic" and e["catalog_item"] == "人口":
        grade = "核心数据"
    else:
        grade = "一般数据"
    e.setdefault("data_grade", grade)
    e.setdefault("region_code", org["division_code"])
    e.setdefault("source_org", e["owner_org"])
    e.setdefault("steward", steward_for(e["owner_org"], org["title"]))
    if not e.get("notes"):
        sample = "、".join(i["name"] for i in items[:5])
        e["notes"] = f"{org['title']}编制的{title}" + (
            f"，包含{sample}等信息项。" if sample else "。"
        )
    e["tags"] = sorted(
        {e["catalog_item"] if e["catalog_class"] != "departmental" else theme, theme}
    )
    return {k: v for k, v in e.items() if v not in (None, "", [])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    args = parser.parse_args()
    orgs, entries = build(args.corpus)
    with open(os.path.join(DEMO, "organizations.yaml"), "w", encoding="utf-8") as f:
        f.write(
            "# Generated by scripts/make_demo_data.py from schemas/demo/src/divisions.yaml and\n"
            "# departments.yaml; org_code check characters computed per GB 11714 / GB 32100.\n"
        )
        yaml.safe_dump(orgs, f, allow_unicode=True, sort_keys=False, width=120)
    with open(os.path.join(DEMO, "entries.json"), "w", encoding="utf-8") as f:
        json.dump(
            {"generated_by": "scripts/make_demo_data.py", "entries": entries},
            f,
            ensure_ascii=False,
            indent=1,
        )
        f.write("\n")
    print(f"{len(orgs['organizations'])} organizations, {len(entries)} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
