"""Field rules of the catalog schemas: scheming validators that check one value.

A value of a vocabulary (schemas/vocab/), a 统一社会信用代码, a division code, an organization or
information system that exists, the organization tree without cycles, and the resource code that
no one types in. Rules that tie fields of an entry together are in entry_rules.py; validators.py
registers both. Messages are English msgids translated in i18n/src/zh_Hans_CN/catalog.po.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from ckanext.govcatalog import vocab
from ckanext.govcatalog.catalog import codes, orgs
from ckanext.govcatalog.catalog.fields import as_list

Key = tuple[Any, ...]
Errors = dict[Key, list[str]]
Data = dict[Key, Any]

# GB 32100-2015: the 31 characters of the 统一社会信用代码 (no I, O, S, V, Z) and the weights
# 3^i mod 31 of its first 17 positions.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIVISION = re.compile(r"^(\d{6}|\d{12})$")
_DIGITS = re.compile(r"^\d+$")


def is_empty(value: Any) -> bool:
    """Nothing given: missing, None, an empty text or an empty list (or its JSON)."""
    return value is missing or value is None or value == "" or value == [] or value == "[]"


def active_organization(value: Any) -> model.Group | None:
    """The active organization of this name or id, or None."""
    return orgs.active_org(str(value))


@scheming_validator
def govcatalog_choice(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The value must be one of the field's vocabulary (schemas/vocab/<vocabulary>.yaml)."""
    name = vocab.field_vocabulary(field)

    def validator(value: Any) -> Any:
        if is_empty(value):
            return value
        if str(value) not in vocab.values(name):
            raise Invalid(
                tk._('"{value}" is not an allowed value; choose one of: {allowed}').format(
                    value=value, allowed=", ".join(vocab.values(name))
                )
            )
        return str(value)

    return validator


