"""The people and entries the journeys use, picked from the loaded demo catalog by their role and
their catalog attributes (never by hard-coded names, so the demo can change freely).

The demo users keep their own passwords; the journeys set a known one on the few they log in as.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model

PLACE_LEVELS = ("town", "village")
HAN = re.compile(r"[\u4e00-\u9fff]+")  # a data item name of Chinese characters only


def _orgs() -> dict[str, model.Group]:
    groups = model.Session.query(model.Group).filter_by(is_organization=True, state="active")
    return {g.id: g for g in groups}


def _members(capacity: str) -> list[tuple[model.User, model.Group]]:
    rows = (
        model.Session.query(model.User, model.Group)
        .join(model.Member, model.Member.table_id == model.User.id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity == capacity,
            model.Group.is_organization.is_(True),
            model.User.state == "active",
            model.User.sysadmin.is_(False),
        )
        .order_by(model.User.name)
    )
    return list(rows)


def _is_department(group: model.Group) -> bool:
    return (group.extras or {}).get("org_level") not in PLACE_LEVELS


def _datasets() -> list[model.Package]:
    return (
        model.Session.query(model.Package)
        .filter_by(state="active", type="dataset")
        .order_by(model.Package.name)
        .all()
    )


def _extra(pkg: model.Package, key: str) -> str:
    return (pkg.extras or {}).get(key, "")


def _data_items(pkg: model.Package) -> list[dict[str, Any]]:
    try:
        items = json.loads(_extra(pkg, "data_items") or "[]")
    except ValueError:
        return []
    return items if isinstance(items, list) else []


def _user_fact(user: model.User | None, group: model.Group | None, password: str) -> dict | None:
    if user is None:
        return None
    user.password = password  # hashed by the model
    return {
        "name": user.name,
        "fullname": user.fullname or user.name,
        "password": password,
        "org": group.name if group else None,
        "org_title": group.title if group else None,
    }


def _entry_fact(pkg: model.Package | None) -> dict | None:
    if pkg is None:
        return None
    items = _data_items(pkg)
    resources = [r for r in pkg.resources if r.state == "active"]
    return {
        "name": pkg.name,
        "title": pkg.title,
        "org": pkg.owner_org and model.Group.get(pkg.owner_org).name,
        "share_type": _extra(pkg, "share_type"),
        "open_type": _extra(pkg, "open_type"),
        "resource_code": _extra(pkg, "resource_code"),
        "theme": _extra(pkg, "theme"),
        "catalog_item": _extra(pkg, "catalog_item"),
        "data_items": [i.get("name") for i in items if i.get("name")],
        "resources": [{"id": r.id, "url_type": r.url_type, "url": r.url} for r in resources],
    }


def _sysadmin(password: str) -> dict:
    name = "journey-admin"
    user = model.User.by_name(name)
    if user is None:
        user = model.User(name=name, email="journey-admin@example.invalid", fullname="平台管理员")
        model.Session.add(user)
    user.sysadmin = True
    user.state = "active"
    user.password = password
    return {"name": name, "password": password}


def collect(password: str) -> dict[str, Any]:
    orgs = _orgs()
    datasets = _datasets()
    editors = [(u, g) for u, g in _members("editor") if _is_department(g)]
    admins = _members("admin")

    def with_files(pkgs: list[model.Package]) -> list[model.Package]:
        return [p for p in pkgs if any(r.state == "active" and r.url for r in p.resources)]

    conditional = [
        p
        for p in datasets
        if _extra(p, "share_type") == "conditional" and any(g.id == p.owner_org for _, g in admins)
    ]
    conditional = with_files(conditional) or conditional
    cond = conditional[0] if conditional else None
    owner_admin = next(((u, g) for u, g in admins if cond and g.id == cond.owner_org), None)

    # The requester: a government user of another department, and not the owner's admin.
    requester = next(
        (
            (u, g)
            for u, g in editors + _members("member")
            if cond
            and g.id != cond.owner_org
            and _is_department(g)
            and (not owner_admin or u.id != owner_admin[0].id)
        ),
        None,
    )
    officer = next(
        ((u, g) for u, g in editors if not requester or u.id != requester[0].id), None
    ) or (editors[0] if editors else None)

    open_entries = [p for p in datasets if _extra(p, "open_type") == "open"]
    open_entries = with_files(open_entries) or open_entries
    closed = [p for p in datasets if _extra(p, "open_type") == "closed"]
    # The rarest data item name that is not in its entry's title or summary: finding the entry
    # by it proves that data items are searched (and it is not lost among many entries).
    holders: dict[str, list[model.Package]] = {}
    for pkg in datasets:
        for name in {i.get("name") for i in _data_items(pkg) if i.get("name")}:
            holders.setdefault(name, []).append(pkg)
    candidates = sorted(
        (len(pkgs), name)
        for name, pkgs in holders.items()
        if len(name) >= 3
        and HAN.fullmatch(name)
        and not any(name in (p.title or "") or name in (p.notes or "") for p in pkgs)
    )
    item_probe = None
    if candidates:
        name = candidates[0][1]
        item_probe = {"item": name, "entry": _entry_fact(holders[name][0])}

    facts = {
        "sysadmin": _sysadmin(password),
        "officer": _user_fact(*(officer or (None, None)), password),
        "owner_admin": _user_fact(*(owner_admin or (None, None)), password),
        "requester": _user_fact(*(requester or (None, None)), password),
        "conditional_entry": _entry_fact(cond),
        "open_entry": _entry_fact(open_entries[0] if open_entries else None),
        "closed_entry": _entry_fact(closed[0] if closed else None),
        "item_probe": item_probe,
        "counts": {"organizations": len(orgs), "datasets": len(datasets), "closed": len(closed)},
    }
    model.Session.commit()
    return facts
