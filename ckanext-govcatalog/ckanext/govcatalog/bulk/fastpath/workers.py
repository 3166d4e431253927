"""How many processes a bulk run uses, and the forked workers it uses them in.

Checking rows needs nothing of the write's transaction (it reads committed organizations, users
and codes), and building package_show dicts needs only the rows being written, so on a machine
with several cores both are split between processes. Only a caller that runs no other threads
may fork: a forked process inherits the locks other threads hold (the CLI may; web requests
check in their own process).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

# (phase, done, total): how a long run reports where it is
Progress = Callable[[str, int, int], None]

# below this many rows per process another process is not worth starting
MIN_ROWS_PER_PROCESS = 250


def no_progress(_phase: str, _done: int, _total: int) -> None:
    pass


def bulk_processes(rows: int) -> int:
    """How many processes check, and then build the package_show dicts of, ``rows`` new rows:
    govcatalog.bulk.processes, by default one per core, fewer for small files."""
    configured = tk.asint(tk.config.get("govcatalog.bulk.processes") or 0)
    wanted = configured or os.cpu_count() or 1
    return max(1, min(wanted, rows // MIN_ROWS_PER_PROCESS))


def processes_for(asked: int | None, rows: int) -> int:
    """The processes to use for ``rows`` rows when the caller asks for ``asked`` (None: as
    :func:`bulk_processes` says)."""
    wanted = bulk_processes(rows) if asked is None else max(1, asked)
    return min(wanted, max(1, rows))


def parts(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` in at most ``count`` consecutive parts of equal size (the last smaller)."""
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def pool(processes: int) -> Any:
    """``processes`` forked workers, each with database connections of its own."""
    return multiprocessing.get_context("fork").Pool(processes, _start_worker)


# sessions inherited from the parent process: kept referenced so that nothing ever closes (and
# rolls back) the parent's connection from here
_inherited_sessions: list[Any] = []


def _start_worker() -> None:
    # Pool.terminate() stops its workers with SIGTERM, but a forked worker inherits the parent's
    # handler: gunicorn's and rq's (the jobs worker) only ask the loop to stop, so the worker
    # lived on and terminate() waited for it forever. A worker ends when told to.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # forget (without closing) the connections inherited from the parent process; the parent may
    # be inside its write transaction, so its session is set aside and this process opens its own
    model.meta.engine.dispose(close=False)
    if model.Session.registry.has():
        _inherited_sessions.append(model.Session.registry())
        model.Session.registry.clear()


@contextlib.contextmanager
def collector_spared() -> Iterator[None]:
    """Bulk work makes many short-lived objects, and each full pass of Python's cyclic garbage
    collector would walk the whole loaded application again (in forked workers, copying its
    memory pages too). The objects that exist before the work are set aside for its duration."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
