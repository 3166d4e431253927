"""The table preview on a resource page: its load state, and one page of rows with a search box.

Rows are read through ``datastore_search`` with the viewer's own context, so whatever governs the
row API (tabular/api.py: who may read, which columns, masking, usage records) governs the preview
too; a viewer the API refuses sees why instead of rows. Paging and search are query parameters of
the resource page itself (``page``, ``q``, ``column``), so the preview works without JavaScript.
Search finds values containing what was typed anywhere in them (the row API's ``contains``,
tabular/substring.py): Chinese has no spaces between words, so 长兴街 must find
"城关镇长兴街12号". Over all columns it looks only into the columns the viewer may search.
"""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.tabular import loading

PAGE_SIZE = 20
# the longest search text taken from the page
_MAX_QUERY = 100


def _int_arg(name: str, default: int) -> int:
    try:
        return max(1, int(tk.request.args.get(name, default)))
    except (TypeError, ValueError):
        return default


def _viewer_context() -> dict[str, Any]:
    user = tk.current_user
    name = user.name if getattr(user, "is_authenticated", False) else ""
    return {"user": name, "auth_user_obj": user if name else None}


def load_status(resource: dict[str, Any]) -> dict[str, Any] | None:
    """The load state of a resource's table for the page: state, label, reason, rows, updated.
    A table written through the API (datastore_create, no file) counts as loaded; None for
    resources with no table and no load (links, documents, files uploaded before loading
    existed)."""
    if not p.plugin_loaded("datastore"):
        return None  # a site (or test) without the DataStore: CKAN's resource views as before
    state = loading.load_state(resource["id"]) if loading.is_tabular(resource) else None
    if state is None:
        if not tk.asbool(resource.get("datastore_active")):
            return None
        state = {"state": loading.LOADED}
    labels = {
        loading.QUEUED: tk._("Table queued for loading"),
        loading.LOADING: tk._("Table loading"),
        loading.LOADED: tk._("Table loaded"),
        loading.FAILED: tk._("Table load failed"),
    }
    return {
        "state": state["state"],
        "label": labels.get(state["state"], state["state"]),
        "reason": loading.reason_text(state),
        "rows": state.get("rows"),
        "updated": state.get("updated"),
    }


def table_preview(resource: dict[str, Any]) -> dict[str, Any]:
    """One page of the resource's rows as the viewer may read them, or why there are none.

    Keys: status (load_status), refused (the viewer may not read the rows), search_error,
    fields, all_columns (of the table, when the viewer reads fewer), records, total, page,
    pages, q, column, page_size."""
    status = load_status(resource)
    result: dict[str, Any] = {"status": status, "fields": [], "records": [], "total": 0}
    if status is None or status["state"] != loading.LOADED:
        return result
    page = _int_arg("page", 1)
    q = (tk.request.args.get("q") or "").strip()[:_MAX_QUERY]
    column = (tk.request.args.get("column") or "").strip()
    result.update(q=q, column=column, page=page, page_size=PAGE_SIZE)
    data: dict[str, Any] = {
        "resource_id": resource["id"],
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
        "include_total": True,
    }
    if q:
        data["contains"] = {column: q} if column else q
    search = tk.get_action("datastore_search")
    try:
        try:
            answer = search(_viewer_context(), dict(data))
        except tk.ValidationError as error:
            if "contains" not in data:
                raise
            # the row API refuses this search (e.g. a column the viewer may not search on):
            # say so and show the rows unsearched
            result["search_error"] = _first_error(error)
            data.pop("contains")
            answer = search(_viewer_context(), dict(data))
    except tk.NotAuthorized:
        result["refused"] = True
        return result
    except tk.ObjectNotFound:
        result["status"] = dict(status, state=loading.FAILED, label=tk._("Table load failed"))
        result["status"]["reason"] = tk._("The loaded table is missing; reload the file.")
        return result
    except tk.ValidationError as error:
        result["search_error"] = _first_error(error)
        return result
    result["fields"] = [f for f in answer.get("fields", []) if f["id"] != "_id"]
    # a grant limited to some data items reads only those columns: say how many the table has
    loaded_columns = (loading.load_state(resource["id"]) or {}).get("columns") or []
    result["all_columns"] = max(len(loaded_columns), len(result["fields"]))
    result["records"] = answer.get("records", [])
    result["total"] = answer.get("total") or 0
    result["pages"] = max(1, math.ceil(result["total"] / PAGE_SIZE))
    return result


def _first_error(error: tk.ValidationError) -> str:
    errors = error.error_dict if isinstance(error.error_dict, dict) else {}
    for value in errors.values():
        if isinstance(value, list) and value:
            return str(value[0])
        if value:
            return str(value)
    return tk._("This search cannot be run.")


def page_url(resource: dict[str, Any], package: dict[str, Any], **args: Any) -> str:
    """The resource page with the preview's query parameters."""
    params = {k: v for k, v in args.items() if v not in (None, "", 1)}
    return tk.h.url_for(
        f"{package.get('type') or 'dataset'}_resource.read",
        id=package["name"],
        resource_id=resource["id"],
        **params,
    )


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_table_preview": table_preview,
        "govcatalog_table_load_status": load_status,
        "govcatalog_table_page_url": page_url,
    }
