"""The repeated-collection map page (重复采集地图) and its CSV export, at /data-element/map.

Both are built for the reader by elements/collection_map.py, which counts only the entries and
information systems access/policy.py lets them see.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.elements import collection_map

bp = Blueprint("govcatalog_element_reports", __name__, url_prefix="/data-element")


def _viewer() -> policy.Viewer:
    return policy.viewer_from_context(
        {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    )


def table_headers(levels: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The header row of each table of the map, in the reader's language."""
    return {
        "elements": [
            tk._("Element id"),
            tk._("Data element"),
            tk._("Source department"),
            tk._("Department"),
            tk._("Independent collections"),
            tk._("Independent collections in all"),
        ],
        "places": [
            tk._("Town or village"),
            tk._("Level"),
            *[label for _value, label in levels],
            tk._("Information systems in all"),
            tk._("Elements asked for by several systems"),
        ],
        "repeated": [
            tk._("Resource code"),
            tk._("Catalog entry"),
            tk._("Department"),
            tk._("Data element"),
            tk._("Source department"),
        ],
    }


def csv_text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    # a byte-order mark, so that Excel opens the Chinese text as UTF-8
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
    return out.getvalue()


def page() -> Any:
    found = collection_map.build(_viewer())
    return tk.render(
        "govcatalog/elements/map.html",
        extra_vars={
            "found": found,
            "charts": collection_map.chart_data(found),
            "tables": collection_map.TABLES,
        },
    )


def export() -> Any:
    which = request.args.get("table", "elements")
    if which not in collection_map.TABLES:
        return tk.abort(400, tk._("Unknown table {name}").format(name=which))
    found = collection_map.build(_viewer())
    rows = collection_map.table(found, which, table_headers(found.levels))
    return Response(
        csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="repeated-collection-{which}.csv"'},
    )


bp.add_url_rule("/map", view_func=page, endpoint="map")
bp.add_url_rule("/map.csv", view_func=export, endpoint="map_csv")


def get_blueprints() -> list[Blueprint]:
    return [bp]
