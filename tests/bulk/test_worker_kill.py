"""A background import whose worker is killed halfway leaves nothing half-written.

A real `ckan jobs worker` runs against this test session's ini, database, Solr core and Redis
database (with the bulk tests' schema). The officer uploads 260 rows; the worker checks them, and
after the confirmation writes them in one transaction, sending their search documents to Solr
before the commit. To stop it at a known point this test holds, in a transaction of its own, the
audit chain's advisory lock, which a committing import takes last (audit/log.py): the worker
waits there with every row inserted and every document sent (Solr's soft commit shows them),
nothing committed, the point where a half-write would do most harm. Then the worker and its work
horse get SIGKILL.

Afterwards: the page says the import failed and can be confirmed again; the catalog holds none of
the upload's entries in PostgreSQL or in Solr, the two agree entry for entry, `ckan govcatalog
audit verify` passes; and confirming again writes all of them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.search.common import make_connection
from ckan.tests.helpers import call_action

from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.bulk import jobs
from tests.bulk.spreadsheets import FIXTURE_SCHEMA, entry_row, xlsx
from tests.bulk.test_jobs import perform_queued, queued, status
from tests.bulk.test_views import REPORT_URL, body, login, token, upload

ROWS = 260  # above the threshold of 200
CKAN = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ckan"

pytestmark = [
    pytest.mark.ckan_config("scheming.dataset_schemas", FIXTURE_SCHEMA),
    pytest.mark.ckan_config("govcatalog.bulk.background_rows", "200"),
    pytest.mark.ckan_config("ckan.locale_default", "zh_Hans_CN"),
    pytest.mark.usefixtures("shared_plugins", "clean_redis"),
]


def title(n: int) -> str:
    return f"石泉县批量资源{n:04d}"


@pytest.fixture
def worker(ckan_config, tmp_path):
    """`ckan jobs worker` in a process group of its own, on this session's ini with the bulk
    tests' schema; killed (the whole group) at the end whatever happened."""
    ini = tmp_path / "worker.ini"
    ini.write_text(
        f"[app:main]\nuse = config:{ckan_config['__file__']}\n"
        f"scheming.dataset_schemas = {FIXTURE_SCHEMA}\n"
        f"ckan.locale_default = zh_Hans_CN\n",
        encoding="utf-8",
    )
    model.Session.remove()  # the worker shares the database
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(CKAN), "-c", str(ini), "jobs", "worker"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        yield {"process": process, "log": tmp_path / "worker.log"}
    finally:
        kill_worker(process)
        log.close()


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    children = [int(p) for p in out.stdout.split()]
    return children + [d for c in children for d in descendants(c)]


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL to the worker and everything it started, as a machine stopping or the kernel's
    OOM killer would do: rq runs each job in a forked work horse in a session of its own, which
    the worker's process group does not reach."""
    if process.poll() is not None:
        return
    for pid in descendants(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def wait_for(what: str, check, timeout: float, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if worker is not None and worker["process"].poll() is not None:
            pytest.fail(f"the worker exited before {what}: {worker['log'].read_text()[-3000:]}")
        time.sleep(0.2)
    log = worker["log"].read_text()[-3000:] if worker else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def solr_ids() -> set[str]:
    from ckan.plugins.toolkit import config

    found = make_connection().search(
        q="*:*", fq=f"+site_id:{config['ckan.site_id']}", fl="id", rows=100000
    )
    return {d["id"] for d in found.docs}


def db_ids() -> set[str]:
    model.Session.remove()
    return {
        pid
        for (pid,) in model.Session.query(model.Package.id).filter(
            model.Package.state == "active", model.Package.type == "dataset"
        )
    }


def test_a_worker_killed_mid_write_leaves_nothing_half_written(app, bulk_env, worker, ckan_config):
    org = bulk_env["org"]
    rows = [entry_row(n, org["title"], 信息资源名称=title(n)) for n in range(1, ROWS + 1)]
    data = xlsx(rows)
    before_db, before_solr = db_ids(), solr_ids()
    assert before_db == before_solr

    login(app, bulk_env["user"])
    location = upload(app, data, "一千行.xlsx", org["id"]).headers["Location"]
    tok = REPORT_URL.search(location).group(1)
    wait_for("the check", lambda: status(app, tok)["state"] == "checked", 300, worker)
    report = app.get(location)
    assert 'id="bulk-confirm-form"' in body(report), body(report)

    # the audit chain's lock, which the worker's commit will wait for
    engine = sa.create_engine(ckan_config["sqlalchemy.url"])
    blocker = engine.connect()
    held = blocker.begin()
    blocker.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": audit_log.LOCK_KEY})
    try:
        confirmed = app.post(
            f"/catalog/bulk/upload/{tok}/confirm",
            data={"_csrf_token": token(report)},
            follow_redirects=True,
        )
        assert 'id="bulk-job"' in body(confirmed)

        def waiting_worker() -> int | None:
            # (a transaction sees one snapshot of pg_stat_activity: cleared for each look)
            blocker.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return blocker.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE pg_backend_pid() = ANY"
                    "(pg_blocking_pids(pid))"
                )
            ).scalar()

        backend = wait_for("the write to reach its commit", waiting_worker, 300, worker)
        progress = status(app, tok)
        assert progress["state"] == "running" and progress["job"] == "write"
        assert progress["checked"] == ROWS and progress["written"] == ROWS, progress
        # the documents went out before the commit, and Solr shows them
        wait_for("Solr to show the documents", lambda: len(solr_ids() - before_solr) == ROWS, 30)

        kill_worker(worker["process"])
    finally:
        held.rollback()
        blocker.close()
        engine.dispose()

    def backend_gone() -> bool:
        model.Session.remove()
        found = model.Session.execute(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}
        ).scalar()
        return found == 0

    wait_for("the killed worker's transaction to end", backend_gone, 60)
    assert db_ids() == before_db, "PostgreSQL rolled the killed write back"
    assert len(solr_ids() - before_solr) == ROWS, "Solr still shows what the dead job sent"

    # the page (its polling) finds the job dead, takes the documents back and says so
    # (once its heartbeat has expired: a live job beats every few seconds)
    failed = wait_for(
        "the page to find the job dead",
        lambda: (s := status(app, tok))["state"] != "running" and s,
        jobs.ALIVE_SECONDS + 30,
    )
    assert failed["state"] == "failed" and failed["finished"]
    assert "后台任务在完成前中断" in failed["message"]
    page = body(app.get(location))
    assert 'id="bulk-job-failed"' in page and "可以再次确认导入" in page
    assert 'id="bulk-confirm-form"' in page, "the import can be retried"
    assert db_ids() == before_db and solr_ids() == before_solr == before_db
    activities = model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()
    # (the command runs while the retry below goes on: its one query reads one snapshot)
    verify = subprocess.Popen(
        [str(CKAN), "-c", ckan_config["__file__"], "govcatalog", "audit", "verify"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    # retried: this time the job runs to its end (here, in this process) and writes everything
    retried = app.post(
        f"/catalog/bulk/upload/{tok}/confirm",
        data={"_csrf_token": token(app.get(location))},
        follow_redirects=True,
    )
    assert 'id="bulk-job"' in body(retried)
    assert [j.func_name for j in queued()] == ["ckanext.govcatalog.bulk.jobs.run_write"]
    perform_queued(app)
    assert status(app, tok)["state"] == "done"
    written = db_ids() - before_db
    assert len(written) == ROWS
    assert solr_ids() == db_ids()
    assert call_action("package_search", fq=f"owner_org:{org['id']}", rows=0)["count"] == ROWS
    assert model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar() > activities
    assert audit_log.verify().ok
    output, _ = verify.communicate(timeout=300)
    assert verify.returncode == 0 and "OK: " in output, output
