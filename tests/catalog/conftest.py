"""Fixtures of the catalog tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def world(county_and_department: dict[str, Any]) -> dict[str, Any]:
    """What most catalog rules are tried on: a sysadmin (``admin``), the county (``county``) and
    its police department (``dept``), where the entries go."""
    return county_and_department
