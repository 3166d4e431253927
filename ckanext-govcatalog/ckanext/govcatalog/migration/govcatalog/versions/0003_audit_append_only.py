"""The audit chain refuses UPDATE; an index for an object's history.

A trigger makes govcatalog_audit append-only against UPDATE (through the application or plain
SQL). DELETE stays possible on purpose: CKAN's test helpers empty every table with DELETE
(model.repo.delete_all), and the chain's hashes reveal a deleted record anyway. The table owner
can still disable the trigger; the hash chain, not the trigger, is the tamper evidence.

Revision ID: 0003_audit_append_only
Revises: 0002_access_and_audit
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003_audit_append_only"
down_revision = "0002_access_and_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION govcatalog_audit_refuse_update() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'govcatalog_audit is append-only: records cannot be changed'
                USING ERRCODE = 'insufficient_privilege';
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER govcatalog_audit_append_only
        BEFORE UPDATE ON govcatalog_audit
        FOR EACH ROW EXECUTE FUNCTION govcatalog_audit_refuse_update()
        """
    )
    op.create_index("ix_govcatalog_audit_object", "govcatalog_audit", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_govcatalog_audit_object", table_name="govcatalog_audit")
    op.execute("DROP TRIGGER IF EXISTS govcatalog_audit_append_only ON govcatalog_audit")
    op.execute("DROP FUNCTION IF EXISTS govcatalog_audit_refuse_update()")
