"""Resource codes (信息资源代码): composition and safe allocation of the 顺序码.

A code is 分类码 + "/" + 顺序码. The digits of classes and items, the widths and the separator
are data in schemas/codes/resource_codes.yaml. The 顺序码 counts per 分类码 in the table
govcatalog_code_sequence; each number is taken by one atomic upsert in its own short transaction
(committed at once, independent of the dataset's transaction), so parallel creates never get the
same number and a number is never handed out again, not even after the entry is deleted or its
create fails later on.

Where the numbers come from is a :class:`Numbering`: by default that table. A caller that checks
many entries before writing them (bulk/fastpath) puts its own in the CKAN context under
``NUMBERING_KEY``, and the entry rules pass it to :func:`allocate`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import ckan.model as model
import sqlalchemy as sa
import yaml

from ckanext.govcatalog import vocab

_NEXT_SQL = sa.text(
    "INSERT INTO govcatalog_code_sequence (class_code, last_value) VALUES (:key, 1) "
    "ON CONFLICT (class_code) DO UPDATE "
    "SET last_value = govcatalog_code_sequence.last_value + 1 "
    "RETURNING last_value"
)
_CLAIM_SQL = sa.text(
    "INSERT INTO govcatalog_code_sequence (class_code, last_value) VALUES (:key, :value) "
    "ON CONFLICT (class_code) DO NOTHING RETURNING last_value"
)
_GET_SQL = sa.text("SELECT last_value FROM govcatalog_code_sequence WHERE class_code = :key")

# Keys of the departmental item registry in the same table: one counter, one row per department.
_DEPT_COUNTER = "dept-item"
_DEPT_PREFIX = "dept-item:"


class CodeError(ValueError):
    """A code cannot be composed; ``msgid`` is an English message with {placeholders}."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


def code_table_path() -> str:
    return os.path.join(vocab.schemas_dir(), "codes", "resource_codes.yaml")


@functools.cache
def _load_table(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def code_table() -> dict[str, Any]:
    """The code table (schemas/codes/resource_codes.yaml)."""
    return _load_table(code_table_path())


def _execute(sql: sa.TextClause, **params: Any) -> int | None:
    """Runs one statement in its own transaction, committed on return."""
    with model.meta.engine.begin() as conn:
        row = conn.execute(sql, params).first()
    return None if row is None else int(row[0])


def next_sequence(class_code: str) -> int:
    """The next 顺序码 of ``class_code`` (1, 2, ...), taken atomically and committed at once."""
    value = _execute(_NEXT_SQL, key=class_code)
    assert value is not None  # RETURNING always yields the row
    return value


def departmental_item_code(org_id: str) -> str:
    """The 项 digits of a department's own departmental items, assigned on first use."""
    table = code_table()
    width = int(table.get("departmental_item_digits", 2))
    key = _DEPT_PREFIX + org_id
    found = _execute(_GET_SQL, key=key)
    if found is None:
        candidate = next_sequence(_DEPT_COUNTER)
        if candidate >= 10**width:
            raise CodeError(
                "All {count} departmental item codes are taken; widen departmental_item_digits "
                "in the code table",
                count=10**width - 1,
            )
        # A concurrent create for the same department may have claimed it first: keep theirs
        # (the candidate number is then simply never used).
        found = _execute(_CLAIM_SQL, key=key, value=candidate) or _execute(_GET_SQL, key=key)
    assert found is not None
    return str(found).zfill(width)


class Numbering:
    """Where :func:`allocate` takes the numbers of a new code from: this one takes each from the
    code sequence table (committed at once), as every single create does."""

    def sequence(self, class_code: str) -> int:
        """The 顺序码 of a new entry of ``class_code``."""
        return next_sequence(class_code)

    def departmental_item(self, org_id: str) -> str:
        """The 项 digits of a department's own departmental items."""
        return departmental_item_code(org_id)


SEQUENCE_TABLE = Numbering()
# the CKAN context key under which a caller passes its own Numbering to the entry rules
NUMBERING_KEY = "govcatalog_numbering"


def numbering_in(context: Mapping[str, Any]) -> Numbering:
    """The numbering a validation context asks for: its own, or the sequence table."""
    return context.get(NUMBERING_KEY) or SEQUENCE_TABLE


def class_code(
    catalog_class: str,
    catalog_item: str,
    catalog_entry: str | None = None,
    catalog_subentry: str | None = None,
    owner_org_id: str | None = None,
    numbering: Numbering = SEQUENCE_TABLE,
) -> str:
    """The 分类码: 类 + 项 + 目 + 细目."""
    table = code_table()
    cls = (table.get("classes") or {}).get(catalog_class)
    if not cls:
        raise CodeError('Unknown resource class "{value}"', value=catalog_class)
    items = cls.get("items")
    if isinstance(items, dict):
        item = items.get(catalog_item)
        if item is None:
            raise CodeError(
                'The item "{item}" has no code in class "{cls}"',
                item=catalog_item,
                cls=catalog_class,
            )
    else:  # by_department
        if not owner_org_id:
            raise CodeError("A departmental entry needs a provider department")
        item = numbering.departmental_item(owner_org_id)
    return f"{cls['code']}{item}{catalog_entry or ''}{catalog_subentry or ''}"


def compose(class_code_: str, sequence: int) -> str:
    table = code_table()
    width = int(table.get("sequence_digits", 6))
    return f"{class_code_}{table.get('separator', '/')}{str(sequence).zfill(width)}"


def allocate(
    catalog_class: str,
    catalog_item: str,
    catalog_entry: str | None = None,
    catalog_subentry: str | None = None,
    owner_org_id: str | None = None,
    numbering: Numbering = SEQUENCE_TABLE,
) -> str:
    """A new resource code for an entry with these classification fields, numbered by
    ``numbering``."""
    prefix = class_code(
        catalog_class, catalog_item, catalog_entry, catalog_subentry, owner_org_id, numbering
    )
    return compose(prefix, numbering.sequence(prefix))


def code_pattern() -> re.Pattern[str]:
    """What a well-formed resource code looks like."""
    table = code_table()
    sep = re.escape(str(table.get("separator", "/")))
    return re.compile(rf"^\d{{3,}}{sep}\d{{{int(table.get('sequence_digits', 6))},}}$")


def existing_codes(codes: Iterable[str], exclude_package_id: str | None = None) -> set[str]:
    """Those of ``codes`` that belong to a catalog entry that is not deleted."""
    wanted = {c for c in codes if c}
    if not wanted:
        return set()
    col = model.Package.extras["resource_code"].astext
    query = model.Session.query(col).filter(col.in_(wanted), model.Package.state != "deleted")
    if exclude_package_id:
        query = query.filter(model.Package.id != exclude_package_id)
    return {c for (c,) in query}


def stored_code(package_id: str | None) -> str | None:
    """The resource code an existing entry already carries."""
    if not package_id:
        return None
    pkg = model.Package.get(package_id)
    if pkg is None:
        return None
    return (pkg.extras or {}).get("resource_code") or None
