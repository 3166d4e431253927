"""Which catalog changes the audit chain records: the receiver of CKAN's ``action_succeeded``.

The signal fires only after an action succeeded, so a refused or failed action records nothing.
Recorded: entries (datasets and info systems) created, updated, patched, deleted or purged, with
the fields that changed, and a separate ``sharing_change`` record with old and new values when a
sharing or open attribute changes; organizations created, updated, deleted or purged; membership
changes (organization and group members, dataset collaborators); every state-changing
``access_request_*`` action (who, which request, with which outcome and input) and every change to
a grant it causes. Read-only actions are never recorded.

Records are queued on the action's session (log.py) and committed here when the action committed
itself; with ``context['defer_commit']`` they wait for the caller's commit, so an import rolled
back as a whole leaves no records. What the signal cannot tell (the state before an update, the
action the user called) comes from the chained actions (actions.py). Organization records carry
the whole state, so the previous record is the state before (catalog/orgs.py owns the
organization_update chain).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model

from ckanext.govcatalog.audit import actions, records
from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.audit.records import ChangeRecord

Recorder = Callable[[str, dict[str, Any], dict[str, Any], Any], list[ChangeRecord]]

_REQUEST_PREFIX = "access_request_"


# ---- recorders: one per action, returning the records to append --------------------------------


def _result_id(result: Any, data_dict: dict[str, Any]) -> str | None:
    if isinstance(result, str):
        return result
    if isinstance(result, dict) and result.get("id"):
        return result["id"]
    return data_dict.get("id") or data_dict.get("name")


def _package_created(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    pkg = core_model.Package.get(_result_id(result, data_dict) or "")
    if pkg is None:
        return []
    core_model.Session.flush()  # with defer_commit, tags and resources may not be flushed yet
    payload = records.entry_payload(records.package_state(pkg))
    return [ChangeRecord(sender, pkg.type, pkg.id, payload)]


def _really_changed(context: dict[str, Any], pkg_id: str) -> bool:
    if pkg_id in context.get("changed_entities", {}).get("packages", set()):
        return True
    # package_update leaves before recording changes when both are set (update.py:440)
    return bool(context.get("defer_commit") and context.get("return_id_only"))


def _package_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    pkg = core_model.Package.get(_result_id(result, data_dict) or "")
    if pkg is None:
        return []
    before = actions.state_before(context, pkg.id)
    if not _really_changed(context, pkg.id):
        return []
    core_model.Session.flush()
    after = records.package_state(pkg)
    changed = records.changed_fields(before, after)
    if changed == []:
        return []
    action = actions.called_via(context) or sender
    changes = [
        ChangeRecord(action, pkg.type, pkg.id, records.entry_payload(after, changed=changed))
    ]
    if before is not None:
        old = records.sharing(before)
    else:
        # not captured (package_update called as a plain function): the entry's last record
        old = (chain.last_payload(pkg.type, pkg.id, having="sharing") or {}).get("sharing")
    new = records.sharing(after)
    if old is not None and old != new:
        payload = records.sharing_change_payload(pkg.name, old, new, via=action)
        changes.append(ChangeRecord(records.SHARING_CHANGE, pkg.type, pkg.id, payload))
    return changes


def _package_deleted(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    pkg = core_model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        return []
    return [ChangeRecord(sender, pkg.type, pkg.id, {"name": pkg.name, "title": pkg.title})]


def _purged(object_type: str) -> Recorder:
    def recorder(
        sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
    ) -> list[ChangeRecord]:
        captured = actions.purged_object(context, data_dict.get("id"))
        if captured is None:
            return [ChangeRecord(sender, object_type, data_dict.get("id"), {})]
        obj_id, name, obj_type = captured
        return [ChangeRecord(sender, obj_type or object_type, obj_id, {"name": name})]

    return recorder


def _owner_org_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    if actions.writing_entry():
        return []  # part of package_create / package_update, whose own record has owner_org
    pkg = core_model.Package.get(data_dict.get("id") or "")
    if pkg is None:
        return []
    payload = {"name": pkg.name, "owner_org": pkg.owner_org}
    return [ChangeRecord(sender, pkg.type, pkg.id, payload)]


def _bulk_updated(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    changes = []
    for pkg_id in data_dict.get("datasets") or []:
        pkg = core_model.Package.get(pkg_id)
        if pkg is not None:
            payload = {
                "name": pkg.name,
                "state": pkg.state,
                "private": pkg.private,
                "org_id": data_dict.get("org_id"),
            }
            changes.append(ChangeRecord(sender, pkg.type, pkg.id, payload))
    return changes


def _organization_changed(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    group = core_model.Group.get(_result_id(result, data_dict) or "")
    if group is None:
        return []
    after = records.organization_state(group)
    payload = dict(after)
    if sender != "organization_create":
        # organization records carry the whole state: the last one is the state before
        last = chain.last_payload(group.type, group.id)
        before = {k: v for k, v in last.items() if k != "changed"} if last else None
        changed = records.changed_fields(before, after)
        if changed == []:
            return []
        payload["changed"] = changed
    return [ChangeRecord(actions.called_via(context) or sender, group.type, group.id, payload)]


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
) -> list[ChangeRecord]:
    group = core_model.Group.get(data_dict.get("id") or "")
    member_type = data_dict.get("object_type") or ""
    member = _member_object(member_type, data_dict.get("object"))
    if group is None:
        return []
    payload = records.membership_payload(
        target_type=group.type,
        target_name=group.name,
        member_type=member_type,
        member_id=member.id if member is not None else data_dict.get("object"),
        member_name=getattr(member, "name", None),
        capacity=data_dict.get("capacity"),
    )
    return [ChangeRecord(sender, records.MEMBERSHIP, group.id, payload)]


def _collaborator(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    pkg = core_model.Package.get(data_dict.get("id") or "")
    user = core_model.User.get(data_dict.get("user_id") or "")
    if pkg is None:
        return []
    payload = records.membership_payload(
        target_type=pkg.type,
        target_name=pkg.name,
        member_type="user",
        member_id=user.id if user else data_dict.get("user_id"),
        member_name=user.name if user else None,
        capacity=data_dict.get("capacity"),
    )
    return [ChangeRecord(sender, records.MEMBERSHIP, pkg.id, payload)]


def _access_request(
    sender: str, context: dict[str, Any], data_dict: dict[str, Any], result: Any
) -> list[ChangeRecord]:
    if getattr(tk.get_action(sender), "side_effect_free", False):
        return []  # access_request_show, access_request_list
    request = result if isinstance(result, dict) else {}
    request_id = request.get("id") or data_dict.get("id")
    given = {k: v for k, v in data_dict.items() if k != "id" and not k.startswith("__")}
    payload = {
        "package_id": request.get("package_id"),
        "requester_id": request.get("requester_id"),
        "decision": request.get("status"),
        "decided_by": request.get("decided_by"),
        "due_date": request.get("due_date"),
        "input": given,
    }
    changes = [ChangeRecord(sender, records.ACCESS_REQUEST, request_id, payload)]
    grant = request.get("grant")
    if isinstance(grant, dict) and grant.get("id"):
        new = records.grant_state(grant)
        old = (chain.last_payload(records.GRANT, grant["id"]) or {}).get("new")
        if old != chain.normalize(new):
            payload = records.grant_change_payload(
                request_id, grant.get("package_id"), grant.get("user_id"), old, new, via=sender
            )
            changes.append(ChangeRecord(records.GRANT_CHANGE, records.GRANT, grant["id"], payload))
    return changes


_RECORDERS: dict[str, Recorder] = {
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


def _recorder(sender: str) -> Recorder | None:
    if sender in _RECORDERS:
        return _RECORDERS[sender]
    if sender.startswith(_REQUEST_PREFIX):
        return _access_request
    return None


def _actor(context: dict[str, Any]) -> str | None:
    user = context.get("auth_user_obj")
    name = getattr(user, "name", None) or context.get("user")
    return name or None


# ---- the receiver ------------------------------------------------------------------------------


def on_action_succeeded(sender: str, **kwargs: Any) -> None:
    """Receiver of ``action_succeeded``: append the action's records to the chain."""
    recorder = _recorder(sender)
    if recorder is None:
        return
    context = kwargs.get("context") or {}
    changes = recorder(sender, context, kwargs.get("data_dict") or {}, kwargs.get("result"))
    if not changes:
        return
    session = context.get("session") or core_model.Session
    actor = _actor(context)
    for change in changes:
        chain.append(
            change.action,
            change.object_type,
            change.object_id,
            change.payload,
            actor=actor,
            session=session,
        )
    if not context.get("defer_commit"):
        session.commit()  # the action committed its change; its record follows at once


def get_signal_subscriptions() -> dict[Any, list[Any]]:
    return {tk.signals.action_succeeded: [on_action_succeeded]}
