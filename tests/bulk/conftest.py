"""Fixtures of the bulk tests: an organization and a data officer (editor) in it."""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.fixture
def bulk_env(clean_db, clean_index, with_plugins):
    org = factories.Organization(name="shiquan-gaj", title="石泉县公安局")
    officer = factories.User(name="officer")
    call_action(
        "organization_member_create",
        id=org["id"],
        username=officer["name"],
        role="editor",
    )
    return {"org": org, "user": officer["name"]}
