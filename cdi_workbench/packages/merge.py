"""Merging an audit package back: a plan first (what is taken, what is kept, what conflicts), then applying it
with a resolution for every conflict, in one transaction.

For each item and role the base is the verdict the package started from (its digest at export, or what the
last merge of the same package took). Only the package changed it: the package's verdict is taken, written
through the audit service so the history and its hash chain record it, attributed to whoever made the change
in the package. Only this database changed it: it is kept. Both changed it differently: a conflict, never
overwritten silently; it is shown check by check and needs 'ours' (keep this database's verdict) or 'theirs'
(take the package's). Importing the same package again finds nothing new, so it writes nothing.
"""

from __future__ import annotations

import copy
import hmac
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..audit.audit_scope import check_sample
from ..audit.checks import CheckDiff, differences, rationale
from ..audit.programme import resolve as resolve_audit
from ..audit.roles import VERDICT_ACTION, NotAllowed, Person, identify, require
from ..audit.seals import withheld_items
from ..audit.service import AuditError, AuditService
from ..audit.trail import NOT_VERDICTS, seal, verify
from ..audit.verdicts import VerdictBody
from ..kinds import PersonRole, RecordKind, VerdictRole
from ..sample_admin import former_names
from ..storage.database import Database, DatabaseError, UntrustedFile, serialise_writes
from ..storage.encryption import Key, PassphraseError, WrongPassphrase, is_encrypted, key_for, remember
from ..storage.models import (
    N100,
    Audit,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    ReportRecord,
    ReviewAssignment,
    Sample,
    Verdict,
    VerdictChange,
)
from ..timeutil import display, now_utc
from .common import (
    EXPORT_KEY,
    FORMAT,
    ISSUE,
    ISSUED_ITEM,
    MAC,
    MANIFEST_KEY,
    MERGE_KEY,
    PackageError,
    audit_uid,
    body_hash,
    get_setting,
    issue_mac,
    last_change,
    package_secret,
    person_named,
    put_json,
    read_json,
)

TAKE, CONFLICT, SAME, KEPT, UNCHANGED = "take", "conflict", "same", "kept", "unchanged"
RESOLUTIONS = ("ours", "theirs")


@dataclass(frozen=True)
class Side:
    """One side's verdict on an item: answers, whose verdict it is, who last changed it and when."""

    body: dict[str, Any] | None
    auditor: str
    who: str
    at: datetime | None

    @property
    def rationale(self) -> str:
        return rationale(self.body)

    def attribution(self) -> str:
        if self.body is None and not self.who:
            return "no verdict"
        return f"{self.who or self.auditor}, {display(self.at)}" if self.at else (self.who or self.auditor)


@dataclass(frozen=True)
class ItemMerge:
    item_id: int
    role: str
    sample: str
    position: int
    kind: str
    ref: str
    status: str  # take | conflict | same | kept | unchanged
    ours: Side
    theirs: Side
    ours_hash: str | None
    theirs_hash: str | None
    checks: list[CheckDiff] = field(default_factory=list)  # where the two verdicts differ

    @property
    def key(self) -> str:
        return f"{self.item_id}:{self.role}"

    @property
    def label(self) -> str:
        role: dict[str, str] = {VerdictRole.PRIMARY: "auditor's verdict", VerdictRole.REVIEW: "reviewer's verdict",
                                VerdictRole.FINAL: "lead's decision"}
        return f"{self.ref} ({self.sample} #{self.position}), {role.get(self.role, self.role + ' verdict')}"


@dataclass(frozen=True)
class MergePlan:
    package: str  # the file
    package_id: str
    exported_by: str
    exported_at: datetime
    source: str
    sample: str
    entries: list[ItemMerge]
    records: int  # items in the package
    issued_to: str = ""  # the person the package was issued to: every verdict taken is theirs
    roles: tuple[str, ...] = ()  # the verdict roles it was issued for: the only ones taken

    def having(self, status: str) -> list[ItemMerge]:
        return [e for e in self.entries if e.status == status]

    @property
    def auto(self) -> list[ItemMerge]:
        return self.having(TAKE)

    @property
    def conflicts(self) -> list[ItemMerge]:
        return self.having(CONFLICT)

    def summary(self) -> str:
        parts = [f"{len(self.auto)} verdict(s) changed only in the package (to take)",
                 f"{len(self.conflicts)} conflict(s)"]
        parts += [f"{n} {what}" for n, what in ((len(self.having(KEPT)), "changed only here (kept)"),
                                                (len(self.having(SAME)), "changed the same way on both sides"),
                                                (len(self.having(UNCHANGED)), "unchanged")) if n]
        return (f"{self.records} record(s) in the package; their verdicts: " + ", ".join(parts)
                + " (a record nobody has given a verdict yet is in none of these)")


