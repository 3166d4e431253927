"""Reading sharing requests: one request, the lists of 我的申请 / 待我审批, the overdue ones, and
who a user is to a request (its requester, or one who decides it).

Nothing here changes a request; workflow.py does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.model import AccessRequest, Grant
from ckanext.govcatalog.sharing import states, workdays

PROVIDE_OPTION = "govcatalog.requests.provide_workdays"


# --- who is who -----------------------------------------------------------------------------


def admin_org_ids(user: core_model.User) -> set[str]:
    """Organizations where the user is a direct admin (部门负责人), whose requests they decide."""
    rows = (
        core_model.Session.query(core_model.Member.group_id)
        .join(core_model.Group, core_model.Group.id == core_model.Member.group_id)
        .filter(
            core_model.Member.table_name == "user",
            core_model.Member.table_id == user.id,
            core_model.Member.state == "active",
            core_model.Member.capacity == "admin",
            core_model.Group.state == "active",
            core_model.Group.is_organization.is_(True),
        )
    )
    return {row.group_id for row in rows}


def org_admin_ids(org_id: str) -> list[str]:
    """Ids of the organization's direct admins: who is told about its new requests."""
    rows = core_model.Session.query(core_model.Member.table_id).filter(
        core_model.Member.group_id == org_id,
        core_model.Member.table_name == "user",
        core_model.Member.state == "active",
        core_model.Member.capacity == "admin",
    )
    return [row.table_id for row in rows]


def is_requester(user: core_model.User | None, request: AccessRequest) -> bool:
    return user is not None and user.id == request.requester_id


def is_decider(user: core_model.User | None, request: AccessRequest) -> bool:
    """A sysadmin, or an admin of the entry's owner organization."""
    if user is None:
        return False
    return user.sysadmin or request.owner_org in admin_org_ids(user)


# --- one request ----------------------------------------------------------------------------


