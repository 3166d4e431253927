"""The small catalog the 一数一源 and repeated-collection tests run against.

The police department is the 数源部门 of the element 就业登记证号 (ELEMENT); four other entries
hold it:

=====  ============  =========================================  ==========  ==============
key    provider      how it holds the element                   verdict     who sees it
=====  ============  =========================================  ==========  ==============
src    police        its own collection (conditional sharing)   source      government
rep    civil         no citation, via system S-county           repeated    government
cite   civil         关联资源代码 = src's resource code         cites       government
named  health        数源部门 = police                          cites       government
priv   health        private, no citation, via system S-city    repeated    health only
open   civil         open to all, no citation                   repeated    everyone
free   health        an element without a 数源部门 (FREE)       no_source   government
=====  ============  =========================================  ==========  ==============

Information systems: S-county (built by the county, used by the town and the village) and
S-city (built by the city, used by the town). So the town's staff use two systems that both ask
for ELEMENT, but only who may see the private entry ``priv`` learns that S-city asks for it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ckan.tests.helpers import call_action

from tests import factories

ELEMENT_NAME = "就业登记证号"
# a synonym no data item of the world is called: searching it can only match through the element
UNUSED_SYNONYM = "就业创业证编号"
ITEM_NAMES = {"src": "就业登记证号", "rep": "就业证号码", "open": "就业证号码"}
FREE_NAME = "测试自由编号"


@dataclasses.dataclass
class World:
    orgs: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any] | None]
    entries: dict[str, dict[str, Any]]
    systems: dict[str, dict[str, Any]]
    element_id: str
    free_id: str


def _item(name: str, element_id: str) -> dict[str, Any]:
    return dict(factories.data_item(name), element_id=element_id)


def build() -> World:
    site = factories.Sysadmin(name="pv_sysadmin")
    county = factories.County(user=site, name="pv-county", title="测试县人民政府")
    orgs = {"county": county}
    for key, title in (
        ("police", "测试县公安局"),
        ("civil", "测试县民政局"),
        ("health", "测试县卫健局"),
    ):
        orgs[key] = factories.Department(
            user=site, name=f"pv-{key}", title=title, parent_org=county["name"]
        )
    orgs["town"] = factories.Town(user=site, name="pv-town", title="测试镇", parent_org="pv-county")
    orgs["village"] = factories.Village(
        user=site, name="pv-village", title="测试村", parent_org="pv-town"
    )

    users: dict[str, dict[str, Any] | None] = {"anonymous": None, "sysadmin": site}
    for role, org in (
        ("police_editor", "police"),
        ("civil_editor", "civil"),
        ("health_editor", "health"),
    ):
        users[role] = factories.Member(name=f"pv_{role}", organization=orgs[org], capacity="editor")
    users["public_user"] = factories.User(name="pv_public_user")

    ctx = {"user": site["name"]}
    element = call_action(
        "data_element_create",
        ctx,
        name=ELEMENT_NAME,
        synonyms=["就业证号码", UNUSED_SYNONYM],
        data_type="C",
        format="c..50",
        object_class="劳动者",
        property="就业登记",
        representation="号码",
        status="已发布",
        source_org=orgs["police"]["name"],
    )
    free = call_action(
        "data_element_create",
        ctx,
        name=FREE_NAME,
        data_type="C",
        format="c..50",
        status="已发布",
    )
    eid, fid = element["id"], free["id"]

    systems = {
        "county": factories.InfoSystem(
            user=site,
            name="pv-sys-county",
            title="县级就业系统",
            owner_org=orgs["civil"]["id"],
            build_level="county",
            user_orgs=["pv-town", "pv-village"],
        ),
        "city": factories.InfoSystem(
            user=site,
            name="pv-sys-city",
            title="市级健康系统",
            owner_org=orgs["health"]["id"],
            build_level="city",
            user_orgs=["pv-town"],
        ),
    }

    def entry(key: str, org: str, item: str, **fields: Any) -> dict[str, Any]:
        bound = _item(item, fields.pop("element", eid))
        return factories.Entry(
            user=site,
            name=f"pv-{key}",
            title=f"测试资源{key}",
            owner_org=orgs[org]["id"],
            data_items=[bound, factories.data_item("备注")],
            **fields,
        )

    entries: dict[str, dict[str, Any]] = {}
    entries["src"] = entry("src", "police", ITEM_NAMES["src"])
    entries["rep"] = entry("rep", "civil", ITEM_NAMES["rep"], source_system="pv-sys-county")
    entries["cite"] = entry(
        "cite", "civil", "就业证号", related_resource_codes=[entries["src"]["resource_code"]]
    )
    entries["named"] = entry("named", "health", "就业证号", source_org=orgs["police"]["name"])
    entries["priv"] = entry("priv", "health", "就业证号", private=True, source_system="pv-sys-city")
    entries["open"] = entry("open", "civil", ITEM_NAMES["open"], open_to_all=True)
    entries["free"] = entry("free", "health", FREE_NAME, element=fid)
    return World(orgs, users, entries, systems, eid, fid)