@dataclass(frozen=True)
class MergeResult:
    taken: int  # changed only in the package
    theirs: int  # conflicts resolved by taking the package's verdict
    ours: int  # conflicts resolved by keeping this database's verdict

    @property
    def written(self) -> int:
        return self.taken + self.theirs + self.ours

    def summary(self) -> str:
        if not self.written:
            return "Nothing to merge: the package holds no change this database has not already got."
        return (f"Merged: {self.taken} verdict(s) taken from the package; conflicts: {self.theirs} resolved with "
                f"the package's verdict, {self.ours} keeping this database's.")


# ---- the plan ---------------------------------------------------------------------------------------------
def plan_import(db: Database, package: str | Path, who: str = "", audit: str | None = None) -> MergePlan:
    """Read the package and compare it with this database; writes nothing.

    The package must be what this database issued (its issue description and MAC, docs/packages.md), merged by
    the lead or by the person it was issued to; it may hold changes only in the verdict roles and on the records
    it was issued for, or it is refused whole, saying what. The package's verdicts are the issued person's,
    whatever name was typed in it. A peer reviewer planning a merge sees nothing of a blind record's first
    verdict. With `audit` named, the package's sample must be that audit's (ProgrammeError naming the sample's own
    audit, or listing the audits when there is none of that name)."""
    person = require(db, who, "carry records offline")
    path = Path(package)
    if audit is not None:  # an unknown audit, before the package's passphrase is asked for
        with db.session() as s:
            resolve_audit(s, audit)
    manifest, theirs, crime_refs = _read_package(path)
    with db.session() as s:
        _check_identity(s, manifest, path)
        issue = _check_issue(s, manifest, path)
        issued_to, allowed = str(issue["issued_to"]), tuple(issue["roles"])
        check_importer(person, issued_to)
        state = read_json(s, MERGE_KEY + manifest["package_id"]) or {}
        mains = _check_items(s, manifest, path)
        smp = s.get(Sample, next(iter(mains.values())).sample_id) if audit is not None and mains else None
        if smp is not None:  # the sample's own audit must be the one named
            check_sample(s, smp, audit)
        _check_no_other_items(theirs, issue, path)
        to_main = _crime_ids(s, crime_refs, path)
        hidden = (set(issue["blind"]) | withheld_items(s, person, list(mains))
                  if person.role == PersonRole.REVIEWER else set())
        entries = []
        for m in manifest["items"]:
            item = mains[m["item_id"]]
            ours = {v.role: v for v in s.scalars(select(Verdict).where(Verdict.item_id == item.id))}
            pkg = theirs.get(item.id, {})
            merged = {k.split(":", 1)[1] for k in state if k.split(":", 1)[0] == str(item.id)}
            for role in sorted(set(m["base"]) | set(pkg) | set(ours) | merged):
                t_side = pkg.get(role) or Side(None, "", "", None)
                t_side = Side(_remap(t_side.body, crime_refs, to_main), t_side.auditor, t_side.who, t_side.at)
                if role in allowed:  # the issued person's, whatever name was typed in the package
                    t_side = Side(t_side.body, issued_to, issued_to, t_side.at)
                o_side = _main_side(s, ours.get(role), item.id, role)
                base = state.get(f"{item.id}:{role}", m["base"].get(role))
                entries.append(_entry(m, manifest["sample"], role, o_side, t_side, base))
    _refuse_other_roles(entries, issued_to, allowed, path)
    # a blind reviewer is shown only the review: nothing of the first verdict, its rationale or who gave it
    entries = [e for e in entries if e.item_id not in hidden or e.role == VerdictRole.REVIEW]
    src = manifest["source"]
    return MergePlan(str(path), manifest["package_id"], manifest["exported_by"],
                     datetime.fromisoformat(manifest["exported_at"]), src.get("database", ""), manifest["sample"],
                     entries, len(manifest["items"]), issued_to, allowed)


