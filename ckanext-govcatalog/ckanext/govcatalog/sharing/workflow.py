"""The sharing-request workflow (共享申请, catalog-spec §5, 《政务数据共享条例》 第二十至二十九条):
how a request moves between its states (states.py).

``create`` makes a pending request, its answer due N working days later. Every later step is a
row of ``TRANSITIONS``: who takes it, from which states, to which state, the fields it requires,
whom it tells, and the checks and changes that are its own. ``apply`` takes a step: it locks the
request, checks its state and the input before changing anything, changes it, writes the step
into the request's history, queues the notice and commits once, notices included. A refused step
is rolled back, so it leaves no trace.

    pending --ask_info (decider)  -> info_requested     补正: the clock stops
    info_requested --update (requester) -> pending      the clock restarts from completion
    pending --extend (decider, once)                    due date moves up to M working days
    pending --approve (decider)   -> approved           a Grant is created (expiry required)
    pending|info_requested --reject (decider)     -> rejected   (reason required)
    pending|info_requested --withdraw (requester) -> withdrawn
    approved --suspend (decider)  -> suspended          grant suspended
    suspended --resume (decider)  -> approved           grant active again
    approved|suspended --revoke (decider) -> revoked    grant revoked
    approved|suspended --expire (ckan govcatalog requests expire) -> expired

A decider is an admin of the entry's owner organization, or a sysadmin. Who may take a step is
checked by the auth functions (auth.py, from each row's ``actor``); what the request's state
allows is checked here (a 409, not a 403).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.govcatalog.model import AccessRequest, Grant, Notification
from ckanext.govcatalog.sharing import checks, notify, queries, states, steps, workdays

REQUESTER = "requester"
DECIDER = "decider"
SYSTEM = "system"  # the expiry command


def N_(message: str) -> str:
    """Marks a message of the table for translation: the table is built at import, before any
    request has a language, so tk._ translates the message when the step is taken."""
    return message


@dataclasses.dataclass(frozen=True)
class Transition:
    """A step of the workflow. ``notice`` may use {title}, {user}, {due}, the note as
    {<note field>} and the step's ``detail``."""

    actor: str  # REQUESTER, DECIDER or SYSTEM
    sources: tuple[str, ...]  # the states it may be taken from
    target: str | None  # the state it leads to; None: the state stays
    refused: str  # why another state refuses it ({status})
    notify: str  # who is told: REQUESTER, or the DECIDERs of the owner organization
    notice_kind: str
    notice: str
    required: tuple[str, ...] = ()  # text fields that must be given
    note: str | None = None  # the field recorded as the step's note
    once: tuple[str, str] | None = None  # (field, message) when it may be taken only once
    check: Callable[[steps.Step], None] | None = None  # input checks of its own (steps.py)
    change: Callable[[steps.Step], None] | None = None  # changes of its own