@scheming_validator
def govcatalog_multiple_choice(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Zero or more values of the field's vocabulary, stored as a JSON list in file order."""
    name = vocab.field_vocabulary(field)

    def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
        value = data.get(key)
        if is_empty(value):
            if field.get("required"):
                errors[key].append(tk._("Select at least one value"))
            data[key] = "[]" if not field.get("required") else value
            return
        if isinstance(value, str):
            value = as_list(value)
        if not isinstance(value, list):
            errors[key].append(tk._("Expected a list of values"))
            return
        allowed = vocab.values(name)
        bad = [str(v) for v in value if str(v) not in allowed]
        if bad:
            errors[key].append(
                tk._('"{value}" is not an allowed value; choose one of: {allowed}').format(
                    value=", ".join(bad), allowed=", ".join(allowed)
                )
            )
            return
        picked = {str(v) for v in value}
        data[key] = json.dumps([v for v in allowed if v in picked], ensure_ascii=False)

    return validator


def govcatalog_positive_int(value: Any) -> Any:
    """A whole number greater than zero (data item lengths, in bytes)."""
    if is_empty(value):
        return value
    text = str(value).strip()
    if isinstance(value, bool) or not _DIGITS.match(text) or int(text) <= 0:
        raise Invalid(tk._("Must be a whole number greater than 0"))
    return int(text)


def govcatalog_secret(value: Any) -> Any:
    """Only 非涉密 resources may be cataloged; 涉密 is refused; empty means 非涉密."""
    allowed = vocab.values("secret")
    if is_empty(value):
        return allowed[0]
    if str(value) in allowed:
        return str(value)
    if str(value) in {e["value"] for e in vocab.rejected("secret")}:
        raise Invalid(
            tk._(
                "Classified (涉密) resources may not be cataloged here; "
                "only non-classified resources are allowed"
            )
        )
    raise Invalid(
        tk._('"{value}" is not an allowed value; choose one of: {allowed}').format(
            value=value, allowed=", ".join(allowed)
        )
    )


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def govcatalog_org_code(value: Any) -> Any:
    """统一社会信用代码: 18 characters of the GB 32100 set with a valid check character."""
    if is_empty(value):
        return value
    code = str(value).strip().upper()
    if len(code) != 18:
        raise Invalid(
            tk._("The unified social credit code must have 18 characters, not {n}").format(
                n=len(code)
            )
        )
    bad = sorted({c for c in code if c not in _USCC_CHARS})
    if bad:
        raise Invalid(
            tk._(
                "The unified social credit code contains characters that are not allowed: "
                "{chars} (I, O, S, V and Z are never used)"
            ).format(chars=" ".join(bad))
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise Invalid(
            tk._(
                "The check character of the unified social credit code is wrong "
                "(GB 32100): it should be {expected}, not {given}"
            ).format(expected=expected, given=code[17])
        )
    return code


def govcatalog_division_code(value: Any) -> Any:
    """行政区划代码: 6 digits (GB/T 2260) or the 12-digit statistical code."""
    if is_empty(value):
        return value
    code = str(value).strip()
    if not _DIVISION.match(code):
        raise Invalid(
            tk._(
                "An administrative division code has 6 digits (e.g. 610922) or 12 digits "
                "(e.g. 610922100000)"
            )
        )
    return code


def govcatalog_digits(length: int | None = None) -> Any:
    """Digits only, optionally of an exact length (目 and 细目 of the classification code)."""

    def validator(value: Any) -> Any:
        if is_empty(value):
            return value
        text = str(value).strip()
        if not _DIGITS.match(text) or (length and len(text) != int(length)):
            if length:
                raise Invalid(tk._("Must be exactly {n} digits").format(n=length))
            raise Invalid(tk._("Must contain digits only"))
        return text

    return validator


def govcatalog_org_name(value: Any) -> Any:
    """An existing organization, given by name or id, stored by name."""
    if is_empty(value):
        return value
    group = active_organization(value)
    if group is None:
        raise Invalid(tk._('There is no organization "{value}"').format(value=value))
    return group.name


def govcatalog_org_names(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """A list of existing organizations (names or ids), stored as a JSON list of names."""
    value = data.get(key)
    if is_empty(value):
        data[key] = "[]"
        return
    if isinstance(value, str):
        value = as_list(value, split=True)
    if not isinstance(value, list):
        errors[key].append(tk._("Expected a list of values"))
        return
    names: list[str] = []
    unknown: list[str] = []
    for v in value:
        group = active_organization(v) if not is_empty(v) else None
        if group is None:
            unknown.append(str(v))
        elif group.name not in names:
            names.append(group.name)
    if unknown:
        errors[key].append(
            tk._('There is no organization "{value}"').format(value=", ".join(unknown))
        )
        return
    data[key] = json.dumps(names)


def govcatalog_list_output(value: Any) -> Any:
    """A stored JSON list back as a list."""
    return [] if is_empty(value) else as_list(value)


def govcatalog_info_system(value: Any) -> Any:
    """The name (or id) of an existing information system, stored by name."""
    if is_empty(value):
        return value
    pkg = model.Package.get(str(value))
    if pkg is None or pkg.type != "info_system" or pkg.state == "deleted":
        raise Invalid(tk._('There is no information system "{value}"').format(value=value))
    return pkg.name


def govcatalog_parent_org(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """An existing organization that is not this one nor below it (the tree has no cycles)."""
    value = data.get(key)
    if is_empty(value):
        data[key] = ""
        return
    parent = active_organization(value)
    if parent is None:
        errors[key].append(tk._('There is no organization "{value}"').format(value=value))
        return
    this = context.get("group")
    this_id = data.get(("id",)) or (this.id if this is not None else None)
    if this_id:
        this_group = model.Group.get(this_id)
        if this_group is not None and (
            parent.id == this_group.id or parent.name in orgs.descendant_org_names(this_group.name)
        ):
            errors[key].append(
                tk._("An organization cannot be placed under itself or one of its own units")
            )
            return
    data[key] = parent.name


def govcatalog_resource_code(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The code is not typed in: a new entry receives one (govcatalog_entry_rules) and an
    existing entry keeps the one it has, whatever the submitted value."""
    package = context.get("package")
    stored = codes.stored_code(package.id if package is not None else data.get(("id",)))
    if stored:
        data[key] = stored
    else:
        data[key] = missing
        raise StopOnError
