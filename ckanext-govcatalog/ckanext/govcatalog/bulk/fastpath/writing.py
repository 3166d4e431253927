"""Writing checked entries: what package_create stores and records, chunk by chunk.

Inside the caller's transaction: placeholder codes become real ones (placeholders.py), each
chunk's rows are inserted (insert.py), its package_show dicts built (show.py; in forked workers
while the next chunk is inserted), its activities and audit records appended (records.py) and
its search documents sent (index.py).
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins

from ckanext.govcatalog.bulk.fastpath import placeholders, records, show, workers
from ckanext.govcatalog.bulk.fastpath.index import Index, solr_docs
from ckanext.govcatalog.bulk.fastpath.insert import Entry, insert, plugins_overriding
from ckanext.govcatalog.catalog import orgs

CHUNK = 500  # entries per multi-row INSERT and per Solr request


def write(
    entries: list[dict[str, Any]],
    user: str,
    index: Index,
    progress: workers.Progress = workers.no_progress,
    processes: int | None = 1,
) -> list[str]:
    """Creates the validated entries in the session's transaction (the caller commits or rolls
    back) and sends their documents to ``index`` (flushed before returning). Returns the new
    package ids in order. ``processes`` as for validation.validate: more than one builds the
    package_show dicts in forked workers, so only a caller without other threads may ask."""
    processes = workers.processes_for(processes, len(entries))
    with workers.collector_spared():
        # forked first, before this call starts the index's sending thread
        shower = show.Shower(processes)
        try:
            with orgs.read_once():
                return _write(entries, user, index, progress, shower)
        finally:
            shower.close()


@dataclasses.dataclass
class _Run:
    """What every chunk of one write needs."""

    user: str
    user_obj: model.User | None
    orgs: dict[str, Any]  # package_dictize's organization dict of each owner org
    labels: Any  # CKAN's permission labels plugin
    activities_on: bool
    creators: list[Any]  # plugins with a create() hook
    created_hooks: list[Any]  # plugins with an after_dataset_create() hook


def _write(
    entries: list[dict[str, Any]],
    user: str,
    index: Index,
    progress: workers.Progress,
    shower: show.Shower,
) -> list[str]:
    names = [e.get("name") for e in entries]
    if len(set(names)) != len(names):
        raise ValueError("two new entries have the same name")
    placeholders.assign_codes(entries)
    run = _Run(
        user=user,
        user_obj=model.User.by_name(user),
        orgs=show.org_dicts({e["owner_org"] for e in entries if e.get("owner_org")}),
        labels=lib_plugins.get_permission_labels(),
        activities_on=bool(
            tk.config.get("ckan.activity_streams_enabled") and p.plugin_loaded("activity")
        ),
        creators=plugins_overriding("create"),
        created_hooks=plugins_overriding("after_dataset_create"),
    )
    ids: list[str] = []
    # chunk k's show dicts are built (by the workers) while chunk k+1 is inserted
    pending: collections.deque[tuple[list[Entry], Callable[[], list[show.Shown]]]]
    pending = collections.deque()
    for start in range(0, len(entries), CHUNK):
        batch = insert(
            entries[start : start + CHUNK], user, run.user_obj, run.creators, run.created_hooks
        )
        items = [(e.row, show.dictize(e, run.orgs.get(e.pkg.owner_org or ""))) for e in batch]
        pending.append((batch, shower.submit(items)))
        if len(pending) > 1:
            ids += _finish(*pending.popleft(), run, index)
            progress("write", len(ids), len(entries))
    while pending:
        ids += _finish(*pending.popleft(), run, index)
        progress("write", len(ids), len(entries))
    index.flush()
    return ids


def _finish(
    batch: list[Entry], shown_later: Callable[[], list[show.Shown]], run: _Run, index: Index
) -> list[str]:
    """Activities, audit records and search documents of an inserted chunk."""
    shown = shown_later()
    activities = []
    for e, (_default, custom) in zip(batch, shown, strict=True):
        if run.activities_on and run.user_obj is not None:
            activities.append(records.activity_row(e, custom, run.user_obj, run.labels))
        org = run.orgs.get(e.pkg.owner_org or "")
        records.append_audit_record(e, org["name"] if org else None, run.user)
    records.insert_activities(activities)
    index.send(solr_docs(shown))
    return [e.pkg.id for e in batch]
