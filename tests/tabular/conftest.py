"""The DataStore world of the data-in-use tests (tests/tabular/datastore_world.py), built
once per module that asks for it: ``web`` is its test app, ``world`` its users, entries, tables
and grants."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tabular.datastore_world import World, web_and_world  # noqa: F401  (module fixture)


@pytest.fixture(scope="module")
def world(web_and_world: tuple[Any, World]) -> World:  # noqa: F811
    return web_and_world[1]


@pytest.fixture(scope="module")
def web(web_and_world: tuple[Any, World]) -> Any:  # noqa: F811
    return web_and_world[0]
