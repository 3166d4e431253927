"""Server-side help for the entry form: its sections, and the data-item grid's paste.

A department's entry often has 20-80 data items, which officers keep in Excel. The grid lets them
paste rows copied from a sheet (tab-separated, with or without a header row); this module turns
such a paste into rows of the ``data_items`` field or refuses it row by row with the reason
(wrong number of columns, unknown data type, an over-long name): nothing is truncated and
nothing is saved, since the form is still validated as a whole when it is submitted.

The columns, their labels and vocabularies come from the ``data_items`` field of the schema; the
longest name is the name subfield's ``max_length`` key in schemas/catalog_entry.yaml, enforced on
save by ``govcatalog_max_length``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model as core_model
from ckan.lib.navl.dictization_functions import Invalid, StopOnError, missing

from ckanext.govcatalog import vocab
from ckanext.govcatalog.access import policy

GRID_FIELD = "data_items"


def _(s: str) -> str:
    """Marks a msgid for extraction; translated when the sections are built."""
    return s


# The form's sections in order: (anchor, English title, English summary, field names). A field of
# the schema that no section names goes to the first one, so a new field is never lost.
SECTIONS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "basic",
        _("Basic information"),
        _("Name, URL, abstract, provider and format of the resource"),
        ("title", "name", "notes", "owner_org", "format_category", "format_type"),
    ),
    (
        "classification",
        _("Classification and code"),
        _("Class, item, entry and sub-entry of the catalog; the resource code follows from them"),
        ("catalog_class", "catalog_item", "catalog_entry", "catalog_subentry", "region_code"),
    ),
    (
        "items",
        _("Data items"),
        _("The columns of the resource: paste them from Excel or type them in the grid"),
        ("data_items",),
    ),
    (
        "sharing",
        _("Sharing and opening"),
        _("Share type, conditions and mode; open type and conditions; grade and classification"),
        (
            "share_type",
            "share_condition",
            "share_mode",
            "open_type",
            "open_condition",
            "data_grade",
            "secret",
        ),
    ),
    (
        "upkeep",
        _("Updates and responsibility"),
        _("Update cycle, dates, source department and the steward to contact"),
        (
            "update_cycle",
            "publish_date",
            "last_data_update",
            "temporal_coverage",
            "source_org",
            "steward",
        ),
    ),
    (
        "links",
        _("Links"),
        _("Source information system, related resources, themes and keywords"),
        ("source_system", "related_resource_codes", "theme", "tag_string", "license_id"),
    ),
]


def form_sections(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema's form fields grouped by section: ``[{id, title, summary, fields}]``, sections
    without a field left out. Fields keep the schema's order inside a section."""
    placed = {name: i for i, (_id, _t, _s, names) in enumerate(SECTIONS) for name in names}
    grouped: list[list[dict[str, Any]]] = [[] for _s in SECTIONS]
    for f in fields:
        grouped[placed.get(f["field_name"], 0)].append(f)
    return [
        {"id": sid, "title": tk._(title), "summary": tk._(summary), "fields": group}
        for (sid, title, summary, _n), group in zip(SECTIONS, grouped, strict=True)
        if group
    ]


# --- the data-item grid ----------------------------------------------------------------------


def _schema_field(dataset_type: str = "dataset", name: str = GRID_FIELD) -> dict[str, Any]:
    schema = tk.h.scheming_get_dataset_schema(dataset_type) or {}
    for f in schema.get("dataset_fields", []):
        if f["field_name"] == name:
            return f
    raise KeyError(f"schema {dataset_type!r} has no field {name!r}")


def grid_columns(dataset_type: str = "dataset") -> list[dict[str, Any]]:
    """The subfields of the data-item field, i.e. the grid's columns in order."""
    return list(_schema_field(dataset_type).get("repeating_subfields", []))


def name_max_length(dataset_type: str = "dataset") -> int | None:
    """The longest data-item name the schema allows (its ``max_length``), or None."""
    for column in grid_columns(dataset_type):
        if column["field_name"] == "name" and column.get("max_length"):
            return int(column["max_length"])
    return None


def _column_vocabulary(column: dict[str, Any]) -> str | None:
    if column.get("preset") not in ("govcatalog_select",) and not column.get("vocabulary"):
        return None
    return vocab.field_vocabulary(column)


def _header_names(column: dict[str, Any]) -> set[str]:
    label = column.get("label")
    texts = label.values() if isinstance(label, dict) else [label]
    names = {column["field_name"], *(str(t) for t in texts if t)}
    return {n.strip().lower() for n in names}


