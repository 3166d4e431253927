"""Only published (open) entries reach the DCAT endpoints (catalog-spec §7).

ckanext-dcat reads through package_show / package_search as the caller, so the access rules
(spec §4) already apply; on top of that, /catalog.<format> and /dataset/<id>.<format> serve
entries whose open_type is published (schemas/dcat.yaml, default: open) and nothing else,
whoever asks. A government user sees closed entries on the site, but not in the open-data feed.
"""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.dcat import profile as dcat_profile

_QUOTED = re.compile(r'"[^"]*"')


def _open_filter() -> str:
    values = " OR ".join(f'"{v}"' for v in dcat_profile.published_open_types()) or '"-"'
    return f"+open_type:({values})"


def _caller_fq(fq: str) -> str:
    """The caller's own filter, refused when it could reach outside the group we put it in."""
    bare = _QUOTED.sub("", fq)
    depth = 0
    for ch in bare:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0 or '"' in bare or "\\" in fq or "{!" in fq:
        raise tk.ValidationError({"fq": [tk._("Unsupported filter query")]})
    return fq


def _restricted(data_dict: dict[str, Any]) -> dict[str, Any]:
    data_dict = dict(data_dict)
    fq = (data_dict.get("fq") or "").strip()
    data_dict["fq"] = _open_filter() + (f" +({_caller_fq(fq)})" if fq else "")
    return data_dict


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up(context, _restricted(data_dict))


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return up(context, _restricted(data_dict))


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # package_show as the caller first: not visible -> its own NotFound/NotAuthorized.
    pkg = tk.get_action("package_show")(dict(context), {"id": data_dict.get("id")})
    if not dcat_profile.is_published(pkg):
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return up(context, data_dict)


def get_actions() -> dict[str, Any]:
    """The chained DCAT actions, when ckanext-dcat is loaded (chaining a missing action fails)."""
    if not p.plugin_loaded("dcat"):
        return {}
    return {
        "dcat_catalog_show": dcat_catalog_show,
        "dcat_catalog_search": dcat_catalog_search,
        "dcat_dataset_show": dcat_dataset_show,
    }
