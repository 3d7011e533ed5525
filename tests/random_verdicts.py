"""Random verdicts on every item of an audit database (e.g. the bundled generator's), for property tests.

Verdicts are written straight into the verdict table (the findings read the body and `complete` only), so a
few hundred items take milliseconds. `mix` sets the shares: how many records are zero status, how many crimes
are linked to a crime record (recorded), how many verdicts are complete.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from cdi_workbench.audit.verdicts import CHECKS, CrimeFinding, VerdictBody
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, CrimeRecord, Verdict
from cdi_workbench.timeutil import now_utc

CODES = ["8N", "105A", "19C", "19D", "17A", "58A", "28E", "34B", "33", "105B", "8L", "49", "53"]


@dataclass(frozen=True)
class Mix:
    zero: float = 0.3  # share of records with no crime
    recorded: float = 0.8  # share of identified crimes linked to a crime record
    complete: float = 0.95  # share of verdicts marked complete
    yes: float = 0.8  # share of 'yes' answers to record checks
    overrides: float = 0.05  # share of recorded crimes with a timeliness override
    max_crimes: int = 3


def fill(db: Database, seed: int, mix: Mix = Mix(), who: str = "Random Auditor") -> int:
    """A primary verdict on every audit item; returns how many were written."""
    rnd = random.Random(seed)
    with db.session() as s:
        items = list(s.execute(select(AuditItem.id, AuditItem.kind)))
        crime_ids = [(i, r) for i, r in s.execute(select(CrimeRecord.id, CrimeRecord.ref))]
        rows: list[dict[str, Any]] = []
        for item_id, kind in items:
            body = VerdictBody(complete=rnd.random() < mix.complete, rationale=f"random {item_id}")
            if kind in ("incident", "referral"):
                if rnd.random() >= mix.zero:
                    for _ in range(rnd.randint(1, mix.max_crimes)):
                        c = CrimeFinding(expected_code=rnd.choice(CODES))
                        if crime_ids and rnd.random() < mix.recorded:
                            c.crime_id, c.crime_ref = rnd.choice(crime_ids)
                            if rnd.random() < mix.overrides:
                                c.timely_override, c.override_reason = rnd.random() < 0.5, "random override"
                        else:
                            c.not_recorded_reason = "No discernible reason"
                            c.safeguarding, c.investigation = rnd.random() < 0.5, rnd.random() < 0.5
                        c.domestic_abuse = rnd.random() < 0.3
                        body.crimes.append(c)
                body.zero_status = not body.crimes
            else:
                body.checks = {k: (rnd.random() < mix.yes) for k, _ in CHECKS[kind]}
            rows.append({"item_id": item_id, "role": "primary", "auditor": who, "updated_at": now_utc(),
                         "body": body.to_json(), "complete": body.complete, "n_crimes": len(body.crimes)})
        if rows:
            s.execute(insert(Verdict), rows)
    return len(rows)
