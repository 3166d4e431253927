"""System labels that hold no element's value, and the readings of an event's date or number,
a keeper of a value and a role's word (no database): a match mode, a code table's entry, a
mapping, a joined list and a range's bound are never bound automatically; a registration's,
filing's or change's date or number after the kind of event puts the event's element
first, for review."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        # a match mode makes the column a query parameter (label_words)
        ("坐落（模糊）", "坐落"),
        ("姓名(精确匹配)", "姓名"),
        # a code table's entry or a mapping (label_words)
        ("业务字典项-证件类型", "证件类型"),
        ("单位对应的证件类型", "证件类型"),
        # a column of several rows' values joined into one (list_words)
        ("（以逗号拼接的）联系电话", "联系电话"),
        ("（以分号分隔）申请人证件号码", "证件号码"),
        # a note of two or more characters inside the name qualifies the word before it
        ("经营（租赁）面积", "经营面积"),
    ],
)
def test_a_system_label_waits_for_review(index, name, suggested):
    suggestions = index.suggest(name, limit=3)
    assert suggestions[0].name == suggested
    assert not any(s.auto for s in suggestions)


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("批准日期(起)", "批准日期"),
        ("批准日期（止）", "批准日期"),
        ("受理日期【开始】", "受理日期"),
    ],
)
def test_a_range_bound_of_a_date_is_a_query_parameter(index, name, date):
    assert not any(s.auto for s in index.suggest(name, limit=3))
    # the date itself still binds
    assert index.suggest(date)[0].auto


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # a bound of a term is the term's start or end (range_notes read as part of the name)
        ("有效期（起）", "有效期起始日期"),
        ("有效期(止)", "有效期截止日期"),
        ("资格证书有效期始", "有效期起始日期"),
        # a one-character note is another spelling and changes nothing
        ("住（地）址", "居住地址"),
    ],
)
def test_a_bound_of_a_term_binds_to_its_end(index, name, expected):
    best = index.suggest(name)[0]
    assert (best.name, best.auto) == (expected, True)


def test_a_subject_that_may_be_an_organization_holds_no_personal_document(index):
    # 主体: a person or an organization (either_holder_words)
    suggestions = index.suggest("纳税主体证件号码", limit=3)
    assert not any(s.auto for s in suggestions)
    # a person's role still holds it
    best = index.suggest("纳税人证件号码")[0]
    assert (best.name, best.auto) == ("证件号码", True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # the system or department keeping a value (keeper_words)
        ("不动产系统业务号", "办件编号"),
        ("局内部受理编号", "办件编号"),
        # the payer of a payment (leading_words: 付款人, 缴款人)
        ("付款人开户行", "开户银行"),
        # a division's code written with its form or length (GB/T 2260, GB/T 10114)
        ("县级行政区划-6位代码", "行政区划代码"),
        # the remarks column, whatever it remarks on (备注, 附记, 其他说明)
        ("抵押备注", "备注"),
        ("补充说明", "备注"),
        # 人员 after a role's verb is the role (办理人员 = 办理人 -> 经办人姓名)
        ("办理人员姓名", "经办人姓名"),
        # an added holder-free ending alone (证明号 is a 证照编号, R10)
        ("证明编号", "证照编号"),
        # R6 with the shared ending written once, an ending holder_free adds (邮编)
        ("申请人/联系人邮编", "邮政编码"),
    ],
)
def test_a_keeper_payer_or_remark_binds(index, name, expected):
    best = index.suggest(name)[0]
    assert (best.name, best.auto) == (expected, True)


@pytest.mark.parametrize(
    ("name", "first"),
    [
        # the kind of registration, filing or change before its date or number (event_elements):
        # the event's element first, reviewed (the earlier judged sets read such names apart)
        ("预告登记时间", "登记日期"),
        ("异议登记日期", "登记日期"),
        ("商品房买卖合同备案号", "备案编号"),
        ("规划许可备案时间", "备案日期"),
        ("营业执照变更日期", "变更日期"),
        # another event's word before the ending: the ending event's element first, reviewed
        ("注销预告登记时间", "注销日期"),
        # a role's word after the matter: the role's name first, reviewed
        ("更正申请人", "申请人姓名"),
    ],
)
def test_an_ambiguous_event_or_role_puts_the_likely_element_first(index, name, first):
    suggestions = index.suggest(name, limit=3)
    assert suggestions[0].name == first
    assert not any(s.auto for s in suggestions)


@pytest.mark.parametrize(
    "name",
    [
        "更正登记时间",
        "接入日期取值登记时间",
        # a record's or a system's own time stamp, no registration's (event_stop_words)
        "数据变更时间",
        "状态变更时间",
        "系统变更时间",
        # a keeper gives numbers: a system's address is its own (keeper_words)
        "审批系统地址",
        "被申请人",
        "情况说明",
        "出口地址",
    ],
)
def test_an_event_word_or_a_named_note_binds_nothing_automatically(index, name):
    suggestions = index.suggest(name, limit=3)
    assert not any(s.auto for s in suggestions)
    if name == "被申请人":  # the other party of an application is read as no applicant
        assert all(s.match != "role" for s in suggestions)


def test_a_system_code_word_does_not_reach_a_serial_number(index):
    # 业务编码 is the code of a kind of business, not a case's number (code_words serial)
    suggestions = index.suggest("业务编码", limit=3)
    assert suggestions[0].name == "办件编号"
    assert not suggestions[0].auto
    # a synonym written with 编码 still binds
    assert index.suggest("项目编码")[0].auto


def test_the_event_rules_name_published_elements(index):
    names = {e.name for e in index.elements.values()}
    assert set(index.rules.event_elements) <= names
    assert {element for _, element in index.rules.ending_events} <= names
