"""Binding readings meant to hold for names of other sources (no database): a bare noun read as
an element's name is reviewed, the statistical 就业人员 is 从业人员, a project is a holder, the
particle 的 is dropped, and persons' properties, organizations' codes, coordinates and web
addresses bind whoever holds them."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("name", "expected", "how"),
    [
        # 国家统计局: 就业人员 is the statistical name of 从业人员 (R3 time qualifier, R12)
        ("年末就业人数（人）", "从业人员数", "leading"),
        ("就业人员数", "从业人员数", "core"),
        # a project as the record's subject holds its responsible person and address (R3, R4)
        ("项目负责人", "负责人姓名", "leading"),
        ("项目地址", "地址", "leading"),
        # 的 between two words is dropped
        ("企业的名称", "机构名称", "core"),
        ("法定代表人的姓名", "法定代表人姓名", "core"),
        # a role the leading words do not know still holds a person's properties (R4)
        ("受助对象政治面貌", "政治面貌", "holder_free"),
        ("被征地人员婚姻状况", "婚姻状况", "holder_free"),
        # codes and coordinates whoever holds them (R2)
        ("许可机关组织机构代码", "组织机构代码", "holder_free"),
        ("扣缴义务人纳税人识别号", "纳税人识别号", "holder_free"),
        ("观测站经度", "经度", "holder_free"),
    ],
)
def test_readings_that_bind_automatically(index, name, expected, how):
    best = index.suggest(name)[0]
    assert (best.name, best.match, best.auto) == (expected, how, True)


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        # a noun alone is as often a heading or a fragment as the thing's name: reviewed
        ("产品", "产品名称"),
        ("疾病", "疾病名称"),
        # an average of staff is no staff count (the ending alone is reviewed)
        ("平均就业人数", "从业人员数"),
    ],
)
def test_readings_left_for_review(index, name, suggested):
    suggestions = index.suggest(name, limit=3)
    assert suggestions[0].name == suggested
    assert not any(s.auto for s in suggestions)


def test_a_leading_word_before_a_bare_noun_still_binds(index):
    # 所在学校: the leading word says it is the subject's school, not a heading
    best = index.suggest("所在学校")[0]
    assert (best.name, best.auto) == ("学校名称", True)


def test_the_particle_stays_inside_its_own_words(index):
    rules = index.rules
    assert rules.without_particles("出行目的地") == "出行目的地"
    assert rules.without_particles("企业的目的地的地址") == "企业目的地地址"
    # never at either end: a name is no particle
    assert rules.without_particles("的名称") == "的名称"
