"""A programme of monthly audits with known recording rates, built through the core, for the board pack's tests and
benchmark (issue 14).

monthly_programme(path, rates) makes one audit per calendar month from January 2016 (2015 rules, 24-hour limit):
each month `records` x `frame` incidents received in the month (their owning units cycling through `units`), a
simple random sample of `records` of them drawn for the month's audit (sampling.draw; the rest of the frame gives
the finite population correction a population larger than the sample); each drawn incident discloses one crime,
floor(rate x records) of them recorded, spread evenly through the draw order (a crime record linked to the incident,
every `late_every`-th one recorded 30 hours after the report, outside the 24-hour limit), the others a crime not
recorded. Every record drawn gets a completed verdict (AuditService.save_many) except the last `unfinished` of
the last month (a part-finished audit).

The plan (what was written) comes back beside the database, so a test compares the figures with it rather than
with the code under test.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cdi_workbench import sampling
from cdi_workbench.audit.programme import create
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local

FORCE = "Programmeshire Police"
# offence codes in turn: violence against the person, rape, other (theft), violence again
CODES = ("8N", "19C", "49", "105A")
UNITS = ("North LPA", "South LPA", "Central LPA")


@dataclass
class MonthPlan:
    name: str
    start: date
    end: date
    identified: int = 0
    recorded: int = 0
    late: int = 0
    audited: int = 0
    drawn: int = 0
    by_unit: dict[str, tuple[int, int]] = field(default_factory=dict)  # unit -> (recorded, identified)


def month_bounds(first: date, i: int) -> tuple[date, date]:
    index = first.year * 12 + first.month - 1 + i
    year, month = divmod(index, 12)
    return date(year, month + 1, 1), date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def monthly_programme(path: Path | str, rates: list[float], records: int = 40, units: tuple[str, ...] = UNITS,
                      unfinished: int = 0, late_every: int = 10, first: date = date(2016, 1, 1),
                      who: str = "builder", frame: int = 2) -> tuple[Database, list[MonthPlan]]:
    """One audit per month with the given recording rates (see the module's docstring); the database and the plan."""
    plans: list[MonthPlan] = []
    db: Database | None = None
    for i, rate in enumerate(rates):
        start, end = month_bounds(first, i)
        name = f"{start:%Y-%m}"
        if db is None:
            db = init_audit(path, FORCE, start, end, "2015", who)
            with db.session() as s:  # the first audit is named from its period as every later one
                from cdi_workbench.storage.models import Audit

                a = s.query(Audit).one()
                a.name = name
        else:
            create(db, name, start, end, "2015", who=who)
        plans.append(_month(db, name, start, end, rate, records, units, late_every,
                            unfinished if i == len(rates) - 1 else 0, seed=100 + i, frame=frame))
    assert db is not None
    return db, plans


def _month(db: Database, name: str, start: date, end: date, rate: float, records: int, units: tuple[str, ...],
           late_every: int, unfinished: int, seed: int, frame: int) -> MonthPlan:
    plan = MonthPlan(name, start, end)
    unit_of: dict[str, str] = {}
    received: dict[str, datetime] = {}
    with db.session() as s:
        for j in range(records * frame):
            ref = f"INC-{name}-{j:04d}"
            day = start + timedelta(days=j % ((end - start).days + 1))
            when = uk_local(day.year, day.month, day.day, 9, 0)
            unit = units[j % len(units)] if units else None
            s.add(ReportRecord(kind="incident", system="Incident", ref=ref, received_at=when,
                               opening_code="Assault", closing_code="Crime", caller_type="Victim",
                               location="On or near High Street", unit=unit,
                               narrative=f"{day:%d/%m/%Y} 09:00 [Call taker] Caller reports an offence."))
            unit_of[ref], received[ref] = unit or "", when
        s.flush()
        sampling.draw(s, f"Incidents {name}", "incident", records, seed=seed, audit=name)
    svc = AuditService(db, "Amy Auditor", audit=name)
    (smp,) = svc.samples()
    queue = svc.queue(smp.id)
    plan.drawn = len(queue)
    todo = queue[: len(queue) - unfinished] if unfinished else queue
    bodies = []
    with db.session() as s:  # the crimes of the records drawn
        for i, row in enumerate(queue):
            code = CODES[i % len(CODES)]
            crime_id = None
            late = False
            if int((i + 1) * rate + 1e-9) > int(i * rate + 1e-9):  # floor(rate x records), spread evenly
                late = late_every > 0 and i % late_every == late_every - 1
                crime = CrimeRecord(ref=f"CR-{row.ref[4:]}", recorded_at=received[row.ref]
                                    + timedelta(hours=30 if late else 3), reported_at=received[row.ref],
                                    ho_code=code, offence="Offence", source_ref=row.ref)
                s.add(crime)
                s.flush()
                report_id = s.scalar(select(ReportRecord.id).where(ReportRecord.ref == row.ref))
                s.add(RecordLink(report_id=report_id, crime_id=crime.id))
                crime_id = crime.id
            if i >= len(todo):
                continue
            body = VerdictBody(crimes=[CrimeFinding(code, crime_id, f"CR-{row.ref[4:]}" if crime_id else "",
                                                    not_recorded_reason="" if crime_id else "Crime not recorded")],
                               complete=True)
            bodies.append((row.item_id, body, "Amy Auditor"))
            plan.identified += 1
            plan.recorded += crime_id is not None
            plan.late += late
            k, n = plan.by_unit.get(unit_of[row.ref], (0, 0))
            plan.by_unit[unit_of[row.ref]] = (k + (crime_id is not None), n + 1)
    if bodies:
        svc.save_many(bodies, "built for the board pack's tests")
    plan.audited = len(bodies)
    return plan
