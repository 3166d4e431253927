"""Scheming validators: every catalog rule of the spec lives here.

Field validators check one value; ``govcatalog_entry_rules`` (the catalog entry schema's
after_validators) checks the rules that tie fields together and hands out the resource code.
Messages are English msgids translated in i18n/src/zh_Hans_CN/catalog.po; every error is keyed
by the field it is about (data item errors by row and subfield), so forms and the API show it
next to the field.

Decision on 不予共享: share_type ``none`` makes open_type ``closed``. An omitted open_type is set
to ``closed``; an explicit other value is rejected (silently changing what the user asked for
would hide a contradiction in their catalog).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing
from ckan.logic import validators as core_validators
from ckanext.scheming.validation import scheming_validator

from ckanext.govcatalog import choices
from ckanext.govcatalog.catalog import codes

Key = tuple[Any, ...]
Errors = dict[Key, list[str]]
Data = dict[Key, Any]

# GB 32100-2015: the 31 characters of the 统一社会信用代码 (no I, O, S, V, Z) and the weights
# 3^i mod 31 of its first 17 positions.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIVISION = re.compile(r"^(\d{6}|\d{12})$")
_DIGITS = re.compile(r"^\d+$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == [] or value == "[]"


# --- single values -------------------------------------------------------------------------


@scheming_validator
def govcatalog_choice(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The value must be one of the field's vocabulary (schemas/vocab/<vocabulary>.yaml)."""
    name = choices.field_vocabulary(field)

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        if str(value) not in choices.values(name):
            raise Invalid(
                tk._('"{value}" is not an allowed value; choose one of: {allowed}').format(
                    value=value, allowed=", ".join(choices.values(name))
                )
            )
        return str(value)

    return validator


@scheming_validator
def govcatalog_multiple_choice(field: dict[str, Any], schema: dict[str, Any]) -> Any:
    """Zero or more values of the field's vocabulary, stored as a JSON list in file order."""
    name = choices.field_vocabulary(field)

    def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
        value = data.get(key)
        if _empty(value):
            if field.get("required"):
                errors[key].append(tk._("Select at least one value"))
            data[key] = "[]" if not field.get("required") else value
            return
        if isinstance(value, str):
            try:
                loaded = json.loads(value)
                value = loaded if isinstance(loaded, list) else [value]
            except ValueError:
                value = [value]
        if not isinstance(value, list):
            errors[key].append(tk._("Expected a list of values"))
            return
        allowed = choices.values(name)
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
    if _empty(value):
        return value
    text = str(value).strip()
    if isinstance(value, bool) or not _DIGITS.match(text) or int(text) <= 0:
        raise Invalid(tk._("Must be a whole number greater than 0"))
    return int(text)


def govcatalog_secret(value: Any) -> Any:
    """Only 非涉密 resources may be cataloged; 涉密 is refused; empty means 非涉密."""
    allowed = choices.values("secret")
    if _empty(value):
        return allowed[0]
    if str(value) in allowed:
        return str(value)
    if str(value) in {e["value"] for e in choices.rejected("secret")}:
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
    if _empty(value):
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
    if _empty(value):
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
        if _empty(value):
            return value
        text = str(value).strip()
        if not _DIGITS.match(text) or (length and len(text) != int(length)):
            if length:
                raise Invalid(tk._("Must be exactly {n} digits").format(n=length))
            raise Invalid(tk._("Must contain digits only"))
        return text

    return validator


def _organization(value: Any) -> model.Group | None:
    group = model.Group.get(str(value))
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def govcatalog_org_name(value: Any) -> Any:
    """An existing organization, given by name or id, stored by name."""
    if _empty(value):
        return value
    group = _organization(value)
    if group is None:
        raise Invalid(tk._('There is no organization "{value}"').format(value=value))
    return group.name


def govcatalog_org_names(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """A list of existing organizations (names or ids), stored as a JSON list of names."""
    value = data.get(key)
    if _empty(value):
        data[key] = "[]"
        return
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
            value = loaded if isinstance(loaded, list) else [value]
        except ValueError:
            value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        errors[key].append(tk._("Expected a list of values"))
        return
    names: list[str] = []
    unknown: list[str] = []
    for v in value:
        group = _organization(v) if not _empty(v) else None
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
    if isinstance(value, list):
        return value
    if _empty(value):
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return loaded if isinstance(loaded, list) else [loaded]


def govcatalog_info_system(value: Any) -> Any:
    """The name (or id) of an existing information system, stored by name."""
    if _empty(value):
        return value
    pkg = model.Package.get(str(value))
    if pkg is None or pkg.type != "info_system" or pkg.state == "deleted":
        raise Invalid(tk._('There is no information system "{value}"').format(value=value))
    return pkg.name


def govcatalog_parent_org(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """An existing organization that is not this one nor below it (the tree has no cycles)."""
    value = data.get(key)
    if _empty(value):
        data[key] = ""
        return
    parent = _organization(value)
    if parent is None:
        errors[key].append(tk._('There is no organization "{value}"').format(value=value))
        return
    this = context.get("group")
    this_id = data.get(("id",)) or (this.id if this is not None else None)
    if this_id:
        from ckanext.govcatalog.catalog import orgs

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


# --- cross-field rules of a catalog entry --------------------------------------------------


def _get(data: Data, name: str) -> Any:
    value = data.get((name,))
    return None if _empty(value) else value


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


def _lang() -> str:
    try:
        return _lang()
    except RuntimeError:  # outside a request (CLI, background jobs)
        return tk.config.get("ckan.locale_default") or "en"


def _add(errors: Errors, key: Key, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _has_errors(errors: Errors) -> bool:
    return any(errors.values())


def _data_item_rows(data: Data) -> list[int]:
    return sorted({k[1] for k in data if len(k) == 3 and k[0] == "data_items"})


def _check_sharing(data: Data, errors: Errors) -> None:
    share_type = _get(data, "share_type")
    share = choices.entry("share_type", share_type) or {}
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
            ).format(value=choices.label("open_type", forced, _lang())),
        )
    elif open_type is None:
        _add(errors, ("open_type",), tk._("Missing value"))

    opened = choices.entry("open_type", open_type) or {}
    if opened.get("requires_condition") and not _get(data, "open_condition"):
        _add(
            errors,
            ("open_condition",),
            tk._("Conditional opening needs its conditions (who may use the data and how)"),
        )


def _check_data_items(data: Data, errors: Errors) -> None:
    fmt = choices.entry("format_category", _get(data, "format_category")) or {}
    rows = _data_item_rows(data)
    filled = [r for r in rows if not _empty(data.get(("data_items", r, "name")))]
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
        if _empty(name):
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
    per_class = [e["value"] for e in choices.entries("catalog_item") if e.get("class") == cls]
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
                    cls=choices.label("catalog_class", cls, _lang()),
                    allowed=", ".join(per_class),
                ),
            )
    elif item is None:
        # departmental items are "by department": the provider's own name
        org = _organization(_get(data, "owner_org") or "")
        if org is None:
            _add(errors, ("catalog_item",), tk._("Missing value"))
        else:
            _set(data, "catalog_item", org.title or org.name)


