"""Flask blueprints. Each concern has its own module; list its blueprint here."""

from __future__ import annotations

from typing import Any


def get_blueprints() -> list[Any]:
    from ckanext.govcatalog.access import accesslog
    from ckanext.govcatalog.views import bulk as bulk_views
    from ckanext.govcatalog.views import compat, session
    from ckanext.govcatalog.views import requests as request_views
    from ckanext.govcatalog.views import reuse as reuse_views

    return [
        *session.get_blueprints(),
        *compat.get_blueprints(),
        *request_views.get_blueprints(),
        *reuse_views.get_blueprints(),
        *accesslog.get_blueprints(),
        *bulk_views.get_blueprints(),
    ]
