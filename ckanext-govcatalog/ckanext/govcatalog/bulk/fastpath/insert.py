"""The rows package_create's package_dict_save makes for new entries, inserted in bulk.

Per chunk: multi-row INSERTs of the packages, their tags (creating the tags that are new) and
their organization memberships, then the IPackageController plugins' create hooks.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import uuid
from typing import Any

import ckan.plugins as p
import sqlalchemy as sa
from ckan import model


@dataclasses.dataclass
class Entry:
    """A new entry on its way into the database."""

    data: dict[str, Any]  # validated, as package_create holds it before saving
    pkg: model.Package  # transient: the row's values, never added to the session
    tags: list[dict[str, Any]]  # tag rows (id, name, vocabulary_id)
    row: dict[str, Any]  # the package table's values, as inserted
    loaded: Any = None  # the row as the session holds it once inserted


def plugins_overriding(method: str) -> list[Any]:
    """The IPackageController plugins that do something in ``method``."""
    default = getattr(p.IPackageController, method)
    return [
        item
        for item in p.PluginImplementations(p.IPackageController)
        if getattr(type(item), method, default) is not default
    ]


def insert(
    datas: list[dict[str, Any]],
    user: str,
    user_obj: model.User | None,
    creators: list[Any],
    created_hooks: list[Any],
) -> list[Entry]:
    """The package, tag and membership rows of one chunk, then the plugins' hooks (``creators``:
    their create(), ``created_hooks``: their after_dataset_create())."""
    batch = []
    now = dt.datetime.utcnow()
    for data in datas:
        if user_obj is not None:
            data["creator_user_id"] = user_obj.id
        pkg = _package(data, user_obj, now)
        data["id"] = pkg.id
        batch.append(Entry(data, pkg, [], _row(pkg)))
    wanted = {(t["name"], t.get("vocabulary_id")) for e in batch for t in e.data.get("tags") or []}
    tag_ids = _tag_ids(wanted)
    package_tags = []
    for e in batch:
        seen: set[tuple[str, str | None]] = set()
        for t in e.data.get("tags") or []:
            key = (t["name"], t.get("vocabulary_id"))
            if key in seen:
                continue
            seen.add(key)
            e.tags.append({"id": tag_ids[key], "name": key[0], "vocabulary_id": key[1]})
            package_tags.append(
                {
                    "id": str(uuid.uuid4()),
                    "package_id": e.pkg.id,
                    "tag_id": tag_ids[key],
                    "state": "active",
                }
            )
    session = model.Session
    session.execute(sa.insert(model.package_table), [e.row for e in batch])
    if package_tags:
        session.execute(sa.insert(model.package_tag_table), package_tags)
    members = [
        {
            "id": str(uuid.uuid4()),
            "table_name": "package",
            "table_id": e.pkg.id,
            "capacity": "organization",
            "group_id": e.pkg.owner_org,
            "state": "active",
        }
        for e in batch
        if e.pkg.owner_org
    ]
    if members:
        session.execute(sa.insert(model.member_table), members)
    # the rows as the session sees them from now on (index_package and hooks read them)
    loaded = {
        pkg.id: pkg
        for pkg in session.query(model.Package).filter(
            model.Package.id.in_([e.pkg.id for e in batch])
        )
    }
    context = {"user": user, "model": model, "session": session}
    for e in batch:
        e.loaded = loaded[e.pkg.id]
        for item in creators:
            item.create(e.loaded)
        for item in created_hooks:
            item.after_dataset_create(context, e.data)
    return batch


def _package(data: dict[str, Any], user_obj: model.User | None, now: dt.datetime) -> model.Package:
    """The package as package_dict_save builds it, with the column defaults of its INSERT."""
    pkg_dict = dict(data)
    pkg_dict.pop("metadata_created", None)
    plugin_data = pkg_dict.pop("plugin_data", None)
    if user_obj is not None and user_obj.sysadmin and plugin_data:
        pkg_dict["plugin_data"] = copy.deepcopy(plugin_data)
    extras = {e["key"]: e["value"] for e in pkg_dict.get("extras", [])}
    pkg = model.Package()
    pkg.from_dict(dict(pkg_dict, extras=extras))
    pkg.id = pkg.id or str(uuid.uuid4())
    pkg.type = pkg.type or "dataset"
    pkg.private = bool(pkg.private) if pkg.private is not None else False
    pkg.state = pkg.state or model.State.ACTIVE
    pkg.metadata_created = now
    if not data.get("metadata_modified"):
        pkg.metadata_modified = now
    return pkg


def _row(pkg: model.Package) -> dict[str, Any]:
    return {c.name: getattr(pkg, c.name) for c in model.package_table.c}


def _tag_ids(names: set[tuple[str, str | None]]) -> dict[tuple[str, str | None], str]:
    """Ids of the tags with these (name, vocabulary) pairs, creating the missing ones."""
    tag = model.tag_table
    found: dict[tuple[str, str | None], str] = {}
    all_names = sorted({n for n, _v in names})
    for i in range(0, len(all_names), 1000):
        q = sa.select(tag.c.id, tag.c.name, tag.c.vocabulary_id).where(
            tag.c.name.in_(all_names[i : i + 1000])
        )
        for tag_id, name, vocab in model.Session.execute(q):
            found.setdefault((name, vocab), tag_id)
    new = [
        {"id": str(uuid.uuid4()), "name": n, "vocabulary_id": v}
        for n, v in sorted(names - set(found), key=lambda k: (k[0], k[1] or ""))
    ]
    if new:
        model.Session.execute(sa.insert(tag), new)
        found.update({(t["name"], t["vocabulary_id"]): t["id"] for t in new})
    return found
