"""The sharing-request workflow (共享申请, catalog-spec §5, 《政务数据共享条例》 第二十至二十九条).

States and who moves a request between them::

    create (requester)          -> pending            answer due N working days later
    pending --ask_info (admin)  -> info_requested     补正: the clock stops
    info_requested --update (requester) -> pending    the clock restarts from completion
    pending --extend (admin, once)                    due date moves up to M working days
    pending --approve (admin)   -> approved           a Grant is created (expiry required)
    pending|info_requested --reject (admin)   -> rejected   (reason required)
    pending|info_requested --withdraw (requester) -> withdrawn
    approved --suspend (admin)  -> suspended          grant suspended
    suspended --resume (admin)  -> approved           grant active again
    approved|suspended --revoke (admin) -> revoked    grant revoked
    approved|suspended --expire (ckan govcatalog requests expire) -> expired

"admin" is an admin of the entry's owner organization (sysadmins pass CKAN's auth anyway).
Who may act is checked by the auth functions (logic/request_auth.py, through ``is_requester``
and ``is_decider`` here); what the request's state allows is checked here, before anything is
changed, so a refused step leaves no trace. Each step commits once, notices included.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.audit import records as audit_hooks
from ckanext.govcatalog.model import AccessRequest, Grant
from ckanext.govcatalog.sharing import notify, workdays

PENDING = "pending"
INFO_REQUESTED = "info_requested"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
SUSPENDED = "suspended"
REVOKED = "revoked"
EXPIRED = "expired"
STATUSES = (PENDING, INFO_REQUESTED, APPROVED, REJECTED, WITHDRAWN, SUSPENDED, REVOKED, EXPIRED)
OPEN_STATUSES = (PENDING, INFO_REQUESTED)  # awaiting a decision: one per user and entry

PROVIDE_OPTION = "govcatalog.requests.provide_workdays"
REQUEST_FIELDS = ("legal_basis", "usage_scenario", "usage_scope", "share_mode")


def status_label(status: str) -> str:
    labels = {
        PENDING: tk._("Pending decision"),
        INFO_REQUESTED: tk._("More information requested"),
        APPROVED: tk._("Approved"),
        REJECTED: tk._("Rejected"),
        WITHDRAWN: tk._("Withdrawn"),
        SUSPENDED: tk._("Suspended"),
        REVOKED: tk._("Revoked"),
        EXPIRED: tk._("Expired"),
    }
    return labels.get(status, status)


def today() -> dt.date:
    """The current date; one place so tests can move the clock."""
    return dt.date.today()


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


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
    if user is None:
        return False
    return user.sysadmin or request.owner_org in admin_org_ids(user)


# --- reading --------------------------------------------------------------------------------


def get(request_id: str, lock: bool = False) -> AccessRequest:
    query = core_model.Session.query(AccessRequest).filter(AccessRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    request = query.one_or_none()
    if request is None:
        raise tk.ObjectNotFound(tk._("Access request not found"))
    return request


def grant_for(request: AccessRequest) -> Grant | None:
    return (
        core_model.Session.query(Grant)
        .filter(Grant.request_id == request.id)
        .order_by(Grant.created.desc())
        .first()
    )


def is_overdue(request: AccessRequest, on: dt.date | None = None) -> bool:
    """Still unanswered after its due date (the clock stops while 补正 is awaited)."""
    return (
        request.status == PENDING
        and request.due_date is not None
        and request.due_date < (on or today())
    )


def provide_by(request: AccessRequest) -> dt.date | None:
    """After approval the data must be provided within N working days (第二十二条)."""
    if request.decided_at is None or request.status not in (APPROVED, SUSPENDED):
        return None
    days = int(tk.config.get(PROVIDE_OPTION) or 20)
    return workdays.calendar().add_workdays(request.decided_at.date(), days)


def dictize(request: AccessRequest, on: dt.date | None = None) -> dict[str, Any]:
    pkg = core_model.Package.get(request.package_id)
    org = core_model.Group.get(request.owner_org)
    requester = core_model.User.get(request.requester_id)
    decider = core_model.User.get(request.decided_by) if request.decided_by else None
    grant = grant_for(request)
    due = request.due_date
    days_left = workdays.calendar().workdays_between(on or today(), due) if due else None
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
        "status_label": status_label(request.status),
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
        "reason": grant.reason,
    }


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
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise tk.ValidationError(
            {"status": [tk._("Unknown status: {0}").format(", ".join(unknown))]}
        )
    if statuses:
        query = query.filter(AccessRequest.status.in_(statuses))
    if overdue:
        query = query.filter(AccessRequest.status == PENDING, AccessRequest.due_date < today())
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
    """Pending requests past their due date, the latest first."""
    return (
        core_model.Session.query(AccessRequest)
        .filter(AccessRequest.status == PENDING, AccessRequest.due_date < (on or today()))
        .order_by(AccessRequest.due_date.asc())
        .all()
    )


# --- input checks ---------------------------------------------------------------------------


def _required_text(data: dict[str, Any], key: str, errors: dict[str, list[str]]) -> str:
    value = data.get(key)
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v).strip() for v in value if str(v).strip())
    value = (value or "").strip() if isinstance(value, str) else value
    if not value:
        errors.setdefault(key, []).append(tk._("Missing value"))
        return ""
    return str(value)


def _date(
    data: dict[str, Any], key: str, errors: dict[str, list[str]], on: dt.date
) -> dt.date | None:
    value = data.get(key)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not value:
        errors.setdefault(key, []).append(tk._("Missing value"))
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            errors.setdefault(key, []).append(tk._("Not a valid date (YYYY-MM-DD)"))
            return None
    if value < on:
        errors.setdefault(key, []).append(tk._("The date must not be in the past"))
        return None
    return value


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            with contextlib.suppress(ValueError):
                value = json.loads(stripped)
        if isinstance(value, str):
            value = value.replace("，", ",").replace("\n", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def entry_dict(package_id: str) -> dict[str, Any]:
    """The full entry (as the site sees it), for its sharing attributes and data items."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        return tk.get_action("package_show")(
            {"ignore_auth": True, "user": site_user["name"]}, {"id": package_id}
        )
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound(tk._("Catalog entry not found")) from None


