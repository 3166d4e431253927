"""Cross-field rules of a catalog entry: the schema's after_validator ``govcatalog_entry_rules``.

The rules of catalog-spec §3 that tie fields together (a share type's condition and the open
type it forces, data items a format category needs, the item of a class, the region from the
provider, related codes that exist), then the resource code handed out to a new entry. Every
error is keyed by the field it is about (data item errors by row and subfield), so forms and the
API show it next to the field; messages are English msgids translated in
i18n/src/zh_Hans_CN/catalog.po, naming vocabulary values in the user's language.

Decision on 不予共享: share_type ``none`` makes open_type ``closed``. An omitted open_type is set
to ``closed``; an explicit other value is rejected (silently changing what the user asked for
would hide a contradiction in their catalog).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog import codes
from ckanext.govcatalog.catalog.field_rules import (
    Data,
    Errors,
    Key,
    active_organization,
    govcatalog_list_output,
    is_empty,
)


def _get(data: Data, name: str) -> Any:
    value = data.get((name,))
    return None if is_empty(value) else value


def _set(data: Data, name: str, value: Any) -> None:
    """Sets a field after the main run, where convert_to_extras has already been applied."""
    data[(name,)] = value
    indexes = {k[1] for k in data if len(k) == 3 and k[0] == "extras"}
    for i in indexes:
        if data.get(("extras", i, "key")) == name:
            data[("extras", i, "value")] = value
            return
    new = max(indexes) + 1 if indexes else 0
    data[("extras", new, "key")] = name
    data[("extras", new, "value")] = value


def _add(errors: Errors, key: Key, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _has_errors(errors: Errors) -> bool:
    return any(errors.values())


def _data_item_rows(data: Data) -> list[int]:
    return sorted({k[1] for k in data if len(k) == 3 and k[0] == "data_items"})


def _check_sharing(data: Data, errors: Errors) -> None:
    share_type = _get(data, "share_type")
    share = vocab.entry("share_type", share_type) or {}
    if share.get("requires_condition") and not _get(data, "share_condition"):
        if share_type == "none":
            message = tk._(
                "Not shared (不予共享) needs its reason and the law, administrative regulation or "
                "State Council decision it rests on"
            )
        else:
            message = tk._(
                "Conditional sharing needs its conditions: the sharing scope and permitted uses"
            )
        _add(errors, ("share_condition",), message)

    forced = share.get("forces_open_type")
    open_type = _get(data, "open_type")
    if forced and open_type is None:
        open_type = forced
        _set(data, "open_type", forced)
    elif forced and open_type != forced:
        _add(
            errors,
            ("open_type",),
            tk._(
                'A resource that is not shared cannot be opened: open type must be "{value}"'
            ).format(value=vocab.label("open_type", forced)),
        )
    elif open_type is None:
        _add(errors, ("open_type",), tk._("Missing value"))

    opened = vocab.entry("open_type", open_type) or {}
    if opened.get("requires_condition") and not _get(data, "open_condition"):
        _add(
            errors,
            ("open_condition",),
            tk._("Conditional opening needs its conditions (who may use the data and how)"),
        )


def _check_data_items(data: Data, errors: Errors) -> None:
    fmt = vocab.entry("format_category", _get(data, "format_category")) or {}
    rows = _data_item_rows(data)
    filled = [r for r in rows if not is_empty(data.get(("data_items", r, "name")))]
    if fmt.get("requires_data_items") and not filled:
        _add(
            errors,
            ("data_items",),
            tk._(
                "Entries in the format category {category} must list their data items "
                "(name, data type, length)"
            ).format(category=fmt["value"]),
        )
    seen: dict[str, int] = {}
    for r in rows:
        name = data.get(("data_items", r, "name"))
        if is_empty(name):
            continue
        name = str(name).strip()
        if name in seen:
            _add(
                errors,
                ("data_items", r, "name"),
                tk._('The data item "{name}" is listed twice (rows {first} and {row})').format(
                    name=name, first=seen[name] + 1, row=r + 1
                ),
            )
        else:
            seen[name] = r


def _check_item(data: Data, errors: Errors) -> None:
    cls = _get(data, "catalog_class")
    item = _get(data, "catalog_item")
    if cls is None:
        return
    per_class = [e["value"] for e in vocab.entries("catalog_item") if e.get("class") == cls]
    if per_class:
        if item is None:
            _add(errors, ("catalog_item",), tk._("Missing value"))
        elif str(item) not in per_class:
            _add(
                errors,
                ("catalog_item",),
                tk._(
                    '"{value}" is not an item of the class {cls}; choose one of: {allowed}'
                ).format(
                    value=item,
                    cls=vocab.label("catalog_class", cls),
                    allowed=", ".join(per_class),
                ),
            )
    elif item is None:
        # departmental items are "by department": the provider's own name
        org = active_organization(_get(data, "owner_org") or "")
        if org is None:
            _add(errors, ("catalog_item",), tk._("Missing value"))
        else:
            _set(data, "catalog_item", org.title or org.name)


def _check_region(data: Data, errors: Errors) -> None:
    if _get(data, "region_code") is not None:
        return
    org = active_organization(_get(data, "owner_org") or "")
    division = (org.extras or {}).get("division_code") if org is not None else None
    if division:
        _set(data, "region_code", division)
    else:
        _add(
            errors,
            ("region_code",),
            tk._("Missing value: the provider has no division code to take it from"),
        )


def _check_related(data: Data, errors: Errors, context: dict[str, Any]) -> None:
    raw = _get(data, "related_resource_codes")
    if raw is None:
        return
    related = govcatalog_list_output(raw)
    package = context.get("package")
    own = codes.stored_code(package.id) if package is not None else None
    if own and own in related:
        _add(
            errors,
            ("related_resource_codes",),
            tk._("An entry cannot be related to itself"),
        )
        return
    unknown = [c for c in related if c not in codes.existing_codes(related)]
    if unknown:
        _add(
            errors,
            ("related_resource_codes",),
            tk._("No catalog entry has the resource code {codes}").format(codes=", ".join(unknown)),
        )


def _assign_code(data: Data, errors: Errors, context: dict[str, Any]) -> None:
    if _get(data, "resource_code") is not None or _has_errors(errors):
        return  # an existing entry keeps its code; nothing is allocated for a rejected one
    owner = active_organization(_get(data, "owner_org") or "")
    try:
        code = codes.allocate(
            str(_get(data, "catalog_class")),
            str(_get(data, "catalog_item")),
            _get(data, "catalog_entry"),
            _get(data, "catalog_subentry"),
            owner.id if owner is not None else None,
            numbering=codes.numbering_in(context),  # a bulk check passes its own
        )
    except codes.CodeError as e:
        _add(errors, ("resource_code",), tk._(e.msgid).format(**e.params))
        return
    _set(data, "resource_code", code)


def govcatalog_entry_rules(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The rules of catalog-spec §3 that tie fields together, then the resource code."""
    _check_item(data, errors)
    _check_sharing(data, errors)
    _check_data_items(data, errors)
    _check_region(data, errors)
    _check_related(data, errors, context)
    _assign_code(data, errors, context)
