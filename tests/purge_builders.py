"""An audit built through the workbench for the purge's tests (retention.py): extracts imported (so the history
records each record table), a sample of each kind drawn and every sampled record audited, a findings report
issued (the anchor), records on both sides of the purge's date.

Each narrative and personal field carries a marker word ("Quokka", "Wombat") and the record's own reference, so
a test can look for it in the file's bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.audit.people import add_person, create_login
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.findings import compute
from cdi_workbench.importing import import_file
from cdi_workbench.reports import write_json
from cdi_workbench.storage.database import Database, is_url
from cdi_workbench.storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord

LEAD, LARA, AUDITOR, REVIEWER = "Lena Lead", "Lara Lead", "Alan Auditor", "Rita Reviewer"
BEFORE = date(2014, 7, 1)  # the purge's date: records from March to April go, August's stay

INCIDENTS = """incident_ref,received_at,location,narrative,crime_refs
I-01,01/03/2014 10:00,Wombat Lane I-01,Quokka I-01 caller says her partner hit her,C-01
I-02,02/03/2014 10:00,Wombat Lane I-02,Quokka I-02 neighbour heard threats to kill,
I-03,03/03/2014 10:00,Wombat Lane I-03,Quokka I-03 lost wallet,
I-04,04/03/2014 10:00,Wombat Lane I-04,Quokka I-04 shed broken into,C-04
I-05,05/03/2014 10:00,Wombat Lane I-05,Quokka I-05 car window smashed,C-05
I-06,06/03/2014 10:00,Wombat Lane I-06,Quokka I-06 noise complaint,
I-07,07/03/2014 10:00,Wombat Lane I-07,Quokka I-07 bike stolen from garden,C-07
I-08,08/03/2014 10:00,Wombat Lane I-08,Quokka I-08 youths shouting,
I-09,01/08/2014 10:00,Wombat Lane I-09,Quokka I-09 assault outside the pub,C-09
I-10,02/08/2014 10:00,Wombat Lane I-10,Quokka I-10 graffiti on a wall,
"""
CRIMES = """crime_ref,recorded_at,reported_at,ho_code,offence,source_ref,location,victim_age,victim_sex
C-01,04/03/2014 10:00,01/03/2014 10:00,8N,Assault with injury,I-01,Wombat Road C-01,34,F
C-04,04/03/2014 12:00,04/03/2014 10:00,30B,Burglary,I-04,Wombat Road C-04,51,M
C-05,05/03/2014 12:00,05/03/2014 10:00,58C,Criminal damage to a vehicle,I-05,Wombat Road C-05,29,F
C-07,07/03/2014 12:00,07/03/2014 10:00,45,Theft of a pedal cycle,I-07,Wombat Road C-07,40,M
C-09,02/08/2014 12:00,01/08/2014 10:00,8N,Assault with injury,I-09,Wombat Road C-09,22,M
C-20,10/03/2014 12:00,10/03/2014 10:00,8N,Assault with injury,,Wombat Road C-20,19,F
C-21,11/03/2014 12:00,11/03/2014 10:00,58C,Criminal damage to a vehicle,,Wombat Road C-21,60,M
C-22,,,58C,Criminal damage to a vehicle,,Wombat Road C-22,61,F
C-30,20/03/2014 12:00,20/03/2014 10:00,8N,Assault with injury,,Wombat Road C-30,33,F
C-31,21/03/2014 12:00,21/03/2014 10:00,58C,Criminal damage to a vehicle,,Wombat Road C-31,44,M
C-40,01/03/2014 12:00,01/03/2014 10:00,45,Theft of a pedal cycle,,Wombat Road C-40,17,M
C-41,02/03/2014 12:00,02/03/2014 10:00,45,Theft of a pedal cycle,,Wombat Road C-41,18,M
C-44,03/03/2014 12:00,03/03/2014 10:00,45,Theft of a pedal cycle,,Wombat Road C-44,19,M
"""
DISPOSALS = """disposal_ref,crime_ref,disposal_type,issued_at,offender_history,victim,notes
D-01,C-40,Community resolution,05/03/2014 10:00,Quokka D-01 no previous,Wombat victim D-01,Quokka D-01 apology agreed
D-02,C-41,Community resolution,06/03/2014 10:00,Quokka D-02 no previous,Wombat victim D-02,Quokka D-02 apology agreed
D-03,C-44,Community resolution,05/08/2014 10:00,Quokka D-03 no previous,Wombat victim D-03,Quokka D-03 apology agreed
"""
CANCELLATIONS = """crime_ref,cancelled_at,reason,decided_by_role,offence_group,notes
C-30,25/03/2014 10:00,Crime recorded in error,DDM,vap,Quokka K-30 CCTV shows no assault
C-31,26/03/2014 10:00,Crime recorded in error,DDM,other,Quokka K-31 damage was accidental
"""
N100S = """n100_ref,incident_ref,recorded_at,reason_code,narrative
N-01,I-03,10/04/2014 15:00,100/01,Quokka N-01 victim disclosed then declined
N-02,I-06,11/04/2014 15:00,100/01,Quokka N-02 victim disclosed then declined
"""
FILES = (("incidents.csv", "incidents", INCIDENTS), ("crimes.csv", "crimes", CRIMES),
         ("disposals.csv", "disposals", DISPOSALS), ("cancellations.csv", "cancellations", CANCELLATIONS),
         ("n100.csv", "n100", N100S))


@dataclass
class Audit:
    target: str  # a SQLite file, or a PostgreSQL URL (connected as the tables' owner)
    report: Path  # the findings JSON issued before the purge
    items: dict[str, int]  # sampled record's reference -> its audit item
    logins: dict[str, str] = field(default_factory=dict)  # PostgreSQL: person -> their own login
    dbs: dict[str, Database] = field(default_factory=dict)

    def db(self, person: str = LEAD) -> Database:
        """The database as `person` opens it: on PostgreSQL with their own login (the lead who set up keeps the
        owner's), on SQLite the file (the person is the name typed)."""
        if person not in self.dbs:
            login = self.logins.get(person)
            target = self.target.replace("postgres@", f"{login}@", 1) if login else self.target
            self.dbs[person] = Database(target)
        return self.dbs[person]

    def close(self) -> None:
        for d in self.dbs.values():
            d.close()
        self.dbs.clear()


def build(target: str, folder: Path, logins: dict[str, str] | None = None) -> Audit:
    """The audit; `logins` (PostgreSQL): a login of their own for each person named (created here)."""
    logins = logins or {}
    db = init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 12, 31), "2015", "builder")
    try:
        add_person(db, LEAD, LEAD, "lead")  # on PostgreSQL under the owner's login
        for person, role in ((LARA, "lead"), (AUDITOR, "auditor"), (REVIEWER, "reviewer")):
            if person in logins:
                create_login(db, logins[person])
            add_person(db, LEAD, person, role, logins.get(person))
        for name, kind, text in FILES:
            (folder / name).write_text(text, encoding="utf-8")
            assert import_file(db, folder / name, kind, user=LEAD).committed
        with db.session() as s:
            # seeds giving: I-01, I-02, I-04 and I-07 (I-02 with no crime linked); D-01; C-30's cancellation; N-01,
            # which names I-03, not sampled
            sampling.draw(s, "Incidents", "incident", 4, seed=6, who=LEAD)
            sampling.draw(s, "Disposals", "disposal", 1, seed=2, who=LEAD)
            sampling.draw(s, "Cancellations", "cancellation", 1, seed=2, who=LEAD)
            sampling.draw(s, "N100s", "n100", 1, seed=2, who=LEAD)
        items = audit_all(db, LEAD)
        report = folder / "findings-before-purge.json"
        write_json(compute(db), report)
    finally:
        db.close()
    return Audit(target, report, items, dict(logins))


