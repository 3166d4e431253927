"""Chained auth functions of the read paths (spec §4), each asking access/policy.py.

Seeing a resource means reading its data. CKAN delegates to the ``resource_show`` auth function
from the download view (uploads and link redirects), resource views and previews
(``resource_view_show``/``_list``) and the DataStore (search, search_sql, info, dump), so
requiring data access here guards every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.auth import get_resource_object

from ckanext.govcatalog.access import policy

AuthFunction = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_show(
    next_auth: AuthFunction, context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """Seeing a resource means reading its data: the URL, the file, previews, the DataStore."""
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    resource = get_resource_object(context, data_dict)
    entry = policy.entry_for_id(resource.package_id)
    if entry is None or not policy.can_access_data(policy.viewer_from_context(context), entry):
        return {
            "success": False,
            "msg": tk._("Not authorized to read the data of this entry; you may request access"),
        }
    return result


def get_auth_functions() -> dict[str, Any]:
    return {"resource_show": resource_show}
