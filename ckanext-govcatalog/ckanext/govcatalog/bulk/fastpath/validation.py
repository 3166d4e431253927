"""Checking many new rows through the create schema package_create uses.

Each row goes through the dataset type's own create schema (the scheming validators, the web
form's) exactly once. What the rules look up for every row is read once per check, each through
a block its own module offers: URL names (package_names.names_known), organizations
(orgs.read_once), and CKAN's checks of the acting user and the provider
(ckan_checks.answered_once). New entries receive placeholder resource codes (placeholders.py),
made real when they are written.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckan.lib import plugins as lib_plugins

from ckanext.govcatalog.bulk.fastpath import ckan_checks, placeholders, workers
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
    with names, orgs.read_once(), ckan_checks.answered_once():
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
