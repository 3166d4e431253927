"""plugin.py: every package's registrations are merged, and a name registered twice stops the
start instead of one silently replacing the other."""

from __future__ import annotations

import sys
import types

import pytest

from ckanext.govcatalog import plugin


@pytest.fixture
def two_providers():
    """Two throw-away provider modules that both register an action named ``shared_name``."""
    names = []
    for suffix in ("first", "second"):
        name = f"ckanext.govcatalog._test_provider_{suffix}"
        module = types.ModuleType(name)
        module.get_actions = lambda suffix=suffix: {"shared_name": suffix, f"only_{suffix}": 1}
        sys.modules[name] = module
        names.append(f"_test_provider_{suffix}")
    yield names
    for name in names:
        sys.modules.pop(f"ckanext.govcatalog.{name}", None)


def test_a_name_registered_by_two_packages_is_refused(two_providers):
    with pytest.raises(plugin.DuplicateRegistration) as raised:
        plugin.collect("actions", tuple(two_providers))
    message = str(raised.value)
    assert "shared_name" in message
    assert two_providers[0] in message and two_providers[1] in message


def test_distinct_names_are_merged(two_providers):
    merged = plugin.collect("actions", (two_providers[0],))
    assert merged == {"shared_name": "first", "only_first": 1}


@pytest.mark.parametrize("kind", sorted(plugin.PROVIDERS))
def test_the_shipped_packages_register_no_name_twice(kind):
    found = plugin.collect(kind)
    assert found, kind
