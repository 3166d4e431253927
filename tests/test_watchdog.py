"""tests/watchdog.py: a hung test stops its run, and the run's last lines name it and the line it
waits on (no database: a pytest run of its own on a throwaway test file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HUNG = """
import threading
import time

def test_quick():
    assert True

def test_waits_forever():
    threading.Event().wait()  # the line the report must point at

def test_never_reached():
    assert True
"""


def _run(tmp_path: Path, tests: str, seconds: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_hung.py").write_text(tests, encoding="utf-8")
    env = {**os.environ, "GOVCATALOG_TEST_HANG_SECONDS": seconds, "PYTHONPATH": str(ROOT)}
    # the inner run is plain pytest: no CKAN plugin (it would want an ini) and no cache
    plugins = ["-p", "tests.watchdog", "-p", "no:cacheprovider"]
    plugins += ["-p", "no:ckan", "-p", "no:ckan_fixtures"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-q", "test_hung.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_hung_test_stops_the_run_and_is_named_last(tmp_path):
    done = _run(tmp_path, HUNG, "2")
    assert done.returncode == 70
    last = done.stderr.strip().splitlines()
    assert last[-1].startswith("govcatalog: test_hung.py::test_waits_forever hung")
    # the main thread's innermost frames come just before it, the test's own line among them
    assert any("threading.Event().wait()" in line for line in last[-9:-1])
    assert "test_never_reached" not in done.stdout


def test_a_run_within_the_limit_is_left_alone(tmp_path):
    done = _run(tmp_path, "import time\n\ndef test_quick():\n    time.sleep(1)\n", "30")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hung" not in done.stderr
