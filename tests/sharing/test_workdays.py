"""sharing/workdays.py: working days from the holiday calendar file, across holidays and the
weekend days worked instead (调休), and the deadlines configured from them."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import yaml

from ckanext.govcatalog.sharing import workdays

D = dt.date


def cn() -> workdays.Calendar:
    path = os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "holidays", "cn.yaml")
    with open(path, encoding="utf-8") as f:
        return workdays.parse_calendar(yaml.safe_load(f))


def test_calendar_knows_holidays_and_adjusted_working_days():
    cal = cn()
    assert not cal.is_workday(D(2025, 10, 1))  # 国庆节
    assert not cal.is_workday(D(2025, 10, 8))  # 国庆节、中秋节 (a Wednesday)
    assert cal.is_workday(D(2025, 9, 28))  # a Sunday worked (调休)
    assert cal.is_workday(D(2025, 10, 11))  # a Saturday worked (调休)
    assert not cal.is_workday(D(2025, 10, 12))  # an ordinary Sunday
    assert cal.is_workday(D(2025, 10, 9))  # an ordinary Thursday
    assert not cal.is_workday(D(2026, 2, 16))  # 春节 2026 (a Monday)
    assert cal.is_workday(D(2026, 2, 14))  # 春节调休 2026 (a Saturday)
    assert not cal.is_workday(D(2026, 1, 2))  # 元旦 2026 (a Friday)
    assert cal.is_workday(D(2026, 1, 4))  # 元旦调休 (a Sunday)


def test_ten_working_days_across_national_day_and_adjusted_days():
    cal = cn()
    # Fri 2025-09-26: Sun 28 (调休) 1, Mon 29 2, Tue 30 3, Oct 1-8 holiday, Thu 9 4, Fri 10 5,
    # Sat 11 (调休) 6, Mon 13 7, 14 8, 15 9, Thu 16 10
    assert cal.add_workdays(D(2025, 9, 26), 10) == D(2025, 10, 16)
    # the same 10 days in a week without holidays: two calendar weeks
    assert cal.add_workdays(D(2025, 11, 3), 10) == D(2025, 11, 17)
    # 春节 2026: Fri 13 Feb, then Sat 14 (调休) 1, holiday 15-23, Tue 24 2 ...
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert cal.workdays_between(D(2025, 9, 26), D(2025, 10, 16)) == 10
    assert cal.workdays_between(D(2025, 10, 16), D(2025, 9, 26)) == -10


def test_calendar_rejects_a_day_both_holiday_and_workday():
    with pytest.raises(ValueError, match="both"):
        workdays.parse_calendar(
            {"holidays": [{"from": "2025-01-01"}], "workdays": [{"date": "2025-01-01"}]}
        )


def test_outside_the_covered_years_weekdays_count(caplog, monkeypatch):
    cal = cn()
    # the ini's logging setup disables loggers made before it and stops ckanext short of root
    monkeypatch.setattr(workdays.log, "disabled", False)
    workdays.log.addHandler(caplog.handler)
    try:
        assert cal.add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Fri -> Mon
    finally:
        workdays.log.removeHandler(caplog.handler)
    assert "does not cover 2030" in caplog.text


@pytest.mark.usefixtures("with_plugins")
def test_calendar_file_and_due_days_are_configuration(tmp_path, ckan_config, monkeypatch):
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "years: [2025]\nholidays:\n  - {from: 2025-11-04, to: 2025-11-05}\n"
        "workdays:\n  - {date: 2025-11-08}\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(ckan_config, workdays.CALENDAR_OPTION, str(path))
    monkeypatch.setitem(ckan_config, workdays.DUE_OPTION, 3)
    # Mon 3 Nov: Tue 4, Wed 5 holidays; Thu 6 1, Fri 7 2, Sat 8 worked 3
    assert workdays.due_date(D(2025, 11, 3)) == D(2025, 11, 8)
