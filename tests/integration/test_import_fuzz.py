"""Property-based checks of the CSV reader: what csv.writer writes comes back cell for cell, and no bytes at all
make it fail with anything but the importer's own clear errors."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdi_workbench.importing import ImportFailed, check_file
from cdi_workbench.importing.reader import open_table

cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
header = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters="\ufeff"),
                 min_size=1, max_size=12)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    headers = draw(st.lists(header, min_size=2, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers)), max_size=8))
    return headers, rows


@SETTINGS
@given(tables(), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_csv_written_by_csv_writer_reads_back(table: tuple[list[str], list[list[str]]], encoding: str) -> None:
    headers, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        with open(path, "w", newline="", encoding=encoding) as fh:
            out = csv.writer(fh)
            out.writerow(headers)
            out.writerows(rows)
        with open_table(path) as t:
            assert t.headers == headers
            assert t.delimiter == ","
            read = list(t.rows())
        assert [cells for _, cells in read] == rows
        assert [n for n, _ in read] == list(range(2, 2 + len(rows)))


# Windows-1252 text whose bytes could also read as UTF-8 (a letter from C0-F4 followed by bytes from 80-BF,
# i.e. mojibake such as 'Ã©') cannot be told from UTF-8; real extracts hold letters and ASCII punctuation.
latin = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.characters(min_codepoint=0xC0,
                                                                                         max_codepoint=0xFF)
                | st.sampled_from(["\n", "\r", '"', ","]), max_size=40)


@SETTINGS
@given(st.lists(st.lists(latin, min_size=3, max_size=3), max_size=8))
def test_windows_1252_text_reads_back(rows: list[list[str]]) -> None:
    headers = ["Référence", "Catégorie", "Détails"]
    encodable = rows
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        with open(path, "w", newline="", encoding="cp1252") as fh:
            out = csv.writer(fh)
            out.writerow(headers)
            out.writerows(encodable)
        with open_table(path) as t:
            assert t.headers == headers
            assert [cells for _, cells in t.rows()] == encodable


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([b"", b"incident_ref,narrative\n", b"PK\x03\x04", b"\xef\xbb\xbf"]))
def test_garbage_fails_only_with_our_errors(data: bytes, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("g.csv", "g.xlsx"):
            path = Path(tmp) / name
            path.write_bytes(prefix + data)
            try:
                with open_table(path) as t:
                    list(t.rows())
                check_file(path, "incidents")
            except ImportFailed as exc:
                assert str(exc)  # a message for people, naming the file
                assert name in str(exc) or "column" in str(exc)
