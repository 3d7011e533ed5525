"""The force's responses to failed records and the lead's decisions on challenges.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("crime_no", sa.Integer(), nullable=False),
        sa.Column("failure", sa.String(length=80), nullable=False),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("force_rationale", sa.Text(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["audit_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "crime_no", "failure"),
    )
    op.create_index(op.f("ix_challenge_item_id"), "challenge", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_challenge_item_id"), table_name="challenge")
    op.drop_table("challenge")
