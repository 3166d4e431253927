"""Usage records of governed data (809号 第二十九条: kept at least 3 years).

One record per data read: a download (access/accesslog.py, from the download view) or a
DataStore API call (api.py, which the dump view and the table preview go through). A record says
who, which entry and resource, which columns, how many rows, when, by which path and under which
grants; they live in the access log table (model.AccessLog), ``detail`` holding the columns,
rows and grants.

The owner department reads them per entry and per grant (usage_views.py), as a page or CSV.
Each day is summarised in the audit chain by one digest record (``usage_digest``, object id the
day), written on the first DataStore read of a new day by whichever process serves it (and by
`ckan govcatalog usage digest`, for days without reads or a site without API traffic): a
record per call would swamp the chain. Records older than ``govcatalog.usage.retention_years``
(never below 3) are removed only by `ckan govcatalog usage purge`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model as core_model
from flask import has_request_context, request

from ckanext.govcatalog.access import policy
from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.model import AccessLog, AuditRecord, Grant

log = logging.getLogger(__name__)

MIN_RETENTION_YEARS = 3  # 809号 第二十九条
RETENTION_OPTION = "govcatalog.usage.retention_years"
DIGEST_ACTION = "usage_digest"
DIGEST_OBJECT = "usage"
DIGEST_LOCK = 0x67C0_0518  # pg advisory lock of the digest writer
DIGEST_CATCH_UP_DAYS = 31  # at most this many missed days are digested by one read

# the path a DataStore read came by, from the endpoint that served it
_VIA_ENDPOINTS = {"datastore.dump": "dump", "datastore.api_info": "api"}


# --- the retention setting ------------------------------------------------------------------


def retention_years_validator(value: Any) -> int:
    """An integer of at least 3 (years); tk.Invalid otherwise."""
    try:
        years = int(value)
    except (TypeError, ValueError):
        raise tk.Invalid(
            f"使用记录保存年限必须是整数 / must be a whole number of years: {value!r}"
        ) from None
    if years < MIN_RETENTION_YEARS:
        raise tk.Invalid(
            f"使用记录至少保存 {MIN_RETENTION_YEARS} 年（809号 第二十九条），不能设为 {years} / "
            f"usage records are kept at least {MIN_RETENTION_YEARS} years, not {years}"
        )
    return years


def check_settings(config: Any) -> None:
    """At start-up (IConfigurable): refuse to run with a retention under 3 years."""
    from ckan.exceptions import CkanConfigurationException

    try:
        retention_years_validator(config.get(RETENTION_OPTION, MIN_RETENTION_YEARS))
    except tk.Invalid as error:
        raise CkanConfigurationException(f"{RETENTION_OPTION}: {error.error}") from None


def retention_years() -> int:
    return max(MIN_RETENTION_YEARS, int(tk.config.get(RETENTION_OPTION) or MIN_RETENTION_YEARS))


# --- writing ---------------------------------------------------------------------------------


def count_rows(records: Any, records_format: str) -> int:
    if not records:
        return 0
    if records_format in ("csv", "tsv") and isinstance(records, str):
        return sum(
            1
            for _ in csv.reader(
                io.StringIO(records), delimiter="," if records_format == "csv" else "\t"
            )
        )
    return len(records)


def _via() -> str:
    """api (the action API), dump, preview (the resource page's table) or page (another page)."""
    if not has_request_context():
        return "internal"
    endpoint = request.endpoint or ""
    if endpoint in _VIA_ENDPOINTS:
        return _VIA_ENDPOINTS[endpoint]
    if endpoint.startswith("api."):
        return "api"
    if endpoint.endswith("resource.read") or endpoint.startswith("datatables."):
        return "preview"
    return "page"


def record_read(
    viewer: policy.Viewer,
    resource: core_model.Resource,
    kind: str,
    columns_read: list[str],
    rows: int,
    access: Any,
) -> None:
    """Append the usage record of one DataStore read and commit it (a read has nothing else
    pending). A failure to write refuses the read: data is not served unrecorded."""
    detail = {
        "via": _via(),
        "columns": columns_read,
        "rows": rows,
        "grants": list(access.grant_ids),
        "masked": sorted(c for c in access.masks if c in columns_read),
    }
    core_model.Session.add(
        AccessLog(
            created=dt.datetime.utcnow(),
            user_id=viewer.user_id,
            package_id=resource.package_id,
            resource_id=resource.id,
            kind=kind,
            detail=detail,
        )
    )
    core_model.Session.commit()
    digest_if_new_day()


# --- the daily digest in the audit chain ----------------------------------------------------

_digested_through: dict[str, dt.date] = {}  # per process: the last day known to be digested


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time())
    return start, start + dt.timedelta(days=1)


def day_summary(day: dt.date) -> dict[str, Any]:
    """What one (UTC) day's usage records add up to: the digest's payload."""
    start, end = _day_bounds(day)
    rows_expr = sa.func.coalesce(AccessLog.detail["rows"].astext.cast(sa.BigInteger), 0)
    query = (
        core_model.Session.query(
            AccessLog.package_id,
            AccessLog.kind,
            sa.func.count(AccessLog.id),
            sa.func.sum(rows_expr),
            sa.func.count(sa.distinct(AccessLog.user_id)),
        )
        .filter(AccessLog.created >= start, AccessLog.created < end)
        .group_by(AccessLog.package_id, AccessLog.kind)
        .order_by(AccessLog.package_id, AccessLog.kind)
    )
    entries: dict[str, dict[str, Any]] = {}
    calls = rows_total = 0
    for package_id, kind, n, rows, _users in query:
        entry = entries.setdefault(package_id, {"package_id": package_id, "reads": {}, "rows": 0})
        entry["reads"][kind] = int(n)
        entry["rows"] += int(rows or 0)
        calls += int(n)
        rows_total += int(rows or 0)
    users = (
        core_model.Session.query(sa.func.count(sa.distinct(AccessLog.user_id)))
        .filter(AccessLog.created >= start, AccessLog.created < end)
        .scalar()
    )
    return {
        "day": day.isoformat(),
        "reads": calls,
        "rows": rows_total,
        "users": int(users or 0),
        "entries": list(entries.values()),
    }


