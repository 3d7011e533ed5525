"""What the record view shows: a sampled record with its linked and candidate crime records, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from ..classification import (
    CANCELLATION_GROUPS,
    GROUP_LABELS,
    cancellation_group,
    group_of,
    lookup,
    reported_incident_reasons,
)
from ..kinds import RecordKind
from ..rules import rule_set, timeliness
from ..storage.models import N100, AuditItem, Cancellation, CrimeRecord, Disposal, RecordLink, ReportRecord
from ..timeutil import display
from .check_table import TIMELINESS_WORKED_OUT
from .narrative import Entry, entries
from .programme import rules_key


@dataclass(frozen=True)
class CrimeInfo:
    id: int
    ref: str
    ho_code: str
    offence: str
    recorded_at: datetime | None
    reported_at: datetime | None
    status: str
    location: str
    domestic_abuse: bool | None
    why: str = ""  # for candidates: why it is offered
    victim: str = ""  # age and sex, as the crime record gives them
    outcome: str = ""
    source_ref: str = ""


@dataclass
class RecordDetail:
    item_id: int
    kind: str
    system: str
    ref: str
    received_at: datetime | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    narrative: list[Entry] = field(default_factory=list)
    linked: list[CrimeInfo] = field(default_factory=list)
    candidates: list[CrimeInfo] = field(default_factory=list)
    disposal_type: str = ""
    related_title: str = ""  # another record shown beside this one (an N100's incident log)
    related: list[Entry] = field(default_factory=list)
    flagged: bool = False
    flag_note: str = ""


def crime_info(c: CrimeRecord, why: str = "") -> CrimeInfo:
    victim = " ".join(x for x in (f"{c.victim_age}" if c.victim_age is not None else "", c.victim_sex or "") if x)
    return CrimeInfo(c.id, c.ref, c.ho_code or "", c.offence or "", c.recorded_at, c.reported_at, c.status,
                     c.location or "", c.domestic_abuse, why, victim, c.outcome or "", c.source_ref or "")


def _text(v: object) -> str:
    return "" if v is None else str(v)


def load_detail(s: Session, item: AuditItem) -> RecordDetail:
    if item.kind in RecordKind.REPORTS:
        return _report_detail(s, item)
    if item.kind == RecordKind.DISPOSAL:
        d = s.get_one(Disposal, item.record_id)
        crime = s.scalar(select(CrimeRecord).where(CrimeRecord.ref == d.crime_ref)) if d.crime_ref else None
        det = RecordDetail(item.id, item.kind, d.disposal_type, d.ref, d.issued_at, disposal_type=d.disposal_type)
        det.fields = [("Type", d.disposal_type), ("Crime", _text(d.crime_ref)), ("Victim", _text(d.victim)),
                      ("Offender history", d.offender_history)]
        det.narrative = entries(d.notes)
        det.linked = [crime_info(crime)] if crime else []
    elif item.kind == RecordKind.CANCELLATION:
        c = s.get_one(Cancellation, item.record_id)
        crime = s.scalar(select(CrimeRecord).where(CrimeRecord.ref == c.crime_ref))
        det = RecordDetail(item.id, item.kind, c.offence_group or "", c.crime_ref, c.cancelled_at)
        det.fields = [("Reason", c.reason), ("Decided by", c.decided_by_role),
                      ("Offence group", CANCELLATION_GROUPS[cancellation_group(crime.ho_code if crime else None,
                                                                               c.offence_group)])]
        det.narrative = entries(c.notes)
        det.linked = [crime_info(crime)] if crime else []
    elif item.kind == RecordKind.N100:
        n = s.get_one(N100, item.record_id)
        det = RecordDetail(item.id, item.kind, "N100", n.ref, n.recorded_at)
        meaning = reported_incident_reasons().get((n.reason_code or "").strip(), "")
        det.fields = [("Reason code", f"{_text(n.reason_code)}: {meaning}" if meaning else _text(n.reason_code)),
                      ("Incident", _text(n.incident_ref))]
        det.narrative = entries(n.narrative)
        incident = s.scalar(select(ReportRecord).where(ReportRecord.ref == n.incident_ref)) if n.incident_ref else None
        if incident is not None:  # the report the N100 explains: what the auditor needs to judge it
            det.related_title = f"Incident log {incident.ref}, received {display(incident.received_at)}"
            det.related = entries(incident.narrative)
            det.linked = [crime_info(c) for c in incident.crimes]
    elif item.kind == RecordKind.CRIME:
        det = _crime_detail(s, item)
    else:
        raise ValueError(f"unknown record kind {item.kind!r}")
    det.flagged, det.flag_note = item.flagged, item.flag_note
    return det


def _crime_detail(s: Session, item: AuditItem) -> RecordDetail:
    """A crime record sampled itself (a classification and timeliness dip-sample): its code and offence group,
    its report and recording times with the timeliness worked out under the item's audit's rules (a suggestion
    for the check), and the narrative of the report it came from (what the record describes)."""
    c = s.get_one(CrimeRecord, item.record_id)
    known = lookup(c.ho_code)
    det = RecordDetail(item.id, item.kind, c.ho_code or "", c.ref, c.recorded_at)
    worked = timeliness(c.reported_at, c.recorded_at, rule_set(rules_key(s, item.id)))
    det.fields = [(label, v) for label, v in (
        ("Home Office code", f"{c.ho_code}: {known.label}" if known and c.ho_code else _text(c.ho_code)),
        ("Offence", _text(c.offence)), ("Offence group", GROUP_LABELS[group_of(c.ho_code)]),
        ("Reported", display(c.reported_at)), ("Status", c.status), ("Outcome", _text(c.outcome)),
        ("Source reference", _text(c.source_ref)), (TIMELINESS_WORKED_OUT, worked.explanation)) if v]
    det.linked = [crime_info(c)]
    reports = list(s.scalars(select(ReportRecord).join(RecordLink, RecordLink.report_id == ReportRecord.id)
                             .where(RecordLink.crime_id == c.id).order_by(ReportRecord.received_at).limit(1)))
    if not reports and c.source_ref:
        reports = list(s.scalars(select(ReportRecord).where(ReportRecord.ref == c.source_ref).limit(1)))
    if reports:  # the report the crime was recorded from: what it describes, to judge the code by
        r = reports[0]
        det.related_title = f"{'Incident log' if r.kind == RecordKind.INCIDENT else r.system} {r.ref}, received " \
                            f"{display(r.received_at)}"
        det.related = entries(r.narrative)
    return det


def _report_detail(s: Session, item: AuditItem) -> RecordDetail:
    r = s.get_one(ReportRecord, item.record_id)
    det = RecordDetail(item.id, r.kind, r.system, r.ref, r.received_at, flagged=item.flagged,
                       flag_note=item.flag_note)
    det.fields = [(label, _text(v)) for label, v in (
        ("Opening code", r.opening_code), ("Closing code", r.closing_code), ("Caller", r.caller_type),
        ("Agency", r.agency), ("Category", r.category), ("Location", r.location)) if v]
    det.narrative = entries(r.narrative)
    det.linked = [crime_info(c) for c in r.crimes]
    det.candidates = _candidates(s, r, {c.id for c in det.linked})
    return det


def _candidates(s: Session, r: ReportRecord, linked: set[int], limit: int = 8) -> list[CrimeInfo]:
    """Crime records not linked to this report that may have recorded it: citing its reference, or at the
    same place within two days of it."""
    conds = [CrimeRecord.source_ref == r.ref]
    if r.location and r.received_at:
        conds.append(and_(CrimeRecord.location == r.location,
                          CrimeRecord.reported_at.between(r.received_at - timedelta(days=2),
                                                          r.received_at + timedelta(days=2))))
    already = select(RecordLink.crime_id).where(RecordLink.report_id == r.id)
    cites = case((CrimeRecord.source_ref == r.ref, 0), else_=1)
    rows = s.scalars(select(CrimeRecord).where(or_(*conds), CrimeRecord.id.not_in(already))
                     .order_by(cites, CrimeRecord.reported_at, CrimeRecord.id).limit(limit))
    out = []
    for c in rows:
        if c.id in linked:
            continue
        why = "cites this reference" if c.source_ref == r.ref else "same place within two days"
        out.append(crime_info(c, why))
    return out
