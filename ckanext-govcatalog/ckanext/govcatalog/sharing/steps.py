"""What each step of the workflow checks and changes of its own, besides what workflow.apply does
for every step (the state, the required fields, the history, the notice and the commit).

A check adds its messages to ``step.errors`` and keeps what it read in ``step.values`` (for the
change) or ``step.detail`` (for the history and the notice); a change runs only when no check
found an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.audit import records as audit_records
from ckanext.govcatalog.model import AccessRequest, Grant
from ckanext.govcatalog.sharing import checks, queries, states, workdays


@dataclasses.dataclass
class Step:
    """One step being taken on a locked request."""

    name: str
    request: AccessRequest
    user: core_model.User | None
    data: Mapping[str, Any]
    now: dt.datetime
    note: str | None = None  # the reason, or what is missing, as the history records it
    values: dict[str, Any] = dataclasses.field(default_factory=dict)  # checked input
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)  # for history and notice
    errors: checks.Errors = dataclasses.field(default_factory=dict)


# --- deciding -------------------------------------------------------------------------------


def decide(step: Step) -> None:
    """Record who decided, when, and why."""
    step.request.decided_by = step.user.id if step.user else None
    step.request.decided_at = step.now
    step.request.decision_reason = step.note


def check_expiry(step: Step) -> None:
    """An approval names the last day of access, not in the past."""
    expires = checks.date_not_past(step.data, "expires", step.errors, workdays.today())
    if expires is not None:
        step.values["expires"] = expires
        step.detail["expires"] = expires.isoformat()


def grant_expiry(day: dt.date) -> dt.datetime:
    """A grant given until a date lasts through that whole day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)


def grant_access(step: Step) -> None:
    """Approve: decide, and give the requester a grant until the day named."""
    decide(step)
    grant = Grant(
        id=str(uuid.uuid4()),
        package_id=step.request.package_id,
        user_id=step.request.requester_id,
        request_id=step.request.id,
        status=states.GRANT_STATUS[states.APPROVED],
        created=step.now,
        expires=grant_expiry(step.values["expires"]),
        changed_by=step.user.id if step.user else None,
        reason=step.note,
    )
    core_model.Session.add(grant)


# --- the answer clock -----------------------------------------------------------------------


def ask_for_information(step: Step) -> None:
    step.request.info_requested = step.note
    step.request.due_date = None  # 补正 is not a refusal; the clock restarts on completion


def check_extension(step: Step) -> None:
    """An extension is 1 to M working days."""
    limit = workdays.max_extension_workdays()
    try:
        days = int(str(step.data.get("days", "")).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= limit:
        step.errors.setdefault("days", []).append(
            tk._("Extension must be 1 to {0} working days").format(limit)
        )
    step.detail["days"] = days


def extend_deadline(step: Step) -> None:
    request, days = step.request, step.detail["days"]
    request.due_date = workdays.calendar().add_workdays(request.due_date or workdays.today(), days)
    request.extension_days = days
    request.extension_reason = step.note


def check_completion(step: Step) -> None:
    """The completed request's fields, checked against the entry as it is now."""
    entry = checks.entry_dict(step.request.package_id)
    step.values["fields"] = checks.request_fields(step.data, entry, step.errors, step.request)


def complete(step: Step) -> None:
    """Take the completed fields; the answer is due N working days from today."""
    for key, value in step.values["fields"].items():
        setattr(step.request, key, value)
    step.request.submitted = step.now
    step.request.due_date = workdays.due_date(workdays.today())


def stop_clock(step: Step) -> None:
    step.request.due_date = None


# --- the grant ------------------------------------------------------------------------------


def check_grant(step: Step) -> None:
    """The request has a grant to change."""
    grant = queries.grant_for(step.request)
    if grant is None:
        step.errors.setdefault("status", []).append(tk._("This request has no grant to change."))
    step.values["grant"] = grant


def check_grant_unexpired(step: Step) -> None:
    """The request has a grant, and it has not run out."""
    check_grant(step)
    grant = step.values["grant"]
    if grant is not None and grant.expires <= step.now:
        step.errors.setdefault("status", []).append(
            tk._("The grant has expired; it cannot be resumed.")
        )


def follow_grant(step: Step) -> None:
    """The grant takes the request's new state (suspended, active again, revoked)."""
    grant = step.values["grant"]
    grant.status = states.GRANT_STATUS[step.request.status]
    grant.changed_by = step.user.id if step.user else None
    grant.reason = step.note


def expire_grant(step: Step) -> None:
    grant = step.values["grant"]
    old = audit_records.grant_state(grant)
    grant.status = states.GRANT_STATUS[states.EXPIRED]
    # not an action, so the action_succeeded receiver does not see it: record it here, in the
    # same transaction
    audit_records.record_grant_change(step.request.id, grant, old, via="requests_expire")
    step.detail["expires"] = grant.expires.isoformat()