ROLE_WORDS: dict[str, str] = {VerdictRole.PRIMARY: "first verdicts", VerdictRole.REVIEW: "review verdicts",
              VerdictRole.FINAL: "the lead's decisions"}


def _issued_for(issued_to: str, roles: tuple[str, ...]) -> str:
    return f"issued to {issued_to} for {' and '.join(ROLE_WORDS.get(r, r) for r in roles) or 'nothing'}"


def check_importer(person: Person, issued_to: str) -> None:
    """Who may merge a package: the audit lead (or anyone in single-user mode), or the person it was issued to
    (their own share); nobody else, whatever their role."""
    if person.role in (PersonRole.LEAD, "everything") or person.name.strip().lower() == issued_to.strip().lower():
        return
    raise NotAllowed(f"{person.name} ({person.title.lower()}) may not merge a package issued to {issued_to}: "
                     "only the audit lead, or the person it was issued to, may")


def _check_issue(s: Session, manifest: dict[str, Any], path: Path) -> dict[str, Any]:
    """The package's issue description, verified with this database's package key; refused if anything of it,
    or the list of records the manifest holds, is not what this database issued."""
    issue, mac = manifest.get(ISSUE), manifest.get(MAC)
    if not isinstance(issue, dict) or not isinstance(mac, str):
        raise PackageError(f"{path.name} does not say what it was issued for (an earlier version of the workbench "
                           "made it, or it was altered), so nothing of it is merged: export the records again")
    secret = package_secret(s)
    if secret is None or not hmac.compare_digest(issue_mac(secret, issue), mac):
        raise PackageError(f"{path.name} is not as this database issued it: its description (records, person, "
                           "roles or blind records) was changed or it was made elsewhere, so its seal does not "
                           "verify and nothing of it is merged")
    src = manifest.get("source") or {}
    if (issue.get("package_id") != manifest.get("package_id") or issue.get("source") != src.get("uid")
            or issue.get("sample") != manifest.get("sample")):
        raise PackageError(f"{path.name}: its manifest does not match what it was issued for (package, database "
                           "or sample), so nothing of it is merged")
    if get_setting(s, EXPORT_KEY + str(issue["package_id"])) is None:
        raise PackageError(f"this database has no record of issuing {path.name}, so nothing of it is merged")
    listed = [{k: m.get(k) for k in ISSUED_ITEM} for m in manifest.get("items") or []]
    if listed != issue["items"]:
        raise PackageError(f"{path.name}: its list of records (or their verdicts at export) is not the one it was "
                           "issued with, so nothing of it is merged")
    return issue


def _check_no_other_items(theirs: dict[int, dict[str, Side]], issue: dict[str, Any], path: Path) -> None:
    issued = {int(m["item_id"]) for m in issue["items"]}
    other = sorted(i for i in theirs if i not in issued)
    if other:
        raise PackageError(f"{path.name} holds verdicts on {len(other)} record(s) it was not issued for (audit item "
                           f"{', '.join(map(str, other[:10]))}{' ...' if len(other) > 10 else ''}); "
                           f"{_issued_for(issue['issued_to'], tuple(issue['roles']))} on its own "
                           f"{len(issued)} record(s), so nothing of it is merged")


