"""A programme of audits (issue 14): one database holds many audits, each with its own period, rule set, samples
and verdicts; the people, reasons, mapping profiles and records belong to the programme.

- audit: `name` (text, 120; unique through ix_audit_name) by which `--audit NAME` and the window choose it, and
  `closed_at` (null while the audit is open). The audit a database already holds is named from its period
  (programme.default_name: '2015-06' for a calendar month, else '2015-01-01 to 2015-12-31').
- sample: `audit_id`, the audit the sample was drawn for (ix_sample_audit_id); every existing sample belongs to
  the one audit the database held. A sample's name stays unique across the programme (the month's template draws
  names that carry the audit's name), so the table is not rebuilt and its triggers stay as they are.

The upgrade backs the file up first, as every upgrade does (storage.database).

Revision ID: 0016
Revises: 0015
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _name(start: date, end: date) -> str:
    # the same rule as cdi_workbench.audit.programme.default_name (a migration does not import the application)
    import calendar

    if start.day == 1 and end.year == start.year and end.month == start.month \
            and end.day == calendar.monthrange(start.year, start.month)[1]:
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def upgrade() -> None:
    op.add_column("audit", sa.Column("name", sa.String(length=120), nullable=True))
    op.add_column("audit", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_audit_name", "audit", ["name"], unique=True)
    op.add_column("sample", sa.Column("audit_id", sa.Integer(), nullable=True))
    op.create_index("ix_sample_audit_id", "sample", ["audit_id"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, period_start, period_end FROM audit ORDER BY id")).all()
    taken: set[str] = set()
    for audit_id, start, end in rows:
        name = _name(_as_date(start), _as_date(end))
        n = 2
        while name in taken:
            name, n = f"{_name(_as_date(start), _as_date(end))} ({n})", n + 1
        taken.add(name)
        conn.execute(sa.text("UPDATE audit SET name = :n WHERE id = :i"), {"n": name, "i": audit_id})
    if rows:
        conn.execute(sa.text("UPDATE sample SET audit_id = :i WHERE audit_id IS NULL"), {"i": rows[0][0]})


def downgrade() -> None:
    op.drop_index("ix_sample_audit_id", table_name="sample")
    op.drop_index("ix_audit_name", table_name="audit")
    for table, column in (("sample", "audit_id"), ("audit", "closed_at"), ("audit", "name")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
