"""Substring search in DataStore tables: ``datastore_search`` with ``contains``.

The DataStore's own ``q`` is full-text search: it matches whole words (or, in prefix form, words
starting with what was typed). Chinese has no spaces between words, so PostgreSQL's parser takes
a whole run of characters as one word and 长兴街 does not find "城关镇长兴街12号". ``contains``
matches any part of a value, case-insensitively:

- ``contains="长兴街"``: rows where any column the caller may search holds the text;
- ``contains={"地址": "长兴街", "类别": "泵站"}``: rows where each named column holds its text.

``%``, ``_`` and ``\\`` in the text are matched literally (escaped for ILIKE). Which columns may be
searched is the row API's rule (tabular/api.py: only columns the caller reads unmasked). The
chained ``datastore_search`` takes ``contains`` out of the parameters (the DataStore's schema
refuses keys it does not know), checks it, finds the matching row numbers here (one bound-
parameter SELECT on the DataStore's read-only connection) and hands them on as a ``filters`` on
``_id``, so paging, sorting, the other filters, the column limit, masking and the usage record
all stay the DataStore's and the row API's own. (The DataStore's IDatastore hook would take the
clause directly, but it must come before every other IDatastore plugin in ``ckan.plugins``.)
At most ``MAX_MATCHES`` rows may match; a broader search is refused with a request to type more.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

PARAMETER = "contains"
# the longest text searched for, and the most columns named in one search
MAX_TEXT = 100
MAX_COLUMNS = 50
# the most rows one search may match (their numbers are handed on as a filter), and how long
# the search may run
MAX_MATCHES = 20000
TIMEOUT_MS = 10000

# (columns, text): a row matches when any of the columns holds the text; groups are ANDed
Group = tuple[list[str] | None, str]  # None: every column the caller may search


def _error(message: str) -> tk.ValidationError:
    return tk.ValidationError({PARAMETER: [message]})


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _error(tk._("Must be text, or an object of column: text"))
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise _error(tk._("At most {n} characters may be searched for").format(n=MAX_TEXT))
    return text


def parse(value: Any) -> list[Group]:
    """The groups of a ``contains`` parameter (text, or an object of column: text, or either as
    JSON); ValidationError for anything else. Empty texts are dropped."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise _error(tk._("Must be text, or an object of column: text")) from None
    if isinstance(value, dict):
        if len(value) > MAX_COLUMNS:
            raise _error(tk._("At most {n} columns may be named").format(n=MAX_COLUMNS))
        groups: list[Group] = [([str(column)], _text(text)) for column, text in value.items()]
    else:
        groups = [(None, _text(value))]
    return [(columns, text) for columns, text in groups if text]


def take(data_dict: dict[str, Any]) -> tuple[dict[str, Any], list[Group]]:
    """The parameters without ``contains``, and its groups."""
    if PARAMETER not in data_dict:
        return data_dict, []
    data = dict(data_dict)
    return data, parse(data.pop(PARAMETER))


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, its wildcards and escape taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching_ids(resource_id: str, groups: list[Group], table_columns: list[str]) -> list[int]:
    from ckanext.datastore.backend import DatastoreBackend
    from ckanext.datastore.backend.postgres import identifier
    from sqlalchemy import text as sql

    clauses, params = [], {}
    for number, (columns, text) in enumerate(groups):
        names = [c for c in (table_columns if columns is None else columns) if c in table_columns]
        if not names:
            return []  # nothing the caller may search holds the text
        params[f"p{number}"] = like_pattern(text)
        matches = (f"CAST({identifier(n)} AS text) ILIKE :p{number} ESCAPE '\\'" for n in names)
        clauses.append("(" + " OR ".join(matches) + ")")
    query = sql(
        f'SELECT "_id" FROM {identifier(resource_id)} WHERE {" AND ".join(clauses)} '
        f'ORDER BY "_id" LIMIT {MAX_MATCHES + 1}'
    )
    engine = DatastoreBackend.get_active_backend()._get_read_engine()
    with engine.begin() as connection:
        connection.execute(sql(f"SET LOCAL statement_timeout TO {TIMEOUT_MS}"))
        ids = [row[0] for row in connection.execute(query, params)]
    if len(ids) > MAX_MATCHES:
        raise _error(
            tk._("More than {n} rows contain this text; type more of it").format(n=MAX_MATCHES)
        )
    return ids


def narrow(
    data_dict: dict[str, Any], resource_id: str, groups: list[Group], table_columns: list[str]
) -> dict[str, Any]:
    """The parameters with the substring search applied as a filter on the matching row
    numbers (kept with any ``_id`` filter the caller gave)."""
    if not groups:
        return data_dict
    ids = _matching_ids(resource_id, groups, table_columns)
    filters = data_dict.get("filters") or {}
    if isinstance(filters, str):
        filters = json.loads(filters)
    if not isinstance(filters, dict) or any(str(key).startswith("$") for key in filters):
        raise _error(tk._("Cannot be combined with these filters"))
    given = filters.get("_id")
    if given is not None:
        wanted = {str(v) for v in (given if isinstance(given, list) else [given])}
        ids = [i for i in ids if str(i) in wanted]
    return dict(data_dict, filters=dict(filters, _id=ids))
