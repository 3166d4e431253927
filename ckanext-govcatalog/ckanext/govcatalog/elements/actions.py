"""Actions of the data-element register: data_element_create / update / delete / show / list /
search / suggest. Changes go through register.py (checked whole, then written with a version and
an audit record, committed once); readers who are not editors see published elements only."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.elements import auth, collection_map, refresh, register, suggest, terms

_MAX_LIMIT = 1000


def _actor(context: dict[str, Any]) -> str | None:
    return context.get("user") or None


def _id(data_dict: dict[str, Any]) -> str:
    element_id = str(data_dict.get("id") or "").strip()
    if not element_id:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    return element_id


def _visible_statuses(context: dict[str, Any]) -> list[str] | None:
    """None (every status) for editors, else the public statuses."""
    return None if auth.editor_in(context) else terms.public_statuses()


def _int(data_dict: dict[str, Any], key: str, default: int, most: int) -> int:
    try:
        value = int(data_dict.get(key, default))
    except (TypeError, ValueError):
        raise tk.ValidationError({key: [tk._("Must be a whole number")]}) from None
    return max(0, min(value, most))


def _commit(context: dict[str, Any]) -> None:
    if not context.get("defer_commit"):
        core_model.Session.commit()


def _write(context: dict[str, Any], change: Any, *args: Any) -> Any:
    """Run a register change and commit it; a refused change leaves the transaction clean."""
    try:
        element = change(*args, _actor(context))
    except (tk.ValidationError, tk.ObjectNotFound):
        core_model.Session.rollback()
        raise
    _commit(context)
    return element


def data_element_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Register a new data element; its id (DE + digits) is allocated.

    :param name: 中文名称; :param identifier: 标识符 (default: pinyin initials);
    :param synonyms: 同义名称 (list or separated text); :param data_type, format: 数据类型 and
    表示格式 (c18, c..50, n..18,2, d8 ...); :param value_rule or code_table: 值域;
    :param source_org: 数源部门 (organization); :param personal_info,
    sensitive_personal_info: flags; :param data_grade; :param status (default 草稿);
    :param definition, object_class, property, representation, replaced_by
    """
    tk.check_access("data_element_create", context, data_dict)
    if data_dict.get("id"):
        raise tk.ValidationError({"id": [tk._("The register allocates the id of a new element")]})
    return register.dictize(_write(context, register.create, data_dict))


def data_element_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change an element: the fields given replace theirs, the others stay. A change makes a new
    version; the same values make none. A change of its 数源部门, status, name or synonyms
    indexes the entries bound to it again (a background job when there are many).
    Deprecating (已废止) an element data items are bound to is done, and ``warnings`` in the
    result says how many items of how many entries hold it: their bindings stay valid, only
    new ones are refused. :param id: the element"""
    tk.check_access("data_element_update", context, data_dict)
    changes = {k: v for k, v in data_dict.items() if k in register.FIELDS}
    element_id = _id(data_dict)
    current = register.get(element_id)
    before = register.state(current) if current is not None else {}
    element = _write(context, register.update, element_id, changes)
    # the bound entries' search documents hold the element's names and 重复采集 verdict
    refresh.after_change(element.id, before, register.state(element), context)
    result = register.dictize(element)
    warning = register.retirement_warning(element, before.get("status"))
    result["warnings"] = [warning] if warning else []
    return result


def data_element_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Delete an element no data item is bound to (its id is never reused; deprecating, status
    已废止, is the way to retire one that is in use). :param id: the element"""
    tk.check_access("data_element_delete", context, data_dict)
    return register.dictize(_write(context, register.delete, _id(data_dict)))


@tk.side_effect_free
def data_element_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One element. :param id; :param include_versions: also its versions, newest first"""
    tk.check_access("data_element_show", context, data_dict)
    element = register.get(_id(data_dict))
    visible = _visible_statuses(context)
    if element is None or (visible is not None and element.status not in visible):
        raise tk.ObjectNotFound(tk._("Unknown data element {id}").format(id=data_dict["id"]))
    result = register.dictize(element)
    if tk.asbool(data_dict.get("include_versions", False)):
        result["versions"] = [register.dictize_version(v) for v in register.versions(element.id)]
    return result


def _listing(context: dict[str, Any], data_dict: dict[str, Any], q: str | None) -> dict[str, Any]:
    visible = _visible_statuses(context)
    wanted = data_dict.get("status")
    statuses = visible
    if wanted:
        wanted_list = [wanted] if isinstance(wanted, str) else list(wanted)
        statuses = [s for s in wanted_list if visible is None or s in visible]
    count, rows = register.search(
        q,
        statuses,
        limit=_int(data_dict, "limit", 50, _MAX_LIMIT),
        offset=_int(data_dict, "offset", 0, 10**9),
    )
    return {"count": count, "results": [register.dictize(e) for e in rows]}


@tk.side_effect_free
def data_element_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Elements in id order: ``{count, results}``. :param status (one or a list); :param limit
    (default 50, at most 1000); :param offset"""
    tk.check_access("data_element_list", context, data_dict)
    return _listing(context, data_dict, None)


@tk.side_effect_free
def data_element_search(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Elements whose id, identifier, name, synonyms or definition contain ``q``: ``{count,
    results}``. :param q; :param status; :param limit; :param offset"""
    tk.check_access("data_element_search", context, data_dict)
    return _listing(context, data_dict, str(data_dict.get("q") or ""))


@tk.side_effect_free
def data_element_suggest(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """Published elements a data item's name most likely means, best first: ``[{id, name,
    identifier, confidence (0-1), auto, match, fits}]``; ``auto`` marks one safe to apply
    without review. :param name; :param data_type (数据类型 code); :param length; :param limit
    (default 5, at most 50)"""
    tk.check_access("data_element_suggest", context, data_dict)
    name = str(data_dict.get("name") or "").strip()
    if not name:
        raise tk.ValidationError({"name": [tk._("Missing value")]})
    given = data_dict.get("length")
    length = None if given in (None, "") else _int(data_dict, "length", 0, 10**6)
    found = suggest.suggest(
        name,
        data_type=str(data_dict.get("data_type") or "") or None,
        length=length,
        limit=_int(data_dict, "limit", 5, 50),
    )
    return [s.as_dict() for s in found]


@tk.side_effect_free
def data_element_collection_map(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    """The repeated-collection map (/data-element/map) as the caller may see it: entries and
    information systems access/policy.py hides from them are neither listed nor counted.
    ``{levels, elements, places, repeated}``: per element and department the independent
    collections; per town and village the information systems its staff use by build level and
    the elements several of them ask for; the entries flagged 重复采集.
    :param table: only one of elements, places, repeated"""
    tk.check_access("data_element_collection_map", context, data_dict)
    which = str(data_dict.get("table") or "").strip() or None
    if which is not None and which not in collection_map.TABLES:
        raise tk.ValidationError({"table": [tk._("Unknown table {name}").format(name=which)]})
    found = collection_map.build(policy.viewer_from_context(context))
    return collection_map.as_dict(found, which)


def get_actions() -> dict[str, Any]:
    return {
        "data_element_create": data_element_create,
        "data_element_update": data_element_update,
        "data_element_delete": data_element_delete,
        "data_element_show": data_element_show,
        "data_element_list": data_element_list,
        "data_element_search": data_element_search,
        "data_element_suggest": data_element_suggest,
        "data_element_collection_map": data_element_collection_map,
    }
