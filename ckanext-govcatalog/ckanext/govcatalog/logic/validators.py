"""Scheming validators: every catalog rule of the spec lives here."""

from __future__ import annotations

from typing import Any


def get_validators() -> dict[str, Any]:
    return {}