def _entry_attr(entry: dict[str, Any], key: str) -> str | None:
    if entry.get(key):
        return entry[key]
    for extra in entry.get("extras") or []:
        if extra.get("key") == key:
            return extra.get("value")
    return None


def entry_data_items(entry: dict[str, Any]) -> list[str]:
    items = entry.get("data_items") or _entry_attr(entry, "data_items") or []
    if isinstance(items, str):
        try:
            items = json.loads(items)
        except ValueError:
            return []
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if name:
            names.append(str(name))
    return names


def share_mode_choices() -> list[dict[str, str]]:
    """The entry schema's 共享方式 choices (the schema is the single source of values)."""
    try:
        from ckanext.scheming import helpers as scheming
    except ImportError:
        return []
    schema = scheming.scheming_get_dataset_schema("dataset") or {}
    field = scheming.scheming_field_by_name(schema.get("dataset_fields", []), "share_mode")
    if not field:
        return []
    return scheming.scheming_field_choices(field) or []


def refusal(user: core_model.User | None, entry: dict[str, Any]) -> str | None:
    """Why the user may not request this entry, or None when they may (spec §4/§5)."""
    if user is None:
        return tk._("Log in to request access to data.")
    if user.sysadmin:
        return tk._("Platform administrators already have access to all data.")
    share_type = _entry_attr(entry, "share_type")
    open_type = _entry_attr(entry, "open_type")
    if share_type == "none":
        return tk._(
            "This entry is not shared (不予共享): its data cannot be requested; "
            "see the stated legal basis."
        )
    orgs = policy.read_org_ids(user.id)  # the organizations whose data the user reads
    if entry.get("owner_org") in orgs:
        return tk._("This entry belongs to your own organization; you already have its data.")
    if orgs:  # a government user
        if share_type == "unconditional":
            return tk._(
                "This entry is shared without conditions: every government user "
                "has its data already, no request is needed."
            )
        if share_type != "conditional":
            return tk._("This entry has no sharing type; it cannot be requested.")
        return None
    # a public user: only conditionally open entries can be requested (spec §5)
    if open_type == "open":
        return tk._("This entry is open to everyone; no request is needed.")
    if open_type != "conditional":
        return tk._("This entry is not open to the public; only government users may request it.")
    return None


