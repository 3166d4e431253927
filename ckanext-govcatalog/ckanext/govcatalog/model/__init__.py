"""SQLAlchemy tables of ckanext-govcatalog. The schema is made by the alembic migrations in
migration/govcatalog; these classes map it. They derive from toolkit.BaseModel so that CKAN's
test helpers empty them along with the core tables."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB


class CodeSequence(tk.BaseModel):
    """Last 顺序码 handed out per 分类码."""

    __tablename__ = "govcatalog_code_sequence"
    class_code = sa.Column(sa.UnicodeText, primary_key=True)
    last_value = sa.Column(sa.BigInteger, nullable=False)


class AccessRequest(tk.BaseModel):
    """A 共享申请 for one catalog entry."""

    __tablename__ = "govcatalog_access_request"
    id = sa.Column(sa.UnicodeText, primary_key=True)
    package_id = sa.Column(sa.UnicodeText, nullable=False)
    owner_org = sa.Column(sa.UnicodeText, nullable=False)
    requester_id = sa.Column(sa.UnicodeText, nullable=False)
    legal_basis = sa.Column(sa.UnicodeText, nullable=False)
    usage_scenario = sa.Column(sa.UnicodeText, nullable=False)
    usage_scope = sa.Column(sa.UnicodeText, nullable=False)
    share_mode = sa.Column(sa.UnicodeText, nullable=False)
    period_end = sa.Column(sa.Date, nullable=False)
    data_items = sa.Column(JSONB, nullable=False, default=list)
    status = sa.Column(sa.UnicodeText, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False)
    modified = sa.Column(sa.DateTime, nullable=False)
    submitted = sa.Column(sa.DateTime, nullable=False)
    due_date = sa.Column(sa.Date)
    info_requested = sa.Column(sa.UnicodeText)
    extension_days = sa.Column(sa.Integer)
    extension_reason = sa.Column(sa.UnicodeText)
    decided_by = sa.Column(sa.UnicodeText)
    decided_at = sa.Column(sa.DateTime)
    decision_reason = sa.Column(sa.UnicodeText)
    history = sa.Column(JSONB, nullable=False, default=list)


class Grant(tk.BaseModel):
    """Data access to one entry for one user, from an approved request."""

    __tablename__ = "govcatalog_grant"
    id = sa.Column(sa.UnicodeText, primary_key=True)
    package_id = sa.Column(sa.UnicodeText, nullable=False)
    user_id = sa.Column(sa.UnicodeText, nullable=False)
    request_id = sa.Column(sa.UnicodeText, sa.ForeignKey("govcatalog_access_request.id"))
    status = sa.Column(sa.UnicodeText, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False)
    expires = sa.Column(sa.DateTime, nullable=False)
    changed_by = sa.Column(sa.UnicodeText)
    reason = sa.Column(sa.UnicodeText)


class AccessLog(tk.BaseModel):
    """One read of data (download, API, datastore) by one user; kept at least 3 years."""

    __tablename__ = "govcatalog_access_log"
    id = sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    created = sa.Column(sa.DateTime, nullable=False)
    user_id = sa.Column(sa.UnicodeText)
    package_id = sa.Column(sa.UnicodeText, nullable=False)
    resource_id = sa.Column(sa.UnicodeText)
    kind = sa.Column(sa.UnicodeText, nullable=False)
    detail = sa.Column(JSONB)


class Notification(tk.BaseModel):
    """An in-app notice (request decisions, deadlines); e-mail is sent too where configured."""

    __tablename__ = "govcatalog_notification"
    id = sa.Column(sa.UnicodeText, primary_key=True)
    user_id = sa.Column(sa.UnicodeText, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False)
    kind = sa.Column(sa.UnicodeText, nullable=False)
    # the text in the site's default language when written (mail; the only text of old rows)
    message = sa.Column(sa.UnicodeText, nullable=False)
    # the English message id and its parameters: the list renders them in the reader's language
    message_id = sa.Column(sa.UnicodeText)
    params = sa.Column(JSONB)
    link = sa.Column(sa.UnicodeText)
    read = sa.Column(sa.Boolean, nullable=False, default=False)


class AuditRecord(tk.BaseModel):
    """One link of the hash-chained audit log (目录链)."""

    __tablename__ = "govcatalog_audit"
    seq = sa.Column(sa.BigInteger, primary_key=True)
    created = sa.Column(sa.DateTime, nullable=False)
    actor = sa.Column(sa.UnicodeText)
    action = sa.Column(sa.UnicodeText, nullable=False)
    object_type = sa.Column(sa.UnicodeText, nullable=False)
    object_id = sa.Column(sa.UnicodeText)
    payload = sa.Column(JSONB, nullable=False)
    prev_hash = sa.Column(sa.UnicodeText, nullable=False)
    hash = sa.Column(sa.UnicodeText, nullable=False)
