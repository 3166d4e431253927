"""Per-user log of data reads (spec §5, 809号 第二十九条: kept at least 3 years).

Downloads (uploads served and link redirects) are logged here, from a Flask after-request hook,
with the grants the reader held on the entry then; DataStore reads (the API, the dump view and
the preview) are logged with their columns and rows by tabular/api.py, through tabular/usage.py,
which also reads, digests and (past the retention period only) purges the records.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model
from flask import Blueprint, Response, request

from ckanext.govcatalog.access import grants, read_paths
from ckanext.govcatalog.model import AccessLog, Grant

log = logging.getLogger(__name__)


def record(
    user_id: str | None,
    package_id: str,
    resource_id: str | None,
    kind: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one read to the log and commit it (a read action has nothing else pending)."""
    core_model.Session.add(
        AccessLog(
            created=dt.datetime.utcnow(),
            user_id=user_id,
            package_id=package_id,
            resource_id=resource_id,
            kind=kind,
            detail=detail,
        )
    )
    core_model.Session.commit()


def _grant_ids(user_id: str | None, package_id: str) -> list[str]:
    """The reader's active grants on the entry: the grants a download is made under."""
    if not user_id:
        return []
    rows = core_model.Session.query(Grant.id).filter(
        Grant.package_id == package_id, grants.active(user_id, dt.datetime.utcnow())
    )
    return [row[0] for row in rows]


def _current_user_id() -> str | None:
    """The signed-in user's id, read from the instance's identity: an after-request hook may
    run after the request's session was closed, when loading an expired attribute would fail."""
    user = tk.current_user
    if not getattr(user, "is_authenticated", False):
        return None
    if isinstance(user, core_model.User):
        identity = sa.inspect(user).identity
        if identity:
            return identity[0]
    return getattr(user, "id", None)


def _after_request(response: Response) -> Response:
    endpoint = request.endpoint or ""
    if not endpoint.endswith("resource.download"):
        return response
    if response.status_code >= 400:
        return response
    resource_id = (request.view_args or {}).get("resource_id")
    resource = core_model.Resource.get(resource_id) if resource_id else None
    if resource is None:
        return response
    user_id = _current_user_id()
    try:
        detail = {
            "status": response.status_code,
            "via": "download",
            "grants": _grant_ids(user_id, resource.package_id),
        }
        record(user_id, resource.package_id, resource.id, "download", detail)
    except Exception:  # a failed log write must not turn a served download into an error page
        log.exception("could not log the download of resource %s", resource.id)
        core_model.Session.rollback()
    return response


def get_blueprints() -> list[Blueprint]:
    blueprint = Blueprint("govcatalog_accesslog", __name__)
    blueprint.after_app_request(_after_request)
    # the read paths' page guards ride along: access.accesslog is the access package's one
    # blueprint provider (plugin.PROVIDERS)
    return [blueprint, *read_paths.get_blueprints()]
