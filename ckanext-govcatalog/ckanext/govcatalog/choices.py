"""Choice lists of the catalog fields, read from the vocabularies in schemas/vocab/.

Each vocabulary is ``values: [{value, label: {zh_Hans_CN, en}, ...attributes}]``. Scheming
fields name theirs with ``vocabulary: <name>`` (or use their own field name); the form choices,
the validators, the index and the display all come through here, so a value lives in one file.
"""

from __future__ import annotations

import functools
from typing import Any

from ckanext.govcatalog import vocab


def entries(name: str) -> list[dict[str, Any]]:
    """The value entries of vocabulary ``name`` in file order."""
    data = vocab.load(name) or {}
    return [dict(e, value=str(e["value"])) for e in data.get("values") or []]


def values(name: str) -> list[str]:
    # validators ask for every row of an import: kept per vocabulary folder, like vocab's files
    return list(_values(name, vocab.vocab_dir()))


@functools.cache
def _values(name: str, _folder: str) -> tuple[str, ...]:
    return tuple(e["value"] for e in entries(name))


def entry(name: str, value: Any) -> dict[str, Any] | None:
    """The entry of ``value`` in vocabulary ``name``, or None."""
    if value is None:
        return None
    for e in entries(name):
        if e["value"] == str(value):
            return e
    return None


def rejected(name: str) -> list[dict[str, Any]]:
    """Values a vocabulary lists as known but refused (e.g. 涉密 for ``secret``)."""
    data = vocab.load(name) or {}
    return [dict(e, value=str(e["value"])) for e in data.get("rejected") or []]


def scheming_choices(name: str, **attrs: Any) -> list[dict[str, Any]]:
    """``[{value, label}]`` for a scheming field, optionally only entries with ``attrs``."""
    return [
        {"value": e["value"], "label": e.get("label", e["value"])}
        for e in entries(name)
        if all(e.get(k) == v for k, v in attrs.items())
    ]


def field_vocabulary(field: dict[str, Any]) -> str:
    """The vocabulary a scheming field draws its values from."""
    # scheming renders a repeating subfield as "<field>-<index>-<subfield>" (data_items-0-data_type)
    return field.get("vocabulary") or field["field_name"].rsplit("-", 1)[-1]


def label_text(label: Any, lang: str) -> str:
    """One language of a ``{lang: text}`` label (falls back to Chinese, then English)."""
    if not isinstance(label, dict):
        return "" if label is None else str(label)
    for key in (lang, lang.split("_")[0], "zh_Hans_CN", "en"):
        if label.get(key):
            return str(label[key])
    return str(next(iter(label.values()), ""))


def label(name: str, value: Any, lang: str) -> str:
    """The display label of ``value`` in vocabulary ``name``; the value itself if unknown."""
    e = entry(name, value)
    if e is None:
        return "" if value is None else str(value)
    return label_text(e.get("label"), lang) or e["value"]
