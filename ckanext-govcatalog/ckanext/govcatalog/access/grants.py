"""Read helpers over model.Grant: which entries a user holds an active grant for.

A grant is active while its status is ``active`` and ``expires`` (naive UTC, as CKAN stores
times) lies in the future. Suspended, revoked and expired grants give nothing. The request
workflow (sharing/workflow.py) writes grants; this module only reads them, and it reads them
on every check, so an approval or a revocation takes effect at once, without a reindex.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.model import Grant

ACTIVE = "active"
GRANTS = Grant.__table__


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


def active(user_id: Any, now: Any) -> sa.ColumnElement[bool]:
    """The condition a grant row meets while it is active for ``user_id`` at ``now`` (values or
    bound parameters): THE definition every reader of grants uses."""
    return sa.and_(GRANTS.c.user_id == user_id, GRANTS.c.status == ACTIVE, GRANTS.c.expires > now)


def active_grant_package_ids(user_id: str | None, now: dt.datetime | None = None) -> frozenset[str]:
    """Ids of the entries the user holds an active, unexpired grant for."""
    if not user_id:
        return frozenset()
    rows = core_model.Session.query(Grant.package_id).filter(active(user_id, now or _now())).all()
    return frozenset(row[0] for row in rows)


def has_active_grant(user_id: str | None, package_id: str, now: dt.datetime | None = None) -> bool:
    """Whether the user holds an active, unexpired grant for this entry."""
    if not user_id or not package_id:
        return False
    query = core_model.Session.query(Grant.id).filter(
        Grant.package_id == package_id, active(user_id, now or _now())
    )
    return core_model.Session.query(query.exists()).scalar()
