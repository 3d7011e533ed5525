"""Findings exports: JSON (machine-readable), Excel workbook and PDF report, each carrying OFFICIAL-SENSITIVE.

    from cdi_workbench.findings import compute
    from cdi_workbench.reports import review_figures, write_json, write_pdf, write_xlsx

    findings = compute(db)
    review = review_figures(db)  # optional: peer review agreement and the force's challenges
    write_json(findings, "findings.json", review)
    write_xlsx(findings, "findings.xlsx", review)
    write_pdf(findings, "findings.pdf", review)

The Excel and PDF writers import openpyxl and reportlab only when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .common import MARKING, ReviewFigures, review_figures
from .json_export import FORMAT, VERSION, findings_document, write_json

if TYPE_CHECKING:
    from cdi_workbench.findings import Findings
    from cdi_workbench.findings_units import ByUnit

__all__ = ["FORMAT", "MARKING", "VERSION", "ReviewFigures", "export_findings", "findings_document", "review_figures",
           "write_json", "write_pdf", "write_xlsx"]


def write_xlsx(findings: Findings, path: str | Path, review: ReviewFigures | None = None,
               by_unit: ByUnit | None = None) -> Path:
    from .excel import write_xlsx as _write

    return _write(findings, path, review, by_unit)


def write_pdf(findings: Findings, path: str | Path, review: ReviewFigures | None = None,
              by_unit: ByUnit | None = None) -> Path:
    from .pdf import write_pdf as _write

    return _write(findings, path, review, by_unit)


WRITERS = {".json": write_json, ".xlsx": write_xlsx, ".pdf": write_pdf}


def export_findings(db: object, who: str, findings: Findings, path: str | Path,
                    review: ReviewFigures | None = None, fmt: str | None = None, by_unit: ByUnit | None = None,
                    password: str | None = None) -> Path:
    """Write the findings to `path` (`fmt` '.json', '.xlsx' or '.pdf'; by default the file's suffix) for a person
    whose role may see them (the lead or an auditor), and record the export in the trail (audit.exports). With
    `by_unit` (findings_units.findings_by_unit) each format adds the findings by unit. With `password` a PDF or
    workbook is protected (reports.protect; used, never kept); a JSON file cannot be, and is refused with one."""
    from contextlib import nullcontext

    from ..audit.exports import exported
    from .protect import PROTECTABLE, protected

    path = Path(path)
    kind = fmt or path.suffix.lower()
    writer = WRITERS.get(kind)
    if writer is None:
        raise ValueError(f"{path.name}: name the file .json, .xlsx or .pdf to say which format to write")
    if password and kind not in PROTECTABLE:
        raise ValueError(f"{path.name}: a {kind.lstrip('.').upper()} file cannot be protected with a password")
    with protected(password) if password else nullcontext():  # none given: an enclosing protected block's, if any
        exported(db, who, "report", "the findings", path, lambda _person: writer(findings, path, review, by_unit))
    return path
