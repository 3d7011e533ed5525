"""The compiled read path (importing.arrow_path) against today's per-row path, the reference: over fuzzed extracts
both give the same result (counts, problems with row, column and value, notes), the same progress and cancel
calls, and the same rows stored - import digests, draw keys and content digests included - on SQLite and, with
CDI_TEST_PG_URL, PostgreSQL. Chunks are made tiny here so that one small file crosses many chunk and block
boundaries, and a chunk with a problem (converted row by row by the reference converter) sits among chunks
converted column-wise."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from cdi_workbench.audit.setup import init_audit
from cdi_workbench.draw_keys import draw_key
from cdi_workbench.importing import ImportCancelled, Profile, arrow_path, check_file, import_file, importer, reader
from cdi_workbench.storage.database import Database
from tests.conftest import PG_URL, _pg_database
from tests.integration.test_import_fuzz import cell as any_cell

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@contextlib.contextmanager
def tiny_chunks(chunk: int = 3, block: int = 2) -> Iterator[None]:
    """Chunks of `chunk` rows, converted `block` chunks at a time, pyarrow reading 4 KB at a time."""
    saved = reader.CHUNK, arrow_path.CHUNK, arrow_path.BLOCK_ROWS, arrow_path.READ_BLOCK
    reader.CHUNK, arrow_path.CHUNK, arrow_path.BLOCK_ROWS, arrow_path.READ_BLOCK = chunk, chunk, chunk * block, 4096
    try:
        yield
    finally:
        reader.CHUNK, arrow_path.CHUNK, arrow_path.BLOCK_ROWS, arrow_path.READ_BLOCK = saved


# values ------------------------------------------------------------------------------------------------------

pad = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\xa0", "\x1f", "\u2028"])
GOOD_DATES = ["01/03/2014 10:00", "1/3/2014 10:00", "01/03/2014 10:00:59", "01/03/2014", "2014-03-01",
              "2014-03-01T10:05", "2014-03-01 10:05:30", "2014-03-01 10:05:30.250", "2014-07-01T09:05+01:00",
              "2014-07-01T09:05Z", "30/03/2014 01:30", "30/03/2014 00:59", "26/10/2014 01:30", "26/10/2014 02:00",
              "31/12/2013 23:59", "01/07/2014 00:30", "41821.5", "41821", "01.03.2014 10:00", "01-03-2014 10:00",
              "01/03/2014T10:00", "29/02/2016 23:00", "2014-03-30T01:15:00", "", "2014-10-26 00:59:59"]
BAD_DATES = ["31/02/2014 10:00", "01/03/2014 24:00", "01/03/2014 10:60", "01/13/2014", "1899-12-31",
             "01/03/2101", "not a date", "01/03/2014 1O:00", "20140301 1005", "٠١/٠٣/٢٠١٤ 10:00",
             "2014-03-01 1000", "01/03/2014 10:00:00:00", "01/03/2014 10:00:60"]
GOOD_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def one_of(good: list[str], bad: list[str]) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    return st.sampled_from(good), st.sampled_from(good + bad)


# each column: (values that convert, any values)
COLUMNS: dict[str, tuple[st.SearchStrategy[str], st.SearchStrategy[str]]] = {
    "dates": one_of(GOOD_DATES, BAD_DATES),
    "text": (GOOD_TEXT, st.one_of(any_cell, st.sampled_from(["a" * 81, "b" * 201, 'say "hi"', "x\r\ny"]))),
    "crime_refs": one_of(["", "CR-1", "CR-1;CR-2", "CR-1; CR-2;", "CR-1 CR-2", "CR-1;CR-1", ";", "CR-3 ;CR-4",
                          "CR-1,CR-2", "C" * 80, "CR-1;\tCR-2", "a;b;c", "CR-9;CR-8"],
                         ["C" * 81, "CR-1;" + "C" * 81, "CR-1, " + "C" * 81]),
    "codes": one_of(["8N", "008n", "8n", "28E", "34A", "", " 8N "], ["999", "XX"]),
    "bools": one_of(["Y", "N", "yes", "No", "TRUE", "f", "1", "0", "1.0", ""], ["maybe"]),
    "ages": one_of(["", "0", "42", "120", "4.0", " 7 "], ["121", "-1", "4.5", "x", "nan"]),
    "months": one_of(["2014-03", "2014/3", "03/2014", ""], ["2014-13", "1899-01", "March"]),
    "statuses": one_of(["", "recorded", "Cancelled", "no crime", "NO-CRIME", "transferred"], ["lost"]),
    "groups": one_of(["", "rape", "Sexual offences", "VAP", "violence", "Robbery", "burglary", "other",
                      "All other offences"], ["fraud"]),
    "units": one_of(["", "North LPA", "12", " South "], ["a\tb", "u" * 81]),
    "refs": one_of(["", "INC-1", "INC-2", "CR-1"], ["x" * 61]),
}
KINDS: dict[str, dict[str, str]] = {
    "incidents": {"incident_ref": "key", "received_at": "dates", "opening_code": "text", "closing_code": "text",
                  "caller_type": "text", "location": "text", "narrative": "text", "crime_refs": "crime_refs",
                  "unit": "units"},
    "crimes": {"crime_ref": "key", "recorded_at": "dates", "reported_at": "dates", "ho_code": "codes",
               "offence": "text", "status": "statuses", "source_ref": "refs", "domestic_abuse": "bools",
               "victim_age": "ages", "month": "months", "unit": "units"},
    "referrals": {"referral_ref": "key", "received_at": "dates", "agency": "text", "narrative": "text",
                  "crime_refs": "crime_refs"},
    "disposals": {"disposal_ref": "key", "crime_ref": "refs", "disposal_type": "text", "issued_at": "dates"},
    "cancellations": {"crime_ref": "key", "cancelled_at": "dates", "reason": "text", "offence_group": "groups"},
}


@st.composite
def extracts(draw: st.DrawFn, kind: str | None = None, regular: bool = False) -> dict[str, Any]:
    """A kind, its headers (the key, some of the other canonical columns, maybe an extra column) and rows: values
    that convert, then now and then a cell of anything, a repeated or missing reference, a blank row, a row of
    another width; and how the file is written."""
    kind = kind or draw(st.sampled_from(sorted(KINDS)))
    columns = KINDS[kind]
    key = next(iter(columns))
    others = draw(st.lists(st.sampled_from(list(columns)[1:]), unique=True, max_size=len(columns) - 1))
    headers = [key, *others] + (["Officer"] if draw(st.booleans()) else [])
    n = draw(st.integers(0, 30))
    numbers = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    padding = draw(st.booleans())
    rows = []
    for number in numbers:
        ref = f"INC-{number}"
        if padding:
            ref = draw(pad) + ref + draw(pad)
        rows.append([ref] + [draw(COLUMNS[columns.get(h, "text")][0]) for h in headers[1:]])
    for _ in range(draw(st.integers(0, 3)) if rows else 0):  # a cell of anything
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(headers) - 1))
        what = columns.get(headers[c], "text")
        rows[r][c] = draw(st.sampled_from(["", " ", "INC-1", "x" * 61]) if what == "key" else COLUMNS[what][1])
    if rows and draw(st.integers(0, 3)) == 0:  # a reference again, the same row or another
        again = list(draw(st.sampled_from(rows)))
        if draw(st.booleans()) and len(again) > 1:
            again[-1] += "!"
        rows.insert(draw(st.integers(0, len(rows))), again)
    if rows and draw(st.integers(0, 5)) == 0:  # a blank row, or one of another width
        at = draw(st.integers(0, len(rows) - 1))
        choices = [[""] * len(headers), []] + ([] if regular else [rows[at][:1], rows[at] + ["", ""],
                                                                  rows[at] + ["surplus"]])
        rows.insert(at, draw(st.sampled_from(choices)))
    return {"kind": kind, "headers": headers, "rows": rows,
            "encoding": draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252"])),
            "newline": draw(st.sampled_from(["\r\n", "\n"])), "delimiter": draw(st.sampled_from([",", ",", ";"])),
            "profile": draw(st.one_of(st.none(), st.fixed_dictionaries({
                "duplicates": st.sampled_from(["reject", "keep_first"]),
                "date_formats": st.sampled_from([[], ["%Y%m%d %H%M"]]),
                "list_separators": st.sampled_from([";", ";,"]),
                "skip_without_ref": st.sampled_from([{}, {"offence": ["ASB - Personal"]}] if kind == "crimes"
                                                    else [{}])})))}


def write(folder: Path, x: dict[str, Any]) -> Path:
    path = folder / "extract.csv"
    try:
        with open(path, "w", newline="", encoding=x["encoding"]) as fh:
            out = csv.writer(fh, lineterminator=x["newline"], delimiter=x["delimiter"])
            out.writerow(x["headers"])
            out.writerows(x["rows"])
    except UnicodeEncodeError:  # cp1252 cannot hold everything: write UTF-8 instead
        x["encoding"] = "utf-8"
        return write(folder, x)
    return path


def options(x: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"system": "DO1"} if x["kind"] == "referrals" else {}
    if x["profile"] is not None:
        out["profile"] = Profile(name="fuzz", kind=x["kind"], **x["profile"])
    return out


# comparing ---------------------------------------------------------------------------------------------------

def _result(r: Any) -> dict[str, Any]:
    out = dataclasses.asdict(r)
    for name in ("seconds", "read_path", "rejects_path"):
        out.pop(name)
    return out


def run(call: Any, read_path: str, cancel_after: int | None = None) -> tuple[Any, list[tuple[int, Any]]]:
    """(the result, or the exception raised; the progress calls), on one read path."""
    calls: list[tuple[int, Any]] = []
    asked = [0]

    def cancelled() -> bool:
        asked[0] += 1
        return cancel_after is not None and asked[0] > cancel_after

    try:
        got: Any = call(read_path=read_path, progress=lambda done, total: calls.append((done, total)),
                        cancelled=cancelled)
    except Exception as exc:  # noqa: BLE001 - compared below
        got = exc
    calls.append((-1, asked[0]))
    return got, calls


def same(compiled: tuple[Any, list], reference: tuple[Any, list]) -> None:
    (a, pa_), (b, pb) = compiled, reference
    if isinstance(b, Exception):
        assert type(a) is type(b) and str(a) == str(b)
    else:
        assert not isinstance(a, Exception), a
        assert _result(a) == _result(b)
    # the rows done after each chunk, the cancel checks; the estimated totals may differ (pyarrow reads ahead), the
    # last is exact on both
    assert [d for d, _ in pa_] == [d for d, _ in pb]
    assert pa_[-1] == pb[-1]
    done = [(d, t) for d, t in pa_ if d > 0]
    if done and not isinstance(b, Exception):
        assert done[-1] == [(d, t) for d, t in pb if d > 0][-1]


STORED = {"incidents": "report_record", "referrals": "report_record", "crimes": "crime_record",
          "disposals": "disposal", "cancellations": "cancellation"}


def stored(url: str, table: str) -> tuple[list[Any], list[Any]]:
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as c:
            cols = [r for r in c.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys() if r != "imported_at"]
            rows = c.execute(text(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id")).all()
            links = c.execute(text("SELECT report_id, crime_id FROM record_link ORDER BY 1, 2")).all()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows], [tuple(r) for r in links]


# the tests ---------------------------------------------------------------------------------------------------

@SETTINGS
@given(extracts(), st.sampled_from([1, 2]))
def test_check_file_is_the_same_on_both_paths(x: dict[str, Any], block: int) -> None:
    """(block: chunks converted at once - 1 as the importer does, 2 for a block's chunks to differ)"""
    with tempfile.TemporaryDirectory() as tmp, tiny_chunks(3, block):
        path = write(Path(tmp), x)

        def call(**kw: Any) -> Any:
            return check_file(path, x["kind"], **options(x), **kw)

        same(run(call, "compiled"), run(call, "python"))


def _targets(engine: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "audit.db")
    else:
        yield from _pg_database()


def _import_both(engine: str, x: dict[str, Any], cancel_after: int | None = None, with_rejects: bool = False,
                 twice: bool = False, block: int = 2, written: Callable[[Path], Path] | None = None) -> Any:  # noqa: ANN401
    """The extract (`written` into a folder, else as a CSV) imported on both read paths, each into a fresh audit
    database: the same outcome, rows stored and rejects. Returns the compiled path's outcome (or exception)."""
    with tempfile.TemporaryDirectory() as tmp, tiny_chunks(3, block):
        folder = Path(tmp)
        path = written(folder) if written is not None else write(folder, x)
        outcomes, contents = [], []
        for read_path in ("compiled", "python"):
            targets = _targets(engine)
            target = next(targets)
            try:
                init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 6, 30), "2014").close()
                db = Database(target)
                try:
                    rejects = folder / f"rejects-{read_path}.csv" if with_rejects else None

                    def call(db: Database = db, rejects: Path | None = rejects, **kw: Any) -> Any:
                        return import_file(db, path, x["kind"], rejects=rejects, **options(x), **kw)

                    outcome = run(call, read_path, cancel_after)
                    if twice and not isinstance(outcome[0], Exception):  # again: every row unchanged
                        outcome = (outcome, run(call, read_path))
                    else:
                        outcome = (outcome, None)
                finally:
                    db.close()
                outcomes.append(outcome)
                contents.append(stored(target, STORED[x["kind"]]))
                if rejects is not None:
                    contents.append(rejects.read_bytes() if rejects.exists() else None)
            finally:
                targets.close()
        (first_c, again_c), (first_p, again_p) = outcomes
        same(first_c, first_p)
        if again_c is not None or again_p is not None:
            same(again_c, again_p)
        assert contents[: len(contents) // 2] == contents[len(contents) // 2:]
    return first_c[0]


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _engine(engine: str) -> None:
    if engine == "postgresql" and not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a PostgreSQL server (CDI_TEST_PG_URL)")
        pytest.skip("no PostgreSQL server: set CDI_TEST_PG_URL to run the server tests")


@pytest.mark.parametrize("engine", ENGINES)
@settings(SETTINGS, max_examples=40)
@given(x=extracts(), with_rejects=st.booleans(), twice=st.booleans(), block=st.sampled_from([1, 2]))
def test_import_stores_the_same_on_both_paths(engine: str, x: dict[str, Any], with_rejects: bool,
                                              twice: bool, block: int) -> None:
    _engine(engine)
    _import_both(engine, x, with_rejects=with_rejects, twice=twice, block=block)


@pytest.mark.parametrize("engine", ENGINES)
@settings(SETTINGS, max_examples=20)
@given(x=extracts(kind="incidents", regular=True), after=st.integers(0, 6))
def test_cancel_is_the_same_on_both_paths(engine: str, x: dict[str, Any], after: int) -> None:
    _engine(engine)
    _import_both(engine, x, cancel_after=after)


@settings(SETTINGS, max_examples=200)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).map(str.strip)
                .filter(lambda r: r and "\x00" not in r), min_size=1, max_size=20, unique=True))
