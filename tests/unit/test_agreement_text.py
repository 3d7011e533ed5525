"""How `cdi agreement` and the reports write agreement figures (found by a tester: '-0.00 to 0.00', and table
headings cut to 14 letters: 'Reviewer uphel')."""

from __future__ import annotations

from cdi_workbench.agreement import Agreement
from cdi_workbench.findings_tables import Cell, Row, Table
from cdi_workbench.review_outcomes import table_lines


def test_a_bound_just_below_zero_reads_zero() -> None:
    a = Agreement("recorded", "", 10, 9, 0.0, kappa_low=-0.001, kappa_high=0.004)
    assert a.interval_text == "0.00 to 0.00"
    assert Agreement("recorded", "", 10, 9, -0.3, kappa_low=-0.6, kappa_high=-0.004).interval_text == "-0.60 to 0.00"


def test_headings_are_never_cut() -> None:
    table = Table("t", "The lead's decisions", ["Reviewer upheld", "Awaiting decision"],
                  [Row("Crimes identified", [Cell(1), Cell(12345)])], "")
    lines = table_lines(table)
    assert "Reviewer upheld" in lines[1] and "Awaiting decision" in lines[1]
    assert lines[2].rstrip().endswith("12,345") and len(lines[1]) == len(lines[2])
