"""People in the audit trail; on PostgreSQL, roles the server itself enforces.

- Both dialects: every person registered before this schema gets a row in the hash-chained history recording
  them as they are (action 'person', audit.people), so that from now on `cdi verify` compares the people table
  with the history: a role given, or a person added, outside the application shows.
- PostgreSQL only (a SQLite file is written by whoever holds it, so nothing in it can be enforced: there the
  trail and its anchor answer; docs/security.md). Guards keyed on the login the server reports (session_user,
  matched to app_user.login, or to app_user.name as audit.roles.identify does):
  * verdict_change is append-only for everyone, the tables' owner too: a statement trigger refuses every UPDATE,
    DELETE and TRUNCATE. A login appends only rows in the name of the person it is registered as, and only of
    what their role may do (a verdict's rows, a blind review's seal, as for the verdict, below; a flag: auditor,
    reviewer or lead; an export: anyone; an import's digest of the records: auditor or lead; assignments,
    reopening, decisions on challenges, deletions, people and any action not named: the lead).
  * verdict: a login writes only the verdicts its person's role allows: primary, an auditor or the lead;
    review, the lead or the reviewer the record is assigned to; final, the lead.
  * app_user (people): written only by the lead's login (the first registration, while nobody is registered:
    a lead under the login connected), and a change stands only if the history records it in the same
    transaction (a constraint trigger checked at commit).
  * review_assignment: the lead; challenge: the liaison or the lead (a decision: the lead); sample and
    audit_item: an auditor or the lead (a reviewer may set an item's flag); user_state: one's own rows.
  * the privileges of an app login (cdi_grant_app_login, which `cdi users add --create-login` calls): read
    everything; no UPDATE or DELETE on verdict_change, no DELETE on app_user, nothing but reading on audit and
    alembic_version. Logins that already had privileges on the tables get exactly these instead.
  The tables' owner (the login that created them, in practice the lead who set the audit up, or the
  administrator) is not held by the guards but the append-only one: whoever owns a table can drop its triggers.
  A later migration that adds a table app logins write, or a history action a role other than the lead's
  writes, replaces cdi_grant_app_login (and runs it again for the logins) or cdi_guard_history to say so:
  until then the server refuses it (a guard fails closed).

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# the tables an app login may insert into, update and delete from (the guards below then decide, row by row)
WRITABLE = ("report_record", "crime_record", "record_link", "disposal", "cancellation", "n100", "sample",
            "audit_item", "verdict", "user_state", "reason_option", "audit_setting", "challenge", "review_assignment")

FUNCTIONS = r"""
CREATE FUNCTION cdi_session_role() RETURNS text LANGUAGE plpgsql STABLE SET search_path = @PATH@ AS $$
-- 'owner' (the tables' owner, or a superuser), 'everything' (nobody registered: single-user mode), the role of
-- the active person the login is registered as, or NULL (not registered, or no longer active)
DECLARE found text;
BEGIN
  IF pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = '@SCHEMA@.verdict'::regclass),
                 'MEMBER') THEN
    RETURN 'owner';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM app_user) THEN
    RETURN 'everything';
  END IF;
  SELECT CASE WHEN u.active THEN u.role END INTO found FROM app_user u
   WHERE u.login = session_user::text OR u.name = session_user::text
   ORDER BY u.login IS NOT DISTINCT FROM session_user::text DESC LIMIT 1;
  RETURN found;
END $$;

CREATE FUNCTION cdi_session_name() RETURNS text LANGUAGE sql STABLE SET search_path = @PATH@ AS $$
  SELECT u.name::text FROM app_user u WHERE u.login = session_user::text OR u.name = session_user::text
   ORDER BY u.login IS NOT DISTINCT FROM session_user::text DESC LIMIT 1
$$;

CREATE FUNCTION cdi_may(VARIADIC roles text[]) RETURNS boolean LANGUAGE plpgsql STABLE SET search_path = @PATH@
AS $$
DECLARE r text := cdi_session_role();
BEGIN
  RETURN coalesce(r IN ('owner', 'everything') OR r = ANY(roles), false);  -- NULL (not registered): false
END $$;

CREATE FUNCTION cdi_refuse(what text) RETURNS void LANGUAGE plpgsql SET search_path = @PATH@ AS $$
DECLARE r text := cdi_session_role();
BEGIN
  IF r IS NULL THEN
    RAISE EXCEPTION 'permission denied: the database login % is not registered for this audit, or no longer works on it',
      session_user USING ERRCODE = 'insufficient_privilege',
      HINT = 'The audit lead registers people: cdi users add';
  END IF;
  RAISE EXCEPTION 'permission denied: % (%) may not %', cdi_session_name(), r, what
    USING ERRCODE = 'insufficient_privilege', HINT = 'What each role may do: docs/review.md';
