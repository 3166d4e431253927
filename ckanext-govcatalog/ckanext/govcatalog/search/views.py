"""The reuse finder page (数据复用查找): list the data items you need, see which entries already
hold them. It calls the govcatalog_reuse_search action, so it shows exactly what the API does."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ckanext.govcatalog.search import facets

bp = Blueprint("govcatalog_reuse", __name__)


def index() -> Any:
    items = request.args.get("items", "").strip()
    result: dict[str, Any] | None = None
    error = None
    if items:
        context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
        try:
            result = tk.get_action("govcatalog_reuse_search")(context, {"items": items})
        except tk.ValidationError as e:
            error = "; ".join(str(m) for msgs in e.error_dict.values() for m in msgs)
        except tk.NotAuthorized:
            return tk.abort(403)
    share_labels = facets.value_labels(
        "share_type",
        [r["share_type"] for r in (result or {}).get("results", []) if r["share_type"]],
    )
    return tk.render(
        "govcatalog/reuse/index.html",
        extra_vars={
            "items": items,
            "result": result,
            "error": error,
            "share_labels": share_labels,
        },
    )


bp.add_url_rule("/reuse", view_func=index, endpoint="index")


def get_blueprints() -> list[Blueprint]:
    return [bp]
