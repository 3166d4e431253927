"""CKAN's own checks of the acting user and the provider, asked once per bulk check.

A create schema runs four of CKAN 2.12's validators on every row that read the acting user or the
entry's provider from the database, with no way to hand them what was read for the row before:

- ``owner_org_validator`` calls ``model.User.get`` and ``model.Group.get`` on the global model
  (not ``context['model']``), and for users who are not sysadmins asks whether they may create
  datasets in the organization. Both ``get`` are ``Query.first()``, which always sends its SQL:
  an object already in the session's identity map does not spare the query (only
  ``Session.get`` looks there), so keeping the user and the organization loaded does not help;
- ``empty_if_not_sysadmin``, ``ignore_not_package_admin`` and ``ignore_not_sysadmin`` ask
  ``authz.is_sysadmin``, which reads the user with ``model.User.get`` unless it is the user
  logged in to the current request (never the case in the command line or a background job).

That is four queries a row for a sysadmin, more for others, costing more than the rest of the
check. The validators here are registered under CKAN's names through IValidators (CKAN's default
schemas and scheming's both look validators up by name), so package_create and a bulk check run
the same ones. Outside :func:`answered_once` each is CKAN's function, called as it is. Inside, for
a new entry, what CKAN's function does depends only on the field and its value, the acting user,
the context's flags and the database's users, organizations and memberships, none of which
changes while a check runs: CKAN's function is asked once per such combination, and what it did
(the value it left, or that it removed the field; the errors it added; the Invalid or StopOnError
it raised) is done again for the next rows with the same combination.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from ckan.lib.navl.dictization_functions import Invalid, StopOnError
from ckan.logic import validators as core

Validator = Callable[[tuple[Any, ...], dict[Any, Any], dict[Any, list[str]], dict[str, Any]], Any]


@dataclasses.dataclass(frozen=True)
class _Answer:
    """What one of CKAN's validators did to its field."""

    kept: bool  # the field is still in the data
    value: Any  # its value afterwards
    messages: tuple[str, ...]  # errors it added to the field
    raised: Exception | None  # Invalid or StopOnError


# CKAN's answers while a bulk check runs in this thread or task: see answered_once
_answers: contextvars.ContextVar[dict[tuple[Any, ...], _Answer] | None] = contextvars.ContextVar(
    "govcatalog_bulk_ckan_answers", default=None
)


@contextlib.contextmanager
def answered_once() -> Iterator[None]:
    """Within this block (in this thread or task) the validators below ask CKAN's once for each
    combination of field, value, user and flags. For a check of many new entries, during which
    no user, organization or membership changes. A block inside another shares its answers."""
    if _answers.get() is not None:
        yield
        return
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def _ask(validator: Validator, key: tuple[Any, ...], value: Any, context: Any) -> _Answer:
    data = {key: value}
    errors: dict[Any, list[str]] = {key: []}
    raised: Exception | None = None
    try:
        validator(key, data, errors, context)
    except (Invalid, StopOnError) as error:
        raised = error
    return _Answer(key in data, data.get(key), tuple(errors[key]), raised)


def _asked_once(validator: Validator) -> Validator:
    def answer(
        key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, list[str]], context: Any
    ) -> Any:
        answers = _answers.get()
        value = data.get(key)
        if answers is None or context.get("package") is not None or not _hashable(value):
            return validator(key, data, errors, context)
        memo = (
            validator.__name__,
            key,
            value,
            context.get("user"),
            "ignore_auth" in context,
            bool(context.get("ignore_auth")),
            bool(context.get("allow_state_change")),
        )
        if memo not in answers:
            answers[memo] = _ask(validator, key, value, context)
        done = answers[memo]
        if done.kept:
            data[key] = done.value
        else:
            data.pop(key, None)
        errors.setdefault(key, []).extend(done.messages)
        if done.raised is not None:
            raise copy.copy(done.raised)

    answer.__name__ = validator.__name__
    answer.__doc__ = f"CKAN's {validator.__name__}, asked once per bulk check (ckan_checks.py)."
    return answer


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def get_validators() -> dict[str, Validator]:
    return {
        v.__name__: _asked_once(v)
        for v in (
            core.owner_org_validator,
            core.empty_if_not_sysadmin,
            core.ignore_not_package_admin,
            core.ignore_not_sysadmin,
        )
    }