def open_request_for(user_id: str, package_id: str) -> AccessRequest | None:
    return (
        core_model.Session.query(AccessRequest)
        .filter(
            AccessRequest.requester_id == user_id,
            AccessRequest.package_id == package_id,
            AccessRequest.status.in_(OPEN_STATUSES),
        )
        .first()
    )


def _clean_request_fields(
    data: dict[str, Any],
    entry: dict[str, Any],
    errors: dict[str, list[str]],
    current: AccessRequest | None = None,
) -> dict[str, Any]:
    """Validate the requester's fields; on update, missing ones keep their current value."""
    source = dict(data)
    if current is not None:
        for key in REQUEST_FIELDS:
            source.setdefault(key, getattr(current, key))
        source.setdefault("period_end", current.period_end)
        source.setdefault("data_items", current.data_items)
    values: dict[str, Any] = {key: _required_text(source, key, errors) for key in REQUEST_FIELDS}
    choices = [c["value"] for c in share_mode_choices()]
    if values["share_mode"] and choices and values["share_mode"] not in choices:
        errors.setdefault("share_mode", []).append(
            tk._("Value must be one of {0}").format(", ".join(choices))
        )
    values["period_end"] = _date(source, "period_end", errors, today())
    items = _as_list(source.get("data_items"))
    known = entry_data_items(entry)
    if not items:
        errors.setdefault("data_items", []).append(tk._("Name at least one data item"))
    elif known:
        unknown = [i for i in items if i not in known]
        if unknown:
            errors.setdefault("data_items", []).append(
                tk._("Not data items of this entry: {0}").format(", ".join(unknown))
            )
    values["data_items"] = items
    return values


# --- changes --------------------------------------------------------------------------------


def _log(request: AccessRequest, user: core_model.User | None, action: str, **detail: Any) -> None:
    entry = {
        "at": _now().isoformat(),
        "by": user.name if user else None,
        "action": action,
        "status": request.status,
    }
    entry.update({k: v for k, v in detail.items() if v not in (None, "")})
    # a new list, so SQLAlchemy sees the JSONB change
    request.history = [*(request.history or []), entry]


def _link(request: AccessRequest) -> str:
    return f"/access-request/{request.id}"


def _notify_requester(request: AccessRequest, kind: str, message: str) -> list[Any]:
    return [notify.add(request.requester_id, kind, message, _link(request))]


def _notify_deciders(request: AccessRequest, kind: str, message: str) -> list[Any]:
    return [
        notify.add(uid, kind, message, _link(request)) for uid in org_admin_ids(request.owner_org)
    ]


def _commit(notices: list[Any]) -> None:
    core_model.repo.commit()
    notify.send_mail(notices)


def _refuse_state(request: AccessRequest, allowed: Iterable[str], message: str) -> None:
    if request.status not in allowed:
        raise tk.ValidationError({"status": [message.format(status=status_label(request.status))]})


def _title(request: AccessRequest) -> str:
    pkg = core_model.Package.get(request.package_id)
    return (pkg.title or pkg.name) if pkg else request.package_id


