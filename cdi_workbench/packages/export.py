"""Writing an audit package: part of a sample, as a small audit database of its own (a .cdipkg file).

The package is made by the same code that makes any audit database (init_audit and the migrations), so the
workbench opens it like any other. It holds the audit, the sample (same name, method, seed and frame) with the
chosen items under their own ids and positions, just the records they need (the sampled records, their linked
and candidate crime records, an N100's incident log, the crime a disposal or cancellation concerns), their
current verdicts, and a manifest: where it came from, who exported it and when, and for each item and role
the digest of its verdict at export, the base for merging it back (cdi_workbench.packages.merge).
"""

from __future__ import annotations

import copy
import os
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, inspect, select
from sqlalchemy.orm import Session

from ..audit.anchor import head_dict
from ..audit.audit_scope import check_sample, sample_named
from ..audit.exports import record_in
from ..audit.facts import note_sample, note_tables
from ..audit.programme import resolve
from ..audit.roles import VERDICT_ACTION, NotAllowed, Person, identify
from ..audit.seals import withheld_items
from ..audit.setup import init_audit
from ..audit.trail import AUDITOR, PEOPLE, PERSON, assignment_body, person_body, seal, trail_head
from ..audit.verdicts import REPORT_KINDS, VerdictBody
from ..kinds import PersonRole, RecordKind, VerdictRole
from ..storage.content import CONTENT_COLUMNS
from ..storage.database import Database, is_url
from ..storage.encryption import Key, create_encrypted, forget, package_key
from ..storage.models import (
    N100,
    AppUser,
    Audit,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    ReasonOption,
    RecordLink,
    ReportRecord,
    ReviewAssignment,
    Sample,
    Verdict,
    VerdictChange,
)
from ..timeutil import now_utc
from .common import (
    EXPORT_KEY,
    FORMAT,
    ISSUE,
    ISSUED_ITEM,
    MAC,
    MANIFEST_KEY,
    MARKING,
    SUFFIX,
    PackageError,
    audit_uid,
    body_hash,
    format_positions,
    get_setting,
    issue_mac,
    last_change,
    package_secret,
    person_named,
    put_json,
)

CHUNK = 500  # ids per IN (...) list
WITHHELD = "withheld"  # the basis of a blind record's assignment, as a package carries it


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    sample: str
    items: int
    positions: str  # e.g. '1-20, 25'
    verdicts: int
    records: int
    blind: int = 0  # records carried blind: nothing of their first verdict
    encrypted: bool = False  # SQLCipher, with the passphrase given for it (storage/encryption.py)


