"""Which catalog entries' data items are bound to an element (a data item's ``element_id``).

The register asks this before an element is deleted; the pages and reports that show where an
element is held read it too.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.catalog.fields import as_list


@dataclasses.dataclass(frozen=True)
class BoundItem:
    package_id: str
    package_name: str
    package_title: str
    owner_org: str | None
    item_name: str


def bound_items(element_id: str) -> list[BoundItem]:
    """The data items of live entries (any owner, private ones too) bound to ``element_id``."""
    package = core_model.package_table
    data_items = package.c.extras["data_items"].astext
    rows = core_model.Session.execute(
        sa.select(package.c.id, package.c.name, package.c.title, package.c.owner_org, data_items)
        .where(package.c.state == "active")
        # a cheap filter first; the JSON is read below, so a mention elsewhere does not count
        .where(data_items.contains(element_id))
        .order_by(package.c.name)
    ).all()
    found = []
    for pkg_id, name, title, owner_org, raw in rows:
        for item in as_list(raw):
            if isinstance(item, dict) and item.get("element_id") == element_id:
                found.append(
                    BoundItem(pkg_id, name, title or name, owner_org, item.get("name", ""))
                )
    return found
