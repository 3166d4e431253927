"""Template helpers."""

from __future__ import annotations

from typing import Any


def get_helpers() -> dict[str, Any]:
    return {}