def _refuse_other_roles(entries: list[ItemMerge], issued_to: str, roles: tuple[str, ...], path: Path) -> None:
    """Refuse the whole package when it changed a verdict in a role it was not issued for."""
    bad = [e for e in entries if e.role not in roles and e.status in (TAKE, CONFLICT, SAME)]
    if bad:
        what = "; ".join(f"{e.label}, entered there as {e.theirs.who or e.theirs.auditor or 'nobody'}"
                         for e in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise PackageError(f"{path.name} was {_issued_for(issued_to, roles)}, but it holds {len(bad)} verdict(s) of "
                           f"another role: {what}. Nothing of it is merged.")


def _entry(m: dict[str, Any], sample: str, role: str, ours: Side, theirs: Side, base: str | None) -> ItemMerge:
    oh, th = body_hash(ours.body), body_hash(theirs.body)
    if th == base:
        status = UNCHANGED if oh == base else KEPT
    elif th == oh:
        status = SAME
    elif oh == base:
        status = TAKE
    else:
        status = CONFLICT
    checks = differences(m["kind"], ours.body, theirs.body) if status in (TAKE, CONFLICT) else []
    return ItemMerge(m["item_id"], role, sample, m["position"], m["kind"], m["ref"], status, ours, theirs, oh, th,
                     checks)


def _read_package(path: Path) -> tuple[dict[str, Any], dict[int, dict[str, Side]], dict[int, str]]:
    """The manifest, the package's verdicts (item -> role -> side) and its crime records (id -> reference).

    The package is never opened where it lies (a USB stick, a shared folder): it is copied into a private
    temporary folder, and the copy is opened, so it is checked first (nothing but the SQL the migrations make:
    storage.schema_check), upgraded there if an older workbench wrote it, and read with query_only on. The copy
    goes when the package has been read; the file itself is only ever read. An encrypted package is opened with
    its own passphrase (asked for by the front end, storage/encryption.py); the copy is as encrypted as it."""
    if not path.is_file():
        raise PackageError(f"{path}: no such file")
    try:
        key = key_for(path) if is_encrypted(path) else None
    except PassphraseError as exc:
        raise PackageError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="cdi-package-", ignore_cleanup_errors=True) as tmp:
        read = _read_copy(_private_copy(path, Path(tmp)), path, key)
    if key is not None:
        remember(path, key)  # not asked for again this session
    return read


def _private_copy(path: Path, folder: Path) -> Path:
    """A copy of the package file (with its write-ahead log or journal, if one lies beside it) in `folder`,
    under the same name, so that messages about the copy name the package."""
    dest = folder / path.name
    try:
        shutil.copyfile(path, dest)
        for side in ("-wal", "-journal"):
            if Path(f"{path}{side}").is_file():
                shutil.copyfile(f"{path}{side}", f"{dest}{side}")
    except OSError as exc:
        raise PackageError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    return dest


def _read_copy(copied: Path, path: Path, key: Key | None = None
               ) -> tuple[dict[str, Any], dict[int, dict[str, Side]], dict[int, str]]:
    try:
        pkg = Database(copied, key=key)
    except UntrustedFile as exc:
        raise PackageError(f"{exc} It is not merged.") from None
    except WrongPassphrase:
        raise PackageError(f"{path.name}: wrong passphrase, or not an audit package: nothing of it is "
                           "merged") from None
    except (DatabaseError, sa_exc.DatabaseError) as exc:
        raise PackageError(f"{path.name} is not an audit package ({exc})") from exc
    try:
        with pkg.session() as ps:
            ps.execute(text("PRAGMA query_only = ON"))  # reading a package writes nothing, even to the copy
            manifest = read_json(ps, MANIFEST_KEY)
            if not manifest:
                raise PackageError(f"{path.name} is an audit database, not an audit package (it has no package "
                                   "manifest); open it with File > Open instead")
            if manifest.get("format") != FORMAT:
                raise PackageError(f"{path.name} is a package of format {manifest.get('format')}, which this "
                                   f"version of the workbench does not read (it reads format {FORMAT})")
            problems = verify(ps)
            if problems:
                raise PackageError(f"the audit trail of {path.name} does not verify ({len(problems)} problem(s), "
                                   f"e.g. {problems[0]}): it was changed outside the workbench, so it is not merged")
            last: dict[tuple[int, str], VerdictChange] = {}
            for ch in ps.scalars(select(VerdictChange).where(VerdictChange.action.not_in(sorted(NOT_VERDICTS)))
                                 .order_by(VerdictChange.id)):
                last[(ch.item_id, ch.role)] = ch
            theirs: dict[int, dict[str, Side]] = {}
            for v in ps.scalars(select(Verdict)):
                latest = last.get((v.item_id, v.role))
                theirs.setdefault(v.item_id, {})[v.role] = Side(copy.deepcopy(v.body), v.auditor,
                                                                 latest.who if latest else v.auditor,
                                                                 latest.at if latest else v.updated_at)
            for (item_id, role), ch in last.items():  # a verdict removed in the package: its history says who
                if ch.new_body is None and role not in theirs.get(item_id, {}):
                    theirs.setdefault(item_id, {})[role] = Side(None, "", ch.who, ch.at)
            crime_refs = dict(ps.execute(select(CrimeRecord.id, CrimeRecord.ref)).tuples().all())
    finally:
        pkg.close()
    return manifest, theirs, crime_refs


