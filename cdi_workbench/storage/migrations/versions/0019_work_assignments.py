"""The audit work given out in a table of its own, guarded on the server; the programme's audits in the trail.

- work_assignment: a record of an audit's sample given to a person to audit (team_view.assign_work; one person at
  a time, unique per item), with who gave it and when. Until now it was kept as JSON in the programme's settings
  ('work:AUDIT ID': item -> person), which on PostgreSQL any auditor's login could rewrite (the settings are
  written by an auditor or the lead, schema 0014). Each setting is copied into the table (items no longer drawn
  left out) and removed.
- verdict_change: an 'audit' row for every audit the database holds, as it now is (name, force, period, rule set,
  when closed, the method named for it in the settings: audit.trail.audit_body), and a 'work' row for each person's work copied from the settings. From
  here on the workbench records each audit created, closed or reopened, and each giving of work, and `cdi verify`
  compares the audit and work_assignment tables with the history (an UPDATE of an audit's period or rule set, an
  audit or an assignment added by SQL, shows).
- PostgreSQL: the programme's audits may be written by the lead's own login too (they were the tables' owner's
  only), guarded to the lead (cdi_guard_audit); work_assignment is written only by the lead (a row trigger, cdi_guard_work; the tables' owner and a
  single-user database as for the other guards), and the privileges of an app login (cdi_grant_app_login, schema
  0011) include writing it, given again to the logins that hold them. The history's guard already keeps 'audit'
  and 'work' rows to the lead.

The upgrade backs the file up first, as every upgrade does (storage.database).

Revision ID: 0019
Revises: 0018
"""
import json
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHO = "schema 0019"
PREFIX = "work:"
TRIGGER = "cdi_guard_work"
# the tables an app login may write (schema 0011's WRITABLE), with work_assignment from here on
WRITABLE_0011 = ("report_record", "crime_record", "record_link", "disposal", "cancellation", "n100", "sample",
                 "audit_item", "verdict", "user_state", "reason_option", "audit_setting", "challenge",
                 "review_assignment")
WRITABLE = (*WRITABLE_0011, "work_assignment", "audit")
# a row trigger's function letting only the lead write its table (the tables' owner and a single-user database as
# for the other guards): work_assignment's, and the programme's audits' (so the lead's own login, not only the
# tables' owner's, adds, closes and reopens them)
_LEAD_ONLY = r"""
CREATE FUNCTION @NAME@() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF NOT cdi_may('lead') THEN
    PERFORM cdi_refuse('@DOING@');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
"""
GUARD = _LEAD_ONLY.replace("@NAME@", TRIGGER).replace("@DOING@", "give out audit work")
AUDIT_TRIGGER = "cdi_guard_audit"
AUDIT_GUARD = _LEAD_ONLY.replace("@NAME@", AUDIT_TRIGGER).replace("@DOING@",
                                                                  "add, close or reopen the programme''s audits")
# the settings only the lead may change (programme_figures: targets, the actions log, each audit's method;
# sample_designs: saved designs; local_config): an auditor's login writes the others (recorded crime, reasons, a
# design's run), as schema 0014 lets it, but not these
SETTINGS_TRIGGER = "cdi_guard_lead_settings"
SETTINGS_GUARD = r"""
CREATE FUNCTION cdi_guard_lead_settings() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
DECLARE k text;
BEGIN
  IF TG_OP = 'DELETE' THEN k := OLD.key; ELSE k := NEW.key; END IF;
  IF (k LIKE 'target:%' OR k = 'board-actions' OR k LIKE 'method-style:%' OR k LIKE 'design:%'
      OR k LIKE 'local:%' OR (TG_OP = 'UPDATE' AND (OLD.key LIKE 'target:%' OR OLD.key = 'board-actions'
      OR OLD.key LIKE 'method-style:%' OR OLD.key LIKE 'design:%' OR OLD.key LIKE 'local:%')))
     AND NOT cdi_may('lead') THEN
    PERFORM cdi_refuse('change the programme''s targets, actions, designs, audit methods or local configuration');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
"""

