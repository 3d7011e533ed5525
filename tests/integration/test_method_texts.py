"""The report's account of its intervals matches the method it was made with (issue 10, a statistician's check):
under Wilson or Clopper-Pearson the Excel summary and the PDF said 'The symmetric +/- margin is the normal
approximation ... with the finite population correction', of figures that were neither."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from cdi_workbench.findings import compute
from cdi_workbench.reports import write_pdf, write_xlsx
from cdi_workbench.storage.database import Database
from tests.random_verdicts import fill

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample_audit.db"
NORMAL_CLAIM = "The symmetric '+/-' margin is the normal approximation"


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Database:
    if not SAMPLE.exists():
        pytest.skip("the bundled sample is built by `make sample`")
    path = tmp_path_factory.mktemp("methods") / "audit.db"
    shutil.copy(SAMPLE, path)
    db = Database(path)
    fill(db, 11)
    yield db
    db.close()


def _texts(db: Database, method: str, where: Path) -> tuple[str, str]:
    findings = compute(db, method)
    xlsx, pdf = where / f"{method}.xlsx", where / f"{method}.pdf"
    write_xlsx(findings, xlsx)
    write_pdf(findings, pdf)
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        cells = " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    finally:
        wb.close()
    pages = " ".join((p.extract_text() or "") for p in PdfReader(pdf).pages)
    return cells, " ".join(pages.split())


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_an_asymmetric_method_is_not_described_as_the_normal_margin(audit: Database, method: str,
                                                                      tmp_path: Path) -> None:
    excel, pdf = _texts(audit, method, tmp_path)
    for text in (excel, pdf):
        assert NORMAL_CLAIM not in text
        assert "This interval is not symmetric about the rate" in text
        assert "half its width, a measure of its size only" in text


def test_the_normal_method_still_describes_its_margin_and_correction(audit: Database, tmp_path: Path) -> None:
    excel, pdf = _texts(audit, "normal", tmp_path)
    for text in (excel, pdf):
        assert NORMAL_CLAIM in text and "with the finite population correction" in text
        assert "not symmetric about the rate" not in text
