"""The vocabularies the register uses (statuses, data types, grades, value rules, code tables),
read through vocab.py, and which statuses are public or retired (attributes of the status
vocabulary, so a new status is a line in the element_status vocabulary)."""

from __future__ import annotations

from typing import Any

from ckanext.govcatalog import vocab

STATUS = "element_status"
DATA_TYPE = "data_type"
DATA_GRADE = "data_grade"
VALUE_RULE = "element_value_rule"
CODE_TABLE = "element_code_table"


def values(name: str) -> list[str]:
    return vocab.values(name)


def label(name: str, value: Any) -> str:
    return vocab.label(name, value)


def options(name: str) -> list[dict[str, str]]:
    """``[{value, text}]`` of a vocabulary, labelled in the current language (for forms)."""
    return [
        {"value": e["value"], "text": vocab.label(name, e["value"])} for e in vocab.entries(name)
    ]


def public_statuses() -> list[str]:
    return [e["value"] for e in vocab.entries(STATUS) if e.get("public")]


def retired_statuses() -> list[str]:
    return [e["value"] for e in vocab.entries(STATUS) if e.get("retired")]


def default_status() -> str:
    return values(STATUS)[0]


def default_grade() -> str:
    return values(DATA_GRADE)[0]
