"""Dates and times in Chinese form (2026年11月27日 09:17) on Chinese pages.

CKAN's render_datetime goes through babel's "long" formats, which read "十一月 11, 2022, 17:26
(+0800)" in CKAN's zh_Hans catalog; this chained helper writes the form Chinese government sites
use, in the display timezone (ckan.display_timezone). Other locales and explicit formats are left
to CKAN.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask_babel
import pytz


def is_chinese_page() -> bool:
    """Whether the page is rendered in Chinese: the locale babel formats this request's dates
    in (CKAN's formatters use the same one)."""
    locale = flask_babel.get_locale()
    if locale is None:  # outside a request
        return str(tk.config.get("ckan.locale_default") or "").startswith("zh")
    return locale.language == "zh"


def chinese_datetime(
    value: dt.datetime | dt.date, with_hours: bool = False, with_seconds: bool = False
) -> str:
    """``value`` as 2026年11月27日, with 09:17 (or 09:17:05) after it when asked. A naive datetime
    is taken as UTC (as CKAN stores them) and shown in the display timezone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=pytz.utc)
        value = value.astimezone(tk.h.get_display_timezone())
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.datetime) and (with_hours or with_seconds):
        text += value.strftime(" %H:%M:%S" if with_seconds else " %H:%M")
    return text


@tk.chained_helper
def render_datetime(
    next_helper: Callable[..., str],
    datetime_: Any,
    date_format: str | None = None,
    with_hours: bool = False,
    with_seconds: bool = False,
) -> str:
    """CKAN's render_datetime, in Chinese form on Chinese pages when no format is asked for."""
    if date_format or not is_chinese_page():
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    value = datetime_
    if isinstance(value, str) and len(value.strip()) == 10:
        # a date alone (2024-03-01): no time of day, so no timezone to shift it by
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return ""
    if isinstance(value, str):
        try:
            value = tk.h.date_str_to_datetime(value)
        except (TypeError, ValueError):
            return ""
    if not isinstance(value, (dt.datetime, dt.date)):
        return ""
    return chinese_datetime(value, with_hours=with_hours, with_seconds=with_seconds)


def get_helpers() -> dict[str, Any]:
    return {"render_datetime": render_datetime}
