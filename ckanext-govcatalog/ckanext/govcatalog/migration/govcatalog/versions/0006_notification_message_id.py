"""Notifications rendered in the reader's language: each notice keeps the English message id and
its parameters (sharing/notify.py renders them when the list is shown); ``message`` keeps the
text in the site's default language, for mail and for notices written before this revision.

Revision ID: 0006_notification_message_id
Revises: 0005_usage_indexes
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_notification_message_id"
down_revision = "0005_usage_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("govcatalog_notification", sa.Column("message_id", sa.UnicodeText, nullable=True))
    op.add_column("govcatalog_notification", sa.Column("params", JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("govcatalog_notification", "params")
    op.drop_column("govcatalog_notification", "message_id")