END $$;

CREATE FUNCTION cdi_review_sealed(item integer) RETURNS boolean LANGUAGE sql STABLE SET search_path = @PATH@ AS $$
  -- the review of the item is sealed (audit.review): its last 'seal', 'reopen' or removal row is a 'seal'
  SELECT coalesce((SELECT c.action = 'seal' FROM verdict_change c
                    WHERE c.item_id = item
                      AND (c.action IN ('seal', 'reopen') OR (c.action = 'delete' AND c.role = 'review'))
                    ORDER BY c.id DESC LIMIT 1), false)
$$;

CREATE FUNCTION cdi_may_write_verdict(vrole text, item integer) RETURNS boolean LANGUAGE plpgsql STABLE
SET search_path = @PATH@ AS $$
-- a reviewer writes only the review of a record assigned to them, and not once it is sealed (the lead reopens it)
DECLARE r text := cdi_session_role();
BEGIN
  RETURN CASE
    WHEN r IN ('owner', 'everything', 'lead') THEN vrole IN ('primary', 'review', 'final')
    WHEN r = 'auditor' THEN vrole = 'primary'
    WHEN r = 'reviewer' THEN vrole = 'review' AND EXISTS (
      SELECT 1 FROM review_assignment a WHERE a.item_id = item AND a.reviewer = cdi_session_name())
      AND NOT cdi_review_sealed(item)
    ELSE false END;
END $$;

CREATE FUNCTION cdi_guard_verdict() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF NOT cdi_may_write_verdict(OLD.role, OLD.item_id) THEN
      PERFORM cdi_refuse(format('change or remove the %s verdict on audit item %s', OLD.role, OLD.item_id));
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NOT cdi_may_write_verdict(NEW.role, NEW.item_id) THEN
      PERFORM cdi_refuse(format('write a %s verdict on audit item %s', NEW.role, NEW.item_id));
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

CREATE FUNCTION cdi_guard_history() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
DECLARE r text := cdi_session_role(); ok boolean;
BEGIN
  IF r IN ('owner', 'everything') THEN
    RETURN NEW;
  END IF;
  IF r IS NULL THEN
    PERFORM cdi_refuse('write to the history');
  END IF;
  IF NEW.who IS DISTINCT FROM cdi_session_name() THEN
    RAISE EXCEPTION 'permission denied: a history row is written in the name of the person connected (%), not %',
      cdi_session_name(), NEW.who USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.action = 'flag' THEN
    ok := r IN ('auditor', 'reviewer', 'lead');
  ELSIF NEW.action IN ('set', 'undo', 'redo', 'import', 'merge', 'seal') THEN
    ok := cdi_may_write_verdict(NEW.role, NEW.item_id);
  ELSIF NEW.action = 'export' THEN
    ok := true;  -- anyone registered and active: the workbench checked the role for what was exported
  ELSIF NEW.action IN ('records', 'sample', 'record changed') THEN
    -- an import's digest of the record tables (storage.content); a sample drawn, extended, renamed or deleted
    -- (audit.facts); an audited record an import changed (importing.audited): whoever may import extracts and
    -- draw samples
    ok := r IN ('auditor', 'lead');
  ELSE  -- assign, unassign, challenge, delete, person, reopen, and whatever else: the lead
    ok := r = 'lead';
  END IF;
  IF NOT ok THEN
    PERFORM cdi_refuse(format('write a ''%s'' row (%s) to the history', NEW.action, NEW.role));
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_history_append_only() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  RAISE EXCEPTION 'the history (verdict_change) is append-only: % refused, for every login, its owner''s too', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION cdi_guard_people() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
DECLARE r text := cdi_session_role();
BEGIN
  IF r = 'owner' OR r = 'lead' THEN
    NULL;
  ELSIF r = 'everything' AND TG_OP = 'INSERT' AND NEW.role = 'lead'
        AND NEW.login IS NOT DISTINCT FROM session_user::text THEN
    NULL;  -- nobody registered yet: the first person, a lead, under the login connected
  ELSE
    PERFORM cdi_refuse('register people or change their roles (only the audit lead does)');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_people_in_trail() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
