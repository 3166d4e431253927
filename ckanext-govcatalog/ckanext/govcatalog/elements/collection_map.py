"""The repeated-collection map (重复采集地图): the county's evidence for 整合.

* per element and department: how many independent collections there are (entries holding the
  element that do not obtain it from its 数源部门, elements/provenance.py);
* per town and village: how many information systems its staff must use, by the level that built
  them (建设层级: 国家 / 省 / 市 / 县), and the elements that several of those systems ask for (an
  element is asked for by a system when an entry collected through it, 来源信息系统, holds it);
* the entries flagged 重复采集.

Elements of the vocabulary record_keeping_element (schemas/vocab/: 备注, 年度, 计量单位,
数据更新时间 …) describe the record, not the person or organisation, and nobody is asked for them:
the map leaves them out.

Everything is counted for one reader: entries and information systems they may not see
(access/policy.py) are left out, so the page, its CSV and the API tell nobody more than search
does. The command line reads as the site user (everything).
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog import vocab
from ckanext.govcatalog.access import policy
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import provenance

PLACE_LEVELS = ("town", "village")  # org_level values of the places the map covers
BUILD_LEVEL = "build_level"  # the vocabulary of 建设层级
RECORD_KEEPING = "record_keeping_element"  # the vocabulary of bookkeeping elements
TABLES = ("elements", "places", "repeated")


@dataclasses.dataclass
class ElementRow:
    element_id: str
    name: str
    source_org_title: str
    departments: list[tuple[str, str, int]]  # (name, title, independent collections), most first
    collections: int  # independent collections in all

    @property
    def department_count(self) -> int:
        return len(self.departments)


@dataclasses.dataclass
class PlaceRow:
    name: str
    title: str
    level: str  # org_level
    systems: dict[str, list[tuple[str, str]]]  # build level -> [(name, title)]
    shared_elements: list[tuple[str, str, list[str]]]  # (id, name, titles of the systems asking)

    @property
    def system_count(self) -> int:
        return sum(len(v) for v in self.systems.values())


@dataclasses.dataclass
class RepeatedRow:
    entry_name: str
    entry_title: str
    resource_code: str
    department_title: str
    element_id: str
    element_name: str
    source_org_title: str


@dataclasses.dataclass
class CollectionMap:
    elements: list[ElementRow]
    places: list[PlaceRow]
    repeated: list[RepeatedRow]
    levels: list[tuple[str, str]]  # (build level, label) in the vocabulary's order


@dataclasses.dataclass(frozen=True)
class _System:
    name: str
    title: str
    owner_org: str
    build_level: str
    user_orgs: frozenset[str]


def _systems(viewer: policy.Viewer) -> list[_System]:
    """The active information systems the viewer may see."""
    out = []
    for row in provenance.visible_system_rows(viewer):
        extras = row.extras or {}
        out.append(
            _System(
                name=row.name,
                title=row.title or row.name,
                owner_org=row.owner_org or "",
                build_level=str(extras.get("build_level") or ""),
                user_orgs=frozenset(str(o) for o in as_list(extras.get("user_orgs")) if o),
            )
        )
    return out


def _places() -> list[tuple[str, str, str, str]]:
    """(id, name, title, org_level) of the active towns and villages, in title order."""
    group = core_model.group_table
    level = group.c.extras["org_level"].astext
    rows = core_model.Session.execute(
        sa.select(group.c.id, group.c.name, group.c.title, level)
        .where(group.c.is_organization.is_(True))
        .where(group.c.state == "active")
        .where(level.in_(PLACE_LEVELS))
        .order_by(group.c.title)
    )
    return [(i, n, t or n, lvl) for i, n, t, lvl in rows]


def build(viewer: policy.Viewer) -> CollectionMap:
    """The map as ``viewer`` may see it."""
    book = provenance.OrgBook()
    every = provenance.held_entries()
    record_keeping = set(vocab.values(RECORD_KEEPING))
    elements = provenance.elements_by_id(
        {e for held in every for e in held.items if e not in record_keeping}
    )
    visible = [h for h in every if policy.can_see_entry(viewer, h.entry)]

    element_rows: list[ElementRow] = []
    repeated_rows: list[RepeatedRow] = []
    # verdicts are judged on every entry (citing a source entry the viewer cannot see still
    # counts as citing); only visible entries are then counted and listed
    shown = {h.id for h in visible}
    for element in elements.values():
        judged = provenance.judge(element, every, book)
        per_org: collections.Counter[str] = collections.Counter()
        for held, found in judged.holdings:
            if held.id not in shown:
                continue
            if found in provenance.INDEPENDENT:
                per_org[held.owner_org] += 1
            if found == provenance.REPEATED:
                repeated_rows.append(
                    RepeatedRow(
                        entry_name=held.name,
                        entry_title=held.title,
                        resource_code=held.resource_code,
                        department_title=book.title_of(held.owner_org),
                        element_id=element.id,
                        element_name=element.name,
                        source_org_title=book.title_of(judged.source_org),
                    )
                )
        if not per_org:
            continue
        departments = sorted(
            ((book.name_of(o), book.title_of(o), n) for o, n in per_org.items()),
            key=lambda d: (-d[2], d[1]),
        )
        element_rows.append(
            ElementRow(
                element_id=element.id,
                name=element.name,
                source_org_title=book.title_of(judged.source_org) if judged.source_org else "",
                departments=departments,
                collections=sum(per_org.values()),
            )
        )
    element_rows.sort(key=lambda r: (-r.department_count, -r.collections, r.element_id))
    repeated_rows.sort(key=lambda r: (r.department_title, r.entry_title, r.element_id))

    systems = _systems(viewer)
    asked: dict[str, set[str]] = collections.defaultdict(set)  # system name -> element ids
    for held in visible:
        if held.source_system:
            asked[held.source_system].update(e for e in held.items if e in elements)
    place_rows = []
    for org_id, name, title, level in _places():
        used = [
            s
            for s in systems
            if name in s.user_orgs or org_id in s.user_orgs or s.owner_org == org_id
        ]
        if not used:
            continue
        by_level: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        for system in used:
            by_level[system.build_level].append((system.name, system.title))
        askers: dict[str, list[str]] = collections.defaultdict(list)
        for system in used:
            for element_id in asked.get(system.name, ()):
                askers[element_id].append(system.title)
        shared = sorted(
            (
                (e, elements[e].name, sorted(titles))
                for e, titles in askers.items()
                if len(titles) > 1
            ),
            key=lambda s: (-len(s[2]), s[0]),
        )
        place_rows.append(PlaceRow(name, title, level, dict(by_level), shared))
    place_rows.sort(key=lambda p: (-p.system_count, p.title))
    levels = [(v, vocab.label(BUILD_LEVEL, v)) for v in vocab.values(BUILD_LEVEL)]
    return CollectionMap(element_rows, place_rows, repeated_rows, levels)


# --- the same figures as tables (CSV export, command line) -----------------------------------


def table(found: CollectionMap, which: str, headers: dict[str, list[str]]) -> list[list[Any]]:
    """One table of the map as rows (the first row is ``headers[which]``): ``elements`` (one row
    per element and department), ``places`` (one per town or village) or ``repeated`` (one per
    entry and element collected again)."""
    if which not in TABLES:
        raise ValueError(which)
    rows: list[list[Any]] = [list(headers[which])]
    if which == "elements":
        for row in found.elements:
            for _name, title, count in row.departments:
                rows.append(
                    [row.element_id, row.name, row.source_org_title, title, count, row.collections]
                )
    elif which == "places":
        for place in found.places:
            rows.append(
                [place.title, vocab.label("org_level", place.level)]
                + [len(place.systems.get(level, [])) for level, _label in found.levels]
                + [
                    place.system_count,
                    "；".join(
                        f"{name}（{len(titles)}）" for _e, name, titles in place.shared_elements
                    ),
                ]
            )
    else:
        for r in found.repeated:
            rows.append(
                [
                    r.resource_code,
                    r.entry_title,
                    r.department_title,
                    f"{r.element_id} {r.element_name}",
                    r.source_org_title,
                ]
            )
    return rows


def as_dict(found: CollectionMap, which: str | None = None) -> dict[str, Any]:
    """The map as the API gives it (data_element_collection_map): every table, or ``which``
    one, and the build levels with their labels."""
    if which is not None and which not in TABLES:
        raise ValueError(which)
    out: dict[str, Any] = {"levels": [{"value": v, "label": label} for v, label in found.levels]}
    if which in (None, "elements"):
        out["elements"] = [
            {
                "element_id": r.element_id,
                "name": r.name,
                "source_org_title": r.source_org_title,
                "collections": r.collections,
                "departments": [
                    {"name": name, "title": title, "collections": n}
                    for name, title, n in r.departments
                ],
            }
            for r in found.elements
        ]
    if which in (None, "places"):
        out["places"] = [
            {
                "name": p.name,
                "title": p.title,
                "level": p.level,
                "system_count": p.system_count,
                "systems": {
                    level: [{"name": n, "title": t} for n, t in p.systems.get(level, [])]
                    for level, _label in found.levels
                },
                "shared_elements": [
                    {"element_id": e, "name": name, "systems": titles}
                    for e, name, titles in p.shared_elements
                ],
            }
            for p in found.places
        ]
    if which in (None, "repeated"):
        out["repeated"] = [dataclasses.asdict(r) for r in found.repeated]
    return out


def chart_data(found: CollectionMap, top: int = 15) -> dict[str, Any]:
    """The numbers the map page draws (Chart.js): the elements collected by the most departments,
    and each place's systems by build level."""
    elements = found.elements[:top]
    return {
        "elements": {
            "labels": [r.name for r in elements],
            "departments": [r.department_count for r in elements],
            "collections": [r.collections for r in elements],
        },
        "places": {
            "labels": [p.title for p in found.places],
            "levels": [
                {"label": label, "counts": [len(p.systems.get(level, [])) for p in found.places]}
                for level, label in found.levels
            ],
        },
    }


