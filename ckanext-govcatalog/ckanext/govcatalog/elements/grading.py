"""Grading an entry by the data elements its data items are bound to (GB/T 43697-2024, PIPL 28).

* An entry's grade is the highest grade of its bound items' elements (就高从严), in the order of
  the data_grade vocabulary; its stated 数据分级 may be higher, never lower.
* An entry holding 敏感个人信息 cannot have a share or open type marked ``refuses_sensitive``
  (无条件共享, 无条件开放).
* A grade with ``forces_share_type`` / ``forces_open_type`` (核心数据) forces them.

The rules are pure functions over ``HeldElement`` (what a bound item brings), so they are tested
without a database; binding.py finds the held elements of an entry and the validator applies
these rules on create, update and import. Messages are English msgids (elements.po) naming the
row, the data item and the element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import ckan.plugins.toolkit as tk

from ckanext.govcatalog import vocab

GRADE = "data_grade"
SHARE_TYPE = "share_type"
OPEN_TYPE = "open_type"


@dataclasses.dataclass(frozen=True)
class HeldElement:
    """A data item of an entry and the element it is bound to."""

    row: int  # 1-based, as the form and the sheet number rows
    item: str
    element_id: str
    element_name: str
    data_grade: str
    sensitive: bool

    @property
    def element_label(self) -> str:
        return f"{self.element_name}（{self.element_id}）"


@dataclasses.dataclass(frozen=True)
class Breach:
    """A rule an entry breaks: the field it is about and the message."""

    field: str
    message: str


def grade_rank(grade: str | None) -> int:
    """The position of ``grade`` in the grade order (-1 for none or an unknown one)."""
    order = vocab.values(GRADE)
    return order.index(grade) if grade in order else -1


def highest_grade(grades: Iterable[str | None]) -> str | None:
    """The highest of ``grades`` (就高从严), or None when none is a known grade."""
    best: str | None = None
    for grade in grades:
        if grade_rank(grade) > grade_rank(best):
            best = grade
    return best


def entry_grade(held: Iterable[HeldElement]) -> str | None:
    """The grade an entry takes from its bound items: the highest of their elements'."""
    return highest_grade(h.data_grade for h in held)


def sensitive_items(held: Iterable[HeldElement]) -> list[HeldElement]:
    return [h for h in held if h.sensitive]


def _first_with_grade(held: list[HeldElement], grade: str) -> HeldElement:
    return next(h for h in held if h.data_grade == grade)


def breaches(
    held: list[HeldElement],
    share_type: str | None,
    open_type: str | None,
    data_grade: str | None,
) -> list[Breach]:
    """The rules the entry breaks; an empty list when it keeps them. Empty fields break none
    (their own validators say they are missing)."""
    found: list[Breach] = []
    grade = entry_grade(held)
    if grade is not None and data_grade and grade_rank(data_grade) < grade_rank(grade):
        h = _first_with_grade(held, grade)
        found.append(
            Breach(
                GRADE,
                tk._(
                    "The data grade cannot be lower than {grade}, the highest grade of its data "
                    "items (就高从严): row {row}, data item \u201c{item}\u201d is bound to "
                    "data element {element}"
                ).format(
                    grade=vocab.label(GRADE, grade),
                    row=h.row,
                    item=h.item,
                    element=h.element_label,
                ),
            )
        )
    forced = vocab.entry(GRADE, grade) or {}
    for field, value, key in (
        (SHARE_TYPE, share_type, "forces_share_type"),
        (OPEN_TYPE, open_type, "forces_open_type"),
    ):
        must = forced.get(key)
        if must and value and value != must:
            h = _first_with_grade(held, str(grade))
            found.append(
                Breach(
                    field,
                    tk._(
                        "{grade} must be \u201c{value}\u201d: row {row}, data item "
                        "\u201c{item}\u201d is bound to data element {element}"
                    ).format(
                        grade=vocab.label(GRADE, grade),
                        value=vocab.label(field, must),
                        row=h.row,
                        item=h.item,
                        element=h.element_label,
                    ),
                )
            )
    sensitive = sensitive_items(held)
    if sensitive:
        for field, value in ((SHARE_TYPE, share_type), (OPEN_TYPE, open_type)):
            if value and (vocab.entry(field, value) or {}).get("refuses_sensitive"):
                found.append(
                    Breach(
                        field,
                        tk._(
                            "An entry holding sensitive personal information cannot be "
                            "\u201c{value}\u201d: {items}"
                        ).format(
                            value=vocab.label(field, value),
                            items="；".join(
                                tk._(
                                    "row {row}, data item \u201c{item}\u201d is bound to "
                                    "data element {element}"
                                ).format(row=h.row, item=h.item, element=h.element_label)
                                for h in sensitive
                            ),
                        ),
                    )
                )
    return found