def audit_all(db: Database, who: str) -> dict[str, int]:
    """A complete verdict on every sampled record: an incident's linked crimes as recorded (the first sampled
    incident with none also names C-20, found by the auditor and not linked); the other kinds' checks answered."""
    svc = AuditService(db, who)
    items: dict[str, int] = {}
    with db.session() as s:
        crimes = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.id)).tuples().all())
        links: dict[int, list[int]] = {}
        for rid, cid in s.execute(select(RecordLink.report_id, RecordLink.crime_id)).tuples():
            links.setdefault(rid, []).append(cid)
        refs = {cid: ref for ref, cid in crimes.items()}
        named = {kind: dict(s.execute(select(model.id, col)).tuples().all()) for kind, model, col in (
            ("incident", ReportRecord, ReportRecord.ref), ("disposal", Disposal, Disposal.ref),
            ("cancellation", Cancellation, Cancellation.crime_ref), ("n100", N100, N100.ref))}
        sampled = list(s.execute(select(AuditItem.id, AuditItem.kind, AuditItem.record_id)
                                 .order_by(AuditItem.sample_id, AuditItem.position)).tuples())
    named_c20 = False
    for item_id, kind, record_id in sampled:
        items[named[kind][record_id]] = item_id  # a cancellation by its crime's reference
        if kind == "incident":
            linked = [CrimeFinding(expected_code="8N", crime_id=c, crime_ref=refs[c]) for c in links.get(record_id, [])]
            if not linked and not named_c20:
                named_c20 = True
                linked = [CrimeFinding(expected_code="8N", crime_id=crimes["C-20"], crime_ref="C-20")]
            body = (VerdictBody(crimes=linked, complete=True, rationale="Crimes as found.") if linked
                    else VerdictBody(zero_status=True, complete=True, rationale="No crime."))
        elif kind == "disposal":
            body = VerdictBody(checks={"offender_suitable": True, "offender_made_aware": True,
                                       "victim_to_consult": True, "victim_views_considered": False,
                                       "outcome_appropriate": True}, complete=True, rationale="Views not sought.")
        elif kind == "cancellation":
            body = VerdictBody(checks={"decision_correct": True, "authorised_decision_maker": True,
                                       "victim_informed": False}, complete=True, rationale="Victim not told.")
        else:
            body = VerdictBody(checks={"n100_needed": True, "should_have_been_rape": False}, complete=True,
                               rationale="Rightly applied.")
        svc.save_verdict(item_id, body)
    assert named_c20, "no sampled incident without linked crimes: choose another seed"
    return items


def file_bytes(target: str) -> bytes:
    """A SQLite audit database's bytes as they are on the disk: the file and its write-ahead log."""
    assert not is_url(target)
    out = Path(target).read_bytes()
    wal = Path(f"{target}-wal")
    return out + (wal.read_bytes() if wal.exists() else b"")
