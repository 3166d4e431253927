"""Per-user log of data reads (spec §5, 809号 第二十九条: kept at least 3 years).

Downloads (uploads served and link redirects) are logged from a Flask after-request hook,
DataStore reads from chained actions. Rows are only ever added; nothing here deletes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model
from flask import Blueprint, Response, request

from ckanext.govcatalog.model import AccessLog

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


def _user_id(context: dict[str, Any]) -> str | None:
    user = context.get("auth_user_obj")
    if isinstance(user, core_model.User):
        return user.id
    user = core_model.User.get(context.get("user") or "") if context.get("user") else None
    return user.id if user else None


def log_action_read(context: dict[str, Any], kind: str, data_dict: dict[str, Any]) -> None:
    """After a successful DataStore read through the API or a view."""
    resource_ids = context.get("table_names") or [data_dict.get("resource_id")]
    for resource_id in resource_ids:
        resource = core_model.Resource.get(resource_id) if resource_id else None
        if resource is None:
            continue  # an alias or a system table: nothing to attribute
        record(_user_id(context), resource.package_id, resource.id, kind, None)


# the views that hand out data; value: the kind written to the log
_DATA_VIEWS = {"download": "download", "dump": "datastore_dump"}


def _after_request(response: Response) -> Response:
    endpoint = request.endpoint or ""
    kind = _DATA_VIEWS.get(endpoint.rsplit(".", 1)[-1])
    if not kind or not (endpoint.endswith("resource.download") or endpoint == "datastore.dump"):
        return response
    if response.status_code >= 400:
        return response
    resource_id = (request.view_args or {}).get("resource_id")
    resource = core_model.Resource.get(resource_id) if resource_id else None
    if resource is None:
        return response
    user = tk.current_user
    user_id = user.id if getattr(user, "is_authenticated", False) else None
    try:
        record(user_id, resource.package_id, resource.id, kind, {"status": response.status_code})
    except Exception:  # a failed log write must not turn a served download into an error page
        log.exception("could not log the download of resource %s", resource.id)
        core_model.Session.rollback()
    return response


def get_blueprints() -> list[Blueprint]:
    blueprint = Blueprint("govcatalog_accesslog", __name__)
    blueprint.after_app_request(_after_request)
    return [blueprint]
