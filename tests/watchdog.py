"""A test that hangs, or a run stopped from outside, ends with the test's name and where it waits.

Without this a hung test holds the whole run until CI's own limit, and CI keeps only the tail of
the log, so nothing says which test or what it waited on. After GOVCATALOG_TEST_HANG_SECONDS
(default 600 s; the slowest test takes ~80 s at CI's load) of one test's setup, call and
teardown, or on SIGTERM (scripts/test.sh stops a shard that outlives its limit), the stacks of
every thread go to the real standard error (pytest captures fd 2 while a test runs), then the
slowest tests finished so far, the main thread's innermost frames and the test's name last; the
processes the run started are killed, and the run exits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from types import FrameType

import pytest

HANG_SECONDS = float(os.environ.get("GOVCATALOG_TEST_HANG_SECONDS", "600"))
HANG_EXIT_STATUS = 70
# if the hung code holds the GIL, the Python timer cannot run; faulthandler's C thread still can
BACKSTOP_SECONDS = 60

_pytest_pid = os.getpid()
_stderr: int | None = None  # a copy of fd 2 taken while pytest was not capturing it
_running: tuple[str, float] | None = None  # the test now running: (nodeid, monotonic start)
_finished: list[tuple[float, str]] = []  # (seconds, nodeid) of each test run so far


def pytest_sessionstart(session: pytest.Session) -> None:
    global _stderr
    _stderr = os.dup(2)


def _innermost_frames(thread_id: int, count: int) -> list[str]:
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return []
    lines = []
    for f in traceback.extract_stack(frame)[-count:]:
        where = "/".join(f.filename.split("/")[-2:])
        lines.append(f"  {where}:{f.lineno} in {f.name}: {(f.line or '').strip()}"[:240])
    return lines


def report(verdict: str, out: int) -> None:
    """Write every thread's stack, the slowest tests so far, then the main thread's innermost
    frames (pytest runs the tests there) and ``verdict`` (the lines a log's tail keeps) to the
    file descriptor ``out``."""
    faulthandler.dump_traceback(file=out, all_threads=True)
    slowest = sorted(_finished, reverse=True)[:3]
    lines = [
        "",
        f"govcatalog: {len(_finished)} tests ran before; the slowest:",
        *(f"  {seconds:.0f} s {nodeid}" for seconds, nodeid in slowest),
        "govcatalog: where the main thread waits (innermost last):",
        *_innermost_frames(threading.main_thread().ident or 0, 8),
        verdict,
    ]
    os.write(out, ("\n".join(lines) + "\n").encode("utf-8", "replace"))


def _now_running() -> tuple[str, float]:
    """The running test's id and how long it has run (no test: between two tests)."""
    if _running is None:
        return "no test (between tests)", 0.0
    nodeid, start = _running
    return nodeid, time.monotonic() - start


def _end_descendants() -> None:
    """SIGKILL every process this one started, and theirs: a forked process keeps the run's
    output pipe open (and whatever it waited on), so the run would not end with this one."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        children.setdefault(parent, []).append(int(entry))
    todo = [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)


def _end_run(verdict: str, status: int) -> None:
    """Report with ``verdict`` last, kill what the run started, and exit with ``status``."""
    report(verdict, _stderr if _stderr is not None else 2)
    _end_descendants()
    os._exit(status)


def _hang() -> None:
    nodeid, seconds = _now_running()
    _end_run(
        f"govcatalog: {nodeid} hung: still running after {seconds:.0f} s; the run stops",
        HANG_EXIT_STATUS,
    )


def _stopped(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _pytest_pid:  # a process forked by a test: end as SIGTERM would
        os._exit(128 + signum)
    nodeid, seconds = _now_running()
    _end_run(
        f"govcatalog: {nodeid} stopped: the run was stopped from outside {seconds:.0f} s into it",
        128 + signum,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    global _running
    _running = (item.nodeid, time.monotonic())
    # set again before each test: code run in-process (rq's worker) installs its own
    signal.signal(signal.SIGTERM, _stopped)
    timer = threading.Timer(HANG_SECONDS, _hang)
    timer.daemon = True
    timer.start()
    if _stderr is not None:
        faulthandler.dump_traceback_later(HANG_SECONDS + BACKSTOP_SECONDS, exit=True, file=_stderr)
    try:
        yield
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()
        _finished.append((_now_running()[1], item.nodeid))
        _running = None
