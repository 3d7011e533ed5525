"""One columnar pass over the completed effective verdicts, counting into every findings table.

The verdicts come as plain rows (findings_load.completed_verdicts: item, verdict and sampled report in one row);
the bodies are read as the JSON they are stored as, the way VerdictBody.from_json reads them (the same defaults
for an answer not given), without building a VerdictBody and a CrimeFinding per verdict and crime. A crime's
results are audit.evaluate's: the classification worked out once per distinct (expected code, recorded code,
override), the timeliness as rules.within_limit (timeliness' result without its text) unless overridden. Each table
cell gathers its audit items in a list (findings_tables.Counter), so counting is an append. The verdict rows, with
the texts only they show, are left to findings_rows, built from the same rows when first read.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from .audit.check_table import findings_columns, kind_checks
from .audit.verdicts import VerdictBody
from .findings_load import Crime, Effective, SampleInfo, Verdicts, json_text, n100s
from .findings_load import cancellations as load_cancellations
from .findings_load import crimes_utc as load_crimes
from .findings_load import disposals as load_disposals
from .findings_load import samples as load_samples
from .findings_rates import GroupCounter, Unit
from .findings_rows import Classified, Records, VerdictRows, classify, record_of
from .findings_tables import Counter
from .kinds import RecordKind
from .rules import RuleSet, within_limit
from .special_samples import SPECIAL_SAMPLES

REPORT_KINDS = RecordKind.REPORTS
REPORT_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Wrongly classified"]
SPECIAL_COLUMNS = ["Records reviewed", "Crimes identified", "Crimes recorded", "Correctly classified"]
# The cancellation, disposal, N100 and crime-record tables' columns are the checks table's
# (audit.check_table.findings_columns):
# the records counted, then one column per check counting the records that answered yes.


class Pass:
    """Counts of every findings table and the items' labels, from one pass over the verdicts; the verdict rows
    (findings_rows.VerdictRows) from the same rows, built when first read."""

    def __init__(self, s: Session, rules: RuleSet, audit_id: int | None = None) -> None:
        self.rules = rules
        h = rules.limit_hours
        self.limit_col, self.within_col = f"Outside {h} hours", f"Within {h} hours"
        self.rep = Counter([*REPORT_COLUMNS, self.limit_col, "Time not known"])
        self.special = Counter([*SPECIAL_COLUMNS, self.within_col, self.limit_col, "Time not known"])
        self.canc = Counter(findings_columns(RecordKind.CANCELLATION))
        self.disp = Counter(findings_columns(RecordKind.DISPOSAL))
        self.n100 = Counter(findings_columns(RecordKind.N100))
        self.crime_records = Counter(findings_columns(RecordKind.CRIME))
        self._counters: dict[str, Counter] = {RecordKind.CANCELLATION: self.canc, RecordKind.DISPOSAL: self.disp,
                                              RecordKind.N100: self.n100, RecordKind.CRIME: self.crime_records}
        self.groups = GroupCounter(h)
        self.units: list[Unit] = []
        self.verdict_rows = VerdictRows(Verdicts([], json_text), {}, {}, ({}, {}, {}, {}), rules, {})  # run: those read
        self.labels: dict[int, str] = {}  # audit item id -> "Sample #position reference"
        self.auditors: set[str] = set()
        self.cancelled_links: list[int] = []
        self.samples: list[SampleInfo] = load_samples(s, audit_id)
        self.s = s
        self._classified: Classified = {}

    def run(self, verdicts: Verdicts) -> None:
        s, rows = self.s, verdicts.rows
        bodies = [verdicts.parse(v.body) or {} for v in rows]  # read here, and again for the verdict rows if wanted
        wanted, sampled = set(), set()
        for v, body in zip(rows, bodies, strict=True):
            if v.kind in REPORT_KINDS:
                for c in body.get("crimes", ()):
                    crime_id = c.get("crime_id")
                    if crime_id:
                        wanted.add(crime_id)
            elif v.kind == RecordKind.CRIME:
                sampled.add(v.record_id)
        crimes = load_crimes(s, wanted)
        crime_records = load_crimes(s, sampled) if sampled else {}  # the crime records sampled themselves
        kinds = {v.kind for v in rows}
        disposals = load_disposals(s) if RecordKind.DISPOSAL in kinds else {}
        cancellations = load_cancellations(s) if RecordKind.CANCELLATION in kinds else {}
        n100 = n100s(s) if RecordKind.N100 in kinds else {}
        info = {smp.id: smp for smp in self.samples}
        sample_of: dict[int, tuple[str, str | None]] = {}  # its name, a special sample's row label (else None)
        for v, body in zip(rows, bodies, strict=True):
            if v.sample_id not in sample_of:
                sample_of[v.sample_id] = _sample(info.get(v.sample_id))
            name, special = sample_of[v.sample_id]
            if v.kind in REPORT_KINDS:
                self._report(v, body, name, special, crimes)
            else:
                self._record(v, body, name, (disposals, cancellations, n100, crime_records))
        self.verdict_rows = VerdictRows(verdicts, {i: name for i, (name, _) in sample_of.items()}, crimes,
                                        (disposals, cancellations, n100, crime_records), self.rules,
                                        self._classified)

    def _record(self, v: Effective, body: Any, name: str, records: Records) -> None:
        """A cancellation, disposal, N100 or crime record: the row it counts in, then the checks table's columns."""
        # 'N100 needed' counts the N100s rightly applied: the rest of those reviewed were wrongly used (a failed
        # check); 'Should have been rape' with the rape each should have been recorded as. A crime record counts in
        # its offence group's row (findings_rows.crime_group_label)
        where = record_of(v, *records)
        if where is None:
            return
        row, _, ref = where
        counter = self._counters[v.kind]
        spec = kind_checks(v.kind)
        if spec is None:
            return
        checks = VerdictBody.from_json(body).checks
        cols = counter.row(row)
        cols[spec.counted].append(v.item_id)
        for c in spec.checks:
            if checks.get(c.key) is True:
                cols[c.column].append(v.item_id)
        self._label(v, name, ref)

    def _label(self, v: Effective, name: str, ref: str | None) -> None:
        self.labels[v.item_id] = f"{name} #{v.position} {ref}"
        self.auditors.add(v.auditor)

    def _report(self, v: Effective, body: Any, name: str, special: str | None, crimes: dict[int, Crime]) -> None:
        """An incident or referral, crime by crime: the body read as VerdictBody.from_json reads it (the verdict
        rows' texts are left to findings_rows)."""
        if v.report_kind is None:
            raise KeyError(v.record_id)  # an incident or referral whose record is missing
        item_id, system = v.item_id, v.system
        found = body.get("crimes", []) if body else []
        self._label(v, name, v.ref)
        if special:
            cols, unit = self.special.row(special), None
        else:
            cols = self.rep.row("Incident records" if v.report_kind == RecordKind.INCIDENT else cast(str, system))
            unit = Unit(item_id, v.sample_id, v.record_id, v.stratum or "")
            self.units.append(unit)
        cols["Records reviewed"].append(item_id)
        if not found:
            return
        identified, recorded_col = cols["Crimes identified"], cols["Crimes recorded"]
        hours, known, add = self.rules.limit_hours, self._classified, self.groups.add
        received = v.received_at
        for c in found:
            expected = c.get("expected_code", "")
            crime_id = c.get("crime_id")
            crime = crimes.get(crime_id) if crime_id else None
            identified.append(item_id)
            if crime is None:  # not recorded: neither classified nor timed
                if not special:
                    da = c.get("domestic_abuse")  # safeguarding and investigation count only beside it
                    add(item_id, expected, False, None, da, da and c.get("safeguarding"),
                        da and c.get("investigation"), unit)
                continue
            reason = c.get("override_reason", "")
            cls = classify(known, expected, crime.ho_code, c.get("classified_override"), reason)[0]
            # audit.evaluate.timely's result without its text: the auditor's override, else the arithmetic
            tim = c.get("timely_override")
            if tim is None:
                tim = within_limit(received, crime.recorded_at, hours)
            if not special:
                add(item_id, expected, True, tim, c.get("domestic_abuse"), None, None, unit)  # recorded: not asked
            recorded_col.append(item_id)
            if tim is None:
                cols["Time not known"].append(item_id)
            elif tim is False:
                cols[self.limit_col].append(item_id)
            elif special:
                cols[self.within_col].append(item_id)
            if crime.status == "cancelled":
                self.cancelled_links.append(item_id)
            if cls is False and not special:
                cols["Wrongly classified"].append(item_id)
            if cls is True and special:
                cols["Correctly classified"].append(item_id)


def _sample(smp: SampleInfo | None) -> tuple[str, str | None]:
    """A sample's name, and the row a special sample's records count in (None for a main sample)."""
    special = (smp.frame.get("special") if smp else None) or None
    if not special:
        return (smp.name if smp else ""), None
    return (smp.name if smp else ""), SPECIAL_SAMPLES[special].label if special in SPECIAL_SAMPLES else special
