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


def test_cdi_agreement_prints_the_interval_of_the_chosen_method(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """`--method` chose nothing visible: the command printed only kappa's interval (found by a tester)."""
    from statsmodels.stats.proportion import proportion_confint

    from cdi_workbench.cli import main

    test_auditor_and_reviewer_agreement_per_check(tmp_path)
    capsys.readouterr()
    printed = {}
    for method, sm in (("wilson", "wilson"), ("clopper-pearson", "beta")):
        assert main(["agreement", str(tmp_path / "a.db"), "--method", method]) == 0
        printed[method] = capsys.readouterr().out
        low, high = proportion_confint(1, 2, method=sm)  # crimes identified: 1 of 2 pairs agree
        assert f"{low * 100:.1f} to {high * 100:.1f}" in printed[method]
    assert printed["wilson"] != printed["clopper-pearson"]
    assert "Wilson" in printed["wilson"] and "Clopper" in printed["clopper-pearson"]


def _kappa_by_hand(pairs: list[tuple[object, object]]) -> float:
    """Cohen (1960) from the k x k table: po the observed share on the diagonal, pe the chance agreement
    from the two raters' marginal shares; written independently of statsmodels."""
    n = len(pairs)
    cats = {x for p in pairs for x in p}
    po = sum(a == b for a, b in pairs) / n
    pe = sum((sum(a == c for a, _ in pairs) / n) * (sum(b == c for _, b in pairs) / n) for c in cats)
    return (po - pe) / (1 - pe)


def _weighted_kappa_by_hand(pairs: list[tuple[object, object]], k: int = 4) -> float:
    """Cohen (1968) with linear agreement weights w_ij = 1 - |i - j| / (k - 1) over the answers 0..k-1:
    (po_w - pe_w) / (1 - pe_w), po_w = sum w_ij p_ij, pe_w = sum w_ij p_i. p_.j; written independently."""
    n = len(pairs)
    w = [[1 - abs(i - j) / (k - 1) for j in range(k)] for i in range(k)]
    rows = [sum(a == i for a, _ in pairs) / n for i in range(k)]
    cols = [sum(b == j for _, b in pairs) / n for j in range(k)]
    po = sum(w[a][b] for a, b in pairs) / n  # type: ignore[index]
    pe = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
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
        elif check == "crimes_identified":  # ordinal: the weighted kappa with linear weights
            assert got.kappa == pytest.approx(_weighted_kappa_by_hand(pairs)), check
            assert got.kappa_method == "weighted kappa (linear weights)"
        else:
            assert got.kappa == pytest.approx(_kappa_by_hand(pairs)), check
            assert got.kappa_method == "Cohen's kappa"
        assert got.pabak == pytest.approx((got.categories * got.agree / got.pairs - 1) / (got.categories - 1))
        assert len(got.disagreements) == len(pairs) - got.agree
    # crimes identified [(2,2),(1,1),(0,1),(1,1)]: weighted po = (3 + 2/3)/4 = 11/12; marginals A (1/4, 1/2,
    # 1/4, 0), B (0, 3/4, 1/4, 0); weighted pe = 19/24 -> kappa_w = (11/12 - 19/24) / (5/24) = 0.6
    assert overall["crimes_identified"].kappa == pytest.approx(0.6)
    # offender suitable: 5 of 6 agree; po = 5/6, pe = (4/6)(3/6) + (2/6)(3/6) = 1/2 -> kappa 2/3, no band (6 pairs)
    assert overall["offender_suitable"].kappa == pytest.approx((5 / 6 - 0.5) / 0.5)
    assert overall["offender_suitable"].band == ""
    assert overall["offender_suitable"].band_text == "too few pairs for a band (n < 30)"
    assert overall["offender_suitable"].pabak == pytest.approx(2 * 5 / 6 - 1)
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


# ---- issue 10: intervals, PABAK, weighted kappa, prevalence, bands from 30 pairs -----------------------------
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def _pairs_from(table: list[list[int]], cats: list[object]) -> list[tuple[int, object, object]]:
    """(item, auditor's answer, reviewer's answer) pairs from a table: rows the auditor's, columns the
    reviewer's answers."""
    out = [(0, cats[i], cats[j]) for i in range(len(cats)) for j in range(len(cats)) for _ in range(table[i][j])]
    return [(n, a, b) for n, (_, a, b) in enumerate(out)]


def _fleiss_cohen_everitt(table: list[list[int]], w: list[list[float]] | None = None) -> tuple[float, float]:
    """Kappa and its large-sample standard error (Fleiss, Cohen and Everitt 1969), written out by hand:
    with agreement weights w (identity for Cohen's kappa), p_ij the shares, p_i. and p_.j the marginals,
    wbar_i. = sum_j p_.j w_ij and wbar_.j = sum_i p_i. w_ij,
      po = sum w_ij p_ij, pe = sum w_ij p_i. p_.j, kappa = (po - pe) / (1 - pe),
      var = [sum_ij p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 - (kappa - pe (1 - kappa))^2] / (n (1 - pe)^2).
    For w the identity this is the familiar A + B - C form of Cohen's kappa."""
    k = len(table)
    w = w or [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    n = sum(map(sum, table))
    p = [[table[i][j] / n for j in range(k)] for i in range(k)]
    row = [sum(p[i]) for i in range(k)]
    col = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = sum(w[i][j] * p[i][j] for i in range(k) for j in range(k))
    pe = sum(w[i][j] * row[i] * col[j] for i in range(k) for j in range(k))
    kap = (po - pe) / (1 - pe)
    wr = [sum(col[j] * w[i][j] for j in range(k)) for i in range(k)]
    wc = [sum(row[i] * w[i][j] for i in range(k)) for j in range(k)]
    s = sum(p[i][j] * (w[i][j] - (wr[i] + wc[j]) * (1 - kap)) ** 2 for i in range(k) for j in range(k))
    var = (s - (kap - pe * (1 - kap)) ** 2) / (n * (1 - pe) ** 2)
    return kap, var ** 0.5


def test_kappa_standard_error_and_interval_against_fleiss_cohen_everitt() -> None:
    from cdi_workbench.agreement import measure

    # yes/no: both yes 20, auditor yes/reviewer no 5, no/yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4
    table = [[15, 10], [5, 20]]  # rows/columns No, Yes
    a = measure("offender_suitable", "", _pairs_from(table, [False, True]))
    kap, se = _fleiss_cohen_everitt(table)
    assert kap == pytest.approx(0.4)
    # the A + B - C form of Fleiss, Cohen and Everitt (1969) for the 2x2 table, each term by hand:
    # p = [[.3, .2], [.1, .4]], rows p_i. (.5, .5), columns p_.j (.4, .6), 1 - kappa = .6;
    # A = sum_i p_ii (1 - (p_i. + p_.i)(1 - kappa))^2 = .3(1 - .9 x .6)^2 + .4(1 - 1.1 x .6)^2;
    # B = (1 - kappa)^2 sum_i!=j p_ij (p_.i + p_j.)^2 = .36(.2(.4 + .5)^2 + .1(.6 + .5)^2);
    # C = (kappa - pe(1 - kappa))^2 = (.4 - .5 x .6)^2; var = (A + B - C) / (n (1 - pe)^2) = 0.2016 / 12.5
    var = (0.3 * (1 - 0.9 * 0.6) ** 2 + 0.4 * (1 - 1.1 * 0.6) ** 2
           + 0.36 * (0.2 * 0.9 ** 2 + 0.1 * 1.1 ** 2) - (0.4 - 0.5 * 0.6) ** 2) / (50 * 0.25)
    assert var == pytest.approx(0.2016 / 12.5)
    assert se == pytest.approx(var ** 0.5)
    assert (a.kappa, a.kappa_se) == (pytest.approx(kap), pytest.approx(se))
    assert a.kappa_low == pytest.approx(kap - Z95 * se) and a.kappa_high == pytest.approx(kap + Z95 * se)
    assert a.kappa_method == "Cohen's kappa" and a.interval_text == f"{kap - Z95 * se:.2f} to {kap + Z95 * se:.2f}"
    # Byrt, Bishop and Carlin (1993): PABAK 2 po - 1, prevalence index |a - d| / n, bias index |b - c| / n
    assert a.pabak == pytest.approx(2 * 0.7 - 1)
    assert a.prevalence_index == pytest.approx(abs(15 - 20) / 50)
    assert a.bias_index == pytest.approx(abs(10 - 5) / 50)
    assert not a.prevalence_extreme and a.prevalence_note == ""
    # 3 x 3 (answers that are not yes/no): the same formula, and PABAK with k = 3
    t3 = [[10, 2, 0], [3, 8, 1], [0, 2, 4]]
    b = measure("other", "", _pairs_from(t3, ["a", "b", "c"]))
    kap3, se3 = _fleiss_cohen_everitt(t3)
    assert (b.kappa, b.kappa_se) == (pytest.approx(kap3), pytest.approx(se3))
    assert b.pabak == pytest.approx((3 * 22 / 30 - 1) / 2) and b.prevalence_index is None


def test_crimes_identified_carries_the_linear_weighted_kappa() -> None:
    from cdi_workbench.agreement import measure

    # crimes identified 0, 1, 2, 3+: mostly one apart when they differ
    table = [[8, 3, 0, 0], [2, 12, 2, 1], [0, 1, 4, 1], [0, 0, 1, 2]]
    a = measure("crimes_identified", "", _pairs_from(table, [0, 1, 2, 3]))
    pairs = [(x, y) for _, x, y in _pairs_from(table, [0, 1, 2, 3])]
    w = [[1 - abs(i - j) / 3 for j in range(4)] for i in range(4)]
    kap_w, se_w = _fleiss_cohen_everitt(table, w)
    assert kap_w == pytest.approx(_weighted_kappa_by_hand(pairs))
    assert a.kappa == pytest.approx(kap_w) and a.kappa_se == pytest.approx(se_w)
    assert a.kappa_low == pytest.approx(kap_w - Z95 * se_w) and a.kappa_high == pytest.approx(kap_w + Z95 * se_w)
    assert a.kappa_method == "weighted kappa (linear weights)"
    assert a.kappa != pytest.approx(_kappa_by_hand(pairs), abs=1e-3)  # not the unweighted kappa
    # every possible answer counts: 3+ never given by either still makes k = 4 for the weights and PABAK
    assert a.categories == 4 and a.pabak == pytest.approx((4 * 26 / 37 - 1) / 3)
    sparse = [(0, 0), (1, 1), (1, 2), (2, 2), (0, 1), (1, 1)]
    b = measure("crimes_identified", "", [(i, x, y) for i, (x, y) in enumerate(sparse)])
    assert b.kappa == pytest.approx(_weighted_kappa_by_hand(sparse, 4))
    assert b.pabak == pytest.approx((4 * 4 / 6 - 1) / 3)


def test_high_agreement_with_kappa_near_zero_is_flagged_as_extreme_prevalence() -> None:
    from cdi_workbench.agreement import measure
    from cdi_workbench.reports.common import kappa_band

    # 100 records: both 'yes' 88, the reviewer 'no' where the auditor said 'yes' 12: 88% agreement, yet
    # po = pe = 0.88 so kappa is 0 ('slight'), and a prevalence index of 0.88
    a = measure("victim_informed", "", _pairs_from([[0, 0], [12, 88]], [False, True]))
    assert (a.pairs, a.agree, a.percent) == (100, 88, pytest.approx(88.0))
    assert a.kappa == pytest.approx(0.0, abs=1e-12)
    assert a.prevalence_index == pytest.approx(0.88) and a.bias_index == pytest.approx(0.12)
    assert a.pabak == pytest.approx(2 * 0.88 - 1)
    assert a.prevalence_extreme
    assert a.kappa_text == "0.00 (prevalence extreme: 88% agreement; PABAK 0.76)"
    assert a.band == "slight"
    assert kappa_band(a) == "slight (prevalence extreme: 88% agreement; PABAK 0.76)"
    # the same with the disagreements split both ways: kappa -0.06, still flagged
    b = measure("victim_informed", "", _pairs_from([[0, 6], [6, 88]], [False, True]))
    assert b.kappa == pytest.approx((0.88 - (0.94 ** 2 + 0.06 ** 2)) / (1 - (0.94 ** 2 + 0.06 ** 2)))
    assert b.prevalence_extreme and "PABAK 0.76" in b.kappa_text
    # balanced answers with the same 88% agreement are not flagged
    c = measure("victim_informed", "", _pairs_from([[44, 6], [6, 44]], [False, True]))
    assert not c.prevalence_extreme and c.prevalence_index == pytest.approx(0.0)
    assert c.kappa_text.startswith(f"{c.kappa:.2f} (95% CI ")
    # crimes identified (no prevalence index for four answers): high agreement with a low kappa
    d = measure("crimes_identified", "", [(i, 1, 1) for i in range(18)] + [(18, 1, 0), (19, 0, 1)])
    assert d.percent == pytest.approx(90.0) and d.kappa is not None and d.kappa < 0.4
    assert d.prevalence_index is None and d.prevalence_extreme
    assert d.prevalence_note == f"prevalence extreme: 90% agreement; PABAK {(4 * 0.9 - 1) / 3:.2f}"


def test_no_band_below_30_pairs() -> None:
    from cdi_workbench.agreement import measure

    # 29 pairs: 24 agree -> kappa 0.65 or so, 'substantial' once there are 30 pairs
    t29 = [[10, 2], [3, 14]]
    a = measure("offender_suitable", "", _pairs_from(t29, [False, True]))
    assert a.pairs == 29 and a.kappa is not None and 0.6 < a.kappa < 0.8
    assert a.band == "" and a.band_text == "too few pairs for a band (n < 30)"
    assert "too few pairs for a band (n < 30)" in a.kappa_text
    t30 = [[11, 2], [3, 14]]
    b = measure("offender_suitable", "", _pairs_from(t30, [False, True]))
    assert b.pairs == 30 and b.band == "substantial" and b.band_text == "substantial"
    assert b.kappa_text.endswith("; substantial)")


def test_percent_agreement_interval_by_the_reports_method(tmp_path: Path) -> None:
    from tests.review_builders import reviewed_audit

    db = reviewed_audit(tmp_path / "r.db")
    by = {m: {(a.check, a.auditor): a for a in agreement(db, method=m)} for m in ("normal", "wilson")}
    db.close()
    # offender suitable: 5 of 6. Wald: p +/- z sqrt(p(1 - p)/n), cut at 100%; Wilson (1927):
    # (p + z^2/2n +/- z sqrt(p(1 - p)/n + z^2/4n^2)) / (1 + z^2/n)
    p, n, z = 5 / 6, 6, Z95
    wald = (p - z * (p * (1 - p) / n) ** 0.5, min(1.0, p + z * (p * (1 - p) / n) ** 0.5))
    centre, half = p + z * z / (2 * n), z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    wilson = ((centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n))
    normal, score = by["normal"][("offender_suitable", "")], by["wilson"][("offender_suitable", "")]
    assert (normal.percent_low, normal.percent_high) == (pytest.approx(100 * wald[0]), pytest.approx(100 * wald[1]))
    assert (score.percent_low, score.percent_high) == (pytest.approx(100 * wilson[0]),
                                                       pytest.approx(100 * wilson[1]))
    assert normal.percent_method.startswith("normal approximation") and score.percent_method == "Wilson score interval"
    assert score.percent == pytest.approx(100 * 5 / 6)


def test_one_rater_answering_alike_throughout_gives_kappa_without_an_interval() -> None:
    """A statistician's finding (issue 10): when one rater gives one answer to every record, kappa is 0 and its exact
    standard error 0 (Fleiss, Cohen and Everitt: every term vanishes), but statsmodels' arithmetic leaves some 1e-8,
    which printed as the interval '0.00 to 0.00' and a standard error of 2e-08, a certainty the figure does not
    have. The rule the code states (no interval where the error is 0) now holds: no interval, no standard error."""
    from cdi_workbench.agreement import measure

    table = [[0, 2], [0, 5]]  # the auditor answered No twice and Yes five times; the reviewer Yes every time
    a = measure("n100_needed", "", _pairs_from(table, [False, True]))
    kap, se = _fleiss_cohen_everitt(table)
    assert kap == pytest.approx(0.0) and se < 1e-6  # 0 but for rounding (the square root of some 1e-16)
    assert a.kappa == pytest.approx(0.0)
    assert (a.kappa_se, a.kappa_low, a.kappa_high) == (None, None, None)
    assert "0.00 to 0.00" not in a.interval_text
    # the other way round (the auditor alike throughout), and a 3 x 3 table with one reviewer column
    b = measure("n100_needed", "", _pairs_from([[0, 0], [3, 4]], [False, True]))
    assert (b.kappa_se, b.kappa_low, b.kappa_high) == (None, None, None)
    c = measure("other", "", _pairs_from([[4, 0, 0], [2, 0, 0], [1, 0, 0]], ["a", "b", "c"]))
    assert (c.kappa_se, c.kappa_low, c.kappa_high) == (None, None, None)