-- at commit: the person as they now are is what the history last records of them (audit.people writes both)
DECLARE u app_user%ROWTYPE; b json;
BEGIN
  IF cdi_session_role() = 'owner' THEN
    RETURN NULL;
  END IF;
  SELECT * INTO u FROM app_user WHERE id = NEW.id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT c.new_body::json INTO b FROM verdict_change c
   WHERE c.action = 'person' AND c.new_body::json ->> 'name' = u.name ORDER BY c.id DESC LIMIT 1;
  IF b IS NULL OR (b ->> 'role') IS DISTINCT FROM u.role::text OR (b ->> 'login') IS DISTINCT FROM u.login::text
     OR (b ->> 'active')::boolean IS DISTINCT FROM u.active THEN
    RAISE EXCEPTION 'permission denied: the change to % is not in the history (the workbench writes it there, with the lead''s reason)',
      u.name USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION cdi_guard_assignment() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF NOT cdi_may('lead') THEN
    PERFORM cdi_refuse('assign records for review');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_guard_challenge() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT cdi_may('lead') THEN
      PERFORM cdi_refuse('remove a challenge');
    END IF;
    RETURN OLD;
  END IF;
  IF NOT cdi_may('liaison', 'lead') THEN
    PERFORM cdi_refuse('record the force''s responses');
  END IF;
  IF NOT cdi_may('lead') AND (
       (TG_OP = 'INSERT' AND coalesce(NEW.decision, '') <> '')
       OR (TG_OP = 'UPDATE' AND (NEW.decision, NEW.decided_by, NEW.decided_at, NEW.decision_reason)
                                IS DISTINCT FROM (OLD.decision, OLD.decided_by, OLD.decided_at, OLD.decision_reason))) THEN
    PERFORM cdi_refuse('decide the force''s challenges');
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_guard_sample() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF NOT cdi_may('auditor', 'lead') THEN
    PERFORM cdi_refuse('draw, change or delete samples');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_guard_audit_item() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.id, NEW.sample_id, NEW.kind, NEW.record_id, NEW.position, NEW.stratum)
       IS NOT DISTINCT FROM (OLD.id, OLD.sample_id, OLD.kind, OLD.record_id, OLD.position, OLD.stratum) THEN
      IF NOT cdi_may('auditor', 'reviewer', 'lead') THEN  -- a flag and its note
        PERFORM cdi_refuse('flag records');
      END IF;
      RETURN NEW;
    END IF;
  END IF;
  IF NOT cdi_may('auditor', 'lead') THEN
    PERFORM cdi_refuse('draw, change or delete samples');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_guard_user_state() RETURNS trigger LANGUAGE plpgsql SET search_path = @PATH@ AS $$
