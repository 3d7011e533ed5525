"""Records that change under a verdict (issue 12): an import that changes a record already audited says so.

A record is audited once an audit item of it holds a verdict (any role). When a re-imported extract changes such
a record (its import digest differs), the import, in its own transaction:

- flags each of its audit items for a second look (AuditItem.flagged, with a note saying when the force's
  extract changed it), so the auditor finds it under the queue's Flagged filter;
- writes a hash-chained history row for each (action 'record changed', role 'record'): the record, its import
  digest before and after (`import_hash`), and the flag before and after;
- reports them in the result (ImportResult.audited, audited_message()), which `cdi import` and the window print.

A dry run reports what it would flag and writes nothing (the transaction is rolled back).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ..audit.trail import RECORD_CHANGED, RECORD_ROLE, seal
from ..kinds import RecordKind
from ..storage.models import AuditItem, VerdictChange
from ..timeutil import display, now_utc
from .result import AuditedChange
from .writer import Writer

# the kinds of audit item whose records each table holds (crime records since they are sampled: issue 14)
ITEM_KINDS: dict[str, tuple[str, ...]] = {
    "report_record": (RecordKind.INCIDENT.value, RecordKind.REFERRAL.value),
    "disposal": (RecordKind.DISPOSAL.value,),
    "cancellation": (RecordKind.CANCELLATION.value,),
    "n100": (RecordKind.N100.value,),
    "crime_record": (RecordKind.CRIME.value,),
}

Items = dict[int, list[tuple[int, str, int]]]  # record id -> [(audit item id, sample name, position)]


def audited_items(writer: Writer) -> Items:
    """The audit items holding a verdict on records of the writer's table, by record (read under the import's
    write lock, so no verdict saved meanwhile is missed)."""
    kinds = ITEM_KINDS.get(writer.kind.table.name)
    if not kinds:
        return {}
    ph = writer.ph
    writer.cur.execute(
        "SELECT ai.record_id, ai.id, s.name, ai.position FROM audit_item ai JOIN sample s ON s.id = ai.sample_id "
        f"WHERE ai.kind IN ({', '.join([ph] * len(kinds))}) "
        "AND EXISTS (SELECT 1 FROM verdict v WHERE v.item_id = ai.id) ORDER BY s.name, ai.position", kinds)
    out: Items = {}
    for record_id, item_id, sample, position in writer.cur.fetchall():
        out.setdefault(record_id, []).append((item_id, sample, position))
    return out


def note(file: str, when: str) -> str:
    """The flag's note on an item whose record an import changed."""
    return f"the force's extract ({file}) changed this record on {when} after it was audited: look again"


def flag_changed(conn: Connection, writer: Writer, items: Items, user: str, file: str,
                 write: bool = True) -> list[AuditedChange]:
    """Flag the audit items of the audited records the writer changed and write a history row for each, inside
    the import's transaction (nothing when `write` is false: a dry run). Returns what was found, by sample and
    position."""
    out: list[AuditedChange] = []
    for record_id, key, old, new in writer.audited:
        ref = f"{key[0]} {key[1]}" if isinstance(key, tuple) else str(key)
        out += [AuditedChange(item_id, sample, position, ref, old, new)
                for item_id, sample, position in items.get(record_id, ())]
    out.sort(key=lambda c: (c.sample, c.position))
    if not write or not out:
        return out
    at = now_utc()
    text = note(file, display(at))
    with Session(bind=conn) as s:
        for change in out:
            item = s.get(AuditItem, change.item_id)
            if item is None:  # (the write lock is held: not deleted since it was read)
                continue
            before = {"flagged": bool(item.flagged), "note": item.flag_note or ""}
            kept = item.flag_note if item.flagged and item.flag_note else ""
            item.flagged, item.flag_note = True, f"{kept}\n{text}" if kept else text
            record: dict[str, Any] = {"kind": item.kind, "record_id": item.record_id, "ref": change.ref}
            row = VerdictChange(item_id=item.id, role=RECORD_ROLE, at=at, who=user, action=RECORD_CHANGED,
                                old_body={"record": record, "import_hash": change.old_digest, **before},
                                new_body={"record": record, "import_hash": change.new_digest, "file": file,
                                          "flagged": True, "note": item.flag_note},
                                reason=f"re-import of {file} changed the record after it was audited")
            seal(s, row)
            s.add(row)
            s.flush()
    return out