def _choice_lookup(name: str) -> dict[str, str]:
    """Everything an officer may type for a value of vocabulary ``name`` -> the value: the code,
    each label, and the label without its leading code (``C 字符型`` -> ``字符型``)."""
    out: dict[str, str] = {}
    for e in vocab.entries(name):
        out[e["value"].lower()] = e["value"]
        label = e.get("label")
        for text in label.values() if isinstance(label, dict) else [label]:
            if not text:
                continue
            text = str(text).strip()
            out[text.lower()] = e["value"]
            head, _sep, rest = text.partition(" ")
            if rest and head == e["value"]:
                out[rest.strip().lower()] = e["value"]
    return out


@dataclass
class PastedGrid:
    """The outcome of a paste: the rows taken (subfield -> value) and the refused ones."""

    rows: list[dict[str, str]] = field(default_factory=list)
    # {"row": number in the paste (1-based, counting the header), "column": subfield or None,
    #  "message": the reason}
    errors: list[dict[str, Any]] = field(default_factory=list)
    header: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "errors": self.errors, "header": self.header}


def _split_lines(text: str) -> list[list[str]]:
    """Tab-separated rows as Excel copies them; a quoted cell may hold tabs or line breaks."""
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    quoted = False
    i = 0
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = True
        elif ch == "\t":
            row.append("".join(cell))
            cell = []
        elif ch == "\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell))
        rows.append(row)
    return [r for r in rows if any(c.strip() for c in r)]


def parse_grid_paste(text: str, dataset_type: str = "dataset") -> PastedGrid:
    """Rows of the data-item grid from a paste, or the reason each refused row is refused."""
    columns = grid_columns(dataset_type)
    lines = _split_lines(text or "")
    result = PastedGrid()
    if not lines:
        return result

    order = [c["field_name"] for c in columns]
    by_header = {n: c["field_name"] for c in columns for n in _header_names(c)}
    first = [c.strip().lower() for c in lines[0]]
    if first and all(c in by_header for c in first if c) and any(first):
        result.header = True
        order = [by_header.get(c, "") for c in first]
    by_name = {c["field_name"]: c for c in columns}
    lookups = {n: _choice_lookup(v) for n, c in by_name.items() if (v := _column_vocabulary(c))}
    max_name = name_max_length(dataset_type)

    # rows copied from sheets made before a trailing ``grid_optional`` column existed (the data
    # element) may leave it out
    shortest = len(order)
    if not result.header:
        while shortest and by_name[order[shortest - 1]].get("grid_optional"):
            shortest -= 1
    for number, cells in enumerate(lines, start=1):
        if result.header and number == 1:
            continue
        row_order = order[: len(cells)] if shortest <= len(cells) < len(order) else order
        if len(cells) != len(row_order):
            result.errors.append(
                {
                    "row": number,
                    "column": None,
                    "message": tk._("{n} columns where the grid has {expected}").format(
                        n=len(cells), expected=len(order)
                    ),
                }
            )
            continue
        row: dict[str, str] = {}
        row_errors: list[dict[str, Any]] = []
        for name, raw in zip(row_order, cells, strict=True):  # lengths checked above
            value = raw.strip()
            if not name:
                continue
            column = by_name[name]
            label = vocab.label_text(column.get("label")) or name
            if name in lookups and value:
                code = lookups[name].get(value.lower())
                if code is None:
                    row_errors.append(
                        {
                            "row": number,
                            "column": name,
                            "message": tk._("{field}: unknown value \u201c{value}\u201d").format(
                                field=label, value=value
                            ),
                        }
                    )
                    continue
                value = code
            if name == "name" and max_name and len(value) > max_name:
                row_errors.append(
                    {
                        "row": number,
                        "column": name,
                        "message": tk._(
                            "{field}: {n} characters, at most {max} are allowed"
                        ).format(field=label, n=len(value), max=max_name),
                    }
                )
                continue
            row[name] = value
        if row_errors:
            result.errors.extend(row_errors)
        else:
            result.rows.append(row)
    return result


# --- validator, action, auth, helpers ----------------------------------------------------------


def govcatalog_max_length(limit: int | str) -> Any:
    """At most ``limit`` characters: refused, never truncated."""
    maximum = int(limit)

    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > maximum:
            raise Invalid(
                tk._("{n} characters, at most {max} are allowed").format(n=len(value), max=maximum)
            )
        return value

    return validator