DECLARE r text := cdi_session_role(); me text := cdi_session_name();
BEGIN
  IF coalesce(r, '') NOT IN ('owner', 'everything') AND (r IS NULL
     OR (TG_OP <> 'INSERT' AND OLD.who IS DISTINCT FROM me) OR (TG_OP <> 'DELETE' AND NEW.who IS DISTINCT FROM me)) THEN
    PERFORM cdi_refuse('keep state in another person''s name');
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION cdi_grant_app_login(login text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = @PATH@ AS $$
-- the privileges of a workbench login (the guards above then decide what its person's role allows); run with
-- the tables' owner's rights, for the owner or the audit lead only
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

# (table, trigger) -> its definition; storage.database.PG_TRIGGERS lists the same names and functions
TRIGGERS = {
    ("verdict", "cdi_guard_verdict"): "BEFORE INSERT OR UPDATE OR DELETE ON verdict FOR EACH ROW "
                                      "EXECUTE FUNCTION cdi_guard_verdict()",
    ("verdict_change", "cdi_guard_history"): "BEFORE INSERT ON verdict_change FOR EACH ROW "
                                             "EXECUTE FUNCTION cdi_guard_history()",
    ("verdict_change", "cdi_history_append_only"): "BEFORE UPDATE OR DELETE OR TRUNCATE ON verdict_change "
                                                   "FOR EACH STATEMENT EXECUTE FUNCTION cdi_history_append_only()",
    ("app_user", "cdi_guard_people"): "BEFORE INSERT OR UPDATE OR DELETE ON app_user FOR EACH ROW "
                                      "EXECUTE FUNCTION cdi_guard_people()",
    ("review_assignment", "cdi_guard_assignment"): "BEFORE INSERT OR UPDATE OR DELETE ON review_assignment "
                                                   "FOR EACH ROW EXECUTE FUNCTION cdi_guard_assignment()",
    ("challenge", "cdi_guard_challenge"): "BEFORE INSERT OR UPDATE OR DELETE ON challenge FOR EACH ROW "
                                          "EXECUTE FUNCTION cdi_guard_challenge()",
    ("sample", "cdi_guard_sample"): "BEFORE INSERT OR UPDATE OR DELETE ON sample FOR EACH ROW "
                                    "EXECUTE FUNCTION cdi_guard_sample()",
    ("audit_item", "cdi_guard_audit_item"): "BEFORE INSERT OR UPDATE OR DELETE ON audit_item FOR EACH ROW "
                                            "EXECUTE FUNCTION cdi_guard_audit_item()",
    ("user_state", "cdi_guard_user_state"): "BEFORE INSERT OR UPDATE OR DELETE ON user_state FOR EACH ROW "
                                            "EXECUTE FUNCTION cdi_guard_user_state()",
}
PEOPLE_CHECK = ("CREATE CONSTRAINT TRIGGER cdi_people_in_trail AFTER INSERT OR UPDATE ON app_user "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cdi_people_in_trail()")
FUNCTION_NAMES = ("cdi_grant_app_login(text)", "cdi_guard_user_state()", "cdi_guard_sample()",
                  "cdi_guard_audit_item()", "cdi_guard_challenge()", "cdi_guard_assignment()", "cdi_people_in_trail()", "cdi_guard_people()",
                  "cdi_history_append_only()", "cdi_guard_history()", "cdi_guard_verdict()",
                  "cdi_may_write_verdict(text, integer)", "cdi_review_sealed(integer)", "cdi_refuse(text)",
                  "cdi_may(text[])",
                  "cdi_session_name()", "cdi_session_role()")


def upgrade() -> None:
    bind = op.get_bind()
    _people_into_the_trail(bind)
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    quoted = bind.dialect.identifier_preparer.quote(schema)
    sql = (FUNCTIONS.replace("@PATH@", f"pg_catalog, {quoted}, pg_temp").replace("@SCHEMA@", quoted)
           .replace("@SCHEMA_NAME@", schema.replace("'", "''"))
           .replace("@WRITABLE@", ", ".join(f"'{t}'" for t in WRITABLE)))
    bind.exec_driver_sql(sql.replace("%", "%%"))
    for (_table, trigger), definition in TRIGGERS.items():
        bind.exec_driver_sql(f"CREATE TRIGGER {trigger} {definition}")
    bind.exec_driver_sql(PEOPLE_CHECK)
    # logins that already hold privileges on the tables (the old --create-login granted them every write) get
    # exactly an app login's instead
    logins = bind.exec_driver_sql(
        "SELECT DISTINCT r.rolname FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind = 'r' AND a.grantee <> c.relowner").scalars().all()
    for login in logins:
        bind.exec_driver_sql("SELECT cdi_grant_app_login(%(l)s)", {"l": login})


def _people_into_the_trail(bind: sa.engine.Connection) -> None:
    """A 'person' history row for everyone registered, as they are now (audit.people writes one for every
    registration and change from this schema on); sealed into the hash chain like any other row."""
    from cdi_workbench.audit.trail import GENESIS, PEOPLE, PERSON, digest
    from cdi_workbench.storage.types import UTCDateTime
    from cdi_workbench.timeutil import now_utc

    user = sa.table("app_user", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("role", sa.String), sa.column("login", sa.String), sa.column("active", sa.Boolean),
                    sa.column("added_by", sa.String))
    change = sa.table("verdict_change", sa.column("id", sa.Integer), sa.column("item_id", sa.Integer),
                      sa.column("role", sa.String), sa.column("at", UTCDateTime()), sa.column("who", sa.String),
                      sa.column("action", sa.String), sa.column("old_body", sa.JSON),
                      sa.column("new_body", sa.JSON), sa.column("reason", sa.Text),
                      sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    people = bind.execute(sa.select(user).order_by(user.c.id)).all()
    if not people:
        return
    prev = bind.execute(sa.select(change.c.hash).where(change.c.hash.is_not(None))
                        .order_by(change.c.id.desc()).limit(1)).scalar() or GENESIS
    at = now_utc()
    reason = "registered before people were recorded in the history (schema 0011): as they were then"
    for u in people:
        body = {"name": u.name, "role": str(u.role), "login": u.login or None, "active": bool(u.active)}
        who = u.added_by or u.name
        h = digest(prev, 0, PEOPLE, at, who, PERSON, None, body, reason)
        bind.execute(change.insert().values(item_id=0, role=PEOPLE, at=at, who=who, action=PERSON, old_body=None,
                                            new_body=body, reason=reason, prev_hash=prev, hash=h))
        prev = h


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # the history keeps its 'person' rows: it is append-only
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS cdi_people_in_trail ON app_user")
    for table, trigger in TRIGGERS:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for fn in FUNCTION_NAMES:
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {fn}")
