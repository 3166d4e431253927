"""The main navigation by role (issue 14): what each viewer sees in the top bar.

Everyone: 目录检索, 查找可复用数据, 部门, 数据元, 统计. Government users (members of a
department): 信息系统. Signed-in users: 共享申请, with
the number of requests waiting for their decision (those of the departments they administer);
department editors and admins: 批量导入. Groups only when the operator turns them on. Which
pages a viewer may open is still decided by each page; this only leaves out links that do not
apply.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import dominate.tags as tags
from flask import current_app, request

from ckanext.govcatalog.web import branding

# the status of a request that waits for its department's decision (sharing/states.PENDING;
# the sharing package is a floor above, so its action is called rather than its module imported)
PENDING = "pending"


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def awaiting_my_decision() -> int:
    """Requests waiting for the current user's decision (0 for the public and for users who
    administer no department)."""
    if not tk.current_user.is_authenticated:
        return 0
    try:
        result = tk.get_action("access_request_list")(
            _context(), {"scope": "decide", "status": PENDING, "limit": 0}
        )
    except tk.NotAuthorized:
        return 0
    return int(result["count"])


def _is_officer() -> bool:
    """Whether the user may add entries to some department (editor, admin or sysadmin)."""
    if not tk.current_user.is_authenticated:
        return False
    return bool(tk.h.organizations_available("create_dataset"))


def _is_government_user() -> bool:
    """A member of some department, or a sysadmin: who sees information systems (the rule is
    access/policy.py's Viewer.government; this asks CKAN for the same memberships)."""
    if not tk.current_user.is_authenticated:
        return False
    return bool(tk.current_user.sysadmin or tk.h.organizations_available("read"))


def _item(route: str, label: str, prefixes: tuple[str, ...], **kwargs: Any) -> dict[str, Any]:
    url = tk.h.url_for(route, **kwargs)
    path = request.path if request else ""
    return {
        "route": route,
        "label": label,
        "url": url,
        "active": any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes),
        "count": 0,
    }


def govcatalog_main_nav() -> list[dict[str, Any]]:
    """The top-bar items for the current viewer: route, label, url, active, count."""
    items = [
        _item("dataset.search", tk._("Catalog search"), ("/dataset",)),
        _item("govcatalog_reuse.index", tk._("Find reusable data"), ("/reuse",)),
        _item("organization.index", tk._("Departments"), ("/organization",)),
        _item("govcatalog_elements.index", tk._("Data elements"), ("/data-element",)),
    ]
    # the information-system pages exist only where the info_system schema is loaded, and show
    # systems to government users only (access/policy.py): the public gets no link to an empty list
    if "info_system.search" in current_app.view_functions and _is_government_user():
        items.insert(2, _item("info_system.search", tk._("Information systems"), ("/info_system",)))
    if branding.govcatalog_portal()["show_groups"]:
        items.append(_item("group.index", tk._("Groups"), ("/group",)))
    if tk.current_user.is_authenticated:
        waiting = awaiting_my_decision()
        decides = waiting or tk.current_user.sysadmin or _administers_a_department()
        route = "govcatalog_requests.decide" if decides else "govcatalog_requests.mine"
        requests_item = _item(route, tk._("Sharing requests"), ("/dashboard/access-requests",))
        requests_item["count"] = waiting
        items.append(requests_item)
        if _is_officer():
            items.append(_item("govcatalog_bulk.index", tk._("Bulk import"), ("/catalog/bulk",)))
    stats = _item("home.index", tk._("Statistics"), ())
    stats["url"] += "#gc-stats-title"
    items.append(stats)
    return items


def _administers_a_department() -> bool:
    return bool(tk.h.organizations_available("admin"))


def _arrow(side: str, label: str) -> Any:
    arrow = tags.span()
    arrow.add(tags.i(cls=f"fa-solid fa-chevron-{side}", aria_hidden="true"))
    arrow.add(tags.span(label, cls="visually-hidden"))
    return arrow


def govcatalog_pager(page: Any, **params: Any) -> Any:
    """CKAN's pager (ckan.lib.pagination.Page.pager, ``params`` as its link parameters) with
    names for its previous and next links: CKAN draws them as bare icons, links a screen reader
    announces as nothing (axe: link-name, WCAG 2.4.4)."""
    return page.pager(
        symbol_previous=_arrow("left", tk._("Previous page")),
        symbol_next=_arrow("right", tk._("Next page")),
        **params,
    )


def get_helpers() -> dict[str, Any]:
    return {"govcatalog_main_nav": govcatalog_main_nav, "govcatalog_pager": govcatalog_pager}
