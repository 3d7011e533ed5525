"""The audit service: the one API the GUI and the command line use to read the queue and record verdicts.

Every verdict change is committed the moment it is made, with a history row, in one transaction.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..kinds import PersonRole, RecordKind, VerdictRole
from ..rules import REASONS_NOT_RECORDED, RuleSet, rule_set
from ..storage.database import Database, serialise_writes
from ..storage.models import (
    AppUser,
    AuditItem,
    CrimeRecord,
    ReasonOption,
    ReportRecord,
    ReviewAssignment,
    Sample,
    UserState,
    Verdict,
    VerdictChange,
)
from ..timeutil import display, now_utc
from .decision_rules import held_problem
from .evaluate import CrimeFacts, CrimeResult, evaluate, summarise
from .facts import CREDITING
from .programme import AuditSummary, ProgrammeError, default_name, of_audit, resolve, rules_key, summaries
from .queue_queries import apply_filter as _apply_filter
from .queue_queries import counts as _counts
from .queue_queries import matches as _matches
from .queue_queries import passes as _passes
from .queue_queries import record_columns as _record_columns
from .records import CrimeInfo, RecordDetail, crime_info, load_detail
from .review_answers import review_fields_problem
from .roles import VERDICT_ACTION, NotAllowed, Person, identify
from .seals import _revealed, sealed_review, withheld_items
from .trail import AUDITOR, SEAL, seal
from .undo import Change, UndoStack
from .verdicts import VerdictBody, rape_code_problem


@dataclass(frozen=True)
class AuditInfo:
    force: str
    period_start: date
    period_end: date
    rules: RuleSet
    name: str = ""  # the audit of the programme (audit.programme)
    closed: bool = False


@dataclass(frozen=True)
class SampleInfo:
    id: int
    name: str
    kind: str
    system: str
    size: int
    done: int
    method: str


@dataclass(frozen=True)
class QueueRow:
    item_id: int
    position: int
    kind: str
    system: str
    ref: str
    received_at: datetime | None
    status: str  # to do | in progress | done
    flagged: bool
    n_crimes: int
    n_recorded: int
    n_misclassified: int
    n_late: int
    n_failed_checks: int


QUEUE_FILTERS = ("all", "to do", "done", "flagged", "not recorded", "late", "misclassified", "failed")


class AuditError(Exception):
    """A request the audit cannot carry out, with a message fit to show the user."""


class AuditService:
    def __init__(self, db: Database, user: str = "", audit: str | None = None) -> None:
        """`audit`: the programme's audit this service works on (its samples, queue and findings); None: the latest
        (audit.programme.resolve)."""
        from ..local_config import activate

        activate(db)  # the programme's own extra checks into the checks table, replacing any other's (local_config)
        self.db = db
        self.user = user
        self.audit = audit
        self.undo_stack = UndoStack()
        self._unit = threading.local()  # the unit of work open on this thread (unit()), if any

    # ---- units of work ---------------------------------------------------------------------------------
    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One unit of work for a named operation (audit.operations): every call on this service inside the block,
        on this thread, shares one session and one transaction, and the person is looked up once. It commits when
        the outermost block ends (all or nothing: any error rolls the whole operation back), and only then is an
        undoable change put on the undo stack. Nested blocks join the outer one."""
        if getattr(self._unit, "session", None) is not None:
            yield self._unit.session
            return
        after: list[Callable[[], None]] = []
        self._unit.after, self._unit.person = after, None
        try:
            with self.db.session() as s:
                self._unit.session = s
                try:
                    yield s
                finally:
                    self._unit.session = None
        finally:
            self._unit.after, self._unit.person = [], None
        for fn in after:  # committed: now the in-memory state may follow
            fn()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """The open unit's session (no commit of its own: the unit commits), else a unit of work of its own. Every
        read and write of the service and of the review functions goes through here."""
        current = getattr(self._unit, "session", None)
        if current is not None:
            yield current
            return
        with self.db.session() as s:
            yield s

    @contextmanager
    def join(self, s: Session) -> Iterator[Session]:
        """Make a unit of work already open elsewhere (a package merge's session) this service's unit on this
        thread: its calls inside read and write through `s`, which its owner commits or rolls back."""
        if getattr(self._unit, "session", None) is not None:
            raise AuditError("a unit of work is already open on this thread")
        self._unit.session, self._unit.after, self._unit.person = s, [], None
        try:
            yield s
        finally:
            after = self._unit.after
            self._unit.session, self._unit.after, self._unit.person = None, [], None
        for fn in after:
            fn()

    def _after_commit(self, fn: Callable[[], None]) -> None:
        """Run fn once what was written is committed: at the end of the open unit, else now."""
        if getattr(self._unit, "session", None) is not None:
            self._unit.after.append(fn)
        else:
            fn()

    def _person(self, s: Session) -> Person:
        """The person acting (roles.identify), looked up once per unit of work."""
        if getattr(self._unit, "session", None) is s and self._unit.person is not None:
            person: Person = self._unit.person
            return person
        person = identify(s, self.user)
        if getattr(self._unit, "session", None) is s:
            self._unit.person = person
        return person

    # ---- who is acting ---------------------------------------------------------------------------------
    def me(self) -> Person:
        """The person acting and their role (roles.identify: the login on PostgreSQL, else the name)."""
        with self.session() as s:
            return self._person(s)

    def may(self, action: str) -> bool:
        try:
            return self.me().may(action)
        except NotAllowed:
            return False

    def require(self, action: str) -> Person:
        with self.session() as s:
            return self._require(s, action)

    def _require(self, s: Session, action: str) -> Person:
        person = self._person(s)
        person.require(action)
        return person

    def blind_guard(self, person: Person, item_id: int) -> None:
        """Refuse (NotAllowed) to show a reviewer the first verdict of a record assigned to them blind before their
        own review of it is complete and sealed; nothing for anyone else."""
        with self.session() as s:
            self._blind_guard(s, person, item_id)

    def item(self, item_id: int) -> AuditItem:
        """The audit item (AuditError when there is none), in the open unit of work."""
        with self.session() as s:
            return self._item(s, item_id)

    def write(self, item_id: int, body_json: dict | None, role: str, action: str, reason: str,
              auditor: str | None = None, expect: dict | None | Literal[False] = False) -> dict | None:
        """Write a verdict (None: remove it) as this service's person (their role checked for `role`), with its
        history row, in the open unit of work (a merge joins its own: join()); the stored verdict it replaced.
        `auditor`: the person credited with the answers when not the writer (an import, a merge: checked by the
        caller). `expect`: the stored verdict the change was made from (None: none), refused with AuditError when
        another has been saved meanwhile; False: not checked."""
        return self._write(item_id, body_json, role, action, reason, expect=expect, auditor=auditor)

    def _blind_guard(self, s: Session, person: Person, item_id: int) -> None:
        """A reviewer may not see the first verdict of a record assigned to them blind until their own review
        of it is complete."""
        if person.role != PersonRole.REVIEWER:
            return
        a = s.scalar(select(ReviewAssignment).where(ReviewAssignment.item_id == item_id))
        if a is None or a.mode != "blind":
            return
        if not _revealed(s, item_id):
            raise NotAllowed("this record is assigned to you for blind review: the first verdict is shown once "
                             "your own review of it is complete (and sealed)")

    # ---- the audit -------------------------------------------------------------------------------------
    def info(self) -> AuditInfo:
        with self.session() as s:
            try:
                a = resolve(s, self.audit)
            except ProgrammeError as exc:
                raise AuditError(str(exc)) from None
            return AuditInfo(a.force, a.period_start, a.period_end, rule_set(a.rule_set),
                             a.name or default_name(a.period_start, a.period_end), a.closed_at is not None)

    def audits(self) -> list[AuditSummary]:
        """The programme's audits, oldest period first (audit.programme.summaries)."""
        with self.session() as s:
            return summaries(s)

    def samples(self) -> list[SampleInfo]:
        with self.session() as s:
            size = (select(AuditItem.sample_id, func.count().label("n")).group_by(AuditItem.sample_id)
                    .subquery())
            done = (select(AuditItem.sample_id, func.count().label("n")).join(Verdict)
                    .where(Verdict.role == VerdictRole.PRIMARY, Verdict.complete.is_(True))
                    .group_by(AuditItem.sample_id).subquery())
            try:
                audit_id = resolve(s, self.audit).id
            except ProgrammeError as exc:
                raise AuditError(str(exc)) from None
            rows = s.execute(select(Sample, size.c.n, done.c.n).outerjoin(size, size.c.sample_id == Sample.id)
                             .outerjoin(done, done.c.sample_id == Sample.id).where(of_audit(s, audit_id))
                             .order_by(Sample.id))
            return [SampleInfo(smp.id, smp.name, smp.kind, smp.system or "", n or 0, d or 0, smp.method)
                    for smp, n, d in rows]

    def reasons(self) -> list[str]:
        """Reasons a crime was not recorded: the standard list, then those the registrar added."""
        with self.session() as s:
            extra = list(s.scalars(select(ReasonOption.text).order_by(ReasonOption.id)))
        return REASONS_NOT_RECORDED + [r for r in extra if r not in REASONS_NOT_RECORDED]

    def add_reason(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            raise AuditError("a reason needs some words")
        if len(text) > 200:
            raise AuditError("keep a reason under 200 characters")
        if text in self.reasons():
            return
        with self.session() as s:
            s.add(ReasonOption(text=text, added_by=_named(self._require(s, "audit"))))

    # ---- the queue -------------------------------------------------------------------------------------
    def queue(self, sample_id: int, filter_: str = "all", search: str = "",
              item_id: int | None = None) -> list[QueueRow]:
        """The sample's records in draw order with their verdict state, filtered and searched."""
        if filter_ not in QUEUE_FILTERS:
            raise AuditError(f"unknown filter {filter_!r}")
        with self.session() as s:
            person = self._require(s, "read records")
            kind = s.scalar(select(Sample.kind).where(Sample.id == sample_id))
            if kind is None:
                raise AuditError(f"no sample with id {sample_id}")
            table, ref_col, time_col, sys_col, text_col = _record_columns(kind)
            q = (select(AuditItem, ref_col, time_col, sys_col, Verdict)
                 .join(table, table.id == AuditItem.record_id)
                 .outerjoin(Verdict, (Verdict.item_id == AuditItem.id) & (Verdict.role == VerdictRole.PRIMARY))
                 .where(AuditItem.sample_id == sample_id).order_by(AuditItem.position))
            if search.strip():
                q = q.where(_matches(search.strip(), ref_col, text_col,
                                     ReportRecord.location if table is ReportRecord else None))
            # a peer reviewer's blind records show nothing of their first verdict (state, counts, flag) until the
            # review is sealed, and are filtered as records not audited yet (else a filter would tell which failed)
            withheld = withheld_items(s, person)
            if not withheld:
                q = _apply_filter(q, filter_)
            if item_id is not None:
                q = q.where(AuditItem.id == item_id)
            out = []
            for item, ref, when, system, v in s.execute(q):
                flagged = item.flagged
                if item.id in withheld:
                    v, flagged = None, False
                if withheld and not _passes(filter_, v, flagged):
                    continue
                status = "to do" if v is None else ("done" if v.complete else "in progress")
                out.append(QueueRow(item.id, item.position, item.kind, system or "", ref, when, status,
                                    flagged, *(_counts(v))))
            return out

    def rows_for_items(self, item_ids: list[int]) -> list[tuple[str, QueueRow]]:
        """The records behind a figure: (sample name, queue row) for each audit item, in sample order."""
        with self.session() as s:
            found = s.execute(select(AuditItem.id, AuditItem.sample_id, Sample.name)
                              .join(Sample, Sample.id == AuditItem.sample_id)
                              .where(AuditItem.id.in_(item_ids))).all()
        by_sample: dict[int, tuple[str, set[int]]] = {}
        for item_id, sample_id, name in found:
            by_sample.setdefault(sample_id, (name, set()))[1].add(item_id)
        out = []
        for sample_id, (name, ids) in sorted(by_sample.items()):
            out += [(name, r) for r in self.queue(sample_id) if r.item_id in ids]
        return out

    def sample_of(self, item_id: int) -> int:
        with self.session() as s:
            return self._item(s, item_id).sample_id

    def queue_row(self, item_id: int) -> QueueRow:
        return self.queue(self.sample_of(item_id), item_id=item_id)[0]

    # ---- one record ------------------------------------------------------------------------------------
    def record(self, item_id: int) -> RecordDetail:
        with self.session() as s:
            person = self._require(s, "read records")
            detail = load_detail(s, self._item(s, item_id))
            if withheld_items(s, person, [item_id]):  # the auditor's flag and note: part of the first verdict
                detail.flagged, detail.flag_note = False, ""
            return detail

    def find_crime(self, ref: str) -> CrimeInfo | None:
        """A crime record by its reference (exact, ignoring case and surrounding spaces)."""
        with self.session() as s:
            c = s.scalar(select(CrimeRecord).where(func.upper(CrimeRecord.ref) == ref.strip().upper()))
            return crime_info(c, "found by reference") if c else None

    def progress(self, sample_id: int) -> tuple[int, int]:
        """(records with a complete verdict, records in the sample)."""
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(AuditItem).where(AuditItem.sample_id == sample_id))
            done = s.scalar(select(func.count()).select_from(AuditItem).join(Verdict).where(
                AuditItem.sample_id == sample_id, Verdict.role == VerdictRole.PRIMARY, Verdict.complete.is_(True)))
            return done or 0, total or 0

    def verdict(self, item_id: int, role: str = VerdictRole.PRIMARY) -> VerdictBody:
        return VerdictBody.from_json(self.stored(item_id, role))

    def last_change(self) -> int:
        """The newest history row's number: it moves whenever anyone changes anything (for windows to notice)."""
        with self.session() as s:
            return s.scalar(select(func.max(VerdictChange.id))) or 0

    def people_signature(self) -> tuple[tuple[str, str, bool], ...]:
        """Who is registered, with their role and whether active: a window compares it to notice changes."""
        with self.session() as s:
            return tuple((n, r, bool(a)) for n, r, a in s.execute(
                select(AppUser.name, AppUser.role, AppUser.active).order_by(AppUser.name)).tuples())

    def stored(self, item_id: int, role: str = VerdictRole.PRIMARY) -> dict | None:
        """The verdict as stored (None when there is none): what a window edits from, for save_verdict(expect=)."""
        with self.session() as s:
            person = self._require(s, "read records")
            if role != VerdictRole.REVIEW:
                self._blind_guard(s, person, item_id)
            v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == role))
            return dict(v.body) if v else None

    def evaluate(self, item_id: int, body: VerdictBody) -> list[CrimeResult]:
        """Classification and timeliness of each identified crime, worked out under the audit's rules."""
        with self.session() as s:
            return self._evaluate(s, self._item(s, item_id), body)

    def save_verdict(self, item_id: int, body: VerdictBody, reason: str = "", role: str = VerdictRole.PRIMARY,
                     label: str = "Change verdict", expect: dict | None | Literal[False] = False) -> None:
        """Store the verdict now (its own transaction) with a history row; undoable.

        expect: the stored verdict this change was made from (stored(); None for none yet). When someone else
        has saved a different one meanwhile, nothing is written and AuditError says who: a window that had
        not seen their change must not silently overwrite it."""
        before = self._write(item_id, body.to_json(), role, "set", reason, expect=expect)
        change = Change(item_id, role, before, body.to_json(), label)
        self._after_commit(lambda: self.undo_stack.push(change))

    def undo(self) -> int | None:
        """Undo this person's last change, unless someone has changed that verdict since (then refused: undoing
        would silently throw their work away)."""
        change = self.undo_stack.pop_undo()
        return None if change is None else self._replay(change, change.before, "undo", change.after)

    def redo(self) -> int | None:
        change = self.undo_stack.pop_redo()
        return None if change is None else self._replay(change, change.after, "redo", change.before)

    def _replay(self, change: Change, body: dict | None, action: str, expect: dict | None) -> int:
        try:
            self._write(change.item_id, body, change.role, action, f"{action}: {change.label}", expect=expect)
        except AuditError:
            self.undo_stack.forget(change)
            raise
        return change.item_id

    def set_flag(self, item_id: int, flagged: bool, note: str = "") -> None:
        with self.session() as s:
            serialise_writes(s)
            person = self._person(s)
            if not (person.may("audit") or person.may("review")):
                person.require("audit")
            who = _named(person)
            item = self._item(s, item_id)
            old = {"flagged": item.flagged, "note": item.flag_note}
            item.flagged, item.flag_note = flagged, note if flagged else ""
            change = VerdictChange(item_id=item_id, role=VerdictRole.PRIMARY, at=now_utc(), who=who, action="flag",
                                   old_body=old, new_body={"flagged": flagged, "note": item.flag_note}, reason=note)
            seal(s, change)
            s.add(change)

    def verify_trail(self) -> list:
        """Breaks in the history's hash chain and verdicts edited outside the application ([] when intact)."""
        from .trail import verify

        with self.db.snapshot() as s:
            return verify(s)

    def history(self, item_id: int) -> list[VerdictChange]:
        with self.session() as s:
            self._blind_guard(s, self._require(s, "read records"), item_id)
            return list(s.scalars(select(VerdictChange).where(VerdictChange.item_id == item_id)
                                  .order_by(VerdictChange.id)))

    def export_history(self, item_id: int, path: str | Path | None, out: TextIO | None = None) -> int:
        """Write one record's history as CSV (trail.write_history_csv) to the file `path`, for those who may read it
        (on a blind review, once its first verdict may be shown); the export goes in the trail, in the record's own
        history. With path None it is written to the open stream `out` (standard output): shown, not exported.
        Returns the rows written."""
        from .exports import exported
        from .trail import write_history_csv

        if path is None:  # shown, not exported: read as the window's History shows it
            changes = self.history(item_id)  # the role and the blind review checked here
            write_history_csv(changes, out if out is not None else sys.stdout)
            return len(changes)

        def write(_person: Person) -> int:
            changes = self.history(item_id)
            with open(path, "w", newline="", encoding="utf-8") as fh:
                write_history_csv(changes, fh)
            return len(changes)

        return exported(self.db, self.user, "read records", "the history of a record", path, write,
                        lambda n: {"rows": n}, item_id=item_id)

    # ---- remembered position ---------------------------------------------------------------------------
    def remember(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(UserState(who=self._who(), key=key, value=value))

    def recall(self, key: str) -> str:
        with self.session() as s:
            st = s.get(UserState, (self._who(), key))
            return st.value if st else ""

    # ---- internals -------------------------------------------------------------------------------------
    def _who(self) -> str:
        if not self.user.strip() and self.db.engine.dialect.name != "postgresql":
            raise AuditError("say who is auditing before entering verdicts")
        with self.session() as s:
            return _named(self._person(s))

    @staticmethod
    def _item(s: Session, item_id: int) -> AuditItem:
        item = s.get(AuditItem, item_id)
        if item is None:
            raise AuditError(f"no audit item {item_id}")
        return item

    def _evaluate(self, s: Session, item: AuditItem, body: VerdictBody) -> list[CrimeResult]:
        if item.kind not in RecordKind.REPORTS:
            return []
        rules = rule_set(rules_key(s, item.id))
        received = s.scalar(select(ReportRecord.received_at).where(ReportRecord.id == item.record_id))
        ids = [c.crime_id for c in body.crimes if c.crime_id is not None]
        facts = {c.id: CrimeFacts(c.ho_code, c.recorded_at)
                 for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(ids)))} if ids else {}
        return [evaluate(c, facts.get(c.crime_id) if c.crime_id else None, received, rules) for c in body.crimes]

    def save_many(self, verdicts: list[tuple[int, VerdictBody, str]], reason: str,
                  role: str = VerdictRole.PRIMARY) -> None:
        """Store many verdicts in one transaction (an import): all of them or, on any error, none.

        Each is (item id, answers, the auditor who gave them: '' for the person importing); the history
        records the person importing and the reason."""
        with self.session() as s:
            serialise_writes(s)
            for item_id, body, auditor in verdicts:
                self._write_in(s, item_id, body.to_json(), role, "import", reason, auditor or None)

    def _write(self, item_id: int, body_json: dict | None, role: str, action: str, reason: str,
               expect: dict | None | Literal[False] = False, auditor: str | None = None) -> dict | None:
        """expect: the verdict this change must find (undo/redo); False for none expected."""
        with self.session() as s:
            serialise_writes(s)  # before reading the verdict it replaces
            if expect is not False:
                v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == role))
                if _canonical(v.body if v else None) != _canonical(expect):
                    who = f"{v.auditor} at {display(v.updated_at)}" if v else "someone"
                    what = "saving" if action == "set" else action
                    raise AuditError(f"this verdict was changed since by {who}: {what} would overwrite their "
                                     "work, so it was not done")
            return self._write_in(s, item_id, body_json, role, action, reason, auditor)

    def _write_in(self, s: Session, item_id: int, body_json: dict | None, role: str, action: str,
                  reason: str, auditor: str | None = None) -> dict | None:
        if role not in VERDICT_ACTION:
            raise AuditError(f"unknown verdict role {role!r}")
        person = self._require(s, VERDICT_ACTION[role])  # who is acting, in this same transaction
        who = _named(person)
        if role == VerdictRole.REVIEW and person.role == PersonRole.REVIEWER:
            assigned = s.scalar(select(ReviewAssignment.reviewer).where(ReviewAssignment.item_id == item_id))
            if assigned != person.name:
                raise NotAllowed(f"{person.name} may review only the records assigned to them")
        if role == VerdictRole.REVIEW and (sealed := sealed_review(s, item_id)) is not None:
            raise AuditError(sealed.text)  # whoever asks, by whatever way (the panel, undo, an import, a merge)
        if held := held_problem(s, item_id, role, action):  # a decision stands on the first verdict and review
            raise AuditError(held)
        body = VerdictBody.from_json(body_json)
        for c in body.crimes:
            if (c.classified_override is not None or c.timely_override is not None) and not c.override_reason:
                raise AuditError("an override needs a reason")
        item = self._item(s, item_id)
        if body_json is not None and (problem := rape_code_problem(item.kind, body)
                                      or review_fields_problem(item.kind, role, body)):
            raise AuditError(problem)
        v = s.scalar(select(Verdict).where(Verdict.item_id == item_id, Verdict.role == role))
        before = dict(v.body) if v else None
        now = now_utc()
        if body_json is None:
            if v is not None:
                s.delete(v)
        else:
            summary = summarise(body, self._evaluate(s, item, body))
            if v is None:
                v = Verdict(item_id=item_id, role=role, auditor=who, updated_at=now, body=body_json)
                s.add(v)
            v.auditor, v.updated_at, v.body, v.complete = auditor or who, now, body.to_json(), body.complete
            v.n_crimes, v.n_recorded = summary.n_crimes, summary.n_recorded
            v.n_misclassified, v.n_late = summary.n_misclassified, summary.n_late
            v.n_failed_checks = summary.n_failed_checks
        recorded = body.to_json() if body_json is not None else None
        if recorded is not None and (auditor is not None or action in CREDITING):
            recorded[AUDITOR] = auditor or who  # the auditor credited, not the person writing (audit.facts)
        change = VerdictChange(item_id=item_id, role=role, at=now, who=who, action=action, old_body=before,
                               new_body=recorded, reason=reason)
        seal(s, change)
        s.add(change)
        s.flush()
        if (role == VerdictRole.REVIEW and body_json is not None and body.complete
                and s.scalar(select(ReviewAssignment.mode).where(ReviewAssignment.item_id == item_id)) == "blind"):
            # a blind review is sealed the moment it is complete: its first verdict is shown from now on, so the
            # review as it stands is the blind one, and it can change only once the lead has reopened it
            sealing = VerdictChange(item_id=item_id, role=role, at=now, who=who, action=SEAL, old_body=None,
                                    new_body=body.to_json(),
                                    reason="blind review complete: sealed (the auditor's verdict is shown from now "
                                           "on; only the audit lead can reopen the review)")
            seal(s, sealing)
            s.add(sealing)
            s.flush()
        return before


def _named(person: Person) -> str:
    """The name to stamp on a change; none given (single-user mode) is refused."""
    if not person.name:
        raise AuditError("say who is auditing before entering verdicts")
    return person.name


def _canonical(body: dict | None) -> str:
    return json.dumps(VerdictBody.from_json(body).to_json() if body is not None else None, sort_keys=True)
