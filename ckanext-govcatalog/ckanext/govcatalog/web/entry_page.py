"""The department box on an entry page, without a second look-up of the department.

CKAN's entry page (package/read_base.html, block package_organization) asks
``h.get_organization``, that is ``organization_show``, for the department box beside the entry.
organization_show dictizes the whole department for it: its members, followers, parent groups
and a Solr search for its entry count, and validates the result against the schema (on this
catalog ~40 ms of CPU and a Solr query, twice per page: about half of an uncached entry page).
The box (organization/snippets/info.html with show_nums=false) shows only the department's
picture, title, name, state and description, which are the department's own columns, and the
entry's package_show already holds exactly those (``pkg.organization``, the same table row).
So the box is filled from there. CKAN's ``image_display_url`` is made the way group_dictize
makes it for a picture given by URL or none. Everything else is left to CKAN's own helper, so
the box stays what CKAN shows: an uploaded picture (a storage link), a department that is not
active (organization_show may refuse it), an organization dict that lacks a column the box reads.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

# the department's own columns that organization/snippets/info.html reads
BOX_FIELDS = ("id", "name", "title", "type", "state", "description", "image_url")


def govcatalog_entry_department(organization: dict[str, Any] | None) -> dict[str, Any]:
    """The department dict for an entry page's department box (see the module's docstring)."""
    if not organization:
        return {}
    image = organization.get("image_url")
    if (
        any(field not in organization for field in BOX_FIELDS)
        or organization.get("state") != "active"
        or (image and not str(image).startswith("http"))
    ):
        return tk.h.get_organization(organization.get("id"))
    return dict(organization, image_display_url=image)


def get_helpers() -> dict[str, Any]:
    return {"govcatalog_entry_department": govcatalog_entry_department}
