"""A sample's seed holds any seed the workbench gives it: sample.seed becomes a 64-bit integer on PostgreSQL.

A programme's samples take their seeds from the master seed (sample_designs.derive_seed: four bytes of SHA-256, up to
4,294,967,295), and `cdi draw --seed` accepts any whole number, but on PostgreSQL the column was a 32-bit integer:
drawing a design there failed ('integer out of range') for seven of eight sample names. SQLite's integers are 64-bit
already, so a SQLite file is unchanged. The seeds stored so far all fit, and keep their values: no draw changes.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("sample", "seed", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("sample", "seed", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
