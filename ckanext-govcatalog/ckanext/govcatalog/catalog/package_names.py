"""URL names of datasets: CKAN's package_name_validator, answered without a query when known.

Each catalog entry created or indexed asked the database once or twice whether its name is
taken; a bulk check asks for all the names of a file at once (``names_known``) and the validator
answers from that.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib.navl.dictization_functions import Invalid, missing
from ckan.logic import validators as core_validators

from ckanext.govcatalog.catalog.field_rules import Data, Errors, Key

# (names looked up, those of them taken) while a bulk check runs: see names_known
_known_names: contextvars.ContextVar[tuple[set[str], set[str]] | None] = contextvars.ContextVar(
    "govcatalog_known_names", default=None
)


def live_package_ids(names: list[str]) -> dict[str, str]:
    """``{name: id}`` of the packages, not deleted, that hold these URL names (1,000 names per
    query)."""
    table = model.package_table
    found: dict[str, str] = {}
    for i in range(0, len(names), 1000):
        query = sa.select(table.c.name, table.c.id).where(
            table.c.name.in_(names[i : i + 1000]), table.c.state != model.State.DELETED
        )
        found.update(dict(model.Session.execute(query).all()))
    return found


@contextlib.contextmanager
def names_known(names: list[str]) -> Iterator[None]:
    """Within this block package_name_validator answers for these names from one query, instead
    of one query per row of a file."""
    looked_up = {n for n in names if isinstance(n, str) and n}
    taken = set(live_package_ids(sorted(looked_up)))
    token = _known_names.set((looked_up, taken))
    try:
        yield
    finally:
        _known_names.reset(token)


def _name_taken(key: Key, data: Data, context: dict[str, Any]) -> bool | None:
    """Whether another package holds the name, when that is known without a query."""
    name = data.get(key)
    package = context.get("package")
    if package is not None:
        # package_show's schema pass checks a stored package's own name: package.name is unique,
        # so no other package can hold it
        return False if name == package.name else None
    own_id = data.get((*key[:-1], "id"))
    known = _known_names.get()
    if known is None or (own_id and own_id is not missing) or name not in known[0]:
        return None
    return name in known[1]


def package_name_validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> Any:
    """CKAN's package_name_validator (same errors), without its query when the answer is known
    (see _name_taken): each catalog entry created or indexed asked it once or twice."""
    taken = _name_taken(key, data, context)
    if taken is None:
        return core_validators.package_name_validator(key, data, errors, context)
    if taken:
        errors[key].append(tk._("That URL is already in use."))
    value = data[key]
    if len(value) < core_validators.PACKAGE_NAME_MIN_LENGTH:
        raise Invalid(
            tk._('Name "%s" length is less than minimum %s')
            % (value, core_validators.PACKAGE_NAME_MIN_LENGTH)
        )
    if len(value) > core_validators.PACKAGE_NAME_MAX_LENGTH:
        raise Invalid(
            tk._('Name "%s" length is more than maximum %s')
            % (value, core_validators.PACKAGE_NAME_MAX_LENGTH)
        )
