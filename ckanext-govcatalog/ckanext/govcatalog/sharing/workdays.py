"""Working-day arithmetic for request deadlines, from a holiday calendar data file.

The calendar (default schemas/holidays/cn.yaml, option ``govcatalog.holiday_calendar``) lists
public holidays and the weekend days that are worked instead (调休上班). Deadlines count whole
working days after the day a request became complete, as 《政务数据共享条例》 第二十一条 does.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

from ckanext.govcatalog import vocab

log = logging.getLogger(__name__)

CALENDAR_OPTION = "govcatalog.holiday_calendar"
DUE_OPTION = "govcatalog.requests.due_workdays"
EXTENSION_OPTION = "govcatalog.requests.max_extension_workdays"


@dataclass(frozen=True)
class Calendar:
    """Holidays and adjusted working days of the years a calendar file covers."""

    years: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.years:
            log.warning("holiday calendar does not cover %s; counting Monday-Friday", day.year)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The count-th working day after start (start itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after start up to and including end (negative when end is earlier)."""
        if end < start:
            return -self.workdays_between(end, start)
        days = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            days += self.is_workday(day)
        return days


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def parse_calendar(data: dict[str, Any]) -> Calendar:
    """Build a Calendar from the parsed YAML (see schemas/holidays/cn.yaml for the layout)."""
    holidays: set[dt.date] = set()
    for span in data.get("holidays") or []:
        first, last = _as_date(span["from"]), _as_date(span.get("to", span["from"]))
        if last < first:
            raise ValueError(f"holiday span ends before it starts: {span}")
        day = first
        while day <= last:
            holidays.add(day)
            day += dt.timedelta(days=1)
    workdays = {_as_date(entry["date"]) for entry in data.get("workdays") or []}
    clash = holidays & workdays
    if clash:
        raise ValueError(f"days both holiday and working day: {sorted(clash)}")
    years = {int(y) for y in data.get("years") or []}
    return Calendar(frozenset(years), frozenset(holidays), frozenset(workdays))


def calendar_path() -> str:
    configured = tk.config.get(CALENDAR_OPTION)
    if configured:
        return configured
    return os.path.join(vocab.schemas_dir(), "holidays", "cn.yaml")


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Calendar:
    with open(path, encoding="utf-8") as f:
        return parse_calendar(yaml.safe_load(f) or {})


def calendar() -> Calendar:
    """The configured calendar, re-read when the file changes."""
    path = calendar_path()
    return _load(path, os.path.getmtime(path))


def today() -> dt.date:
    """The current date: the one clock of the request deadlines, so tests can move it."""
    return dt.date.today()


def due_workdays() -> int:
    return int(tk.config.get(DUE_OPTION) or 10)


def max_extension_workdays() -> int:
    return int(tk.config.get(EXTENSION_OPTION) or 10)


def due_date(start: dt.date) -> dt.date:
    """When the answer to a request completed on start is due."""
    return calendar().add_workdays(start, due_workdays())
