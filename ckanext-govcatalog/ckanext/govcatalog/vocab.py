"""Vocabularies (code tables and choice lists) loaded from the schemas/ folder.

They are data, kept in YAML under schemas/vocab/; code asks this module for values and labels
instead of repeating literals.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

_SHIPPED_SCHEMAS = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "schemas")
)


def schemas_dir() -> str:
    return tk.config.get("govcatalog.schemas_dir") or _SHIPPED_SCHEMAS


def vocab_dir() -> str:
    return os.path.join(schemas_dir(), "vocab")


def vocabulary_names() -> list[str]:
    folder = vocab_dir()
    if not os.path.isdir(folder):
        return []
    return [f[:-5] for f in os.listdir(folder) if f.endswith(".yaml")]


@functools.cache
def _load(name: str, folder: str) -> Any:
    with open(os.path.join(folder, name + ".yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def load(name: str) -> Any:
    """The parsed content of schemas/vocab/<name>.yaml."""
    return _load(name, vocab_dir())
