"""Resource code sequences: one counter per 分类码, never reused.

Revision ID: 0001_code_sequence
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_code_sequence"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govcatalog_code_sequence",
        sa.Column("class_code", sa.UnicodeText, primary_key=True),
        sa.Column("last_value", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("govcatalog_code_sequence")
