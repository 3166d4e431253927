"""The URL-name check of datasets: CKAN's package_name_validator, with the same answers, asked
of the database only when the answer is not already known from a bulk check."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.lib.navl.dictization_functions import Invalid
from ckan.logic import validators as core
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.govcatalog.catalog import package_names as ours
from tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _name_check(validator: Any, name: str, **context: Any) -> tuple[list[str], str | None]:
    """(errors, Invalid message) of a package_name_validator for ``name``."""
    key = ("name",)
    data: dict[Any, Any] = {key: name}
    errors: dict[Any, list[str]] = {key: []}
    try:
        validator(key, data, errors, dict(context, model=model, session=model.Session))
    except Invalid as e:
        return errors[key], str(e.error)
    return errors[key], None


def _package_queries() -> tuple[list[str], Any]:
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if "FROM package" in statement:
            seen.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", listen)
    return seen, lambda: sa.event.remove(model.meta.engine, "before_cursor_execute", listen)


def test_package_name_check_answers_like_ckans_without_asking_when_known():
    admin = factories.Sysadmin()
    dept = factories.Department(user=admin)
    # the schemas use ours (the catalog's and CKAN's default ones alike)
    assert tk.get_validator("package_name_validator") is ours.package_name_validator
    taken = factories.Entry(user=admin, owner_org=dept["id"], name="taken-name")
    gone = factories.Entry(user=admin, owner_org=dept["id"], name="deleted-name")
    call_action("package_delete", context={"user": admin["name"]}, id=gone["id"])
    stored = model.Package.get(taken["id"])
    names = ["taken-name", "free-name", "deleted-name", "a", "x" * 101]
    cases = [(n, {}) for n in names] + [("taken-name", {"package": stored})]
    cases.append(("deleted-name", {"package": stored}))  # a rename to a free name
    with ours.names_known(names):
        seen, stop = _package_queries()
        try:
            answers = [_name_check(ours.package_name_validator, n, **c) for n, c in cases]
        finally:
            stop()
    expected = [_name_check(core.package_name_validator, n, **c) for n, c in cases]
    assert answers == expected
    assert (
        answers[0][0]
        and not answers[1][0]
        and not answers[2][0]
        and answers[3][1]
        and answers[4][1]
    )
    # only the rename, whose answer is not known, asked the database
    assert len(seen) == 1

    # outside a bulk check every new name is asked as before
    seen, stop = _package_queries()
    try:
        assert _name_check(ours.package_name_validator, "taken-name")[0]
    finally:
        stop()
    assert len(seen) == 1
