"""Offence-group strata of incidents and referrals, stored with each record so a draw needs no join.

A report's stratum is the most serious offence group among its linked crimes that are not cancelled (rape >
sexual > violence against the person > other > fraud), or 'no crime linked'. It is stored in
report_record.stratum. Database triggers (installed by schema 0007) set it to NULL whenever a link is added or
removed or a linked crime's code or status changes, whoever writes (the importer's set-wise SQL, the ORM, a
script); `refresh` works out again just those rows, in one UPDATE, inside the caller's transaction.

A crime record's stratum (RecordKind.CRIME, crime-record dip-samples) is the offence group of its own Home Office code
(classification.group_of: unknown or missing codes count as 'other'), worked out in the draw by `crime_group`, a
CASE over the classification lists' codes; nothing is stored, so nothing can go stale.

A cancelled crime's stratum is its cancellation offence group (classification.CANCELLATION_GROUPS), stored in
cancellation.offence_group; `refresh_cancellations` makes it follow the crime's Home Office code (after imports
of cancellations or crimes, and before a draw).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, case, func, select, update
from sqlalchemy.orm import Session

from .classification import (
    GROUP_PRIORITY,
    NO_CRIME,
    all_classifications,
    cancellation_group,
    cancellation_group_of_code,
    group_of,
)
from .rules import normalise_code
from .storage.models import Cancellation, CrimeRecord, RecordLink, ReportRecord


def report_stratum(codes: list[str]) -> str:
    """The stratum of an incident or referral from its linked crimes' codes (the rule `refresh` applies)."""
    groups = {group_of(c) for c in codes if c}
    return next((g for g in GROUP_PRIORITY if g in groups), NO_CRIME)


def null_rows(conn: Connection, column: str, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, ref) of reports where `column` (stratum or draw_key) is NULL, found through the partial index that
    holds just those rows (SQLite's planner prefers a full covering scan unless told)."""
    index = {"stratum": "ix_report_stratum_stale", "draw_key": "ix_report_key_missing"}[column]
    hint = f" INDEXED BY {index}" if conn.dialect.name == "sqlite" else ""
    sql = f"SELECT id, ref FROM report_record{hint} WHERE {column} IS NULL" + (f" LIMIT {int(limit)}" if limit else "")
    return [(i, r) for i, r in conn.exec_driver_sql(sql)]


def stale(conn: Connection) -> bool:
    return bool(null_rows(conn, "stratum", 1))


def refresh(conn: Connection) -> int:
    """Work out the stratum of every report whose stratum is unknown; returns how many were updated."""
    if not stale(conn):
        return 0
    codes = [c for (c,) in conn.execute(select(CrimeRecord.ho_code).distinct()) if c]
    priority = {c: GROUP_PRIORITY.index(group_of(c)) for c in codes}
    unknown = update(ReportRecord).where(ReportRecord.stratum.is_(None))
    if not priority:
        return conn.execute(unknown.values(stratum=NO_CRIME)).rowcount
    best = (select(func.min(case(priority, value=CrimeRecord.ho_code)))
            .select_from(RecordLink).join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id)
            .where(RecordLink.report_id == ReportRecord.id, CrimeRecord.status != "cancelled")
            .scalar_subquery())
    named = case({i: g for i, g in enumerate(GROUP_PRIORITY)}, value=best, else_=NO_CRIME)
    return conn.execute(unknown.values(stratum=named)).rowcount


def crime_group() -> Any:  # noqa: ANN401 (a column expression)
    """The offence group of each crime record's Home Office code (classification.group_of) as an SQL expression: the
    code compared as rules.normalise_code compares it (no case, spaces or leading zeros: '008n' is 8N) with the
    codes of the classification lists of each group but 'other', listed per group; any other code, or none, is
    'other'."""
    code = func.ltrim(func.upper(func.replace(CrimeRecord.ho_code, " ", "")), "0")
    return case(*[(code.in_(codes), g) for g, codes in _group_codes()], else_="other")


@lru_cache(maxsize=1)
def _group_codes() -> tuple[tuple[str, list[str]], ...]:
    """(group, its codes normalised) for every offence group but 'other', in GROUP_PRIORITY's order."""
    by_group: dict[str, set[str]] = {}
    for c in all_classifications():
        group = group_of(c.code)  # as a stored code finds it (the lists share codes)
        if group != "other":
            by_group.setdefault(group, set()).add(normalise_code(c.code))
    return tuple((g, sorted(by_group[g])) for g in GROUP_PRIORITY if g in by_group)