def default_path(db: Database, sample: str) -> Path:
    """NAME-SAMPLE-YYYYMMDD-HHMMSS.cdipkg beside a SQLite database (in the current folder for a server)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", sample).strip("-") or "sample"
    stamp = now_utc().strftime("%Y%m%d-%H%M%S")
    if is_url(db.target):
        return Path.cwd() / f"{slug}-{stamp}{SUFFIX}"
    src = Path(db.target)
    return src.with_name(f"{src.stem}-{slug}-{stamp}{SUFFIX}")


def export_package(db: Database, sample: str, dest: str | Path | None = None, who: str = "",
                   positions: list[int] | None = None, item_ids: list[int] | None = None,
                   roles: list[str] | None = None, overwrite: bool = False,
                   issued_to: str | None = None, passphrase: str | None = None, plain: bool = False,
                   audit: str | None = None) -> ExportResult:
    """Write the chosen items of `sample` (all of them when neither positions nor item ids are given) to one
    package file. `roles` limits the verdicts carried (e.g. ['review']: every record travels blind); None
    carries every verdict the items have.

    Blindness follows the assignment, not the request: a record assigned for blind review whose review is not
    complete (sealed) travels blind whoever exports it and whatever `roles` says: no auditor's or lead's verdict,
    no flag or flag note, not the basis it was chosen on (say 'every failed record'), nor anything else of its
    first verdict. A peer reviewer may export only records assigned to them (by default, their share of the
    sample). The export goes in the audit's trail (audit.exports).

    The package is issued to one person (`issued_to`, by default the exporter; a peer reviewer issues only to
    themselves) for the verdict roles that person may enter here: `roles` if given, else review for a peer
    reviewer, primary for an auditor, primary and final for the lead. What it was issued for (items, person,
    roles, blind records) goes in the manifest with an HMAC under this database's package key (kept only here):
    the merge accepts nothing else (packages.merge).

    The package is encrypted (SQLCipher) with `passphrase`, else with the one the front end gives for it
    (encryption.package_key: `cdi` asks, CDI_PACKAGE_PASSPHRASE or a prompt; the window asks at File > Export);
    plain only when `plain`, or when nothing gives one (a test, a script). The HMAC binding is inside, as before.

    The package holds the sample's own audit of the programme (its force, period and rule set, so the records are
    judged offline under the same rules); `audit` names the audit the sample must belong to (ProgrammeError naming
    the sample's own audit when it is another's, or listing the audits when there is none of that name)."""
    who = who.strip()
    if not who:
        raise PackageError("say who is exporting the package (it is recorded in the package and the audit)")
    with db.session() as s:
        person = identify(s, who)
        person.require("carry records offline")
        who = person.name or who  # on PostgreSQL the login's person, whatever name was typed
        if get_setting(s, MANIFEST_KEY) is not None:
            raise PackageError("this database is itself an audit package: export from the audit database it "
                               "came from")
        uid = audit_uid(s, create=True)
        secret = package_secret(s, create=True)
        recipient = _recipient(s, person, issued_to)
        allowed = _issued_roles(recipient, roles)
        if audit is not None:  # refused before a passphrase is asked for: an unknown audit, a sample of another
            resolve(s, audit)
            sample_named(s, sample, audit)
    path = Path(dest) if dest else default_path(db, sample)
    if path.suffix.lower() != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.exists() and not overwrite:
        raise PackageError(f"{path} already exists: choose another name")
    key = None if plain else Key.derive(passphrase) if passphrase else package_key(path, db)
    package_id = uuid.uuid4().hex
    with db.session() as s:
        if s.scalar(select(Audit.id).limit(1)) is None:
            raise PackageError("this database holds no audit")
        smp, items = _chosen(s, sample, positions, item_ids)
        source = check_sample(s, smp, audit)  # the sample's own audit (refused if `audit` names another)
        if recipient.role == PersonRole.REVIEWER:
            items = _reviewers_share(s, recipient.name, smp.name, items, chosen=bool(positions or item_ids))
        ids = [i.id for i in items]
        blind = (set(ids) if roles is not None and VerdictRole.PRIMARY not in roles
                 else withheld_items(s, None, ids))
        verdicts = list(s.scalars(select(Verdict).where(Verdict.item_id.in_(ids))
                                  .order_by(Verdict.item_id, Verdict.role)))
        verdicts = [v for v in verdicts if (roles is None or v.role in roles)
                    and (v.item_id not in blind or v.role == VerdictRole.REVIEW)]
        records = _records(s, smp.kind, items)
        records.extend(_crimes_in_verdicts(s, verdicts, records))
        reasons = list(s.scalars(select(ReasonOption).order_by(ReasonOption.id)))
        # the team and the items' review assignments travel too: the person who opens the package is who they
        # are here, and a reviewer's blind share opens as their review, blind, and comes back as review verdicts
        people = list(s.scalars(select(AppUser).order_by(AppUser.id)))
        assignments = list(s.scalars(select(ReviewAssignment).where(
            ReviewAssignment.item_id.in_([i.id for i in items])))) if items else []
        items, assignments = _blinded(items, assignments, blind)
        links = _links(s, records)
        refs = _refs(s, smp.kind, items)
        items_out = [{"item_id": i.id, "position": i.position, "kind": i.kind, "ref": refs.get(i.id, ""),
                      "base": {v.role: body_hash(v.body) for v in verdicts if v.item_id == i.id},
                      "changes": {v.role: _change_hash(s, i.id, v.role) for v in verdicts if v.item_id == i.id}}
                     for i in items]
        manifest: dict[str, Any] = {
            "format": FORMAT, "marking": MARKING, "package_id": package_id, "exported_by": who,
            "exported_at": now_utc().isoformat(),
            "source": {"uid": uid, "force": source.force, "period_start": source.period_start.isoformat(),
                       "period_end": source.period_end.isoformat(), "database": db.display_name},
            # the audit's trail head as the package leaves it: `cdi verify DB --against PACKAGE` (audit.anchor)
            "trail": head_dict(*trail_head(s)),
            "sample": smp.name, "kind": smp.kind, "system": smp.system or "", "roles": roles,
            "blind": sorted(blind),
            "items": items_out,
        }
        # what the package is issued for, bound to this database by its key: the merge takes nothing else
        issue = {"package_id": package_id, "source": uid, "sample": smp.name, "issued_to": recipient.name,
                 "roles": allowed, "blind": sorted(blind),
                 "items": [{k: m[k] for k in ISSUED_ITEM} for m in items_out]}
        assert secret is not None
        manifest[ISSUE], manifest[MAC] = issue, issue_mac(secret, issue)
        part = path.with_name(path.name + ".part")
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
            leftover.unlink(missing_ok=True)
        if key is not None:
            create_encrypted(part, key)  # encrypted from its first byte; init_audit opens it with the key
        try:
            pkg = init_audit(part, source.force, source.period_start, source.period_end, source.rule_set,
                             source.created_by)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        finally:
            forget(part)
        try:
            with pkg.session() as ps:
                _fill(ps, source, smp, items, records, links, verdicts, reasons, who, db.display_name, package_id)
                _fill_team(ps, people, assignments, who)
                put_json(ps, MANIFEST_KEY, manifest)
        except BaseException:
            pkg.close()
            part.unlink(missing_ok=True)
            raise
        pkg.close()
    os.replace(part, path)
    where = format_positions([i.position for i in items])
    try:
        with db.session() as s:
            put_json(s, EXPORT_KEY + package_id, {
                "file": path.name, "exported_by": who, "exported_at": manifest["exported_at"], "sample": smp.name,
                "positions": where, "roles": roles, "blind": len(blind),
                "issued_to": recipient.name, "issued_roles": allowed})
            record_in(s, person, f"a package of sample '{smp.name}'", path, sample=smp.name, positions=where,
                      records=len(items), verdicts=len(verdicts), blind=len(blind), package=package_id)
    except BaseException:
        path.unlink(missing_ok=True)  # no export goes unrecorded
        raise
    return ExportResult(path, package_id, smp.name, len(items), where, len(verdicts), len(records), len(blind),
                        key is not None)


ROLES_BY_PERSON: dict[str, list[str]] = {
    PersonRole.REVIEWER: [VerdictRole.REVIEW], PersonRole.AUDITOR: [VerdictRole.PRIMARY],
    PersonRole.LEAD: [VerdictRole.PRIMARY, VerdictRole.FINAL], "everything": [VerdictRole.PRIMARY]}


def _recipient(s: Session, exporter: Person, issued_to: str | None) -> Person:
    """The person the package is issued to: the exporter, or (not for a peer reviewer) the person named."""
    name = (issued_to or "").strip()
    if not name or name.lower() == exporter.name.lower():
        return exporter
    if exporter.role == PersonRole.REVIEWER:
        raise NotAllowed(f"{exporter.name} (peer reviewer) may issue a package only to themselves")
    recipient = person_named(s, name)
    recipient.require("carry records offline")
    return recipient


def _issued_roles(recipient: Person, roles: list[str] | None) -> list[str]:
    """The verdict roles the package is issued for: those asked (or the person's usual ones) that they may enter."""
    wanted = [str(r) for r in roles] if roles is not None else [str(r) for r in ROLES_BY_PERSON[recipient.role]]
    allowed = sorted(r for r in wanted if r in VERDICT_ACTION and recipient.may(VERDICT_ACTION[r]))
    if not allowed:
        raise NotAllowed(f"{recipient.name} ({recipient.title.lower()}) may enter none of the verdicts asked for "
                         f"({', '.join(map(str, wanted)) or 'none'}): the package would carry nothing back")
    return allowed


def _reviewers_share(s: Session, reviewer: str, sample: str, items: list[AuditItem],
                     chosen: bool) -> list[AuditItem]:
    """A peer reviewer carries offline only the records assigned to them: by default their share of the sample;
    records asked for that are not theirs are refused."""
    mine = set(s.scalars(select(ReviewAssignment.item_id).where(
        ReviewAssignment.reviewer == reviewer, ReviewAssignment.item_id.in_([i.id for i in items]))))
    if chosen and (others := [i.position for i in items if i.id not in mine]):
        raise NotAllowed(f"{reviewer} (peer reviewer) may carry offline only the records assigned to them for "
                         f"review: position(s) {format_positions(others)} of '{sample}' are not")
    share = [i for i in items if i.id in mine]
    if not share:
        raise NotAllowed(f"{reviewer} (peer reviewer) may carry offline only the records assigned to them for "
                         f"review, and none of '{sample}' is")
    return share


def _blinded(items: list[AuditItem], assignments: list[ReviewAssignment],
             blind: set[int]) -> tuple[list[AuditItem], list[ReviewAssignment]]:
    """Detached copies of the items and assignments to write to the package, with nothing of the first verdict on a
    record that travels blind: no flag or flag note (the auditor's request for a second opinion, and why), and not
    the basis the record was chosen on ('every failed record', 'every flagged record' tell the first verdict)."""
    out_items, out_assignments = [], []
    for i in items:
        c = _copy(i)
        if i.id in blind:
            c.flagged, c.flag_note = False, ""
        out_items.append(c)
    for a in assignments:
        c = _copy(a)
        if a.item_id in blind:
            c.basis = WITHHELD
        out_assignments.append(c)
    return out_items, out_assignments


def _chosen(s: Session, sample: str, positions: list[int] | None,
            item_ids: list[int] | None) -> tuple[Sample, list[AuditItem]]:
    smp = s.scalar(select(Sample).where(Sample.name == sample))
    if smp is None:
        names = ", ".join(repr(n) for n in s.scalars(select(Sample.name).order_by(Sample.id))) or "none yet"
        raise PackageError(f"no sample called {sample!r} (samples: {names})")
    items = list(s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id).order_by(AuditItem.position)))
    if positions:
        have = {i.position for i in items}
        missing = [p for p in positions if p not in have]
        if missing:
            raise PackageError(f"sample {sample!r} has no position(s) {format_positions(missing)} "
                               f"(it has {format_positions(sorted(have)) or 'none'})")
        items = [i for i in items if i.position in set(positions)]
    if item_ids:
        wanted = set(item_ids)
        foreign = wanted - {i.id for i in items}
        if foreign:
            raise PackageError(f"audit item(s) {', '.join(map(str, sorted(foreign)))} are not in sample {sample!r}"
                               + (" at the positions given" if positions else ""))
        items = [i for i in items if i.id in wanted]
    if not items:
        raise PackageError(f"sample {sample!r} has no records to export")
    return smp, items


