"""Creating many catalog entries at once: what package_create makes, written in bulk.

package_create spends most of its time around the data, not on it: ~45 queries per entry (the
same organizations and users looked up again and again, one committed transaction per resource
code), a package_show for the activity and another for the index, one Solr request per entry.
This module keeps every step that decides *what* is stored and does the storing in bulk:

1. :func:`validate` runs each row through the dataset type's own create schema (the scheming
   validators, the web form's) exactly once, inside :func:`bulk_lookups`, which memoises the
   organization and user lookups for the run and hands out *placeholder* resource codes.
2. :func:`write` (inside the caller's transaction) turns the placeholders into real codes through
   codes.py's table (one reservation per 分类码, in row order), builds the package rows as
   package_dict_save does, inserts packages, tags, organization memberships and "new package"
   activities with multi-row INSERTs, builds each entry's package_show dicts from what it just
   wrote (CKAN's package_dictize steps, then the plugins' show schemas and hooks; in forked
   workers, when the caller allows more than one process, while the next chunk is inserted),
   appends the audit records package_create's action_succeeded would append (audit/hooks.py's
   own payload functions, through audit/chain.py), and builds the Solr documents with CKAN's
   PackageSearchIndex.index_package (every plugin's before_dataset_index). Documents are sent
   in chunks, from a thread, without a Solr commit before the database commits; :class:`Index`
   withdraws them if the transaction does not commit.

Entries with resources, groups or relationships (never in a spreadsheet) are not handled here;
:func:`supported` says which validated dicts are, and the importer gives the others to
package_create. tests/bulk/test_fastpath.py compares the result with package_create's.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import copy
import dataclasses
import datetime as dt
import gc
import multiprocessing
import os
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import dictization
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_dictize

from ckanext.govcatalog.audit import log as chain
from ckanext.govcatalog.audit import records as audit_hooks
from ckanext.govcatalog.catalog import codes, orgs, validators

Progress = Callable[[str, int, int], None]
CHUNK = 500  # entries per multi-row INSERT and per Solr request

# Placeholder 顺序码 handed out during validation: far above any real one (6 digits), so a
# placeholder can never be mistaken for a real code.
_PLACEHOLDER_BASE = 10**12


def _noop(_phase: str, _done: int, _total: int) -> None:
    pass


# ---- validation: memoised lookups and placeholder codes ---------------------------------------


@dataclasses.dataclass
class _Scope:
    lookups: dict[tuple[str, Any], Any] = dataclasses.field(default_factory=dict)
    departments: dict[str, str] = dataclasses.field(default_factory=dict)
    org_paths: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    placeholders: int = 0  # the last placeholder handed out (each validating process its own range)


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "govcatalog_bulk_scope", default=None
)
_installed = False


def _install() -> None:
    """Wraps the lookups validation repeats for every row. Outside :func:`bulk_lookups` (every
    other caller, thread and request) the wrappers call the originals unchanged."""
    global _installed
    if _installed:
        return
    for cls in (model.Group, model.User):
        original = cls.get.__func__  # type: ignore[attr-defined]

        def get(klass: Any, reference: Any, _original: Any = original) -> Any:
            scope = _scope.get()
            if scope is None:
                return _original(klass, reference)
            key = (klass.__name__, reference)
            if key not in scope.lookups:
                scope.lookups[key] = _original(klass, reference)
            return scope.lookups[key]

        cls.get = classmethod(get)  # type: ignore[method-assign]

    next_sequence = codes.next_sequence
    departmental_item_code = codes.departmental_item_code

    def placeholder_sequence(class_code: str) -> int:
        scope = _scope.get()
        if scope is None or class_code == codes._DEPT_COUNTER:
            return next_sequence(class_code)
        # the real number is reserved at write time, in row order, for the rows written
        scope.placeholders += 1
        return _PLACEHOLDER_BASE + scope.placeholders

    def memo_department(org_id: str) -> str:
        scope = _scope.get()
        if scope is None:
            return departmental_item_code(org_id)
        if org_id not in scope.departments:
            scope.departments[org_id] = departmental_item_code(org_id)
        return scope.departments[org_id]

    org_path = orgs.org_path

    def memo_org_path(org_id: str) -> list[str]:
        # the indexer asks for the provider's chain of organizations once per document
        scope = _scope.get()
        if scope is None:
            return org_path(org_id)
        if org_id not in scope.org_paths:
            scope.org_paths[org_id] = org_path(org_id)
        return list(scope.org_paths[org_id])

    codes.next_sequence = placeholder_sequence
    codes.departmental_item_code = memo_department
    orgs.org_path = memo_org_path
    _installed = True


@contextlib.contextmanager
def bulk_lookups(first_placeholder: int = 0) -> Iterator[None]:
    """Validation of many rows: organizations and users are read once; new entries receive
    placeholder resource codes, made real by :func:`write` (so checking a file that is then
    refused, or a dry run, uses up no codes)."""
    _install()
    token = _scope.set(_Scope(placeholders=first_placeholder))
    try:
        yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def _collector_spared() -> Iterator[None]:
    """Bulk work makes many short-lived objects, and each full pass of Python's cyclic garbage
    collector would walk the whole loaded application again (in forked workers, copying its
    memory pages too). The objects that exist before the work are set aside for its duration."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Validation needs nothing of the write's transaction (it reads committed organizations, users