def test_draw_keys_stored_by_the_compiled_path_are_todays(references: list[str]) -> None:
    """Existing samples keep their order: the draw key the compiled path stores for each reference is
    draw_keys.draw_key of it, the function every sample drawn so far was ordered by."""
    references = [r for r in references if len(r) <= 60]
    if not references:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inc.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["incident_ref", "narrative"])
            out.writerows([r, "x"] for r in references)
        target = Path(tmp) / "audit.db"
        init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 6, 30), "2014").close()
        from cdi_workbench.storage.database import Database

        db = Database(str(target))
        try:
            r = import_file(db, path, "incidents", read_path="compiled")
        finally:
            db.close()
        if r.rejected:  # (a reference csv and str.strip read differently is the reference path's business)
            return
        assert r.read_path == "compiled"
        engine = create_engine(f"sqlite:///{target}")
        with engine.connect() as c:
            keys = dict(c.execute(text("SELECT ref, draw_key FROM report_record")).all())
        engine.dispose()
        assert keys == {ref: draw_key(ref) for ref in keys}
        assert len(keys) == len(references)


def test_python_whitespace_is_what_str_strip_takes_off() -> None:
    assert set(arrow_path.PY_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def _plain(folder: Path, rows: list[list[str]]) -> Path:
    path = folder / "inc.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["incident_ref", "received_at", "narrative", "crime_refs"])
        out.writerows(rows)
    return path


def test_the_compiled_path_is_the_default_and_can_be_refused(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = _plain(tmp_path, [[f"INC-{n}", "01/03/2014 10:00", "a\nb", "CR-1;CR-2"] for n in range(10)])
    monkeypatch.delenv("CDI_IMPORT_PATH", raising=False)
    assert check_file(path, "incidents").read_path == "compiled"
    assert check_file(path, "incidents", read_path="python").read_path == "python"
    monkeypatch.setenv("CDI_IMPORT_PATH", "python")
    assert check_file(path, "incidents").read_path == "python"
    assert check_file(path, "incidents", read_path="compiled").read_path == "compiled"
    monkeypatch.setenv("CDI_IMPORT_PATH", "fast")
    with pytest.raises(ValueError, match="unknown import path"):
        check_file(path, "incidents")


def test_without_pyarrow_the_reference_path_reads(tmp_path: Path) -> None:
    path = _plain(tmp_path, [["INC-1", "01/03/2014 10:00", "x", ""]])
    code = ("import sys; sys.modules['pyarrow'] = None\n"
            "from cdi_workbench.importing import check_file\n"
            f"r = check_file({str(path)!r}, 'incidents')\n"
            "print(r.read_path, r.valid)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["python", "1"]


def test_a_chunk_with_a_problem_is_converted_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[f"INC-{n}", "01/03/2014 10:00", "x", ""] for n in range(12)]
    rows[4][1] = "31/02/2014"
    path = _plain(tmp_path, rows)
    by_row = []
    chunk = importer._Run._chunk
    monkeypatch.setattr(importer._Run, "_chunk", lambda self, first, *a: (by_row.append(first),
                                                                          chunk(self, first, *a))[1])
    with tiny_chunks(3, 2):
        r = check_file(path, "incidents")
    assert r.read_path == "compiled"
    assert by_row == [5]  # rows 5-7 (the file's rows 2-13 in chunks of 3): the others column-wise
    assert [(p.row, p.column, p.value) for p in r.problems] == [(6, "received_at", "31/02/2014")]
    assert r.valid == 11


@pytest.mark.parametrize("bad", [["INC-9"], ["INC-9", "", "", "", "surplus"]])
def test_rows_of_another_width_send_the_file_to_the_reference_path(tmp_path: Path, bad: list[str]) -> None:
    rows = [[f"INC-{n}", "01/03/2014 10:00", "x", ""] for n in range(8)] + [bad]
    path = _plain(tmp_path, rows)
    with tiny_chunks():
        r = check_file(path, "incidents")
        ref = check_file(path, "incidents", read_path="python")
    assert r.read_path == "python"
    assert _result(r) == _result(ref)


def test_files_the_compiled_path_leaves_to_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("incident_ref,narrative\nINC-1,café\n", encoding="cp1252")
    assert check_file(path, "incidents").read_path == "python"
    path.write_text("incident_ref,narrative\nINC-1,x\x00y\n", encoding="utf-8")
    assert check_file(path, "incidents").read_path == "python"
    path.write_text('incident_ref,narrative\nINC-1,"open\n', encoding="utf-8")
    from cdi_workbench.importing import ImportFileError

    with pytest.raises(ImportFileError, match="a quoted cell is not closed"):
        check_file(path, "incidents")


def test_cancelled_import_writes_nothing_on_the_compiled_path(tmp_path: Path) -> None:
    path = _plain(tmp_path, [[f"INC-{n}", "01/03/2014 10:00", "x", ""] for n in range(20)])
    target = tmp_path / "audit.db"
    init_audit(target, "Testshire Police", date(2014, 1, 1), date(2014, 6, 30), "2014").close()
    from cdi_workbench.storage.database import Database

    db = Database(str(target))
    calls: list[int] = []
    try:
        with tiny_chunks(), pytest.raises(ImportCancelled):
            import_file(db, path, "incidents", progress=lambda d, t: calls.append(d),
                        cancelled=lambda: len(calls) > 3)
    finally:
        db.close()
    assert calls == [0, 3, 6, 9]
    assert stored(str(target), "report_record")[0] == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-20, 20)), st.lists(st.integers(-20, 20)))
