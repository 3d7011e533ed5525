"""Hash chain over the verdict history, so tampering outside the application is detected.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verdict_change") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    # rows written before the chain existed are sealed in order now
    from cdi_workbench.audit.trail import seal_unsealed

    seal_unsealed(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("verdict_change") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
