"""Build the bundled sample audit database and its answer key.

    python -m sample_data.generate OUT.db [--seed N]

Writes OUT.db (a fictional force, Midshire Police, audited for 01/01/2014 to 30/06/2014 under the 2014
rules) and OUT.answers.json beside it: for every sampled record, what an expert auditor should find, and the
findings totals that follow. Everything comes from the seed: the truth of each record is planned first and
the records are written from it, so the database and the key agree by construction.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from cdi_workbench.audit.facts import note_tables
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.classification import cancellation_group_of_code, codes_for_period, lookup
from cdi_workbench.draw_keys import P, order_rank
from cdi_workbench.rules import REASONS_NOT_RECORDED, normalise_code
from cdi_workbench.sampling import draw
from cdi_workbench.storage.content import RECORD_TABLES
from cdi_workbench.storage.models import (
    N100,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Sample,
)
from cdi_workbench.timeutil import UK

from . import answers
from .assign import HOURS, OFFICE_HOURS, daily_refs, place_cases, predict, random_times, running_refs
from .incidents import plan_incidents
from .model import Case, CrimeTruth, Slot
from .narratives import crime_log, zero_log
from .others import (
    CANCEL_COUNTS,
    DISPOSAL_TYPES,
    N100_VARIANTS,
    OUTCOME,
    CancelCase,
    DisposalCase,
    N100Case,
    cancellation_text,
    disposal_notes,
    n100_incident_log,
    n100_text,
    plan_cancellation,
    plan_disposal,
    plan_n100,
)
from .places import load_geography, load_nsir_categories
from .referrals import plan_referral, referral_log

FORCE = "Midshire Police"
PERIOD = (date(2014, 1, 1), date(2014, 6, 30))
RULES = "2014"
DEFAULT_SEED = 2014
N_INCIDENTS = 3000
N_REFERRALS = {"Guardian": 300, "PO1": 150, "DO1": 100}
REFERRAL_REF = {"Guardian": "GRD/{yy}/{n:06d}", "PO1": "PO1/{yy}/{n:05d}", "DO1": "DO1/{yy}/{n:05d}"}
DISPOSALS_PER_TYPE = 50
WHO = "sample generator"
# Reports received here and recorded 71 h 30 min later cross the change to summer time (30/03/2014 01:00 GMT).
CLOCK_WINDOW = (datetime(2014, 3, 27, 3, 0, tzinfo=UK), datetime(2014, 3, 30, 0, 30, tzinfo=UK))
# name, kind, system, size, stratify, per_stratum, hard cases the sample must show (and how often)
SAMPLES: list[tuple[str, str, str | None, int, bool, int | None, dict[str, int]]] = [
    ("Incidents", "incident", None, 120, True, None,
     {"rape_as_lesser": 3, "multi_crime": 4, "multi_partly_recorded": 1, "later_disclosure": 4,
      "victim_not_believed": 3, "late": 5, "unlinked": 3, "misclassified": 2, "not_recorded": 2,
      "zero_status": 20}),
    ("Guardian referrals", "referral", "Guardian", 40, False, None,
     {"not_recorded": 6, "zero_status": 4, "late": 1, "unlinked": 1}),
    ("PO1 referrals", "referral", "PO1", 20, False, None, {"not_recorded": 2, "zero_status": 1}),
    ("DO1 referrals", "referral", "DO1", 20, False, None, {"domestic_non_crime": 4, "zero_status": 3}),
    ("Disposals", "disposal", None, 40, False, 10,
     {"offender_suitable": 3, "offender_made_aware": 3, "victim_views_considered": 3,
      "outcome_appropriate": 2}),
    ("Cancellations", "cancellation", None, 48, False, 8,
     {"decision_correct": 3, "authorised_decision_maker": 3, "victim_informed": 3}),
    ("N100s", "n100", None, 15, False, None,
     {"n100_should_be_rape": 2, "n100_already_recorded": 1, "n100_not_rape": 1}),
]


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


# The owning units (issue 14): three local policing areas; a record's unit is worked out from its reference alone
# (its own seeded generator, so nothing else the sample holds changes), and about one record in 40 has none, as an
# extract's blank cell, so the findings by unit show 'Unit not recorded' too.
UNITS = ("North LPA", "Central LPA", "South LPA")


def unit_of(seed: int, ref: str) -> str | None:
    rng = random.Random(f"{seed}:unit:{ref}")
    return None if rng.random() < 0.025 else rng.choice(UNITS)


def answers_path(path: Path) -> Path:
    return path.with_name(path.stem + ".answers.json")


class Builder:
    """Plans every record, places the cases, writes the database and collects the answer key."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.geo = load_geography()
        self.nsir = set(load_nsir_categories()) | {"Crime"}
        self.start, self.end = PERIOD
        self.days = (self.end - self.start).days + 1
        self.valid_codes = {normalise_code(c.code) for c in codes_for_period(*PERIOD)}
        self.placed: dict[str, dict[str, int]] = {}
        self.recorded_at: dict[int, datetime] = {}  # id(CrimeTruth) -> recorded_at

    # ---- planning ------------------------------------------------------------------------------------
    def plan(self) -> None:
        rng, geo = self.rng, self.geo
        variants = list(N100_VARIANTS)
        rng.shuffle(variants)
        self.n100s: list[N100Case] = [plan_n100(rng, geo, v) for v in variants]
        self.incidents: list[Case] = plan_incidents(rng, geo, N_INCIDENTS - len(self.n100s)) + [
            n.incident for n in self.n100s]
        self.referrals = {s: [plan_referral(rng, geo, s) for _ in range(n)] for s, n in N_REFERRALS.items()}
        self.disposals: list[DisposalCase] = [plan_disposal(rng, t) for t in DISPOSAL_TYPES
                                              for _ in range(DISPOSALS_PER_TYPE)]
        self.cancels: list[CancelCase] = [plan_cancellation(rng, g) for g, n in CANCEL_COUNTS.items()
                                          for _ in range(n)]

    def slots(self) -> None:
        rng, start, days = self.rng, self.start, self.days
        self.inc_slots = daily_refs(rng, random_times(rng, N_INCIDENTS, start, days, HOURS),
                                    "MP-{day:%Y%m%d}-{n:04d}")
        self._early_ranks()
        self.ref_slots = {
            s: running_refs(rng, random_times(rng, n, start, days, OFFICE_HOURS if s != "DO1" else HOURS,
                                              weekdays_only=s != "DO1"), REFERRAL_REF[s],
                            start=rng.randint(200, 3000), gap=12)
            for s, n in N_REFERRALS.items()}
        self.disp_slots = running_refs(rng, random_times(rng, len(self.disposals), start, days, OFFICE_HOURS),
                                       "OOCD/{yy}/{n:05d}", start=rng.randint(100, 900), gap=9)
        self.n100_slots = running_refs(rng, random_times(rng, len(self.n100s), start, days, OFFICE_HOURS),
                                       "N100/{yy}/{n:04d}", start=0, gap=3)
        cancelled = random_times(rng, len(self.cancels), start, days, OFFICE_HOURS)
        # a cancelled crime was recorded some days or weeks before it was cancelled
        self.cancel_times = [(c - timedelta(minutes=rng.randint(30 * 60, 50 * 24 * 60)), c)
                             for c in cancelled]

    def _early_ranks(self) -> None:
        """Renumber a few logs received in the three days before the clocks went forward so that the draw
        is sure to pick them (their rank is among the lowest 1%): the clock-change case needs one sampled.
        A new serial stays between its neighbours' on the same day, so refs still follow time order."""
        lo, hi = CLOCK_WINDOW
        low = P // 100
        planted = 0
        slots = self.inc_slots
        window = [i for i, slot in enumerate(slots) if lo <= slot.received_at < hi]
        self.rng.shuffle(window)
        for i in window:
            if planted >= 5:
                break
            slot = slots[i]
            head = slot.ref.rsplit("-", 1)[0]
            before, after = slots[i - 1] if i else None, slots[i + 1] if i + 1 < len(slots) else None
            prev = int(before.ref.rsplit("-", 1)[1]) if before and before.ref.startswith(head) else 0
            nxt = int(after.ref.rsplit("-", 1)[1]) if after and after.ref.startswith(head) else 1500
            options = [f"{head}-{n:04d}" for n in range(prev + 1, nxt)]
            best = min(options, key=lambda r: order_rank(self.seed, r))
            if order_rank(self.seed, best)[0] < low:
                slot.ref = best
                planted += 1

    def place(self) -> None:
        rng, seed = self.rng, self.seed
        spec = {name: (size, strat, per, needs) for name, _k, _s, size, strat, per, needs in SAMPLES}

        def go(name: str, cases: list[Any], refs: list[str]) -> list[Any]:
            size, strat, per, needs = spec[name]
            order, got = place_cases(rng, cases, refs, seed, size, needs, strat, per)
            self.placed[name] = got
            return order

        self.incidents = go("Incidents", self.incidents, [s.ref for s in self.inc_slots])
        self._clock_change()
        for s in N_REFERRALS:
            self.referrals[s] = go(f"{s} referrals", self.referrals[s], [x.ref for x in self.ref_slots[s]])
        self.disposals = go("Disposals", self.disposals, [x.ref for x in self.disp_slots])
        self.n100s = go("N100s", self.n100s, [x.ref for x in self.n100_slots])
        self._number_crimes()
        self.cancels = go("Cancellations", self.cancels, [h.crime.ref for h in self._cancel_slot_crimes])

    def _clock_change(self) -> None:
        """Crimes recorded 71 h 30 min after a report received in the three days before the clocks went
        forward: 72 h 30 min on the wall clock, but within 72 hours (the limit is counted in UTC). Sampled
        logs first: a plain case there may be swapped for a suitable one of the same stratum."""
        lo, hi = CLOCK_WINDOW
        refs = [s.ref for s in self.inc_slots]
        strata = [c.stratum() for c in self.incidents]
        chosen = predict(refs, strata, self.seed, SAMPLES[0][3], stratify=True)

        def suitable(case: Case, unlinked: bool) -> bool:  # one crime, recorded on time
            return not case.tags - ({"unlinked"} if unlinked else set()) and len(case.crimes) == 1 and \
                case.crimes[0].recorded and case.crimes[0].role == "main" and not case.crimes[0].late

        window = [i for i, s in enumerate(self.inc_slots) if lo <= s.received_at < hi]
        window.sort(key=lambda i: (i not in chosen, i))
        done = sampled = 0
        for unlinked in (False, True):  # a linked crime reads best; one with a missing link only if need be
            for i in window:
                if done >= 3 and not unlinked:
                    break
                if unlinked and (sampled or i not in chosen):  # only to get one into the sample at all
                    continue
                plain = not self.incidents[i].tags - {"zero_status"}
                if i in chosen and plain and not suitable(self.incidents[i], unlinked):
                    j = next((j for j in range(len(self.incidents)) if j not in chosen
                              and strata[j] == strata[i] and suitable(self.incidents[j], unlinked)), None)
                    if j is not None:
                        self.incidents[i], self.incidents[j] = self.incidents[j], self.incidents[i]
                case = self.incidents[i]
                if "clock_change" not in case.tags and suitable(case, unlinked):
                    case.crimes[0].delay_h = 71.5
                    case.tags.add("clock_change")
                    done += 1
                    sampled += i in chosen

    def _number_crimes(self) -> None:
        """Crime references in recording order across the force (with gaps: the extract is a subset)."""
        rng = self.rng
        entries: list[tuple[datetime, int, CrimeTruth]] = []

        def add(c: CrimeTruth, at: datetime) -> None:
            self.recorded_at[id(c)] = at
            entries.append((at, len(entries), c))

        for case, slot in zip(self.incidents, self.inc_slots, strict=True):
            for c in case.crimes:
                if c.recorded:
                    add(c, slot.at(c.delay_h))
        for s, cases in self.referrals.items():
            for case, slot in zip(cases, self.ref_slots[s], strict=True):
                for c in case.crimes:
                    if c.recorded:
                        add(c, slot.at(c.delay_h))
        for d, slot in zip(self.disposals, self.disp_slots, strict=True):
            d.crime = CrimeTruth(d.code, victim_sex=None, victim_age=None, outcome=OUTCOME[d.dtype])
            add(d.crime, slot.at(-d.lag_h))
        self._cancel_slot_crimes = []
        for rec, _cancelled in self.cancel_times:
            holder = CancelCase("", "", {}, "")
            holder.crime = CrimeTruth("")
            add(holder.crime, rec)
            self._cancel_slot_crimes.append(holder)
        n: dict[str, int] = {}
        for at, _i, c in sorted(entries, key=lambda e: (e[0], e[1])):
            yy = at.astimezone(UK).strftime("%y")
            n[yy] = n.get(yy, rng.randint(150, 600)) + rng.randint(2, 14)
            c.ref = f"MC/{yy}/{n[yy]:06d}"

    # ---- writing -------------------------------------------------------------------------------------
    def write(self, path: Path) -> dict[str, Any]:
        db = init_audit(path, FORCE, *PERIOD, RULES, created_by=WHO)
        try:
            rows = self._rows()
            with db.session() as s:
                for model, data in rows:
                    if data:
                        s.execute(insert(model), data)
                s.flush()
                # as an import does: each record's content digest, and each table as loaded in the history, so
                # `cdi verify` on the bundled sample finds every record as it was put there
                note_tables(s, WHO, RECORD_TABLES, "the bundled sample's records, as generated")
                for name, kind, system, size, strat, per, _needs in SAMPLES:
                    draw(s, name, kind, size, self.seed, system=system, stratify=strat, per_stratum=per,
                         who=WHO)
                s.flush()
                key = self._key(s)
        finally:
            db.close()
        return key

    def _outcome(self) -> str:
        o = self.geo.outcomes
        return self.rng.choices(list(o), weights=list(o.values()))[0]

    def _crime_row(self, cid: int, c: CrimeTruth, source: str | None, location: str | None,
                   reported: datetime, status: str = "recorded", extra: dict | None = None) -> dict[str, Any]:
        at = self.recorded_at[id(c)]
        cls = lookup(c.recorded_code)
        if not {normalise_code(c.recorded_code), normalise_code(c.code)} <= self.valid_codes:
            raise ValueError(f"code {c.recorded_code or c.code} is not valid for the audit period")
        return {"id": cid, "ref": c.ref, "recorded_at": at, "reported_at": reported,
                "month": at.astimezone(UK).strftime("%Y-%m"), "ho_code": c.recorded_code,
                "offence": cls.label if cls else None, "status": status,
                "outcome": c.outcome or (self._outcome() if status == "recorded" else None),
                "source_ref": source, "domestic_abuse": c.domestic, "victim_age": c.victim_age,
                "victim_sex": c.victim_sex, "location": location, "extra": extra}

    def _rows(self) -> list[tuple[type, list[dict[str, Any]]]]:
        streets = self.geo.streets
        reports: list[dict[str, Any]] = []
        crimes: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        self.report_index: dict[int, tuple[Case, Slot]] = {}
        n100_of = {id(n.incident): (n, slot) for n, slot in zip(self.n100s, self.n100_slots, strict=True)}

        def report(case: Case, slot: Slot) -> None:
            rid = len(reports) + 1
            rng = random.Random(f"{self.seed}:{slot.ref}")
            if case.scenario == "crime":
                text = crime_log(rng, case, slot, streets)
            elif case.scenario == "zero":
                text = zero_log(rng, case, slot, streets)
            elif case.scenario == "n100":
                n, nslot = n100_of[id(case)]
                text = n100_incident_log(rng, case, slot, streets, nslot.ref, n.delay_h)
            else:
                text = referral_log(rng, case, slot, streets)
            for code in (case.opening, case.closing):
                if case.kind == "incident" and code not in self.nsir:
                    raise ValueError(f"incident code {code!r} is not an NSIR category")
            linked = [c for c in case.crimes if c.recorded and c.linked]
            loc = case.place.location if case.place else None
            reports.append({"id": rid, "kind": case.kind, "system": case.system, "ref": slot.ref,
                            "received_at": slot.received_at, "opening_code": case.opening,
                            "closing_code": case.closing, "caller_type": case.caller, "agency": case.agency,
                            "category": case.category, "location": loc, "narrative": text,
                            "crime_refs": ";".join(c.ref for c in linked),
                            "extra": {"qualifiers": case.qualifiers} if case.qualifiers else None,
                            "unit": unit_of(self.seed, slot.ref)})
            self.report_index[rid] = (case, slot)
            for c in case.crimes:
                if not c.recorded:
                    continue
                if c.reason and c.reason not in REASONS_NOT_RECORDED:
                    raise ValueError(c.reason)
                cid = len(crimes) + 1
                reported = slot.at(c.later_h) if c.later_h is not None else slot.received_at
                crimes.append({**self._crime_row(cid, c, slot.ref, loc, reported,
                                                 extra={"source_system": case.system}),
                               "unit": reports[-1]["unit"]})  # the report's unit owns its crimes
                if c.linked:
                    links.append({"report_id": rid, "crime_id": cid})

        for case, slot in zip(self.incidents, self.inc_slots, strict=True):
            report(case, slot)
        for s, cases in self.referrals.items():
            for case, slot in zip(cases, self.ref_slots[s], strict=True):
                report(case, slot)
        inc_slot = {id(case): slot for case, slot in zip(self.incidents, self.inc_slots, strict=True)}

        disposals, self.disposal_index = [], {}
        for i, (d, slot) in enumerate(zip(self.disposals, self.disp_slots, strict=True), 1):
            assert d.crime is not None
            rng = random.Random(f"{self.seed}:{slot.ref}")
            history, notes = disposal_notes(rng, d, slot.received_at)
            place = rng.choice(self.geo.places.get("Shoplifting" if d.code == "46" else "Criminal damage "
                                                                                        "and arson")
                               or streets)
            d.crime.victim_sex, d.crime.victim_age = _victim_of(d.victim)
            crimes.append({**self._crime_row(len(crimes) + 1, d.crime, f"CUST/{slot.ref[5:]}", place.location,
                                             self.recorded_at[id(d.crime)], extra={"source_system": "Custody"}),
                           "unit": unit_of(self.seed, slot.ref)})
            disposals.append({"id": i, "ref": slot.ref, "crime_ref": d.crime.ref, "disposal_type": d.dtype,
                              "issued_at": slot.received_at, "offender_history": history, "victim": d.victim,
                              "notes": notes, "extra": None, "unit": unit_of(self.seed, slot.ref)})
            self.disposal_index[i] = (d, slot)

        cancels, self.cancel_index = [], {}
        slots = zip(self.cancels, self._cancel_slot_crimes, self.cancel_times, strict=True)
        for i, (c, holder, (rec, when)) in enumerate(slots, 1):
            assert holder.crime is not None
            rng = random.Random(f"{self.seed}:{holder.crime.ref}")
            truth = holder.crime
            truth.code = truth.recorded_code = c.code
            truth.victim_sex, truth.victim_age = ("F" if c.code in ("19C", "19D", "20A") else
                                                  "M" if c.code in ("19F", "17A") else rng.choice("FM")), \
                rng.randint(14 if c.group != "rape" else 16, 70)
            c.crime = truth
            place = rng.choice(streets)
            crimes.append({**self._crime_row(len(crimes) + 1, truth, f"CDR/{rng.randint(10000, 99999)}",
                                             place.location, rec, status="cancelled",
                                             extra={"source_system": "Crime desk"}),
                           "unit": unit_of(self.seed, truth.ref)})
            dup = f"MC/14/{rng.randint(1000, 9999):06d}"
            reason, notes = cancellation_text(rng, c, when, dup)
            if cancellation_group_of_code(c.code) != c.group:  # the draw groups a cancellation by its crime's code
                raise ValueError(f"code {c.code} is not in the cancellation group {c.group}")
            # stored as an import stores it: the group's key (an extract's 'Violence', 'VAP', 'Robbery', ...)
            cancels.append({"id": i, "crime_ref": truth.ref, "cancelled_at": when, "reason": reason,
                            "decided_by_role": c.decided_by, "offence_group": c.group,
                            "notes": notes, "extra": None, "unit": unit_of(self.seed, truth.ref)})
            self.cancel_index[i] = (c, truth.ref)

        n100s, self.n100_index = [], {}
        for i, (n, slot) in enumerate(zip(self.n100s, self.n100_slots, strict=True), 1):
            rng = random.Random(f"{self.seed}:{slot.ref}")
            at = inc_slot[id(n.incident)].at(n.delay_h)
            n100s.append({"id": i, "ref": slot.ref, "incident_ref": inc_slot[id(n.incident)].ref, "recorded_at": at,
                          "reason_code": n.reason_code, "narrative": n100_text(rng, n, at), "extra": None,
                          "unit": unit_of(self.seed, slot.ref)})
            self.n100_index[i] = (n, slot)
        return [(ReportRecord, reports), (CrimeRecord, crimes), (RecordLink, links), (Disposal, disposals),
                (Cancellation, cancels), (N100, n100s)]

    # ---- the key -------------------------------------------------------------------------------------
    def _key(self, s: Any) -> dict[str, Any]:
        samples: dict[str, Any] = {}
        hard: dict[str, list[list[str]]] = {}
        for smp in s.scalars(select(Sample).order_by(Sample.id)):
            items: dict[str, Any] = {}
            for item in s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id)
                                  .order_by(AuditItem.position)):
                ref, entry, tags = self._item(item)
                entry = {"position": item.position, "stratum": item.stratum, **entry}
                items[ref] = entry
                for t in sorted(tags):
                    hard.setdefault(t, []).append([smp.name, ref])
            samples[smp.name] = {"kind": smp.kind, "system": smp.system, "size": len(items), "items": items}
        counts = {
            "incidents": len(self.incidents), "crime_records": len(self.recorded_at),
            "crime_records_recorded": len(self.recorded_at) - len(self.cancels),
            **{s: len(v) for s, v in self.referrals.items()}, "disposals": len(self.disposals),
            "cancellations": len(self.cancels), "n100": len(self.n100s),
            "record_links": sum(1 for cases in [self.incidents, *self.referrals.values()] for c in cases
                                for t in c.crimes if t.recorded and t.linked),
        }
        return {"generator": "sample_data.generate", "seed": self.seed, "force": FORCE,
                "period_start": PERIOD[0].isoformat(), "period_end": PERIOD[1].isoformat(), "rules": RULES,
                "street_file_used": self.geo.from_file, "counts": counts, "hard_cases": hard,
                "samples": samples,
                "expected": answers.expected_totals(samples, RULES)}

    def _item(self, item: AuditItem) -> tuple[str, dict[str, Any], set[str]]:
        if item.kind in ("incident", "referral"):
            case, slot = self.report_index[item.record_id]
            return slot.ref, answers.report_item(case, slot.received_at, self.recorded_at, RULES), case.tags
        if item.kind == "disposal":
            d, slot = self.disposal_index[item.record_id]
            return slot.ref, {"disposal_type": d.dtype, "crime_ref": d.crime.ref if d.crime else None,
                              "checks": answers.checks_item("disposal", d.checks, d.dtype),
                              "hard_cases": sorted(d.tags)}, d.tags
        if item.kind == "cancellation":
            c, ref = self.cancel_index[item.record_id]
            return ref, {"offence_group": c.group, "expected_code": c.code,
                         "checks": answers.checks_item("cancellation", c.checks),
                         "hard_cases": sorted(c.tags)}, c.tags
        n, slot = self.n100_index[item.record_id]
        return slot.ref, {"variant": n.variant, "checks": answers.checks_item("n100", n.checks),
                          "hard_cases": sorted(n.tags)}, n.tags


