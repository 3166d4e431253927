"""Shared fixtures. CKAN's pytest plugin (--ckan-ini) provides clean_db, clean_index, with_plugins
and the app; the plugins loaded are the ones listed in the test ini. Test data is made with
tests/factories.py."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

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
