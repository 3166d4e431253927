"""Shared fixtures. CKAN's pytest plugin (--ckan-ini) provides clean_db, clean_index, with_plugins
and the app; the plugins loaded are the ones listed in the test ini. Test data is made with
tests/factories.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ckan.plugins as p
import pytest
import sqlalchemy as sa
from ckan.common import aslist, config
from ckan.tests.helpers import CKANTestApp

from tests import factories

MIGRATED_PLUGINS = ("activity", "govcatalog")
# Each plugin's alembic version table as its migrations left it the last time they ran in this
# session. Running them again while the table still says so changes nothing (alembic is at
# head) and costs ~0.2 s of CPU a test, up to a second under load (alembic loads every revision
# file to find that out); reset_db deletes rows, not these tables.
_migrated: dict[str, tuple[str, ...]] = {}


def _versions(plugin: str) -> tuple[str, ...] | None:
    from ckan import model

    table = f"{plugin}_alembic_version"
    with model.ensure_engine().connect() as conn:
        if conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
            return None
        rows = conn.execute(sa.text(f"SELECT version_num FROM {table}")).scalars()
        return tuple(sorted(rows))


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins we run with (activity, govcatalog)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        if plugin in _migrated and _versions(plugin) == _migrated[plugin]:
            continue
        migrate_db_for(plugin)
        _migrated[plugin] = _versions(plugin) or ()


def _all_plugins_loaded() -> bool:
    return all(p.plugin_loaded(name) for name in aslist(config.get("ckan.plugins")))


def _apply_module_config(request: pytest.FixtureRequest) -> None:
    """The module's own ``ckan_config`` marks (its ``pytestmark``), set before plugins load or
    the app is built: settings read only then (``scheming.dataset_schemas``) must have the value
    the module's tests run with. CKAN resets config before each test and sets them again."""
    for mark in request.node.iter_markers("ckan_config"):
        key, value = mark.args
        config[key] = value


@pytest.fixture(scope="module")
def _module_plugins(request: pytest.FixtureRequest) -> Iterator[None]:
    _apply_module_config(request)
    p.load_all()
    yield
    p.unload_all()


@pytest.fixture
def shared_plugins(_module_plugins: None) -> None:
    """CKAN's ``with_plugins`` (the plugins of the test ini), loaded once for the module instead
    of unloaded and loaded again around every test: a load and an app build cost ~2 s idle and
    5-17 s under load, most of a short test. Data stays per test (``clean_db``, ``clean_index``
    as before), and so does config (CKAN resets it before each test). The module's own
    ``ckan_config`` marks are set before the load. What a module using it must not do: change,
    with a ``ckan_config`` mark on one test, a setting read only while plugins load or an app is
    built, or mark a test ``with_plugins`` to add a plugin (that test would load and then
    unload every plugin; the next test loads them again, at CKAN's price)."""
    if not _all_plugins_loaded():
        p.load_all()


@pytest.fixture(scope="module")
def _module_app(request: pytest.FixtureRequest, _module_plugins: None) -> Iterator[CKANTestApp]:
    from ckan.tests.helpers import _get_test_app
    from ckan.tests.pytest_ckan import ckan_setup

    _apply_module_config(request)  # building the app loads the plugins again
    web = _get_test_app()
    # url_for outside a request must know the routes of this app
    saved_context = ckan_setup._tests_test_request_context
    ckan_setup._tests_test_request_context = web.flask_app.test_request_context()
    yield web
    ckan_setup._tests_test_request_context = saved_context


@pytest.fixture
def shared_app(shared_plugins: None, _module_app: CKANTestApp, ckan_config: Any) -> CKANTestApp:
    """CKAN's ``app`` fixture without the rebuild: the module's one app (see shared_plugins),
    with a new client for each test, so that no cookie or login of an earlier test is sent.
    A module adopts it by overriding ``app`` with it (then ``with_request_context`` uses it too).
    """
    from ckan.lib.app_globals import _CONFIG_CACHE

    # app_globals keep config values of the previous test otherwise (as CKAN's make_app does)
    _CONFIG_CACHE.clear()
    _module_app.client = _module_app.test_client()
    return _module_app


@pytest.fixture
def county_and_department() -> dict[str, Any]:
    """A sysadmin (``admin``, with an API token) and, made by them, the county government
    (``county``, named "county") and its police department (``dept``, named "dept-police",
    with the demo data's 统一社会信用代码)."""
    admin = factories.Sysadmin()
    county = factories.County(user=admin, name="county")
    dept = factories.Department(
        user=admin, name="dept-police", parent_org=county["name"], org_code=factories.POLICE_CODE
    )
    return {"admin": admin, "county": county, "dept": dept}
