"""The production mode (scripts/site.sh serve-production): gunicorn serving CKAN's WSGI app with
several workers, and `ckan jobs worker` running CKAN's background jobs, both started and stopped
by the script, on the test session's own ini, database and Redis database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib import jobs

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "scripts" / "site.sh"


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.fixture
def production(tmp_path, ckan_config, with_plugins, clean_db):
    """serve-production on a spare port against this session's ini; stopped afterwards."""
    from ckan import model

    model.Session.remove()  # the served processes use the same database
    data = tmp_path / "data"
    env = dict(
        os.environ,
        GOVCATALOG_DATA=str(data),  # pid files and logs of this instance only
        GOVCATALOG_CKAN_INI=ckan_config["__file__"],
        GOVCATALOG_CKAN_PORT=str(_spare_port()),
        GOVCATALOG_WEB_WORKERS="2",
    )
    started = subprocess.run(
        [str(SITE), "serve-production"], env=env, capture_output=True, text=True, timeout=300
    )
    site = {
        "url": f"http://127.0.0.1:{env['GOVCATALOG_CKAN_PORT']}",
        "run": data / "run",
        "logs": data / "logs",
        "env": env,
    }
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield site
    finally:
        subprocess.run([str(SITE), "stop-production"], env=env, timeout=120, check=False)


def test_gunicorn_and_jobs_worker_serve_the_catalog_and_stop(production):
    """The home page and the status API answer through gunicorn (a master with two workers), a
    job enqueued with tk.enqueue_job is run by the jobs worker, and stop-production ends both."""
    gunicorn_pid = int((production["run"] / "gunicorn.pid").read_text())
    worker_pid = int((production["run"] / "jobs-worker.pid").read_text())
    assert "gunicorn" in _cmdline(gunicorn_pid)
    assert len(_children(gunicorn_pid)) == 2
    assert "jobs worker" in _cmdline(worker_pid)

    with urllib.request.urlopen(production["url"] + "/", timeout=60) as home:
        assert home.status == 200
        assert home.headers["Server"].startswith("gunicorn")
        assert tk.config["ckan.site_title"] in home.read().decode("utf-8")
    with urllib.request.urlopen(production["url"] + "/api/3/action/status_show") as api:
        status = json.load(api)
    assert status["success"] is True
    assert status["result"]["ckan_version"].startswith("2.12")

    marker = f"production-job-{uuid.uuid4().hex}"
    job = tk.enqueue_job(jobs.test_job, [marker], title="production mode test")
    deadline = time.monotonic() + 90
    while job.get_status(refresh=True) != "finished" and time.monotonic() < deadline:
        assert job.get_status() != "failed", job.exc_info
        time.sleep(0.5)
    assert job.get_status() == "finished"
    assert marker in (production["logs"] / "jobs-worker.log").read_text()

    stopped = subprocess.run(
        [str(ROOT / "scripts" / "site.sh"), "stop-production"],
        env=production["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert stopped.returncode == 0, stopped.stderr
    assert not _alive(gunicorn_pid)
    assert not _alive(worker_pid)
    assert not (production["run"] / "gunicorn.pid").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(production["url"] + "/api/3/action/status_show", timeout=5)


def test_serve_production_refuses_a_port_in_use(tmp_path, ckan_config):
    """A port another program holds is named, and nothing is started."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = dict(
            os.environ,
            GOVCATALOG_DATA=str(tmp_path / "data"),
            GOVCATALOG_CKAN_INI=ckan_config["__file__"],
            GOVCATALOG_CKAN_PORT=str(port),
        )
        proc = subprocess.run(
            [str(SITE), "serve-production"], env=env, capture_output=True, text=True, timeout=60
        )
    assert proc.returncode != 0
    assert f"port {port}" in proc.stderr
    assert not (tmp_path / "data" / "run" / "gunicorn.pid").exists()