def _victim_of(text: str | None) -> tuple[str | None, int | None]:
    if not text:
        return None, None
    sex = "F" if text.startswith("Female") else "M" if text.startswith("Male") else None
    digits = "".join(ch for ch in text.split(",")[-1] if ch.isdigit())
    return sex, int(digits) if sex and digits else None


def build(path: Path | str, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write the sample database at path (replacing it) and its answer key beside it; return the key."""
    path = Path(path)
    _remove(path)
    b = Builder(seed)
    b.plan()
    b.slots()
    b.place()
    key = b.write(path)
    answers_path(path).write_text(json.dumps(key, indent=1, sort_keys=False, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    return key


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sample_data.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the database file to write (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    key = build(args.out, args.seed)
    c = key["counts"]
    print(f"wrote {args.out} and {answers_path(args.out).name} in {time.perf_counter() - t0:.1f} s: "
          f"{c['incidents']} incidents, {c['crime_records']} crime records, {c['Guardian']} Guardian, "
          f"{c['PO1']} PO1, {c['DO1']} DO1 referrals, {c['disposals']} disposals, {c['cancellations']} "
          f"cancellations, {c['n100']} N100s; samples: "
          + ", ".join(f"{n} ({v['size']})" for n, v in key["samples"].items()))
    print("hard cases in the samples: " + ", ".join(f"{t} {len(v)}" for t, v in sorted(key["hard_cases"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
