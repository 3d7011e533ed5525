from __future__ import annotations

from pathlib import Path

import pytest

from cdi_workbench.agreement import agreement, kappa
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from tests.builders import small_audit


def test_kappa_against_a_hand_computation() -> None:
    # 2x2: both yes 20, a yes/b no 5, a no/b yes 10, both no 15 -> po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert kappa(a, b) == pytest.approx((0.7 - 0.5) / (1 - 0.5))
    assert kappa(["y", "y"], ["y", "y"]) is None  # undefined with one category


def test_auditor_and_reviewer_agreement_per_check(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    auditor, reviewer = AuditService(db, "Inspector A"), AuditService(db, "Reviewer B")
    rows = {r.ref: r.item_id for r in auditor.queue(1)}
    missed = CrimeFinding(expected_code="8L", not_recorded_reason="No discernible reason")
    auditor.save_verdict(rows["INC-0002"], VerdictBody(crimes=[missed], complete=True))
    reviewer.save_verdict(rows["INC-0002"], VerdictBody(crimes=[missed], complete=True), role="review")
    auditor.save_verdict(rows["INC-0003"], VerdictBody(zero_status=True, complete=True))
    reviewer.save_verdict(rows["INC-0003"], VerdictBody(crimes=[missed], complete=True), role="review")
    result = {(a.check, a.auditor): a for a in agreement(db)}
    ident = result[("crimes_identified", "")]
    assert (ident.pairs, ident.agree, ident.percent) == (2, 1, 50.0)
    assert ident.kappa == pytest.approx(0.0)  # po 0.5, pe 0.5
    assert result[("crimes_identified", "Inspector A")].pairs == 2
    db.close()
    from cdi_workbench.cli import main

    assert main(["agreement", str(tmp_path / "a.db")]) == 0
