"""One columnar pass over the completed effective verdicts, counting into every findings table.

The verdicts come as plain rows (findings_load.completed_verdicts: item, verdict and sampled report in one row);
the bodies are read as the JSON they are stored as, the way VerdictBody.from_json reads them (the same defaults
for an answer not given), without building a VerdictBody and a CrimeFinding per verdict and crime. A crime's
results (classification, timeliness, the override applied) are worked out by audit.evaluate, the classification
once per distinct (expected code, recorded code, override) rather than once per crime. Each table cell gathers
its audit items in a list (findings_tables.Counter), so counting is an append.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from .audit.check_table import findings_columns, kind_checks
from .audit.evaluate import classified, timely
from .audit.verdicts import VerdictBody
from .classification import CANCELLATION_GROUPS, cancellation_group
from .findings_load import Crime, Effective, SampleInfo, n100s
from .findings_load import cancellations as load_cancellations
from .findings_load import crimes as load_crimes
from .findings_load import disposals as load_disposals
from .findings_load import samples as load_samples
from .findings_rates import GroupCounter, Unit
from .findings_tables import Counter
from .kinds import RecordKind
from .rules import RuleSet
from .special_samples import SPECIAL_SAMPLES
from .timeutil import display

REPORT_KINDS = RecordKind.REPORTS
REPORT_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified"]
SPECIAL_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Correctly classified"]
# The cancellation, disposal and N100 tables' columns are the checks table's (audit.check_table.findings_columns):
# the records counted, then one column per check counting the records that answered yes.
NOT_RECORDED = (False, None, "not recorded", None, "not recorded")  # recorded, classified, text, timely, text


class Pass:
    """Counts of every findings table, the verdict rows and the items' labels, from one pass over the verdicts."""

    def __init__(self, s: Session, rules: RuleSet) -> None:
        self.rules = rules
        h = rules.limit_hours
        self.limit_col, self.within_col = f"Outside {h} hours", f"Within {h} hours"
        self.rep = Counter([*REPORT_COLUMNS, self.limit_col, "Time not known"])
        self.special = Counter([*SPECIAL_COLUMNS, self.within_col, self.limit_col, "Time not known"])
        self.canc = Counter(findings_columns(RecordKind.CANCELLATION))
        self.disp = Counter(findings_columns(RecordKind.DISPOSAL))
        self.n100 = Counter(findings_columns(RecordKind.N100))
        self.groups = GroupCounter(h)
        self.units: list[Unit] = []
        self.verdict_rows: list[dict[str, Any]] = []
        self.labels: dict[int, str] = {}  # audit item id -> "Sample #position reference"
        self.auditors: set[str] = set()
        self.cancelled_links: list[int] = []
        self.samples: list[SampleInfo] = load_samples(s)
        self.s = s
        self._classified: dict[tuple[Any, ...], tuple[bool | None, str]] = {}

    def run(self, verdicts: list[Effective]) -> None:
        s = self.s
        wanted = set()
        for v in verdicts:
            if v.kind in REPORT_KINDS:
                for c in v.body.get("crimes", ()):
                    crime_id = c.get("crime_id")
                    if crime_id:
                        wanted.add(crime_id)
        crimes = load_crimes(s, wanted)
        kinds = {v.kind for v in verdicts}
        disposals = load_disposals(s) if RecordKind.DISPOSAL in kinds else {}
        cancellations = load_cancellations(s) if RecordKind.CANCELLATION in kinds else {}
        n100 = n100s(s) if RecordKind.N100 in kinds else {}
        info = {smp.id: smp for smp in self.samples}
        sample_of: dict[int, tuple[str, str | None]] = {}  # its name, a special sample's row label (else None)
        for v in verdicts:
            if v.sample_id not in sample_of:
                sample_of[v.sample_id] = _sample(info.get(v.sample_id))
            name, special = sample_of[v.sample_id]
            if v.kind in REPORT_KINDS:
                self._report(v, name, special, crimes)
            else:
                self._record(v, name, disposals, cancellations, n100)

    def _record(self, v: Effective, name: str, disposals: dict[int, tuple[str, str]],
                cancellations: dict[int, tuple[str, str | None, str | None]], n100: dict[int, str]) -> None:
        """A cancellation, disposal or N100: the row it counts in, then the checks table's columns."""
        if v.kind == RecordKind.CANCELLATION:
            ref, written, code = cancellations[v.record_id]
            counter, row = self.canc, CANCELLATION_GROUPS[cancellation_group(code, written)]
            system = row
        elif v.kind == RecordKind.DISPOSAL:
            ref, row = disposals[v.record_id]
            counter, system = self.disp, row
        elif v.kind == RecordKind.N100:
            # 'N100 needed' counts the N100s rightly applied: the rest of those reviewed were wrongly used (a
            # failed check); 'Should have been rape' with the rape each should have been recorded as
            counter, row, system, ref = self.n100, "N100 records", "N100", n100[v.record_id]
        else:
            return
        spec = kind_checks(v.kind)
        if spec is None:
            return
        body = VerdictBody.from_json(v.body)
        cols = counter.row(row)
        cols[spec.counted].append(v.item_id)
        for c in spec.checks:
            if body.checks.get(c.key) is True:
                cols[c.column].append(v.item_id)
        self._label(v, name, ref)
        self.verdict_rows.append({**self._base(v, name, body.rationale, None), "system": system, "record_ref": ref,
                                  "crime_no": 0, **{c.key: body.checks.get(c.key) for c in spec.checks},
                                  **{c.follow_up.key: getattr(body, c.follow_up.key) for c in spec.checks
                                     if c.follow_up is not None}})

    def _base(self, v: Effective, name: str, rationale: Any, zero_status: bool | None) -> dict[str, Any]:
        return {"item_id": v.item_id, "sample": name, "position": v.position, "kind": v.kind, "auditor": v.auditor,
                "rationale": rationale, "updated_at": display(v.updated_at), "zero_status": zero_status}

    def _label(self, v: Effective, name: str, ref: str | None) -> None:
        self.labels[v.item_id] = f"{name} #{v.position} {ref}"
        self.auditors.add(v.auditor)

    def _report(self, v: Effective, name: str, special: str | None, crimes: dict[int, Crime]) -> None:
        """An incident or referral, crime by crime: the body read as VerdictBody.from_json reads it."""
        if v.report_kind is None:
            raise KeyError(v.record_id)  # an incident or referral whose record is missing
        item_id, system, ref = v.item_id, v.system, v.ref
        body = v.body
        found = body.get("crimes", []) if body else []
        base = self._base(v, name, body.get("rationale", "") if body else "",
                          bool(body.get("zero_status")) if body else False)
        base["system"], base["record_ref"] = system, ref
        self._label(v, name, ref)
        if special:
            cols, unit = self.special.row(special), None
        else:
            cols = self.rep.row("Incident records" if v.report_kind == RecordKind.INCIDENT else cast(str, system))
            unit = Unit(item_id, v.sample_id, v.record_id, v.stratum or "")
            self.units.append(unit)
        cols["Records reviewed"].append(item_id)
        if not found:
            self.verdict_rows.append({**base, "crime_no": 0})
            return
        identified, recorded_col = cols["Crimes identified"], cols["Crimes recorded"]
        rules, known = self.rules, self._classified
        for no, c in enumerate(found, 1):
            expected = c.get("expected_code", "")
            crime_id = c.get("crime_id")
            crime = crimes.get(crime_id) if crime_id else None
            if crime is None:
                recorded, cls, cls_text, tim, tim_text = NOT_RECORDED
            else:
                recorded = True
                reason = c.get("override_reason", "")
                key = (expected, crime.ho_code, c.get("classified_override"), reason)
                try:
                    cls, cls_text = known[key]
                except KeyError:
                    cls, cls_text = known[key] = classified(*key)
                except TypeError:  # an answer no key can hold (not as the application writes them)
                    cls, cls_text = classified(*key)
                tim, tim_text = timely(v.received_at, crime.recorded_at, c.get("timely_override"), reason, rules)
            da, safeguarding, investigation = c.get("domestic_abuse"), c.get("safeguarding"), c.get("investigation")
            identified.append(item_id)
            if not special:
                self.groups.add(item_id, expected, recorded, tim, da, safeguarding, investigation, unit)
            if recorded:
                recorded_col.append(item_id)
                if tim is None:
                    cols["Time not known"].append(item_id)
                elif tim is False:
                    cols[self.limit_col].append(item_id)
                elif special:
                    cols[self.within_col].append(item_id)
                if crime is not None and crime.status == "cancelled":
                    self.cancelled_links.append(item_id)
            if cls is False and not special:
                cols["Wrongly classified"].append(item_id)
            if cls is True and special:
                cols["Correctly classified"].append(item_id)
            self.verdict_rows.append({**base, "crime_no": no, "expected_code": expected,
                                      "recorded_ref": crime.ref if crime else "",
                                      "recorded_code": crime.ho_code if crime else "",
                                      "recorded_status": crime.status if crime else "",
                                      "classified_correctly": cls, "classification": cls_text,
                                      "timely": tim, "timeliness": tim_text,
                                      "reason_not_recorded": c.get("not_recorded_reason", ""),
                                      "safeguarding": safeguarding, "investigation": investigation,
                                      "domestic_abuse": da})


def _sample(smp: SampleInfo | None) -> tuple[str, str | None]:
    """A sample's name, and the row a special sample's records count in (None for a main sample)."""
    special = (smp.frame.get("special") if smp else None) or None
    if not special:
        return (smp.name if smp else ""), None
    return (smp.name if smp else ""), SPECIAL_SAMPLES[special].label if special in SPECIAL_SAMPLES else special
