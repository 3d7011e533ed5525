"""A generated year of monthly audits written as one programme database (issue 14's "Done means"): each month of
sample_data.series.monthly_series becomes an audit of the programme ('2016-04', '2016-05', ...) with its incidents,
the crimes recorded for them, a sample of every incident of the month and the verdicts the outcomes say, entered
through the core (AuditService.save_many), so that the trends read from the database can be checked against the
known truth and the generator's own counts.

    python -m sample_data.series_db year.db            # 12 months, the default trend and step change

Each outcome is one incident with one crime identified, expected under a Home Office code of its offence group;
a recorded crime has a crime record of that code linked to the incident, recorded 2 hours after the report when the
outcome is within the time limit, 30 hours after when not (the 24-hour limit of the 2015 rules) and with no
recording time when the time is not known.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from cdi_workbench import sampling
from cdi_workbench.audit.programme import create
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.programme_figures import set_method_style
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import CrimeRecord, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local
from sample_data.series import YearOfAudits, monthly_series

CODES = {"vap": "8N", "sexual": "17A", "rape": "19C", "other": "49"}
OFFENCES = {"vap": "Assault with injury", "sexual": "Sexual assault on a female", "rape": "Rape of a female",
            "other": "Theft"}
FORCE = "Seriesshire Police"
AUDITOR = "Series Auditor"


def write_year(path: str | Path, year: YearOfAudits) -> Database:
    """Write the year as a programme: one audit per month (its rules and method as the points say)."""
    first = year.points[0]
    db = init_audit(path, FORCE, first.period_start, first.period_end, first.rules, "series generator")
    for month, (point, outcomes) in enumerate(zip(year.points, year.outcomes, strict=True), 1):
        name = f"{point.period_start:%Y-%m}"
        if month > 1:
            create(db, name, point.period_start, point.period_end, point.rules, "series generator")
        set_method_style(db, name, point.method_style)
        findings: list[tuple[int, str, str]] = []  # per outcome: (crime record id or 0, expected code, crime ref)
        with db.session() as s:
            reports, crimes = [], []
            day0 = uk_local(point.period_start.year, point.period_start.month, point.period_start.day, 9, 0)
            for i, o in enumerate(outcomes):
                received = day0 + timedelta(minutes=37 * i)
                ref = f"INC-{name}-{i + 1:04d}"
                crime_ref = f"CR-{name}-{i + 1:04d}"
                reports.append(ReportRecord(kind="incident", system="Incident", ref=ref, received_at=received,
                                            opening_code="Assault", closing_code="Crime", caller_type="Victim",
                                            narrative=f"Generated report {ref}.",
                                            crime_refs=crime_ref if o.recorded else None))
                if o.recorded:
                    at = None if o.within_limit is None else received + timedelta(hours=2 if o.within_limit else 30)
                    crimes.append(CrimeRecord(ref=crime_ref, ho_code=CODES[o.group], offence=OFFENCES[o.group],
                                              reported_at=received, recorded_at=at, source_ref=ref))
                else:
                    crimes.append(None)
            s.add_all(reports)
            s.add_all([c for c in crimes if c is not None])
            s.flush()
            s.add_all([RecordLink(report_id=r.id, crime_id=c.id) for r, c in zip(reports, crimes, strict=True)
                       if c is not None])
            for o, c in zip(outcomes, crimes, strict=True):
                findings.append((c.id if c is not None else 0, CODES[o.group],
                                 c.ref if c is not None else ""))
            sampling.draw(s, f"Incidents {name}", "incident", len(outcomes), seed=month, audit=name)
        svc = AuditService(db, AUDITOR, audit=name)
        rows = svc.queue(svc.samples()[0].id)
        by_ref = {r.ref: r.item_id for r in rows}
        verdicts = []
        for i, (crime_id, code, crime_ref) in enumerate(findings):
            finding = (CrimeFinding(code, crime_id, crime_ref) if crime_id
                       else CrimeFinding(code, None, "", not_recorded_reason="No discernible reason"))
            verdicts.append((by_ref[f"INC-{name}-{i + 1:04d}"], VerdictBody(crimes=[finding], complete=True), ""))
        svc.save_many(verdicts, "generated series")
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="write a generated year of monthly audits as one programme")
    ap.add_argument("db")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--crimes", type=int, default=300, help="crimes identified per month (300)")
    a = ap.parse_args(argv)
    if Path(a.db).exists():
        print(f"{a.db} exists: give a new file", file=sys.stderr)
        return 1
    write_year(a.db, monthly_series(seed=a.seed, crimes=a.crimes)).close()
    print(f"Wrote {a.db}: 12 monthly audits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
