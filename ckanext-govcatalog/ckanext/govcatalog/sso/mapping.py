"""Claims -> organization memberships and capacities, applied at every single sign-on login.

The identity provider is the source of truth for the users who log in through it: their
organization memberships become exactly what the claims map to (joined, changed, removed), so a
transfer between departments takes effect at the next login without anyone editing CKAN by hand.
``desired`` is a pure function of the claims and the ini's maps; ``apply`` makes the changes
through CKAN's member_create / member_delete (each one an audit-chain record, audit/
subscriptions.py) and appends one ``sso_login_sync`` record saying what the login changed and why.

Capacity: a user's highest mapped role (admin > editor > member) applies in each department the
groups claim maps; with no mapped role, ``default_capacity``. A group path the map does not know
is skipped (the login goes on) and reported to the data administration (the sysadmins).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.sso.settings import CAPACITIES, Settings

SYNC_ACTION = "sso_login_sync"
USER_OBJECT = "user"


@dataclasses.dataclass(frozen=True)
class Desired:
    memberships: dict[str, str]  # organization name -> capacity
    sysadmin: bool
    unknown_groups: tuple[str, ...]


@dataclasses.dataclass
class Changes:
    joined: dict[str, str] = dataclasses.field(default_factory=dict)
    changed: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # org -> [old, new]
    removed: dict[str, str] = dataclasses.field(default_factory=dict)
    sysadmin: list[bool] | None = None  # [old, new] when it changed
    unknown_groups: tuple[str, ...] = ()

    def any(self) -> bool:
        return bool(self.joined or self.changed or self.removed or self.sysadmin)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; a dotted name reaches into objects (``realm_access.roles``)."""
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def desired(claims: dict[str, Any], settings: Settings) -> Desired:
    """What the claims entitle the user to, by the ini's group and role maps."""
    roles = _as_list(claim(claims, settings.role_claim))
    capacities = [settings.role_map[r] for r in roles if r in settings.role_map]
    capacity = max(capacities, key=CAPACITIES.index) if capacities else settings.default_capacity
    memberships: dict[str, str] = {}
    unknown: list[str] = []
    for path in _as_list(claim(claims, settings.group_claim)):
        normalized = "/" + path.strip("/")
        org = settings.group_map.get(normalized)
        if org is None:
            unknown.append(normalized)
        else:
            memberships[org] = capacity
    sysadmin = bool(settings.sysadmin_role) and settings.sysadmin_role in roles
    return Desired(memberships, sysadmin, tuple(sorted(set(unknown))))


def current_memberships(user: model.User) -> dict[str, str]:
    """Organization name -> capacity of the user's active organization memberships."""
    rows = (
        model.Session.query(model.Group.name, model.Member.capacity)
        .join(model.Member, model.Member.group_id == model.Group.id)
        .filter(model.Member.table_name == "user")
        .filter(model.Member.table_id == user.id)
        .filter(model.Member.state == "active")
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
    )
    return dict(rows.all())


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def apply(user: model.User, wanted: Desired, claims: dict[str, Any], settings: Settings) -> Changes:
    """Bring the user's memberships and sysadmin flag to ``wanted``; returns what changed."""
    changes = Changes(unknown_groups=wanted.unknown_groups)
    have = current_memberships(user)
    unknown_orgs = [
        org for org in wanted.memberships if model.Group.get(org) is None
    ]  # mapped in the ini, but no such organization in this catalog
    for org, capacity in sorted(wanted.memberships.items()):
        if org in unknown_orgs:
            continue
        if have.get(org) == capacity:
            continue
        tk.get_action("member_create")(
            _site_context(),
            {"id": org, "object": user.id, "object_type": "user", "capacity": capacity},
        )
        if org in have:
            changes.changed[org] = [have[org], capacity]
        else:
            changes.joined[org] = capacity
    for org, capacity in sorted(have.items()):
        if org in wanted.memberships:
            continue
        tk.get_action("member_delete")(
            _site_context(), {"id": org, "object": user.id, "object_type": "user"}
        )
        changes.removed[org] = capacity
    if unknown_orgs:
        changes.unknown_groups = tuple(
            sorted(
                set(changes.unknown_groups)
                | {p for p, o in settings.group_map.items() if o in unknown_orgs}
            )
        )
    _apply_sysadmin(user, wanted.sysadmin, changes)
    if changes.any() or changes.unknown_groups:
        chain.append(
            SYNC_ACTION,
            USER_OBJECT,
            user.id,
            {
                "user_name": user.name,
                "issuer": claims.get("iss"),
                "subject": claims.get("sub"),
                "joined": changes.joined,
                "changed": changes.changed,
                "removed": changes.removed,
                "sysadmin": changes.sysadmin,
                "unknown_groups": list(changes.unknown_groups),
            },
            actor=user.name,
        )
        model.Session.commit()
    return changes


def _apply_sysadmin(user: model.User, wanted: bool, changes: Changes) -> None:
    """Grant sysadmin for the provider's data-admin role; take back only what it granted (a
    local sysadmin, the break-glass account, keeps its flag)."""
    extras = dict(user.plugin_extras or {})
    link = dict(extras.get("govcatalog_sso") or {})
    granted_by_sso = bool(link.get("sysadmin_granted"))
    if wanted and not user.sysadmin:
        user.sysadmin = True
        link["sysadmin_granted"] = True
        changes.sysadmin = [False, True]
    elif not wanted and user.sysadmin and granted_by_sso:
        user.sysadmin = False
        link["sysadmin_granted"] = False
        changes.sysadmin = [True, False]
    else:
        return
    extras["govcatalog_sso"] = link
    user.plugin_extras = extras
    model.Session.add(user)
