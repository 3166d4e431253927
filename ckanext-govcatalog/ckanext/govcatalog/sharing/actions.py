"""CKAN actions of the sharing-request workflow (access_request_*) and the in-app notices.

Each action checks its auth function, lets workflow.py make the change (which commits once, or
not at all) and returns the request as a dict, so the audit chain, which listens to CKAN's
action_succeeded signal, records who did what with which outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.sharing import notify, queries, workflow

Action = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


def _user(context: dict[str, Any]) -> core_model.User:
    user = context.get("auth_user_obj") or core_model.User.get(context.get("user") or "")
    if user is None:  # auth functions refuse anonymous users first; this guards ignore_auth
        raise tk.NotAuthorized(tk._("You must be logged in"))
    return user


def _request_id(data_dict: dict[str, Any]) -> str:
    request_id = data_dict.get("id")
    if not request_id:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    return request_id


def access_request_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Request access to the data of a catalog entry (共享申请).

    :param package_id: the entry (id or name)
    :param legal_basis: 使用依据; :param usage_scenario: 使用场景; :param usage_scope: 使用范围
    :param share_mode: 共享方式 (one of the entry schema's share_mode choices)
    :param period_end: 使用时限, last day of use (YYYY-MM-DD)
    :param data_items: the data items wanted (list, or comma-separated names)
    """
    tk.check_access("access_request_create", context, data_dict)
    request = workflow.create(_user(context), data_dict)
    return queries.dictize(request)


@tk.side_effect_free
def access_request_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One request, to its requester, the owner organization's admins and sysadmins."""
    tk.check_access("access_request_show", context, data_dict)
    return queries.dictize(queries.get(_request_id(data_dict)))


@tk.side_effect_free
def access_request_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Requests in a scope: ``mine`` (default), ``decide`` (owner orgs I administer), ``all``
    (sysadmins). Filters: ``status`` (one or a list), ``overdue`` (true), ``package_id``,
    ``limit`` (default 50, at most 1000) and ``offset``."""
    tk.check_access("access_request_list", context, data_dict)
    statuses = data_dict.get("status") or []
    if isinstance(statuses, str):
        statuses = [s.strip() for s in statuses.split(",")]
    try:
        limit = min(int(data_dict.get("limit", 50)), 1000)
        offset = max(int(data_dict.get("offset", 0)), 0)
    except ValueError:
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]}) from None
    count, rows = queries.search(
        _user(context),
        scope=data_dict.get("scope") or "mine",
        statuses=statuses,
        overdue=tk.asbool(data_dict.get("overdue", False)),
        package_id=data_dict.get("package_id"),
        limit=limit,
        offset=offset,
    )
    return {"count": count, "results": [queries.dictize(r) for r in rows]}


def _step(step: str, doc: str) -> Action:
    """The action of one step of workflow.TRANSITIONS: access_request_<step>."""
    name = f"access_request_{step}"

    def action(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
        tk.check_access(name, context, data_dict)
        request = workflow.apply(step, _user(context), _request_id(data_dict), data_dict)
        return queries.dictize(request)

    action.__name__ = name
    action.__doc__ = doc
    return action


access_request_update = _step(
    "update",
    """The requester completes a request after 补正 (any request fields, plus an optional
    ``response``); the answer is then due N working days later.""",
)
access_request_ask_info = _step(
    "ask_info",
    """Ask for more material (补正). :param missing: one list of everything missing (text, or
    a list of lines).""",
)
access_request_extend = _step(
    "extend",
    """Extend the answer deadline once. :param days: 1..10 working days (configurable).
    :param reason: shown to the requester.""",
)
access_request_approve = _step(
    "approve",
    """Approve and grant access. :param expires: last day of access (YYYY-MM-DD, not in the
    past). :param reason: optional note.""",
)
access_request_reject = _step("reject", """Reject. :param reason: required.""")
access_request_withdraw = _step("withdraw", """The requester withdraws an undecided request.""")
access_request_suspend = _step(
    "suspend", """Suspend an approved request's grant. :param reason: required."""
)
access_request_resume = _step("resume", """Restore a suspended grant (if it has not expired).""")
access_request_revoke = _step(
    "revoke", """Revoke an approved or suspended grant. :param reason: required."""
)


@tk.side_effect_free
def govcatalog_notification_list(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """My in-app notices, newest first. :param unread: only unread ones. :param limit: 50."""
    tk.check_access("govcatalog_notification_list", context, data_dict)
    user = _user(context)
    try:
        limit = min(int(data_dict.get("limit", 50)), 500)
    except ValueError:
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]}) from None
    notices = notify.list_for(user.id, tk.asbool(data_dict.get("unread", False)), limit)
    return {
        "unread": notify.unread_count(user.id),
        "results": [notify.dictize(n) for n in notices],
    }


def govcatalog_notification_mark_read(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Mark my notices read. :param ids: the notices (list); all of them when left out."""
    tk.check_access("govcatalog_notification_mark_read", context, data_dict)
    ids = data_dict.get("ids")
    if isinstance(ids, str):
        ids = [ids]
    return {"marked": notify.mark_read(_user(context).id, ids)}


def get_actions() -> dict[str, Any]:
    return {
        fn.__name__: fn
        for fn in (
            access_request_create,
            access_request_show,
            access_request_list,
            access_request_update,
            access_request_ask_info,
            access_request_extend,
            access_request_approve,
            access_request_reject,
            access_request_withdraw,
            access_request_suspend,
            access_request_resume,
            access_request_revoke,
            govcatalog_notification_list,
            govcatalog_notification_mark_read,
        )
    }
