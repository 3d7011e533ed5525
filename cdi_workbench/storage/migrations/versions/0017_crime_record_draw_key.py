"""Crime records are sampled (issue 14: classification and timeliness dip-samples of recorded crime, stratified by
offence group): crime_record gets `draw_key`, the seed-independent key of its reference that orders a draw inside
the database (cdi_workbench.draw_keys), worked out here for the records already imported.

No stratum is stored: a crime record's stratum is the offence group of its Home Office code (strata.crime_group),
worked out in the draw from the code itself, so no trigger has to keep it current.

The upgrade backs the file up first, as every upgrade does (storage.database).

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from cdi_workbench.draw_keys import draw_key

    op.add_column("crime_record", sa.Column("draw_key", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    rows = conn.exec_driver_sql("SELECT id, ref FROM crime_record").fetchall()
    for start in range(0, len(rows), 10000):  # records imported before: keys worked out now, a batch at a time
        conn.execute(sa.text("UPDATE crime_record SET draw_key = :k WHERE id = :i"),
                     [{"k": draw_key(r), "i": i} for i, r in rows[start:start + 10000] if r is not None])


def downgrade() -> None:
    op.execute("ALTER TABLE crime_record DROP COLUMN draw_key")
