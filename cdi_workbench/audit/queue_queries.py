"""The queue's queries: search, filters and each record kind's columns (used by AuditService.queue)."""

from __future__ import annotations

from sqlalchemy import or_

from ..kinds import RecordKind
from ..storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, ReportRecord, Verdict
from ..storage.record_models import date_column


class UnknownKind(ValueError):
    pass


def matches(text: str, ref_col, *text_cols):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """The reference containing the text, or a word of the narrative (or location) starting with it: 'smash'
    finds 'smashed' but 'spat' does not find every 'Dispatcher'."""
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conds = [ref_col.ilike(f"%{like}%", escape="\\")]
    for col in text_cols:
        if col is not None:
            conds += [col.ilike(p, escape="\\") for p in (f"{like}%", f"% {like}%", f"%\n{like}%", f"%[{like}%",
                                                           f"%({like}%", f'%"{like}%')]
    return or_(*conds)


def record_columns(kind: str):  # type: ignore[no-untyped-def]
    """The kind's table and its reference, date (record_models.date_column), system and text columns."""
    if kind in RecordKind.REPORTS:
        return ReportRecord, ReportRecord.ref, date_column(kind), ReportRecord.system, ReportRecord.narrative
    if kind == RecordKind.DISPOSAL:
        return Disposal, Disposal.ref, date_column(kind), Disposal.disposal_type, Disposal.notes
    if kind == RecordKind.CANCELLATION:
        return Cancellation, Cancellation.crime_ref, date_column(kind), Cancellation.offence_group, Cancellation.notes
    if kind == RecordKind.N100:
        return N100, N100.ref, date_column(kind), N100.reason_code, N100.narrative
    if kind == RecordKind.CRIME:
        return CrimeRecord, CrimeRecord.ref, date_column(kind), CrimeRecord.ho_code, CrimeRecord.offence
    raise UnknownKind(f"unknown record kind {kind!r}")


def apply_filter(q, filter_: str):  # type: ignore[no-untyped-def]
    if filter_ == "to do":
        return q.where(or_(Verdict.id.is_(None), Verdict.complete.is_(False)))
    if filter_ == "done":
        return q.where(Verdict.complete.is_(True))
    if filter_ == "flagged":
        return q.where(AuditItem.flagged.is_(True))
    if filter_ == "not recorded":
        return q.where(Verdict.n_recorded < Verdict.n_crimes)
    if filter_ == "late":
        return q.where(Verdict.n_late > 0)
    if filter_ == "misclassified":
        return q.where(Verdict.n_misclassified > 0)
    if filter_ == "failed":
        return q.where(or_(Verdict.n_recorded < Verdict.n_crimes, Verdict.n_late > 0,
                           Verdict.n_misclassified > 0, Verdict.n_failed_checks > 0))
    return q


def passes(filter_: str, v: Verdict | None, flagged: bool) -> bool:
    """apply_filter in Python, for rows whose verdict is withheld (queue)."""
    if filter_ == "to do":
        return v is None or not v.complete
    if filter_ == "flagged":
        return flagged
    if filter_ == "all":
        return True
    if v is None:
        return False
    return {"done": v.complete, "not recorded": v.n_recorded < v.n_crimes, "late": v.n_late > 0,
            "misclassified": v.n_misclassified > 0,
            "failed": v.n_recorded < v.n_crimes or v.n_late > 0 or v.n_misclassified > 0 or v.n_failed_checks > 0
            }.get(filter_, True)


def counts(v: Verdict | None) -> tuple[int, int, int, int, int]:
    if v is None:
        return 0, 0, 0, 0, 0
    return v.n_crimes, v.n_recorded, v.n_misclassified, v.n_late, v.n_failed_checks
