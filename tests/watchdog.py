"""A test that hangs stops the run with its name and where it waits.

Without this a hung test holds the whole run until CI's own limit, and CI keeps only the tail of
the log, so nothing says which test or what it waited on. After GOVCATALOG_TEST_HANG_SECONDS
(default 600 s; the slowest test takes ~80 s at CI's load) of one test's setup, call and
teardown, the stacks of every thread go to the real standard error (pytest captures fd 2 while a
test runs), the main thread's innermost frames and the test's name last, and the run exits.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import traceback
from collections.abc import Iterator

import pytest

HANG_SECONDS = float(os.environ.get("GOVCATALOG_TEST_HANG_SECONDS", "600"))
HANG_EXIT_STATUS = 70
# if the hung code holds the GIL, the Python timer cannot run; faulthandler's C thread still can
BACKSTOP_SECONDS = 60

_stderr: int | None = None  # a copy of fd 2 taken while pytest was not capturing it


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


def report_hang(nodeid: str, main_thread: int, out: int) -> None:
    """Write every thread's stack, then the main thread's innermost frames and the test's name
    (the lines a log's tail keeps) to the file descriptor ``out``."""
    faulthandler.dump_traceback(file=out, all_threads=True)
    lines = [
        "",
        "govcatalog: where the main thread waits (innermost last):",
        *_innermost_frames(main_thread, 8),
        f"govcatalog: {nodeid} hung: still running after {HANG_SECONDS:.0f} s; the run stops",
    ]
    os.write(out, ("\n".join(lines) + "\n").encode("utf-8", "replace"))


def _hang(nodeid: str, main_thread: int) -> None:
    out = _stderr if _stderr is not None else 2
    report_hang(nodeid, main_thread, out)
    os._exit(HANG_EXIT_STATUS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    timer = threading.Timer(HANG_SECONDS, _hang, args=(item.nodeid, threading.get_ident()))
    timer.daemon = True
    timer.start()
    if _stderr is not None:
        faulthandler.dump_traceback_later(HANG_SECONDS + BACKSTOP_SECONDS, exit=True, file=_stderr)
    try:
        yield
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()
