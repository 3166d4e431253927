"""The DataStore's read paths under the sharing rules (access/policy.py) and masking.

Read paths of CKAN 2.12's DataStore (ckanext/datastore/logic/action.py, auth.py, blueprint.py):

- ``datastore_search``: the row API; also what the dump view (/datastore/dump), the API-info
  view and the table preview (datatables_view's ajax) call, so they inherit everything here;
- ``datastore_info``: columns and table sizes;
- ``datastore_search_sql``: refused for everyone but sysadmins (see below);
- the public table listing ``_table_metadata`` (``ckan.datastore.public_table_search``), which
  ``datastore_search`` serves without any access check: it names every table, so it is refused
  for everyone but sysadmins;
- the data-dictionary page needs ``datastore_create`` (write) and reads nothing else.

Whether the viewer reads the entry's data at all is the ``resource_show`` auth (access/auth.py);
the chained actions here narrow the answer to the columns the viewer holds (columns.py), mask
personal columns (masking.py), and refuse input that would reach beyond them: ``fields``,
``filters``, ``q``, ``full_text``, ``contains`` (substring search, substring.py), ``sort`` and
``distinct`` may only name columns the viewer reads, and only unmasked ones may be filtered,
searched or sorted on (each such query reveals a hidden value one guess at a time). Every
successful call is a usage record (usage.py).

``datastore_search_sql`` takes one arbitrary SELECT: columns can be renamed, computed
(``substr``, ``concat``), joined or compared in a subquery, so neither a column limit nor a mask
can be applied to its answer, and a WHERE clause on a masked column reads it back. It is
therefore refused for everyone except sysadmins, whose answers are full anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model as core_model

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.tabular import columns, masking, substring, usage

Action = Callable[[dict[str, Any], dict[str, Any]], Any]
AuthFunction = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]

# the same clause shape the DataStore accepts (ckanext/datastore/backend/__init__.py)
_SORT_CLAUSE = re.compile(r"^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$", re.I)


def _trusted(context: dict[str, Any]) -> bool:
    return bool(context.get("ignore_auth"))


def _backend() -> Any:
    from ckanext.datastore.backend import DatastoreBackend

    return DatastoreBackend.get_active_backend()


def _public_tables() -> list[str]:
    return tk.config.get("ckan.datastore.public_table_search") or []


def _real_resource_id(resource_id: str) -> str:
    """The resource id behind an alias (the id itself when it is not one)."""
    exists, real_id = _backend().resource_id_from_alias(resource_id)
    return real_id if exists and real_id else resource_id


def _table_columns(resource_id: str) -> list[str]:
    info = _backend().resource_fields(resource_id, False, False)
    return [field["id"] for field in info.get("fields") or []]


def _refuse_data() -> tk.NotAuthorized:
    return tk.NotAuthorized(
        tk._("Not authorized to read the data of this entry; you may request access")
    )


def _governed(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> tuple[policy.Viewer, core_model.Resource, columns.ColumnAccess] | None:
    """The viewer, resource and column access of a read, or None where CKAN's own action decides
    (an unknown table: it answers NotFound). Raises NotAuthorized when the viewer may not read."""
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    if not resource_id or not isinstance(resource_id, str):
        return None
    viewer = policy.viewer_from_context(context)
    if resource_id in _public_tables():
        # CKAN serves these without an access check: the listing names every table
        if not viewer.sysadmin:
            raise tk.NotAuthorized(tk._("Only sysadmins may list the DataStore's tables"))
        # passes for a sysadmin; CKAN's auth audit wants the action's own name checked
        tk.check_access("datastore_search", context, dict(data_dict))
        return None
    resource = core_model.Resource.get(_real_resource_id(resource_id))
    if resource is None or resource.state != "active":
        return None
    pkg = core_model.Package.get(resource.package_id)
    if pkg is None:
        return None
    with policy.serving(viewer):
        access = columns.column_access(viewer, pkg)
    if access is None:
        raise _refuse_data()
    return viewer, resource, access


# --- input that names columns ---------------------------------------------------------------


def _as_json(value: Any) -> Any:
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("{", "[")):
            try:
                return json.loads(stripped)
            except ValueError:
                return value
    return value


def _names(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise tk.ValidationError({"fields": [tk._("Must be a list of column names")]})
    names = []
    for name in value:
        name = str(name).strip()
        if len(name) > 1 and name[0] == name[-1] == '"':
            name = name[1:-1]
        if name:
            names.append(name)
    return names


def _sort_columns(sort: Any) -> list[str]:
    clauses = sort if isinstance(sort, list) else str(sort or "").split(",")
    found = []
    for clause in clauses:
        clause = str(clause).strip()
        if not clause:
            continue
        match = _SORT_CLAUSE.match(clause)
        if not match:
            raise tk.ValidationError(
                {"sort": [tk._('"{clause}" is not a column to sort by').format(clause=clause)]}
            )
        name = match.group(1).strip()
        found.append(name[1:-1] if len(name) > 1 and name[0] == name[-1] == '"' else name)
    return found


def _not_readable(field: str, column: str) -> tk.ValidationError:
    return tk.ValidationError(
        {
            field: [
                tk._('Column "{column}" is not among the columns you may read').format(
                    column=column
                )
            ]
        }
    )


def _not_queryable(field: str, column: str) -> tk.ValidationError:
    return tk.ValidationError(
        {
            field: [
                tk._(
                    'Column "{column}" holds masked personal information: it cannot be '
                    "searched, filtered or sorted on"
                ).format(column=column)
            ]
        }
    )


def _check_column(access: columns.ColumnAccess, field: str, column: str, query: bool) -> None:
    if not access.may_read(column):
        raise _not_readable(field, column)
    if query and not access.may_query(column):
        raise _not_queryable(field, column)


def restrict_search(
    data_dict: dict[str, Any], access: columns.ColumnAccess, table_columns: list[str]
) -> dict[str, Any]:
    """The datastore_search parameters narrowed to the viewer's columns; ValidationError (naming
    the parameter and the column) for input that reaches beyond them."""
    data = dict(data_dict)
    requested = _names(data.get("fields"))
    for column in requested:
        _check_column(access, "fields", column, query=False)
    if access.readable is not None and not requested:
        data["fields"] = access.visible([columns.ROW_ID, *table_columns])
    filters = _as_json(data.get("filters"))
    if filters not in (None, ""):
        if not isinstance(filters, dict):
            raise tk.ValidationError({"filters": [tk._("Must be an object of column: value")]})
        for column in filters:
            _check_column(access, "filters", str(column), query=True)
        data["filters"] = filters
    q = _as_json(data.get("q"))
    whole_table_searchable = all(access.may_query(c) for c in table_columns)
    if isinstance(q, dict):
        for column in q:
            _check_column(access, "q", str(column), query=True)
        data["q"] = q
    elif q not in (None, "") and not whole_table_searchable:
        raise tk.ValidationError(
            {
                "q": [
                    tk._(
                        "A search over every column would look into columns you may not read "
                        'or that are masked; search named columns instead, e.g. q={"column": '
                        '"text"}'
                    )
                ]
            }
        )
    if data.get("full_text") and not whole_table_searchable:
        raise tk.ValidationError(
            {
                "full_text": [
                    tk._(
                        "A search over every column would look into columns you may not read "
                        "or that are masked"
                    )
                ]
            }
        )
    for column in _sort_columns(data.get("sort")):
        _check_column(access, "sort", column, query=True)
    if tk.asbool(data.get("distinct", False)):
        # DISTINCT over a masked column would count its distinct hidden values
        for column in _names(data.get("fields")) or table_columns:
            _check_column(access, "distinct", column, query=True)
    return data


# --- the chained actions and auth functions -------------------------------------------------


def _narrow_trusted(data_dict: dict[str, Any], groups: list[substring.Group]) -> dict[str, Any]:
    """A trusted caller's substring search over every column (an unknown table is left to the
    DataStore, which answers NotFound)."""
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    if not isinstance(resource_id, str) or not _backend().resource_exists(
        _real_resource_id(resource_id)
    ):
        return data_dict
    real_id = _real_resource_id(resource_id)
    table_columns = _table_columns(real_id)
    return substring.narrow(
        data_dict, real_id, restrict_contains(groups, columns.FULL, table_columns), table_columns
    )


def restrict_contains(
    groups: list[substring.Group], access: columns.ColumnAccess, table_columns: list[str]
) -> list[substring.Group]:
    """The substring search (tabular/substring.py) limited to the columns the viewer may search:
    a named column must be one of them (ValidationError naming it otherwise); a search over
    every column looks only into them (it reveals nothing of the others)."""
    limited: list[substring.Group] = []
    for names, text in groups:
        if names is None:
            limited.append(([c for c in table_columns if access.may_query(c)], text))
            continue
        for column in names:
            if column not in table_columns:
                raise tk.ValidationError(
                    {
                        substring.PARAMETER: [
                            tk._('The table has no column "{column}"').format(column=column)
                        ]
                    }
                )
            _check_column(access, substring.PARAMETER, column, query=True)
        limited.append((names, text))
    return limited


@tk.chained_action
@tk.side_effect_free
def datastore_search(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # ``contains`` is ours (the DataStore's schema would refuse it): checked like ``q``, then
    # applied as a filter on the matching row numbers (substring.py)
    data_dict, groups = substring.take(data_dict)
    if _trusted(context):
        if groups:
            data_dict = _narrow_trusted(data_dict, groups)
        return original(context, data_dict)
    governed = _governed(context, data_dict)
    if governed is None:
        if groups:
            raise tk.ValidationError(
                {substring.PARAMETER: [tk._("This table cannot be searched this way")]}
            )
        return original(context, data_dict)
    viewer, resource, access = governed
    if access.restricted or groups:
        table_columns = _table_columns(resource.id)
        if access.restricted:
            data_dict = restrict_search(data_dict, access, table_columns)
            groups = restrict_contains(groups, access, table_columns)
        else:
            groups = restrict_contains(groups, columns.FULL, table_columns)
        data_dict = substring.narrow(data_dict, resource.id, groups, table_columns)
    result = original(context, data_dict)
    field_ids = [f["id"] for f in result.get("fields") or []]
    if access.readable is not None:
        # nothing the caller did not ask for or may not read leaves (e.g. rank columns)
        unreadable = [f for f in field_ids if not access.may_read(f)]
        if unreadable:
            raise _not_readable("fields", unreadable[0])
    records_format = result.get("records_format") or data_dict.get("records_format") or "objects"
    result["records"] = masking.mask_records(
        result.get("records"), field_ids, access.masks, records_format
    )
    usage.record_read(
        viewer,
        resource,
        kind="datastore_search",
        columns_read=[f for f in field_ids if f != columns.ROW_ID],
        rows=usage.count_rows(result.get("records"), records_format),
        access=access,
    )
    return result


@tk.chained_action
@tk.side_effect_free
def datastore_info(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    if _trusted(context):
        return original(context, data_dict)
    governed = _governed(context, data_dict)
    result = original(context, data_dict)
    if governed is None:
        return result
    viewer, resource, access = governed
    if isinstance(result, dict) and access.readable is not None:
        result["fields"] = [f for f in result.get("fields") or [] if access.may_read(f["id"])]
    usage.record_read(
        viewer,
        resource,
        kind="datastore_info",
        columns_read=[f["id"] for f in (result or {}).get("fields") or []],
        rows=0,
        access=access,
    )
    return result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(
    next_auth: AuthFunction, context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    # sysadmins never reach an auth function (no auth_sysadmins_check): their SQL runs as CKAN's
    return {
        "success": False,
        "msg": tk._(
            "SQL queries on the DataStore are for sysadmins only: an SQL query could read "
            "columns beyond a grant or unmask personal information. Use datastore_search."
        ),
    }


def get_actions() -> dict[str, Any]:
    if not p.plugin_loaded("datastore"):
        return {}
    return {"datastore_search": datastore_search, "datastore_info": datastore_info}


def get_auth_functions() -> dict[str, Any]:
    if not p.plugin_loaded("datastore"):
        return {}
    return {"datastore_search_sql": datastore_search_sql}
