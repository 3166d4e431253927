"""一数一源: each data element with a 数源部门 has one authoritative source; another department
holding it must obtain it by sharing, not collect it again (《政务数据共享条例》).

An entry holds an element when one of its data items is bound to it (the item's ``element_id``).
For an element whose 数源部门 is S, an entry holding it is judged:

* ``source``: its provider is S or an organization below S (S's own collection);
* ``cites``: another department's entry that names where the data comes from: its own 数源部门
  field is S (or below S), or its 关联资源代码 cite the resource code of an entry of S holding the
  element;
* ``repeated``: any other entry of another department: 重复采集.

An element without a 数源部门 makes no verdict (``no_source``): every entry holding it is an
independent collection, but none is at fault.

The verdict is a fact about the stored entries (not about who looks); which entries a reader is
told about, and which are counted, is decided per reader by access/policy.py.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.catalog import orgs
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements.model import DataElement

SOURCE = "source"
CITES = "cites"
REPEATED = "repeated"
NO_SOURCE = "no_source"
# verdicts that are a collection of their own (the 重复采集 map counts them)
INDEPENDENT = (SOURCE, REPEATED, NO_SOURCE)
# the best authoritative entry first: published, then the widest sharing
_SHARE_ORDER = (policy.SHARE_UNCONDITIONAL, policy.SHARE_CONDITIONAL, policy.SHARE_NONE)
# entries an owner may still see (drafts); deleted ones hold nothing
_LIVE_STATES = ("active", "draft")


@dataclasses.dataclass(frozen=True)
class HeldEntry:
    """A catalog entry with data items bound to elements, as the 一数一源 rule reads it."""

    entry: policy.Entry
    name: str
    title: str
    resource_code: str
    source_org: str  # the entry's own 数源部门 field (an organization name)
    source_system: str  # the information system it is collected through (a name), or ""
    related_codes: frozenset[str]
    items: Mapping[str, tuple[str, ...]]  # element id -> names of the items bound to it

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def owner_org(self) -> str:
        return self.entry.owner_org or ""

    @property
    def share_type(self) -> str:
        return self.entry.share_type

    @classmethod
    def build(
        cls, entry: policy.Entry, fields: Mapping[str, Any], name: str, title: str
    ) -> HeldEntry:
        return cls(
            entry=entry,
            name=name,
            title=title or name,
            resource_code=str(fields.get("resource_code") or ""),
            source_org=str(fields.get("source_org") or ""),
            source_system=str(fields.get("source_system") or ""),
            related_codes=frozenset(
                str(c).strip() for c in as_list(fields.get("related_resource_codes")) if c
            ),
            items=bound_elements(fields.get("data_items")),
        )

    @classmethod
    def from_dict(cls, pkg: Mapping[str, Any]) -> HeldEntry:
        """From a package dict (package_show's, or the document being indexed)."""
        return cls.build(
            policy.Entry.from_dict(pkg), pkg, pkg.get("name") or "", pkg.get("title") or ""
        )

    def as_package(self) -> dict[str, Any]:
        """The fields the entry templates (request button, links) read."""
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "type": self.entry.type,
            "owner_org": self.owner_org,
            "private": self.entry.private,
            "state": self.entry.state,
            "share_type": self.entry.share_type,
            "open_type": self.entry.open_type,
            "resource_code": self.resource_code,
        }


def bound_elements(data_items: Any) -> dict[str, tuple[str, ...]]:
    """element id -> names of the data items bound to it, from a data_items value of any shape."""
    out: dict[str, list[str]] = {}
    for item in as_list(data_items):
        if not isinstance(item, dict):
            continue
        element_id = str(item.get("element_id") or "").strip().upper()
        if element_id:
            out.setdefault(element_id, []).append(str(item.get("name") or "").strip())
    return {k: tuple(v) for k, v in out.items()}


