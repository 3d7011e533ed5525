"""The window's named operations for peer review (beside audit.operations): deciding disagreements and undoing a
decision, the list of decided records, the agreement figures and the lead's decisions for the agreement tab, and a
reviewer's own share as a package. Qt-free; each checks the person's role in the core (audit.review,
audit.decisions, review_outcomes, audit.assignment_export) and returns what the window shows, with a change record
where anything changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import decisions, review
from .operations import Changes, one_unit
from .service import AuditService
from .verdicts import VerdictBody


@dataclass
class DisagreementLists:
    """The Disagreements dialog's two lists: awaiting the lead's decision, and decided (to go back to)."""

    awaiting: list[review.Comparison]
    decided: list[decisions.Decision]


@one_unit
def disagreement_lists(svc: AuditService, sample_id: int | None = None) -> DisagreementLists:
    """The records awaiting a decision and those decided (the lead only): the sample's, else those of the audit the
    service works on (the one open in the window; its latest when none is named)."""
    return DisagreementLists(review.disagreements(svc, sample_id, audit=svc.audit),
                             decisions.decided(svc, sample_id, audit=svc.audit))


@one_unit
def decide(svc: AuditService, item_id: int, take: str | VerdictBody, reason: str) -> Changes:
    """The lead's decision: 'primary' (the auditor's verdict), 'review' (the reviewer's) or the lead's own."""
    decisions.decide(svc, item_id, take, reason)
    return Changes(frozenset({item_id}))


@one_unit
def undo_decision(svc: AuditService, item_id: int, reason: str) -> Changes:
    """The lead takes a decision back, with a reason (in the trail): the record awaits a decision again."""
    decisions.undo_decision(svc, item_id, reason)
    return Changes(frozenset({item_id}))


def review_figures(svc: AuditService, method: str = "normal") -> Any:  # noqa: ANN401 (reports.common.ReviewFigures)
    """The agreement per check and what the review came to (the lead's decisions, agreement with the final verdict)
    for the findings view's agreement tab; refused (roles.NotAllowed) to those who may not see the findings."""
    from ..reports.common import ReviewFigures
    from ..review_outcomes import figures_for

    outcomes = figures_for(svc.db, svc.user, method, svc.audit)  # the open audit of the programme's
    return ReviewFigures(outcomes.agreement, [], outcomes.tables)


def export_my_assignment(svc: AuditService, path: str | Path | None, sample: str | None = None,
                         overwrite: bool = False) -> Any:  # noqa: ANN401 (packages.ExportResult)
    """The records assigned to the person for review as one package (blind where the assignment is blind)."""
    from .assignment_export import export_my_assignment as export

    return export(svc.db, svc.user, path, sample, overwrite)


def my_assignment(svc: AuditService) -> dict[str, list[int]]:
    """The person's assigned records by sample (whether the window offers the export, and of which sample)."""
    from .assignment_export import my_assignment as mine

    return mine(svc.db, svc.user)
