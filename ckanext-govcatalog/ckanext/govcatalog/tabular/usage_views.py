"""Pages of the usage records for the owner department: per entry and per grant, and CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ckanext.govcatalog.tabular import usage

bp = Blueprint("govcatalog_usage", __name__)

# what a record's kind and path are called on the page
READ_LABELS = {
    "download": "File download",
    "datastore_search": "Row API",
    "datastore_info": "Table description",
}
PATH_LABELS = {
    "api": "API",
    "dump": "Full export",
    "preview": "Table preview",
    "download": "Download link",
    "internal": "Internal",
    "page": "Web page",
}


def _context() -> dict[str, Any]:
    user = tk.current_user
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"user": user.name, "auth_user_obj": user}


def _show(data_dict: dict[str, Any], title: str, filename: str) -> Any:
    try:
        result = tk.get_action("govcatalog_usage_list")(_context(), data_dict)
    except tk.ObjectNotFound as error:
        return tk.abort(404, str(error))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    rows = [
        usage.UsageRow(**dict(r, created=dt.datetime.fromisoformat(r["created"])))
        for r in result["records"]
    ]
    if request.args.get("format") == "csv":
        return Response(
            usage.to_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    pkg = tk.get_action("package_show")(_context(), {"id": result["package_id"]})
    return tk.render(
        "govcatalog/usage/list.html",
        {
            "pkg": pkg,
            "rows": rows,
            "grant_id": result["grant_id"],
            "title": title,
            "csv_url": request.path + "?format=csv",
            "read_labels": {k: tk._(v) for k, v in READ_LABELS.items()},
            "path_labels": {k: tk._(v) for k, v in PATH_LABELS.items()},
        },
    )


def entry(id: str) -> Any:
    return _show({"id": id}, tk._("Usage records"), f"usage-{id}")


def grant(grant_id: str) -> Any:
    return _show({"grant_id": grant_id}, tk._("Usage under this grant"), f"usage-grant-{grant_id}")


bp.add_url_rule("/dataset/<id>/usage", view_func=entry, endpoint="entry")
bp.add_url_rule("/usage/grant/<grant_id>", view_func=grant, endpoint="grant")


def usage_url(package_id: str | None = None, grant_id: str | None = None) -> str | None:
    """The usage page of an entry (``package_id``) or of a grant (``grant_id``) when the current
    user may read it (the same auth as the page: the owner department and sysadmins), else None,
    so that pages link it only for those it opens for."""
    if not (package_id or grant_id):
        return None
    data_dict = {"grant_id": grant_id} if grant_id else {"id": package_id}
    try:
        tk.check_access("govcatalog_usage_list", _context(), data_dict)
    except tk.NotAuthorized:
        return None
    if grant_id:
        return tk.h.url_for("govcatalog_usage.grant", grant_id=grant_id)
    return tk.h.url_for("govcatalog_usage.entry", id=package_id)


def get_blueprints() -> list[Blueprint]:
    return [bp]


def get_helpers() -> dict[str, Any]:
    return {"govcatalog_usage_url": usage_url}
