"""The findings as computed before the columnar pass (issue 10, 'At scale'): the ORM-free but object-per-verdict
implementation of commit 6998aa6, kept verbatim (imports made absolute; with_previous and set_recorded_crime left
out) as the reference tests/integration/test_findings_equivalence.py compares the core's findings.compute with.
Three later corrections of what the figures say (a statistician's findings, issue 10) are made here too, marked
where they are, so that the comparison still covers everything else: frames that may share records refuse the
weighted figures (findings_rates._overlapping), records drawn in two samples of one frame are named
(findings.repeated_note), and a design-weighted rate's own warnings reach the rates' note.

Not used by the core. reference_compute(db, method) returns its Findings (a dataclass of the same fields).
"""

from __future__ import annotations

from tests.findings_reference.compute import compute as reference_compute

__all__ = ["reference_compute"]
