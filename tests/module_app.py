"""One test app with the catalog's plugins and an empty, migrated database and index, for a
module that builds its world once (the read-path matrix and its kin): CKAN's with_plugins and app
fixtures would load the plugins and build the app again for every test."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins as p
from ckan.common import config


@contextlib.contextmanager
def catalog_app(
    reset_db: Callable[[], None],
    reset_index: Callable[[], None],
    migrate_db_for: Callable[[str], None],
    plugins: str | None = None,
) -> Iterator[Any]:
    """Loads ``plugins`` (default: the test ini's), builds one test app, empties and migrates the
    database and empties the index; yields the app and undoes all of it (config, plugins) after.
    Pass CKAN's module-scoped fixtures of the same names."""
    from ckan.tests.helpers import _get_test_app
    from ckan.tests.pytest_ckan import ckan_setup

    saved = {"ckan.plugins": config.get("ckan.plugins")}
    if plugins is not None:
        config["ckan.plugins"] = plugins
    p.load_all()
    web = _get_test_app()
    # url_for outside a request (upload URLs, links in assertions) must know this app's routes
    saved_context = ckan_setup._tests_test_request_context
    ckan_setup._tests_test_request_context = web.flask_app.test_request_context()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govcatalog")
    reset_index()
    try:
        yield web
    finally:
        ckan_setup._tests_test_request_context = saved_context
        config.update(saved)
        p.unload_all()
