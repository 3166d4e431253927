"""Dates and times in Chinese form (2026年11月27日 09:17) on Chinese pages, and date inputs that
take the forms people type (2026年11月27日, 2026-11-27, 2026/11/27, 2026.11.27).

CKAN's render_datetime goes through babel's "long" formats, which read "十一月 11, 2022, 17:26
(+0800)" in CKAN's zh_Hans catalog; this chained helper writes the form Chinese government sites
use, in the display timezone (ckan.display_timezone). Other locales and explicit formats are left
to CKAN.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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


def date_text(value: str) -> str:
    """A date written YYYY-MM-DD as the page shows dates: 2026年11月27日 on a Chinese page,
    unchanged otherwise (and when it is not such a date)."""
    if not is_chinese_page():
        return value
    try:
        return chinese_datetime(dt.date.fromisoformat(value.strip()))
    except ValueError:
        return value


# 2026年11月27日, 2026-11-27, 2026/11/27, 2026.11.27 (spaces allowed around the parts); digits and
# separators typed full-width (２０２６／１１／２７) are folded to ASCII first (NFKC)
_DATE_INPUT = re.compile(
    r"^(?P<year>\d{4})\s*(?:年|[-/.])\s*(?P<month>\d{1,2})\s*(?:月|[-/.])\s*(?P<day>\d{1,2})\s*日?$"
)


def parse_date_input(text: str) -> dt.date:
    """The date a person typed in a date field, in Chinese or ISO form. Raises ValueError when
    ``text`` is not a date in one of those forms, or not a day of the calendar (2026年2月30日)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _DATE_INPUT.match(folded)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))


def iso_date_input(value: Any) -> Any:
    """A typed date as YYYY-MM-DD for the validators after it (isodate); anything that is not
    a date in a known form is passed on unchanged, for them to refuse with their message."""
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        return parse_date_input(value).isoformat()
    except ValueError:
        return value


def govcatalog_date_input(value: Any) -> Any:
    """Validator of the entry form's date fields (schemas/presets.yaml govcatalog_date)."""
    return iso_date_input(value)


def govcatalog_datetime_date_input(
    key: tuple[Any, ...], data: dict[Any, Any], errors: dict[Any, Any], context: dict[str, Any]
) -> None:
    """Validator of a date-and-time field (govcatalog_datetime): its form sends the date part as
    <field>_date among the extras, which scheming_isodatetime (next) reads as YYYY-MM-DD."""
    extras = data.get(("__extras",))
    part = f"{key[-1]}_date"
    if isinstance(extras, dict) and part in extras:
        extras[part] = iso_date_input(extras[part])


def get_helpers() -> dict[str, Any]:
    return {"render_datetime": render_datetime}


def get_validators() -> dict[str, Any]:
    return {
        "govcatalog_date_input": govcatalog_date_input,
        "govcatalog_datetime_date_input": govcatalog_datetime_date_input,
    }
