"""Workbooks crafted by an adversarial review of the calamine reader (spreadsheets.xlsx_fast): valid but unusual XML
that its scan lets through and calamine reads otherwise than openpyxl. Until the scan parses what it now matches,
openpyxl reads every workbook unless CDI_XLSX_READER=calamine asks for calamine; these tests hold both halves:
the default gives openpyxl's rows (or its refusal), and on calamine each file still differs (strict xfail: the
day the scan catches it, the test says so and the default can be reconsidered)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdi_workbench.importing import check_file
from cdi_workbench.importing.errors import ImportFileError
from cdi_workbench.spreadsheets import xlsx_fast
from cdi_workbench.spreadsheets.reading import TableError, open_table

CRAFTED = Path(__file__).resolve().parents[1] / "data" / "xlsx_crafted"
FILES = {
    "r01_one_point_17_digits.xlsx": "a whole number written with 17 decimals: openpyxl 1.0 (float), calamine 1",
    "r02_data_cell_earlier_row.xlsx": "<row r='3'> holding cells of row 2: openpyxl places them by the row",
    "r03_value_then_empty.xlsx": "a reference given twice, value then empty: openpyxl keeps the last",
    "r04_ws_cell_whole_float.xlsx": "a line break inside <c ...> and a space in <v >: the scan does not see 5.0",
    "r07_inline_trail_newline_ref.xlsx": "a trailing line break written &#10;: calamine trims it",
    "r10_sst_index_decimal.xlsx": "a shared-string index written 0.5: openpyxl refuses the sheet",
    "r11_sheet1_rels_broken.xlsx": "the sheet's rels part is not XML: openpyxl refuses the workbook",
}


def _read(path: Path, reader: str | None) -> Any:  # noqa: ANN401
    """The rows read (with the reader that read them), or the refusal's words."""
    try:
        if reader is None:
            with open_table(path) as t:
                return [row for _, row in t.rows()], xlsx_fast.read_by(t)
        with xlsx_fast.reading(reader), open_table(path) as t:
            return [row for _, row in t.rows()], xlsx_fast.read_by(t)
    except TableError as exc:
        return f"refused: {exc}"


def _typed(outcome: Any) -> Any:  # noqa: ANN401
    if isinstance(outcome, str):
        return outcome
    rows, _ = outcome
    return [[(type(c).__name__, c) for c in row] for row in rows]


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_default_reader_gives_openpyxls_rows(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(xlsx_fast.OPT_IN, raising=False)
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    default = _read(CRAFTED / name, None)
    assert isinstance(default, str) or default[1] is None  # not read by calamine
    assert _typed(default) == _typed(_read(CRAFTED / name, "openpyxl"))
    if isinstance(default, str):  # refused by openpyxl: the import refuses it too, in its words
        with pytest.raises(ImportFileError, match="cannot be read"):
            check_file(CRAFTED / name, "incidents")
    else:
        assert check_file(CRAFTED / name, "incidents").read_path == "python"


@pytest.mark.xfail(strict=True, reason="known: calamine's scan lets these through (hence openpyxl by default)")
@pytest.mark.parametrize("name", sorted(FILES))
def test_calamine_reads_the_crafted_workbook_as_openpyxl_does(name: str) -> None:
    pytest.importorskip("python_calamine")
    fast = _read(CRAFTED / name, "calamine")
    if isinstance(fast, str) or fast[1] != "calamine":
        return  # the scan sent it to openpyxl, as it should (an unexpected pass: strict xfail reports it)
    assert _typed(fast) == _typed(_read(CRAFTED / name, "openpyxl")), FILES[name]


def test_calamine_is_taken_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    monkeypatch.delenv(xlsx_fast.OPT_IN, raising=False)
    assert xlsx_fast.chosen() == "openpyxl"
    monkeypatch.setenv(xlsx_fast.OPT_IN, "calamine")
    assert xlsx_fast.chosen() == ("calamine" if xlsx_fast.available() else "openpyxl")
    assert xlsx_fast.chosen("python") == "openpyxl"
    monkeypatch.setenv(xlsx_fast.OPT_IN, "fastest")
    with pytest.raises(ValueError, match="unknown workbook reader 'fastest' in CDI_XLSX_READER"):
        xlsx_fast.chosen()
