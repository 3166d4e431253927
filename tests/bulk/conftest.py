"""Fixtures of the bulk tests: an organization and a data officer (editor) in it."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def bulk_env(clean_db, clean_index, shared_plugins):
    org = factories.Organization(name="shiquan-gaj", title="石泉县公安局")
    officer = factories.Member(name="officer", organization=org, capacity="editor")
    return {"org": org, "user": officer["name"]}
