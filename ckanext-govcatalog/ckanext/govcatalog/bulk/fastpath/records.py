"""What package_create records of a new entry besides the entry: its "new package" activity and
its audit record (the record audit's action_succeeded receiver appends, built with
audit/records.py's own functions, through audit/log.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.govcatalog.audit import log as audit_log
from ckanext.govcatalog.audit import records as audit_records
from ckanext.govcatalog.bulk.fastpath.insert import Entry


def activity_row(
    entry: Entry, package_shown: dict[str, Any], user_obj: model.User, labels: Any
) -> dict[str, Any]:
    """The "new package" activity of an entry, with the package_show dict it carries and the
    permission labels of the entry (``labels``: CKAN's permission labels plugin)."""
    return {
        "id": str(uuid.uuid4()),
        "timestamp": dt.datetime.utcnow(),
        "user_id": user_obj.id,
        "object_id": entry.pkg.id,
        "activity_type": "new package",
        "data": {"package": package_shown, "actor": user_obj.name},
        "permission_labels": labels.get_dataset_labels(entry.loaded),
    }


def insert_activities(rows: list[dict[str, Any]]) -> None:
    if rows:
        from ckanext.activity.model import Activity

        model.Session.execute(sa.insert(Activity.__table__), rows)


def append_audit_record(entry: Entry, org_name: str | None, actor: str) -> None:
    """The audit record package_create appends for the entry, in the session's transaction."""
    state = audit_records.package_state(_AuditView(entry, org_name))
    audit_log.append(
        "package_create",
        entry.pkg.type,
        entry.pkg.id,
        audit_records.entry_payload(state),
        actor=actor,
        session=model.Session,
    )


class _AuditView:
    """What audit_records.package_state reads of a Package, for an entry written here."""

    def __init__(self, entry: Entry, org_name: str | None) -> None:
        self._entry = entry
        self._org_name = org_name
        for column in model.package_table.c:
            setattr(self, column.name, getattr(entry.pkg, column.name))

    def get_tags(self) -> list[Any]:
        return [_Named(t["name"]) for t in self._entry.tags]

    def get_groups(self) -> list[Any]:
        # Package.get_groups() lists the owner organization too (its member row)
        return [_Named(self._org_name)] if self._org_name else []

    @property
    def resources(self) -> list[Any]:
        return []


@dataclasses.dataclass
class _Named:
    name: str
