"""tests/watchdog.py: a hung test stops its run, and so does a signal from outside; the run's last
lines name the test and the line it waits on (no database: a pytest run of its own on a throwaway
test file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HUNG = """
import os
import threading
import time

def test_quick():
    assert True

def test_waits_forever():
    child = os.fork()  # holds every descriptor of the run, its output pipes among them
    if child == 0:
        time.sleep(300)
        os._exit(0)
    with open("child", "w") as f:
        f.write(str(child))
    open("started", "w").close()
    threading.Event().wait()  # the line the report must point at

def test_never_reached():
    assert True
"""


def _start(tmp_path: Path, tests: str, seconds: str) -> subprocess.Popen[str]:
    (tmp_path / "test_hung.py").write_text(tests, encoding="utf-8")
    env = {**os.environ, "GOVCATALOG_TEST_HANG_SECONDS": seconds, "PYTHONPATH": str(ROOT)}
    # the inner run is plain pytest: no CKAN plugin (it would want an ini) and no cache
    plugins = ["-p", "tests.watchdog", "-p", "no:cacheprovider"]
    plugins += ["-p", "no:ckan", "-p", "no:ckan_fixtures"]
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *plugins, "-q", "test_hung.py"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_hung_test_stops_the_run_and_is_named_last(tmp_path):
    process = _start(tmp_path, HUNG, "2")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 70
    last = err.strip().splitlines()
    assert last[-1].startswith("govcatalog: test_hung.py::test_waits_forever hung")
    # the main thread's innermost frames come just before it, the test's own line among them
    assert any("threading.Event().wait()" in line for line in last[-9:-1])
    # what ran before is listed, and nothing after it ran
    assert "govcatalog: 1 tests ran before; the slowest:" in err
    assert "test_never_reached" not in out
    _assert_ended(tmp_path)


def _assert_ended(tmp_path: Path) -> None:
    """The process the hung test forked was ended with the run (communicate() returned: no
    process holds the output pipes any more)."""
    child = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs: gone, or a zombie that no init has reaped yet, counts as ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_run_stopped_from_outside_names_the_running_test(tmp_path):
    process = _start(tmp_path, HUNG, "600")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_path / "started").exists():
        time.sleep(0.2)
    assert (tmp_path / "started").exists()
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    last = err.strip().splitlines()[-1]
    assert last.startswith("govcatalog: test_hung.py::test_waits_forever stopped: ")
    _assert_ended(tmp_path)


def test_a_run_within_the_limit_is_left_alone(tmp_path):
    process = _start(tmp_path, "import time\n\ndef test_quick():\n    time.sleep(1)\n", "30")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, out + err
    assert "govcatalog:" not in err