def _in_chunks(ids: list[Any]) -> list[list[Any]]:
    return [ids[n:n + CHUNK] for n in range(0, len(ids), CHUNK)]


def _records(s: Session, kind: str, items: list[AuditItem]) -> list[Any]:
    """The records the chosen items need, each once, ready to copy (reports, crimes, disposals, ...)."""
    ids = [i.record_id for i in items]
    out: list[Any] = []
    crime_refs: set[str] = set()
    report_ids: list[int] = []
    if kind in REPORT_KINDS:
        report_ids = ids
    elif kind == RecordKind.DISPOSAL:
        for chunk in _in_chunks(ids):
            out += s.scalars(select(Disposal).where(Disposal.id.in_(chunk)))
        crime_refs = {d.crime_ref for d in out if d.crime_ref}
    elif kind == RecordKind.CANCELLATION:
        for chunk in _in_chunks(ids):
            out += s.scalars(select(Cancellation).where(Cancellation.id.in_(chunk)))
        crime_refs = {c.crime_ref for c in out if c.crime_ref}
    elif kind == RecordKind.N100:
        n100s = [n for chunk in _in_chunks(ids) for n in s.scalars(select(N100).where(N100.id.in_(chunk)))]
        out += n100s
        incident_refs = sorted({n.incident_ref for n in n100s if n.incident_ref})
        report_ids = [r for chunk in _in_chunks(incident_refs)
                      for r in s.scalars(select(ReportRecord.id).where(ReportRecord.ref.in_(chunk)))]
    elif kind == RecordKind.CRIME:  # the crime records sampled, and the reports they were recorded from
        report_ids = sorted({r for chunk in _in_chunks(ids)
                             for r in s.scalars(select(RecordLink.report_id).where(RecordLink.crime_id.in_(chunk)))})
    reports = [r for chunk in _in_chunks(report_ids)
               for r in s.scalars(select(ReportRecord).where(ReportRecord.id.in_(chunk)))]
    out += reports
    crime_ids: set[int] = set(ids) if kind == RecordKind.CRIME else set()
    for chunk in _in_chunks(report_ids):
        crime_ids.update(s.scalars(select(RecordLink.crime_id).where(RecordLink.report_id.in_(chunk))))
    if kind in REPORT_KINDS:  # the crime records the record view offers as candidates
        for chunk in _in_chunks(sorted(r.ref for r in reports)):
            crime_ids.update(s.scalars(select(CrimeRecord.id).where(CrimeRecord.source_ref.in_(chunk))))
        for r in reports:
            if r.location and r.received_at:
                crime_ids.update(s.scalars(select(CrimeRecord.id).where(and_(
                    CrimeRecord.location == r.location,
                    CrimeRecord.reported_at.between(r.received_at - timedelta(days=2),
                                                    r.received_at + timedelta(days=2))))))
    crimes: dict[int, CrimeRecord] = {}
    for chunk in _in_chunks(sorted(crime_ids)):
        crimes.update((c.id, c) for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(chunk))))
    for chunk in _in_chunks(sorted(crime_refs)):
        crimes.update((c.id, c) for c in s.scalars(select(CrimeRecord).where(CrimeRecord.ref.in_(chunk))))
    out += [crimes[k] for k in sorted(crimes)]
    return out


