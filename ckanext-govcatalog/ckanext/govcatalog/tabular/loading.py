"""Loading CSV and XLSX resources into CKAN's DataStore, in a background job, with a load state
per resource.

When a catalog entry is created or updated (the form, the API, a bulk import: all end in
``package_create`` / ``package_update``, whose ``action_succeeded`` signal is received here), each
uploaded CSV or XLSX resource whose file changed since its last load is marked 排队中 (queued) and
``load_resource`` is enqueued (``toolkit.enqueue_job``; ``ckan jobs worker`` runs it). A caller
that defers its commit (a bulk import) gets its jobs enqueued only once it commits, so a job never
looks for a resource that is not there yet, and an import rolled back enqueues nothing.

The job marks 加载中 (loading), reads the file (no larger than ``govcatalog.tabular.max_bytes``),
decodes it (UTF-8, then GB18030), checks it (a header, no ragged rows, no more than
``govcatalog.tabular.max_rows`` rows), then replaces the resource's DataStore table with
``datastore_create`` and marks 已加载 (loaded) with the row count. Any failure drops what the job
created and marks 失败 (failed) with the reason. Leading lines starting with ``#`` are comments
(the demo files' 示例数据 marker) and are skipped.

The state is a row of CKAN's ``task_status`` table (entity = resource, task_type
``govcatalog_tabular``, key ``load``); its reason is stored as an English message and its
parameters, translated when shown, so the page speaks the reader's language.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import event, orm

log = logging.getLogger(__name__)

# a context key of package_create/update: the caller loads the changed tables itself, right after
# (the demo set-up), so nothing is queued for them
LOADED_BY_CALLER = "govcatalog_tabular_loaded_by_caller"
TASK_TYPE = "govcatalog_tabular"
TASK_KEY = "load"
TABULAR_FORMATS = ("CSV", "XLSX")
QUEUED, LOADING, LOADED, FAILED = "queued", "loading", "loaded", "failed"
STATES = (QUEUED, LOADING, LOADED, FAILED)
# PostgreSQL's limit on a column name (NAMEDATALEN - 1), in bytes of UTF-8: a Chinese character
# takes three
MAX_NAME_BYTES = 63
# rows sent to the DataStore per call: one call for a small table, bounded memory for a big one
_BATCH = 5000
# a column value that reads as a number (no leading zeros, which would be lost: codes, IDs)
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?$")


class LoadError(Exception):
    """A load that cannot succeed: an English message (translated when shown) and its
    %-parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass
