"""Throwaway git repositories laid out as the ``fetch`` tool leaves snapshots (owner+name/repo),
for the tests of the fresh3 / fresh4 snapshot checks of scripts/bench/element_binding.py."""

from __future__ import annotations

import os
import pathlib
import subprocess
from collections.abc import Callable


def throwaway_repo(root: pathlib.Path) -> tuple[pathlib.Path, Callable[..., str]]:
    """A new repository o+n/repo under ``root`` (owner/name "o/n") and a function that runs git
    in it and returns its output."""
    work = root / "o+n" / "repo"
    work.mkdir(parents=True)
    # the machine's own git settings (signing, hooks, templates) stay out of this throwaway repo
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]

    def run(*args: str) -> str:
        return subprocess.run(
            [*git, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    run("init", "-q")
    return work, run
