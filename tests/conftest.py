"""Shared fixtures. CKAN's pytest plugin (--ckan-ini) provides clean_db, clean_index, with_plugins,
the factories and the app; the plugins loaded are the ones listed in the test ini."""

import pytest


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins we run with (activity, govcatalog)."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("govcatalog")
