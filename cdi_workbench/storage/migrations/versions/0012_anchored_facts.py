"""Each record's content digest; samples and record tables in the hash-chained history (issue 12, the anchor).

- report_record, crime_record, disposal, cancellation, n100: a column `content_hash`, the digest of what the
  extract put in the record (storage.content), worked out now for every record; the importer and any ORM write
  keep it current, and `cdi verify` works it out again.
- verdict_change: a 'records' row for each record table holding records (the digest of its records' ids and
  content digests: what every import records from now on), and a 'sample' row for each sample (its facts and every
  item: what drawing, extending, renaming or deleting a sample records from now on), as they are now. From here
  on `cdi verify` compares the samples and the record tables with what the history last records of them
  (audit.facts).

Revision ID: 0012
Revises: 0011
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("report_record", "crime_record", "disposal", "cancellation", "n100")
WHO = "schema 0012"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("content_hash", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    _into_the_trail(bind)


def _into_the_trail(bind: sa.engine.Connection) -> None:
    from cdi_workbench.audit.facts import sample_state
    from cdi_workbench.audit.trail import GENESIS, RECORDS, SAMPLE, digest
    from cdi_workbench.storage.content import fill, table_state
    from cdi_workbench.storage.types import UTCDateTime
    from cdi_workbench.timeutil import now_utc

    change = sa.table("verdict_change", sa.column("id", sa.Integer), sa.column("item_id", sa.Integer),
                      sa.column("role", sa.String), sa.column("at", UTCDateTime()), sa.column("who", sa.String),
                      sa.column("action", sa.String), sa.column("old_body", sa.JSON),
                      sa.column("new_body", sa.JSON), sa.column("reason", sa.Text),
                      sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    sample = sa.table("sample", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("kind", sa.String), sa.column("system", sa.String), sa.column("method", sa.String),
                      sa.column("seed", sa.Integer), sa.column("frame", sa.JSON), sa.column("drawn_at", UTCDateTime()),
                      sa.column("drawn_by", sa.String))
    item = sa.table("audit_item", sa.column("id", sa.Integer), sa.column("sample_id", sa.Integer),
                    sa.column("kind", sa.String), sa.column("record_id", sa.Integer),
                    sa.column("position", sa.Integer), sa.column("stratum", sa.String))
    rows: list[tuple[str, dict, str]] = []
    for table in TABLES:
        fill(bind, table)
        state = table_state(bind, table)
        if state["rows"]:
            rows.append((RECORDS, state, "the records as they were when their digests were first worked out "
                                         "(schema 0012)"))
    items: dict[int, list[SimpleNamespace]] = {}
    for i in bind.execute(sa.select(item)).mappings():
        items.setdefault(i["sample_id"], []).append(SimpleNamespace(**i))
    for smp in bind.execute(sa.select(sample).order_by(sample.c.id)).mappings():
        rows.append((SAMPLE, sample_state(SimpleNamespace(**smp), items.get(smp["id"], [])),  # type: ignore[arg-type]
                     f"sample '{smp['name']}' as it was when samples were first recorded in the history "
                     "(schema 0012)"))
    if not rows:
        return
    prev = bind.execute(sa.select(change.c.hash).where(change.c.hash.is_not(None))
                        .order_by(change.c.id.desc()).limit(1)).scalar() or GENESIS
    at = now_utc()
    for action, body, reason in rows:
        h = digest(prev, 0, action, at, WHO, action, None, body, reason)
        bind.execute(change.insert().values(item_id=0, role=action, at=at, who=WHO, action=action, old_body=None,
                                            new_body=body, reason=reason, prev_hash=prev, hash=h))
        prev = h


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # the 'sample' and 'records' rows go and the history is chained again without them: schema 0008 and before
        # hold no history row about no audit item (on PostgreSQL the history is append-only: they stay)
        bind.exec_driver_sql("DELETE FROM verdict_change WHERE action IN ('sample', 'records') AND item_id = 0")
        bind.exec_driver_sql("UPDATE verdict_change SET prev_hash = NULL, hash = NULL")
        from cdi_workbench.audit.trail import seal_unsealed

        seal_unsealed(bind)
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 on): a batch rebuild would rename tables under the link triggers
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN content_hash")
