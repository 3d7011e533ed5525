"""Audits with an auditor's and a peer reviewer's verdicts, and a force challenge round, built through the core.

The answers are written out here by hand so tests can check the agreement figures against them, not against
the code under test."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cdi_workbench import sampling
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.challenges import export_for_force, import_responses
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import Disposal
from cdi_workbench.timeutil import uk_local
from tests.builders import small_audit

# Five community resolutions more (OOCD-2..6) so the disposal checks have enough pairs for a kappa.
DISPOSAL_ANSWERS = {
    # ref: (auditor's offender_suitable, reviewer's offender_suitable)
    "OOCD-1": (True, True),
    "OOCD-2": (True, True),
    "OOCD-3": (False, False),
    "OOCD-4": (True, False),
    "OOCD-5": (False, False),
    "OOCD-6": (True, True),
}
# The pairs per check the reviewed audit holds, (auditor's answer, reviewer's answer), written out by hand.
EXPECTED_PAIRS = {
    "crimes_identified": [(2, 2), (1, 1), (0, 1), (1, 1)],  # INC-0001, INC-0002, INC-0003, GRD-0001
    "all_recorded": [(True, True), (False, False), (True, True)],  # INC-0003: auditor found no crime
    "classification": [(True, False), (True, True)],  # INC-0001 reviewer expected 105A for CR-1; GRD-0001
    "timeliness": [(False, True), (False, False)],  # INC-0001 reviewer overrode CR-2 to in time; GRD-0001
    "offender_suitable": list(DISPOSAL_ANSWERS.values()),
    "decision_correct": [(True, False)],
    "authorised_decision_maker": [(True, True)],
    "victim_informed": [(False, False)],
}


def _disposal_checks(suitable: bool) -> dict[str, bool]:
    return {"offender_suitable": suitable, "offender_made_aware": True, "victim_to_consult": False,
            "outcome_appropriate": True}


def reviewed_audit(path: Path | str) -> Database:
    """The small audit with every sampled record audited by Inspector A (incidents and referral) or
    Inspector D (disposals, cancellation), and re-checked by Reviewer B, as EXPECTED_PAIRS says."""
    db = small_audit(path)
    with db.session() as s:
        for n in range(2, 7):
            s.add(Disposal(ref=f"OOCD-{n}", crime_ref=f"CR-{n + 10}", disposal_type="Community resolution",
                           issued_at=uk_local(2014, 3, n, 10, 0), offender_history="None", victim="Adult",
                           notes="Apology agreed."))
        s.flush()
        sampling.draw(s, "More disposals", "disposal", 6, seed=3)  # OOCD-1 again: a second item
    a, d, b = AuditService(db, "Inspector A"), AuditService(db, "Inspector D"), AuditService(db, "Reviewer B")
    rows = {r.ref: r for smp in a.samples() for r in a.queue(smp.id)}

    def both(ref: str, first: VerdictBody, second: VerdictBody, auditor: AuditService = a) -> None:
        auditor.save_verdict(rows[ref].item_id, first)
        b.save_verdict(rows[ref].item_id, second, role="review")

    both("INC-0001", VerdictBody(crimes=[CrimeFinding("8N", 1, "CR-1"), CrimeFinding("58A", 2, "CR-2")], complete=True),
         VerdictBody(crimes=[CrimeFinding("105A", 1, "CR-1"),
                             CrimeFinding("58A", 2, "CR-2", timely_override=True,
                                          override_reason="Report received late by the force")], complete=True))
    missed = CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")
    both("INC-0002", VerdictBody(crimes=[missed], complete=True), VerdictBody(crimes=[missed], complete=True))
    both("INC-0003", VerdictBody(zero_status=True, complete=True), VerdictBody(crimes=[missed], complete=True))
    late = CrimeFinding("105A", 3, "CR-3")  # CR-3 recorded 01/03/2014, a month after the referral
    both("GRD-0001", VerdictBody(crimes=[late], complete=True), VerdictBody(crimes=[late], complete=True))
    for ref, (first, second) in DISPOSAL_ANSWERS.items():
        both(ref, VerdictBody(checks=_disposal_checks(first), complete=True),
             VerdictBody(checks=_disposal_checks(second), complete=True), d)
    cancellation = next(r for r in rows if r.startswith("CR-"))
    both(cancellation,
         VerdictBody(checks={"decision_correct": True, "authorised_decision_maker": True, "victim_informed": False},
                     complete=True),
         VerdictBody(checks={"decision_correct": False, "authorised_decision_maker": True, "victim_informed": False},
                     complete=True), d)
    return db


def challenge_round(db: Database, workbook: Path) -> dict[str, str]:
    """Export the failures for the force and answer them: the force challenges 'not recorded' and 'offender
    suitable' failures and agrees with the rest, except one failure it leaves unanswered ('victim informed');
    the answers are imported. Returns {failure ID: failure} of the workbook."""
    export_for_force(db, workbook)
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Failed records"]
    keys = {}
    for r in range(3, ws.max_row + 1):
        failure = ws.cell(r, 8).value
        keys[ws.cell(r, 1).value] = failure
        if failure in ("not recorded", "offender suitable"):
            ws.cell(r, 9).value = "challenge"
            ws.cell(r, 10).value = f"The force's evidence for {ws.cell(r, 2).value}"
        elif failure != "victim informed":
            ws.cell(r, 9).value = "agree"
    wb.save(workbook)
    import_responses(db, workbook)
    return keys