# the steps, in the order their forms appear on a request's page
TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        actor=DECIDER,
        sources=(states.PENDING,),
        target=states.APPROVED,
        refused=N_("Only a pending request can be approved; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_approved",
        notice=N_("Your request for “{title}” is approved; access until {expires}."),
        note="reason",
        check=steps.check_expiry,
        change=steps.grant_access,
    ),
    "reject": Transition(
        actor=DECIDER,
        sources=states.OPEN_STATUSES,
        target=states.REJECTED,
        refused=N_("Only an undecided request can be rejected; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_rejected",
        notice=N_("Your request for “{title}” is rejected: {reason}"),
        required=("reason",),
        note="reason",
        change=steps.decide,
    ),
    "ask_info": Transition(
        actor=DECIDER,
        sources=(states.PENDING,),
        target=states.INFO_REQUESTED,
        refused=N_(
            "Only a pending request can be sent back for more information; this one is {status}."
        ),
        notify=REQUESTER,
        notice_kind="request_info_requested",
        notice=N_("More information is needed for your request for “{title}”: {missing}"),
        required=("missing",),
        note="missing",
        change=steps.ask_for_information,
    ),
    "extend": Transition(
        actor=DECIDER,
        sources=(states.PENDING,),
        target=None,  # only the deadline moves
        refused=N_("Only a pending request's deadline can be extended; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_extended",
        notice=N_(
            "The answer to your request for “{title}” is extended by {days} working days "
            "to {due}: {reason}"
        ),
        required=("reason",),
        note="reason",
        once=("days", N_("The deadline of this request has already been extended once.")),
        check=steps.check_extension,
        change=steps.extend_deadline,
    ),
    "suspend": Transition(
        actor=DECIDER,
        sources=(states.APPROVED,),
        target=states.SUSPENDED,
        refused=N_("Only an approved request can be suspended; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_suspend",
        notice=N_("Your access to “{title}” is suspended: {reason}"),
        required=("reason",),
        note="reason",
        check=steps.check_grant,
        change=steps.follow_grant,
    ),
    "resume": Transition(
        actor=DECIDER,
        sources=(states.SUSPENDED,),
        target=states.APPROVED,
        refused=N_("Only a suspended request can be resumed; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_resume",
        notice=N_("Your access to “{title}” is restored."),
        note="reason",
        check=steps.check_grant_unexpired,
        change=steps.follow_grant,
    ),
    "revoke": Transition(
        actor=DECIDER,
        sources=states.GRANTED_STATUSES,
        target=states.REVOKED,
        refused=N_("Only an approved or suspended request can be revoked; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_revoke",
        notice=N_("Your access to “{title}” is revoked: {reason}"),
        required=("reason",),
        note="reason",
        check=steps.check_grant,
        change=steps.follow_grant,
    ),
    "update": Transition(
        actor=REQUESTER,
        sources=(states.INFO_REQUESTED,),
        target=states.PENDING,
        refused=N_(
            "Only a request awaiting more information can be completed; this one is {status}."
        ),
        notify=DECIDER,
        notice_kind="request_completed",
        notice=N_("{user} completed the access request for “{title}”; answer due {due}."),
        note="response",
        check=steps.check_completion,
        change=steps.complete,
    ),
    "withdraw": Transition(
        actor=REQUESTER,
        sources=states.OPEN_STATUSES,
        target=states.WITHDRAWN,
        refused=N_("Only an undecided request can be withdrawn; this one is {status}."),
        notify=DECIDER,
        notice_kind="request_withdrawn",
        notice=N_("{user} withdrew the access request for “{title}”."),
        note="reason",
        change=steps.stop_clock,
    ),
    "expire": Transition(
        actor=SYSTEM,
        sources=states.GRANTED_STATUSES,
        target=states.EXPIRED,
        refused=N_("Only an approved or suspended request can expire; this one is {status}."),
        notify=REQUESTER,
        notice_kind="request_expired",
        notice=N_("Your access to “{title}” has expired."),
        check=steps.check_grant,
        change=steps.expire_grant,
    ),
}


def steps_of(actor: str) -> list[str]:
    """The steps this kind of actor takes (REQUESTER, DECIDER or SYSTEM)."""
    return [name for name, transition in TRANSITIONS.items() if transition.actor == actor]


def open_steps(user: core_model.User | None, request: AccessRequest) -> list[str]:
    """The steps the user may take on the request now: the forms its page shows."""
    actors = {
        actor
        for actor, yes in (
            (DECIDER, queries.is_decider(user, request)),
            (REQUESTER, queries.is_requester(user, request)),
        )
        if yes
    }
    return [
        name
        for name, transition in TRANSITIONS.items()
        if transition.actor in actors
        and request.status in transition.sources
        and not (transition.once and _taken(request, name))
    ]


# --- taking a step ----------------------------------------------------------------------------


def apply(
    name: str, user: core_model.User | None, request_id: str, data: Mapping[str, Any]
) -> AccessRequest:
    """Take the step ``name`` (a key of TRANSITIONS) on a request, all or nothing.

    Raises tk.ObjectNotFound for an unknown request, and tk.ValidationError (nothing changed)
    when the request's state or the input does not allow the step.
    """
    with _all_or_nothing():
        request = queries.get(request_id, lock=True)
        _commit(_take(name, request, user, data, _now()))
    return request


def _take(
    name: str,
    request: AccessRequest,
    user: core_model.User | None,
    data: Mapping[str, Any],
    now: dt.datetime,
) -> list[Notification]:
    """Check and make one step on a locked request; returns the notices to send once committed."""
    transition = TRANSITIONS[name]
    if request.status not in transition.sources:
        status = states.status_label(request.status)
        raise tk.ValidationError({"status": [tk._(transition.refused).format(status=status)]})
    step = steps.Step(name, request, user, data, now)
    if transition.once and _taken(request, name):
        key, message = transition.once
        step.errors.setdefault(key, []).append(tk._(message))
    for key in transition.required:
        step.values[key] = checks.required_text(data, key, step.errors)
    if transition.note in transition.required:
        step.note = step.values[transition.note] or None
    elif transition.note:
        step.note = checks.optional_text(data, transition.note)
    if transition.check:
        transition.check(step)
    if step.errors:
        raise tk.ValidationError(step.errors)

    due_before = request.due_date
    if transition.target:
        request.status = transition.target
    request.modified = now
    if transition.change:
        transition.change(step)
    if request.due_date and request.due_date != due_before:
        step.detail["due_date"] = request.due_date.isoformat()
    _add_history(request, user, name, note=step.note, **step.detail)

    words = {
        "title": queries.entry_title(request),
        "user": user.display_name if user else "",
        "due": request.due_date.isoformat() if request.due_date else "",
        **step.detail,
    }
    if transition.note:
        words[transition.note] = step.note or ""
    # the English message and its words: each reader reads it in their own language
    return _notify(request, transition.notify, transition.notice_kind, transition.notice, words)


def create(user: core_model.User, data: Mapping[str, Any]) -> AccessRequest:
    """Request an entry's data: a pending request whose answer is due N working days later."""
    with _all_or_nothing():
        errors: checks.Errors = {}
        package_id = checks.required_text(data, "package_id", errors)
        if errors:
            raise tk.ValidationError(errors)
        entry = checks.entry_dict(package_id)
        reason = checks.refusal(user, entry)
        if reason:
            raise tk.ValidationError({"package_id": [reason]})
        # one open request per user and entry, even when two submissions race
        core_model.Session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"govcatalog-request:{user.id}:{entry['id']}"},
        )
        existing = queries.open_request_for(user.id, entry["id"])
        if existing is not None:
            message = tk._(
                "You already have an open request for this entry ({0}); "
                "withdraw it or wait for the decision."
            )
            raise tk.ValidationError(
                {"package_id": [message.format(states.status_label(existing.status))]}
            )
        values = checks.request_fields(data, entry, errors)
        if errors:
            raise tk.ValidationError(errors)
        now = _now()
        request = AccessRequest(
            id=str(uuid.uuid4()),
            package_id=entry["id"],
            owner_org=entry["owner_org"],
            requester_id=user.id,
            status=states.PENDING,
            created=now,
            modified=now,
            submitted=now,
            due_date=workdays.due_date(workdays.today()),
            history=[],
            **values,
        )
        core_model.Session.add(request)
        due = request.due_date.isoformat()
        _add_history(request, user, "create", due_date=due)
        message = N_("New access request from {user} for “{title}”, answer due {due}.")
        words = {"user": user.display_name, "title": entry.get("title"), "due": due}
        _commit(_notify(request, DECIDER, "request_created", message, words))
    return request


def expire_due(now: dt.datetime | None = None) -> list[AccessRequest]:
    """Mark approved or suspended requests whose grant has run out as expired."""
    now = now or _now()
    with _all_or_nothing():
        rows = (
            core_model.Session.query(AccessRequest, Grant)
            .join(Grant, Grant.request_id == AccessRequest.id)
            .filter(
                AccessRequest.status.in_(states.GRANTED_STATUSES),
                Grant.status.in_(("active", "suspended")),
                Grant.expires <= now,
            )
            .with_for_update()
            .all()
        )
        expired = list(dict.fromkeys(request for request, _grant in rows))
        notices: list[Notification] = []
        for request in expired:
            notices += _take("expire", request, None, {}, now)
        _commit(notices)
    return expired


def flag_overdue(on: dt.date | None = None) -> list[AccessRequest]:
    """Tell the platform admins about overdue requests, once per request and due date."""
    with _all_or_nothing():
        sysadmins = [
            user.id
            for user in core_model.Session.query(core_model.User).filter(
                core_model.User.sysadmin.is_(True), core_model.User.state == "active"
            )
        ]
        notices: list[Notification] = []
        flagged = []
        for request in queries.overdue(on):
            due = request.due_date.isoformat()
            if any(
                event.get("action") == "flag_overdue" and event.get("due_date") == due
                for event in request.history or []
            ):
                continue
            _add_history(request, None, "flag_overdue", due_date=due)
            message = N_("Access request for “{title}” is overdue (due {due}).")
            words = {"title": queries.entry_title(request), "due": due}
            notices += [
                notify.add(uid, "request_overdue", message, words, _link(request))
                for uid in sysadmins
            ]
            flagged.append(request)
        _commit(notices)
    return flagged


# --- shared by every change -------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


@contextlib.contextmanager
def _all_or_nothing() -> Iterator[None]:
    """Roll back (and so release row locks) when a step is refused: nothing half-done stays."""
    try:
        yield
    except Exception:
        core_model.Session.rollback()
        raise


def _taken(request: AccessRequest, name: str) -> bool:
    return any(event.get("action") == name for event in request.history or [])


def _add_history(
    request: AccessRequest, user: core_model.User | None, action: str, **detail: Any
) -> None:
    event = {
        "at": _now().isoformat(),
        "by": user.name if user else None,
        "action": action,
        "status": request.status,
    }
    event.update({k: v for k, v in detail.items() if v not in (None, "")})
    # a new list, so SQLAlchemy sees the JSONB change
    request.history = [*(request.history or []), event]


def _link(request: AccessRequest) -> str:
    return f"/access-request/{request.id}"


def _notify(
    request: AccessRequest, audience: str, kind: str, message: str, words: Mapping[str, Any]
) -> list[Notification]:
    """Queue the notice (an English message and its words) for the requester, or for every
    admin of the owner organization."""
    if audience == REQUESTER:
        recipients = [request.requester_id]
    else:
        recipients = queries.org_admin_ids(request.owner_org)
    return [notify.add(uid, kind, message, words, _link(request)) for uid in recipients]


def _commit(notices: list[Notification]) -> None:
    core_model.repo.commit()
    notify.send_mail(notices)
