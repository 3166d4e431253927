"""Large web uploads, checked and written by CKAN's background jobs (RQ on Redis) instead of in
the request.

An upload with more entry rows than ``govcatalog.bulk.background_rows`` is handed to
``tk.enqueue_job``: :func:`run_check` makes the report (nothing written), and after the
confirmation :func:`run_write` checks again and writes, all or nothing, through the importer
(the same rules and the same one transaction as an upload written in the request). `ckan jobs
worker` runs them. Where a job is (rows checked, rows written) is kept in Redis per upload
(:class:`JobState`) and read by the progress page through :func:`status`.

One run per upload and step: each enqueued run carries a run id stored in its JobState; a run
whose id is no longer the upload's current one does nothing, and the confirmation claims the
stored file (uploads.claim, an atomic rename) before it enqueues, so a second click finds it
taken and enqueues nothing.

A worker killed halfway: PostgreSQL rolls the import's transaction back when its connection
drops, but Solr may already hold documents sent before the commit (and its soft commits show
them). So the job notes in Redis every entry whose document it is about to send
(:class:`_NotedIndex`) and keeps a heartbeat key alive while it runs. Whoever next asks about
the upload (the page's polling) and finds a running job without a heartbeat recovers it
(:func:`_recover`): the noted documents of entries the database does not hold are deleted, those
it holds are indexed again as the database has them, and the job is marked failed with its file
given back, so the confirmation can be retried.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from openpyxl import load_workbook

from ckanext.govcatalog import jobs
from ckanext.govcatalog.bulk import fastpath, importer, uploads
from ckanext.govcatalog.bulk import layout as L
from ckanext.govcatalog.bulk import workbook as W

log = logging.getLogger(__name__)

THRESHOLD_OPTION = "govcatalog.bulk.background_rows"
HEARTBEAT_SECONDS = 2
# a running job whose heartbeat is older than this is taken for dead (a live one beats every
# HEARTBEAT_SECONDS from a thread of its own, whatever its main thread is doing)
ALIVE_SECONDS = 10
# a job a worker took this long ago and never started (its work horse loads CKAN first)
NEVER_STARTED_SECONDS = 180
STATE_SECONDS = uploads.TTL_SECONDS + 3600
# how long RQ lets one run take (ckan.jobs.timeout's 180 s is meant for small jobs)
JOB_TIMEOUT = 4 * 3600
RUNNING = ("queued", "running")


def background_rows() -> int:
    """Uploads with more entry rows than this are checked and written by background jobs."""
    return tk.asint(tk.config.get(THRESHOLD_OPTION))


def entry_rows(data: bytes) -> int:
    """How many rows the entry sheet of an upload has, cheaply (no cell is read for an .xlsx
    workbook that declares its size): enough to decide where the upload is handled. 0 when the
    file cannot be read (the check reports why)."""
    kind = W.kind_of(data)
    try:
        if kind == "csv":
            text = W.decode_text(data)
            rows = csv.reader(io.StringIO(text, newline=""))
            return max(0, sum(1 for row in rows if any(c.strip() for c in row)) - 1)
        if kind == "xlsx":
            return _xlsx_entry_rows(data)
    except Exception:  # a damaged file is the check's to report, row by row
        return 0
    return 0


def _xlsx_entry_rows(data: bytes) -> int:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        skipped = {L.norm_key(L.INSTRUCTIONS_SHEET), L.norm_key(L.LISTS_SHEET)}
        named = {L.norm_key(a) for a in L.ENTRY_SHEET_ALIASES}
        sheets = [ws for ws in wb.worksheets if L.norm_key(ws.title) not in skipped]
        entry = [ws for ws in sheets if L.norm_key(ws.title) in named]
        return max((_sheet_rows(ws) for ws in entry or sheets), default=0)
    finally:
        wb.close()


def _sheet_rows(ws: Any) -> int:
    rows = ws.max_row
    if rows is None:  # no declared size: count them
        rows = sum(1 for _row in ws.iter_rows(values_only=True))
    return max(0, rows - 1)


# ---- the state of an upload's job, in Redis -------------------------------------------------


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class JobState:
    """Where the background job of one upload is: a Redis hash (state, job, rows, checked,
    to_write, written, message, summary...), a heartbeat key while it runs, and the entries
    whose search documents it has sent. Keys are named after a hash of the upload's token (the
    token itself is the upload's secret) under the site id, as CKAN's own queues are."""

    def __init__(self, token: str, redis: Any | None = None) -> None:
        self.upload_id = hashlib.sha256(token.encode()).hexdigest()[:32]
        base = f"ckan:{tk.config.get('ckan.site_id')}:govcatalog:bulk:{self.upload_id}"
        self.key, self.alive_key = base, base + ":alive"
        self.sent_key, self.lock_key = base + ":sent", base + ":recovering"
        self.redis = redis or _redis()

    def read(self) -> dict[str, Any] | None:
        raw = self.redis.hgetall(self.key)
        if not raw:
            return None
        out: dict[str, Any] = {_text(k): _text(v) for k, v in raw.items()}
        for field in ("rows", "checked", "to_write", "written"):
            out[field] = int(out.get(field) or 0)
        for field in ("summary", "updates"):
            out[field] = json.loads(out[field]) if out.get(field) else None
        out["queued"] = float(out.get("queued") or 0)
        return out

    def update(self, **fields: Any) -> None:
        mapping = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
            for k, v in fields.items()
        }
        pipe = self.redis.pipeline()
        pipe.hset(self.key, mapping=mapping)
        pipe.expire(self.key, STATE_SECONDS)
        pipe.execute()

    def reset(self, **fields: Any) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(self.key, self.alive_key, self.sent_key)
        pipe.execute()
        self.update(**fields)

    def beat(self) -> None:
        self.redis.set(self.alive_key, "1", ex=ALIVE_SECONDS)

    def alive(self) -> bool:
        return bool(self.redis.exists(self.alive_key))

    def stop_beating(self) -> None:
        self.redis.delete(self.alive_key)

    def note_sent(self, docs: list[dict[str, Any]]) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self.sent_key, mapping={d["id"]: d["index_id"] for d in docs})
        pipe.expire(self.sent_key, STATE_SECONDS)
        pipe.execute()

    def sent(self) -> dict[str, str]:
        return {_text(k): _text(v) for k, v in self.redis.hgetall(self.sent_key).items()}

    def forget_sent(self) -> None:
        self.redis.delete(self.sent_key)


def enqueue(token: str, job: str, user: str, lang: str, rows: int) -> JobState:
    """Queues the check ("check") or the check and write ("write") of an upload. Raises
    redis.exceptions.RedisError when Redis does not answer (the caller says so)."""
    state = JobState(token)
    run = secrets.token_hex(8)
    state.reset(
        job=job,
        state="queued",
        run=run,
        rows=rows,
        checked=0,
        to_write=0,
        written=0,
        user=user,
        lang=lang,
        queued=time.time(),
    )
    function = run_check if job == "check" else run_write
    tk.enqueue_job(
        function,
        [token, run],
        title=f"govcatalog bulk {job} {state.upload_id[:12]}",
        rq_kwargs={"timeout": JOB_TIMEOUT, "job_id": _rq_job_id(job, run)},
    )
    return state


def status(token: str) -> dict[str, Any] | None:
    """The upload's job as the page shows it (None: the upload has no background job); a
    running job found dead is recovered first."""
    state = JobState(token)
    current = state.read()
    if current and _dead(state, current):
        try:
            _recover(token, state, current)
        except Exception:
            # Solr or PostgreSQL not answering: the job stays "running", the next look retries
            log.exception("recovering the dead job of upload %s failed", state.upload_id)
            return current
        current = state.read()
    return current


def _rq_job_id(job: str, run: str) -> str:
    return f"govcatalog-bulk-{job}-{run}"


def _dead(state: JobState, current: dict[str, Any]) -> bool:
    """A running job without a heartbeat; or one still "queued" here that a worker took
    minutes ago without ever starting it (killed while it loaded)."""
    if current["state"] == "running":
        return not state.alive()
    stale = time.time() - current["queued"] > NEVER_STARTED_SECONDS
    if current["state"] != "queued" or not stale or state.alive():
        return False
    from ckan.lib import jobs as ckan_jobs

    try:
        rq_job = ckan_jobs.job_from_id(_rq_job_id(current["job"], current["run"]))
    except KeyError:
        return True  # gone from Redis: nothing will ever run it
    started = rq_job.started_at
    if started is None:
        return False  # still waiting in the queue
    started = started.replace(tzinfo=dt.UTC) if started.tzinfo is None else started
    return (dt.datetime.now(dt.UTC) - started).total_seconds() > NEVER_STARTED_SECONDS


# ---- the jobs --------------------------------------------------------------------------------


class JobAbandoned(RuntimeError):
    """This run is no longer the upload's current one (it was found dead and recovered)."""