def summary_text(found: CollectionMap, top: int = 20) -> str:
    """The map as plain text for the command line."""
    lines = [
        tk._("Data elements collected independently: {n}").format(n=len(found.elements)),
        tk._("Entries collecting again what a source department holds: {n}").format(
            n=len(found.repeated)
        ),
        "",
        tk._("Independent collections by data element"),
    ]
    for row in found.elements[:top]:
        departments = "、".join(f"{title}（{n}）" for _name, title, n in row.departments)
        lines.append(
            f"  {row.element_id} {row.name}\t{row.department_count}\t{row.collections}\t"
            f"{departments}"
        )
    lines += ["", tk._("Information systems used by each town and village")]
    for place in found.places:
        levels = " ".join(
            f"{label}{len(place.systems.get(value, []))}" for value, label in found.levels
        )
        shared = "、".join(f"{name}（{len(t)}）" for _e, name, t in place.shared_elements)
        lines.append(f"  {place.title}\t{place.system_count}\t{levels}\t{shared}")
    lines += ["", tk._("Entries collecting again what a source department holds")]
    for r in found.repeated:
        lines.append(
            f"  {r.resource_code}\t{r.entry_title}\t{r.department_title}\t"
            f"{r.element_id} {r.element_name}\t{r.source_org_title}"
        )
    return "\n".join(lines) + "\n"