def refresh_cancellations(conn: Connection | Session) -> list[tuple[str, str, str, str]]:
    """Set every cancellation's offence_group (its stratum) to classification.cancellation_group: the group of its
    crime record's Home Office code where that crime is in the database with a code in the list, whatever group
    the extract wrote; else the group written; else 'other'. Inside the caller's transaction (a Session's loaded
    objects see the change). Returns (crime_ref, group written, code, group of the code) for each cancellation
    whose written group the code overrode. Cancelled crimes are few (hundreds or thousands): worked out in Python."""
    rows = conn.execute(select(Cancellation.id, Cancellation.crime_ref, Cancellation.offence_group,
                               CrimeRecord.ho_code)
                        .outerjoin(CrimeRecord, CrimeRecord.ref == Cancellation.crime_ref)).all()
    moves: dict[str, list[int]] = {}
    overridden = []
    for cid, ref, written, code in rows:
        group = cancellation_group(code, written)
        if group != written:
            moves.setdefault(group, []).append(cid)
            if written and cancellation_group_of_code(code) is not None:
                overridden.append((ref, written, code, group))
    for group, ids in moves.items():
        for start in range(0, len(ids), 500):
            conn.execute(update(Cancellation).where(Cancellation.id.in_(ids[start:start + 500]))
                         .values(offence_group=group, content_hash=None))
    if moves:  # the regrouped cancellations' content digests (storage.content) worked out again
        from .storage.content import fill

        fill(conn if isinstance(conn, Connection) else conn.connection(), "cancellation")
    return overridden


SQLITE_TRIGGERS = (
    """CREATE TRIGGER cdi_link_added AFTER INSERT ON record_link BEGIN
         UPDATE report_record SET stratum = NULL WHERE id = NEW.report_id AND stratum IS NOT NULL; END""",
    """CREATE TRIGGER cdi_link_removed AFTER DELETE ON record_link BEGIN
         UPDATE report_record SET stratum = NULL WHERE id = OLD.report_id AND stratum IS NOT NULL; END""",
    """CREATE TRIGGER cdi_link_moved AFTER UPDATE ON record_link BEGIN
         UPDATE report_record SET stratum = NULL WHERE id IN (OLD.report_id, NEW.report_id) AND stratum IS NOT NULL;
       END""",
    """CREATE TRIGGER cdi_crime_changed AFTER UPDATE OF ho_code, status ON crime_record
       WHEN OLD.ho_code IS NOT NEW.ho_code OR OLD.status IS NOT NEW.status BEGIN
         UPDATE report_record SET stratum = NULL WHERE stratum IS NOT NULL
           AND id IN (SELECT report_id FROM record_link WHERE crime_id = NEW.id); END""",
)

POSTGRES_TRIGGERS = (
    """CREATE FUNCTION cdi_link_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'DELETE' THEN
           UPDATE report_record SET stratum = NULL WHERE id = NEW.report_id AND stratum IS NOT NULL;
         END IF;
         IF TG_OP <> 'INSERT' THEN
           UPDATE report_record SET stratum = NULL WHERE id = OLD.report_id AND stratum IS NOT NULL;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER cdi_link_changed AFTER INSERT OR UPDATE OR DELETE ON record_link
       FOR EACH ROW EXECUTE FUNCTION cdi_link_changed()""",
    """CREATE FUNCTION cdi_crime_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE report_record SET stratum = NULL WHERE stratum IS NOT NULL
           AND id IN (SELECT report_id FROM record_link WHERE crime_id = NEW.id);
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER cdi_crime_changed AFTER UPDATE OF ho_code, status ON crime_record FOR EACH ROW
       WHEN (OLD.ho_code IS DISTINCT FROM NEW.ho_code OR OLD.status IS DISTINCT FROM NEW.status)
       EXECUTE FUNCTION cdi_crime_changed()""",
)


def install_triggers(conn: Connection) -> None:
    for ddl in SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        conn.exec_driver_sql(ddl)


def drop_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for name in ("cdi_link_added", "cdi_link_removed", "cdi_link_moved", "cdi_crime_changed"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS cdi_link_changed ON record_link")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS cdi_crime_changed ON crime_record")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS cdi_link_changed()")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS cdi_crime_changed()")
