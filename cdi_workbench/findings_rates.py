"""Recording rates, timeliness and domestic abuse per offence group, with the sample design behind the rates.

Two figures are given for every rate (see ../shared/DOMAIN.md, 'How findings are reported'):
- the published style: crimes recorded / crimes identified, counted unweighted ("X out of Y"), with the interval
  chosen by `--method`; the normal approximation applies the finite population correction with N the estimated
  number of crimes of the group in the sampled population (records in each frame x crimes identified per
  sampled record), as inspections publish it;
- the design-weighted estimate: each sampled record weighted by its stratum's population over the records
  completed in it (a record drawn in two samples of one frame counted once, the frame once), a combined ratio
  estimate whose variance accounts for crimes clustered in records and for strata and samples drawn at
  different rates (statistics.design_rate).
Where the weights differ (samples or strata drawn at different rates) the design-weighted rate is the headline
used for the annual estimate; otherwise the published-style rate is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .classification import GROUP_LABELS, group_of
from .findings_load import SampleInfo
from .findings_tables import Cell, Row, Table
from .rules import normalise_code
from .statistics import (
    METHODS,
    SMALL,
    Design,
    Estimate,
    Rate,
    Stratum,
    check_strata,
    design_rate,
    rate,
    unrecorded_estimate,
)

WEIGHTED_LABEL = "Stratified samples (weighted estimate)"
RATE_GROUPS = [("all", "All crimes (excluding fraud)"), ("vap", "Violence against the person"),
               ("sexual_all", "Sexual offences (including rape)"), ("sexual", "Sexual offences (excluding rape)"),
               ("rape", "Rape"),
               ("other", "All other offences (excluding fraud)")]
RATE_COLUMNS = ["Crimes identified", "Crimes recorded", "Recording rate", "95% interval", "Interval method",
                "Design-weighted rate", "Design-weighted 95% interval", "Design-weighted method"]
ESTIMATE_GROUPS = [k for k, _ in RATE_GROUPS if k != "sexual_all"]
UNEQUAL = 1.05  # weights differing by more than this factor make the design-weighted rate the headline


@lru_cache(maxsize=4096)
def groups_of(expected_code: str) -> tuple[str, ...]:
    """The rate groups a crime of this expected code counts in ([] for fraud, which the samples exclude)."""
    group = group_of(expected_code)
    if group == "fraud":
        return ()
    return ("all", group, *(("sexual_all",) if group in ("sexual", "rape") else ()))


class Unit:
    """A sampled record of a main (not special) incident or referral sample with a completed verdict."""

    __slots__ = ("item_id", "sample_id", "record_id", "stratum", "counts")

    def __init__(self, item_id: int, sample_id: int, record_id: int, stratum: str) -> None:
        self.item_id, self.sample_id, self.record_id, self.stratum = item_id, sample_id, record_id, stratum
        self.counts: dict[str, list[int]] = {}  # offence group -> [recorded, identified]


@dataclass
class DesignPlan:
    """The strata of the main samples' frames, each with its completed records (or why there are none)."""

    strata: list[tuple[Stratum, list[Unit], bool]] = field(default_factory=list)  # (stratum, units, stratified)
    notes: list[str] = field(default_factory=list)
    # records drawn again in another sample of one frame: (the samples' names, the unit counted, the one left out)
    repeated: list[tuple[str, Unit, Unit]] = field(default_factory=list)
    refused: str = ""  # why no weighted figure could be computed (an impossible or missing frame)

    def for_group(self, g: str, stratified_only: bool = False) -> list[Stratum]:
        none = (0, 0)
        return [Stratum(st.population, tuple([(c[0], c[1]) if (c := u.counts.get(g)) else none for u in units]),
                        st.name)
                for st, units, stratified in self.strata if stratified or not stratified_only]

    def weights_differ(self, g: str) -> bool:
        w = [st.population / len(units) for st, units, _ in self.strata
             if any(u.counts.get(g, [0, 0])[1] for u in units)]
        return bool(w) and max(w) > min(w) * UNEQUAL


