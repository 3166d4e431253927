"""Fixtures of the sharing-request tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories

# key: share type, open type of an entry of the owner department
LEVELS = {
    "conditional": ("conditional", "closed"),
    "conditional_open": ("conditional", "conditional"),
    "unconditional": ("unconditional", "open"),
    "none": ("none", "closed"),
}


@pytest.fixture
def world() -> dict[str, Any]:
    """Two departments of the county (``owner``, ``other``), their people (``admin`` and
    ``editor`` of the owner, ``gov`` a member and ``gov2`` an editor of the other), a ``public``
    user, a ``sysadmin``, and one entry of the owner per sharing level (keys of LEVELS), each
    with the data items factories.PERSON_ITEMS. Everyone signs in with factories.PASSWORD."""
    owner = factories.Organization(name="dept-owner", title="石泉县公安局")
    other = factories.Organization(name="dept-other", title="石泉县人社局")
    people = {
        "admin": factories.Member(organization=owner, capacity="admin"),
        "editor": factories.Member(organization=owner, capacity="editor"),
        "gov": factories.Member(organization=other, capacity="member"),
        "gov2": factories.Member(organization=other, capacity="editor"),
        "public": factories.User(),
        "sysadmin": factories.Sysadmin(),
    }
    entries = {
        key: factories.Entry(
            owner_org=owner["id"],
            title=f"测试信息资源 {share_type}/{open_type}",
            share_type=share_type,
            open_type=open_type,
            items=factories.PERSON_ITEMS,
        )
        for key, (share_type, open_type) in LEVELS.items()
    }
    return {"owner": owner, "other": other, **people, **entries}