def _crimes_in_verdicts(s: Session, verdicts: list[Verdict], records: list[Any]) -> list[CrimeRecord]:
    """Crime records a verdict links that are not among the records already chosen."""
    have = {r.id for r in records if isinstance(r, CrimeRecord)}
    wanted = sorted({c.crime_id for v in verdicts for c in VerdictBody.from_json(v.body).crimes
                     if c.crime_id is not None} - have)
    return [c for chunk in _in_chunks(wanted) for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(chunk)))]


def _refs(s: Session, kind: str, items: list[AuditItem]) -> dict[int, str]:
    """Each item's record reference (the manifest maps items by sample, position and reference)."""
    record_id, col = {RecordKind.INCIDENT: (ReportRecord.id, ReportRecord.ref),
                      RecordKind.REFERRAL: (ReportRecord.id, ReportRecord.ref),
                      RecordKind.DISPOSAL: (Disposal.id, Disposal.ref),
                      RecordKind.CANCELLATION: (Cancellation.id, Cancellation.crime_ref),
                      RecordKind.N100: (N100.id, N100.ref),
                      RecordKind.CRIME: (CrimeRecord.id, CrimeRecord.ref)}[RecordKind(kind)]
    by_record: dict[int, str] = {}
    for chunk in _in_chunks([i.record_id for i in items]):
        by_record.update(s.execute(select(record_id, col).where(record_id.in_(chunk))).tuples().all())
    return {i.id: by_record.get(i.record_id, "") for i in items}


