"""Draw keys and stored strata, so a sample is drawn inside the database (cdi_workbench.draw_keys, .strata).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEYED = {"report_record": "ref", "disposal": "ref", "cancellation": "crime_ref", "n100": "ref"}


def upgrade() -> None:
    from cdi_workbench.draw_keys import draw_key
    from cdi_workbench.strata import install_triggers, refresh

    for table in KEYED:
        op.add_column(table, sa.Column("draw_key", sa.BigInteger(), nullable=True))
    op.add_column("report_record", sa.Column("stratum", sa.String(length=20), nullable=True))
    conn = op.get_bind()
    for table, ref in KEYED.items():  # records imported before: keys worked out now, a batch at a time
        rows = conn.exec_driver_sql(f"SELECT id, {ref} FROM {table}").fetchall()
        for start in range(0, len(rows), 10000):
            conn.execute(sa.text(f"UPDATE {table} SET draw_key = :k WHERE id = :i"),
                         [{"k": draw_key(r), "i": i} for i, r in rows[start:start + 10000]])
    op.create_index("ix_report_draw", "report_record", ["kind", "stratum", "system", "ref", "draw_key"])
    op.create_index("ix_report_stratum_stale", "report_record", ["id"], sqlite_where=sa.text("stratum IS NULL"),
                    postgresql_where=sa.text("stratum IS NULL"))
    op.create_index("ix_report_key_missing", "report_record", ["id"], sqlite_where=sa.text("draw_key IS NULL"),
                    postgresql_where=sa.text("draw_key IS NULL"))
    refresh(conn)
    install_triggers(conn)


def downgrade() -> None:
    from cdi_workbench.strata import drop_triggers

    drop_triggers(op.get_bind())
    op.drop_index("ix_report_key_missing", "report_record")
    op.drop_index("ix_report_stratum_stale", "report_record")
    op.drop_index("ix_report_draw", "report_record")
    with op.batch_alter_table("report_record") as batch:
        batch.drop_column("stratum")
    for table in KEYED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("draw_key")
