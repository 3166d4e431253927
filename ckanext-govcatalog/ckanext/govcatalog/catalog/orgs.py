"""The organization tree: county → departments and towns → villages and communities.

An organization names its parent in the ``parent_org`` field (validated in catalog/field_rules.py).
CKAN's own hierarchy is kept in step with it: a ``member`` row (table_name='group',
capacity='parent'), as ckanext-hierarchy writes it, so that core
``Group.get_children_group_hierarchy``, ``organization_list_for_user`` and
``ckan.auth.roles_that_cascade_to_sub_groups`` follow the same tree. The sync runs after
organization_create / organization_update (chained actions below); organization_patch goes
through organization_update.

A caller that checks or indexes many entries of the same few organizations reads each of them,
and its chain of parents, once: inside :func:`read_once`.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

ORG = "organization"


@dataclasses.dataclass
class _Reads:
    """What a :func:`read_once` block has read: organizations and paths by the name or id asked."""

    orgs: dict[str, model.Group | None] = dataclasses.field(default_factory=dict)
    paths: dict[str, list[str]] = dataclasses.field(default_factory=dict)


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "govcatalog_org_reads", default=None
)


@contextlib.contextmanager
def read_once() -> Iterator[None]:
    """Within this block (in this thread or task) :func:`active_org` and :func:`org_path` read
    each organization from the database once: for a caller that checks or indexes many entries
    while no organization changes (bulk/fastpath). A block rather than an argument, because some
    who ask receive no CKAN context to carry one: one-value validators, and the search index
    hook that fills ``org_path``. A block inside another shares the outer one's reads."""
    if _reads.get() is not None:
        yield
        return
    token = _reads.set(_Reads())
    try:
        yield
    finally:
        _reads.reset(token)


def _read_active_org(name_or_id: str) -> model.Group | None:
    group = model.Group.get(name_or_id) if name_or_id else None
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def active_org(name_or_id: str) -> model.Group | None:
    """The active organization with this name or id, or None."""
    reads = _reads.get()
    if reads is None:
        return _read_active_org(name_or_id)
    if name_or_id not in reads.orgs:
        reads.orgs[name_or_id] = _read_active_org(name_or_id)
    return reads.orgs[name_or_id]


def descendant_org_names(name: str) -> list[str]:
    """Names of every organization below ``name`` (children first, then their children...)."""
    group = active_org(name)
    if group is None:
        return []
    return [row.name for row in group.get_children_group_hierarchy(type=ORG)]


def ancestor_org_names(name: str) -> list[str]:
    """Names of the organizations above ``name``, from the root down to its direct parent."""
    group = active_org(name)
    if group is None:
        return []
    return [g.name for g in group.get_parent_group_hierarchy(type=ORG)]


def org_path(name_or_id: str) -> list[str]:
    """The organization's name and all its ancestors' names (for the ``org_path`` index field)."""
    reads = _reads.get()
    if reads is None:
        return _read_org_path(name_or_id)
    if name_or_id not in reads.paths:
        reads.paths[name_or_id] = _read_org_path(name_or_id)
    return list(reads.paths[name_or_id])  # the caller's own list: it may add to it


def _read_org_path(name_or_id: str) -> list[str]:
    group = active_org(name_or_id)
    if group is None:
        return []
    return [g.name for g in group.get_parent_group_hierarchy(type=ORG)] + [group.name]


def _parent_links(group: model.Group) -> list[model.Member]:
    return (
        model.Session.query(model.Member)
        .filter(
            model.Member.group_id == group.id,
            model.Member.table_name == "group",
            model.Member.state == "active",
        )
        .all()
    )


def sync_parent(group: model.Group) -> bool:
    """Makes CKAN's hierarchy say what ``parent_org`` says. Returns True if it changed.

    The caller commits (the session is left dirty)."""
    parent = active_org((group.extras or {}).get("parent_org") or "")
    changed = False
    kept = False
    for link in _parent_links(group):
        if parent is not None and link.table_id == parent.id and not kept:
            kept = True
            if link.capacity != "parent":
                link.capacity = "parent"
                changed = True
        else:
            link.state = "deleted"
            changed = True
    if parent is not None and not kept:
        model.Session.add(
            model.Member(
                group=group,
                group_id=group.id,
                table_id=parent.id,
                table_name="group",
                capacity="parent",
                state="active",
            )
        )
        changed = True
    return changed


def _reindex_subtree(group: model.Group) -> None:
    """Entries of a moved organization and its units carry a stale ``org_path``."""
    from ckan.lib.search import rebuild

    ids = [group.id] + [row.id for row in group.get_children_group_hierarchy(type=ORG)]
    pkg_ids = [
        pid
        for (pid,) in model.Session.query(model.Package.id).filter(
            model.Package.owner_org.in_(ids), model.Package.state == "active"
        )
    ]
    for pid in pkg_ids:
        rebuild(pid)


def _after_save(context: dict[str, Any], result: Any, data_dict: dict[str, Any]) -> None:
    ref = result if isinstance(result, str) else (result or {}).get("id")
    group = active_org(ref or data_dict.get("id") or data_dict.get("name") or "")
    if group is None:
        return
    if sync_parent(group):
        if not context.get("defer_commit"):
            model.repo.commit()
        else:
            model.Session.flush()
        _reindex_subtree(group)


@tk.chained_action
def organization_create(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    result = original(context, data_dict)
    _after_save(context, result, data_dict)
    return result


@tk.chained_action
def organization_update(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    result = original(context, data_dict)
    _after_save(context, result, data_dict)
    return result


def get_actions() -> dict[str, Any]:
    return {"organization_create": organization_create, "organization_update": organization_update}


def _dict(group: Any, **extra: Any) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "title": group.title or group.name, **extra}


def place_in_tree(name_or_id: str) -> dict[str, Any]:
    """Ancestors (root first), the organization itself and its direct children."""
    group = active_org(name_or_id)
    if group is None:
        return {"ancestors": [], "self": None, "children": []}
    children = sorted(group.get_children_groups(type=ORG), key=lambda g: g.title or g.name)
    below: dict[str, int] = {}  # number of direct units of each organization below
    for row in group.get_children_group_hierarchy(type=ORG):
        below[row.parent_id] = below.get(row.parent_id, 0) + 1
    return {
        "ancestors": [_dict(g) for g in group.get_parent_group_hierarchy(type=ORG)],
        "self": _dict(group, org_level=(group.extras or {}).get("org_level")),
        "children": [
            _dict(c, org_level=(c.extras or {}).get("org_level"), units=below.get(c.id, 0))
            for c in children
        ],
    }


def tree_options() -> list[dict[str, Any]]:
    """Every active organization in tree order, labelled with indentation by depth."""
    groups = (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .all()
    )
    by_id = {g.id: g for g in groups}
    parent_of: dict[str, str] = {}
    for member in (
        model.Session.query(model.Member)
        .filter(model.Member.table_name == "group", model.Member.state == "active")
        .all()
    ):
        if member.group_id in by_id and member.table_id in by_id:
            parent_of[member.group_id] = member.table_id
    kids: dict[str | None, list[model.Group]] = {}
    for g in groups:
        kids.setdefault(parent_of.get(g.id), []).append(g)
    out: list[dict[str, Any]] = []

    def walk(parent: str | None, depth: int) -> None:
        for g in sorted(kids.get(parent, []), key=lambda g: g.title or g.name):
            out.append({"name": g.name, "label": "\u3000" * depth + (g.title or g.name)})
            walk(g.id, depth + 1)

    walk(None, 0)
    return out
