"""The verdicts export as a named operation for the window (File > Export verdicts…), as `cdi verdicts export`
does it: the effective verdicts as CSV or .xlsx, optionally pseudonymised (the report of what was replaced beside
the file), for the lead or an auditor (checked by the writers, and the export goes in the trail)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .service import AuditService


@dataclass(frozen=True)
class VerdictsExported:
    rows: int
    path: Path
    report: Path | None  # the pseudonymisation report beside the file, when pseudonymised


def plain_text_question(path: str | Path, pseudonymise: bool) -> str:
    """The question asked before the verdicts' free text goes into a plain CSV ('' when there is none to ask: an
    .xlsx file, or pseudonymised text)."""
    from ..reports.protect import csv_free_text_warning

    if pseudonymise or Path(path).suffix.lower() != ".csv":
        return ""
    return csv_free_text_warning(path, "the verdicts' rationales and reasons")


def export_verdicts(svc: AuditService, path: str | Path, pseudonymise: bool = False) -> VerdictsExported:
    """Write the verdicts file of the audit open (its suffix: .csv or .xlsx); refused (roles.NotAllowed) to a peer
    reviewer or the force's liaison."""
    target = Path(path)
    if target.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError(f"{target.name}: name a .csv or .xlsx file")
    audit = svc.info().name  # the audit open in the window: its verdicts
    if pseudonymise:
        from ..pseudonymise_exports import export_verdicts as export_pseudonymised

        n, report = export_pseudonymised(svc.db, target, svc.user, audit=audit)
        return VerdictsExported(n, target, report)
    from ..verdict_io import export_verdicts as write

    return VerdictsExported(write(svc.db, target, svc.user, audit=audit), target, None)
