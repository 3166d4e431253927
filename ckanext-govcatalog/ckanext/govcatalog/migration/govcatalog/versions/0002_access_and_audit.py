"""Access requests, grants, the per-user data access log, in-app notifications and the audit chain.

Revision ID: 0002_access_and_audit
Revises: 0001_code_sequence
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002_access_and_audit"
down_revision = "0001_code_sequence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govcatalog_access_request",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
        sa.Column("requester_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("legal_basis", sa.UnicodeText, nullable=False),  # 使用依据
        sa.Column("usage_scenario", sa.UnicodeText, nullable=False),  # 使用场景
        sa.Column("usage_scope", sa.UnicodeText, nullable=False),  # 使用范围
        sa.Column("share_mode", sa.UnicodeText, nullable=False),  # 共享方式
        sa.Column("period_end", sa.Date, nullable=False),  # 使用时限
        sa.Column("data_items", JSONB, nullable=False, server_default="[]"),
        sa.Column("status", sa.UnicodeText, nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column(
            "submitted", sa.DateTime, nullable=False
        ),  # last time the request became complete
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("info_requested", sa.UnicodeText, nullable=True),  # 补正: everything missing
        sa.Column("extension_days", sa.Integer, nullable=True),
        sa.Column("extension_reason", sa.UnicodeText, nullable=True),
        sa.Column("decided_by", sa.UnicodeText, nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=True),
        sa.Column("decision_reason", sa.UnicodeText, nullable=True),
        sa.Column("history", JSONB, nullable=False, server_default="[]"),
    )
    op.create_table(
        "govcatalog_grant",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("request_id", sa.UnicodeText, sa.ForeignKey("govcatalog_access_request.id")),
        sa.Column("status", sa.UnicodeText, nullable=False),  # active / suspended / revoked
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("expires", sa.DateTime, nullable=False),
        sa.Column("changed_by", sa.UnicodeText, nullable=True),
        sa.Column("reason", sa.UnicodeText, nullable=True),
    )
    op.create_index("ix_govcatalog_grant_user", "govcatalog_grant", ["user_id", "status"])
    op.create_index("ix_govcatalog_grant_package", "govcatalog_grant", ["package_id"])
    op.create_table(
        "govcatalog_access_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=True),  # None: anonymous
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("resource_id", sa.UnicodeText, nullable=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),  # download / api / datastore
        sa.Column("detail", JSONB, nullable=True),
    )
    op.create_index(
        "ix_govcatalog_access_log_user", "govcatalog_access_log", ["user_id", "created"]
    )
    op.create_table(
        "govcatalog_notification",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText, nullable=False),
        sa.Column("link", sa.UnicodeText, nullable=True),
        sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "govcatalog_audit",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("actor", sa.UnicodeText, nullable=True),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=True),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("prev_hash", sa.UnicodeText, nullable=False),
        sa.Column("hash", sa.UnicodeText, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "govcatalog_audit",
        "govcatalog_notification",
        "govcatalog_access_log",
        "govcatalog_grant",
        "govcatalog_access_request",
    ):
        op.drop_table(table)
