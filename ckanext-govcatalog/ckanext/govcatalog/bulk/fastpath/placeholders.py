"""Placeholder resource codes: handed out while rows are checked, made real when they are written.

Checking a file (and a dry run, or a file that is then refused) uses up no codes: the check
numbers new entries with placeholders far above any real 顺序码, and :func:`assign_codes`
reserves the real numbers at write time, per 分类码 one reservation in the code sequence table,
in row order.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govcatalog.catalog import codes

# Far above any real 顺序码 (6 digits), so a placeholder can never be mistaken for a real code.
BASE = 10**12
# Each checking process numbers from its own range: process k from BASE + k * RANGE.
RANGE = 10**9


class PlaceholderNumbering(codes.Numbering):
    """The numbering of a check: placeholder 顺序码, and each department's 项 digits read (or,
    the first time ever, assigned) once."""

    def __init__(self, process: int = 0) -> None:
        self.last = process * RANGE  # the last placeholder handed out
        self._departmental_items: dict[str, str] = {}

    def sequence(self, class_code: str) -> int:
        self.last += 1
        return BASE + self.last

    def departmental_item(self, org_id: str) -> str:
        if org_id not in self._departmental_items:
            self._departmental_items[org_id] = super().departmental_item(org_id)
        return self._departmental_items[org_id]


_RESERVE_SQL = sa.text(
    "INSERT INTO govcatalog_code_sequence (class_code, last_value) VALUES (:key, :n) "
    "ON CONFLICT (class_code) DO UPDATE "
    "SET last_value = govcatalog_code_sequence.last_value + :n "
    "RETURNING last_value"
)


def _split_code(code: Any) -> tuple[str, int] | None:
    sep = str(codes.code_table().get("separator", "/"))
    if not isinstance(code, str) or sep not in code:
        return None
    prefix, _, number = code.rpartition(sep)
    return (prefix, int(number)) if number.isdigit() else None


def assign_codes(entries: list[dict[str, Any]]) -> None:
    """Replaces placeholder codes with real ones: per 分类码 one reservation in the code
    sequence table (committed at once, like codes.next_sequence), numbered in row order."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    for data in entries:
        split = _split_code(data.get("resource_code"))
        if split and split[1] > BASE:
            wanted.setdefault(split[0], []).append(data)
    for prefix, datas in wanted.items():
        with model.meta.engine.begin() as conn:
            last = int(conn.execute(_RESERVE_SQL, {"key": prefix, "n": len(datas)}).scalar_one())
        for n, data in enumerate(datas, start=last - len(datas) + 1):
            code = codes.compose(prefix, n)
            data["resource_code"] = code
            for extra in data.get("extras") or []:
                if extra.get("key") == "resource_code":
                    extra["value"] = code
