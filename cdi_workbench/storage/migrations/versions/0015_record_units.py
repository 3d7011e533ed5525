"""The owning unit of each record (issue 14, 'Units'): a district, local policing area or team, mapped from an
extract column at import (importing.kinds, the canonical column `unit`) so that the findings can be broken down
by unit (findings_units).

- report_record, crime_record, disposal, cancellation, n100: a nullable column `unit` (text, 80). Records
  imported before it have none (the findings count them under 'Unit not recorded').

The unit is not part of a record's content digest (storage.content.CONTENT_COLUMNS), so no digest changes here.
On PostgreSQL the row guards of 0011 and 0014 are per row, not per column: they cover the new column as they are.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("report_record", "crime_record", "disposal", "cancellation", "n100")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("unit", sa.String(length=80), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 on), as 0012: a batch rebuild would rename tables under the triggers
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN unit")