# schema 0011's cdi_grant_app_login, the tables an app login writes given as @WRITABLE@
GRANT = r"""
CREATE OR REPLACE FUNCTION cdi_grant_app_login(login text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = @PATH@ AS $$
-- the privileges of a workbench login (the guards then decide what its person's role allows); run with the
-- tables' owner's rights, for the owner or the audit lead only
DECLARE t text;
BEGIN
  IF cdi_session_role() IS DISTINCT FROM 'owner' AND cdi_session_role() IS DISTINCT FROM 'lead' THEN
    PERFORM cdi_refuse('give a database login the workbench''s privileges');
  END IF;
  IF pg_has_role(login, (SELECT c.relowner FROM pg_class c WHERE c.oid = '@SCHEMA@.verdict'::regclass), 'MEMBER') THEN
    RETURN;  -- the owner keeps what owning gives
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', '@SCHEMA_NAME@', login);
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', '@SCHEMA_NAME@', login);
  EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', '@SCHEMA_NAME@', login);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', '@SCHEMA_NAME@', login);
  FOREACH t IN ARRAY ARRAY[@WRITABLE@] LOOP
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I.%I TO %I', '@SCHEMA_NAME@', t, login);
  END LOOP;
  EXECUTE format('GRANT INSERT ON %I.verdict_change TO %I', '@SCHEMA_NAME@', login);
  EXECUTE format('GRANT INSERT, UPDATE ON %I.app_user TO %I', '@SCHEMA_NAME@', login);
END $$;
"""


