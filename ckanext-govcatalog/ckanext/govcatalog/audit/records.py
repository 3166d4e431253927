"""What goes into the audit chain: catalog changes, seen through CKAN's ``action_succeeded`` signal.

The signal fires only after an action succeeded, so a refused or failed action records nothing.
Recorded: entries (datasets and info systems) created, updated, patched, deleted or purged, with
the fields that changed, and a separate ``sharing_change`` record with old and new values when a
sharing or open attribute changes; organizations created, updated, deleted or purged; membership
changes (organization and group members, dataset collaborators); every state-changing
``access_request_*`` action (who, which request, with which outcome and input) and every change to
a grant it causes. Read-only actions are never recorded.

Records are queued on the action's session (audit/chain.py) and committed here when the action
committed itself; with ``context['defer_commit']`` they wait for the caller's commit, so an import
rolled back as a whole leaves no records.

The signal comes after the change, so an entry's state *before* it is captured by a thin chained
package_update (and the purges'); the wrappers that update an entry through package_update
(package_patch, resource_*) only name themselves, so the one record made for the inner
package_update says which action the user called. Organization records carry the whole state, so
the previous record is the state before (orgs.py owns the organization_update chain).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.model import AuditRecord

SHARING_FIELDS = ("share_type", "share_condition", "open_type", "open_condition")
SHARING_CHANGE = "sharing_change"
GRANT_CHANGE = "grant_change"
MEMBERSHIP = "membership"
ACCESS_REQUEST = "access_request"
GRANT = "grant"

# context keys (prefixed: contexts are shared with core and other plugins)
_BEFORE = "govcatalog_audit_before"  # {object id: state before the action}
_VIA = "govcatalog_audit_via"  # the outermost action that changes an entry through package_update
# inside package_create / package_update, which move the entry with package_owner_org_update
# under a fresh context: a context variable, not a context key, reaches that call
_writing_entry: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "govcatalog_audit_writing_entry", default=False
)

_REQUEST_PREFIX = "access_request_"


class Entry(NamedTuple):
    action: str
    object_type: str
    object_id: str | None
    payload: dict[str, Any]


Action = Callable[..., Any]


# ---- state snapshots ---------------------------------------------------------------------------

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


def package_state(pkg: core_model.Package) -> dict[str, Any]:
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
    return {field: state.get(field) for field in SHARING_FIELDS}


# ---- chained actions: the state before, and who called package_update -------------------------


def _remember(context: dict[str, Any], key: str, state: Any) -> None:
    context.setdefault(_BEFORE, {})[key] = state


def _recall(context: dict[str, Any], key: str | None) -> Any:
    return (context.get(_BEFORE) or {}).pop(key, None) if key else None


class _Marked:
    """Sets a context key for the duration of an action, keeping an outer caller's value."""

    def __init__(self, context: dict[str, Any], key: str, value: Any) -> None:
        self.context, self.key, self.value = context, key, value

    def __enter__(self) -> None:
        self.had = self.key in self.context
        self.context.setdefault(self.key, self.value)

    def __exit__(self, *exc: Any) -> None:
        if not self.had:
            self.context.pop(self.key, None)


