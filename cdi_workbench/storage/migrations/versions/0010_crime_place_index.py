"""An index on crime records by place and report time: the record view's candidates (crime records at the same
place within two days of a report) are found through it instead of by reading every crime record.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_crime_place_time", "crime_record", ["location", "reported_at"])


def downgrade() -> None:
    op.drop_index("ix_crime_place_time", "crime_record")
