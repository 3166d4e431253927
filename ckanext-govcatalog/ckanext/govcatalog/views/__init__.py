"""Flask blueprints. Each concern has its own module; list its blueprint here."""

from __future__ import annotations

from typing import Any


def get_blueprints() -> list[Any]:
    return []
