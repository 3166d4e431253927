"""Reading the values of catalog fields whatever shape they arrive in.

A list field (data items, themes, related codes) is a list after validation, a JSON array string
in Solr's stored copy and in extras, and free text in an import or a form; every reader goes
through ``as_list`` so the shapes are handled in one place.
"""

from __future__ import annotations

import json
import re
from typing import Any

# what people type between values in one cell or box: , ， 、 ; ； and new lines
LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")


def split_text(text: str) -> list[str]:
    """The non-empty values of a separated text, stripped."""
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def as_list(value: Any, *, split: bool = False) -> list[Any]:
    """``value`` as a list: a list as it is, ``None``/"" as [], a JSON array string parsed, a JSON
    scalar as one value. Any other string is one value, or with ``split`` its separated values."""
    if isinstance(value, list):
        return value
    if value is None or value == "":
        return []
    if isinstance(value, (tuple, set)):
        return list(value)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("[", '"')) or not split:
            try:
                loaded = json.loads(stripped)
            except ValueError:
                loaded = None
            else:
                return loaded if isinstance(loaded, list) else [loaded]
        return split_text(value) if split else [value]
    return [value]