def _tables() -> tuple[sa.TableClause, sa.TableClause, sa.TableClause]:
    from cdi_workbench.storage.types import UTCDateTime

    change = sa.table("verdict_change", sa.column("id", sa.Integer), sa.column("item_id", sa.Integer),
                      sa.column("role", sa.String), sa.column("at", UTCDateTime()), sa.column("who", sa.String),
                      sa.column("action", sa.String), sa.column("old_body", sa.JSON),
                      sa.column("new_body", sa.JSON), sa.column("reason", sa.Text),
                      sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    audit = sa.table("audit", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("force", sa.String), sa.column("period_start", sa.Date),
                     sa.column("period_end", sa.Date), sa.column("rule_set", sa.String),
                     sa.column("closed_at", UTCDateTime()))
    work = sa.table("work_assignment", sa.column("id", sa.Integer), sa.column("audit_id", sa.Integer),
                    sa.column("item_id", sa.Integer), sa.column("person", sa.String),
                    sa.column("assigned_by", sa.String), sa.column("assigned_at", UTCDateTime()))
    return change, audit, work


def _pg_sql(bind: sa.engine.Connection, sql: str, writable: tuple[str, ...] = WRITABLE) -> str:
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    quoted = bind.dialect.identifier_preparer.quote(schema)
    return (sql.replace("@PATH@", f"pg_catalog, {quoted}, pg_temp").replace("@SCHEMA@", quoted)
            .replace("@SCHEMA_NAME@", schema.replace("'", "''"))
            .replace("@WRITABLE@", ", ".join(f"'{t}'" for t in writable)).replace("%", "%%"))


def _app_logins(bind: sa.engine.Connection) -> list[str]:
    """The logins holding privileges on the tables other than their owner (as schema 0011 finds them)."""
    return list(bind.exec_driver_sql(
        "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind = 'r' AND a.grantee <> c.relowner").scalars().all())


def upgrade() -> None:
    op.create_table(
        "work_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["audit_item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id"),
    )
    op.create_index("ix_work_assignment_audit_id", "work_assignment", ["audit_id"])
    op.create_index("ix_work_assignment_person", "work_assignment", ["person"])
    bind = op.get_bind()
    _into_the_trail(bind, _settings_into_the_table(bind))
    if bind.dialect.name != "postgresql":
        return  # a SQLite file is written by whoever holds it: the trail and its anchor answer there
    bind.exec_driver_sql(_pg_sql(bind, GUARD))
    bind.exec_driver_sql(f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON work_assignment "
                         f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")
    bind.exec_driver_sql(_pg_sql(bind, AUDIT_GUARD))
    bind.exec_driver_sql(f"CREATE TRIGGER {AUDIT_TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON audit "
                         f"FOR EACH ROW EXECUTE FUNCTION {AUDIT_TRIGGER}()")
    bind.exec_driver_sql(_pg_sql(bind, SETTINGS_GUARD))
    bind.exec_driver_sql(f"CREATE TRIGGER {SETTINGS_TRIGGER} BEFORE INSERT OR UPDATE OR DELETE ON audit_setting "
                         f"FOR EACH ROW EXECUTE FUNCTION {SETTINGS_TRIGGER}()")
    bind.exec_driver_sql(_pg_sql(bind, GRANT))
    for login in _app_logins(bind):
        bind.exec_driver_sql("SELECT cdi_grant_app_login(%(l)s)", {"l": login})


def _settings_into_the_table(bind: sa.engine.Connection) -> list[tuple[int, str, list[int]]]:
    """Each 'work:AUDIT ID' setting's items into work_assignment (those still drawn, of an audit still there); the
    settings removed. Returns what was copied: (audit id, person, items), in order."""
    from cdi_workbench.timeutil import now_utc

    _change, audit, work = _tables()
    audits = set(bind.execute(sa.select(audit.c.id)).scalars())
    items = set(bind.execute(sa.text("SELECT id FROM audit_item")).scalars())
    given: dict[int, tuple[int, str]] = {}  # item -> (audit, person)
    keys = []
    for key, value in bind.execute(sa.text("SELECT key, value FROM audit_setting WHERE key LIKE :p ORDER BY key"),
                                   {"p": f"{PREFIX}%"}).tuples():
        keys.append(key)
        try:
            audit_id, held = int(key[len(PREFIX):]), json.loads(value or "{}")
        except ValueError:
            continue
        if audit_id not in audits or not isinstance(held, dict):
            continue
        for item, person in held.items():
            if str(item).isdigit() and int(item) in items and isinstance(person, str) and person.strip():
                given[int(item)] = (audit_id, person.strip())
    at = now_utc()
    copied: dict[tuple[int, str], list[int]] = {}
    for item, (audit_id, person) in sorted(given.items()):
        bind.execute(work.insert().values(audit_id=audit_id, item_id=item, person=person, assigned_by="",
                                          assigned_at=at))
        copied.setdefault((audit_id, person), []).append(item)
    for key in keys:
        bind.execute(sa.text("DELETE FROM audit_setting WHERE key = :k"), {"k": key})
    return [(a, p, its) for (a, p), its in sorted(copied.items())]


def _into_the_trail(bind: sa.engine.Connection, copied: list[tuple[int, str, list[int]]]) -> None:
    """An 'audit' row for every audit as it is now, and a 'work' row for each person's work copied; chained."""
    from cdi_workbench.audit.trail import AUDIT, GENESIS, STYLE_PREFIX, WORK, audit_body, digest, style_key
    from cdi_workbench.timeutil import now_utc

    change, audit, _work = _tables()
    styles = dict(bind.execute(sa.text("SELECT key, value FROM audit_setting WHERE key LIKE :p"),
                               {"p": f"{STYLE_PREFIX}%"}).tuples().all())
    rows: list[tuple[str, dict, str]] = []
    for a in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings():
        body = audit_body(SimpleNamespace(**a), styles.get(style_key(a["name"])))
        rows.append((AUDIT, body, f"audit '{body['name']}' as it was when audits were first recorded in the "
                                  "history (schema 0019)"))
    for audit_id, person, items in copied:
        rows.append((WORK, {"audit": audit_id, "person": person, "items": items},
                     f"{len(items)} record{'s' if len(items) != 1 else ''} given to {person} to audit, as the "
                     "settings held them when audit work was moved into its own table (schema 0019)"))
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
    _change, _audit, work = _tables()
    held: dict[int, dict[str, str]] = {}
    for audit_id, item, person in bind.execute(sa.select(work.c.audit_id, work.c.item_id, work.c.person)
                                               .order_by(work.c.id)).tuples():
        held.setdefault(audit_id, {})[str(item)] = person
    for audit_id, given in held.items():
        bind.execute(sa.text("DELETE FROM audit_setting WHERE key = :k"), {"k": f"{PREFIX}{audit_id}"})
        bind.execute(sa.text("INSERT INTO audit_setting (key, value) VALUES (:k, :v)"),
                     {"k": f"{PREFIX}{audit_id}", "v": json.dumps(given, sort_keys=True)})
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON work_assignment")
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {AUDIT_TRIGGER} ON audit")
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {AUDIT_TRIGGER}()")
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {SETTINGS_TRIGGER} ON audit_setting")
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SETTINGS_TRIGGER}()")
        bind.exec_driver_sql(_pg_sql(bind, GRANT, WRITABLE_0011))  # the history keeps its rows: append-only
    op.drop_index("ix_work_assignment_person", table_name="work_assignment")
    op.drop_index("ix_work_assignment_audit_id", table_name="work_assignment")
    op.drop_table("work_assignment")
    if bind.dialect.name == "sqlite":
        # the 'audit' and 'work' rows go and the history is chained again without them (as 0012's downgrade does)
        bind.exec_driver_sql("DELETE FROM verdict_change WHERE action IN ('audit', 'work') AND item_id = 0")
        bind.exec_driver_sql("UPDATE verdict_change SET prev_hash = NULL, hash = NULL")
        from cdi_workbench.audit.trail import seal_unsealed

        seal_unsealed(bind)
