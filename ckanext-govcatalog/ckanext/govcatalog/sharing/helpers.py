"""Template helpers of the sharing-request workflow (the 申请使用 button, menu links)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.sharing import checks, notify, queries, states, workdays


def _current_user() -> Any:
    user = tk.current_user
    return user if getattr(user, "is_authenticated", False) else None


def govcatalog_request_state(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the 申请使用 button should show for this entry and the current user:
    ``{"may_request": bool, "reason": str|None, "open_request": id|None}``."""
    user = _current_user()
    if user is None:
        # a visitor is invited to log in where a public user, once logged in, could request it
        reason = policy.request_refusal(policy.ANONYMOUS, policy.Entry.from_dict(pkg))
        login = reason is policy.RequestRefusal.LOG_IN
        return {"may_request": False, "login": login, "reason": None, "open_request": None}
    existing = queries.open_request_for(user.id, pkg.get("id", ""))
    if existing is not None:
        return {"may_request": False, "login": False, "reason": None, "open_request": existing.id}
    reason = checks.refusal(user, pkg)
    return {"may_request": reason is None, "login": False, "reason": reason, "open_request": None}


def govcatalog_request_status_label(status: str) -> str:
    return states.status_label(status)


def govcatalog_request_action_label(action: str) -> str:
    labels = {
        "create": tk._("Request submitted"),
        "update": tk._("Request completed"),
        "ask_info": tk._("Asked for more information"),
        "extend": tk._("Deadline extended"),
        "approve": tk._("Request approved"),
        "reject": tk._("Request rejected"),
        "withdraw": tk._("Request withdrawn"),
        "suspend": tk._("Access suspended"),
        "resume": tk._("Access restored"),
        "revoke": tk._("Access revoked"),
        "expire": tk._("Access expired"),
        "flag_overdue": tk._("Reported overdue"),
    }
    return labels.get(action, action)


def govcatalog_today() -> str:
    return workdays.today().isoformat()


def govcatalog_decides_requests() -> bool:
    """Whether to show 待我审批: the user administers an organization (or the platform)."""
    user = _current_user()
    return bool(user and (user.sysadmin or queries.admin_org_ids(user)))


def govcatalog_unread_notifications() -> int:
    user = _current_user()
    return notify.unread_count(user.id) if user else 0


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_request_state": govcatalog_request_state,
        "govcatalog_request_status_label": govcatalog_request_status_label,
        "govcatalog_request_action_label": govcatalog_request_action_label,
        "govcatalog_today": govcatalog_today,
        "govcatalog_decides_requests": govcatalog_decides_requests,
        "govcatalog_unread_notifications": govcatalog_unread_notifications,
    }