def _change_hash(s: Session, item_id: int, role: str) -> str | None:
    ch = last_change(s, item_id, role)
    return ch.hash if ch is not None else None


def _copy(obj: Any) -> Any:
    """A detached copy of a row with the same primary key and values (JSON values copied too)."""
    cls = type(obj)
    return cls(**{a.key: copy.deepcopy(getattr(obj, a.key)) for a in inspect(cls).column_attrs})


def _links(s: Session, records: list[Any]) -> list[tuple[int, int]]:
    """The links between the reports and crime records the package holds."""
    reports = [r.id for r in records if isinstance(r, ReportRecord)]
    crimes = {r.id for r in records if isinstance(r, CrimeRecord)}
    out = []
    for chunk in _in_chunks(reports):
        out += [(rid, cid) for rid, cid in s.execute(select(RecordLink.report_id, RecordLink.crime_id)
                                                     .where(RecordLink.report_id.in_(chunk))) if cid in crimes]
    return out


def _fill_team(ps: Session, people: list[AppUser], assignments: list[ReviewAssignment], who: str) -> None:
    ps.add_all(_copy(p) for p in people)
    ps.flush()
    for p in people:  # the people table agrees with the history (audit.trail.verify), in a package too
        change = VerdictChange(item_id=0, role=PEOPLE, at=now_utc(), who=who, action=PERSON, old_body=None,
                               new_body=person_body(p), reason="as registered when the package was exported")
        seal(ps, change)
        ps.add(change)
        ps.flush()
    for a in assignments:
        ps.add(_copy(a))
        change = VerdictChange(item_id=a.item_id, role=VerdictRole.REVIEW, at=now_utc(), who=who, action="assign",
                               old_body=None, new_body=assignment_body(a),
                               reason=f"as assigned by {a.assigned_by} when the package was exported")
        seal(ps, change)
        ps.add(change)
        ps.flush()