def test_merging_two_runs_of_seen_references_is_a_stable_sort(a: list[int], b: list[int]) -> None:
    """seen._merge (the repeated-reference check's runs, merged without sorting again) orders entries as a stable
    sort of the two runs end to end did: where two references share a hash, the first row seen is found first."""
    import numpy as np

    from cdi_workbench.importing.seen import _merge

    k1, k2 = np.sort(np.array(a, dtype=np.int64)), np.sort(np.array(b, dtype=np.int64))
    i1, i2 = np.arange(len(a), dtype=np.int64), np.arange(100, 100 + len(b), dtype=np.int64)
    keys = np.concatenate((k1, k2))
    order = np.argsort(keys, kind="stable")
    merged, index = _merge(k1, i1, k2, i2)
    assert merged.tolist() == keys[order].tolist()
    assert index.tolist() == np.concatenate((i1, i2))[order].tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-30, 30), max_size=12), max_size=12), st.sampled_from([1, 4, 16, 1 << 20]))
def test_seen_references_find_the_first_row_whatever_the_runs(batches: list[list[int]], cap: int) -> None:
    """SeenKeys (runs merged up to seen.MAX_RUN entries, never past it) finds, for each hash, the first row added
    with it, as a dictionary of first rows would - whether the runs were merged into one or left many."""
    import numpy as np

    from cdi_workbench.importing import seen as seen_module

    saved = seen_module.MAX_RUN
    seen_module.MAX_RUN = cap
    try:
        keys, first, row, largest = seen_module.SeenKeys(), {}, 2, 0
        for batch in batches:
            hashes = np.array(batch, dtype=np.int64)
            found = keys.find(hashes)
            assert [keys.first(int(f)) if f >= 0 else None for f in found] == [first.get(h) for h in batch]
            new = [h for h in dict.fromkeys(batch) if h not in first]
            for h in new:
                first[h] = (row, h * 7)
                row += 1
            keys.add(np.array(new, dtype=np.int64), [first[h][0] for h in new], [h * 7 for h in new])
            largest = max(largest, len(new))
            assert all(len(k) <= max(cap, largest) for k, _ in keys._runs)  # merged up to the cap, not past
        probe = np.arange(-31, 32, dtype=np.int64)
        assert [keys.first(int(f)) if f >= 0 else None for f in keys.find(probe)] == \
            [first.get(int(h)) for h in probe]
    finally:
        seen_module.MAX_RUN = saved
