"""The data-element register: create, change, delete and read elements.

Every change checks the whole element first (a refused change writes nothing), then writes the
element, its names (one element per name, see names.fold), a version row with the state after
the change, and an audit-chain record, all in the caller's transaction: the caller commits.
Ids (DE00001 ...) are allocated under a transaction lock and never handed out twice, since rows
of deleted elements stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.catalog import orgs
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.elements import formats, names, terms
from ckanext.govcatalog.elements.binding import BoundItem, bound_items
from ckanext.govcatalog.elements.model import DataElement, DataElementName, DataElementVersion

OBJECT_TYPE = "data_element"
# the fields of an element an editor sets, in the order of the form and of an export
FIELDS = (
    "name",
    "identifier",
    "synonyms",
    "definition",
    "object_class",
    "property",
    "representation",
    "data_type",
    "format",
    "value_rule",
    "code_table",
    "source_org",
    "personal_info",
    "sensitive_personal_info",
    "data_grade",
    "status",
    "replaced_by",
)
_TEXT_FIELDS = ("definition", "object_class", "property", "representation")
_FLAGS = ("personal_info", "sensitive_personal_info")
_ID = re.compile(r"^DE(\d{5,})$")
_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
# pg_advisory_xact_lock key of the register ("govde" in ASCII): ids and names are claimed under it
LOCK_KEY = 0x676F76646500
_MAX_NAME = 100

BoundItems = Callable[[str], list[BoundItem]]


def _session() -> Any:
    return core_model.Session


def _now() -> dt.datetime:
    return dt.datetime.utcnow()


def _lock() -> None:
    _session().execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _refuse(field: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({field: [message]})


# ---- reading ---------------------------------------------------------------------------------


def get(element_id: str, *, include_deleted: bool = False) -> DataElement | None:
    """The element with this id (upper- or lower-case), or None; deleted ones only on request."""
    element = _session().get(DataElement, (element_id or "").strip().upper())
    if element is None or (element.deleted is not None and not include_deleted):
        return None
    return element


def require(element_id: str) -> DataElement:
    """The live element with this id; ObjectNotFound naming the id otherwise."""
    element = get(element_id)
    if element is None:
        raise tk.ObjectNotFound(tk._("Unknown data element {id}").format(id=element_id))
    return element


def bindable(element_id: str, *, kept: bool = False) -> DataElement:
    """The element a data item may bind to: published, not deprecated, not deleted. ``kept``:
    the binding exists already (the stored entry holds it), so a deprecated element stays bound;
    deprecating retires an element for new bindings only (the element_status vocabulary).

    Raises ValidationError (key ``element_id``) naming the element otherwise.
    """
    element = get(element_id)
    if element is None:
        raise _refuse("element_id", tk._("Unknown data element {id}").format(id=element_id))
    label = f"{element.id} {element.name}"
    retired = element.status in terms.retired_statuses()
    if retired and kept:
        return element
    if retired:
        message = tk._("Data element {element} is deprecated").format(element=label)
        raise _refuse("element_id", message + _successor_note(element))
    if element.status not in terms.public_statuses():
        raise _refuse(
            "element_id",
            tk._("Data element {element} is not published yet").format(element=label),
        )
    return element


def _successor_note(element: DataElement) -> str:
    """The pointer to an element's successor (「；请改用 DE… 名称」), or "" when it names none:
    one wording for a refused binding and for the deprecation warning."""
    if not element.replaced_by:
        return ""
    replacement = get(element.replaced_by)
    return tk._("; use {element} instead").format(
        element=f"{element.replaced_by} {replacement.name if replacement else ''}".strip()
    )


def _live() -> Any:
    return sa.select(DataElement).where(DataElement.deleted.is_(None))


def search(
    q: str | None = None,
    statuses: Iterable[str] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[DataElement]]:
    """(count, elements in id order) of live elements matching ``q`` (id, identifier, name,
    synonyms, definition) with one of ``statuses`` (all when None)."""
    query = _live()
    if statuses is not None:
        query = query.where(DataElement.status.in_(list(statuses)))
    text = (q or "").strip()
    if text:
        like = f"%{text}%"
        query = query.where(
            sa.or_(
                DataElement.id.ilike(like),
                DataElement.identifier.ilike(like),
                DataElement.name.ilike(like),
                sa.cast(DataElement.synonyms, sa.UnicodeText).ilike(like),
                DataElement.definition.ilike(like),
            )
        )
    session = _session()
    count = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(DataElement.id).limit(limit).offset(offset)).scalars()
    return count, list(rows)


def all_live(statuses: Iterable[str] | None = None) -> list[DataElement]:
    query = _live()
    if statuses is not None:
        query = query.where(DataElement.status.in_(list(statuses)))
    return list(_session().execute(query.order_by(DataElement.id)).scalars())


def versions(element_id: str) -> list[DataElementVersion]:
    """The versions of an element, newest first."""
    query = (
        sa.select(DataElementVersion)
        .where(DataElementVersion.element_id == element_id)
        .order_by(DataElementVersion.version.desc())
    )
    return list(_session().execute(query).scalars())


def generation() -> tuple[int, str]:
    """Changes whenever the register changes (for caches built from it)."""
    count, last = (
        _session().execute(sa.select(sa.func.count(), sa.func.max(DataElement.modified))).one()
    )
    return count, last.isoformat() if last else ""


def state(element: DataElement) -> dict[str, Any]:
    """The editable fields of an element, with its id and version."""
    data = {field: getattr(element, field) for field in FIELDS}
    data["synonyms"] = list(element.synonyms or [])
    data["id"] = element.id
    data["version"] = element.version
    return data


def dictize(element: DataElement) -> dict[str, Any]:
    data = state(element)
    data.update(
        created=element.created.isoformat(),
        modified=element.modified.isoformat(),
        deleted=element.deleted.isoformat() if element.deleted else None,
        source_org_name=None,
        source_org_title=None,
    )
    if element.source_org:
        org = core_model.Group.get(element.source_org)
        if org is not None:
            data.update(source_org_name=org.name, source_org_title=org.title)
    return data


def dictize_version(row: DataElementVersion) -> dict[str, Any]:
    return {
        "element_id": row.element_id,
        "version": row.version,
        "created": row.created.isoformat(),
        "actor": row.actor,
        "change": row.change,
        "changed_fields": list(row.changed_fields or []),
        "data": dict(row.data or {}),
    }


# ---- checking one element --------------------------------------------------------------------


def generated_identifier(name: str, taken: Callable[[str], bool]) -> str:
    """Pinyin initials of the name, with a number added when another element has them."""
    base = names.initials(name)[:36] or "DE"
    if not base[0].isalpha():
        base = "E" + base
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _identifier_taken(identifier: str, element_id: str | None) -> bool:
    query = sa.select(DataElement.id).where(DataElement.identifier == identifier)
    if element_id:
        query = query.where(DataElement.id != element_id)
    return _session().execute(query.limit(1)).first() is not None


def _organization_id(value: str) -> str | None:
    org = orgs.active_org(value)
    return org.id if org is not None else None


def _synonym_list(value: Any) -> list[str]:
    found: list[str] = []
    for item in as_list(value, split=True):
        text = str(item).strip()
        if text and text not in found:
            found.append(text)
    return found


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def clean(data: dict[str, Any], element_id: str | None = None) -> dict[str, Any]:
    """All editable fields of an element, checked and normalised; ValidationError listing every
    problem otherwise. ``element_id`` is the element being changed (None for a new one)."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    out: dict[str, Any] = {}
    name = _text(data.get("name"))
    if not name:
        err("name", tk._("Missing value"))
    elif len(name) > _MAX_NAME:
        err("name", tk._("A name has at most {n} characters").format(n=_MAX_NAME))
    out["name"] = name

    synonyms = [
        s for s in _synonym_list(data.get("synonyms")) if names.fold(s) != names.fold(name or "")
    ]
    too_long = [s for s in synonyms if len(s) > _MAX_NAME]
    if too_long:
        err("synonyms", tk._("A name has at most {n} characters").format(n=_MAX_NAME))
    out["synonyms"] = synonyms

    identifier = (_text(data.get("identifier")) or "").upper()
    if identifier and not _IDENTIFIER.match(identifier):
        err(
            "identifier",
            tk._("An identifier is upper-case letters, digits and _ , starting with a letter"),
        )
    elif identifier and _identifier_taken(identifier, element_id):
        err(
            "identifier",
            tk._("Identifier {identifier} is used by another data element").format(
                identifier=identifier
            ),
        )
    out["identifier"] = identifier or None

    for field in _TEXT_FIELDS:
        out[field] = _text(data.get(field))

    data_type = (_text(data.get("data_type")) or "").upper()
    if data_type not in terms.values(terms.DATA_TYPE):
        err("data_type", tk._("Unknown data type {value}").format(value=data_type or "—"))
    out["data_type"] = data_type

    fmt_text = (_text(data.get("format")) or "").lower()
    fmt = formats.parse_format(fmt_text)
    if fmt is None:
        err(
            "format",
            tk._("Unknown representation format {value} (e.g. c18, c..50, n..18,2, d8)").format(
                value=fmt_text or "—"
            ),
        )
    elif data_type in terms.values(terms.DATA_TYPE) and not formats.type_fits_format(
        data_type, fmt
    ):
        err(
            "format",
            tk._("Format {format} does not suit data type {data_type}").format(
                format=fmt_text, data_type=data_type
            ),
        )
    out["format"] = fmt_text

    value_rule = _text(data.get("value_rule"))
    code_table = _text(data.get("code_table"))
    if value_rule and value_rule not in terms.values(terms.VALUE_RULE):
        err("value_rule", tk._("Unknown value rule {value}").format(value=value_rule))
    if code_table and code_table not in terms.values(terms.CODE_TABLE):
        err("code_table", tk._("Unknown code table {value}").format(value=code_table))
    if value_rule and code_table:
        err("code_table", tk._("A value domain is either a rule or a code table, not both"))
    out["value_rule"], out["code_table"] = value_rule, code_table

    source = _text(data.get("source_org"))
    out["source_org"] = None
    if source:
        out["source_org"] = _organization_id(source)
        if out["source_org"] is None:
            err("source_org", tk._("Unknown organization {value}").format(value=source))

    for flag in _FLAGS:
        try:
            out[flag] = tk.asbool(data.get(flag) or False)
        except ValueError:
            err(flag, tk._("Must be true or false"))
            out[flag] = False
    # sensitive personal information is personal information
    out["personal_info"] = out["personal_info"] or out["sensitive_personal_info"]

    grade = _text(data.get("data_grade")) or terms.default_grade()
    if grade not in terms.values(terms.DATA_GRADE):
        err("data_grade", tk._("Unknown data grade {value}").format(value=grade))
    out["data_grade"] = grade

    status = _text(data.get("status")) or terms.default_status()
    if status not in terms.values(terms.STATUS):
        err("status", tk._("Unknown status {value}").format(value=status))
    out["status"] = status

    replaced_by = (_text(data.get("replaced_by")) or "").upper() or None
    if replaced_by:
        if replaced_by == element_id:
            err("replaced_by", tk._("A data element cannot replace itself"))
        elif get(replaced_by) is None:
            err("replaced_by", tk._("Unknown data element {id}").format(id=replaced_by))
    out["replaced_by"] = replaced_by

    if name:
        _check_names(name, synonyms, element_id, err)
    if errors:
        raise tk.ValidationError(errors)
    return out