def _fill(ps: Session, audit: Audit, smp: Sample, items: list[AuditItem], records: list[Any],
          links: list[tuple[int, int]], verdicts: list[Verdict], reasons: list[ReasonOption], who: str,
          source: str, package_id: str) -> None:
    pkg_audit = ps.scalar(select(Audit).limit(1))
    assert pkg_audit is not None
    pkg_audit.created_at = audit.created_at
    ps.add_all(_copy(r) for r in records)
    ps.flush()
    ps.add_all(RecordLink(report_id=rid, crime_id=cid) for rid, cid in links)
    pkg_sample = _copy(smp)
    ps.add(pkg_sample)
    ps.flush()
    ps.add_all(_copy(i) for i in items)
    ps.add_all(ReasonOption(text=r.text, added_by=r.added_by) for r in reasons)
    ps.flush()
    # the package's own history records what it holds (audit.facts): `cdi verify` on a package checks it too
    why = f"as in {source} when package {package_id[:8]} was exported"
    note_tables(ps, who, CONTENT_COLUMNS, why)
    note_sample(ps, pkg_sample, who, why)
    for v in verdicts:
        ps.add(_copy(v))
        change = VerdictChange(item_id=v.item_id, role=v.role, at=now_utc(), who=who, action="package",
                               old_body=None, new_body={**copy.deepcopy(v.body), AUDITOR: v.auditor},
                               reason=f"as in {source} when package {package_id[:8]} was exported "
                                      f"(last changed there by {v.auditor})")
        seal(ps, change)
        ps.add(change)
        ps.flush()
