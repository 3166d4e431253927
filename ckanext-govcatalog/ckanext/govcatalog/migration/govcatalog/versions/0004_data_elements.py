"""The data-element register: elements, their versions, and the names (name and synonyms) that
belong to one element each.

Revision ID: 0004_data_elements
Revises: 0003_audit_append_only
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_data_elements"
down_revision = "0003_audit_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "govcatalog_data_element",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("identifier", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("synonyms", JSONB, nullable=False, server_default="[]"),
        sa.Column("definition", sa.UnicodeText, nullable=True),
        sa.Column("object_class", sa.UnicodeText, nullable=True),
        sa.Column("property", sa.UnicodeText, nullable=True),
        sa.Column("representation", sa.UnicodeText, nullable=True),
        sa.Column("data_type", sa.UnicodeText, nullable=False),
        sa.Column("format", sa.UnicodeText, nullable=False),
        sa.Column("value_rule", sa.UnicodeText, nullable=True),
        sa.Column("code_table", sa.UnicodeText, nullable=True),
        sa.Column("source_org", sa.UnicodeText, nullable=True, index=True),
        sa.Column("personal_info", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sensitive_personal_info", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("data_grade", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False, index=True),
        sa.Column("replaced_by", sa.UnicodeText, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.DateTime, nullable=True),
    )
    op.create_table(
        "govcatalog_data_element_version",
        sa.Column(
            "element_id",
            sa.UnicodeText,
            sa.ForeignKey("govcatalog_data_element.id"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("actor", sa.UnicodeText, nullable=True),
        sa.Column("change", sa.UnicodeText, nullable=False),  # create / update / delete
        sa.Column("changed_fields", JSONB, nullable=False, server_default="[]"),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_table(
        "govcatalog_data_element_name",
        sa.Column("key", sa.UnicodeText, primary_key=True),
        sa.Column(
            "element_id",
            sa.UnicodeText,
            sa.ForeignKey("govcatalog_data_element.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.UnicodeText, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("govcatalog_data_element_name")
    op.drop_table("govcatalog_data_element_version")
    op.drop_table("govcatalog_data_element")
