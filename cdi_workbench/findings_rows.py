"""The findings' verdict rows (Findings.verdicts): one dict per crime identified, or per record where none was, for
the exports' verdicts sheet and JSON and the force's challenges (challenges.failures), built when first read.

The dashboard shows the tables and never reads them, so findings.compute leaves a VerdictRows (the plain rows
already read, no session) and Findings.verdicts builds the list the first time it is read, then keeps it: asdict,
equality, repr and every reader see the same list they always did. The texts only the rows show (the
classification's and the timeliness' workings, the verdict's time) are worked out here, not in the counting pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .audit.check_table import kind_checks
from .audit.evaluate import classified, timely
from .audit.verdicts import VerdictBody
from .classification import CANCELLATION_GROUPS, GROUP_LABELS, cancellation_group, group_of
from .findings_load import Crime, Effective, Verdicts, stored
from .kinds import RecordKind
from .rules import RuleSet
from .timeutil import display

NOT_RECORDED = (False, None, "not recorded", None, "not recorded")  # recorded, classified, text, timely, text
Classified = dict[tuple[Any, ...], tuple[bool | None, str]]  # (expected, recorded code, override, reason) -> result


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector paused meanwhile (left off if it was off): the findings make some 100,000 dicts and
    lists for 20,000 verdicts, none in a cycle, and each full collection walked them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def classify(known: Classified, expected: Any, ho_code: str | None, override: Any,  # noqa: ANN401 (as stored)
             reason: Any) -> tuple[bool | None, str]:  # noqa: ANN401
    """audit.evaluate.classified, once per distinct answer (the results kept in `known`)."""
    key = (expected, ho_code, override, reason)
    try:
        return known[key]
    except KeyError:
        result = known[key] = classified(*key)
        return result
    except TypeError:  # an answer no key can hold (not as the application writes them)
        return classified(*key)


Records = tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str | None, str | None]], dict[int, str],
                dict[int, Crime]]  # the sampled disposals, cancellations, N100s and crime records (findings_load)


def crime_group_label(v: Effective, crime: Crime) -> str:
    """The row a sampled crime record counts in: the offence group of the stratum it was drawn from (the design's),
    else of its Home Office code (classification.GROUP_LABELS)."""
    group = v.stratum if v.stratum in GROUP_LABELS else group_of(crime.ho_code)
    return GROUP_LABELS[group]


def record_of(v: Effective, disposals: dict[int, tuple[str, str]],
              cancellations: dict[int, tuple[str, str | None, str | None]],
              n100: dict[int, str], crime_records: dict[int, Crime] | None = None) -> tuple[str, str, str] | None:
    """A cancellation's, disposal's, N100's or crime record's row label, system and reference (None for another
    kind); KeyError where the sampled record is missing."""
    if v.kind == RecordKind.CANCELLATION:
        ref, written, code = cancellations[v.record_id]
        row = CANCELLATION_GROUPS[cancellation_group(code, written)]
        return row, row, ref
    if v.kind == RecordKind.DISPOSAL:
        ref, row = disposals[v.record_id]
        return row, row, ref
    if v.kind == RecordKind.N100:
        return "N100 records", "N100", n100[v.record_id]
    if v.kind == RecordKind.CRIME:
        crime = (crime_records or {})[v.record_id]
        row = crime_group_label(v, crime)
        return row, row, crime.ref
    return None


class VerdictRows:
    """What the verdict rows are built from: the completed verdicts as read, the crimes they link, the sampled
    records of the other kinds (Records), each sample's name, the rule set and the classifications already worked
    out."""

    def __init__(self, verdicts: Verdicts, names: dict[int, str], crimes: dict[int, Crime],
                 records: Records, rules: RuleSet, known: Classified) -> None:
        self.verdicts, self.names, self.crimes, self.records = verdicts, names, crimes, records
        self.rules, self.known = rules, known

    def build(self) -> list[dict[str, Any]]:
        with paused_gc():
            out: list[dict[str, Any]] = []
            parse = self.verdicts.parse
            for v in self.verdicts.rows:
                name = self.names.get(v.sample_id, "")
                if v.kind in RecordKind.REPORTS:
                    self._report(v, parse(v.body) or {}, name, out)
                else:
                    self._record(v, parse(v.body) or {}, name, out)
            return out

    def _base(self, v: Effective, name: str, rationale: Any, zero_status: bool | None) -> dict[str, Any]:  # noqa: ANN401
        return {"item_id": v.item_id, "sample": name, "position": v.position, "kind": v.kind, "auditor": v.auditor,
                "rationale": rationale, "updated_at": display(stored(v.updated_at)), "zero_status": zero_status}

    def _record(self, v: Effective, stored_body: Any, name: str, out: list[dict[str, Any]]) -> None:  # noqa: ANN401
        where = record_of(v, *self.records)
        spec = kind_checks(v.kind)
        if where is None or spec is None:
            return
        _, system, ref = where
        body = VerdictBody.from_json(stored_body)
        out.append({**self._base(v, name, body.rationale, None), "system": system, "record_ref": ref,
                    "crime_no": 0, **{c.key: body.checks.get(c.key) for c in spec.checks},
                    **{c.follow_up.key: getattr(body, c.follow_up.key) for c in spec.checks
                       if c.follow_up is not None}})

    def _report(self, v: Effective, body: Any, name: str, out: list[dict[str, Any]]) -> None:  # noqa: ANN401
        """An incident or referral, crime by crime: the body read as VerdictBody.from_json reads it."""
        found = body.get("crimes", []) if body else []
        base = self._base(v, name, body.get("rationale", "") if body else "",
                          bool(body.get("zero_status")) if body else False)
        base["system"], base["record_ref"] = v.system, v.ref
        if not found:
            out.append({**base, "crime_no": 0})
            return
        crimes, known, rules = self.crimes, self.known, self.rules
        received = v.received_at
        for no, c in enumerate(found, 1):
            expected = c.get("expected_code", "")
            crime_id = c.get("crime_id")
            crime = crimes.get(crime_id) if crime_id else None
            if crime is None:
                _, cls, cls_text, tim, tim_text = NOT_RECORDED
            else:
                reason = c.get("override_reason", "")
                cls, cls_text = classify(known, expected, crime.ho_code, c.get("classified_override"), reason)
                tim, tim_text = timely(received, crime.recorded_at, c.get("timely_override"), reason, rules)
            out.append({**base, "crime_no": no, "expected_code": expected,
                        "recorded_ref": crime.ref if crime else "",
                        "recorded_code": crime.ho_code if crime else "",
                        "recorded_status": crime.status if crime else "",
                        "classified_correctly": cls, "classification": cls_text,
                        "timely": tim, "timeliness": tim_text,
                        "reason_not_recorded": c.get("not_recorded_reason", ""),
                        "safeguarding": c.get("safeguarding"), "investigation": c.get("investigation"),
                        "domestic_abuse": c.get("domestic_abuse")})


class RowsField:
    """Findings.verdicts: a list of verdict rows, or a VerdictRows built into that list the first time it is read
    (and kept). A dataclass field whose default is this descriptor: the constructor's argument goes through
    __set__, every read (asdict, ==, repr, the exports) through __get__; no default (the class access raises
    AttributeError, so the field stays a required argument)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj: object, owner: type | None = None) -> list[dict[str, Any]]:
        if obj is None:
            raise AttributeError("verdicts is read from a Findings")
        value = obj.__dict__[self.slot]
        if isinstance(value, VerdictRows):
            value = obj.__dict__[self.slot] = value.build()
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: list[dict[str, Any]] | VerdictRows) -> None:
        obj.__dict__[self.slot] = value

    def source(self, obj: object) -> list[dict[str, Any]] | VerdictRows:
        """The rows as held: the list, or the VerdictRows not yet built (findings.with_previous passes it on)."""
        return obj.__dict__[self.slot]  # type: ignore[no-any-return]
