"""What an audit record holds (catalog-spec §6): the state of an entry or an organization, its
digest, and the payloads of entry, sharing-change, membership and grant-change records.

Which actions are recorded, and when, is subscriptions.py; the chain itself is log.py. An entry
record binds the entry's whole state to the chain through its SHA-256 ``digest`` without storing
it. The bulk import builds package_create's record with these same functions, so a fast import
records exactly what package_create would.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple

from ckan import model as core_model

from ckanext.govcatalog.audit import log as chain

SHARING_FIELDS = ("share_type", "share_condition", "open_type", "open_condition")
# actions of records that are not named after the CKAN action that caused them
SHARING_CHANGE = "sharing_change"
GRANT_CHANGE = "grant_change"
# object types of records about something other than an entry or an organization
MEMBERSHIP = "membership"
ACCESS_REQUEST = "access_request"
GRANT = "grant"


class ChangeRecord(NamedTuple):
    """One record to append: the action, what it is about, and the payload."""

    action: str
    object_type: str
    object_id: str | None
    payload: dict[str, Any]


# ---- states and what a record binds of them ----------------------------------------------------

_PACKAGE_COLUMNS = (
    "name",
    "title",
    "notes",
    "type",
    "owner_org",
    "state",
    "private",
    "license_id",
    "url",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
)


def package_state(pkg: core_model.Package | Any) -> dict[str, Any]:
    """Everything of an entry a change can touch; scheming keeps the catalog fields in extras."""
    state: dict[str, Any] = {column: getattr(pkg, column) for column in _PACKAGE_COLUMNS}
    state.update({key: value for key, value in (pkg.extras or {}).items() if key not in state})
    state["tags"] = sorted(tag.name for tag in pkg.get_tags())
    state["groups"] = sorted(group.name for group in pkg.get_groups())
    state["resources"] = [
        {
            "id": res.id,
            "name": res.name,
            "url": res.url,
            "format": res.format,
            "description": res.description,
            "extras": dict(res.extras or {}),
        }
        for res in pkg.resources
    ]
    return chain.normalize(state)


def organization_state(group: core_model.Group) -> dict[str, Any]:
    """Everything of an organization a change can touch, its parents and members included."""
    parents = (
        core_model.Session.query(core_model.Group.name)
        .join(core_model.Member, core_model.Member.group_id == core_model.Group.id)
        .filter(
            core_model.Member.table_name == "group",
            core_model.Member.table_id == group.id,
            core_model.Member.state == "active",
        )
        .all()
    )
    users = (
        core_model.Session.query(core_model.User.name, core_model.Member.capacity)
        .join(core_model.Member, core_model.Member.table_id == core_model.User.id)
        .filter(
            core_model.Member.group_id == group.id,
            core_model.Member.table_name == "user",
            core_model.Member.state == "active",
        )
        .all()
    )
    state = {
        "name": group.name,
        "title": group.title,
        "description": group.description,
        "type": group.type,
        "state": group.state,
        "image_url": group.image_url,
        "parents": sorted(row[0] for row in parents),
        # members set through organization_create / _update's ``users`` skip member_create
        "users": sorted(f"{name}:{capacity}" for name, capacity in users),
    }
    state.update({key: value for key, value in (group.extras or {}).items() if key not in state})
    return chain.normalize(state)


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str] | None:
    """Names of the fields whose value differs; None when the state before is unknown."""
    if before is None:
        return None
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def digest(state: dict[str, Any]) -> str:
    """SHA-256 of a state, binding the whole version to the record without storing it."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sharing(state: dict[str, Any]) -> dict[str, Any]:
    """The sharing and open attributes of an entry's state."""
    return {field: state.get(field) for field in SHARING_FIELDS}


# ---- payloads ----------------------------------------------------------------------------------


def entry_payload(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The payload of an entry record: who it is, its sharing levels and the digest of its state."""
    payload = {
        "name": state.get("name"),
        "title": state.get("title"),
        "owner_org": state.get("owner_org"),
        "state": state.get("state"),
        "resource_code": state.get("resource_code"),
        "sharing": sharing(state),
        "digest": digest(state),
    }
    payload.update(extra)
    return payload


def sharing_change_payload(
    name: str, old: dict[str, Any], new: dict[str, Any], via: str
) -> dict[str, Any]:
    """The payload of a sharing_change record: the attributes that changed, old and new."""
    return {
        "name": name,
        "changed": [field for field in SHARING_FIELDS if old.get(field) != new.get(field)],
        "old": old,
        "new": new,
        "via": via,
    }


def membership_payload(
    target_type: str,
    target_name: str,
    member_type: str,
    member_id: str | None,
    member_name: str | None,
    capacity: str | None,
) -> dict[str, Any]:
    """The payload of a membership record: an organization's or group's member, or an entry's
    collaborator."""
    return {
        "target_type": target_type,
        "target_name": target_name,
        "member_type": member_type,
        "member_id": member_id,
        "member_name": member_name,
        "capacity": capacity,
    }


def grant_state(grant: Any) -> dict[str, Any]:
    """What a grant change record compares: status, expiry and reason (a Grant or its dict)."""
    if isinstance(grant, dict):
        return {key: grant.get(key) for key in ("status", "expires", "reason")}
    return {"status": grant.status, "expires": grant.expires, "reason": grant.reason}


def grant_change_payload(
    request_id: str | None,
    package_id: str | None,
    user_id: str | None,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    via: str,
) -> dict[str, Any]:
    """The payload of a grant_change record: which request's grant, its state before and after."""
    return {
        "request_id": request_id,
        "package_id": package_id,
        "user_id": user_id,
        "old": old,
        "new": new,
        "via": via,
    }


def record_grant_change(request_id: str, grant: Any, old: dict[str, Any], via: str) -> None:
    """Append a grant change made outside an action (expiry) to the chain, on its transaction."""
    chain.append(
        GRANT_CHANGE,
        GRANT,
        grant.id,
        grant_change_payload(
            request_id, grant.package_id, grant.user_id, old, grant_state(grant), via
        ),
    )