def get(request_id: str, lock: bool = False) -> AccessRequest:
    """The request; with ``lock``, its row is locked until the transaction ends."""
    query = core_model.Session.query(AccessRequest).filter(AccessRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    request = query.one_or_none()
    if request is None:
        raise tk.ObjectNotFound(tk._("Access request not found"))
    return request


def grant_for(request: AccessRequest) -> Grant | None:
    """The grant an approval of the request created (the latest, should there be more)."""
    return (
        core_model.Session.query(Grant)
        .filter(Grant.request_id == request.id)
        .order_by(Grant.created.desc())
        .first()
    )


def open_request_for(user_id: str, package_id: str) -> AccessRequest | None:
    """The user's request for the entry that awaits a decision, if any."""
    return (
        core_model.Session.query(AccessRequest)
        .filter(
            AccessRequest.requester_id == user_id,
            AccessRequest.package_id == package_id,
            AccessRequest.status.in_(states.OPEN_STATUSES),
        )
        .first()
    )


def entry_title(request: AccessRequest) -> str:
    """The requested entry's title (its name, or its id once it is gone), for notices."""
    pkg = core_model.Package.get(request.package_id)
    return (pkg.title or pkg.name) if pkg else request.package_id


def is_overdue(request: AccessRequest, on: dt.date | None = None) -> bool:
    """Still unanswered after its due date (the clock stops while 补正 is awaited)."""
    return (
        request.status == states.PENDING
        and request.due_date is not None
        and request.due_date < (on or workdays.today())
    )


def provide_by(request: AccessRequest) -> dt.date | None:
    """After approval the data must be provided within N working days (第二十二条)."""
    if request.decided_at is None or request.status not in states.GRANTED_STATUSES:
        return None
    days = int(tk.config.get(PROVIDE_OPTION) or 20)
    return workdays.calendar().add_workdays(request.decided_at.date(), days)


def dictize(request: AccessRequest, on: dt.date | None = None) -> dict[str, Any]:
    """The request as the actions return it, with names, deadlines and its grant."""
    pkg = core_model.Package.get(request.package_id)
    org = core_model.Group.get(request.owner_org)
    requester = core_model.User.get(request.requester_id)
    decider = core_model.User.get(request.decided_by) if request.decided_by else None
    grant = grant_for(request)
    due = request.due_date
    days_left = workdays.calendar().workdays_between(on or workdays.today(), due) if due else None
    provide = provide_by(request)
    return {
        "id": request.id,
        "package_id": request.package_id,
        "package_name": pkg.name if pkg else None,
        "package_title": pkg.title if pkg else None,
        "owner_org": request.owner_org,
        "owner_org_title": org.title if org else None,
        "requester_id": request.requester_id,
        "requester_name": requester.name if requester else None,
        "requester_display_name": requester.display_name if requester else None,
        "legal_basis": request.legal_basis,
        "usage_scenario": request.usage_scenario,
        "usage_scope": request.usage_scope,
        "share_mode": request.share_mode,
        "period_end": request.period_end.isoformat(),
        "data_items": list(request.data_items or []),
        "status": request.status,
        "status_label": states.status_label(request.status),
        "created": request.created.isoformat(),
        "modified": request.modified.isoformat(),
        "submitted": request.submitted.isoformat(),
        "due_date": due.isoformat() if due else None,
        "workdays_left": days_left,
        "overdue": is_overdue(request, on),
        "info_requested": request.info_requested,
        "extension_days": request.extension_days,
        "extension_reason": request.extension_reason,
        "decided_by": decider.name if decider else None,
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "decision_reason": request.decision_reason,
        "provide_by": provide.isoformat() if provide else None,
        "grant": _grant_dict(grant) if grant else None,
        "history": list(request.history or []),
    }


def _grant_dict(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.id,
        "package_id": grant.package_id,
        "user_id": grant.user_id,
        "status": grant.status,
        "created": grant.created.isoformat(),
        "expires": grant.expires.isoformat(),
        # a grant lasts through the day named (it ends at the next midnight): the day to show
        "last_day": (grant.expires - dt.timedelta(microseconds=1)).date().isoformat(),
        "status_label": states.grant_status_label(grant.status),
        "reason": grant.reason,
    }


# --- lists ----------------------------------------------------------------------------------


def search(
    user: core_model.User,
    scope: str = "mine",
    statuses: Iterable[str] | None = None,
    overdue: bool = False,
    package_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[AccessRequest]]:
    """Requests in scope: mine (as requester), decide (owner orgs I administer), all."""
    query = core_model.Session.query(AccessRequest)
    if scope == "mine":
        query = query.filter(AccessRequest.requester_id == user.id)
    elif scope == "decide":
        if not user.sysadmin:
            query = query.filter(AccessRequest.owner_org.in_(admin_org_ids(user) or [""]))
    elif scope != "all":
        raise tk.ValidationError({"scope": [tk._("Scope must be mine, decide or all")]})
    statuses = [s for s in (statuses or []) if s]
    unknown = [s for s in statuses if s not in states.STATUSES]
    if unknown:
        raise tk.ValidationError(
            {"status": [tk._("Unknown status: {0}").format(", ".join(unknown))]}
        )
    if statuses:
        query = query.filter(AccessRequest.status.in_(statuses))
    if overdue:
        query = query.filter(
            AccessRequest.status == states.PENDING, AccessRequest.due_date < workdays.today()
        )
    if package_id:
        pkg = core_model.Package.get(package_id)
        query = query.filter(AccessRequest.package_id == (pkg.id if pkg else package_id))
    count = query.count()
    rows = (
        query.order_by(AccessRequest.due_date.asc().nullslast(), AccessRequest.created.desc())
        .offset(offset)
        .limit(limit)
        .all()
    )
    return count, rows


def overdue(on: dt.date | None = None) -> list[AccessRequest]:
    """Pending requests past their due date, the longest overdue first."""
    return (
        core_model.Session.query(AccessRequest)
        .filter(
            AccessRequest.status == states.PENDING,
            AccessRequest.due_date < (on or workdays.today()),
        )
        .order_by(AccessRequest.due_date.asc())
        .all()
    )
