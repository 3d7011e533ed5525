"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:44:42.181859
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('force', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('rule_set', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('cancellation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crime_ref', sa.String(length=80), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('decided_by_role', sa.String(length=80), nullable=False),
    sa.Column('offence_group', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('crime_ref')
    )
    op.create_table('crime_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=True),
    sa.Column('ho_code', sa.String(length=10), nullable=True),
    sa.Column('offence', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=True),
    sa.Column('source_ref', sa.String(length=60), nullable=True),
    sa.Column('domestic_abuse', sa.Boolean(), nullable=True),
    sa.Column('victim_age', sa.Integer(), nullable=True),
    sa.Column('victim_sex', sa.String(length=10), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    with op.batch_alter_table('crime_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crime_record_ho_code'), ['ho_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_crime_record_source_ref'), ['source_ref'], unique=False)

    op.create_table('disposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=60), nullable=False),
    sa.Column('crime_ref', sa.String(length=80), nullable=True),
    sa.Column('disposal_type', sa.String(length=60), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offender_history', sa.Text(), nullable=False),
    sa.Column('victim', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_table('n100',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=60), nullable=False),
    sa.Column('incident_ref', sa.String(length=60), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason_code', sa.String(length=20), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref')
    )
    op.create_table('report_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('system', sa.String(length=40), nullable=False),
    sa.Column('ref', sa.String(length=60), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opening_code', sa.String(length=80), nullable=True),
    sa.Column('closing_code', sa.String(length=80), nullable=True),
    sa.Column('caller_type', sa.String(length=80), nullable=True),
    sa.Column('agency', sa.String(length=120), nullable=True),
    sa.Column('category', sa.String(length=120), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('crime_refs', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('system', 'ref')
    )
    with op.batch_alter_table('report_record', schema=None) as batch_op:
        batch_op.create_index('ix_report_kind_system', ['kind', 'system'], unique=False)

    op.create_table('sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('system', sa.String(length=40), nullable=True),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('frame', sa.JSON(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('user_state',
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('who', 'key')
    )
    op.create_table('audit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=40), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['sample_id'], ['sample.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sample_id', 'kind', 'record_id'),
    sa.UniqueConstraint('sample_id', 'position')
    )
    with op.batch_alter_table('audit_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_item_sample_id'), ['sample_id'], unique=False)

    op.create_table('record_link',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('crime_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['crime_id'], ['crime_record.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report_record.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'crime_id')
    )
    with op.batch_alter_table('record_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_link_crime_id'), ['crime_id'], unique=False)

    op.create_table('verdict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('auditor', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('n_crimes', sa.Integer(), nullable=False),
    sa.Column('n_recorded', sa.Integer(), nullable=False),
    sa.Column('n_misclassified', sa.Integer(), nullable=False),
    sa.Column('n_late', sa.Integer(), nullable=False),
    sa.Column('n_failed_checks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['audit_item.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'role')
    )
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_item_id'), ['item_id'], unique=False)

    op.create_table('verdict_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('who', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('old_body', sa.JSON(), nullable=True),
    sa.Column('new_body', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['audit_item.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verdict_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verdict_change_item_id'), ['item_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('verdict_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_change_item_id'))

    op.drop_table('verdict_change')
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verdict_item_id'))

    op.drop_table('verdict')
    with op.batch_alter_table('record_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_link_crime_id'))

    op.drop_table('record_link')
    with op.batch_alter_table('audit_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_item_sample_id'))

    op.drop_table('audit_item')
    op.drop_table('user_state')
    op.drop_table('sample')
    with op.batch_alter_table('report_record', schema=None) as batch_op:
        batch_op.drop_index('ix_report_kind_system')

    op.drop_table('report_record')
    op.drop_table('n100')
    op.drop_table('disposal')
    with op.batch_alter_table('crime_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crime_record_source_ref'))
        batch_op.drop_index(batch_op.f('ix_crime_record_ho_code'))

    op.drop_table('crime_record')
    op.drop_table('cancellation')
    op.drop_table('audit')

