"""Template helpers."""

from __future__ import annotations

from typing import Any


def get_helpers() -> dict[str, Any]:
    from ckanext.govcatalog import helpers_home

    helpers: dict[str, Any] = {}
    helpers.update(helpers_home.get_helpers())
    from ckanext.govcatalog import helpers_requests

    helpers.update(helpers_requests.get_helpers())
    from ckanext.govcatalog import helpers_catalog

    helpers.update(helpers_catalog.get_helpers())
    return helpers