def digested_days(since: dt.date) -> set[str]:
    rows = core_model.Session.query(AuditRecord.object_id).filter(
        AuditRecord.action == DIGEST_ACTION, AuditRecord.object_id >= since.isoformat()
    )
    return {row[0] for row in rows}


def write_digest(day: dt.date, actor: str | None = None) -> bool:
    """Append the day's digest to the audit chain unless it is there; True if it was written.
    Serialised by an advisory lock, so two processes never write the same day twice."""
    session = core_model.Session
    session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIGEST_LOCK})
    if day.isoformat() in digested_days(day):
        session.commit()
        return False
    audit_log.append(DIGEST_ACTION, DIGEST_OBJECT, day.isoformat(), day_summary(day), actor=actor)
    session.commit()
    return True


def digest_days(until: dt.date, actor: str | None = None) -> list[dt.date]:
    """Digest every day up to ``until`` that has usage records and no digest yet (at most
    DIGEST_CATCH_UP_DAYS, the newest first-missed ones), plus ``until`` itself. Returns the days
    written."""
    first = until - dt.timedelta(days=DIGEST_CATCH_UP_DAYS - 1)
    start, _ = _day_bounds(first)
    _, end = _day_bounds(until)
    active_days = {
        row[0]
        for row in core_model.Session.query(sa.func.date(AccessLog.created))
        .filter(AccessLog.created >= start, AccessLog.created < end)
        .distinct()
    }
    active_days.add(until)
    done = digested_days(first)
    written = []
    for day in sorted(active_days):
        if day.isoformat() not in done and write_digest(day, actor):
            written.append(day)
    return written


def digest_if_new_day(today: dt.date | None = None) -> None:
    """On the first read of a new day in this process: digest the days before it that lack one."""
    today = today or dt.datetime.utcnow().date()
    yesterday = today - dt.timedelta(days=1)
    key = str(core_model.Session.get_bind().url)
    if _digested_through.get(key) == yesterday:
        return
    try:
        digest_days(yesterday)
    except Exception:  # the read itself succeeded; the CLI or the next day's read catches up
        log.exception("could not write the usage digest")
        core_model.Session.rollback()
        return
    _digested_through[key] = yesterday


# --- reading ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UsageRow:
    created: dt.datetime
    user_name: str
    package_id: str
    resource_id: str | None
    kind: str
    via: str
    columns: list[str]
    rows: int | None
    grants: list[str]
    masked: list[str]


def _rows(query: Any, limit: int | None) -> list[UsageRow]:
    users = core_model.User
    query = (
        query.outerjoin(users, users.id == AccessLog.user_id)
        .add_columns(users.name)
        .order_by(AccessLog.created.desc(), AccessLog.id.desc())
    )
    if limit:
        query = query.limit(limit)
    out = []
    for record, user_name in query:
        detail = record.detail or {}
        out.append(
            UsageRow(
                created=record.created,
                user_name=user_name or "",
                package_id=record.package_id,
                resource_id=record.resource_id,
                kind=record.kind,
                via=detail.get("via") or ("download" if record.kind == "download" else ""),
                columns=list(detail.get("columns") or []),
                rows=detail.get("rows"),
                grants=list(detail.get("grants") or []),
                masked=list(detail.get("masked") or []),
            )
        )
    return out


def entry_usage(package_id: str, limit: int | None = None) -> list[UsageRow]:
    """The entry's usage records, newest first."""
    query = core_model.Session.query(AccessLog).filter(AccessLog.package_id == package_id)
    return _rows(query, limit)


def grant_usage(grant: Grant, limit: int | None = None) -> list[UsageRow]:
    """The reads made under one grant, newest first."""
    query = core_model.Session.query(AccessLog).filter(
        AccessLog.package_id == grant.package_id,
        AccessLog.detail["grants"].contains([grant.id]),
    )
    return _rows(query, limit)


def to_csv(rows: Iterable[UsageRow]) -> str:
    out = io.StringIO()
    # a BOM so that Excel, which Chinese offices open CSV files with, reads UTF-8
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([tk._(name) for name in _CSV_LABELS])
    for row in rows:
        writer.writerow(
            [
                row.created.strftime("%Y-%m-%d %H:%M:%S"),
                row.user_name,
                row.package_id,
                row.resource_id or "",
                row.kind,
                row.via,
                "|".join(row.columns),
                "" if row.rows is None else row.rows,
                "|".join(row.grants),
                "|".join(row.masked),
            ]
        )
    return out.getvalue()


_CSV_LABELS = (
    "Time (UTC)",
    "User",
    "Entry",
    "Resource",
    "Kind of read",
    "Read through",
    "Columns read",
    "Rows",
    "Grants",
    "Masked columns",
)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete usage records older than the retention period (never under 3 years)."""
    now = now or dt.datetime.utcnow()
    years = retention_years()
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    deleted = (
        core_model.Session.query(AccessLog)
        .filter(AccessLog.created < cutoff)
        .delete(synchronize_session=False)
    )
    core_model.Session.commit()
    return int(deleted)
