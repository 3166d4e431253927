"""The states of a sharing request (共享申请) and their names on the page.

How a request moves between them is the transition table in workflow.py.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

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
GRANTED_STATUSES = (APPROVED, SUSPENDED)  # decided for the requester; the grant can still change

# the status a request's grant takes when the request enters a state
GRANT_STATUS = {
    APPROVED: "active",
    SUSPENDED: "suspended",
    REVOKED: "revoked",
    EXPIRED: "expired",
}


def status_label(status: str) -> str:
    """The state's name in the user's language (the state itself when unknown)."""
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


def grant_status_label(status: str) -> str:
    """A grant's state (GRANT_STATUS values) in the user's language."""
    labels = {
        "active": tk._("In effect"),
        "suspended": tk._("Suspended"),
        "revoked": tk._("Revoked"),
        "expired": tk._("Expired"),
    }
    return labels.get(status, status)
