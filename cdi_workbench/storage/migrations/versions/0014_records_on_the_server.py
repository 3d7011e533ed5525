"""On PostgreSQL, the records, the reasons and the audit's settings are written only by those whose role may.

Schema 0011 let every app login insert, update and delete the extract's records (incidents, crime records, their
links, disposals, cancellations, N100s), the list of reasons and the audit's settings (the recorded-crime figures
the annual estimate uses), leaving the row-level decision to guards it gave only the verdicts, the history, the
people, samples, assignments and challenges. A peer reviewer or the force's liaison could therefore rewrite a
narrative or a recorded crime's time under a verdict with one UPDATE (`cdi verify` would show it by the record's
content digest, schema 0012, but the server did not refuse it). From here on a row trigger on each of these tables
refuses any write unless the login is the tables' owner, single-user (nobody registered), or registered as an
auditor or the lead: the roles that may import extracts (audit.roles: 'import extracts') and enter verdicts (the
reasons and settings those verdicts use; a reason is added by an auditor or the lead, a recorded-crime figure too).

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# the tables guarded here and the words of the refusal
GUARDED = ("report_record", "crime_record", "record_link", "disposal", "cancellation", "n100", "reason_option",
           "audit_setting")
TRIGGER = "cdi_guard_records"

FUNCTION = r"""
CREATE FUNCTION cdi_guard_records() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF NOT cdi_may('auditor', 'lead') THEN
    PERFORM cdi_refuse(CASE TG_TABLE_NAME
      WHEN 'reason_option' THEN 'change the list of reasons'
      WHEN 'audit_setting' THEN 'change the audit''s settings'
      ELSE 'import or change the extract''s records' END);
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # a SQLite file is written by whoever holds it: the content digests and the anchor answer there
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    quoted = bind.dialect.identifier_preparer.quote(schema)
    bind.exec_driver_sql(FUNCTION.replace("@PATH@", f"pg_catalog, {quoted}, pg_temp").replace("%", "%%"))
    for table in GUARDED:
        bind.exec_driver_sql(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                             "FOR EACH ROW EXECUTE FUNCTION cdi_guard_records()")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in GUARDED:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    bind.exec_driver_sql("DROP FUNCTION IF EXISTS cdi_guard_records()")