class _NotedIndex(fastpath.Index):
    """The import's search index, noting each entry in Redis before its document is sent."""

    def __init__(self, state: JobState) -> None:
        super().__init__()
        self.state = state

    def send(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            self.state.note_sent(docs)
        super().send(docs)


class _Run:
    """One run of a job: its state, its heartbeat, the language its messages are in."""

    def __init__(self, token: str, run: str, job: str) -> None:
        self.token, self.run, self.job = token, run, job
        self.state = JobState(token)
        self.folder = uploads.folder_of(token)
        self.meta = uploads.read_meta(self.folder)
        self.updates = 0
        self._stop = threading.Event()

    def current(self) -> bool:
        return (self.state.read() or {}).get("run") == self.run

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(Exception):  # a missed beat is retried; too many: recovered
                self.state.beat()

    @contextlib.contextmanager
    def running(self, lang: str) -> Iterator[None]:
        self.state.beat()
        self.state.update(state="running", started=time.time())
        beater = threading.Thread(target=self._beat, daemon=True)
        beater.start()
        try:
            with jobs.request_context(lang):
                yield
        finally:
            self._stop.set()
            beater.join()
            self.state.stop_beating()

    def progress(self, phase: str, done: int, total: int) -> None:
        if phase == "check":
            self.state.update(checked=done)
        elif phase in ("update", "write"):
            if self.job == "write" and not self.current():
                raise JobAbandoned(self.run)  # write() rolls back and withdraws
            written = done if phase == "update" else self.updates + done
            self.state.update(written=written)

    def finish(self, state: str, **fields: Any) -> None:
        self.state.update(state=state, finished=time.time(), **fields)


def _failure_message() -> str:
    return tk._(
        "The background job stopped with an error: nothing of this file was written. "
        "Try again; if it fails again, tell the operator."
    )


def run_check(token: str, run: str) -> None:
    """The background check of a stored upload: its report, nothing written."""
    job = _Run(token, run, "check")
    if not job.current():
        return  # a newer run took over
    with job.running(job.state.read()["lang"]):
        try:
            data = uploads.read(os.path.join(job.folder, uploads.DATA))
            result = importer.import_file(
                data, job.meta["filename"], _user(job), job.meta["org_id"], True, job.progress
            )
            uploads.save_problems(job.folder, result.problems)
            uploads.save_auto_bound(job.folder, result.auto_bound)
            uploads.save_checked(job.folder, result.kind, result.summary())
            job.finish("checked", summary=result.summary(), checked=job.state.read()["rows"])
        except Exception:
            log.exception("background check of upload %s failed", job.state.upload_id)
            job.finish("failed", message=_failure_message())
            raise


def run_write(token: str, run: str) -> None:
    """Checks the claimed upload again and writes it, all or nothing (importer.write, in one
    transaction). Rows with problems (the catalog changed since the report) write nothing and
    give the file back, as a confirmation in the request does."""
    job = _Run(token, run, "write")
    if not job.current():
        return
    claimed = os.path.join(job.folder, uploads.CLAIMED)
    with job.running(job.state.read()["lang"]):
        try:
            _write(job, claimed)
        except Exception:
            log.exception("background import of upload %s failed", job.state.upload_id)
            if job.current():
                with contextlib.suppress(FileNotFoundError):
                    uploads.release(job.folder)
                job.finish("failed", message=_failure_message())
            raise


def _write(job: _Run, claimed: str) -> None:
    user = _user(job)
    result = importer.import_file(
        uploads.read(claimed), job.meta["filename"], user, job.meta["org_id"], True, job.progress
    )
    summary = result.summary()
    if not result.ok:
        uploads.save_problems(job.folder, result.problems)
        uploads.save_checked(job.folder, result.kind, summary)
        uploads.release(job.folder)
        job.finish("checked", summary=summary)
        return
    job.updates = summary["updated"]
    job.state.update(
        to_write=summary["created"] + summary["updated"],
        summary=summary,
        updates=[p.package_id for p in result.planned if p.action == "update"],
    )
    try:
        importer.write(result.planned, user, job.progress, 1, index=_NotedIndex(job.state))
    except importer.SERVICE_ERRORS as error:
        # write() rolled everything back; the report says which service failed
        message = importer.service_failure(error)
        uploads.release(job.folder)
        job.finish("failed", message=message)
        return
    summary["written"] = True
    uploads.save_done(job.folder, summary)
    os.remove(claimed)
    job.state.forget_sent()
    job.finish("done", summary=summary, written=summary["created"] + summary["updated"])


def _user(job: _Run) -> str:
    return job.state.read()["user"]


# ---- a job found dead ------------------------------------------------------------------------


def _recover(token: str, state: JobState, current: dict[str, Any]) -> None:
    """Makes Solr agree with the database for every entry the dead run sent a document of, and
    records how the run ended: done if its transaction committed (its new entries are in the
    database), else failed with the file given back for another confirmation."""
    if not state.redis.set(state.lock_key, "1", nx=True, ex=120):
        return  # someone else is recovering it
    try:
        sent = state.sent()
        updated = set(current.get("updates") or [])
        live = _live_ids(list(sent))
        committed = any(pid in live for pid in sent if pid not in updated)
        gone = [index_id for pid, index_id in sent.items() if pid not in live]
        index = fastpath.Index()
        for start in range(0, len(gone), 500):
            ids = " OR ".join(f'"{x}"' for x in gone[start : start + 500])
            index.conn.delete(q=f"index_id:({ids})", commit=False)
        if live:
            importer.index_packages(sorted(live), index=index)
        index.flush()
        index.conn.commit(waitSearcher=True)
        folder = uploads.folder_of(token)
        claimed = os.path.join(folder, uploads.CLAIMED)
        if committed:
            summary = dict(current.get("summary") or {}, written=True)
            uploads.save_done(folder, summary)
            with contextlib.suppress(FileNotFoundError):
                os.remove(claimed)
            state.update(state="done", finished=time.time(), written=current["to_write"])
        else:
            if os.path.exists(claimed):
                uploads.release(folder)
            message = tk._(
                "The background job stopped before it finished (its worker ended): nothing "
                "of this file was written."
            )
            state.update(state="failed", finished=time.time(), message=message, recovered=1)
        # the run is over: a late beat or progress of it must not count
        state.update(run=f"recovered-{current.get('run', '')}")
        state.forget_sent()
        log.warning(
            "background %s of upload %s found dead: %d documents withdrawn, %d reindexed",
            current.get("job"),
            state.upload_id,
            len(gone),
            len(live),
        )
    finally:
        state.redis.delete(state.lock_key)


def _live_ids(ids: list[str]) -> set[str]:
    live: set[str] = set()
    for start in range(0, len(ids), 1000):
        rows = model.Session.query(model.Package.id).filter(
            model.Package.id.in_(ids[start : start + 1000]), model.Package.state != "deleted"
        )
        live.update(pid for (pid,) in rows)
    return live
