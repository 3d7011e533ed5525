"""The verdict history outlives the audit items it is about; N100s wrongly applied count as a failed check.

- verdict_change.item_id no longer references audit_item: deleting a sample (cdi_workbench.sample_admin) removes
  its audit items, and a cascade would take their hash-chained history with them, breaking the chain. The
  deletion writes what it removes to the history instead.
- Verdict.n_failed_checks of N100 verdicts worked out again: "Should an N100 have been applied?" answered no is a
  failure (the N100 audited was wrongly used), where it used to count as a fact.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# SQLite's foreign keys have no names: batch mode names them by this convention to drop one
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
SQLITE_FK = "fk_verdict_change_item_id_audit_item"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table("verdict_change", naming_convention=NAMING) as batch:
            batch.drop_constraint(SQLITE_FK, type_="foreignkey")
    else:
        for fk in sa.inspect(bind).get_foreign_keys("verdict_change"):
            name = fk.get("name")
            if fk["referred_table"] == "audit_item" and name:
                op.drop_constraint(name, "verdict_change", type_="foreignkey")
    _recount_n100(bind)


def _recount_n100(bind: sa.engine.Connection) -> None:
    """n_failed_checks of every N100 verdict, by the rule as it now is (written out here, as of this schema)."""
    verdict = sa.table("verdict", sa.column("id", sa.Integer), sa.column("item_id", sa.Integer),
                       sa.column("body", sa.JSON), sa.column("n_failed_checks", sa.Integer))
    item = sa.table("audit_item", sa.column("id", sa.Integer), sa.column("kind", sa.String))
    rows = bind.execute(sa.select(verdict.c.id, verdict.c.body, verdict.c.n_failed_checks)
                        .join(item, item.c.id == verdict.c.item_id).where(item.c.kind == "n100")).all()
    for vid, body, stored in rows:
        checks = (body or {}).get("checks") or {}
        failed = (checks.get("n100_needed") is False) + (checks.get("should_have_been_rape") is True)
        if failed != stored:
            bind.execute(sa.update(verdict).where(verdict.c.id == vid).values(n_failed_checks=failed))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table("verdict_change", naming_convention=NAMING) as batch:
            batch.create_foreign_key(SQLITE_FK, "audit_item", ["item_id"], ["id"], ondelete="CASCADE")
    else:
        op.create_foreign_key(None, "verdict_change", "audit_item", ["item_id"], ["id"], ondelete="CASCADE")
