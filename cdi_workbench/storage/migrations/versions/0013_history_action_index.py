"""An index on the history by action and item: the seals and reopenings of blind reviews (read whenever a record
is opened by a reviewer, for every agreement figure and for the blind guard) are found through it instead of by
reading every history row.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_action_item", "verdict_change", ["action", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_history_action_item", "verdict_change")
