"""Indexes for the usage records (govcatalog_access_log) the owner department reads per entry and
per grant (tabular/usage.py): by entry and time, and the grants a read was made under.

Revision ID: 0005_usage_indexes
Revises: 0004_data_elements
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005_usage_indexes"
down_revision = "0004_data_elements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_govcatalog_access_log_package", "govcatalog_access_log", ["package_id", "created"]
    )
    # detail @> {"grants": [id]}: the reads under one grant
    op.execute(
        "CREATE INDEX ix_govcatalog_access_log_grants ON govcatalog_access_log "
        "USING gin ((detail -> 'grants') jsonb_path_ops)"
    )


def downgrade() -> None:
    op.drop_index("ix_govcatalog_access_log_grants", table_name="govcatalog_access_log")
    op.drop_index("ix_govcatalog_access_log_package", table_name="govcatalog_access_log")
