"""Validators the catalog schema names for data-element binding and grading.

The catalog floor knows nothing of elements: schemas/catalog_entry.yaml lists
``govcatalog_element_ref`` on the data items' ``element_id`` subfield and
``govcatalog_element_rules`` among its ``after_validators`` (before ``govcatalog_entry_rules``,
so that a refused entry is given no resource code). They run on create, update and import alike,
since all three validate through the schema.
"""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog.catalog.field_rules import Data, Errors, Key, is_empty
from ckanext.govcatalog.elements import binding, grading


def govcatalog_element_ref(value: Any) -> Any:
    """A data item's element: the id out of what was typed (DE00001, DE00001 公民身份号码, the
    element's name); empty stays empty. Whether it may be bound is checked with the whole row."""
    if is_empty(value):
        return value
    return binding.element_ref(value)


def _value(data: Data, key: Key) -> Any:
    value = data.get(key)
    return None if is_empty(value) else value


def _length(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # its own validator has refused it


def govcatalog_element_rules(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """Each bound data item's element exists, is published (or deprecated and bound already)
    and fits the item's type and length; then the entry's grade, share and open types keep the
    grading rules of what it holds."""
    rows = sorted({k[1] for k in data if len(k) == 3 and k[0] == "data_items"})
    held: list[grading.HeldElement] = []
    # bindings the stored entry holds (package_update puts it in the context): a deprecated
    # element stays bound to as many items as before, a new binding to it is refused
    kept = binding.stored_bindings(context.get("package"))
    for r in rows:
        element_id = _value(data, ("data_items", r, "element_id"))
        name = _value(data, ("data_items", r, "name"))
        if element_id is None or name is None:
            continue
        element_key = str(element_id).upper()
        element, problem = binding.check_item(
            r + 1,
            str(name),
            _value(data, ("data_items", r, "data_type")),
            _length(_value(data, ("data_items", r, "length"))),
            str(element_id),
            kept=kept[element_key] > 0,
        )
        if element is not None and kept[element_key] > 0:
            kept[element_key] -= 1
        if problem:
            errors.setdefault(("data_items", r, "element_id"), []).append(problem)
        elif element is not None:
            held.append(binding.held(r + 1, str(name), element))
    for breach in grading.breaches(
        held,
        _value(data, ("share_type",)),
        _value(data, ("open_type",)),
        _value(data, ("data_grade",)),
    ):
        errors.setdefault((breach.field,), []).append(breach.message)


def get_validators() -> dict[str, Any]:
    return {
        "govcatalog_element_ref": govcatalog_element_ref,
        "govcatalog_element_rules": govcatalog_element_rules,
    }
