"""Import speed of a workbook: python-calamine's reader (spreadsheets.xlsx_fast) against openpyxl's, the reference.

    python -m benchmarks.import_xlsx                    # 100,000 rows, both readers three times, alternately
    python -m benchmarks.import_xlsx --rows 20000 --repeat 1
    python -m benchmarks.import_xlsx --strings inline   # the strings as openpyxl writes them (default: shared,
                                                        # as Excel saves them)

The incident rows of benchmarks.import_incidents (narratives of 300-600 characters, line breaks included) are
written as a workbook - received_at as a date cell formatted dd/mm/yyyy hh:mm, the rest text - and imported into
a fresh audit database in a child process, once on each reader, alternately (the machine may be shared: each
pair runs in the same conditions), N times; then the sheet is only read (reading.open_table, every row), the same
way. Prints every run, the medians, their ratios and each reader's peak memory (ru_maxrss of the child process).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from benchmarks.import_incidents import ROOT, generate, our_import

READERS = {"calamine": "compiled", "openpyxl": "python"}
# reading alone: every row of the sheet through reading.open_table, in a child process
READ_CHILD = """
import json, resource, sys, time
from cdi_workbench.spreadsheets import xlsx_fast
from cdi_workbench.spreadsheets.reading import open_table
started = time.perf_counter()
with xlsx_fast.reading(sys.argv[2]), open_table(sys.argv[1]) as t:
    rows = sum(len(r) for _, r in t.chunks())
    reader = xlsx_fast.read_by(t) or "openpyxl"
print(json.dumps({"inside": time.perf_counter() - started, "rows": rows, "reader": reader,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def workbook(csv_path: Path, path: Path, shared: bool) -> None:
    """The CSV's rows as a workbook (openpyxl, write-only); shared: its strings moved to a shared strings part."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("incidents")
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        ws.append(next(rows))
        for row in rows:
            when = WriteOnlyCell(ws, dt.datetime.strptime(row[1], "%d/%m/%Y %H:%M"))
            when.number_format = "dd/mm/yyyy hh:mm"
            ws.append([row[0], when, *row[2:]])
    wb.save(path)
    if shared:
        _share_strings(path)


def _share_strings(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    strings: dict[bytes, int] = {}

    def share(m: re.Match[bytes]) -> bytes:
        return m.group(1) + b' t="s"><v>' + str(strings.setdefault(m.group(2), len(strings))).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is>(.*?)</is></c>', share,
                          parts[sheet], flags=re.S)
    parts["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                                     b'openxmlformats.org/spreadsheetml/2006/main">' +
                                     b"".join(b"<si>" + s + b"</si>" for s in strings) + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                             b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                             b"</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3, metavar="N", help="import on each reader N times")
    p.add_argument("--strings", choices=["shared", "inline"], default="shared")
    p.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files (default: a temp dir, removed)")
    a = p.parse_args(argv)
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="cdi-bench-xlsx-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        path = work / f"incidents-{a.rows}-{a.strings}.xlsx"
        if not path.exists():
            t = time.perf_counter()
            csv_path = work / f"incidents-{a.rows}.csv"
            generate(csv_path, a.rows)
            workbook(csv_path, path, a.strings == "shared")
            print(f"generated {a.rows:,} rows: {path.stat().st_size / 1e6:,.1f} MB workbook ({a.strings} "
                  f"strings) in {time.perf_counter() - t:.1f} s")
        runs: dict[str, list[tuple[float, dict]]] = {name: [] for name in READERS}
        for n in range(max(a.repeat, 1)):
            for name, read_path in (list(READERS.items()) if n % 2 == 0 else list(READERS.items())[::-1]):
                for f in work.glob("*.db*"):
                    f.unlink()
                wall, child = our_import(path, work / "audit.db", read_path)
                assert child["added"] == a.rows and child["rejected"] == 0, child
                assert child["read_path"] == ("calamine" if name == "calamine" else "python"), child
                runs[name].append((wall, child))
                print(f"run {n + 1} {name:8}: {wall:6.2f} s (in the import {child['inside']:.2f} s), peak "
                      f"{child['maxrss_kib'] / 1024:.0f} MB")
        reads: dict[str, list[dict]] = {name: [] for name in READERS}
        for n in range(max(a.repeat, 1)):
            for name in (list(READERS) if n % 2 == 0 else list(READERS)[::-1]):
                out = subprocess.run([sys.executable, "-c", READ_CHILD, str(path), name], check=True,
                                     capture_output=True, text=True, cwd=ROOT)
                child = json.loads(out.stdout.strip().splitlines()[-1])
                assert child["rows"] == a.rows and child["reader"] == name, child
                reads[name].append(child)
                print(f"read {n + 1} {name:8}: {child['inside']:6.2f} s, peak {child['maxrss_kib'] / 1024:.0f} MB")
        medians = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
        inside = {name: statistics.median(c["inside"] for _, c in r) for name, r in runs.items()}
        for name in READERS:
            peak = max(c["maxrss_kib"] for _, c in runs[name]) / 1024
            print(f"{name:9} median {medians[name]:6.2f} s (in the import {inside[name]:.2f} s), peak {peak:.0f} MB")
        print(f"ratio openpyxl / calamine: {medians['openpyxl'] / medians['calamine']:.2f}x "
              f"(in the import {inside['openpyxl'] / inside['calamine']:.2f}x)")
        read = {name: statistics.median(c["inside"] for c in r) for name, r in reads.items()}
        for name in READERS:
            peak = max(c["maxrss_kib"] for c in reads[name]) / 1024
            print(f"reading alone, {name:9} median {read[name]:6.2f} s, peak {peak:.0f} MB")
        print(f"reading alone, ratio openpyxl / calamine: {read['openpyxl'] / read['calamine']:.2f}x")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