def _atomic(fn: Any) -> Any:
    """Roll back (and so release row locks) when a step is refused: nothing half-done stays."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            core_model.Session.rollback()
            raise

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@_atomic
def create(user: core_model.User, data: dict[str, Any]) -> AccessRequest:
    errors: dict[str, list[str]] = {}
    package_id = _required_text(data, "package_id", errors)
    if errors:
        raise tk.ValidationError(errors)
    entry = entry_dict(package_id)
    reason = refusal(user, entry)
    if reason:
        raise tk.ValidationError({"package_id": [reason]})
    # one open request per user and entry, even when two submissions race
    core_model.Session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"govcatalog-request:{user.id}:{entry['id']}"},
    )
    existing = open_request_for(user.id, entry["id"])
    if existing is not None:
        raise tk.ValidationError(
            {
                "package_id": [
                    tk._(
                        "You already have an open request for this entry ({0}); "
                        "withdraw it or wait for the decision."
                    ).format(status_label(existing.status))
                ]
            }
        )
    values = _clean_request_fields(data, entry, errors)
    if errors:
        raise tk.ValidationError(errors)
    now = _now()
    request = AccessRequest(
        id=str(uuid.uuid4()),
        package_id=entry["id"],
        owner_org=entry["owner_org"],
        requester_id=user.id,
        status=PENDING,
        created=now,
        modified=now,
        submitted=now,
        due_date=workdays.due_date(today()),
        history=[],
        **values,
    )
    core_model.Session.add(request)
    _log(request, user, "create", due_date=request.due_date.isoformat())
    notices = _notify_deciders(
        request,
        "request_created",
        tk._("New access request from {user} for “{title}”, answer due {due}.").format(
            user=user.display_name, title=entry.get("title"), due=request.due_date.isoformat()
        ),
    )
    _commit(notices)
    return request


@_atomic
def update(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    """The requester completes a request after 补正; the answer clock restarts."""
    request = get(request_id, lock=True)
    _refuse_state(
        request,
        (INFO_REQUESTED,),
        tk._("Only a request awaiting more information can be completed; this one is {status}."),
    )
    errors: dict[str, list[str]] = {}
    values = _clean_request_fields(data, entry_dict(request.package_id), errors, request)
    if errors:
        raise tk.ValidationError(errors)
    for key, value in values.items():
        setattr(request, key, value)
    now = _now()
    request.status = PENDING
    request.submitted = now
    request.modified = now
    request.due_date = workdays.due_date(today())
    _log(
        request,
        user,
        "update",
        note=(data.get("response") or "").strip(),
        due_date=request.due_date.isoformat(),
    )
    notices = _notify_deciders(
        request,
        "request_completed",
        tk._("{user} completed the access request for “{title}”; answer due {due}.").format(
            user=user.display_name, title=_title(request), due=request.due_date.isoformat()
        ),
    )
    _commit(notices)
    return request


@_atomic
def ask_info(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(
        request,
        (PENDING,),
        tk._("Only a pending request can be sent back for more information; this one is {status}."),
    )
    errors: dict[str, list[str]] = {}
    missing = _required_text(data, "missing", errors)
    if errors:
        raise tk.ValidationError(errors)
    request.status = INFO_REQUESTED
    request.info_requested = missing
    request.due_date = None  # 补正 is not a refusal; the clock restarts on completion
    request.modified = _now()
    _log(request, user, "ask_info", note=missing)
    notices = _notify_requester(
        request,
        "request_info_requested",
        tk._("More information is needed for your request for “{title}”: {missing}").format(
            title=_title(request), missing=missing
        ),
    )
    _commit(notices)
    return request


@_atomic
def extend(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(
        request,
        (PENDING,),
        tk._("Only a pending request's deadline can be extended; this one is {status}."),
    )
    errors: dict[str, list[str]] = {}
    if request.extension_days:
        errors["days"] = [tk._("The deadline of this request has already been extended once.")]
    limit = workdays.max_extension_workdays()
    try:
        days = int(str(data.get("days", "")).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= limit:
        errors.setdefault("days", []).append(
            tk._("Extension must be 1 to {0} working days").format(limit)
        )
    reason = _required_text(data, "reason", errors)
    if errors:
        raise tk.ValidationError(errors)
    old_due = request.due_date
    request.due_date = workdays.calendar().add_workdays(old_due or today(), days)
    request.extension_days = days
    request.extension_reason = reason
    request.modified = _now()
    _log(request, user, "extend", days=days, note=reason, due_date=request.due_date.isoformat())
    notices = _notify_requester(
        request,
        "request_extended",
        tk._(
            "The answer to your request for “{title}” is extended by {days} working days "
            "to {due}: {reason}"
        ).format(title=_title(request), days=days, due=request.due_date.isoformat(), reason=reason),
    )
    _commit(notices)
    return request


def _grant_expiry(day: dt.date) -> dt.datetime:
    """A grant given until a date lasts through that whole day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)


