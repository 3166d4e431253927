"""Vocabularies (code tables and choice lists): the one reader of schemas/vocab/.

Each vocabulary is a YAML file ``schemas/vocab/<name>.yaml`` holding
``values: [{value, label: {zh_Hans_CN, en}, ...attributes}]`` and, for some, ``rejected:`` (values
known but refused, same shape). Scheming fields name theirs with ``vocabulary: <name>`` (or use
their own field name). Form choices, validators, facets, the index, the spreadsheet, DCAT and the
display all ask this module for values and labels, so a value lives in one file and a label is
picked in one language order (``language_order``) for the language of ``current_lang()``.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

# The catalog's own language: its labels are always present.
DEFAULT_LANG = "zh_Hans_CN"
# Tried after the user's locale and its language part, in this order.
FALLBACK_LANGS = (DEFAULT_LANG, "en")

_SHIPPED_SCHEMAS = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "schemas")
)


def schemas_dir() -> str:
    return tk.config.get("govcatalog.schemas_dir") or _SHIPPED_SCHEMAS


def vocab_dir() -> str:
    return os.path.join(schemas_dir(), "vocab")


def vocabulary_names() -> list[str]:
    """The names of the vocabularies (files in schemas/vocab/)."""
    return list(_names(vocab_dir()))


@functools.cache
def _names(folder: str) -> tuple[str, ...]:
    # asked for every facet of every search: the folder changes with a deploy, not at run time
    if not os.path.isdir(folder):
        return ()
    return tuple(sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".yaml")))


# --- values ----------------------------------------------------------------------------------


@functools.cache
def _entries(name: str, folder: str, section: str) -> tuple[dict[str, Any], ...]:
    # read once per folder (they change with a deploy); validators ask for every row of an import
    with open(os.path.join(folder, name + ".yaml"), encoding="utf-8") as f:
        document = yaml.safe_load(f) or {}
    return tuple(dict(e, value=str(e["value"])) for e in document.get(section) or [])


def entries(name: str) -> list[dict[str, Any]]:
    """The value entries of vocabulary ``name`` in file order (values as strings)."""
    return [dict(e) for e in _entries(name, vocab_dir(), "values")]


def values(name: str) -> list[str]:
    """The allowed values of vocabulary ``name`` in file order."""
    return [e["value"] for e in _entries(name, vocab_dir(), "values")]


def entry(name: str, value: Any) -> dict[str, Any] | None:
    """The entry of ``value`` in vocabulary ``name``, or None."""
    if value is None:
        return None
    for e in _entries(name, vocab_dir(), "values"):
        if e["value"] == str(value):
            return dict(e)
    return None


def rejected(name: str) -> list[dict[str, Any]]:
    """Values a vocabulary lists as known but refused (e.g. 涉密 for ``secret``)."""
    return [dict(e) for e in _entries(name, vocab_dir(), "rejected")]


def scheming_choices(name: str, **attrs: Any) -> list[dict[str, Any]]:
    """``[{value, label}]`` for a scheming field, optionally only entries with ``attrs``."""
    return [
        {"value": e["value"], "label": e.get("label", e["value"])}
        for e in _entries(name, vocab_dir(), "values")
        if all(e.get(k) == v for k, v in attrs.items())
    ]


def field_vocabulary(field: dict[str, Any]) -> str:
    """The vocabulary a scheming field draws its values from."""
    # scheming renders a repeating subfield as "<field>-<index>-<subfield>" (data_items-0-data_type)
    return field.get("vocabulary") or field["field_name"].rsplit("-", 1)[-1]


# --- languages and labels --------------------------------------------------------------------


def current_lang() -> str:
    """The user's locale: the request's (CKAN's ``h.lang()``), else the site's default."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError):
        # RuntimeError: no request (CLI, background jobs, import workers); AttributeError: the
        # template helpers are not loaded yet (no CKAN app)
        lang = None
    return lang or tk.config.get("ckan.locale_default") or DEFAULT_LANG


def language_order(lang: str) -> tuple[str, ...]:
    """The languages a label is looked up in for ``lang``: it, its language part, then
    zh_Hans_CN and en."""
    order = [lang, lang.split("_")[0], *FALLBACK_LANGS]
    return tuple(dict.fromkeys(order))


def label_text(label: Any, lang: str | None = None) -> str:
    """One language of a ``{lang: text}`` label (of a value or of a schema field), in ``lang``
    (default: ``current_lang()``) or the first that ``language_order`` finds; a plain text as
    it is."""
    if not isinstance(label, dict):
        return "" if label is None else str(label)
    for key in language_order(lang or current_lang()):
        if label.get(key):
            return str(label[key])
    return str(next(iter(label.values()), ""))


def label(name: str, value: Any, lang: str | None = None) -> str:
    """The display label of ``value`` in vocabulary ``name``; the value itself if unknown."""
    e = entry(name, value)
    if e is None:
        return "" if value is None else str(value)
    return label_text(e.get("label"), lang) or e["value"]


def labels(name: str, lang: str | None = None) -> dict[str, str]:
    """``{value: label}`` of every value of vocabulary ``name`` that has a label."""
    return dict(_labels(name, vocab_dir(), lang or current_lang()))


@functools.cache
def _labels(name: str, folder: str, lang: str) -> dict[str, str]:
    # every search labels its facet values: picked once per vocabulary and language
    out = {e["value"]: label_text(e.get("label"), lang) for e in _entries(name, folder, "values")}
    return {value: text for value, text in out.items() if text}
