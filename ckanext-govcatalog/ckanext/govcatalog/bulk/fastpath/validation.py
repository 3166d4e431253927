"""Checking many new rows through the create schema package_create uses.

Each row goes through the dataset type's own create schema (the scheming validators, the web
form's) exactly once. What the rules look up for every row is read once per check: URL names
(package_names.names_known), organizations (orgs.read_once), and the acting user and the
provider as CKAN's own validators read them (:func:`_ckan_reads_once`). New entries receive
placeholder resource codes (placeholders.py), made real when they are written.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ckan import model
from ckan.lib import plugins as lib_plugins

from ckanext.govcatalog.bulk.fastpath import placeholders, workers
from ckanext.govcatalog.catalog import codes, orgs, package_names

Checked = list[tuple[dict[str, Any], dict[str, Any]]]  # (validated data, errors) of each row


def validate(
    dataset_type: str,
    user: str,
    rows: list[dict[str, Any]],
    progress: workers.Progress = workers.no_progress,
    processes: int | None = 1,
) -> Checked:
    """(validated data, errors) of each row, through the create schema package_create uses,
    in row order whatever the number of processes (None: workers.bulk_processes). Only a caller
    that runs no other threads may ask for more than one (see workers.py)."""
    processes = workers.processes_for(processes, len(rows))
    with workers.collector_spared():
        if processes == 1 or not workers.can_fork():
            return _validate_part(dataset_type, user, rows, 0, progress)
        return _validate_in_processes(dataset_type, user, rows, processes, progress)


def supported(validated: dict[str, Any]) -> bool:
    """Whether the fast path writes this entry (what a spreadsheet row can hold): not one with
    resources, groups or relationships, which the importer gives to package_create."""
    return not any(
        validated.get(key)
        for key in ("resources", "groups", "relationships_as_subject", "relationships_as_object")
    )


def _validate_in_processes(
    dataset_type: str,
    user: str,
    rows: list[dict[str, Any]],
    processes: int,
    progress: workers.Progress,
) -> Checked:
    parts = workers.parts(rows, processes)

    def own_progress(phase: str, done: int, _total: int) -> None:
        progress(phase, min(done * len(parts), len(rows)), len(rows))

    with workers.pool(len(parts) - 1) as pool:
        pending = [
            pool.apply_async(_validate_part, (dataset_type, user, part, k))
            for k, part in enumerate(parts[1:], start=1)
        ]
        out = _validate_part(dataset_type, user, parts[0], 0, own_progress)
        for result in pending:
            out += result.get()
    return out


def _validate_part(
    dataset_type: str,
    user: str,
    rows: list[dict[str, Any]],
    process: int,
    progress: workers.Progress = workers.no_progress,
) -> Checked:
    plugin = lib_plugins.lookup_package_plugin(dataset_type)
    numbering = placeholders.PlaceholderNumbering(process)
    out = []
    names = package_names.names_known([row.get("name") for row in rows])
    with names, orgs.read_once(), _ckan_reads_once():
        for i, row in enumerate(rows):
            context = {
                "user": user,
                "model": model,
                "session": model.Session,
                codes.NUMBERING_KEY: numbering,
            }
            data = dict(row, type=dataset_type)
            out.append(
                lib_plugins.plugin_validate(
                    plugin, context, data, plugin.create_package_schema(), "package_create"
                )
            )
            if i % 200 == 0:
                progress("check", i, len(rows))
    if process:
        model.Session.rollback()  # the worker's own connection goes back to its own pool
    return out


# ---- CKAN's own reads of the user and the organization ------------------------------------------
#
# CKAN 2.12 reads the acting user and the entry's provider for every row where nothing of ours can
# hand it a memo: owner_org_validator calls model.User.get and model.Group.get (module-level
# calls, in a validator scheming rebuilds by name on every validation, so it cannot be swapped in
# the schema we pass), and ignore_not_package_admin and ignore_not_sysadmin ask authz.is_sysadmin,
# which reads the user with model.User.get unless it is the logged-in user. Four queries a row
# (more for users who are not sysadmins), costing more than the rest of the check. Tried first: a
# result cache on the session (SQLAlchemy's do_orm_execute event) still has the ORM build, run
# and load every statement, and left a check twice as slow as answering from a dict; overriding
# those validators by name would change the validation of every package_create for the sake of
# this one. So the narrowest override left: while a check runs, and only in the context running
# it, these two classmethods answer each reference once; other threads and requests meanwhile
# reach CKAN's unchanged, and the originals are put back when the last check in this process
# ends. (The catalog's own lookups take the check's memo explicitly: orgs.read_once and the
# codes.Numbering in the context.)

_ckan_reads: contextvars.ContextVar[dict[tuple[str, Any], Any] | None] = contextvars.ContextVar(
    "govcatalog_bulk_ckan_reads", default=None
)
_READ_ONCE = (model.Group, model.User)
_override_lock = threading.Lock()
_checks_running = 0
_originals: dict[type, Any] = {}


def _answered_once(original: Callable[[Any, Any], Any]) -> Any:
    def get(klass: Any, reference: Any) -> Any:
        reads = _ckan_reads.get()
        if reads is None:  # not a check: another thread or request
            return original(klass, reference)
        key = (klass.__name__, reference)
        if key not in reads:
            reads[key] = original(klass, reference)
        return reads[key]

    return classmethod(get)


@contextlib.contextmanager
def _ckan_reads_once() -> Iterator[None]:
    global _checks_running
    with _override_lock:
        if _checks_running == 0:
            for cls in _READ_ONCE:
                _originals[cls] = cls.__dict__["get"]  # the classmethod itself
                cls.get = _answered_once(_originals[cls].__func__)
        _checks_running += 1
    token = _ckan_reads.set({})
    try:
        yield
    finally:
        _ckan_reads.reset(token)
        with _override_lock:
            _checks_running -= 1
            if _checks_running == 0:
                for cls, original in _originals.items():
                    cls.get = original
                _originals.clear()