# and codes), and building package_show dicts needs only the rows being written, so on a
# machine with several cores both are split between processes. Below this many rows per
# process it is not worth it.
_MIN_ROWS_PER_PROCESS = 250
_PLACEHOLDER_RANGE = 10**9  # placeholders of process k start at k * this


def bulk_processes(rows: int) -> int:
    """How many processes check, and then build the package_show dicts of, ``rows`` new rows:
    govcatalog.bulk.processes, by default one per core, fewer for small files."""
    configured = tk.asint(tk.config.get("govcatalog.bulk.processes") or 0)
    wanted = configured or os.cpu_count() or 1
    return max(1, min(wanted, rows // _MIN_ROWS_PER_PROCESS))


def _processes(asked: int | None, rows: int) -> int:
    """The processes to use for ``rows`` rows when the caller asks for ``asked`` (None: as
    :func:`bulk_processes` says)."""
    wanted = bulk_processes(rows) if asked is None else max(1, asked)
    return min(wanted, max(1, rows))


def _parts(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` in at most ``count`` consecutive parts of equal size (the last smaller)."""
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def validate(
    dataset_type: str,
    user: str,
    rows: list[dict[str, Any]],
    progress: Progress = _noop,
    processes: int | None = 1,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(validated data, errors) of each row, through the create schema package_create uses,
    in row order whatever the number of processes (None: :func:`bulk_processes`). Only a
    caller that runs no other threads may ask for more than one: forking copies the locks other
    threads hold (the CLI does; web requests check in their own process)."""
    processes = _processes(processes, len(rows))
    with _collector_spared():
        if processes == 1 or not _can_fork():
            return _validate_part(dataset_type, user, rows, 0, progress)
        return _validate_in_processes(dataset_type, user, rows, processes, progress)


def _validate_in_processes(
    dataset_type: str, user: str, rows: list[dict[str, Any]], processes: int, progress: Progress
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    parts = _parts(rows, processes)

    def own_progress(phase: str, done: int, _total: int) -> None:
        progress(phase, min(done * len(parts), len(rows)), len(rows))

    with _pool(len(parts) - 1) as pool:
        pending = [
            pool.apply_async(_validate_part, (dataset_type, user, part, k))
            for k, part in enumerate(parts[1:], start=1)
        ]
        out = _validate_part(dataset_type, user, parts[0], 0, own_progress)
        for result in pending:
            out += result.get()
    return out


# sessions inherited from the parent process: kept referenced so that nothing ever closes (and
# rolls back) the parent's connection from here
_inherited_sessions: list[Any] = []


def _start_worker() -> None:
    # forget (without closing) the connections inherited from the parent process; the parent may
    # be inside its write transaction, so its session is set aside and this process opens its own
    model.meta.engine.dispose(close=False)
    if model.Session.registry.has():
        _inherited_sessions.append(model.Session.registry())
        model.Session.registry.clear()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _pool(processes: int) -> Any:
    return multiprocessing.get_context("fork").Pool(processes, _start_worker)


def _validate_part(
    dataset_type: str,
    user: str,
    rows: list[dict[str, Any]],
    process: int,
    progress: Progress = _noop,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    plugin = lib_plugins.lookup_package_plugin(dataset_type)
    out = []
    names = validators.names_known([row.get("name") for row in rows])
    with names, bulk_lookups(first_placeholder=process * _PLACEHOLDER_RANGE):
        for i, row in enumerate(rows):
            context = {"user": user, "model": model, "session": model.Session}
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


def supported(validated: dict[str, Any]) -> bool:
    """Whether :func:`write` makes this entry (what a spreadsheet row can hold)."""
    return not any(
        validated.get(key)
        for key in ("resources", "groups", "relationships_as_subject", "relationships_as_object")
    )


# ---- resource codes ---------------------------------------------------------------------------

_RESERVE_SQL = sa.text(
    "INSERT INTO govcatalog_code_sequence (class_code, last_value) VALUES (:key, :n) "
    "ON CONFLICT (class_code) DO UPDATE "
    "SET last_value = govcatalog_code_sequence.last_value + :n "
    "RETURNING last_value"
)


def _split_code(code: Any) -> tuple[str, int] | None:
    sep = str(codes.code_table().get("separator", "/"))
    if not isinstance(code, str) or sep not in code:
        return None
    prefix, _, number = code.rpartition(sep)
    return (prefix, int(number)) if number.isdigit() else None


def assign_codes(entries: list[dict[str, Any]]) -> None:
    """Replaces placeholder codes with real ones: per 分类码 one reservation in the code
    sequence table (committed at once, like codes.next_sequence), numbered in row order."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    for data in entries:
        split = _split_code(data.get("resource_code"))
        if split and split[1] > _PLACEHOLDER_BASE:
            wanted.setdefault(split[0], []).append(data)
    for prefix, datas in wanted.items():
        with model.meta.engine.begin() as conn:
            last = int(conn.execute(_RESERVE_SQL, {"key": prefix, "n": len(datas)}).scalar_one())
        for n, data in enumerate(datas, start=last - len(datas) + 1):
            code = codes.compose(prefix, n)
            data["resource_code"] = code
            for extra in data.get("extras") or []:
                if extra.get("key") == "resource_code":
                    extra["value"] = code


# ---- package rows as package_dict_save makes them ---------------------------------------------


@dataclasses.dataclass
class _Entry:
    data: dict[str, Any]  # validated, as package_create holds it before saving
    pkg: model.Package  # transient: the row's values, never added to the session
    tags: list[dict[str, Any]]  # tag rows (id, name, vocabulary_id)
    row: dict[str, Any]  # the package table's values, as inserted
    loaded: Any = None  # the row as the session holds it once inserted


def _package(data: dict[str, Any], user_obj: model.User | None, now: dt.datetime) -> model.Package:
    pkg_dict = dict(data)
    pkg_dict.pop("metadata_created", None)
    plugin_data = pkg_dict.pop("plugin_data", None)
    if user_obj is not None and user_obj.sysadmin and plugin_data:
        pkg_dict["plugin_data"] = copy.deepcopy(plugin_data)
    extras = {e["key"]: e["value"] for e in pkg_dict.get("extras", [])}
    pkg = model.Package()
    pkg.from_dict(dict(pkg_dict, extras=extras))
    pkg.id = pkg.id or str(uuid.uuid4())
    # the column defaults package_create's INSERT would apply
    pkg.type = pkg.type or "dataset"
    pkg.private = bool(pkg.private) if pkg.private is not None else False
    pkg.state = pkg.state or model.State.ACTIVE
    pkg.metadata_created = now
    if not data.get("metadata_modified"):
        pkg.metadata_modified = now
    return pkg


def _row(pkg: model.Package) -> dict[str, Any]:
    return {c.name: getattr(pkg, c.name) for c in model.package_table.c}


def _tag_ids(names: set[tuple[str, str | None]]) -> dict[tuple[str, str | None], str]:
    """Ids of the tags with these (name, vocabulary) pairs, creating the missing ones."""
    tag = model.tag_table
    found: dict[tuple[str, str | None], str] = {}
    all_names = sorted({n for n, _v in names})
    for i in range(0, len(all_names), 1000):
        q = sa.select(tag.c.id, tag.c.name, tag.c.vocabulary_id).where(
            tag.c.name.in_(all_names[i : i + 1000])
        )
        for tag_id, name, vocab in model.Session.execute(q):
            found.setdefault((name, vocab), tag_id)
    new = [
        {"id": str(uuid.uuid4()), "name": n, "vocabulary_id": v}
        for n, v in sorted(names - set(found), key=lambda k: (k[0], k[1] or ""))
    ]
    if new:
        model.Session.execute(sa.insert(tag), new)
        found.update({(t["name"], t["vocabulary_id"]): t["id"] for t in new})
    return found


# ---- package_show without reading back --------------------------------------------------------


def _org_dicts(ids: set[str]) -> dict[str, Any]:
    """The ``organization`` of package_dictize for each owner org."""
    group = model.group_table
    out: dict[str, Any] = {}
    for org_id in ids:
        q = sa.select(group).where(group.c["id"] == org_id).where(group.c["state"] == "active")
        orgs = dictization.obj_list_dictize(model.Session.execute(q), {})
        if orgs:
            del orgs[0]["extras"]
        out[org_id] = orgs[0] if orgs else None
    return out


def _dictize(entry: _Entry, org: dict[str, Any] | None) -> dict[str, Any]:
    """package_dictize of a package just created with no resources, groups or relationships
    (model_dictize.package_dictize, step by step)."""
    pkg = entry.pkg
    result = dictization.table_dictize(pkg, {})
    if result.get("title"):
        result["title"] = result["title"].strip()
    result.pop("plugin_data", None)
    result["resources"] = model_dictize.resource_list_dictize([], {})
    result["num_resources"] = 0
    tags = [
        {"id": t["id"], "name": t["name"], "vocabulary_id": t["vocabulary_id"], "state": "active"}
        for t in entry.tags
    ]
    result["tags"] = sorted(tags, key=lambda t: t["name"])
    result["num_tags"] = len(tags)
    for tag in result["tags"]:
        tag["display_name"] = tag["name"]
    # in the order package_create's own package_show sees them (the session's dict, before the
    # row is read back)
    result["extras"] = [{"key": k, "value": v} for k, v in (pkg.extras or {}).items()]
    result["groups"] = []
    result["organization"] = dict(org) if org else None  # a row of scalars: a copy per entry
    result["relationships_as_subject"] = []
    result["relationships_as_object"] = []
    result["isopen"] = pkg.isopen()
    result["type"] = pkg.type or "dataset"
    if pkg.license and pkg.license.url:
        result["license_url"] = pkg.license.url
        result["license_title"] = pkg.license.title.split("::")[-1]
    elif pkg.license:
        result["license_title"] = pkg.license.title
    else:
        result["license_title"] = pkg.license_id
    result["metadata_modified"] = pkg.metadata_modified.isoformat()
    result["metadata_created"] = pkg.metadata_created.isoformat()
    return result


def _shown(pkg: model.Package, dictized: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(default schema, custom schema) dicts, as logic.package_show_default_and_custom_schemas
    returns them; the custom one is also what package_show returned to the activity."""
    from ckan.logic.schema import default_show_package_schema

    context: dict[str, Any] = {
        "model": model,
        "session": model.Session,
        "user": "",
        "ignore_auth": True,
        "use_cache": False,
        "validate": False,
        "package": pkg,
        "for_view": False,
    }
    for item in p.PluginImplementations(p.IPackageController):
        item.read(pkg)
    default_schema = default_show_package_schema()
    with_default, _errors = lib_plugins.plugin_validate(
        object(), context, dictized, default_schema, "package_show"
    )
    plugin = lib_plugins.lookup_package_plugin(dictized["type"])
    custom_schema = plugin.show_package_schema()
    if custom_schema == default_schema:
        with_custom = with_default
    else:
        with_custom, _errors = lib_plugins.plugin_validate(
            plugin, context, dictized, custom_schema, "package_show"
        )
    logic.apply_after_dataset_show_plugins(context, with_custom)
    return with_default, with_custom


# ---- the Solr side ----------------------------------------------------------------------------


class _Collector:
    """Stands in for the Solr connection while index_package builds a document."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_kw: Any) -> None:
        self.docs.extend(docs)


_collecting: contextvars.ContextVar[_Collector | None] = contextvars.ContextVar(
    "govcatalog_index_collector", default=None
)


def _install_collector() -> None:
    # CKAN builds a Solr document and sends it in one function (index_package); to send many in
    # one request, documents are built against a collector while one is set in this context.
    from ckan.lib.search import index as search_index

    if getattr(search_index.make_connection, "_govcatalog", False):
        return
    original = search_index.make_connection

    def make_connection(*args: Any, **kwargs: Any) -> Any:
        collector = _collecting.get()
        return collector if collector is not None else original(*args, **kwargs)

    make_connection._govcatalog = True  # type: ignore[attr-defined]
    search_index.make_connection = make_connection


def solr_docs(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    """The documents CKAN's indexer makes for (default, custom) package_show dicts."""
    from ckan.lib import search

    _install_collector()
    index = search.index_for("Package")
    collector = _Collector()
    token = _collecting.set(collector)
    try:
        for default, custom in pairs:
            index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
    finally:
        _collecting.reset(token)
    return collector.docs


class Index:
    """Documents sent without a Solr commit while the database transaction is open: withdrawn
    if it rolls back, committed (when ckan.search.solr_commit is on) once it has committed.

    Documents go out from a thread of their own, so Solr indexes one chunk while the next is
    built; :meth:`flush` waits for them (and raises what sending raised), and the caller flushes
    before it commits the database."""

    def __init__(self) -> None:
        from ckan.lib.search.common import make_connection

        self.conn = make_connection()
        self.sent: list[str] = []
        self._queue: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=2)
        self._sender: threading.Thread | None = None
        self._error: BaseException | None = None

    def send(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        self.sent += [d["index_id"] for d in docs]
        if self._sender is None:
            self._sender = threading.Thread(target=self._post, daemon=True)
            self._sender.start()
        self._queue.put(docs)

    def _post(self) -> None:
        while (docs := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.conn.add(docs=docs, commit=False)
                except BaseException as error:  # handed to the caller by flush()
                    self._error = error

    def flush(self) -> None:
        if self._sender is not None:
            self._queue.put(None)
            self._sender.join()
            self._sender = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def withdraw(self) -> None:
        with contextlib.suppress(Exception):
            self.flush()
        for i in range(0, len(self.sent), 500):
            ids = " OR ".join(f'"{x}"' for x in self.sent[i : i + 500])
            self.conn.delete(q=f"index_id:({ids})", commit=False)
        self.conn.commit(waitSearcher=False)
        self.sent = []

    def commit(self) -> None:
        self.flush()
        if self.sent and tk.config.get("ckan.search.solr_commit"):
            self.conn.commit(waitSearcher=False)


# ---- package_show dicts, here or in worker processes ------------------------------------------


def _show_many(
    items: list[tuple[dict[str, Any], dict[str, Any]]],
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`_shown` of (package row, package_dictize output) pairs; in a worker the package is
    rebuilt from its row (the parent's rows are not committed yet, and need not be read)."""
    out = []
    for row, dictized in items:
        pkg = model.Package()
        for column, value in row.items():
            setattr(pkg, column, value)
        out.append(_shown(pkg, dictized))
    return out


class _Shower:
    """Builds the package_show dicts of written chunks: in this process, or, given more than one
    process, in forked workers while this process writes the next chunk and sends documents."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.pool = _pool(processes) if processes > 1 and _can_fork() else None

    def submit(
        self, items: list[tuple[dict[str, Any], dict[str, Any]]]
    ) -> Callable[[], list[tuple[dict[str, Any], dict[str, Any]]]]:
        if self.pool is None:
            return lambda: _show_many(items)
        parts = [
            self.pool.apply_async(_show_many, (part,)) for part in _parts(items, self.processes)
        ]
        return lambda: [pair for part in parts for pair in part.get()]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()


# ---- writing ----------------------------------------------------------------------------------


def _overrides(method: str) -> list[Any]:
    """The IPackageController plugins that do something in ``method``."""
    default = getattr(p.IPackageController, method)
    return [
        item
        for item in p.PluginImplementations(p.IPackageController)
        if getattr(type(item), method, default) is not default
    ]


def write(
    entries: list[dict[str, Any]],
    user: str,
    index: Index,
    progress: Progress = _noop,
    processes: int | None = 1,
) -> list[str]:
    """Creates the validated entries in the session's transaction (the caller commits or rolls
    back) and sends their documents to ``index`` (flushed before returning). Returns the new
    package ids in order. ``processes`` as for :func:`validate`: more than one builds the
    package_show dicts in forked workers, so only a caller without other threads may ask."""
    processes = _processes(processes, len(entries))
    with _collector_spared():
        # forked first, before this call starts the index's sending thread
        shower = _Shower(processes)
        try:
            with bulk_lookups():
                return _write(entries, user, index, progress, shower)
        finally:
            shower.close()


@dataclasses.dataclass
class _Run:
    """What every chunk of one write needs."""

    user: str
    user_obj: model.User | None
    orgs: dict[str, Any]
    labels: Any
    activities_on: bool
    creators: list[Any]
    created_hooks: list[Any]


def _write(
    entries: list[dict[str, Any]], user: str, index: Index, progress: Progress, shower: _Shower
) -> list[str]:
    names = [e.get("name") for e in entries]
    if len(set(names)) != len(names):
        raise ValueError("two new entries have the same name")
    assign_codes(entries)
    run = _Run(
        user=user,
        user_obj=model.User.by_name(user),
        orgs=_org_dicts({e["owner_org"] for e in entries if e.get("owner_org")}),
        labels=lib_plugins.get_permission_labels(),
        activities_on=bool(
            tk.config.get("ckan.activity_streams_enabled") and p.plugin_loaded("activity")
        ),
        creators=_overrides("create"),
        created_hooks=_overrides("after_dataset_create"),
    )
    ids: list[str] = []
    # chunk k's show dicts are built (by the workers) while chunk k+1 is inserted
    pending: collections.deque[tuple[list[_Entry], Any]] = collections.deque()
    for start in range(0, len(entries), CHUNK):
        batch = _insert(entries[start : start + CHUNK], run)
        items = [(e.row, _dictize(e, run.orgs.get(e.pkg.owner_org or ""))) for e in batch]
        pending.append((batch, shower.submit(items)))
        if len(pending) > 1:
            ids += _finish(*pending.popleft(), run, index)
            progress("write", len(ids), len(entries))
    while pending:
        ids += _finish(*pending.popleft(), run, index)
        progress("write", len(ids), len(entries))
    index.flush()
    return ids


def _insert(datas: list[dict[str, Any]], run: _Run) -> list[_Entry]:
    """The package, tag and membership rows of one chunk, then the plugins' create hooks."""
    batch = []
    now = dt.datetime.utcnow()
    for data in datas:
        if run.user_obj is not None:
            data["creator_user_id"] = run.user_obj.id
        pkg = _package(data, run.user_obj, now)
        data["id"] = pkg.id
        batch.append(_Entry(data, pkg, [], _row(pkg)))
    wanted = {(t["name"], t.get("vocabulary_id")) for e in batch for t in e.data.get("tags") or []}
    tag_ids = _tag_ids(wanted)
    package_tags = []
    for e in batch:
        seen: set[tuple[str, str | None]] = set()
        for t in e.data.get("tags") or []:
            key = (t["name"], t.get("vocabulary_id"))
            if key in seen:
                continue
            seen.add(key)
            e.tags.append({"id": tag_ids[key], "name": key[0], "vocabulary_id": key[1]})
            package_tags.append(
                {
                    "id": str(uuid.uuid4()),
                    "package_id": e.pkg.id,
                    "tag_id": tag_ids[key],
                    "state": "active",
                }
            )
    session = model.Session
    session.execute(sa.insert(model.package_table), [e.row for e in batch])
    if package_tags:
        session.execute(sa.insert(model.package_tag_table), package_tags)
    members = [
        {
            "id": str(uuid.uuid4()),
            "table_name": "package",
            "table_id": e.pkg.id,
            "capacity": "organization",
            "group_id": e.pkg.owner_org,
            "state": "active",
        }
        for e in batch
        if e.pkg.owner_org
    ]
    if members:
        session.execute(sa.insert(model.member_table), members)
    # the rows as the session sees them from now on (index_package and hooks read them)
    loaded = {
        pkg.id: pkg
        for pkg in session.query(model.Package).filter(
            model.Package.id.in_([e.pkg.id for e in batch])
        )
    }
    context = {"user": run.user, "model": model, "session": session}
    for e in batch:
        e.loaded = loaded[e.pkg.id]
        for item in run.creators:
            item.create(e.loaded)
        for item in run.created_hooks:
            item.after_dataset_create(context, e.data)
    return batch


def _finish(batch: list[_Entry], shown_later: Any, run: _Run, index: Index) -> list[str]:
    """Activities, audit records and search documents of an inserted chunk."""
    shown = shown_later()
    activities = []
    for e, (_default, custom) in zip(batch, shown, strict=True):
        if run.activities_on and run.user_obj is not None:
            activities.append(
                {
                    "id": str(uuid.uuid4()),
                    "timestamp": dt.datetime.utcnow(),
                    "user_id": run.user_obj.id,
                    "object_id": e.pkg.id,
                    "activity_type": "new package",
                    "data": {"package": custom, "actor": run.user_obj.name},
                    "permission_labels": run.labels.get_dataset_labels(e.loaded),
                }
            )
        org = run.orgs.get(e.pkg.owner_org or "")
        state = audit_hooks.package_state(_AuditView(e, org["name"] if org else None))
        chain.append(
            "package_create",
            e.pkg.type,
            e.pkg.id,
            audit_hooks._entry_payload(state),
            actor=run.user,
            session=model.Session,
        )
    if activities:
        from ckanext.activity.model import Activity

        model.Session.execute(sa.insert(Activity.__table__), activities)
    index.send(solr_docs(shown))
    return [e.pkg.id for e in batch]


class _AuditView:
    """What audit_hooks.package_state reads of a Package, for an entry written here."""

    def __init__(self, entry: _Entry, org_name: str | None) -> None:
        self._entry = entry
        self._org_name = org_name
        for column in model.package_table.c:
            setattr(self, column.name, getattr(entry.pkg, column.name))

    def get_tags(self) -> list[Any]:
        return [_Named(t["name"]) for t in self._entry.tags]

    def get_groups(self) -> list[Any]:
        # Package.get_groups() lists the owner organization too (its member row)
        return [_Named(self._org_name)] if self._org_name else []

    @property
    def resources(self) -> list[Any]:
        return []


@dataclasses.dataclass
class _Named:
    name: str
