"""Shared fixtures. CKAN's pytest plugin (--ckan-ini) provides clean_db, clean_index, with_plugins
and the app; the plugins loaded are the ones listed in the test ini. Test data is made with
tests/factories.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins we run with (activity, govcatalog)."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govcatalog")


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
