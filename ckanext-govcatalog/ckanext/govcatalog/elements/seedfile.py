"""The YAML form of the register (schemas/elements/*.yaml, ``elements import`` / ``export``):

    defaults: {field: value, ...}   # for each element of the file that does not set the field
    elements:
      - {id: DE00001, name: 公民身份号码, identifier: GMSFHM, synonyms: [身份证号], ...}

Reading and writing only; register.py checks and stores.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from typing import Any

import yaml


def read(text: str, origin: str = "") -> list[dict[str, Any]]:
    """The elements of one file, defaults applied; ValueError naming ``origin`` when malformed."""
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise ValueError(f"{origin or 'the file'}: expected a mapping with an 'elements' list")
    defaults = data.get("defaults") or {}
    elements = []
    for position, element in enumerate(data["elements"], 1):
        if not isinstance(element, dict):
            raise ValueError(f"{origin or 'the file'}: element {position} is not a mapping")
        elements.append({**defaults, **element})
    return elements


def read_files(paths: Iterable[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            found.extend(read(f.read(), os.path.basename(path)))
    return found


def seed_paths(folder: str) -> list[str]:
    """The seed files of a folder, in name order."""
    return sorted(glob.glob(os.path.join(folder, "*.yaml")))


def write(elements: Iterable[dict[str, Any]], fields: Iterable[str]) -> str:
    """The YAML form of ``elements``, each with ``id`` and the given fields that have a value."""
    keep = ["id", *fields]
    rows = []
    for element in elements:
        row = {k: element[k] for k in keep if element.get(k) not in (None, "", [])}
        rows.append(row)
    return yaml.safe_dump({"elements": rows}, allow_unicode=True, sort_keys=False, width=100)
