"""SQLAlchemy 2.0 typed models: one database holds one audit, its source records, samples and verdicts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..classification import NO_CRIME
from ..draw_keys import draw_key
from .types import UTCDateTime


def _key_of(column: str):  # noqa: ANN202
    """Column default: the draw key of the row's reference (the importer writes it itself, set-wise)."""
    return lambda ctx: draw_key(ctx.get_current_parameters()[column])


def _partial_index(name: str, where: str) -> Index:
    """An index of the few rows a condition holds for (so finding none costs nothing)."""
    return Index(name, "id", sqlite_where=sql_text(where), postgresql_where=sql_text(where))


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Audit(Base):
    """One audit of the programme the database holds: its name, force, period and the rule set that decides the
    time limit (audit.programme); closed_at is set when the lead closes it (null while open)."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120), index=True, unique=True)
    force: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    rule_set: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100), default="")
    closed_at: Mapped[datetime | None]


class ReportRecord(Base):
    """An incident log (system 'Incident') or a referral from another system (Guardian, PO1, DO1, ...)."""

    __tablename__ = "report_record"
    __table_args__ = (UniqueConstraint("system", "ref"), Index("ix_report_kind_system", "kind", "system"),
                      # covers the draw: the lowest-ranked records of a stratum come from an index scan
                      Index("ix_report_draw", "kind", "stratum", "system", "ref", "draw_key", "received_at"),
                      # rows whose stratum must be worked out again (links or codes changed), or lacking a draw key
                      _partial_index("ix_report_stratum_stale", "stratum IS NULL"),
                      _partial_index("ix_report_key_missing", "draw_key IS NULL"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # incident | referral
    system: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime | None]
    opening_code: Mapped[str | None] = mapped_column(String(80))
    closing_code: Mapped[str | None] = mapped_column(String(80))
    caller_type: Mapped[str | None] = mapped_column(String(80))
    agency: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(120))
    location: Mapped[str | None] = mapped_column(String(200))
    narrative: Mapped[str] = mapped_column(Text, default="")
    crime_refs: Mapped[str] = mapped_column(Text, default="")  # as the extract gave them, ';'-separated
    # sampling (cdi_workbench.draw_keys, .strata): the seed-independent draw key of ref, and the offence-group
    # stratum from the linked crimes (NULL while links or crime codes have changed since it was worked out)
    draw_key: Mapped[int | None] = mapped_column(BigInteger, default=_key_of("ref"))
    stratum: Mapped[str | None] = mapped_column(String(20), default=NO_CRIME)
    extra: Mapped[dict[str, Any] | None]
    # set by cdi_workbench.importing: digest of the values last imported (re-import change detection), when, by whom
    import_hash: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime | None]
    imported_by: Mapped[str | None] = mapped_column(String(100))
    # digest of the record's content as stored (storage.content, schema 0012): `cdi verify` works it out again
    content_hash: Mapped[str | None] = mapped_column(String(32))
    # the owning unit (district, local policing area, team) from the extract (schema 0015); not in content_hash
    unit: Mapped[str | None] = mapped_column(String(80))

    crimes: Mapped[list[CrimeRecord]] = relationship(secondary="record_link", order_by="CrimeRecord.ref")


class CrimeRecord(Base):
    """A crime record from the force's crime system; sampled itself (RecordKind.CRIME) in classification and
    timeliness dip-samples, and the other side of every incident's and referral's checks."""

    __tablename__ = "crime_record"
    # the record view's candidates: crime records at the same place within two days of a report (schema 0010)
    __table_args__ = (Index("ix_crime_place_time", "location", "reported_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    recorded_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]
    month: Mapped[str | None] = mapped_column(String(7))  # street-level files give the month only
    ho_code: Mapped[str | None] = mapped_column(String(10), index=True)
    offence: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="recorded")
    outcome: Mapped[str | None] = mapped_column(String(200))
    source_ref: Mapped[str | None] = mapped_column(String(60), index=True)
    domestic_abuse: Mapped[bool | None]
    victim_age: Mapped[int | None]
    victim_sex: Mapped[str | None] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(200))
    extra: Mapped[dict[str, Any] | None]
    # set by cdi_workbench.importing: digest of the values last imported (re-import change detection), when, by whom
    import_hash: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime | None]
    imported_by: Mapped[str | None] = mapped_column(String(100))
    # digest of the record's content as stored (storage.content, schema 0012): `cdi verify` works it out again
    content_hash: Mapped[str | None] = mapped_column(String(32))
    # the owning unit (district, local policing area, team) from the extract (schema 0015); not in content_hash
    unit: Mapped[str | None] = mapped_column(String(80))
    # the seed-independent draw key of ref (cdi_workbench.draw_keys), since crime records are sampled (schema 0017);
    # their stratum is the offence group of ho_code, worked out in the draw (strata.crime_group); not in content_hash
    draw_key: Mapped[int | None] = mapped_column(BigInteger, default=_key_of("ref"))


class RecordLink(Base):
    """An incident or referral linked to a crime record (many to many), from whichever side carried it."""

    __tablename__ = "record_link"
    report_id: Mapped[int] = mapped_column(ForeignKey("report_record.id", ondelete="CASCADE"), primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime_record.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)


class Disposal(Base):
    __tablename__ = "disposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    crime_ref: Mapped[str | None] = mapped_column(String(80))
    disposal_type: Mapped[str] = mapped_column(String(60))
    issued_at: Mapped[datetime | None]
    offender_history: Mapped[str] = mapped_column(Text, default="")
    victim: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    draw_key: Mapped[int | None] = mapped_column(BigInteger, default=_key_of("ref"))
    extra: Mapped[dict[str, Any] | None]
    # set by cdi_workbench.importing: digest of the values last imported (re-import change detection), when, by whom
    import_hash: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime | None]
    imported_by: Mapped[str | None] = mapped_column(String(100))
    # digest of the record's content as stored (storage.content, schema 0012): `cdi verify` works it out again
    content_hash: Mapped[str | None] = mapped_column(String(32))
    # the owning unit (district, local policing area, team) from the extract (schema 0015); not in content_hash
    unit: Mapped[str | None] = mapped_column(String(80))


class Cancellation(Base):
    __tablename__ = "cancellation"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_ref: Mapped[str] = mapped_column(String(80), unique=True)
    cancelled_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(200), default="")
    decided_by_role: Mapped[str] = mapped_column(String(80), default="")
    offence_group: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    draw_key: Mapped[int | None] = mapped_column(BigInteger, default=_key_of("crime_ref"))
    extra: Mapped[dict[str, Any] | None]
    # set by cdi_workbench.importing: digest of the values last imported (re-import change detection), when, by whom
    import_hash: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime | None]
    imported_by: Mapped[str | None] = mapped_column(String(100))
    # digest of the record's content as stored (storage.content, schema 0012): `cdi verify` works it out again
    content_hash: Mapped[str | None] = mapped_column(String(32))
    # the owning unit (district, local policing area, team) from the extract (schema 0015); not in content_hash
    unit: Mapped[str | None] = mapped_column(String(80))


class N100(Base):
    __tablename__ = "n100"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    incident_ref: Mapped[str | None] = mapped_column(String(60))
    recorded_at: Mapped[datetime | None]
    reason_code: Mapped[str | None] = mapped_column(String(20))
    narrative: Mapped[str] = mapped_column(Text, default="")
    draw_key: Mapped[int | None] = mapped_column(BigInteger, default=_key_of("ref"))
    extra: Mapped[dict[str, Any] | None]
    # set by cdi_workbench.importing: digest of the values last imported (re-import change detection), when, by whom
    import_hash: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime | None]
    imported_by: Mapped[str | None] = mapped_column(String(100))
    # digest of the record's content as stored (storage.content, schema 0012): `cdi verify` works it out again
    content_hash: Mapped[str | None] = mapped_column(String(32))
    # the owning unit (district, local policing area, team) from the extract (schema 0015); not in content_hash
    unit: Mapped[str | None] = mapped_column(String(80))


class Sample(Base):
    """A drawn sample and its frame (population per stratum, method, seed, who drew it, when)."""

    __tablename__ = "sample"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # incident | referral | disposal | cancellation | n100
    system: Mapped[str | None] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(200))
    # 64-bit on PostgreSQL (schema 0020: a programme's derived seeds go up to 2^32 - 1); SQLite's INTEGER is already
    seed: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    frame: Mapped[dict[str, Any] | None]
    drawn_at: Mapped[datetime]
    drawn_by: Mapped[str] = mapped_column(String(100), default="")
    audit_id: Mapped[int | None] = mapped_column(index=True)  # the audit it was drawn for (schema 0016)


class AuditItem(Base):
    """One sampled record to audit, in draw order."""

    __tablename__ = "audit_item"
    __table_args__ = (UniqueConstraint("sample_id", "position"), UniqueConstraint("sample_id", "kind", "record_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("sample.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    position: Mapped[int]
    stratum: Mapped[str | None] = mapped_column(String(40))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_note: Mapped[str] = mapped_column(Text, default="")


class Verdict(Base):
    """One person's verdict on an item. role: primary (the auditor), review (peer reviewer), final (lead).

    The effective verdict is the final one where it exists, else the primary. `body` holds the answers
    (see cdi_workbench.audit.verdicts); the n_* columns are derived on save so the queue can filter fast.
    """

    __tablename__ = "verdict"
    __table_args__ = (UniqueConstraint("item_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_item.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="primary")
    auditor: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    body: Mapped[dict[str, Any]]
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    n_crimes: Mapped[int] = mapped_column(Integer, default=0)
    n_recorded: Mapped[int] = mapped_column(Integer, default=0)
    n_misclassified: Mapped[int] = mapped_column(Integer, default=0)
    n_late: Mapped[int] = mapped_column(Integer, default=0)
    n_failed_checks: Mapped[int] = mapped_column(Integer, default=0)


class VerdictChange(Base):
    """Append-only history of every verdict change: who, when, old and new answers, why (and of flags, review
    assignments, the lead's decisions on challenges, and what a deleted sample took with it)."""

    __tablename__ = "verdict_change"
    # the seals and reopenings of blind reviews are read by action (audit.seals.seal_rows): schema 0013
    __table_args__ = (Index("ix_history_action_item", "action", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # the audit item the change is about; no foreign key (schema 0009): the history outlives an item deleted with
    # its sample (sample_admin), or the hash chain would break
    item_id: Mapped[int] = mapped_column(index=True)
    role: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # set | undo | redo | flag
    old_body: Mapped[dict[str, Any] | None]
    new_body: Mapped[dict[str, Any] | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    # hash chain (cdi_workbench.audit.trail): each row's digest covers its content and the previous digest,
    # so a row edited or removed outside the application breaks the chain
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class UserState(Base):
    """Per-user state kept in the database (e.g. the queue position to come back to)."""

    __tablename__ = "user_state"
    who: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class ReasonOption(Base):
    """Reasons a crime was not recorded, offered in the verdict panel; the registrar can add to the list."""

    __tablename__ = "reason_option"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)
    added_by: Mapped[str] = mapped_column(String(100), default="")


class AuditSetting(Base):
    """Figures and choices that belong to the audit, e.g. the force's police-recorded crime per offence group
    for the 12 months to the end of the audit period (for the annual unrecorded estimate)."""

    __tablename__ = "audit_setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Challenge(Base):
    """A failure sent back to the force: its response (agree or challenge, with rationale) and the lead's
    decision on a challenge (upheld: the force was right; rejected: the finding stands)."""

    __tablename__ = "challenge"
    __table_args__ = (UniqueConstraint("item_id", "crime_no", "failure"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_item.id", ondelete="CASCADE"), index=True)
    crime_no: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str] = mapped_column(String(80))
    response: Mapped[str] = mapped_column(String(10), default="")  # '' | agree | challenge
    force_rationale: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None]
    decision: Mapped[str] = mapped_column(String(10), default="")  # '' | upheld | rejected
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class AppUser(Base):
    """A person who may work on this audit, and their role (cdi_workbench.audit.roles).

    While no one is registered the database is in single-user mode: whoever opens it may do everything. On a
    shared PostgreSQL database each person connects with their own login, and `login` names it."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # auditor | reviewer | lead | liaison
    login: Mapped[str | None] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(100), default="")


class ReviewAssignment(Base):
    """A record the lead has given a peer reviewer to re-check: blind (without seeing the first verdict) or
    open; basis says how it was chosen (random share, failed, flagged, by hand). Changes are also written,
    hash-chained, to verdict_change (action assign / unassign)."""

    __tablename__ = "review_assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_item.id", ondelete="CASCADE"), unique=True)
    reviewer: Mapped[str] = mapped_column(String(100), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # blind | open
    basis: Mapped[str] = mapped_column(String(20))  # random | failed | flagged | hand
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime]


class WorkAssignment(Base):
    """A record of an audit's sample the lead has given a person to audit (team_view.assign_work): one person at a
    time (giving it again moves it). Each giving is also written, hash-chained, to verdict_change (action 'work'),
    which `cdi verify` compares this table with; on PostgreSQL only the lead's login writes it (schema 0019)."""

    __tablename__ = "work_assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_item.id", ondelete="CASCADE"), unique=True)
    person: Mapped[str] = mapped_column(String(100), index=True)
    assigned_by: Mapped[str] = mapped_column(String(100), default="")
    assigned_at: Mapped[datetime]


# each record's content digest kept current by any ORM write (storage.content registers the listeners)
from . import content as _content  # noqa: E402,F401 (after the models it reads)
