"""Spec §4 on the read paths: chained actions, and package_show's after_dataset_show, each
calling access/policy.py.

- Entry visibility is the permission labels (labels.py) wherever CKAN applies them:
  package_search and its facet counts, package_show, package_autocomplete, organization dataset
  counts. The paths that ignore the labels are filtered here: package_list, users'
  created-dataset counts, activity lists and activities, tag and format names.
- Data visibility: resource URLs are blanked in every package dict served to a user without data
  access: package_show (after_dataset_show), package_search (a chained action, because
  after_dataset_search gets no context and CKAN serves Solr's stored dict), resource search,
  activity data; resource views are not listed. The files, previews and DataStore are refused by
  the ``resource_show`` auth function (auth.py), and resource URLs are not indexed for entries
  whose data is not public (indexing.py).
- Links to other entries (policy.LINK_FIELDS) are blanked where the reader may not see the
  linked entry: package dicts, stored search dicts, activities and activity diffs (the diff is
  made again from the served versions); a search naming a link field leaves out the entries
  whose link is hidden from the reader, so no count confirms a guessed link.
- CKAN's resource history page reads activities past the actions: it is refused as the resource
  page is to a reader without data access (a before-request guard, registered with accesslog's
  blueprint).
- Calls with ``ignore_auth`` are CKAN's own (indexing, activity recording) and get full dicts.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model
from ckan.lib.search.query import solr_literal
from ckan.logic import auth_audit_exempt
from flask import Blueprint, request

from ckanext.govcatalog.access import grants, indexing, policy

Action = Callable[[dict[str, Any], dict[str, Any]], Any]


def _trusted(context: dict[str, Any]) -> bool:
    return bool(context.get("ignore_auth"))


_ENTRY_COLUMNS = ("id", "type", "owner_org", "private", "state", "extras", "creator_user_id")
_PACKAGE = core_model.package_table
# built once, not per call: building and keying the statement cost as much as running it
# (0.6 vs 1.2 ms a page at load 4, 2026-11-30), and every search serves a page
_ENTRIES = sa.select(*(_PACKAGE.c[name] for name in _ENTRY_COLUMNS)).where(
    _PACKAGE.c.id.in_(sa.bindparam("ids", expanding=True))
)
# ... with whether the viewer holds an active grant to each
_ENTRIES_AND_GRANTS = _ENTRIES.add_columns(
    sa.exists()
    .where(
        grants.GRANTS.c.package_id == _PACKAGE.c.id,
        grants.active(sa.bindparam("user_id"), sa.bindparam("now")),
    )
    .label("granted")
)


# ... of the entries named (by name or id) in the link fields of served package dicts
_LINKED = sa.select(*(_PACKAGE.c[name] for name in _ENTRY_COLUMNS), _PACKAGE.c.name).where(
    sa.or_(
        _PACKAGE.c.name.in_(sa.bindparam("names", expanding=True)),
        _PACKAGE.c.id.in_(sa.bindparam("names", expanding=True)),
    )
)


def _linked(pkg_dicts: list[dict[str, Any]]) -> dict[str, policy.Entry]:
    """The current Entry of every entry the package dicts link to, by the name or id they use."""
    names = set().union(*(policy.linked_names(d) for d in pkg_dicts)) if pkg_dicts else set()
    if not names:
        return {}
    linked: dict[str, policy.Entry] = {}
    for row in core_model.Session.execute(_LINKED, {"names": sorted(names)}):
        entry = policy.Entry.from_package(row)
        linked[row.name] = linked[row.id] = entry
    return linked


def _hide_links(viewer: policy.Viewer, pkg_dicts: list[dict[str, Any]]) -> None:
    """Blank the links of the package dicts to entries the viewer may not see (policy)."""
    if viewer.sysadmin:
        return
    dicts = [d for d in pkg_dicts if isinstance(d, dict)]
    linked = _linked(dicts)
    for pkg_dict in dicts:
        policy.hide_links(viewer, pkg_dict, linked)


def _entries(ids: list[str]) -> dict[str, policy.Entry]:
    """The current Entry of each package id, in one query of the columns the rule reads."""
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    rows = core_model.Session.execute(_ENTRIES, {"ids": ids})
    # a row has the attributes Entry.from_package reads from a Package
    return {row.id: policy.Entry.from_package(row) for row in rows}


def _page_entries(
    viewer: policy.Viewer, ids: list[str]
) -> tuple[dict[str, policy.Entry], policy.Viewer]:
    """The current Entry of each package id and the viewer with its grants to exactly these
    entries, in one query (a search runs it for every page it serves). A Viewer built with
    ``with_grants=False`` is judged on these entries only, with the grants read here."""
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}, viewer
    if not viewer.user_id:
        return _entries(ids), dataclasses.replace(viewer, granted=frozenset())
    rows = core_model.Session.execute(
        _ENTRIES_AND_GRANTS,
        {"ids": ids, "user_id": viewer.user_id, "now": dt.datetime.utcnow()},
    ).all()
    entries = {row.id: policy.Entry.from_package(row) for row in rows}
    granted = frozenset(row.id for row in rows if row.granted)
    return entries, dataclasses.replace(viewer, granted=granted)


# --- package_show (IPackageController.after_dataset_show) ---------------------------------------


def after_dataset_show(context: dict[str, Any], pkg_dict: dict[str, Any]) -> None:
    """Blank the data locations of a shown package unless the viewer may read its data."""
    if _trusted(context):
        return
    pkg = context.get("package")
    entry = (
        policy.Entry.from_package(pkg)
        if isinstance(pkg, core_model.Package) and pkg.id == pkg_dict.get("id")
        else policy.entry_for_id(pkg_dict.get("id"))
    ) or policy.Entry.from_dict(pkg_dict)
    viewer = policy.viewer_from_context(context)
    if not policy.can_access_data(viewer, entry):
        policy.strip_package(pkg_dict)
    _hide_links(viewer, [pkg_dict])


# --- chained actions -----------------------------------------------------------------------------


def _strip_search_result(result: dict[str, Any]) -> None:
    """Blank data locations in a package_search result, full dict or ``fl`` fields alike."""
    policy.strip_package(result)
    for key in list(result):
        if key in indexing.URL_FIELDS or (key.startswith("res_extras_") and key.endswith("url")):
            result[key] = [] if isinstance(result[key], list) else ""
        elif key in ("data_dict", "validated_data_dict") and isinstance(result[key], str):
            try:
                stored = json.loads(result[key])
            except ValueError:
                result[key] = ""
                continue
            if isinstance(stored, dict):
                result[key] = json.dumps(policy.strip_package(stored))
            else:
                result[key] = ""


@tk.chained_action
@tk.side_effect_free
def package_search(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # the grants are read with the page of results they judge (_page_entries), not before
    viewer = None if _trusted(context) else policy.viewer_from_context(context, with_grants=False)
    fl = data_dict.get("fl")
    if viewer and not viewer.sysadmin and fl:
        # results restricted to some fields must still say which entry they are
        if isinstance(fl, str):
            data_dict["fl"] = fl + " id"
        elif isinstance(fl, list) and "id" not in fl:
            data_dict["fl"] = [*fl, "id"]
    if viewer is None:
        return original(context, data_dict)
    with policy.serving(viewer):
        if not viewer.sysadmin and _mentions_links(data_dict):
            data_dict["fq_list"] = [
                *(data_dict.get("fq_list") or []),
                *_hidden_links_filters(viewer),
            ]
        result = original(context, data_dict)
    if not viewer.sysadmin:
        _serve_results(viewer, result.get("results") or [])
    return result


def _mentions_links(data_dict: dict[str, Any]) -> bool:
    """Whether any search parameter (q, fq, fq_list, facets, sort...) names a link field."""
    for value in data_dict.values():
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str) and any(field in text for field in policy.LINK_FIELDS):
                return True
    return False


def _hidden_links_filters(viewer: policy.Viewer) -> list[str]:
    """Solr filters leaving out, of a search that names a link field, the entries whose link
    names an entry the viewer may not see: a query, facet or sort on the field then tells
    nothing of hidden links, not even by a count (a negated query included). The link values in
    use are read live (one query per field, only for such searches), so an entry closed since
    it was linked is hidden at once. (The field's text copy is not indexed: indexing.py.)"""
    filters = []
    for field in policy.LINK_FIELDS:
        values = _PACKAGE.c.extras[field].astext
        rows = core_model.Session.execute(sa.select(values).where(values != "").distinct())
        names = [row[0] for row in rows]
        linked = _linked([{field: name} for name in names])
        hidden = [name for name in names if not policy.sees_link(viewer, linked.get(name))]
        if hidden:
            filters.append(f"-{field}:({' OR '.join(solr_literal(name) for name in hidden)})")
    return filters


def _serve_results(viewer: policy.Viewer, results: list[dict[str, Any]]) -> None:
    entries, viewer = _page_entries(viewer, [r.get("id") for r in results])
    for item in results:
        entry = entries.get(item.get("id"))
        if entry is None or not policy.can_access_data(viewer, entry):
            _strip_search_result(item)
    _hide_result_links(viewer, results)


def _hide_result_links(viewer: policy.Viewer, results: list[dict[str, Any]]) -> None:
    """Blank links to entries the viewer may not see, in full dicts, ``fl`` fields and the stored
    dicts alike (one query for the page)."""
    stored: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
    for item in results:
        for key in ("data_dict", "validated_data_dict"):
            try:
                value = json.loads(item[key]) if isinstance(item.get(key), str) else None
            except ValueError:
                continue
            if isinstance(value, dict) and policy.linked_names(value):
                stored.append((item, key, value))
    _hide_links(viewer, [*results, *(value for _, _, value in stored)])
    for item, key, value in stored:
        item[key] = json.dumps(value)


@tk.chained_action
@tk.side_effect_free
def current_package_list_with_resources(
    original: Action, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    # calls package_search as a plain function, so our chained package_search never sees it
    results = original(context, data_dict)
    if not _trusted(context):
        viewer = policy.viewer_from_context(context, with_grants=False)
        if not viewer.sysadmin:
            _serve_results(viewer, results)
    return results


@tk.chained_action
@tk.side_effect_free
def package_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # the core action lists every public dataset straight from SQL, closed entries included
    viewer = None if _trusted(context) else policy.viewer_from_context(context)
    if viewer is None or viewer.sysadmin:
        return original(context, data_dict)
    tk.check_access("package_list", context, data_dict)
    pkg = core_model.Package
    column = pkg.id if context.get("api_version", 1) == 2 else pkg.name
    rows = (
        core_model.Session.query(pkg)
        .filter(pkg.state == "active", pkg.private.is_(False))
        .order_by(column)
    )
    names = [
        getattr(row, column.key)
        for row in rows
        if policy.can_see_entry(viewer, policy.Entry.from_package(row))
    ]
    offset = int(data_dict.get("offset") or 0)
    limit = data_dict.get("limit")
    return names[offset : offset + int(limit)] if limit else names[offset:]


@tk.chained_action
@tk.side_effect_free
def resource_search(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # resource search matches on any resource field, url included: only resources whose data
    # the user may read can be found at all
    result = original(context, data_dict)
    if _trusted(context):
        return result
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return result
    entries = _entries([r.get("package_id") for r in result.get("results") or []])
    kept = [
        r
        for r in result.get("results") or []
        if r.get("package_id") in entries
        and policy.can_access_data(viewer, entries[r["package_id"]])
    ]
    return dict(result, results=kept, count=len(kept))


@tk.chained_action
@tk.side_effect_free
@auth_audit_exempt  # its own auth (resource_show) refuses these callers; it answers [] instead
def resource_view_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # the dataset page lists the first resource's views for everyone who sees the entry: without
    # data access there are none to show (resource_view_show itself stays refused)
    if not _trusted(context):
        resource = core_model.Resource.get(tk.get_or_bust(data_dict, "id"))
        entry = policy.entry_for_id(resource.package_id) if resource else None
        viewer = policy.viewer_from_context(context)
        if (
            entry is not None
            and policy.can_see_entry(viewer, entry)
            and not policy.can_access_data(viewer, entry)
        ):
            return []
    return original(context, data_dict)


def _visible_created(viewer: policy.Viewer, user_id: str) -> int:
    pkg = core_model.Package
    rows = core_model.Session.query(pkg).filter(
        pkg.creator_user_id == user_id, pkg.state == "active", pkg.private.is_(False)
    )
    return sum(1 for row in rows if policy.can_see_entry(viewer, policy.Entry.from_package(row)))


def _recount_created(context: dict[str, Any], users: list[Any]) -> None:
    """number_created_packages is a plain SQL count of public datasets, closed entries included:
    count only the entries the viewer may see (own accounts keep CKAN's count)."""
    if _trusted(context):
        return
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return
    for user in users:
        own = isinstance(user, dict) and user.get("id") == viewer.user_id
        if isinstance(user, dict) and "number_created_packages" in user and not own:
            user["number_created_packages"] = _visible_created(viewer, user["id"])


@tk.chained_action
@tk.side_effect_free
def user_show(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    result = original(context, data_dict)
    _recount_created(context, [result])
    return result


@tk.chained_action
@tk.side_effect_free
def user_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    result = original(context, data_dict)
    _recount_created(context, result if isinstance(result, list) else [])
    return result


# activity streams: an activity of a dataset carries the whole package dict of the time, and
# CKAN records resource view activities (object_id = the dataset) with no permission labels


def _about_dataset(activity_type: str | None) -> bool:
    kind = activity_type or ""
    return kind.endswith("package") or kind.endswith("resource view")


def _serve_activities(context: dict[str, Any], activities: list[dict[str, Any]]) -> list[Any]:
    if _trusted(context):
        return activities
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return activities
    entries = _entries([a.get("object_id") for a in activities])
    served = []
    for activity in activities:
        entry = entries.get(activity.get("object_id"))
        if entry is None and _about_dataset(activity.get("activity_type")):
            continue  # a purged dataset: nothing left to judge it by
        if entry is not None:
            # judged on the entry as it is now: an entry closed since keeps no public history
            if not policy.can_see_entry(viewer, entry):
                continue
            if not policy.can_access_data(viewer, entry):
                _strip_activity(activity)
        served.append(activity)
    _hide_activity_links(viewer, served)
    return served


def _activity_package(activity: Any) -> dict[str, Any] | None:
    data = activity.get("data") if isinstance(activity, dict) else None
    package = data.get("package") if isinstance(data, dict) else None
    return package if isinstance(package, dict) else None


def _hide_activity_links(viewer: policy.Viewer, activities: list[Any]) -> None:
    _hide_links(viewer, [p for p in map(_activity_package, activities) if p is not None])


def _strip_activity(activity: dict[str, Any]) -> None:
    data = activity.get("data")
    if isinstance(data, dict):
        _strip_activity_data(data)


def _strip_activity_data(data: dict[str, Any]) -> None:
    if isinstance(data.get("package"), dict):
        policy.strip_package(data["package"])
    if "resource_id" in data:  # a resource view: its config may point at the data
        policy.strip_resource(data)
        if isinstance(data.get("config"), dict):
            policy.strip_resource(data["config"])


def _activity_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _serve_activities(context, original(context, data_dict))


def _chained_list(name: str) -> Action:
    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return _activity_list(original, context, data_dict)

    chained.__name__ = name
    return tk.side_effect_free(tk.chained_action(chained))


_ACTIVITY_LISTS = (
    "package_activity_list",
    "organization_activity_list",
    "group_activity_list",
    "user_activity_list",
    "dashboard_activity_list",
    "recently_changed_packages_activity_list",
)


def _guard_activity(context: dict[str, Any], data_dict: dict[str, Any], need_data: bool) -> bool:
    """Raise NotAuthorized unless the viewer may see the activity; True if it must be stripped."""
    from ckanext.activity.model import Activity

    if _trusted(context):
        return False
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return False
    activity = core_model.Session.get(Activity, tk.get_or_bust(data_dict, "id"))
    if activity is None:
        return False  # the action answers NotFound
    entry = policy.entry_for_id(activity.object_id)
    if entry is None and not _about_dataset(activity.activity_type):
        return False  # about a user or an organization
    if entry is None or not policy.can_see_entry(viewer, entry):
        raise tk.NotAuthorized(tk._("Not authorized to see this activity"))
    if policy.can_access_data(viewer, entry):
        return False
    if need_data:
        raise tk.NotAuthorized(tk._("Not authorized to see the data of this entry"))
    return True


@tk.chained_action
@tk.side_effect_free
def activity_show(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    tk.check_access("activity_show", context, data_dict)  # CKAN's own rule first
    strip = _guard_activity(context, data_dict, need_data=False)
    activity = original(context, data_dict)
    if strip:
        _strip_activity(activity)
    if not _trusted(context):
        _hide_activity_links(policy.viewer_from_context(context), [activity])
    return activity


@tk.chained_action
@tk.side_effect_free
def activity_data_show(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    tk.check_access("activity_data_show", context, data_dict)  # CKAN's own rule first
    strip = _guard_activity(context, data_dict, need_data=False)
    data = original(context, data_dict)
    if strip and isinstance(data, dict):
        if data_dict.get("object_type") == "package":
            policy.strip_package(data)
        else:
            _strip_activity_data(data)
    if not _trusted(context) and isinstance(data, dict):
        package = data if data_dict.get("object_type") == "package" else data.get("package")
        if isinstance(package, dict):
            _hide_links(policy.viewer_from_context(context), [package])
    return data


@tk.chained_action
@tk.side_effect_free
def activity_diff(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # a diff is text made from both versions' dicts: it cannot be stripped, so it is refused to
    # a reader without data access. CKAN's own auth first (the action checks it only after
    # reading the activity)
    tk.check_access("activity_diff", context, data_dict)
    _guard_activity(context, data_dict, need_data=True)
    result = original(context, data_dict)
    if _trusted(context) or not isinstance(result, dict):
        return result
    viewer = policy.viewer_from_context(context)
    if viewer.sysadmin:
        return result
    # both versions as activity_show serves them, links hidden; the diff is made again from
    # them when that hid anything, so a changed link to a hidden entry is no change at all
    # (the changes pages build on this action: they show what package_show would)
    served = copy.deepcopy(result.get("activities") or [])
    packages = [p for p in map(_activity_package, served) if p is not None]
    before = json.dumps(packages, sort_keys=True, default=str)
    _hide_links(viewer, packages)
    if json.dumps(packages, sort_keys=True, default=str) == before:
        return result
    objects = [
        copy.deepcopy((a.get("data") or {}).get(data_dict.get("object_type"))) for a in served
    ]
    for obj in objects:
        # a blank link and no link are the same to the reader: that one version has the field
        # and the other not must not mark where a hidden link was added or removed
        for key in policy.LINK_FIELDS:
            if isinstance(obj, dict) and obj.get(key) == "":
                del obj[key]
    return dict(result, activities=served, diff=_diff_text(objects, data_dict))


def _diff_text(objects: list[Any], data_dict: dict[str, Any]) -> str:
    """The diff text of two versions, as CKAN's activity_diff makes it (ckanext/activity
    logic/action.py), for versions this module has changed."""
    lines = [json.dumps(obj, indent=2, sort_keys=True).split("\n") for obj in objects]
    diff_type = data_dict.get("diff_type", "unified")
    if diff_type == "unified":
        return "\n".join(difflib.unified_diff(*lines))
    if diff_type == "context":
        return "\n".join(difflib.context_diff(*lines))
    # "html" (the action refused any other type before this is reached)
    wrapped = [
        [part for line in side for part in re.findall(r".{1,70}(?:\s+|$)", line)] for side in lines
    ]
    return difflib.HtmlDiff().make_table(*wrapped)


# --- pages that read activities past the actions ------------------------------------------------


def _guard_resource_history() -> None:
    """CKAN's resource history page (activity.resource_history) reads the activity straight
    from the database, so neither activity_show's stripping nor its hidden links reach it. It
    is a page of the resource: refused as the resource page is (its resource_show auth, which
    CKAN's resource page answers with 404) to a reader without data access."""
    if request.endpoint != "activity.resource_history":
        return
    entry = policy.entry_for_id((request.view_args or {}).get("id"))
    if entry is None:
        return  # the view answers 404
    viewer = policy.viewer_for(tk.current_user)
    if policy.can_see_entry(viewer, entry) and not policy.can_access_data(viewer, entry):
        tk.abort(404, tk._("Resource not found"))


def get_blueprints() -> list[Blueprint]:
    blueprint = Blueprint("govcatalog_read_paths", __name__)
    blueprint.before_app_request(_guard_resource_history)
    return [blueprint]


# --- tag and format names ------------------------------------------------------------------------
# CKAN answers these from SQL over every dataset, so the names of tags and formats of entries a
# caller may not see would show through. They are answered from the caller's own search facets.


def _visible_facet_values(context: dict[str, Any], field: str) -> dict[str, int]:
    search_context = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    result = tk.get_action("package_search")(
        search_context,
        {"rows": 0, "facet.field": [field], "facet.limit": -1, "include_private": True},
    )
    items = result["search_facets"].get(field, {}).get("items", [])
    return {item["name"]: item["count"] for item in items}


def _matching(values: dict[str, int], query: str, limit: int) -> list[str]:
    query = (query or "").strip().lower()
    names = [name for name in values if query in name.lower()]
    names.sort(key=lambda name: (-values[name], name))
    return names[:limit]


@tk.side_effect_free
@tk.chained_action
def tag_list(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    result = original(context, data_dict)
    if _trusted(context) or data_dict.get("vocabulary_id"):
        return result
    visible = _visible_facet_values(context, "tags")
    return [tag for tag in result if (tag["name"] if isinstance(tag, dict) else tag) in visible]


@tk.side_effect_free
@tk.chained_action
def tag_autocomplete(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if _trusted(context) or data_dict.get("vocabulary_id"):
        return original(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    query = data_dict.get("q") or data_dict.get("query") or ""
    limit = int(data_dict.get("limit", 10))
    return _matching(_visible_facet_values(context, "tags"), query, limit)


@tk.side_effect_free
@tk.chained_action
def format_autocomplete(
    original: Action, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    if _trusted(context):
        return original(context, data_dict)
    tk.check_access("format_autocomplete", context, data_dict)
    limit = int(data_dict.get("limit", 5))
    formats = _visible_facet_values(context, "res_format")
    return [name.lower() for name in _matching(formats, data_dict.get("q", ""), limit)]


def get_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {
        "package_search": package_search,
        "current_package_list_with_resources": current_package_list_with_resources,
        "package_list": package_list,
        "resource_search": resource_search,
        "resource_view_list": resource_view_list,
        "user_show": user_show,
        "user_list": user_list,
        "tag_list": tag_list,
        "tag_autocomplete": tag_autocomplete,
        "format_autocomplete": format_autocomplete,
    }
    if p.plugin_loaded("activity"):
        actions.update({name: _chained_list(name) for name in _ACTIVITY_LISTS})
        actions.update(
            activity_show=activity_show,
            activity_data_show=activity_data_show,
            activity_diff=activity_diff,
        )
    # the DataStore's read paths (column limits, masking, usage records) are tabular/api.py's
    return actions
