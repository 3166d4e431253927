"""The grading rules of an entry by the elements its data items are bound to (就高从严,
sensitive personal information, core data), as pure functions over the held elements."""

from __future__ import annotations

import pytest

from ckanext.govcatalog.elements import grading
from ckanext.govcatalog.elements.grading import HeldElement

pytestmark = pytest.mark.usefixtures("with_request_context")


def held(row: int, grade: str = "一般数据", sensitive: bool = False) -> HeldElement:
    return HeldElement(row, f"信息项{row}", f"DE0000{row}", f"数据元{row}", grade, sensitive)


def fields(breaches: list[grading.Breach]) -> list[str]:
    return [b.field for b in breaches]


def _the_entry_grade_is_the_highest_in_the_vocabulary_order() -> None:
    assert grading.entry_grade([]) is None
    assert grading.entry_grade([held(1), held(2, "重要数据"), held(3)]) == "重要数据"
    assert grading.entry_grade([held(1, "核心数据"), held(2, "重要数据")]) == "核心数据"
    assert grading.highest_grade(["重要数据", "未知", None]) == "重要数据"


def _a_stated_grade_may_be_higher_never_lower() -> None:
    items = [held(1), held(2, "重要数据")]
    (breach,) = grading.breaches(items, "conditional", "closed", "一般数据")
    assert breach.field == "data_grade"
    assert "Important data" in breach.message and "row 2" in breach.message
    assert "信息项2" in breach.message and "数据元2（DE00002）" in breach.message
    assert grading.breaches(items, "conditional", "closed", "重要数据") == []
    assert grading.breaches(items, "conditional", "closed", "核心数据") == []
    assert grading.breaches(items, "conditional", "closed", None) == []  # its own "missing"


def _sensitive_personal_information_is_never_unconditionally_shared_or_opened() -> None:
    items = [held(1), held(2, sensitive=True), held(3, sensitive=True)]
    found = grading.breaches(items, "unconditional", "open", "一般数据")
    assert fields(found) == ["share_type", "open_type"]
    for breach in found:
        assert "row 2" in breach.message and "row 3" in breach.message
        assert "row 1," not in breach.message
    assert grading.breaches(items, "conditional", "conditional", "一般数据") == []
    assert grading.breaches([held(1)], "unconditional", "open", "一般数据") == []


def _core_data_forces_not_shared_and_not_opened() -> None:
    items = [held(1), held(2, "核心数据")]
    found = grading.breaches(items, "conditional", "conditional", "核心数据")
    assert fields(found) == ["share_type", "open_type"]
    assert "“Not shared”" in found[0].message and "“Not open”" in found[1].message
    assert "信息项2" in found[0].message
    assert grading.breaches(items, "none", "closed", "核心数据") == []
    # the stated grade follows too
    assert fields(grading.breaches(items, "none", "closed", "重要数据")) == ["data_grade"]


# one test (the request context is the costly part); each rule is its own function above
def test_grading_rules():
    _the_entry_grade_is_the_highest_in_the_vocabulary_order()
    _a_stated_grade_may_be_higher_never_lower()
    _sensitive_personal_information_is_never_unconditionally_shared_or_opened()
    _core_data_forces_not_shared_and_not_opened()
