"""Storing the verdicts of a file with no problems: all of them in one transaction (AuditService.save_many), as
the auditor's verdicts, complete; a verdict already exactly the file's is left as it is."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..audit.service import AuditService
from ..audit.verdicts import VerdictBody
from ..storage.database import Database
from ..storage.models import Verdict
from .format import ImportResult, VerdictImportError
from .reading import read_verdicts
from .records import _in_chunks


def import_verdicts(db: Database, path: str | Path, user: str) -> ImportResult:
    """Read, check and store the verdicts of a file in one transaction, as the primary (auditor's) verdicts,
    complete. Raises VerdictImportError listing the problems, having written nothing, when there are any."""
    path = Path(path)
    if not user.strip():
        raise VerdictImportError("say who is importing the verdicts: their name goes in the history")
    plan = read_verdicts(db, path)
    if not plan.ok:
        raise VerdictImportError.from_plan(plan)
    item_ids = [i for v in plan.verdicts for i in v.item_ids]
    existing: dict[int, Verdict] = {}
    finals: set[int] = set()
    with db.session() as s:
        for chunk in _in_chunks(item_ids):
            for v in s.scalars(select(Verdict).where(Verdict.item_id.in_(chunk))):
                if v.role == "primary":
                    existing[v.item_id] = v
                elif v.role == "final":
                    finals.add(v.item_id)
    to_write: list[tuple[int, VerdictBody, str]] = []
    unchanged = replaced = 0
    for pv in plan.verdicts:
        for item_id in pv.item_ids:
            old = existing.get(item_id)
            if old is not None and old.body == pv.body.to_json() and old.auditor == (pv.auditor or user.strip()):
                unchanged += 1
                continue
            replaced += old is not None
            to_write.append((item_id, pv.body, pv.auditor))
    AuditService(db, user).save_many(to_write, reason=f"imported from {path.name}")
    notes = []
    if replaced:
        notes.append(f"{replaced:,} records already had a verdict; it was replaced (the history keeps it)")
    if finals:
        notes.append(f"{len(finals):,} records have a lead's final verdict, which still counts over the imported "
                     "one")
    multi = sum(1 for v in plan.verdicts if v.left)
    if multi:
        notes.append(f"{multi:,} records are in more than one sample: each verdict went to the sample where the "
                     "record already had one, else to the first that holds it, so that it counts once")
    return ImportResult(path, plan.rows, len(plan.verdicts), len(to_write), unchanged, replaced,
                        sum(v.overrides for v in plan.verdicts), notes)