def govcatalog_link_field(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """A link field (source_system) as its editor was served it: a link to an entry they may not
    see reached them blank (access policy.hidden_link), so left blank or out it is kept, not
    dropped; and a new link may name only an entry they may see (refused as an unknown name
    otherwise, so the refusal confirms nothing). CKAN's own calls (ignore_auth) are trusted."""
    if context.get("ignore_auth"):
        return
    value = data.get(key)
    pkg = context.get("package")  # package_update's entry (a create has none of its own)
    if not isinstance(pkg, core_model.Package) or pkg.id != data.get(("id",)):
        pkg = None
    if value is missing or value is None or value == "":
        # the viewer is read only when there is a stored link to keep: a bulk import of new
        # entries without the field reads no user per row
        if pkg is not None:
            viewer = policy.viewer_from_context(context)
            stored = policy.hidden_link(viewer, pkg, str(key[-1]))
            if stored:
                data[key] = stored
        return
    # the stored hidden link is refused too, else an editor could guess it by trying names
    viewer = policy.viewer_from_context(context)
    if isinstance(value, str) and not policy.sees_link(viewer, policy.entry_for_id(value)):
        errors[key].append(tk._('There is no information system "{value}"').format(value=value))
        raise StopOnError


def govcatalog_visible_link_choices(field: dict[str, Any]) -> list[str]:
    """The values of a link field's choices (its choices_helper lists every information system,
    for the import workbooks too, which cut them per reader themselves) that the current user
    may see: the form names no other department's private system."""
    from ckanext.scheming.helpers import scheming_field_choices

    viewer = policy.viewer_for(tk.current_user, with_grants=False)  # grants open no metadata
    return policy.visible_links(
        viewer, [str(c["value"]) for c in scheming_field_choices(field) or []]
    )


def govcatalog_hidden_link_note(data: dict[str, Any] | None, field_name: str) -> str:
    """The form's note under a link field whose stored link the editor may not see (served blank,
    kept on save), or "" (no link, or one they see). The linked entry is not named."""
    package_id = (data or {}).get("id")
    pkg = core_model.Package.get(package_id) if package_id else None
    if policy.hidden_link(policy.viewer_for(tk.current_user), pkg, field_name) is None:
        return ""
    return tk._(
        "Linked to another department's information system, which you may not see. Saving keeps"
        " the link; choosing a system replaces it."
    )


def govcatalog_data_items_paste(context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """Rows of the data-item grid from text pasted out of a spreadsheet.

    :param text: the pasted text (tab-separated rows, optionally a header row)
    :param dataset_type: the schema whose data-item field is meant (default ``dataset``)
    :returns: ``{rows: [{subfield: value}], errors: [{row, column, message}], header}``
    """
    tk.check_access("govcatalog_data_items_paste", context, data_dict)
    text = data_dict.get("text")
    if not isinstance(text, str):
        raise tk.ValidationError({"text": [tk._("Missing value")]})
    try:
        result = parse_grid_paste(text, str(data_dict.get("dataset_type") or "dataset"))
    except KeyError as unknown:
        raise tk.ValidationError({"dataset_type": [tk._("Unknown dataset type")]}) from unknown
    return result.as_dict()


def govcatalog_data_items_paste_auth(
    context: dict[str, Any], data_dict: dict[str, Any]
) -> dict[str, Any]:
    # parsing reads no catalog data; it is a helper of the entry form, which needs a login
    if authz.auth_is_anon_user(context):
        return {"success": False, "msg": tk._("Please log in")}
    return {"success": True}


def govcatalog_form_sections(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return form_sections(fields)


def govcatalog_grid_columns(field: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid's columns with their label, vocabulary choices and limits, for the template."""
    out = []
    for column in field.get("repeating_subfields", []):
        name = vocab.field_vocabulary(column) if _column_vocabulary(column) else None
        out.append(
            {
                "name": column["field_name"],
                "label": vocab.label_text(column.get("label")) or column["field_name"],
                "required": bool(column.get("required")),
                "choices": [
                    {"value": e["value"], "label": vocab.label_text(e.get("label")) or e["value"]}
                    for e in vocab.entries(name)
                ]
                if name
                else None,
                "max_length": column.get("max_length"),
                "number": column.get("form_snippet") == "number.html",
            }
        )
    return out


def get_actions() -> dict[str, Any]:
    return {"govcatalog_data_items_paste": govcatalog_data_items_paste}


def get_auth_functions() -> dict[str, Any]:
    return {"govcatalog_data_items_paste": govcatalog_data_items_paste_auth}


def get_validators() -> dict[str, Any]:
    return {
        "govcatalog_max_length": govcatalog_max_length,
        "govcatalog_link_field": govcatalog_link_field,
    }


def get_helpers() -> dict[str, Any]:
    return {
        "govcatalog_form_sections": govcatalog_form_sections,
        "govcatalog_grid_columns": govcatalog_grid_columns,
        "govcatalog_hidden_link_note": govcatalog_hidden_link_note,
        "govcatalog_visible_link_choices": govcatalog_visible_link_choices,
    }