def _check_names(
    name: str, synonyms: list[str], element_id: str | None, err: Callable[[str, str], None]
) -> None:
    """Every name and synonym belongs to no other element (and to this one only once)."""
    keys: dict[str, str] = {}
    for text in [name, *synonyms]:
        key = names.fold(text)
        if key in keys:
            err("synonyms", tk._("{a} and {b} are the same name").format(a=keys[key], b=text))
        keys[key] = text
    if not keys:
        return
    owners = _session().execute(
        sa.select(DataElementName.key, DataElementName.element_id, DataElement.name)
        .join(DataElement, DataElement.id == DataElementName.element_id)
        .where(DataElementName.key.in_(list(keys)))
    )
    for key, owner_id, owner_name in owners:
        if owner_id == element_id:
            continue
        field = "name" if keys[key] == name else "synonyms"
        err(
            field,
            tk._("The name {name} already belongs to data element {element}").format(
                name=keys[key], element=f"{owner_id} {owner_name}"
            ),
        )


# ---- changing --------------------------------------------------------------------------------


def _allocate_id() -> str:
    numbers = _session().execute(sa.select(DataElement.id)).scalars()
    highest = max((int(m.group(1)) for m in map(_ID.match, numbers) if m), default=0)
    return f"DE{highest + 1:05d}"


