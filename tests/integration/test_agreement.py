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


def _kappa_by_hand(pairs: list[tuple[object, object]]) -> float:
    """Cohen (1960) from the k x k table: po the observed share on the diagonal, pe the chance agreement
    from the two raters' marginal shares; written independently of statsmodels."""
    n = len(pairs)
    cats = {x for p in pairs for x in p}
    po = sum(a == b for a, b in pairs) / n
    pe = sum((sum(a == c for a, _ in pairs) / n) * (sum(b == c for _, b in pairs) / n) for c in cats)
    return (po - pe) / (1 - pe)


def test_kappa_3x3_against_a_hand_computation() -> None:
    # rows: rater A's 0/1/2, columns rater B's: [[10, 2, 0], [3, 8, 1], [0, 2, 4]], n = 30
    # po = 22/30; pe = (12*13 + 12*12 + 6*5) / 900 = 330/900
    table = [[10, 2, 0], [3, 8, 1], [0, 2, 4]]
    a = [i for i in range(3) for j in range(3) for _ in range(table[i][j])]
    b = [j for i in range(3) for j in range(3) for _ in range(table[i][j])]
    expected = (22 / 30 - 330 / 900) / (1 - 330 / 900)
    assert kappa(a, b) == pytest.approx(expected)
    assert kappa(a, b) == pytest.approx(_kappa_by_hand(list(zip(a, b, strict=True))))


def test_landis_and_koch_bands() -> None:
    from cdi_workbench.agreement import band

    assert [band(k) for k in (-0.1, 0.0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1.0)] == [
        "poor", "slight", "slight", "fair", "fair", "moderate", "moderate", "substantial", "substantial",
        "almost perfect", "almost perfect"]
    assert band(None) == ""


def test_every_check_of_issue_6_against_the_hand_written_pairs(tmp_path: Path) -> None:
    from tests.review_builders import EXPECTED_PAIRS, reviewed_audit

    db = reviewed_audit(tmp_path / "r.db")
    rows = agreement(db)
    overall = {a.check: a for a in rows if a.auditor == ""}
    # crimes identified, recorded, classification, timeliness, a disposal check and the cancellation checks
    for check, pairs in EXPECTED_PAIRS.items():
        got = overall[check]
        assert got.pairs == len(pairs), check
        assert got.agree == sum(a == b for a, b in pairs), check
        assert got.percent == pytest.approx(100 * got.agree / len(pairs)), check
        if len({x for p in pairs for x in p}) < 2:
            assert got.kappa is None, check
        else:
            assert got.kappa == pytest.approx(_kappa_by_hand(pairs)), check
        assert len(got.disagreements) == len(pairs) - got.agree
    # offender suitable: 5 of 6 agree; po = 5/6, pe = (4/6)(3/6) + (2/6)(3/6) = 1/2 -> kappa 2/3, substantial
    assert overall["offender_suitable"].kappa == pytest.approx((5 / 6 - 0.5) / 0.5)
    assert overall["offender_suitable"].band == "substantial"
    # the checks come in the order of the issue: incident checks, then disposal, then cancellation checks
    order = [a.check for a in rows if a.auditor == ""]
    assert order.index("timeliness") < order.index("offender_suitable") < order.index("decision_correct")
    # per auditor: each auditor's rows hold exactly the records that auditor audited
    by_auditor = {(a.check, a.auditor): a for a in rows if a.auditor}
    assert {w for _, w in by_auditor} == {"Inspector A", "Inspector D"}
    assert by_auditor[("crimes_identified", "Inspector A")].items == overall["crimes_identified"].items
    assert ("crimes_identified", "Inspector D") not in by_auditor
    assert by_auditor[("decision_correct", "Inspector D")].pairs == 1
    # a disagreement names its record
    svc = AuditService(db)
    refs = {r.item_id: r.ref for smp in svc.samples() for r in svc.queue(smp.id)}
    assert [refs[i] for i in overall["classification"].disagreements] == ["INC-0001"]
    assert [refs[i] for i in overall["crimes_identified"].disagreements] == ["INC-0003"]
    assert [refs[i] for i in overall["offender_suitable"].disagreements] == ["OOCD-4"]
    db.close()


def test_nothing_reviewed_gives_no_rows(tmp_path: Path) -> None:
    db = small_audit(tmp_path / "a.db")
    svc = AuditService(db, "Inspector A")
    svc.save_verdict(svc.queue(1)[0].item_id, VerdictBody(zero_status=True, complete=True))
    assert agreement(db) == []
    db.close()
