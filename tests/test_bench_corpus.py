"""A benchmark started without the shared corpus stops at once with a message naming the folder
(not an IndexError from an empty list, and before any database or Solr work)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEARCH_LATENCY = ROOT / "scripts" / "bench" / "search_latency.py"


def _run(corpus: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SEARCH_LATENCY), "--entries", "10"],
        env=dict(os.environ, GOVCATALOG_CORPUS=str(corpus)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_corpus_folder_is_named(tmp_path):
    missing = tmp_path / "shared" / "corpus"
    proc = _run(missing)
    assert proc.returncode == 1
    assert f"the corpus folder {missing} does not exist" in proc.stderr
    assert "GOVCATALOG_CORPUS" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_corpus_folder_without_records_is_named(tmp_path):
    (tmp_path / "README.md").write_text("not a corpus")
    proc = _run(tmp_path)
    assert proc.returncode == 1
    assert f"the corpus folder {tmp_path} holds no corpus records" in proc.stderr
    assert "Traceback" not in proc.stderr
