"""Chained actions of the audit chain: they tell the signal receivers (subscriptions.py) what
``action_succeeded`` cannot.

The signal comes after the change, so an entry's state *before* it is captured by a thin chained
package_update (and the purges'); the wrappers that update an entry through package_update
(package_patch, resource_*) only name themselves, so the one record made for the inner
package_update says which action the user called. package_create and package_update mark that
an entry is being written, so the package_owner_org_update they call inside makes no record of
its own. None of them changes what the action does or who may call it: no auth of their own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model as core_model

from ckanext.govcatalog.audit import records

Action = Callable[..., Any]

# context keys (prefixed: contexts are shared with core and other plugins)
_BEFORE = "govcatalog_audit_before"  # {object id: state before the action}
_VIA = "govcatalog_audit_via"  # the outermost action that changes an entry through package_update
# inside package_create / package_update, which move the entry with package_owner_org_update
# under a fresh context: a context variable, not a context key, reaches that call
_writing_entry: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "govcatalog_audit_writing_entry", default=False
)


# ---- what the receivers read back --------------------------------------------------------------


def state_before(context: dict[str, Any], package_id: str) -> dict[str, Any] | None:
    """The entry's state captured before package_update ran (once: it is taken out)."""
    return (context.get(_BEFORE) or {}).pop(package_id, None)


def purged_object(context: dict[str, Any], object_id: str | None) -> tuple[str, str, str] | None:
    """(id, name, type) of the package or organization a purge removed, captured before it."""
    return (context.get(_BEFORE) or {}).pop(_purge_key(object_id), None) if object_id else None


def called_via(context: dict[str, Any]) -> str | None:
    """The action the user called when it updates an entry or organization through another."""
    return context.get(_VIA)


def writing_entry() -> bool:
    """Whether package_create or package_update is running (around the current call)."""
    return _writing_entry.get()


# ---- the chained actions -----------------------------------------------------------------------


def _remember(context: dict[str, Any], key: str, state: Any) -> None:
    context.setdefault(_BEFORE, {})[key] = state


def _purge_key(object_id: str | None) -> str:
    return f"purge:{object_id}"


class _Marked:
    """Sets a context key for the duration of an action, keeping an outer caller's value."""

    def __init__(self, context: dict[str, Any], key: str, value: Any) -> None:
        self.context, self.key, self.value = context, key, value

    def __enter__(self) -> None:
        self.had = self.key in self.context
        self.context.setdefault(self.key, self.value)

    def __exit__(self, *exc: Any) -> None:
        if not self.had:
            self.context.pop(self.key, None)


@tk.chained_action
def package_update(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    pkg = core_model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if pkg is not None:
        _remember(context, pkg.id, records.package_state(pkg))
    token = _writing_entry.set(True)
    try:
        return original(context, data_dict)
    finally:
        _writing_entry.reset(token)


@tk.chained_action
def package_create(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    token = _writing_entry.set(True)
    try:
        return original(context, data_dict)
    finally:
        _writing_entry.reset(token)


def _naming(name: str) -> Action:
    """A chained action that only names itself as the caller of package_update (or an update)."""

    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        with _Marked(context, _VIA, name):
            return original(context, data_dict)

    chained.__name__ = name
    return tk.chained_action(chained)


def _capturing_purge(name: str, model_class: Any) -> Action:
    """A purge removes the row; what it was is captured first."""

    def chained(original: Action, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        obj = model_class.get(data_dict.get("id") or "")
        if obj is not None:
            _remember(context, _purge_key(data_dict.get("id")), (obj.id, obj.name, obj.type))
        return original(context, data_dict)

    chained.__name__ = name
    return tk.chained_action(chained)


_PACKAGE_UPDATE_CALLERS = (
    "package_patch",
    "package_revise",
    "package_resource_reorder",
    "resource_create",
    "resource_update",
    "resource_patch",
    "resource_delete",
)


def get_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {name: _naming(name) for name in _PACKAGE_UPDATE_CALLERS}
    actions.update(
        package_create=package_create,
        package_update=package_update,
        organization_patch=_naming("organization_patch"),
        dataset_purge=_capturing_purge("dataset_purge", core_model.Package),
        organization_purge=_capturing_purge("organization_purge", core_model.Group),
    )
    return actions
