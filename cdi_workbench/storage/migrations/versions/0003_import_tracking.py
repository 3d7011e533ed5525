"""Import tracking on the source record tables: digest of the values last imported, when, by whom.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("report_record", "crime_record", "disposal", "cancellation", "n100")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("import_hash", sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("imported_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("imported_by")
            batch_op.drop_column("imported_at")
            batch_op.drop_column("import_hash")
