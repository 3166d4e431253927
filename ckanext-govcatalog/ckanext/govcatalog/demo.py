"""The demo catalog loader."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

COUNTY = {"name": "shiquan", "title": "石泉县人民政府"}
DEPARTMENTS = [
    {"name": "shiquan-gaj", "title": "石泉县公安局"},
    {"name": "shiquan-rsj", "title": "石泉县人力资源和社会保障局"},
    {"name": "shiquan-wjj", "title": "石泉县卫生健康局"},
]
ENTRIES = [
    ("shiquan-gaj", "shiquan-population-basic", "石泉县人口基础信息", "全县户籍人口基础信息"),
    (
        "shiquan-rsj",
        "shiquan-social-insurance",
        "石泉县社会保险参保信息",
        "城乡居民养老保险参保登记信息",
    ),
    (
        "shiquan-wjj",
        "shiquan-medical-institutions",
        "石泉县医疗机构名录",
        "全县医疗卫生机构名称、地址与等级",
    ),
]


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def load() -> dict[str, int]:
    """Create what is missing of the demo catalog; returns counts of what was created."""
    created = {"organizations": 0, "datasets": 0}
    existing_orgs = set(tk.get_action("organization_list")(_context(), {}))
    for org in [COUNTY, *DEPARTMENTS]:
        if org["name"] not in existing_orgs:
            tk.get_action("organization_create")(_context(), dict(org))
            created["organizations"] += 1
    for owner, name, title, notes in ENTRIES:
        try:
            tk.get_action("package_show")(_context(), {"id": name})
        except tk.ObjectNotFound:
            tk.get_action("package_create")(
                _context(), {"name": name, "title": title, "notes": notes, "owner_org": owner}
            )
            created["datasets"] += 1
    return created
