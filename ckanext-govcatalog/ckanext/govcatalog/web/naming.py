"""What CKAN's pages call things, in the catalog's words: the information-system dataset type
(CKAN would humanize ``info_system`` into "Info_Systems"), activity types (CKAN shows their
machine names title-cased), HTTP error pages (CKAN shows werkzeug's English name and text) and
the site's own user (CKAN names it after ``ckan.site_id``: "govcatalog" on member lists, among
the sysadmins and as the author of what the command line loaded).
Every text is an English msgid translated in i18n/src/zh_Hans_CN/portal.po (the site user's
name in ckan_pages.po)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from werkzeug.exceptions import default_exceptions

INFO_SYSTEM = "info_system"


def _info_system_texts() -> dict[str, str]:
    # purposes of CKAN's humanize_entity_type (ckan/lib/helpers.py) -> our text
    listing = tk._("Information systems")
    return {
        "add link": tk._("Add information system"),
        "breadcrumb": listing,
        "content tab": listing,
        "create label": tk._("Add information system"),
        "create title": tk._("Add information system"),
        "delete confirmation": tk._("Are you sure you want to delete this information system?"),
        "description placeholder": tk._("What the system does and who uses it"),
        "edit label": tk._("Edit information system"),
        "facet label": listing,
        "form label": tk._("Information system"),
        "main nav": listing,
        "my label": tk._("My information systems"),
        "view label": tk._("View information system"),
        "name placeholder": tk._("Information system"),
        "no any objects": tk._("There are no information systems yet."),
        "no associated label": tk._("No information system is linked to this entry."),
        "no description": tk._("There is no description for this information system."),
        "no label": tk._("No information system"),
        "page title": listing,
        "save label": tk._("Save information system"),
        "search placeholder": tk._("Search information systems"),
        "update label": tk._("Update information system"),
        "you not member": tk._("You are not a member of any department."),
        "user not member": tk._("This user is not a member of any department."),
    }


@tk.chained_helper
def humanize_entity_type(
    next_helper: Callable[..., str | None], entity_type: str, object_type: str, purpose: str
) -> str | None:
    """CKAN's humanize_entity_type, with the catalog's names for information systems."""
    if entity_type == "package" and object_type == INFO_SYSTEM:
        return _info_system_texts().get(purpose) or tk._("Information system")
    return next_helper(entity_type, object_type, purpose)


def _activity_type_labels() -> dict[str, str]:
    return {
        "new package": tk._("New entry"),
        "changed package": tk._("Changed entry"),
        "deleted package": tk._("Deleted entry"),
        "follow dataset": tk._("Followed entry"),
        "new resource view": tk._("New resource view"),
        "changed resource view": tk._("Changed resource view"),
        "deleted resource view": tk._("Deleted resource view"),
        "new organization": tk._("New department"),
        "changed organization": tk._("Changed department"),
        "deleted organization": tk._("Deleted department"),
        "new group": tk._("New group"),
        "changed group": tk._("Changed group"),
        "deleted group": tk._("Deleted group"),
        "new user": tk._("New user"),
        "changed user": tk._("Changed user"),
        "follow user": tk._("Followed user"),
        "follow group": tk._("Followed group"),
    }


def govcatalog_activity_type_label(activity_type: str) -> str:
    """The label of an activity type in the activity filter (CKAN shows it title-cased)."""
    key = activity_type.replace("_", " ").lower()
    return _activity_type_labels().get(key) or activity_type


@tk.chained_helper
def linked_user(
    next_helper: Callable[..., Any], user: Any, maxlength: int = 0, avatar: int = 20
) -> Any:
    """CKAN's linked_user, with the site's own user named as the catalog system (unlinked: its
    page says nothing to a reader) instead of its machine name. ``user``: a name, an id (member
    lists pass ids) or a User."""
    found = model.User.get(user) if isinstance(user, str) else user
    if found is not None and found.name == tk.config.get("ckan.site_id"):
        return tk._("Catalog system")
    return next_helper(found if found is not None else user, maxlength, avatar)


def _error_titles() -> dict[int, str]:
    return {
        400: tk._("Bad request"),
        401: tk._("Please log in"),
        403: tk._("Not authorized"),
        404: tk._("Page not found"),
        405: tk._("Method not allowed"),
        409: tk._("Conflict"),
        413: tk._("The upload is too large"),
        429: tk._("Too many requests"),
        500: tk._("Server error"),
        503: tk._("Service unavailable"),
    }


def _error_explanations() -> dict[int, str]:
    return {
        400: tk._("The request could not be understood. Please check what you entered."),
        401: tk._("This page is only for signed-in users."),
        403: tk._("You are not allowed to see this page."),
        404: tk._("The page you asked for does not exist. Please check the address."),
        405: tk._("This page cannot be used this way."),
        413: tk._("The file is larger than the site accepts."),
        429: tk._("Too many requests in a short time. Please wait a moment and try again."),
        500: tk._("Something went wrong on the server. Please try again later."),
        503: tk._("The service is temporarily unavailable. Please try again later."),
    }


def govcatalog_error_page(code: Any, content: Any) -> dict[str, Any]:
    """Title and text of an error page. CKAN passes werkzeug's English name and description
    (or "Internal server error" and the code in a list); those become our text, while a message
    a view gave to abort() (already translated) is kept."""
    number = code[0] if isinstance(code, (list, tuple)) and code else code
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 500
    exception = default_exceptions.get(number)
    stock_texts = {"Internal server error", getattr(exception, "description", None)}
    explanation = _error_explanations().get(number, tk._("The page could not be shown."))
    text = explanation if not content or str(content) in stock_texts else str(content)
    return {
        "code": number,
        "title": _error_titles().get(number, tk._("Error")),
        "text": text,
    }


def get_helpers() -> dict[str, Any]:
    return {
        "humanize_entity_type": humanize_entity_type,
        "govcatalog_activity_type_label": govcatalog_activity_type_label,
        "govcatalog_error_page": govcatalog_error_page,
        "linked_user": linked_user,
    }
