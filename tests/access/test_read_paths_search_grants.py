"""package_search judges its page of results with the grants read in the same query as the
entries (access/read_paths._page_entries), not with a second query for all of the viewer's
grants: those grants must be exactly the ones access/grants.py counts as active, for the entries
on the page. The whole read path, role by role, is the read-path matrix's
(tests/access/test_read_paths.py: gov_grant, gov_lapsed, public_grant, public_lapsed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model as core_model

from ckanext.govcatalog.access import grants, policy, read_paths
from ckanext.govcatalog.model import Grant
from tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _grant(user_id: str, package_id: str, status: str, days: int) -> None:
    now = dt.datetime.utcnow()
    core_model.Session.add(
        Grant(
            id=str(uuid.uuid4()),
            package_id=package_id,
            user_id=user_id,
            status=status,
            created=now - dt.timedelta(days=30),
            expires=now + dt.timedelta(days=days),
        )
    )


@pytest.fixture
def page() -> Iterator[dict[str, Any]]:
    site = factories.Sysadmin()
    org = factories.Organization(user=site)
    user, other = factories.User(), factories.User()
    ids = [factories.Entry(user=site, owner_org=org["id"])["id"] for _ in range(6)]
    _grant(user["id"], ids[0], grants.ACTIVE, 30)
    _grant(user["id"], ids[1], grants.ACTIVE, -1)  # expired
    _grant(user["id"], ids[2], "revoked", 30)
    _grant(user["id"], ids[3], "suspended", 30)
    _grant(other["id"], ids[4], grants.ACTIVE, 30)  # someone else's
    _grant(user["id"], str(uuid.uuid4()), grants.ACTIVE, 30)  # an entry not on the page
    core_model.Session.commit()
    yield {"user": user, "ids": ids}


def test_the_page_is_judged_with_the_active_grants_to_its_entries_only(page):
    user, ids = page["user"], page["ids"]
    viewer = policy.viewer_for(user["name"], with_grants=False)
    assert viewer.granted == frozenset() and viewer.user_id == user["id"]

    entries, judged = read_paths._page_entries(viewer, ids)

    assert set(entries) == set(ids)
    assert entries[ids[0]] == policy.entry_for_id(ids[0])
    assert judged.granted == grants.active_grant_package_ids(user["id"]) & set(ids)
    assert judged.granted == {ids[0]}
    assert dict(vars(judged), granted=None) == dict(vars(viewer), granted=None)


def test_the_page_takes_one_query_and_the_anonymous_viewer_holds_no_grants(page):
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = core_model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        viewer = policy.viewer_for(page["user"]["name"], with_grants=False)
        statements.clear()
        read_paths._page_entries(viewer, page["ids"])
        assert len(statements) == 1, statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)

    entries, judged = read_paths._page_entries(policy.ANONYMOUS, page["ids"])
    assert set(entries) == set(page["ids"]) and judged.granted == frozenset()
    assert read_paths._page_entries(viewer, []) == ({}, viewer)
