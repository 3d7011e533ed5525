"""Writing the verdicts: the effective verdict of every sampled record, one row per crime identified, as CSV
or .xlsx through the workbench's one spreadsheet writer (cdi_workbench.spreadsheets: text never runs as a
formula; the workbook carries the marking in its page headers and footers and its properties)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..audit.evaluate import CrimeFacts, evaluate
from ..audit.verdicts import RAPE_CHECK, REPORT_KINDS, VerdictBody, applicable_checks
from ..findings_load import ItemVerdict, effective_verdicts
from ..spreadsheets import mark_pages, mark_workbook, put, write_atomically, write_csv
from ..storage.database import Database
from ..storage.models import AuditItem, Sample
from .format import exchange_columns
from .records import _crimes_by_id, _item_rules, _Record, _rules, _sampled_records


def _yn(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def verdict_rows(db: Database, audit: str | None = None) -> list[dict[str, Any]]:
    """The rows an export writes: one per crime identified (crime_no 0 for a record with none), in sample and
    draw order, for every sampled record whose effective verdict is complete (of one audit of the programme when
    `audit` names it; None: every audit's)."""
    rows: list[dict[str, Any]] = []
    all_columns = exchange_columns().all
    with db.session() as s:
        rules, of_item = _rules(s), _item_rules(s)  # each record timed under its own audit's rule set
        records = _sampled_records(s)
        effective = {v.item_id: v for v in effective_verdicts(s)}
        if audit is not None:
            from ..audit.programme import of_audit, resolve

            mine = set(s.scalars(select(AuditItem.id).join(Sample, Sample.id == AuditItem.sample_id)
                                 .where(of_audit(s, resolve(s, audit).id))))
            effective = {i: v for i, v in effective.items() if i in mine}
        chosen: list[tuple[_Record, ItemVerdict, VerdictBody]] = []
        for rec in records:
            # a record sampled more than once: the verdict of its first sample that has a complete one
            for item_id in rec.item_ids:
                v = effective.get(item_id)
                if v is not None and v.complete:
                    chosen.append((rec, v, VerdictBody.from_json(v.body)))
                    break
        crimes = _crimes_by_id(s, [c.crime_id for _, _, b in chosen for c in b.crimes if c.crime_id is not None])
        for rec, v, body in chosen:
            base: dict[str, Any] = {c: "" for c in all_columns}
            base.update(kind=rec.kind, record_ref=rec.ref, crime_no=0, auditor=v.auditor or "",
                        rationale=body.rationale or "")
            if rec.kind not in REPORT_KINDS:
                applicable = applicable_checks(rec.kind, body.checks, rec.disposal_type)
                for key in applicable:
                    base[key] = _yn(body.checks.get(key))
                if rec.kind == "n100" and body.checks.get(RAPE_CHECK) is True:
                    base["rape_code"] = body.rape_code
                rows.append(base)
                continue
            if not body.crimes:
                rows.append(base)
                continue
            for no, c in enumerate(body.crimes, 1):
                crime = crimes.get(c.crime_id) if c.crime_id is not None else None
                res = evaluate(c, CrimeFacts(crime.ho_code, crime.recorded_at) if crime else None, rec.received_at,
                               of_item.get(v.item_id, rules))
                row = dict(base, crime_no=no, expected_code=c.expected_code or "",
                           domestic_abuse=_yn(c.domestic_abuse))
                if res.recorded and crime is not None:
                    row.update(recorded_ref=crime.ref, classified_correctly=_yn(res.classified),
                               timely=_yn(res.timely))
                else:
                    row.update(reason_not_recorded=c.not_recorded_reason or "", safeguarding=_yn(c.safeguarding),
                               investigation=_yn(c.investigation))
                rows.append(row)
    return rows


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise ValueError(f"{path.name}: name the file .csv or .xlsx to say which format to write")


def export_verdicts(db: Database, path: str | Path, who: str = "",
                    rewrite: Callable[[list[dict[str, Any]]], object] | None = None, audit: str | None = None) -> int:
    """Write the effective verdicts as CSV or .xlsx (by the file's suffix); returns the rows written.

    `who` must be someone whose role may export the verdicts (the lead or an auditor: the file holds every first
    verdict, which a blind reviewer must not see and the force's liaison may not); the export goes in the trail
    (audit.exports). The file appears complete or not at all. `rewrite(rows)`, if given, changes the rows in place
    before they are written (cdi_workbench.pseudonymise_exports: the free text pseudonymised)."""
    from ..audit.exports import exported

    path = Path(path)
    fmt = _format(path)

    def write(_person: object) -> int:
        rows = verdict_rows(db, audit)
        if rewrite is not None:
            rewrite(rows)
        columns = exchange_columns().all
        if fmt == "csv":  # UTF-8 with a byte order mark, so that Excel opens it as UTF-8
            write_csv(path, columns, ([r[c] for c in columns] for r in rows))
        else:
            write_atomically(path, lambda tmp: _write_xlsx(rows, tmp))
        return len(rows)

    return exported(db, who, "export verdicts", "verdicts", path, write, lambda n: {"rows": n})


def _write_xlsx(rows: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Verdicts"
    all_columns = exchange_columns().all
    # row 1 holds the column names (an import reads them there): the marking goes in the page headers and footers
    for col, name in enumerate(all_columns, 1):
        put(ws, 1, col, name).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, r in enumerate(rows, 2):
        for col, name in enumerate(all_columns, 1):
            value = r[name]
            cell = put(ws, n, col, value if value != "" else None, "0")
            if name in ("rationale", "reason_not_recorded"):
                cell.alignment = wrap
    widths = {"kind": 12, "record_ref": 16, "crime_no": 9, "expected_code": 14, "recorded_ref": 16,
              "reason_not_recorded": 30, "auditor": 16, "rationale": 60}
    for col, name in enumerate(all_columns, 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(name, max(10, min(len(name) + 2, 26)))
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(all_columns))}{max(2, len(rows) + 1)}"
    mark_pages(ws)
    ws.page_setup.orientation = "landscape"
    mark_workbook(wb, "Crime data integrity audit: verdicts")
    wb.save(path)