def _frame_key(smp: SampleInfo) -> str:
    return json.dumps([smp.kind, smp.system or "", smp.frame.get("filters") or {}], sort_keys=True)


def _disjoint(kind: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two frames of one kind and system, filtered by `a` and `b` (sampling.Filters as stored in the frame),
    can share no record: their date ranges do not meet, or both ask for different values of one exactly matched
    field (the opening or closing code; a crime sample's Home Office code). Anything else may overlap."""
    lo_a, hi_a, lo_b, hi_b = a.get("date_from"), a.get("date_to"), b.get("date_from"), b.get("date_to")
    if (hi_a and lo_b and hi_a < lo_b) or (hi_b and lo_a and hi_b < lo_a):  # ISO dates compare as text
        return True
    exact = ["opening_code", "closing_code"] + (["ho_code"] if kind == "crime" else [])
    return any(a.get(k) and b.get(k) and normalise_code(a[k]) != normalise_code(b[k]) if k == "ho_code"
               else a.get(k) and b.get(k) and a[k] != b[k] for k in exact)


def _overlapping(frames: list[list[SampleInfo]]) -> str:
    """Why no weighted figure can be made when two main samples' frames (of one kind and system, with other filters)
    may hold the same records: each frame's population would be added in full, the shared records counted twice
    (a filtered sample is a subset of its kind's whole frame). Empty when the frames are disjoint."""
    for i, first in enumerate(frames):
        for second in frames[i + 1:]:
            a, b = first[-1], second[-1]
            if (a.kind, a.system or "") != (b.kind, b.system or ""):
                continue
            fa, fb = a.frame.get("filters") or {}, b.frame.get("filters") or {}
            if not _disjoint(a.kind, fa, fb):
                def named(group: list[SampleInfo], filters: dict[str, Any]) -> str:
                    how = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(filters.items())) or "no filter"
                    return " + ".join(f"'{smp.name}'" for smp in group) + f" ({how})"
                return (f"samples {named(first, fa)} and {named(second, fb)} are drawn from frames of the same "
                        f"{a.kind} records that may overlap, so adding their populations would count the shared "
                        f"records twice; draw the narrower one as a special sample, or from a frame that excludes "
                        f"the other's records")
    return ""


def _stratum_label(key: str) -> str:
    return "all records" if key == "all" else GROUP_LABELS.get(key, key)


def plan(units: list[Unit], samples: list[SampleInfo]) -> DesignPlan:
    """Group the main samples by frame (kind, system, filters): samples of one frame are one design, each record
    counted once, the frame's population (from its latest draw) once."""
    out = DesignPlan()
    by_frame: dict[str, list[SampleInfo]] = defaultdict(list)
    for smp in samples:
        by_frame[_frame_key(smp)].append(smp)
    why = _overlapping(list(by_frame.values()))
    if why:
        out.refused = why
        return out
    by_sample: dict[int, list[Unit]] = defaultdict(list)
    for u in units:
        by_sample[u.sample_id].append(u)
    for group in by_frame.values():
        names = " + ".join(f"'{smp.name}'" for smp in group)
        latest = group[-1].frame
        population = latest.get("population") or {}
        stratified = all(smp.frame.get("stratified") for smp in group)
        if not population:
            out.refused = f"sample {names} has no population in its sample frame"
            return out
        if not stratified:
            population = {"all": sum(population.values())}
        seen: dict[int, Unit] = {}
        members: dict[str, list[Unit]] = {h: [] for h in population}
        for smp in group:
            for u in by_sample.get(smp.id, []):
                if u.record_id in seen:  # drawn again in another sample of the same frame: counted once
                    out.repeated.append((names, seen[u.record_id], u))
                    continue
                seen[u.record_id] = u
                h = u.stratum if stratified else "all"
                if h not in members:
                    out.refused = (f"sample {names}: a record's stratum {_stratum_label(h)!r} is not in the "
                                   f"sample frame")
                    return out
                members[h].append(u)
        for h, n in population.items():
            st = Stratum(int(n), tuple((0, 0) for _ in members[h]), f"{names}, {_stratum_label(h)}")
            try:
                check_strata([st])
            except ValueError as exc:
                out.refused = f"sample {names}, {exc}"
                return out
            out.strata.append((st, members[h], stratified))
            if not members[h] and seen:  # a sample not yet started is not news: only a gap in one under way is
                out.notes.append(f"Sample {names}: the stratum '{_stratum_label(h)}' (population {int(n):,}) has "
                                 f"no completed records, so it contributes nothing to the weighted estimates.")
    return out


def _cell(items: list[int]) -> Cell:
    return Cell(len(items), sorted(set(items)))


class GroupCounter:
    """Crimes identified per offence group (of the expected code): recorded, timely, domestic abuse."""

    def __init__(self, limit_hours: int) -> None:
        self.limit = limit_hours
        self.by: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        # expected code -> (group, its identified and recorded items, its lists) for each group the code counts in
        self._targets: dict[str, list[tuple[str, list[int], list[int], dict[str, list[int]]]]] = {}
        self.rates: dict[str, Rate] = {}
        self.design: dict[str, Rate] = {}
        self.headline: dict[str, str] = {}  # group -> 'published' | 'design'
        self.population: dict[str, float | None] = {}
        self.notes: list[str] = []
        self.design_cautions: dict[str, list[str]] = {}  # a design-weighted rate's warning -> the groups it concerns
        self.refused = ""

    def add(self, item_id: int, expected_code: str, recorded: bool, timely: bool | None, domestic_abuse: Any,
            safeguarding: Any, investigation: Any, unit: Unit | None) -> None:
        """One crime identified: its expected code's groups, whether recorded and in time, domestic abuse (the
        verdict's answers as given: a truthy answer counts)."""
        by = self.by
        try:
            targets = self._targets[expected_code]
        except KeyError:  # the first crime of this expected code: its groups' lists, looked up once
            targets = self._targets[expected_code] = [
                (g, d["identified"], d["recorded"], d) for g in groups_of(expected_code) for d in (by[g],)]
        if targets:
            state = ("unknown" if timely is None else ("timely" if timely else "late")) if recorded else ""
            for g, identified, recorded_items, d in targets:
                identified.append(item_id)
                if unit is not None:
                    n = unit.counts.get(g)
                    if n is None:
                        n = unit.counts[g] = [0, 0]
                    n[1] += 1
                    n[0] += int(recorded)
                if recorded:
                    recorded_items.append(item_id)
                    d[state].append(item_id)
        if domestic_abuse:
            d = by["da"]
            d["identified"].append(item_id)
            if recorded:
                d["recorded"].append(item_id)
            else:
                d["not_recorded"].append(item_id)
                if safeguarding:
                    d["safeguarding"].append(item_id)
                if investigation:
                    d["investigation"].append(item_id)

    def _rates(self, method: str, design: DesignPlan) -> None:
        self.notes = list(design.notes)
        self.design_cautions = {}
        self.refused = design.refused
        for key, label in RATE_GROUPS:
            d = self.by.get(key, {})
            ident, rec = len(d.get("identified", [])), len(d.get("recorded", []))
            pop: float | None = None
            dr: Design | None = None
            if not design.refused and design.strata:
                dr = design_rate(design.for_group(key))
                pop = dr.crimes_in_population
                if pop is not None and pop < ident:
                    pop = None  # records counted in two samples: the unweighted count exceeds the estimate
            self.population[key] = pop
            self.rates[key] = rate(rec, ident, method, population=pop)
            if dr is not None:
                self.design[key] = dr.rate
                for part in filter(None, dr.rate.warning.split("; ")):
                    if not part.startswith(("only ", "no crimes identified")):  # said of the published rate
                        self.design_cautions.setdefault(part, []).append(label)
            self.headline[key] = "design" if dr is not None and design.weights_differ(key) else "published"

    def tables(self, method: str, design: DesignPlan) -> list[Table]:
        self._rates(method, design)
        rows, warnings = [], []
        cautions: dict[str, list[str]] = {}
        for key, label in RATE_GROUPS:
            d = self.by.get(key, {})
            ident, rec = d.get("identified", []), d.get("recorded", [])
            r = self.rates[key]
            rows.append(Row(label, [_cell(ident), _cell(rec), *rate_cells(r, sorted(set(ident))),
                                    *self._design_cells(key)]))
            for part in (r.warning.split("; ") if r.warning and ident else []):
                key_text = (f"fewer than {SMALL} crimes identified, treat the rate with caution"
                            if part.startswith("only ") else part)
                cautions.setdefault(key_text, []).append(label)
        for caution, labels in cautions.items():
            warnings.append(f"{'; '.join(labels)}: {caution}.")
        for caution, labels in self.design_cautions.items():
            warnings.append(f"Design-weighted rate, {'; '.join(labels)}: {caution}.")
        if any(stratified for _, _, stratified in design.strata) and not design.refused:
            w = design_rate(design.for_group("all", stratified_only=True)).rate
            self.rates["all_weighted"] = w
            rows.insert(1, Row(WEIGHTED_LABEL, [Cell(w.identified), Cell(w.recorded), *rate_cells(w, []),
                                                *rate_cells(w, [])]))
            warnings.append("The stratified row weights each record of the stratified samples by its stratum's "
                            "population in the sample frame (a combined ratio estimate, Cochran 1977 s. 6.11), "
                            "with the finite population correction.")
        note = (f"Recording rate = crimes recorded / crimes identified, per offence group of the crime the auditor "
                f"identified (fraud excluded; special samples reported apart). 'Crimes identified' and 'Crimes "
                f"recorded' are unweighted counts ('X out of Y'), and the recording rate beside them is their "
                f"ratio with a 95% interval by {METHODS[method]}"
                + (", with the finite population correction (N = the estimated crimes of the group in the sampled "
                   "population: records in each frame x crimes identified per sampled record)" if method == "normal"
                   else "") +
                ". The design-weighted rate weights each sampled record by its stratum's population over the "
                "records completed in it (a record drawn twice from one frame counted once) and its interval is "
                "a combined ratio estimate's (Cochran 1977 s. 6.11, with the finite population correction), "
                "which allows for several crimes in one record and for samples drawn at different rates. "
                + self.headline_text() + " " + " ".join(warnings + self.notes))
        if self.refused:
            note += f" No design-weighted figure and no finite population correction: {self.refused}."
        h = self.limit
        timely = [Row(label, [_cell(self.by.get(k, {}).get("recorded", [])),
                              _cell(self.by.get(k, {}).get("timely", [])),
                              _cell(self.by.get(k, {}).get("late", [])),
                              _cell(self.by.get(k, {}).get("unknown", []))]) for k, label in RATE_GROUPS]
        da = self.by.get("da", {})
        da_row = Row("Domestic abuse crimes", [_cell(da.get(k, [])) for k in
                                               ("identified", "recorded", "not_recorded", "safeguarding",
                                                "investigation")])
        return [
            Table("recording_rates", "Recording rates", RATE_COLUMNS, rows, note.strip()),
            Table("timeliness", "Timeliness of recording", ["Crimes recorded", f"Within {h} hours",
                                                            f"Outside {h} hours", "Time not known"], timely,
                  timeliness_sentence(timely[0], h)),
            Table("domestic_abuse", "Domestic abuse", ["Crimes identified", "Recorded", "Not recorded",
                                                       "Not recorded: safeguarding considered",
                                                       "Not recorded: investigation carried out"], [da_row]),
        ]

    def headline_text(self) -> str:
        design = [label for k, label in RATE_GROUPS if self.headline.get(k) == "design"]
        if not design:
            return "All records carry one weight (within 5%), so the published-style rate is the headline."
        return ("Records carry different weights (strata sampled, or completed, at different rates: their weights "
                "differ by more than 5%), so the design-weighted rate is the headline for: "
                + "; ".join(design) + ".")

    def _design_cells(self, key: str) -> list[Cell]:
        r = self.design.get(key)
        if r is None:
            why = "not computed: " + self.refused if self.refused else "no sample frame"
            return [Cell(0, [], why), Cell(0, [], "n/a"), Cell(0, [], "")]
        return rate_cells(r, [])


def rate_cells(r: Rate, items: list[int]) -> list[Cell]:
    """Rate, interval and method cells of a rate."""
    return [Cell(r.rate if r.rate is not None else 0, items, f"{r.rate * 100:.1f}%" if r.rate is not None
                 else "no rate"),
            Cell(r.margin or 0, [], r.interval_text()),
            Cell(0, [], r.short)]


def timeliness_sentence(row: Row, hours: int) -> str:
    """'406 out of 512 crimes recorded ...': the denominator leaves out crimes whose time is not known."""
    recorded, within, unknown = (int(row.cells[i].value) for i in (0, 1, 3))
    if not recorded:
        return ""
    known = recorded - unknown
    text = (f"{within:,} out of {known:,} crimes recorded within {hours} hours of receipt of the report (of the "
            f"crimes recorded whose report and recording times are both known and in order).")
    if unknown:
        text += (f" {unknown:,} recorded crime{'s' if unknown != 1 else ''} with a time not known (missing, or "
                 f"recorded before the report) {'are' if unknown != 1 else 'is'} counted apart.")
    return text


def estimate_table(counter: GroupCounter, recorded: dict[str, int]) -> Table | None:
    """Annual unrecorded crimes: recorded x (1 - rate) / rate, with the rate's interval carried through."""
    if not recorded:
        return None
    labels = dict(RATE_GROUPS)
    rows = []
    for key in [k for k, _ in RATE_GROUPS if k in recorded]:
        r = counter.rates.get(key)
        used = "published-style rate"
        if counter.headline.get(key) == "design" and key in counter.design:
            r, used = counter.design[key], "design-weighted rate"
        est: Estimate | None = unrecorded_estimate(recorded[key], r) if r is not None else None
        if r is None or est is None:
            why = "no rate" if r is None or r.rate is None else "not defined (nothing recorded: rate 0%)"
            shown = (Cell(0, [], why) if r is None or r.rate is None
                     else Cell(float(r.rate), [], f"{r.rate * 100:.1f}%"))  # 0%: a number, as every rate
            rows.append(Row(labels[key], [Cell(recorded[key]), shown,
                                          Cell(0, [], why), Cell(0, [], "not defined"),
                                          Cell(0, [], r.short if r else ""), Cell(0, [], used)]))
            continue
        rows.append(Row(labels[key], [Cell(recorded[key]), Cell(float(r.rate or 0), [], f"{(r.rate or 0) * 100:.1f}%"),
                                      Cell(round(est.value)), Cell(0, [], est.interval_text()),
                                      Cell(0, [], r.short), Cell(0, [], f"{used}: {r.text()}")]))
    return Table("unrecorded_estimate", "Estimated crimes not recorded in a year",
                 ["Police-recorded crime (12 months)", "Recording rate", "Estimated not recorded", "95% interval",
                  "Interval method", "Rate used"],
                 rows, "Estimate = recorded crime x (1 - rate) / rate, for the 12 months to the end of the audit "
                       "period, excluding fraud; the interval comes from the rate's interval. Where the rate's "
                       "lower bound is 0% the upper end is not defined; where the rate's interval is not defined "
                       "(0% or 100% under the normal approximation) neither end is. 'Rate used' says which rate "
                       "the estimate applies: the design-weighted one where records were sampled at different "
                       "rates, else the published-style one.")