def held_entries(
    element_ids: Iterable[str] | None = None, owner_orgs: Iterable[str] | None = None
) -> list[HeldEntry]:
    """Catalog entries (active or draft, private ones too) with an item bound to any of
    ``element_ids`` (to any element when None), provided by one of ``owner_orgs`` (ids) if given.
    Who may be told about each is the caller's question (access/policy.py)."""
    package = core_model.package_table
    data_items = package.c.extras["data_items"].astext
    query = (
        sa.select(
            package.c.id,
            package.c.type,
            package.c.owner_org,
            package.c.private,
            package.c.state,
            package.c.extras,
            package.c.creator_user_id,
            package.c.name,
            package.c.title,
        )
        .where(package.c.state.in_(_LIVE_STATES))
        .where(package.c.type != policy.INFO_SYSTEM)
        .order_by(package.c.name)
    )
    wanted = None
    if element_ids is not None:
        wanted = {e.upper() for e in element_ids if e}
        if not wanted:
            return []
        # a cheap filter first; the JSON is read below, so a mention elsewhere does not count
        query = query.where(sa.or_(*(data_items.contains(f'"{e}"') for e in sorted(wanted))))
    else:
        query = query.where(data_items.contains('"element_id"'))
    if owner_orgs is not None:
        owners = [o for o in owner_orgs if o]
        if not owners:
            return []
        query = query.where(package.c.owner_org.in_(owners))
    found = []
    for row in core_model.Session.execute(query):
        held = HeldEntry.build(
            policy.Entry.from_package(row), row.extras or {}, row.name, row.title
        )
        if held.items and (wanted is None or wanted & held.items.keys()):
            found.append(held)
    return found


class OrgBook:
    """The organizations, read once per report: titles, and who sits below whom."""

    def __init__(self) -> None:
        group = core_model.Group
        rows = core_model.Session.execute(
            sa.select(group.id, group.name, group.title)
            .where(group.is_organization.is_(True))
            .where(group.state == "active")
        ).all()
        self._by_key: dict[str, tuple[str, str, str]] = {}
        for org_id, name, title in rows:
            self._by_key[org_id] = self._by_key[name] = (org_id, name, title or name)

    def id_of(self, name_or_id: str | None) -> str | None:
        found = self._by_key.get(name_or_id or "")
        return found[0] if found else None

    def name_of(self, name_or_id: str | None) -> str:
        found = self._by_key.get(name_or_id or "")
        return found[1] if found else ""

    def title_of(self, name_or_id: str | None) -> str:
        found = self._by_key.get(name_or_id or "")
        return found[2] if found else (name_or_id or "")

    @functools.cache  # noqa: B019  (one book per report; it dies with it)
    def subtree(self, org_id: str) -> frozenset[str]:
        """The ids of the organization and of every organization below it."""
        name = self.name_of(org_id)
        if not name:
            return frozenset()
        below = {self.id_of(n) for n in orgs.descendant_org_names(name)}
        return frozenset({org_id} | {b for b in below if b})


def verdict(
    held: HeldEntry, source_org: str | None, cited_codes: frozenset[str], book: OrgBook
) -> str:
    """The entry's standing towards one element whose 数源部门 is ``source_org`` (an id), given
    the resource codes of the source's entries holding it (``cited_codes``)."""
    if not source_org:
        return NO_SOURCE
    within_source = book.subtree(source_org)
    if held.owner_org in within_source:
        return SOURCE
    if book.id_of(held.source_org) in within_source or held.related_codes & cited_codes:
        return CITES
    return REPEATED


def best_source_entry(entries: Iterable[HeldEntry]) -> HeldEntry | None:
    """The entry to obtain the data from: published first, then the widest sharing."""

    def rank(held: HeldEntry) -> tuple[int, int, str]:
        share = held.share_type
        return (
            0 if held.entry.published else 1,
            _SHARE_ORDER.index(share) if share in _SHARE_ORDER else len(_SHARE_ORDER),
            held.name,
        )

    ordered = sorted(entries, key=rank)
    return ordered[0] if ordered else None


@dataclasses.dataclass(frozen=True)
class Judged:
    """Every entry holding one element, each with its verdict."""

    element: DataElement
    source_org: str | None  # id
    holdings: tuple[tuple[HeldEntry, str], ...]

    @property
    def source_entries(self) -> list[HeldEntry]:
        return [held for held, v in self.holdings if v == SOURCE]


def judge(element: DataElement, holders: Iterable[HeldEntry], book: OrgBook) -> Judged:
    """The verdict of each entry of ``holders`` that holds ``element``."""
    holding = [h for h in holders if element.id in h.items]
    source = book.id_of(element.source_org) if element.source_org else None
    within = book.subtree(source) if source else frozenset()
    cited = frozenset(h.resource_code for h in holding if h.owner_org in within and h.resource_code)
    return Judged(element, source, tuple((h, verdict(h, source, cited, book)) for h in holding))


def elements_by_id(element_ids: Iterable[str]) -> dict[str, DataElement]:
    """The live elements among ``element_ids``."""
    ids = sorted({e for e in element_ids if e})
    if not ids:
        return {}
    rows = core_model.Session.execute(
        sa.select(DataElement).where(DataElement.id.in_(ids)).where(DataElement.deleted.is_(None))
    ).scalars()
    return {e.id: e for e in rows}