@tk.chained_action
def package_update(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    pkg = core_model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is not None:
        _remember(context, pkg.id, package_state(pkg))
    token = _writing_entry.set(True)
    try:
        return original(context, data_dict)
    finally:
        _writing_entry.reset(token)


@tk.chained_action
def package_create(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    token = _writing_entry.set(True)
    try:
        return original(context, data_dict)
    finally:
        _writing_entry.reset(token)


def _naming(name: str) -> Action:
    """A chained action that only names itself as the caller of package_update (or an update)."""

    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        with _Marked(context, _VIA, name):
            return original(context, data_dict)

    chained.__name__ = name
    return tk.chained_action(chained)


def _capturing_purge(name: str, model_class: Any) -> Action:
    """A purge removes the row; what it was is captured first."""

    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        obj = model_class.get(data_dict.get("id") or "")
        if obj is not None:
            _remember(context, f"purge:{data_dict.get('id')}", (obj.id, obj.name, obj.type))
        return original(context, data_dict)

    chained.__name__ = name
    return tk.chained_action(chained)


_PACKAGE_UPDATE_CALLERS = (
    "package_patch",
    "package_revise",
    "package_resource_reorder",
    "resource_create",
    "resource_update",
    "resource_patch",
    "resource_delete",
)


def get_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {name: _naming(name) for name in _PACKAGE_UPDATE_CALLERS}
    actions.update(
        package_create=package_create,
        package_update=package_update,
        organization_patch=_naming("organization_patch"),
        dataset_purge=_capturing_purge("dataset_purge", core_model.Package),
        organization_purge=_capturing_purge("organization_purge", core_model.Group),
    )
    return actions


# ---- recorders: one per action, returning the records to append --------------------------------


def _result_id(result: Any, data_dict: dict[str, Any]) -> str | None:
    if isinstance(result, str):
        return result
    if isinstance(result, dict) and result.get("id"):
        return result["id"]
    return data_dict.get("id") or data_dict.get("name")


def entry_payload(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The payload of an entry record (bulk/fastpath.py builds package_create's with it)."""
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


_entry_payload = entry_payload  # the name bulk/fastpath.py first used


def _package_created(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    pkg = core_model.Package.get(_result_id(result, data_dict) or "")
    if pkg is None:
        return []
    core_model.Session.flush()  # with defer_commit, tags and resources may not be flushed yet
    return [Entry(sender, pkg.type, pkg.id, entry_payload(package_state(pkg)))]


def _really_changed(context: dict[str, Any], pkg_id: str) -> bool:
    if pkg_id in context.get("changed_entities", {}).get("packages", set()):
        return True
    # package_update leaves before recording changes when both are set (update.py:440)
    return bool(context.get("defer_commit") and context.get("return_id_only"))


def _package_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    pkg = core_model.Package.get(_result_id(result, data_dict) or "")
    if pkg is None:
        return []
    before = _recall(context, pkg.id)
    if not _really_changed(context, pkg.id):
        return []
    core_model.Session.flush()
    after = package_state(pkg)
    changed = changed_fields(before, after)
    if changed == []:
        return []
    action = context.get(_VIA) or sender
    entries = [Entry(action, pkg.type, pkg.id, entry_payload(after, changed=changed))]
    if before is not None:
        old = sharing(before)
    else:
        # not captured (package_update called as a plain function): the entry's last record
        old = (_last_payload(pkg.type, pkg.id, having="sharing") or {}).get("sharing")
    new = sharing(after)
    if old is not None and old != new:
        entries.append(
            Entry(
                SHARING_CHANGE,
                pkg.type,
                pkg.id,
                {
                    "name": pkg.name,
                    "changed": [f for f in SHARING_FIELDS if old[f] != new[f]],
                    "old": old,
                    "new": new,
                    "via": action,
                },
            )
        )
    return entries


def _package_deleted(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    pkg = core_model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        return []
    return [Entry(sender, pkg.type, pkg.id, {"name": pkg.name, "title": pkg.title})]


def _purged(object_type: str) -> Callable[..., list[Entry]]:
    def recorder(
        sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
    ) -> list[Entry]:
        captured = _recall(context, f"purge:{data_dict.get('id')}")
        if captured is None:
            return [Entry(sender, object_type, data_dict.get("id"), {})]
        obj_id, name, obj_type = captured
        return [Entry(sender, obj_type or object_type, obj_id, {"name": name})]

    return recorder


def _owner_org_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    if _writing_entry.get():
        return []  # part of package_create / package_update, whose own record has owner_org
    pkg = core_model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        return []
    return [Entry(sender, pkg.type, pkg.id, {"name": pkg.name, "owner_org": pkg.owner_org})]


def _bulk_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    entries = []
    for pkg_id in data_dict.get("datasets") or []:
        pkg = core_model.Package.get(pkg_id)
        if pkg is not None:
            entries.append(
                Entry(
                    sender,
                    pkg.type,
                    pkg.id,
                    {
                        "name": pkg.name,
                        "state": pkg.state,
                        "private": pkg.private,
                        "org_id": data_dict.get("org_id"),
                    },
                )
            )
    return entries


def _organization_changed(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    group = core_model.Group.get(_result_id(result, data_dict) or "")
    if group is None:
        return []
    after = organization_state(group)
    payload = dict(after)
    if sender != "organization_create":
        # organization records carry the whole state: the last one is the state before
        last = _last_payload(group.type, group.id)
        before = {k: v for k, v in last.items() if k != "changed"} if last else None
        changed = changed_fields(before, after)
        if changed == []:
            return []
        payload["changed"] = changed
    return [Entry(context.get(_VIA) or sender, group.type, group.id, payload)]


def _member_object(object_type: str, ref: str | None) -> Any:
    if not ref:
        return None
    if object_type == "user":
        return core_model.User.get(ref)
    if object_type == "package":
        return core_model.Package.get(ref)
    if object_type == "group":
        return core_model.Group.get(ref)
    return None


def _membership(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    group = core_model.Group.get(data_dict.get("id") or "")
    member_type = data_dict.get("object_type") or ""
    member = _member_object(member_type, data_dict.get("object"))
    if group is None:
        return []
    payload = {
        "target_type": group.type,
        "target_name": group.name,
        "member_type": member_type,
        "member_id": member.id if member is not None else data_dict.get("object"),
        "member_name": getattr(member, "name", None),
        "capacity": data_dict.get("capacity"),
    }
    return [Entry(sender, MEMBERSHIP, group.id, payload)]


def _collaborator(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    pkg = core_model.Package.get(data_dict.get("id") or "")
    user = core_model.User.get(data_dict.get("user_id") or "")
    if pkg is None:
        return []
    payload = {
        "target_type": pkg.type,
        "target_name": pkg.name,
        "member_type": "user",
        "member_id": user.id if user else data_dict.get("user_id"),
        "member_name": user.name if user else None,
        "capacity": data_dict.get("capacity"),
    }
    return [Entry(sender, MEMBERSHIP, pkg.id, payload)]


def _last_payload(
    object_type: str, object_id: str, having: str | None = None
) -> dict[str, Any] | None:
    """Payload of the last committed record about an object (with the key ``having``)."""
    query = sa.select(AuditRecord.payload).where(
        AuditRecord.object_type == object_type, AuditRecord.object_id == object_id
    )
    if having:
        query = query.where(AuditRecord.payload.has_key(having))
    return core_model.Session.execute(query.order_by(AuditRecord.seq.desc()).limit(1)).scalar()


def _last_grant_state(grant_id: str) -> dict[str, Any] | None:
    return (_last_payload(GRANT, grant_id) or {}).get("new")


def record_grant_change(request_id: str, grant: Any, old: dict[str, Any], via: str) -> None:
    """Append a grant change made outside an action (expiry) to the chain, on its transaction."""
    new = {"status": grant.status, "expires": grant.expires, "reason": grant.reason}
    chain.append(
        GRANT_CHANGE,
        GRANT,
        grant.id,
        {
            "request_id": request_id,
            "package_id": grant.package_id,
            "user_id": grant.user_id,
            "old": old,
            "new": new,
            "via": via,
        },
    )


def _access_request(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[Entry]:
    if getattr(tk.get_action(sender), "side_effect_free", False):
        return []  # access_request_show, access_request_list
    request = result if isinstance(result, dict) else {}
    request_id = request.get("id") or data_dict.get("id")
    given = {k: v for k, v in data_dict.items() if k != "id" and not k.startswith("__")}
    entries = [
        Entry(
            sender,
            ACCESS_REQUEST,
            request_id,
            {
                "package_id": request.get("package_id"),
                "requester_id": request.get("requester_id"),
                "decision": request.get("status"),
                "decided_by": request.get("decided_by"),
                "due_date": request.get("due_date"),
                "input": given,
            },
        )
    ]
    grant = request.get("grant")
    if isinstance(grant, dict) and grant.get("id"):
        new = {key: grant.get(key) for key in ("status", "expires", "reason")}
        old = _last_grant_state(grant["id"])
        if old != chain.normalize(new):
            entries.append(
                Entry(
                    GRANT_CHANGE,
                    GRANT,
                    grant["id"],
                    {
                        "request_id": request_id,
                        "package_id": grant.get("package_id"),
                        "user_id": grant.get("user_id"),
                        "old": old,
                        "new": new,
                        "via": sender,
                    },
                )
            )
    return entries


_RECORDERS: dict[str, Callable[..., list[Entry]]] = {
    "package_create": _package_created,
    "package_update": _package_updated,
    "package_delete": _package_deleted,
    "dataset_purge": _purged("dataset"),
    "package_owner_org_update": _owner_org_updated,
    "bulk_update_private": _bulk_updated,
    "bulk_update_public": _bulk_updated,
    "bulk_update_delete": _bulk_updated,
    "organization_create": _organization_changed,
    "organization_update": _organization_changed,
    "organization_delete": _organization_changed,
    "organization_purge": _purged("organization"),
    # organization_member_* and group_member_* go through member_create / member_delete
    "member_create": _membership,
    "member_delete": _membership,
    "package_collaborator_create": _collaborator,
    "package_collaborator_delete": _collaborator,
}


def _recorder(sender: str) -> Callable[..., list[Entry]] | None:
    if sender in _RECORDERS:
        return _RECORDERS[sender]
    if sender.startswith(_REQUEST_PREFIX):
        return _access_request
    return None


def _actor(context: dict[str, Any]) -> str | None:
    user = context.get("auth_user_obj")
    name = getattr(user, "name", None) or context.get("user")
    return name or None


def on_action_succeeded(sender: str, **kwargs: Any) -> None:
    """Receiver of ``action_succeeded``: append the action's records to the chain."""
    recorder = _recorder(sender)
    if recorder is None:
        return
    context = kwargs.get("context") or {}
    entries = recorder(sender, context, kwargs.get("data_dict") or {}, kwargs.get("result"))
    if not entries:
        return
    session = context.get("session") or core_model.Session
    actor = _actor(context)
    for entry in entries:
        chain.append(
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.payload,
            actor=actor,
            session=session,
        )
    if not context.get("defer_commit"):
        session.commit()  # the action committed its change; its record follows at once


def get_signal_subscriptions() -> dict[Any, list[Any]]:
    return {tk.signals.action_succeeded: [on_action_succeeded]}
