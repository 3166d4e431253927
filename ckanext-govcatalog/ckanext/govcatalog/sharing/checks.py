"""What is checked before a request is made or changed: whether the user may request the entry
at all (access/policy.py decides; this module words the answer), and the fields users send.

Field checks add their messages to an ``errors`` dict (field -> messages), so that one answer
names every problem; the caller raises tk.ValidationError when it is not empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ckan.model as core_model
import ckan.plugins.toolkit as tk

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.catalog.fields import as_list
from ckanext.govcatalog.model import AccessRequest
from ckanext.govcatalog.sharing import workdays
from ckanext.govcatalog.web import dates

Errors = dict[str, list[str]]

# what a requester states (使用依据, 使用场景, 使用范围, 共享方式), besides 使用时限 and the items
REQUEST_FIELDS = ("legal_basis", "usage_scenario", "usage_scope", "share_mode")


# --- the entry requested --------------------------------------------------------------------


def entry_dict(package_id: str) -> dict[str, Any]:
    """The full entry (as the site sees it), for its sharing levels and data items."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        return tk.get_action("package_show")(
            {"ignore_auth": True, "user": site_user["name"]}, {"id": package_id}
        )
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound(tk._("Catalog entry not found")) from None


def entry_data_items(entry: Mapping[str, Any]) -> list[str]:
    """The names of the entry's data items (信息项): what a request may ask for."""
    names = []
    for item in as_list(entry.get("data_items")):
        name = item.get("name") if isinstance(item, dict) else item
        if name:
            names.append(str(name))
    return names


def share_mode_choices() -> list[dict[str, Any]]:
    """The entry schema's 共享方式 choices (the schema is the single source of values)."""
    try:
        from ckanext.scheming import helpers as scheming
    except ImportError:
        return []
    schema = scheming.scheming_get_dataset_schema("dataset") or {}
    field = scheming.scheming_field_by_name(schema.get("dataset_fields", []), "share_mode")
    if not field:
        return []
    return scheming.scheming_field_choices(field) or []


def refusal(user: core_model.User | None, entry: Mapping[str, Any]) -> str | None:
    """Why the user may not request this entry's data, or None when they may (spec §4/§5)."""
    reason = policy.request_refusal(policy.viewer_for(user), policy.Entry.from_dict(entry))
    return None if reason is None else refusal_message(reason)


def refusal_message(reason: policy.RequestRefusal) -> str:
    """The reason in the user's language."""
    refused = policy.RequestRefusal
    messages = {
        refused.LOG_IN: tk._("Log in to request access to data."),
        refused.SYSADMIN: tk._("Platform administrators already have access to all data."),
        refused.NOT_SHARED: tk._(
            "This entry is not shared (不予共享): its data cannot be requested; "
            "see the stated legal basis."
        ),
        refused.OWN_ENTRY: tk._(
            "This entry belongs to your own organization; you already have its data."
        ),
        refused.NOT_PUBLISHED: tk._("This entry is not published; its data cannot be requested."),
        refused.SHARED_UNCONDITIONALLY: tk._(
            "This entry is shared without conditions: every government user "
            "has its data already, no request is needed."
        ),
        refused.OPEN_TO_ALL: tk._("This entry is open to everyone; no request is needed."),
        refused.GOVERNMENT_ONLY: tk._(
            "This entry is not open to the public; only government users may request it."
        ),
    }
    return messages[reason]


# --- fields ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A field's text, stripped; a list of lines is joined into one text."""
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v).strip() for v in value if str(v).strip())
    return "" if value is None else str(value).strip()


def required_text(data: Mapping[str, Any], key: str, errors: Errors) -> str:
    """A text that must be given."""
    text = _text(data.get(key))
    if not text:
        errors.setdefault(key, []).append(tk._("Missing value"))
    return text


def optional_text(data: Mapping[str, Any], key: str) -> str | None:
    """A text that may be left out (None when it is, or is blank)."""
    return _text(data.get(key)) or None


# the labels of the date fields, for messages that name the field they concern
DATE_FIELD_LABELS = {"period_end": "Use until", "expires": "Access until"}


def date_not_past(
    data: Mapping[str, Any], key: str, errors: Errors, today: dt.date
) -> dt.date | None:
    """A date that must be given and must not be before today: a date, or the text a person
    typed (2026年11月27日, 2026-11-27, 2026/11/27, full-width digits; web/dates.py reads it)."""
    value = data.get(key)
    if isinstance(value, dt.datetime):
        value = value.date()
    if not value:
        errors.setdefault(key, []).append(tk._("Missing value"))
        return None
    if not isinstance(value, dt.date):
        try:
            value = _typed_date(str(value))
        except ValueError:
            message = tk._(
                "{field}: “{value}” is not a date of the calendar; "
                "write it as 2026-11-27 or 2026年11月27日"
            )
            label = tk._(DATE_FIELD_LABELS.get(key, key))
            errors.setdefault(key, []).append(message.format(field=label, value=value))
            return None
    if value < today:
        errors.setdefault(key, []).append(tk._("The date must not be in the past"))
        return None
    return value


def _typed_date(text: str) -> dt.date:
    """A typed date, or an ISO date and time (2026-11-27T00:00:00) as API callers send it."""
    try:
        return dates.parse_date_input(text)
    except ValueError:
        return dt.datetime.fromisoformat(text.strip()).date()


def request_fields(
    data: Mapping[str, Any],
    entry: Mapping[str, Any],
    errors: Errors,
    current: AccessRequest | None = None,
) -> dict[str, Any]:
    """The requester's fields, checked against the entry; on a completion (``current``) the
    fields not sent again keep their values."""
    source = dict(data)
    if current is not None:
        for key in REQUEST_FIELDS:
            source.setdefault(key, getattr(current, key))
        source.setdefault("period_end", current.period_end)
        source.setdefault("data_items", current.data_items)
    values: dict[str, Any] = {key: required_text(source, key, errors) for key in REQUEST_FIELDS}
    choices = [c["value"] for c in share_mode_choices()]
    if values["share_mode"] and choices and values["share_mode"] not in choices:
        errors.setdefault("share_mode", []).append(
            tk._("Value must be one of {0}").format(", ".join(choices))
        )
    values["period_end"] = date_not_past(source, "period_end", errors, workdays.today())
    items = [str(v).strip() for v in as_list(source.get("data_items"), split=True)]
    items = [item for item in items if item]
    known = entry_data_items(entry)
    if not items:
        errors.setdefault("data_items", []).append(tk._("Name at least one data item"))
    elif known:
        unknown = [i for i in items if i not in known]
        if unknown:
            errors.setdefault("data_items", []).append(
                tk._("Not data items of this entry: {0}").format(", ".join(unknown))
            )
    values["data_items"] = items
    return values