# --- one entry: its page and its search document ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Finding:
    """One bound element whose 数源部门 is another department, and the entry's standing."""

    element_id: str
    element_name: str
    items: tuple[str, ...]
    source_org: str  # id
    source_org_name: str
    source_org_title: str
    verdict: str  # CITES or REPEATED
    source_entries: tuple[HeldEntry, ...]


def entry_findings(
    pkg: Mapping[str, Any], elements: Mapping[str, DataElement] | None = None
) -> list[Finding]:
    """The elements an entry holds whose 数源部门 is another department, each with whether the
    entry cites the source or collects the data again. Empty for information systems and for
    entries whose bound elements are all their own department's. ``elements``: the live
    elements its items are bound to, when the caller has read them already."""
    if (pkg.get("type") or "dataset") == policy.INFO_SYSTEM:
        return []
    held = HeldEntry.from_dict(pkg)
    if elements is None:
        elements = elements_by_id(held.items)
    sourced = {i: e for i, e in elements.items() if e.source_org}
    if not sourced:
        return []
    book = OrgBook()
    findings = []
    for element_id, element in sorted(sourced.items()):
        source = book.id_of(element.source_org)
        if source is None:  # the source department is gone: nobody to obtain it from
            continue
        source_entries = [
            h
            for h in held_entries([element_id], owner_orgs=book.subtree(source))
            if h.id != held.id
        ]
        cited = frozenset(h.resource_code for h in source_entries if h.resource_code)
        found = verdict(held, source, cited, book)
        if found == SOURCE:
            continue
        findings.append(
            Finding(
                element_id=element_id,
                element_name=element.name,
                items=held.items[element_id],
                source_org=source,
                source_org_name=book.name_of(source),
                source_org_title=book.title_of(source),
                verdict=found,
                source_entries=tuple(source_entries),
            )
        )
    return findings


def index_fields(pkg_dict: Mapping[str, Any]) -> dict[str, Any]:
    """Search fields of an entry's bound elements (the search index hook, search/index.py):

    * ``data_element_ids``: the ids of the live elements its items are bound to;
    * ``data_elements``: their names (the element facet);
    * ``data_element_names``: their names and every synonym, so that searching any of them finds
      the entry whatever its items are called;
    * ``repeated_collection``: ``yes`` when it collects an element again whose 数源部门 is
      another department (重复采集), ``no`` when it holds such elements and cites the source for
      each; absent when it holds none;
    * ``repeated_element_ids``: the elements it collects again.
    """
    held = HeldEntry.from_dict(pkg_dict)
    elements = elements_by_id(held.items)
    if not elements:
        return {}
    names: list[str] = []
    for element in elements.values():
        for name in [element.name, *(element.synonyms or [])]:
            if name and name not in names:
                names.append(name)
    fields: dict[str, Any] = {
        "data_element_ids": sorted(elements),
        "data_elements": sorted({e.name for e in elements.values()}),
        "data_element_names": names,
    }
    findings = entry_findings(pkg_dict, elements)
    repeated = sorted(f.element_id for f in findings if f.verdict == REPEATED)
    if findings:
        fields["repeated_collection"] = "yes" if repeated else "no"
    if repeated:
        fields["repeated_element_ids"] = repeated
    return fields


# --- what a reader is told -------------------------------------------------------------------


@dataclasses.dataclass
class DepartmentHolding:
    org_id: str
    name: str
    title: str
    entries: list[tuple[HeldEntry, str]]

    @property
    def repeated(self) -> int:
        return sum(1 for _h, v in self.entries if v == REPEATED)


@dataclasses.dataclass
class SystemHolding:
    name: str
    title: str
    build_level: str
    entries: int


@dataclasses.dataclass
class Holders:
    """Who holds an element, as far as one reader may know."""

    source_org: dict[str, str] | None  # id, name, title of the 数源部门
    authoritative: HeldEntry | None  # the source's entry to obtain it from, if visible
    source_entries: list[HeldEntry]  # every visible entry of the source department
    departments: list[DepartmentHolding]  # the other departments, most repeated first
    systems: list[SystemHolding]
    entry_count: int  # visible entries holding the element, the source's included
    repeated_count: int