@_atomic
def approve(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(
        request, (PENDING,), tk._("Only a pending request can be approved; this one is {status}.")
    )
    errors: dict[str, list[str]] = {}
    expires = _date(data, "expires", errors, today())
    if errors:
        raise tk.ValidationError(errors)
    now = _now()
    note = (data.get("reason") or "").strip() or None
    request.status = APPROVED
    request.decided_by = user.id
    request.decided_at = now
    request.decision_reason = note
    request.modified = now
    grant = Grant(
        id=str(uuid.uuid4()),
        package_id=request.package_id,
        user_id=request.requester_id,
        request_id=request.id,
        status="active",
        created=now,
        expires=_grant_expiry(expires),
        changed_by=user.id,
        reason=note,
    )
    core_model.Session.add(grant)
    _log(request, user, "approve", expires=expires.isoformat(), note=note)
    notices = _notify_requester(
        request,
        "request_approved",
        tk._("Your request for “{title}” is approved; access until {expires}.").format(
            title=_title(request), expires=expires.isoformat()
        ),
    )
    _commit(notices)
    return request


@_atomic
def reject(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(
        request,
        OPEN_STATUSES,
        tk._("Only an undecided request can be rejected; this one is {status}."),
    )
    errors: dict[str, list[str]] = {}
    reason = _required_text(data, "reason", errors)
    if errors:
        raise tk.ValidationError(errors)
    now = _now()
    request.status = REJECTED
    request.decided_by = user.id
    request.decided_at = now
    request.decision_reason = reason
    request.modified = now
    _log(request, user, "reject", note=reason)
    notices = _notify_requester(
        request,
        "request_rejected",
        tk._("Your request for “{title}” is rejected: {reason}").format(
            title=_title(request), reason=reason
        ),
    )
    _commit(notices)
    return request


@_atomic
def withdraw(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(
        request,
        OPEN_STATUSES,
        tk._("Only an undecided request can be withdrawn; this one is {status}."),
    )
    note = (data.get("reason") or "").strip() or None
    request.status = WITHDRAWN
    request.due_date = None
    request.modified = _now()
    _log(request, user, "withdraw", note=note)
    notices = _notify_deciders(
        request,
        "request_withdrawn",
        tk._("{user} withdrew the access request for “{title}”.").format(
            user=user.display_name, title=_title(request)
        ),
    )
    _commit(notices)
    return request


@_atomic
def _change_grant(
    user: core_model.User | None,
    request_id: str,
    data: dict[str, Any],
    allowed: tuple[str, ...],
    refused: str,
    new_status: str,
    grant_status: str,
    action: str,
    message: str,
    reason_required: bool = True,
) -> AccessRequest:
    request = get(request_id, lock=True)
    _refuse_state(request, allowed, refused)
    errors: dict[str, list[str]] = {}
    if reason_required:
        reason = _required_text(data, "reason", errors)
    else:
        reason = (data.get("reason") or "").strip() or None
    grant = grant_for(request)
    if grant is None:
        errors.setdefault("status", []).append(tk._("This request has no grant to change."))
    elif grant_status == "active" and grant.expires <= _now():
        errors.setdefault("status", []).append(tk._("The grant has expired; it cannot be resumed."))
    if errors:
        raise tk.ValidationError(errors)
    now = _now()
    request.status = new_status
    request.modified = now
    grant.status = grant_status
    grant.changed_by = user.id if user else None
    grant.reason = reason
    _log(request, user, action, note=reason)
    notices = _notify_requester(
        request, f"request_{action}", message.format(title=_title(request), reason=reason or "")
    )
    _commit(notices)
    return request


def suspend(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    return _change_grant(
        user,
        request_id,
        data,
        (APPROVED,),
        tk._("Only an approved request can be suspended; this one is {status}."),
        SUSPENDED,
        "suspended",
        "suspend",
        tk._("Your access to “{title}” is suspended: {reason}"),
    )


def resume(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    return _change_grant(
        user,
        request_id,
        data,
        (SUSPENDED,),
        tk._("Only a suspended request can be resumed; this one is {status}."),
        APPROVED,
        "active",
        "resume",
        tk._("Your access to “{title}” is restored."),
        reason_required=False,
    )


def revoke(user: core_model.User, request_id: str, data: dict[str, Any]) -> AccessRequest:
    return _change_grant(
        user,
        request_id,
        data,
        (APPROVED, SUSPENDED),
        tk._("Only an approved or suspended request can be revoked; this one is {status}."),
        REVOKED,
        "revoked",
        "revoke",
        tk._("Your access to “{title}” is revoked: {reason}"),
    )


@_atomic
def expire_due(now: dt.datetime | None = None) -> list[AccessRequest]:
    """Mark approved or suspended requests whose grant has run out as expired."""
    now = now or _now()
    rows = (
        core_model.Session.query(AccessRequest, Grant)
        .join(Grant, Grant.request_id == AccessRequest.id)
        .filter(
            AccessRequest.status.in_((APPROVED, SUSPENDED)),
            Grant.status.in_(("active", "suspended")),
            Grant.expires <= now,
        )
        .with_for_update()
        .all()
    )
    notices: list[Any] = []
    for request, grant in rows:
        request.status = EXPIRED
        request.modified = now
        old_state = {"status": grant.status, "expires": grant.expires, "reason": grant.reason}
        grant.status = "expired"
        # not an action, so the action_succeeded hook does not see it: record it here, in the
        # same transaction
        audit_hooks.record_grant_change(request.id, grant, old_state, via="requests_expire")
        _log(request, None, "expire", expires=grant.expires.isoformat())
        notices += _notify_requester(
            request,
            "request_expired",
            tk._("Your access to “{title}” has expired.").format(title=_title(request)),
        )
    _commit(notices)
    return [request for request, _grant in rows]


@_atomic
def flag_overdue(on: dt.date | None = None) -> list[AccessRequest]:
    """Tell the platform admins about overdue requests, once per request and due date."""
    notices: list[Any] = []
    flagged = []
    sysadmins = [
        u.id
        for u in core_model.Session.query(core_model.User).filter(
            core_model.User.sysadmin.is_(True), core_model.User.state == "active"
        )
    ]
    for request in overdue(on):
        due = request.due_date.isoformat()
        if any(
            h.get("action") == "flag_overdue" and h.get("due_date") == due for h in request.history
        ):
            continue
        _log(request, None, "flag_overdue", due_date=due)
        message = tk._("Access request for “{title}” is overdue (due {due}).").format(
            title=_title(request), due=due
        )
        notices += [
            notify.add(uid, "request_overdue", message, _link(request)) for uid in sysadmins
        ]
        flagged.append(request)
    _commit(notices)
    return flagged
