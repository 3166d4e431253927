"""Which columns of an entry's tables a viewer reads, and which of them masked (spec §4 + issue 18).

``can_access_data`` (access/policy.py) says whether the viewer reads the entry's data at all;
this module narrows that to columns, from the grants the viewer holds now (read on every call,
so a grant that expired or was revoked between two calls gives nothing on the second):

- sysadmins and the owner department read every column unmasked;
- a viewer who reads the data only through grants reads the items those grants' requests named
  (申请的信息项; a grant without a request, or a request naming no items, covers the whole
  entry) and ``_id``; other columns are not there for them;
- everyone else who reads the data (open data, unconditional sharing) reads every column;
- personal columns (masking.py) are masked for everyone except sysadmins, the owner and holders
  of a grant naming the item.

A column of the table is an item by name: the loader names columns after the data items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from ckan import model as core_model

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.model import AccessRequest, Grant
from ckanext.govcatalog.tabular import masking

ROW_ID = "_id"  # the DataStore's own row number: never personal, always readable


@dataclasses.dataclass(frozen=True)
class HeldGrant:
    id: str
    items: frozenset[str] | None  # None: the whole entry


@dataclasses.dataclass(frozen=True)
class ColumnAccess:
    """What one viewer reads of one entry's tables, decided for one call."""

    readable: frozenset[str] | None  # None: every column
    masks: dict[str, masking.Method]  # column -> method, for the columns shown masked
    grant_ids: tuple[str, ...]  # the grants this access rests on (for the usage record)

    def may_read(self, column: str) -> bool:
        return column == ROW_ID or self.readable is None or column in self.readable

    def may_query(self, column: str) -> bool:
        """May the column be filtered, searched or sorted on: read and not masked (a filter on a
        masked column would reveal its values one guess at a time)."""
        return self.may_read(column) and column not in self.masks

    def visible(self, columns: Iterable[str]) -> list[str]:
        return [c for c in columns if self.may_read(c)]

    @property
    def restricted(self) -> bool:
        return self.readable is not None or bool(self.masks)


FULL = ColumnAccess(readable=None, masks={}, grant_ids=())


def held_grants(
    user_id: str | None, package_id: str, now: dt.datetime | None = None
) -> list[HeldGrant]:
    """The user's active, unexpired grants on the entry, with the items their requests named."""
    if not user_id:
        return []
    rows = (
        core_model.Session.query(Grant.id, AccessRequest.data_items)
        .outerjoin(AccessRequest, AccessRequest.id == Grant.request_id)
        .filter(
            Grant.user_id == user_id,
            Grant.package_id == package_id,
            Grant.status == "active",
            Grant.expires > (now or dt.datetime.utcnow()),
        )
        .order_by(Grant.created)
        .all()
    )
    held = []
    for grant_id, items in rows:
        names = frozenset(str(i).strip() for i in items or [] if str(i).strip())
        held.append(HeldGrant(grant_id, names or None))
    return held


def column_access(
    viewer: policy.Viewer, pkg: core_model.Package, now: dt.datetime | None = None
) -> ColumnAccess | None:
    """The viewer's columns of the entry's tables, or None when they may not read its data."""
    entry = policy.Entry.from_package(pkg)
    if not policy.can_access_data(viewer, entry):
        return None
    if viewer.sysadmin or policy.is_owner(viewer, entry):
        return FULL
    grants = held_grants(viewer.user_id, entry.id, now)
    without_grants = dataclasses.replace(viewer, granted=viewer.granted - {entry.id})
    if policy.can_access_data(without_grants, entry):
        readable = None  # open or shared without condition: every column
    elif grants:
        readable = _union([g.items for g in grants])
    else:
        return None  # the grant lapsed after the viewer was built: read it as refused
    unmasked = _union([g.items for g in grants]) if grants else frozenset()
    personal = masking.personal_items(masking.data_items(pkg))
    masks = {
        name: method
        for name, method in personal.items()
        if not (unmasked is None or name in unmasked)
    }
    return ColumnAccess(readable=readable, masks=masks, grant_ids=tuple(g.id for g in grants))


def _union(item_sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    if any(items is None for items in item_sets):
        return None
    return frozenset().union(*item_sets)  # type: ignore[arg-type]
