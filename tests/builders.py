"""Small, fully known audit databases built through the core, for tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cdi_workbench import sampling
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import N100, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local

NARRATIVE_TWO = (
    "14/03/2014 21:14 [Call taker] Caller states her partner punched her in the face and smashed her phone.\n"
    "14/03/2014 21:20 [Dispatcher] Unit 4B assigned, graded immediate.\n"
    "14/03/2014 22:05 [PC 2231] Victim has bruising to left eye. Phone screen damaged. Partner left scene."
)
NARRATIVE_MISSED = (
    "02/04/2014 10:02 [Call taker] Neighbour reports shouting, male heard saying he would kill her.\n"
    "02/04/2014 11:30 [PC 1187] Spoke to female, she says he threatened her with a knife. Does not want to "
    "make a complaint. Closed as domestic non-crime."
)
NARRATIVE_ZERO = "05/05/2014 09:00 [Call taker] Report of a lost wallet on the high street. No crime disclosed."


def small_audit(path: Path | str, rules: str = "2014") -> Database:
    """Three incidents (two crimes / a missed crime / zero status), a Guardian referral, a disposal,
    a cancellation and an N100, each in a sample of its own kind."""
    db = init_audit(path, "Testshire Police", date(2014, 1, 1), date(2014, 6, 30), rules, "builder")
    with db.session() as s:
        inc1 = ReportRecord(kind="incident", system="Incident", ref="INC-0001", received_at=uk_local(2014, 3, 14, 21, 14),
                            opening_code="Domestic Incident", closing_code="Crime", caller_type="Victim",
                            location="On or near Bower Lane", narrative=NARRATIVE_TWO, crime_refs="CR-1;CR-2")
        inc2 = ReportRecord(kind="incident", system="Incident", ref="INC-0002", received_at=uk_local(2014, 4, 2, 10, 2),
                            opening_code="Domestic Incident", closing_code="Domestic non-crime",
                            caller_type="Third party", location="On or near Penk Drive", narrative=NARRATIVE_MISSED)
        inc3 = ReportRecord(kind="incident", system="Incident", ref="INC-0003", received_at=uk_local(2014, 5, 5, 9, 0),
                            opening_code="Lost Property", closing_code="Advice", caller_type="Victim",
                            location="On or near High Street", narrative=NARRATIVE_ZERO)
        ref1 = ReportRecord(kind="referral", system="Guardian", ref="GRD-0001", received_at=uk_local(2014, 2, 1, 9, 0),
                            agency="School", category="Child concern",
                            narrative="01/02/2014 09:00 [MASH] School reports pupil disclosed she was hit by "
                                      "her stepfather, bruise to arm.")
        cr1 = CrimeRecord(ref="CR-1", recorded_at=uk_local(2014, 3, 15, 8, 0), reported_at=uk_local(2014, 3, 14, 21, 14),
                          ho_code="8N", offence="Assault with injury", source_ref="INC-0001",
                          location="On or near Bower Lane", domestic_abuse=True)
        cr2 = CrimeRecord(ref="CR-2", recorded_at=uk_local(2014, 3, 19, 12, 0), reported_at=uk_local(2014, 3, 14, 21, 14),
                          ho_code="58A", offence="Criminal damage to a dwelling", source_ref="INC-0001",
                          location="On or near Bower Lane", domestic_abuse=True)
        cr3 = CrimeRecord(ref="CR-3", recorded_at=uk_local(2014, 3, 1, 10, 0), ho_code="105A", offence="Assault")
        s.add_all([inc1, inc2, inc3, ref1, cr1, cr2, cr3])
        s.flush()
        s.add_all([RecordLink(report_id=inc1.id, crime_id=cr1.id), RecordLink(report_id=inc1.id, crime_id=cr2.id)])
        s.add(Disposal(ref="OOCD-1", crime_ref="CR-3", disposal_type="Community resolution",
                       issued_at=uk_local(2014, 3, 2, 10, 0), offender_history="No previous convictions",
                       victim="Adult female", notes="02/03/2014 10:00 [PC 88] Apology agreed with victim."))
        s.add(Cancellation(crime_ref="CR-3", cancelled_at=uk_local(2014, 3, 20, 10, 0), reason="Crime recorded in error",
                           decided_by_role="DDM", offence_group="vap",
                           notes="20/03/2014 10:00 [DDM] CCTV shows no assault took place."))
        s.add(N100(ref="N100-1", incident_ref="INC-0009", recorded_at=uk_local(2014, 4, 10, 15, 0), reason_code="100/01",
                   narrative="10/04/2014 15:00 [PC 45] Victim disclosed rape then declined to confirm."))
        s.flush()
        sampling.draw(s, "Incidents", "incident", 3, seed=7)
        sampling.draw(s, "Guardian", "referral", 1, seed=7, system="Guardian")
        sampling.draw(s, "Disposals", "disposal", 1, seed=7)
        sampling.draw(s, "Cancellations", "cancellation", 1, seed=7)
        sampling.draw(s, "N100s", "n100", 1, seed=7)
    return db


def taken_back(path: Path, revision: str) -> str:
    """Take the SQLite audit database at `path` back to schema `revision` with the migrations' own downgrades, if it
    is newer (the bundled sample is built at today's schema; an upgrade test needs one from before). Returns the
    revision it was at."""
    import sqlite3

    from alembic import command

    from cdi_workbench.storage.database import _alembic_config, make_engine

    with sqlite3.connect(path) as con:
        was = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    con.close()
    if was > revision:
        engine = make_engine(path)
        try:
            with engine.begin() as conn:
                command.downgrade(_alembic_config(conn), revision)
        finally:
            engine.dispose()
    return str(was)