def visible_system_rows(viewer: policy.Viewer, names: Iterable[str] | None = None) -> list[Any]:
    """The package rows of the active information systems the viewer may see (never the public:
    policy.py), by name; only those among ``names`` when given."""
    package = core_model.package_table
    query = (
        sa.select(
            package.c.id,
            package.c.type,
            package.c.owner_org,
            package.c.private,
            package.c.state,
            package.c.extras,
            package.c.creator_user_id,
            package.c.name,
            package.c.title,
        )
        .where(package.c.type == policy.INFO_SYSTEM)
        .where(package.c.state == "active")
        .order_by(package.c.name)
    )
    if names is not None:
        wanted = sorted({n for n in names if n})
        if not wanted:
            return []
        query = query.where(package.c.name.in_(wanted))
    return [
        row
        for row in core_model.Session.execute(query)
        if policy.can_see_entry(viewer, policy.Entry.from_package(row))
    ]


def visible_systems(viewer: policy.Viewer, names: Iterable[str]) -> dict[str, Any]:
    """name -> (title, build level) of the information systems among ``names`` the viewer may
    see."""
    return {
        row.name: (row.title or row.name, (row.extras or {}).get("build_level") or "")
        for row in visible_system_rows(viewer, names)
    }


def element_holders(element: DataElement, viewer: policy.Viewer) -> Holders:
    """Everything the element page says about who holds ``element``, for ``viewer``: entries
    they may not see (private or draft entries of others, closed ones for the public) are neither
    listed nor counted."""
    book = OrgBook()
    judged = judge(element, held_entries([element.id]), book)
    seen = [(h, v) for h, v in judged.holdings if policy.can_see_entry(viewer, h.entry)]
    source_entries = [h for h, v in seen if v == SOURCE]
    by_org: dict[str, DepartmentHolding] = {}
    for held, found in seen:
        if found == SOURCE:
            continue
        org = by_org.setdefault(
            held.owner_org,
            DepartmentHolding(
                held.owner_org, book.name_of(held.owner_org), book.title_of(held.owner_org), []
            ),
        )
        org.entries.append((held, found))
    systems_seen: dict[str, int] = {}
    for held, _found in seen:
        if held.source_system:
            systems_seen[held.source_system] = systems_seen.get(held.source_system, 0) + 1
    shown = visible_systems(viewer, systems_seen)
    source = judged.source_org
    return Holders(
        source_org={"id": source, "name": book.name_of(source), "title": book.title_of(source)}
        if source
        else None,
        authoritative=best_source_entry(source_entries),
        source_entries=source_entries,
        departments=sorted(by_org.values(), key=lambda d: (-d.repeated, -len(d.entries), d.title)),
        systems=sorted(
            (SystemHolding(n, t, lvl, systems_seen[n]) for n, (t, lvl) in shown.items()),
            key=lambda s: (-s.entries, s.title),
        ),
        entry_count=len(seen),
        repeated_count=sum(1 for _h, v in seen if v == REPEATED),
    )


@dataclasses.dataclass(frozen=True)
class SourceForViewer:
    """Where one reader may obtain an element instead of collecting it again: the 数源部门 and
    the best of its entries holding the element that this reader may see (None when they may see
    none). ``own`` is set when the department the reader records for is the source or below it:
    then there is nothing to obtain from anyone else."""

    source_org: dict[str, str]  # id, name, title
    entry: HeldEntry | None
    own: bool


def source_for_viewer(
    element: DataElement,
    viewer: policy.Viewer,
    recording_org: str | None = None,
    book: OrgBook | None = None,
) -> SourceForViewer | None:
    """The 数源部门 of ``element`` and its best entry holding it that ``viewer`` may see (the one
    the element page offers: published first, then the widest sharing), for a reader recording
    an entry of ``recording_org`` (an id or name). None when the element names no source
    department, or names one that no longer exists. ``book``: one OrgBook shared by a caller
    asking for several elements (the organizations and subtrees are then read once)."""
    if not element.source_org:
        return None
    book = book or OrgBook()
    source = book.id_of(element.source_org)
    if source is None:
        return None
    within = book.subtree(source)
    own = bool(recording_org) and book.id_of(recording_org) in within
    visible = [
        h
        for h in held_entries([element.id], owner_orgs=within)
        if policy.can_see_entry(viewer, h.entry)
    ]
    return SourceForViewer(
        source_org={"id": source, "name": book.name_of(source), "title": book.title_of(source)},
        entry=best_source_entry(visible),
        own=own,
    )


def verdict_label(value: str) -> str:
    labels = {
        SOURCE: tk._("Source department"),
        CITES: tk._("Obtained by sharing"),
        REPEATED: tk._("Collected again"),
        NO_SOURCE: tk._("No source department named"),
    }
    return labels.get(value, value)
