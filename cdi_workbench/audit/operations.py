"""The window's front door: named operations on an open audit, each a unit of work in the core.

The window (ui/) runs these off its main thread and only shows what they return. Every operation checks the
person's role in the core (through AuditService and audit.review), and those that change anything return a
change record (`Changes`: the verdicts of which items, samples, people, settings) that the window applies to
its views in one place. The choices the window used to make itself live here, tested without Qt: which verdict
a reviewer or the lead starts from, what a save expects to find stored, what a person may do in the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, Literal, ParamSpec, TypeVar

from ..classification import Classification, codes_for_period
from ..kinds import PersonRole, VerdictRole
from ..storage import encryption as _encryption
from ..storage.database import Database
from . import review
from .evaluate import CrimeResult
from .records import RecordDetail
from .roles import ACTION_TEXT, ARTICLE, NotAllowed, Person, who_may
from .seals import Seal
from .service import AuditError, AuditInfo, AuditService, QueueRow, SampleInfo
from .verdicts import VerdictBody

if TYPE_CHECKING:
    from ..findings import Findings

# The window holds an open audit as this handle and passes it back to the operations; it never opens a session.
AuditHandle = Database

# Encrypted files (storage/encryption.py): the window asks for a passphrase on its own thread, through these, before
# it hands an opening to the worker; the core keeps the key in memory for the session, never in the settings.
PassphraseRequest = _encryption.PassphraseRequest
needs_passphrase = _encryption.needs_passphrase  # (target) -> an encrypted file not opened yet this session?
unlock = _encryption.unlock  # (path, provider) -> False if the person gave no passphrase
set_package_passphrase = _encryption.set_package_passphrase  # (audit, passphrase): its packages encrypted with it
weak_passphrase = _encryption.weak_passphrase  # (passphrase) -> why a new passphrase is too weak, '' when it is not


class Mode(StrEnum):
    """Which verdict the window edits: the auditor's first verdict, a peer review, or the lead's final verdict."""

    AUDIT = VerdictRole.PRIMARY
    REVIEW = VerdictRole.REVIEW
    FINAL = VerdictRole.FINAL


@dataclass(frozen=True)
class Changes:
    """What an operation changed, for the window to apply to its views (queue rows, samples, people, figures)."""

    items: frozenset[int] = frozenset()  # audit items whose verdicts (or flags, assignments) changed
    samples: bool = False  # samples drawn, extended, renamed or deleted
    people: bool = False  # people registered, changed or deactivated
    settings: bool = False  # audit settings (recorded-crime figures, reasons)
    verdicts: bool = False  # some verdicts changed, which ones not known (others' work, seen from the trail)

    @property
    def findings(self) -> bool:
        """Do the figures need working out again?"""
        return bool(self.items) or self.verdicts or self.samples or self.settings

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.items | other.items, self.samples or other.samples, self.people or other.people,
                       self.settings or other.settings, self.verdicts or other.verdicts)

    def __bool__(self) -> bool:
        return self.findings or self.people


NOTHING = Changes()


P = ParamSpec("P")
R = TypeVar("R")


def one_unit(op: Callable[Concatenate[AuditService, P], R]) -> Callable[Concatenate[AuditService, P], R]:
    """Run an operation as one unit of work (AuditService.unit): one session and one transaction for everything
    it reads and writes, the person looked up once, committed when it returns (all or nothing)."""

    @wraps(op)
    def run(svc: AuditService, *args: P.args, **kwargs: P.kwargs) -> R:
        with svc.unit():
            return op(svc, *args, **kwargs)

    return run


# ---- opening an audit --------------------------------------------------------------------------------------
@dataclass
class OpenedAudit:
    """An audit database opened for a person: everything the window shows before the first record."""

    db: Database
    svc: AuditService
    info: AuditInfo
    samples: list[SampleInfo]
    codes: list[Classification]
    reasons: list[str]

    def close(self) -> None:
        self.db.close()


def open_audit(path: str, user: str, audit: str | None = None) -> OpenedAudit:
    """Open (and if need be upgrade, after a backup) the audit database at `path` for `user`, on the programme's
    audit called `audit` (the window's last; the latest when None or no longer in the programme). The service
    stays on that audit when others are added (programme_operations.switch_audit changes it)."""
    db = Database(path)
    try:
        svc = AuditService(db, user, audit)
        try:
            info = svc.info()
        except AuditError:
            if audit is None:
                raise
            svc.audit = None
            info = svc.info()
        svc.audit = info.name
        return OpenedAudit(db, svc, info, svc.samples(), codes_for_period(info.period_start, info.period_end),
                           svc.reasons())
    except BaseException:
        db.close()
        raise


# ---- what the window may offer ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowState:
    """What the window is doing, as far as permissions depend on it."""

    mode: Mode = Mode.AUDIT
    has_record: bool = False
    first_hidden: bool = False  # the record in view is a blind review not yet complete
    has_database: bool = True
    sealed: str = ""  # the review in view is sealed: why it cannot be changed (Seal.text); '' when it is not
    closed: str = ""  # the open audit's name when it is closed (its verdicts read as final: closed_guard)


def may(person: Person | None, need: str, state: WindowState = WindowState()) -> tuple[bool, str]:
    """May the person do `need` now (a roles.PERMISSIONS action, or 'edit' the verdict the window edits,
    'history', 'findings', 'review mode')? Else why not, in words for a tooltip. The same PERMISSIONS the core
    enforces on every write: this only says it before the person tries."""
    if person is None:
        return False, ("Open an audit database first" if not state.has_database
                       else "Nobody is identified on this audit: File > Change who is working…")
    you = f"you are {ARTICLE.get(person.role, 'in')} {person.title.lower()}"
    if need == "edit":
        if not state.has_record and person.may("read records"):
            return False, "No record open"
        if state.closed:
            return False, (f"The audit '{state.closed}' is closed: its verdicts read as final "
                           "(the lead reopens it from the Programme menu to change them)")
        if state.mode == Mode.REVIEW and state.sealed and person.may("review"):
            return False, state.sealed
        need = {Mode.FINAL: "adjudicate", Mode.REVIEW: "review"}.get(state.mode, "audit")
    if need == "history":
        if state.mode == Mode.REVIEW and state.first_hidden:
            return False, "Blind review: the record's history is shown once your review is complete"
        need = "read records"
    if need == "findings":
        if person.role == PersonRole.REVIEWER:
            return False, ("Not shown to peer reviewers: the findings are made of the first verdicts, "
                           "which a blind review must not see")
        need = "report"
    if need == "review mode":
        if person.role == PersonRole.REVIEWER:
            return False, "A peer reviewer always works on the records assigned to them"
        need = "review"
    if person.may(need):
        return True, ""
    return False, f"Only {who_may(need)} may {ACTION_TEXT[need]}; {you}"


def identify(svc: AuditService) -> Person | NotAllowed:
    """Who is acting on the open audit, or why they may not (returned, not raised: the window asks again)."""
    try:
        return svc.me()
    except NotAllowed as exc:
        return exc


# ---- the queue ---------------------------------------------------------------------------------------------
@dataclass
class Queue:
    rows: list[Any]  # QueueRow, or review.Assignment when reviewing
    everything: list[Any]  # the whole sample (or all the person's assignments), for progress and the kind
    reviewing: bool

    @property
    def done(self) -> int:
        if self.reviewing:
            return sum(a.state not in ("to review", "in progress") for a in self.everything)
        return sum(r.status == "done" for r in self.everything)


@one_unit
def load_queue(svc: AuditService, sample_id: int, filter_: str = "all", text: str = "",
               reviewing: bool = False) -> Queue:
    """The sample's records as the queue shows them: filtered and searched; a reviewer's are their assigned
    records (review_filter over the assignment states)."""
    if reviewing:
        me = svc.me().name
        everything = review.assignments(svc, sample_id, reviewer=me)
        found = {r.item_id for r in svc.queue(sample_id, "all", text)} if text.strip() else None
        rows = [a for a in everything if review_filter(a.state, filter_) and (found is None or a.item_id in found)]
        return Queue(rows, everything, True)
    shown = svc.queue(sample_id, filter_, text)
    # the whole sample (for the progress line) is the same query when nothing is filtered out: read it once
    return Queue(shown, list(shown) if filter_ == "all" and not text.strip() else svc.queue(sample_id), False)


REVIEW_FILTERS = ("all", "to review", "in progress", "reviewed")


def review_filter(state: str, filter_: str) -> bool:
    """Does an assignment in `state` pass the reviewer's queue filter (REVIEW_FILTERS)?"""
    if filter_ in ("to review", "in progress"):
        return state == filter_
    if filter_ == "reviewed":
        return state not in ("to review", "in progress")
    return True


# ---- a record ----------------------------------------------------------------------------------------------
@dataclass
class OpenedRecord:
    item_id: int
    mode: Mode
    detail: RecordDetail
    body: VerdictBody  # what the panel starts from
    results: list[CrimeResult]
    first: review.FirstVerdict | None  # the auditor's verdict beside a review or a final verdict
    from_first: bool  # an open review starting from the first verdict's answers
    base: dict[str, Any] | None  # the stored verdict the next save expects to find (None: none stored)
    sealed: Seal | None = None  # a review: sealed (read-only, Seal.text says why), else None
    review_note: Any = None  # the auditor's own record: the reviewer's note back (audit.decisions.ReviewNote)


def starting_body(svc: AuditService, item_id: int, mode: Mode) -> VerdictBody:
    """The verdict the panel starts from: the auditor's own; a reviewer's review so far (an open review starts
    from the first verdict's answers); the lead's final verdict so far, else the reviewer's answers."""
    if mode == Mode.FINAL:
        body = svc.verdict(item_id, VerdictRole.FINAL)
        return replace(svc.verdict(item_id, VerdictRole.REVIEW), complete=False) if body == VerdictBody() else body
    if mode == Mode.REVIEW:
        return review.start_body(svc, item_id)
    return svc.verdict(item_id)


@one_unit
def remember_position(svc: AuditService, sample_id: int, item_id: int) -> None:
    """The record to come back to in a sample (a write: the window makes it once the person pauses, not on every
    record opened, so paging through records never waits for the disk)."""
    svc.remember(f"position:{sample_id}", str(item_id))


@one_unit
def open_record(svc: AuditService, item_id: int, mode: Mode, sample_id: int | None = None) -> OpenedRecord:
    """A record as the window shows it, with the verdict it edits and what that verdict's next save expects.
    Role and blind-review checks are the service's (a blind reviewer never gets the first verdict). Read only."""
    detail = svc.record(item_id)
    body = starting_body(svc, item_id, mode)
    offer_chosen(svc, detail, body)
    first = review.first_verdict(svc, item_id) if mode in (Mode.REVIEW, Mode.FINAL) else None
    from_first = mode == Mode.REVIEW and body != VerdictBody() and svc.verdict(item_id, "review") == VerdictBody()
    base = svc.stored(item_id, mode.value)
    sealed = review.sealed(svc, item_id) if mode == Mode.REVIEW else None
    from .decisions import review_note

    note = review_note(svc, item_id) if mode == Mode.AUDIT else None
    return OpenedRecord(item_id, mode, detail, body, svc.evaluate(item_id, body), first, from_first, base, sealed,
                        note)


def offer_chosen(svc: AuditService, detail: RecordDetail, body: VerdictBody) -> None:
    """A crime record the verdict chose by its reference ('Another crime record…') is neither linked to the record
    nor a candidate: offer it again, so the verdict shows it, with its status, when the record is opened again
    (else the crime editor could not select it, and the next change would drop the link)."""
    known = {c.id for c in (*detail.linked, *detail.candidates)}
    for f in body.crimes:
        if f.crime_id is not None and f.crime_id not in known and f.crime_ref:
            found = svc.find_crime(f.crime_ref)
            if found is not None and found.id == f.crime_id:
                detail.candidates.append(replace(found, why="chosen in the verdict"))
                known.add(found.id)


@dataclass
class Saved:
    item_id: int
    results: list[CrimeResult]
    row: QueueRow | review.Assignment  # the queue's row for the record, as it now stands
    progress: tuple[int, int]  # (done, of)
    first: review.FirstVerdict | None  # a completed blind review now shows the first verdict
    base: dict[str, Any]  # what the next save of this record expects to find
    changes: Changes = field(default_factory=lambda: NOTHING)
    sealed: Seal | None = None  # a blind review completed by this save is sealed: the panel is read-only now


@one_unit
def save_verdict(svc: AuditService, item_id: int, body: VerdictBody, mode: Mode,
                 expect: dict[str, Any] | None | Literal[False] = False, label: str = "", sample_id: int | None = None,
                 final_reason: str = "") -> Saved:
    """Save the verdict the window edits. `expect`: the stored verdict the edit was made from (None: none was
    stored; False: do not check); when someone else has saved a different one meanwhile, nothing is written and
    AuditError says who. The lead's final verdict carries the decision's reason."""
    reason = f"adjudicated: the lead's own verdict. {final_reason}" if mode == Mode.FINAL else ""
    if mode == Mode.FINAL:  # the lead decides only a disagreement (or changes their own decision on one)
        svc.require("adjudicate")
        if problem := review.awaiting_problem(svc, item_id, decided=True):
            raise AuditError(problem)
    svc.save_verdict(item_id, body, reason=reason, label=label, role=mode.value, expect=expect)
    changes = Changes(frozenset({item_id}))
    if mode == Mode.REVIEW:  # the assignment's new state; a completed blind review now shows the first verdict
        mine = review.assignments(svc, sample_id, reviewer=svc.me().name)
        row = next(a for a in mine if a.item_id == item_id)
        done = sum(a.state not in ("to review", "in progress") for a in mine)
        return Saved(item_id, svc.evaluate(item_id, body), row, (done, len(mine)), review.first_verdict(svc, item_id),
                     body.to_json(), changes, review.sealed(svc, item_id))
    return Saved(item_id, svc.evaluate(item_id, body), svc.queue_row(item_id),
                 svc.progress(sample_id) if sample_id else (0, 0), None, body.to_json(), changes)


@one_unit
def reopen_review(svc: AuditService, item_id: int, reason: str) -> Changes:
    """The lead reopens a sealed blind review, with a reason written to the trail (audit.review.reopen)."""
    review.reopen(svc, item_id, reason)
    return Changes(frozenset({item_id}))


@one_unit
def export_history(svc: AuditService, item_id: int, path: str) -> int:
    """One record's history as CSV (checked and recorded in the trail by the core); the rows written."""
    return svc.export_history(item_id, path)


@dataclass
class Replayed:
    """An undo or redo: the item it changed (None: nothing to undo/redo), and the change record."""

    item_id: int | None
    changes: Changes


@one_unit
def undo(svc: AuditService) -> Replayed:
    item = svc.undo()
    return Replayed(item, Changes(frozenset({item})) if item is not None else NOTHING)


@one_unit
def redo(svc: AuditService) -> Replayed:
    item = svc.redo()
    return Replayed(item, Changes(frozenset({item})) if item is not None else NOTHING)


# ---- others at work ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Seen:
    """What a window has seen of the audit, to tell what others changed since."""

    last_change: int
    samples: tuple[tuple[int, str, int], ...]  # (id, name, size)
    people: tuple[tuple[str, str, bool], ...]  # (name, role, active)


@dataclass
class Look:
    seen: Seen
    changes: Changes
    stored: dict[str, Any] | None | bool  # the open record's stored verdict now (False: not looked up)
    samples: list[SampleInfo]


@one_unit
def look(svc: AuditService, before: Seen | None, item_id: int | None = None, mode: Mode = Mode.AUDIT) -> Look:
    """What others have changed since `before`: verdicts (the queue and figures), samples drawn or changed
    elsewhere, people registered or their roles changed; and the stored verdict of the record open."""
    samples = svc.samples()
    seen = Seen(svc.last_change(), tuple((s.id, s.name, s.size) for s in samples), svc.people_signature())
    stored = svc.stored(item_id, mode.value) if item_id is not None else False
    if before is None:
        return Look(seen, NOTHING, stored, samples)
    changes = Changes(samples=seen.samples != before.samples, people=seen.people != before.people,
                      verdicts=seen.last_change != before.last_change)
    return Look(seen, changes, stored, samples)


# ---- figures -----------------------------------------------------------------------------------------------
def findings(db: Database, method: str = "normal", previous: str | None = None, audit: str | None = None) -> Findings:
    """The findings of the programme's audit called `audit` (None: the latest) with the chosen interval method;
    with a previous audit's database, its figures in brackets."""
    from ..findings import compute, with_previous

    current = compute(db, method=method, audit=audit)
    if not previous:
        return current
    old = Database(previous)
    try:
        return with_previous(current, compute(old, method=method), source=previous)
    finally:
        old.close()


def recorded_crime(db: Database, audit: str | None = None) -> dict[str, int]:
    """The force's police-recorded crime per offence group, as entered for the annual estimate of the programme's
    audit called `audit` (None: the latest): each audit has its own."""
    from ..findings import recorded_crime as stored

    with db.session() as s:
        return stored(s, audit)


def set_recorded_crime(db: Database, figures: dict[str, int | None], who: str, audit: str | None = None) -> Changes:
    """Store (None: clear) recorded-crime figures per group of the audit called `audit` (None: the latest); the
    lead or an auditor (checked in the core)."""
    from ..findings import set_recorded_crime as store

    store(db, figures, who, audit)
    return Changes(settings=True)


# ---- smaller actions ---------------------------------------------------------------------------------------
@one_unit
def add_reason(svc: AuditService, text: str) -> list[str]:
    """A reason auditors can choose when a crime was not recorded (the lead or an auditor); the list as it now is."""
    svc.add_reason(text)
    return svc.reasons()


@dataclass
class Flagged:
    row: QueueRow
    changes: Changes


@one_unit
def flag(svc: AuditService, item_id: int, flagged: bool, note: str = "") -> Flagged:
    """Flag a record for a second opinion with a note, or clear the flag; the queue's row as it now stands."""
    svc.set_flag(item_id, flagged, note.strip())
    return Flagged(svc.queue_row(item_id), Changes(frozenset({item_id})))


@dataclass
class Extended:
    added: int
    samples: list[SampleInfo]
    changes: Changes


def extend_sample(svc: AuditService, name: str, size: int) -> Extended:
    """The next `size` records of a sample's random order (never one already drawn); who may: the sampling's."""
    from ..sampling import SampleOps

    added = SampleOps(svc.db).extend(name, size, svc.user)
    return Extended(added, svc.samples(), Changes(samples=True))


def export_draw_list(svc: AuditService, name: str, path: str) -> int:
    """Write a sample's records in draw order to a CSV file; how many were written."""
    from ..sampling import SampleOps

    return SampleOps(svc.db).export(name, path, svc.user)


@dataclass
class Located:
    """Where an audit item is: its sample, and (when the window leaves review mode) every sample."""

    item_id: int
    sample_id: int
    samples: list[SampleInfo] | None


@one_unit
def locate(svc: AuditService, item_id: int, with_samples: bool = False) -> Located:
    return Located(item_id, svc.sample_of(item_id), svc.samples() if with_samples else None)


@dataclass
class SamplesChanged:
    """A sample renamed or deleted: its name as it now is (or was), the samples as they now stand."""

    name: str
    samples: list[SampleInfo]
    changes: Changes
    deleted: Any = None  # sample_admin.Deleted, for a deletion


def rename_sample(svc: AuditService, old: str, new: str) -> SamplesChanged:
    """Rename a sample (who may: those who may draw samples; checked in sample_admin)."""
    from ..sampling import SampleOps

    name = SampleOps(svc.db).rename(old, new, svc.user)
    return SamplesChanged(name, svc.samples(), Changes(samples=True))


def sample_holdings(svc: AuditService, name: str) -> Any:
    """What deleting the sample would remove (sample_admin.Holdings), for the window to ask about."""
    from ..sampling import SampleOps

    return SampleOps(svc.db).holdings(name)


def delete_sample(svc: AuditService, name: str, reason: str = "") -> SamplesChanged:
    """Delete a sample; one holding verdicts needs the lead and a reason, written to the trail (sample_admin)."""
    from ..sampling import SampleOps

    deleted = SampleOps(svc.db).delete(name, svc.user, reason)
    return SamplesChanged(name, svc.samples(), Changes(samples=True), deleted)


def save_copy(svc: AuditService, path: str, overwrite: bool = False) -> str:
    """A consistent copy of the open audit (SQLite's backup API, the write-ahead log included); refused for a
    PostgreSQL database and for those whose role may not (cdi_workbench.backup)."""
    from ..backup import save_copy as copy

    return str(copy(svc.db, path, svc.user, overwrite=overwrite))