def _check_region(data: Data, errors: Errors) -> None:
    if _get(data, "region_code") is not None:
        return
    org = _organization(_get(data, "owner_org") or "")
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


def _assign_code(data: Data, errors: Errors) -> None:
    if _get(data, "resource_code") is not None or _has_errors(errors):
        return  # an existing entry keeps its code; nothing is allocated for a rejected one
    owner = _organization(_get(data, "owner_org") or "")
    try:
        code = codes.allocate(
            str(_get(data, "catalog_class")),
            str(_get(data, "catalog_item")),
            _get(data, "catalog_entry"),
            _get(data, "catalog_subentry"),
            owner.id if owner is not None else None,
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
    _assign_code(data, errors)


# --- dataset URL names ---------------------------------------------------------------------------

# (names looked up, those of them taken) while a bulk check runs: see names_known
_known_names: contextvars.ContextVar[tuple[set[str], set[str]] | None] = contextvars.ContextVar(
    "govcatalog_known_names", default=None
)


def live_package_ids(names: list[str]) -> dict[str, str]:
    """``{name: id}`` of the packages, not deleted, that hold these URL names (1,000 names per
    query)."""
    table = model.package_table
    found: dict[str, str] = {}
    for i in range(0, len(names), 1000):
        query = sa.select(table.c.name, table.c.id).where(
            table.c.name.in_(names[i : i + 1000]), table.c.state != model.State.DELETED
        )
        found.update(dict(model.Session.execute(query).all()))
    return found


@contextlib.contextmanager
def names_known(names: list[str]) -> Iterator[None]:
    """Within this block package_name_validator answers for these names from one query, instead
    of one query per row of a file."""
    looked_up = {n for n in names if isinstance(n, str) and n}
    taken = set(live_package_ids(sorted(looked_up)))
    token = _known_names.set((looked_up, taken))
    try:
        yield
    finally:
        _known_names.reset(token)


def _name_taken(key: Key, data: Data, context: dict[str, Any]) -> bool | None:
    """Whether another package holds the name, when that is known without a query."""
    name = data.get(key)
    package = context.get("package")
    if package is not None:
        # package_show's schema pass checks a stored package's own name: package.name is unique,
        # so no other package can hold it
        return False if name == package.name else None
    own_id = data.get((*key[:-1], "id"))
    known = _known_names.get()
    if known is None or (own_id and own_id is not missing) or name not in known[0]:
        return None
    return name in known[1]


def package_name_validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> Any:
    """CKAN's package_name_validator (same errors), without its query when the answer is known
    (see _name_taken): each catalog entry created or indexed asked it once or twice."""
    taken = _name_taken(key, data, context)
    if taken is None:
        return core_validators.package_name_validator(key, data, errors, context)
    if taken:
        errors[key].append(tk._("That URL is already in use."))
    value = data[key]
    if len(value) < core_validators.PACKAGE_NAME_MIN_LENGTH:
        raise Invalid(
            tk._('Name "%s" length is less than minimum %s')
            % (value, core_validators.PACKAGE_NAME_MIN_LENGTH)
        )
    if len(value) > core_validators.PACKAGE_NAME_MAX_LENGTH:
        raise Invalid(
            tk._('Name "%s" length is more than maximum %s')
            % (value, core_validators.PACKAGE_NAME_MAX_LENGTH)
        )


def get_validators() -> dict[str, Any]:
    return {
        # replaces CKAN's own, which it calls whenever it has to ask the database
        "package_name_validator": package_name_validator,
        "govcatalog_choice": govcatalog_choice,
        "govcatalog_multiple_choice": govcatalog_multiple_choice,
        "govcatalog_positive_int": govcatalog_positive_int,
        "govcatalog_secret": govcatalog_secret,
        "govcatalog_org_code": govcatalog_org_code,
        "govcatalog_division_code": govcatalog_division_code,
        "govcatalog_digits": govcatalog_digits,
        "govcatalog_org_name": govcatalog_org_name,
        "govcatalog_org_names": govcatalog_org_names,
        "govcatalog_list_output": govcatalog_list_output,
        "govcatalog_info_system": govcatalog_info_system,
        "govcatalog_parent_org": govcatalog_parent_org,
        "govcatalog_resource_code": govcatalog_resource_code,
        "govcatalog_entry_rules": govcatalog_entry_rules,
    }