def _write_names(element: DataElement) -> None:
    session = _session()
    session.execute(sa.delete(DataElementName).where(DataElementName.element_id == element.id))
    if element.deleted is not None:
        return
    for text in [element.name, *(element.synonyms or [])]:
        session.add(DataElementName(key=names.fold(text), element_id=element.id, name=text))


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(audit_log.normalize(data), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(element: DataElement, change: str, changed: list[str], actor: str | None) -> None:
    data = audit_log.normalize(state(element))
    _session().add(
        DataElementVersion(
            element_id=element.id,
            version=element.version,
            created=element.modified,
            actor=actor,
            change=change,
            changed_fields=changed,
            data=data,
        )
    )
    audit_log.append(
        f"data_element_{change}",
        OBJECT_TYPE,
        element.id,
        {
            "name": element.name,
            "version": element.version,
            "changed": changed,
            "digest": _digest(data),
        },
        actor=actor,
    )


def create(data: dict[str, Any], actor: str | None, element_id: str | None = None) -> DataElement:
    """A new element from ``data`` (FIELDS), with ``element_id`` when given (an import keeping the
    ids of another register), else the next free id. The caller commits."""
    _lock()
    if element_id is not None:
        element_id = element_id.strip().upper()
        if not _ID.match(element_id):
            raise _refuse(
                "id",
                tk._("A data element id is DE followed by digits, not {id}").format(id=element_id),
            )
        if _session().get(DataElement, element_id) is not None:
            raise _refuse("id", tk._("Data element {id} exists already").format(id=element_id))
    clean_data = clean(data, element_id)
    element_id = element_id or _allocate_id()
    if not clean_data["identifier"]:
        clean_data["identifier"] = generated_identifier(
            clean_data["name"], lambda value: _identifier_taken(value, None)
        )
    now = _now()
    element = DataElement(id=element_id, version=1, created=now, modified=now, **clean_data)
    _session().add(element)
    _session().flush()
    _write_names(element)
    _record(
        element,
        "create",
        sorted(k for k, v in clean_data.items() if v not in (None, [], False)),
        actor,
    )
    _session().flush()
    return element


def update(element_id: str, changes: dict[str, Any], actor: str | None) -> DataElement:
    """Change the fields of ``changes`` (others keep their values); no version when nothing
    changes. The caller commits."""
    _lock()
    element = require(element_id)
    before = state(element)
    merged = {field: changes[field] if field in changes else before[field] for field in FIELDS}
    if "identifier" in changes and not _text(changes.get("identifier")):
        merged["identifier"] = before["identifier"]  # an identifier is never emptied
    # a source organization stays as its id, which clean resolves like a name
    clean_data = clean(merged, element.id)
    changed = [field for field in FIELDS if clean_data[field] != before[field]]
    if not changed:
        return element
    for field in changed:
        setattr(element, field, clean_data[field])
    element.version += 1
    element.modified = _now()
    _session().flush()
    _write_names(element)
    _record(element, "update", changed, actor)
    _session().flush()
    return element


def _shown_items(items: list[BoundItem], most: int = 5) -> str:
    shown = "、".join(f"{i.package_title}: {i.item_name}" for i in items[:most])
    more = len(items) - most
    return shown + (f" … (+{more})" if more > 0 else "")


def retirement_warning(
    element: DataElement, before_status: str | None, bound: BoundItems = bound_items
) -> str | None:
    """What deprecating a still-bound element leaves: its bindings stay (only new ones are
    refused), so the editor is told how many items of how many entries hold it, naming them,
    and its successor when it names one; None when the change did not deprecate it or nothing
    is bound to it. The update action and ``elements import`` both give it."""
    retired = terms.retired_statuses()
    if element.status not in retired or before_status in retired:
        return None
    items = bound(element.id)
    if not items:
        return None
    return tk._(
        "Data element {element} is deprecated while {n} data items of {entries} entries are "
        "bound to it ({items}): those bindings stay, no new data item may bind to it"
    ).format(
        element=f"{element.id} {element.name}",
        n=len(items),
        entries=len({i.package_id for i in items}),
        items=_shown_items(items),
    ) + _successor_note(element)


def delete(element_id: str, actor: str | None, bound: BoundItems = bound_items) -> DataElement:
    """Delete an element no data item is bound to; its id and versions stay. ``bound`` lists the
    items bound to an element (binding.bound_items). The caller commits."""
    _lock()
    element = require(element_id)
    items = bound(element.id)
    if items:
        raise _refuse(
            "id",
            tk._(
                "Data element {element} cannot be deleted: {n} data items are bound to it ({items})"
            ).format(
                element=f"{element.id} {element.name}",
                n=len(items),
                items=_shown_items(items),
            ),
        )
    element.deleted = element.modified = _now()
    element.version += 1
    _session().flush()
    _write_names(element)
    _record(element, "delete", [], actor)
    _session().flush()
    return element