class Table:
    """A parsed table: column names and rows of text values."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


# ---- which resources load ----------------------------------------------------------------------


def is_tabular(resource: dict[str, Any]) -> bool:
    """Whether a resource is loaded into the DataStore: an uploaded CSV or XLSX file. Links to
    other sites are not fetched (the catalog server does not download from arbitrary URLs)."""
    return (resource.get("format") or "").upper() in TABULAR_FORMATS and resource.get(
        "url_type"
    ) == "upload"


def resource_facts(res: model.Resource) -> dict[str, Any]:
    """What the loader needs of a resource, from the model (the same in the signal receiver and
    the job, unlike resource_show, which turns an upload's file name into a URL)."""
    last_modified = res.last_modified
    return {
        "id": res.id,
        "url": res.url,
        "url_type": res.url_type,
        "format": res.format,
        "last_modified": last_modified.isoformat() if last_modified else "",
        "size": res.size,
    }


def fingerprint(facts: dict[str, Any]) -> str:
    """What identifies the file a load read: a new upload changes it, a metadata edit does not."""
    return "|".join(str(facts.get(key) or "") for key in ("url", "last_modified", "size", "format"))


# ---- the state ---------------------------------------------------------------------------------


def _task(session: Any, resource_id: str) -> model.TaskStatus | None:
    return (
        session.query(model.TaskStatus)
        .filter_by(entity_id=resource_id, task_type=TASK_TYPE, key=TASK_KEY)
        .one_or_none()
    )


def _write_state(session: Any, resource_id: str, state: str, **value: Any) -> None:
    task = _task(session, resource_id)
    if task is None:
        task = model.TaskStatus(
            entity_id=resource_id, entity_type="resource", task_type=TASK_TYPE, key=TASK_KEY
        )
        session.add(task)
    task.state = state
    task.value = json.dumps(value, ensure_ascii=False)
    task.error = value.get("reason", "")
    task.last_updated = dt.datetime.utcnow()
    session.commit()


def set_state(resource_id: str, state: str, **value: Any) -> None:
    """Record a resource's load state in a session of its own, so that the caller's
    transaction (which may still roll back, or be a job's) is neither committed nor touched."""
    session = orm.Session(bind=model.meta.engine)
    try:
        _write_state(session, resource_id, state, **value)
    finally:
        session.close()


def load_state(resource_id: str, session: Any = None) -> dict[str, Any] | None:
    """The load state of a resource: state (queued/loading/loaded/failed), updated (UTC),
    reason and params (failed), rows and columns (loaded), fingerprint; None if never queued."""
    task = _task(session or model.Session, resource_id)
    if task is None:
        return None
    value = json.loads(task.value or "{}")
    value.update(state=task.state, updated=task.last_updated)
    return value


# ---- queueing ----------------------------------------------------------------------------------


def resources_to_load(package_id: str, session: Any = None) -> list[dict[str, Any]]:
    """The tabular resources of an entry whose file differs from the one last queued or loaded."""
    session = session or model.Session
    pkg = session.get(model.Package, package_id)
    if pkg is None:
        return []
    wanted = []
    for res in pkg.resources:
        resource = resource_facts(res)
        if not is_tabular(resource):
            continue
        state = load_state(res.id, session)
        if state is None or state.get("fingerprint") != fingerprint(resource):
            wanted.append(resource)
    return wanted


def enqueue_load(resource: dict[str, Any]) -> None:
    """Mark a resource 排队中 and enqueue its load."""
    set_state(resource["id"], QUEUED, fingerprint=fingerprint(resource))
    tk.enqueue_job(
        load_resource,
        [resource["id"]],
        title=f"govcatalog: load resource {resource['id']} into the DataStore",
        rq_kwargs={"timeout": 1800},
    )


def _entry_saved(sender: str, **kwargs: Any) -> None:
    """action_succeeded of package_create / package_update: queue what changed."""
    context = kwargs.get("context") or {}
    result = kwargs.get("result")
    package_id = result.get("id") if isinstance(result, dict) else result
    if not isinstance(package_id, str) or context.get(LOADED_BY_CALLER):
        return
    if context.get("defer_commit"):
        session = model.Session()
        pkg = session.get(model.Package, package_id)
        if pkg is None or not any(is_tabular(resource_facts(r)) for r in pkg.resources):
            return  # a bulk import's entries (no uploads): nothing to wait for

        def after_commit(_session: Any) -> None:
            # a fresh look once committed, in a session of its own (the committing one may emit
            # no more SQL here): only what the commit made exists
            own = orm.Session(bind=model.meta.engine)
            try:
                wanted = resources_to_load(package_id, own)
            finally:
                own.close()
            for resource in wanted:
                enqueue_load(resource)

        event.listen(session, "after_commit", after_commit, once=True)
        return
    for resource in resources_to_load(package_id):
        enqueue_load(resource)


def get_signal_subscriptions() -> dict[Any, list[Any]]:
    return {
        tk.signals.action_succeeded: [
            {"sender": "package_create", "receiver": _entry_saved},
            {"sender": "package_update", "receiver": _entry_saved},
        ]
    }


# ---- reading and checking a file ---------------------------------------------------------------


def max_bytes() -> int:
    return tk.config.get("govcatalog.tabular.max_bytes")


def max_rows() -> int:
    return tk.config.get("govcatalog.tabular.max_rows")


def read_upload(resource: dict[str, Any]) -> bytes:
    """The bytes of an uploaded resource file, refusing one over the configured size before
    reading it."""
    import file_keeper as fk
    from ckan.lib import files, uploader

    upload = uploader.get_resource_uploader(dict(resource))
    path = upload.get_path(resource["id"])
    storage = getattr(upload, "storage", None)
    limit = max_bytes()
    if isinstance(storage, fk.Storage):
        location = files.Location(path)
        try:
            size = storage.size(location)
        except files.exc.LocationError as error:
            raise LoadError("The uploaded file is missing.") from error
        _check_size(size, limit)
        return b"".join(storage.stream(files.FileData(location, size=size)))
    if not os.path.exists(path):
        raise LoadError("The uploaded file is missing.")
    _check_size(os.path.getsize(path), limit)
    with open(path, "rb") as f:
        return f.read()


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise LoadError(
            "The file is %(size)s MB, larger than the %(limit)s MB that can be loaded.",
            size=f"{size / 1048576:.1f}",
            limit=f"{limit / 1048576:.1f}",
        )


def decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError("The file is neither UTF-8 nor GB18030 text.")


def _without_comments(rows: list[list[str]]) -> tuple[list[list[str]], int]:
    skipped = 0
    while rows and (not any(cell.strip() for cell in rows[0]) or rows[0][0].startswith("#")):
        rows.pop(0)
        skipped += 1
    return rows, skipped


def check_header(header: list[str]) -> None:
    """Refuse a header the DataStore cannot take: an empty, reserved, too long or repeated
    column name."""
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if not name:
            raise LoadError("Column %(column)s of the header has no name.", column=number)
        if name.startswith("_") or '"' in name or len(name.encode("utf-8")) > MAX_NAME_BYTES:
            raise LoadError(
                "Column name “%(name)s” cannot be used: it may not start with _ or contain "
                "double quotes, and has at most 63 bytes (21 Chinese characters).",
                name=name,
            )
        if name in seen:
            raise LoadError("Column name “%(name)s” appears twice in the header.", name=name)
        seen.add(name)


def _table(rows: list[list[str]], first_line: int) -> Table:
    """Check a header and rows (line numbers as the user counts them in the file)."""
    if not rows:
        raise LoadError("The file has no header row.")
    header = [cell.strip() for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise LoadError("The file has no header row.")
    check_header(header)
    data = rows[1:]
    if len(data) > max_rows():
        raise LoadError(
            "The file has %(rows)s rows, more than the %(limit)s that can be loaded.",
            rows=len(data),
            limit=max_rows(),
        )
    table = Table(header)
    for offset, row in enumerate(data):
        while len(row) > len(header) and not str(row[-1]).strip():
            row = row[:-1]
        if not any(str(cell).strip() for cell in row):
            continue
        if len(row) != len(header):
            raise LoadError(
                "Row %(line)s has %(found)s values but the header has %(expected)s columns.",
                line=first_line + 1 + offset,
                found=len(row),
                expected=len(header),
            )
        table.rows.append([str(cell) for cell in row])
    return table


def parse_csv(content: bytes) -> Table:
    """A CSV file as a table: decoded, comments skipped, header and rows checked."""
    text = decode(content)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise LoadError("The file is not valid CSV: %(error)s", error=str(error)) from error
    rows, skipped = _without_comments(rows)
    return _table(rows, first_line=skipped + 1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_xlsx(content: bytes) -> Table:
    """The first sheet of an XLSX workbook as a table (comments skipped, header and rows
    checked)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise LoadError("The file is not a valid XLSX workbook.") from error
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    rows, skipped = _without_comments(rows)
    return _table(rows, first_line=skipped + 1)


def parse(content: bytes, fmt: str) -> Table:
    return parse_xlsx(content) if fmt.upper() == "XLSX" else parse_csv(content)


def column_types(table: Table) -> list[str]:
    """numeric for a column whose every non-empty value is a plain number, text otherwise."""
    types = []
    for index in range(len(table.columns)):
        values = [row[index].strip() for row in table.rows if row[index].strip()]
        numeric = bool(values) and all(_NUMBER.match(v) for v in values)
        types.append("numeric" if numeric else "text")
    return types


# ---- the job -----------------------------------------------------------------------------------


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _table_exists(resource_id: str) -> bool:
    from ckanext.datastore.backend import DatastoreBackend

    return DatastoreBackend.get_active_backend().resource_exists(resource_id)


def _drop_table(resource_id: str) -> None:
    if not _table_exists(resource_id):
        return  # datastore_delete would read the whole entry only to answer NotFound
    with contextlib.suppress(tk.ObjectNotFound):
        tk.get_action("datastore_delete")(
            _site_context(), {"resource_id": resource_id, "force": True}
        )


def load_table(resource: dict[str, Any], table: Table) -> None:
    """Replace the resource's DataStore table with ``table``; on any failure drop what was
    created."""
    types = column_types(table)
    fields = [{"id": name, "type": kind} for name, kind in zip(table.columns, types, strict=True)]

    def records(rows: list[list[str]]) -> list[dict[str, Any]]:
        return [
            {
                name: (value.strip() or None) if kind == "numeric" else value
                for name, kind, value in zip(table.columns, types, row, strict=True)
            }
            for row in rows
        ]

    _drop_table(resource["id"])
    try:
        tk.get_action("datastore_create")(
            _site_context(),
            {
                "resource_id": resource["id"],
                "force": True,
                "fields": fields,
                "records": records(table.rows[:_BATCH]),
                "calculate_record_count": True,
            },
        )
        for start in range(_BATCH, len(table.rows), _BATCH):
            tk.get_action("datastore_upsert")(
                _site_context(),
                {
                    "resource_id": resource["id"],
                    "force": True,
                    "method": "insert",
                    "records": records(table.rows[start : start + _BATCH]),
                },
            )
    except tk.ValidationError as error:
        _drop_table(resource["id"])
        raise LoadError(
            "The DataStore refused the table: %(error)s", error=_error_text(error)
        ) from error
    except Exception:
        _drop_table(resource["id"])
        raise


def _error_text(error: tk.ValidationError) -> str:
    summary = error.error_dict if isinstance(error.error_dict, dict) else {}
    parts = []
    for key, value in summary.items():
        parts.append(f"{key}: {value}")
    return "; ".join(parts)[:500] or str(error)


def load_resource(resource_id: str) -> str:
    """The background job: load one resource into the DataStore. Returns the final state."""
    res = model.Resource.get(resource_id)
    if res is None or res.state != "active":
        set_state(
            resource_id, FAILED, reason="The resource no longer exists.", params={}, fingerprint=""
        )
        return FAILED
    resource = resource_facts(res)
    print_ = fingerprint(resource)
    done = load_state(resource_id)
    if done and done["state"] == LOADED and done.get("fingerprint") == print_:
        # this file was loaded already (a job queued twice, or set-up loading it directly)
        return LOADED
    if not is_tabular(resource):
        # the file was replaced by one that is not a table since the load was queued
        _drop_table(resource_id)
        set_state(
            resource_id,
            FAILED,
            reason="Only uploaded CSV and XLSX files are loaded.",
            params={},
            fingerprint=print_,
        )
        return FAILED
    set_state(resource_id, LOADING, fingerprint=print_)
    try:
        table = parse(read_upload(resource), resource["format"])
        load_table(resource, table)
    except LoadError as error:
        log.info("load of resource %s failed: %s", resource_id, error)
        _drop_table(resource_id)
        _unmark_active(resource_id)
        set_state(
            resource_id, FAILED, reason=error.message, params=error.params, fingerprint=print_
        )
        return FAILED
    except Exception as error:
        log.exception("load of resource %s failed", resource_id)
        model.Session.rollback()
        _drop_table(resource_id)
        _unmark_active(resource_id)
        set_state(
            resource_id,
            FAILED,
            reason="The loader stopped with an internal error (%(error)s).",
            params={"error": type(error).__name__},
            fingerprint=print_,
        )
        return FAILED
    set_state(
        resource_id,
        LOADED,
        fingerprint=print_,
        rows=len(table.rows),
        columns=table.columns,
    )
    return LOADED


def _unmark_active(resource_id: str) -> None:
    """After a failed load: a resource marked as having a table when none exists (a caller
    that loads right after creating, like the demo set-up, marks it ahead) is unmarked."""
    res = model.Resource.get(resource_id)
    if res is None or not tk.asbool(res.extras.get("datastore_active")):
        return
    if _table_exists(resource_id):
        return
    tk.get_action("resource_patch")(_site_context(), {"id": resource_id, "datastore_active": False})


def reason_text(state: dict[str, Any]) -> str:
    """The translated reason of a failed load."""
    reason = state.get("reason") or ""
    if not reason:
        return ""
    params = state.get("params") or {}
    return tk._(reason) % params if params else tk._(reason)