def _check_identity(s: Session, manifest: dict[str, Any], path: Path) -> None:
    src = manifest.get("source") or {}
    if audit_uid(s) != src.get("uid"):
        here = s.scalar(select(Audit).limit(1))
        this = (f"{here.force}, {here.period_start:%d/%m/%Y} to {here.period_end:%d/%m/%Y}" if here else "no audit")
        raise PackageError(
            f"{path.name} was exported from another audit database ({src.get('force', '?')}, "
            f"{_date(src.get('period_start'))} to {_date(src.get('period_end'))}, {src.get('database', '?')}); "
            f"it cannot be merged into this one ({this}). Import it into the database it came from.")


def _date(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "?"


# per kind: the record's id and reference columns
_REF = {RecordKind.INCIDENT: (ReportRecord.id, ReportRecord.ref),
        RecordKind.REFERRAL: (ReportRecord.id, ReportRecord.ref), RecordKind.DISPOSAL: (Disposal.id, Disposal.ref),
        RecordKind.CANCELLATION: (Cancellation.id, Cancellation.crime_ref), RecordKind.N100: (N100.id, N100.ref),
        RecordKind.CRIME: (CrimeRecord.id, CrimeRecord.ref)}


def _check_items(s: Session, manifest: dict[str, Any], path: Path) -> dict[int, AuditItem]:
    """Every item of the package is still the same record at the same place in the same sample here."""
    problems, out = [], {}
    for m in manifest["items"]:
        item = s.get(AuditItem, m["item_id"])
        smp = s.get(Sample, item.sample_id) if item else None
        names = {smp.name, *former_names(smp.frame)} if smp else set()  # renamed since: still the same sample
        cols = _REF.get(m["kind"])
        ref = s.scalar(select(cols[1]).where(cols[0] == item.record_id)) if item and cols is not None else None
        if item is None or manifest["sample"] not in names or item.position != m["position"] or ref != m["ref"]:
            problems.append(f"{m['ref']} ({manifest['sample']} #{m['position']})")
        else:
            out[item.id] = item
    if problems:
        raise PackageError(f"{len(problems)} record(s) of {path.name} are no longer in this database's sample as "
                           f"they were when it was exported: {', '.join(problems[:5])}"
                           + (" ..." if len(problems) > 5 else ""))
    return out


def _crime_ids(s: Session, crime_refs: dict[int, str], path: Path) -> dict[str, int]:
    """This database's crime record id for each crime reference the package holds."""
    refs = sorted(set(crime_refs.values()))
    found: dict[str, int] = {}
    for n in range(0, len(refs), 500):
        found.update((ref, cid) for cid, ref in s.execute(select(CrimeRecord.id, CrimeRecord.ref)
                                                           .where(CrimeRecord.ref.in_(refs[n:n + 500]))).tuples().all())
    return found


def _remap(body: dict[str, Any] | None, crime_refs: dict[int, str], to_main: dict[str, int]) -> dict[str, Any] | None:
    """A package verdict with its linked crime records given by this database's ids (found by reference)."""
    if body is None:
        return None
    v = VerdictBody.from_json(body)
    for c in v.crimes:
        if c.crime_id is None:
            continue
        ref = crime_refs.get(c.crime_id) or c.crime_ref
        if ref not in to_main:
            raise PackageError(f"the package links crime record {ref or c.crime_id}, which this database does not "
                               "hold; import the crime extract first")
        c.crime_id = to_main[ref]
    return v.to_json()


def _main_side(s: Session, v: Verdict | None, item_id: int, role: str) -> Side:
    ch = last_change(s, item_id, role)
    if v is None:
        return Side(None, "", ch.who if ch and ch.new_body is None else "", ch.at if ch and ch.new_body is None
                    else None)
    return Side(copy.deepcopy(v.body), v.auditor, ch.who if ch else v.auditor, ch.at if ch else v.updated_at)


# ---- applying it -------------------------------------------------------------------------------------------
def apply_merge(db: Database, plan: MergePlan, resolutions: dict[str, str] | str | None, user: str) -> MergeResult:
    """Write the plan in one transaction. `resolutions`: 'ours' or 'theirs' per conflict (by ItemMerge.key), or
    one of them for every conflict. Refused, writing nothing, when a conflict has no resolution or when this
    database changed since the plan was made."""
    user = user.strip()
    if not user:
        raise PackageError("say who is merging the package (it goes in the history of every verdict merged)")
    conflicts = plan.conflicts
    chosen = {e.key: resolutions for e in conflicts} if isinstance(resolutions, str) else dict(resolutions or {})
    bad = [f"{e.label}: {chosen.get(e.key)!r}" for e in conflicts if chosen.get(e.key) not in RESOLUTIONS]
    if bad:
        raise PackageError(f"{len(bad)} conflict(s) need a resolution, 'ours' (keep this database's verdict) or "
                           f"'theirs' (take the package's): {'; '.join(bad[:5])}" + (" ..." if len(bad) > 5 else ""))
    todo = plan.auto + conflicts
    if not todo:
        return MergeResult(0, 0, 0)
    name = Path(plan.package).name
    origin = f"package {name} (exported {display(plan.exported_at)} by {plan.exported_by})"
    counts = {"taken": 0, "theirs": 0, "ours": 0}
    try:
        with db.session() as s:
            serialise_writes(s)  # nobody else saves between the check below and the merge
            importer = identify(s, user)  # on PostgreSQL the login's person, whatever name was typed
            if not plan.issued_to:
                raise PackageError("the plan does not say whom the package was issued to: import it again")
            check_importer(importer, plan.issued_to)
            me = importer.name
            recipient = person_named(s, plan.issued_to)  # their role here, now
            state = read_json(s, MERGE_KEY + plan.package_id) or {}
            for e in todo:
                now = s.scalar(select(Verdict.body).where(Verdict.item_id == e.item_id, Verdict.role == e.role))
                if body_hash(now) != e.ours_hash:
                    raise PackageError(f"{e.label} changed in this database since the merge was planned; import "
                                       "the package again")
                if e.role not in plan.roles:
                    raise PackageError(f"{e.label}: the package was {_issued_for(plan.issued_to, plan.roles)}; "
                                       "nothing of it is merged")
                by = f"changed there by {e.theirs.attribution()}"
                if e.status == TAKE or chosen[e.key] == "theirs":
                    _check_recipient(s, recipient, e)
                    reason = f"merged from {origin}, {by}; imported by {user}"
                    if e.status == CONFLICT:
                        reason += f"; conflict resolved by {user}: took the package's verdict"
                    svc = AuditService(db, plan.issued_to)
                    with svc.join(s):  # in the merge's own transaction: all of the package or none of it
                        svc.write(e.item_id, e.theirs.body, e.role, "merge", reason, plan.issued_to)
                    counts["taken" if e.status == TAKE else "theirs"] += 1
                else:
                    differ = ", ".join(c.label for c in e.checks) or "the rationale"
                    change = VerdictChange(item_id=e.item_id, role=e.role, at=now_utc(), who=me, action="merge",
                                           old_body=copy.deepcopy(now), new_body=copy.deepcopy(now),
                                           reason=f"conflict with {origin} resolved by {user}: kept this "
                                                  f"database's verdict; the package's ({by}) differed on: {differ}")
                    seal(s, change)
                    s.add(change)
                    s.flush()
                    counts["ours"] += 1
                state[e.key] = e.theirs_hash
            put_json(s, MERGE_KEY + plan.package_id, state)
    except AuditError as exc:
        raise PackageError(str(exc)) from exc
    return MergeResult(counts["taken"], counts["theirs"], counts["ours"])


def _check_recipient(s: Session, recipient: Person, e: ItemMerge) -> None:
    """The person the package was issued to may, here and now, enter this verdict (whoever imports it)."""
    recipient.require(VERDICT_ACTION[e.role])
    if e.role == VerdictRole.REVIEW and recipient.role == PersonRole.REVIEWER:
        assigned = s.scalar(select(ReviewAssignment.reviewer).where(ReviewAssignment.item_id == e.item_id))
        if assigned != recipient.name:
            raise NotAllowed(f"{recipient.name} may review only the records assigned to them: {e.label} is not")


def merge_package(db: Database, package: str | Path, user: str,
                  resolve: str | None = None, audit: str | None = None) -> tuple[MergePlan, MergeResult | None]:
    """Plan and, when every conflict is resolved (or there is none), apply; (plan, None) when conflicts wait.
    `audit`: the audit the package's sample must belong to (plan_import)."""
    plan = plan_import(db, package, user, audit)
    if plan.conflicts and resolve is None:
        return plan, None
    return plan, apply_merge(db, plan, resolve, user)
