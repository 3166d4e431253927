"""bulk/fastpath/workers.py: the forked workers of a bulk run end when their pool is ended, even
in the middle of a task, whatever SIGTERM handler the parent process has (gunicorn's and rq's
only ask their loop to stop)."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time

from ckanext.govcatalog.bulk.fastpath import workers


def _work_long(seconds: int) -> int:
    time.sleep(seconds)
    return seconds


def _ask_to_stop(signum: int, frame: object) -> None:
    """A handler like gunicorn's and rq's warm shutdown: notes the request and returns."""


def test_a_pool_ended_mid_task_stops_its_workers_whatever_the_parents_handler():
    previous = signal.signal(signal.SIGTERM, _ask_to_stop)
    started: list[multiprocessing.process.BaseProcess] = []
    ended = threading.Event()

    def end_a_busy_pool() -> None:
        with workers.pool(2) as pool:
            pool.map_async(_work_long, [300, 300], chunksize=1)
            time.sleep(1)  # both workers are inside their task now
            started.extend(multiprocessing.active_children())
        ended.set()  # Pool.__exit__ has terminated its workers and waited for them

    # in a thread of its own, so that workers that live on fail this test instead of hanging it
    user = threading.Thread(target=end_a_busy_pool, daemon=True)
    try:
        user.start()
        user.join(timeout=60)
        assert len(started) == 2
        assert ended.is_set(), "the pool's workers outlived the pool (SIGTERM did not end them)"
        assert all(process.exitcode == -signal.SIGTERM for process in started)
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in started:
            with contextlib.suppress(Exception):
                process.kill()
