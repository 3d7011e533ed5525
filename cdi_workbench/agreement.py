"""Agreement between the auditor and the peer reviewer, per check: percentage agreement and Cohen's kappa
(statsmodels' cohens_kappa on the two raters' contingency table, Cohen 1960), read against the bands of
Landis and Koch (1977).

The unit is the record: an item counts for a check when the auditor's (primary) and the reviewer's (review)
verdicts are both complete and both answer the check. For incidents and referrals the checks are
- crimes identified: how many crimes should have been recorded (0, 1, 2, 3 or more);
- recorded: every crime identified was recorded (compared where both identified at least one crime);
- classification: no recorded crime wrongly classified, as worked out from the expected and recorded codes
  with any override applied (compared where both linked at least one crime record);
- timeliness: no recorded crime outside the time limit, worked out the same way.
Disposal, cancellation and N100 checks compare the yes/no answers where both gave one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from statsmodels.stats.inter_rater import cohens_kappa

from .audit.evaluate import CrimeFacts, CrimeResult, evaluate
from .audit.verdicts import CHECKS, REPORT_KINDS, VerdictBody
from .rules import rule_set
from .storage.database import Database
from .storage.models import Audit, AuditItem, CrimeRecord, ReportRecord, Verdict

METHOD = "Cohen's kappa (statsmodels)"
PERCENT_METHOD = "share of records with the same answer"
BANDS_SOURCE = "Landis and Koch (1977)"

REPORT_CHECKS = {
    "crimes_identified": "Crimes identified (number: 0, 1, 2, 3 or more)",
    "all_recorded": "Every crime identified recorded",
    "classification": "No recorded crime wrongly classified",
    "timeliness": "No recorded crime outside the time limit",
}
GROUPS = {"incident": "Incidents and referrals", "disposal": "Out-of-court disposals",
          "cancellation": "Cancelled crimes", "n100": "N100 records"}
# Every check in reading order: the incident and referral checks first, then each kind's record checks.
CHECK_ORDER: list[tuple[str, str]] = [("incident", k) for k in REPORT_CHECKS] + [
    (kind, k) for kind in ("disposal", "cancellation", "n100") for k, _ in CHECKS[kind]]
_GROUP_OF = {k: kind for kind, k in CHECK_ORDER}

# Landis, J. R. and Koch, G. G. (1977) 'The measurement of observer agreement for categorical data',
# Biometrics 33(1), 159-174: upper bound of each band.
LANDIS_KOCH = [(0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
               (1.0, "almost perfect")]


def band(k: float | None) -> str:
    """The Landis and Koch (1977) name for a kappa: poor (< 0), slight (0-0.20), fair (0.21-0.40),
    moderate (0.41-0.60), substantial (0.61-0.80), almost perfect (0.81-1.00); '' when undefined."""
    if k is None:
        return ""
    if k < 0:
        return "poor"
    for top, name in LANDIS_KOCH[1:]:
        if round(k, 2) <= top:
            return name
    return "almost perfect"


@dataclass(frozen=True)
class Agreement:
    check: str
    auditor: str  # '' for everyone
    pairs: int
    agree: int
    kappa: float | None  # None when undefined (one category only on both sides, or no pairs)
    items: tuple[int, ...] = ()  # the audit items compared
    disagreements: tuple[int, ...] = ()  # the audit items where the two answers differ

    @property
    def percent(self) -> float | None:
        return self.agree / self.pairs * 100 if self.pairs else None

    @property
    def band(self) -> str:
        return band(self.kappa)

    @property
    def kappa_text(self) -> str:
        """'0.62 (substantial)', or why there is no kappa."""
        if self.kappa is None:
            return "not defined (one answer only)" if self.pairs else "no pairs"
        return f"{self.kappa:.2f} ({self.band})"

    @property
    def group(self) -> str:
        return GROUPS.get(_GROUP_OF.get(self.check, ""), "Other checks")


def _answers(kind: str, body: VerdictBody, results: list[CrimeResult]) -> dict[str, object]:
    if kind in REPORT_KINDS:
        out: dict[str, object] = {"crimes_identified": min(len(body.crimes), 3)}
        if body.crimes:
            out["all_recorded"] = all(c.crime_id is not None for c in body.crimes)
        if any(r.classified is not None for r in results):
            out["classification"] = all(r.classified is not False for r in results)
        if any(r.timely is not None for r in results):
            out["timeliness"] = all(r.timely is not False for r in results)
        return out
    return {k: body.checks.get(k) for k, _ in CHECKS.get(kind, []) if body.checks.get(k) is not None}


def kappa(first: list[object], second: list[object]) -> float | None:
    cats = sorted({*first, *second}, key=repr)
    if len(cats) < 2:
        return None
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for a, b in zip(first, second, strict=True):
        table[index[a], index[b]] += 1
    return float(cohens_kappa(table, return_results=False))


def _order(check: str) -> int:
    keys = [k for _, k in CHECK_ORDER]
    return keys.index(check) if check in keys else len(keys)


def agreement(db: Database) -> list[Agreement]:
    """Per check (and per auditor): items where the auditor's and the reviewer's verdicts are both complete.

    Rows come in CHECK_ORDER; within a check the everyone row ('' auditor) comes first."""
    with db.session() as s:
        rows = s.execute(select(Verdict, AuditItem).join(AuditItem, AuditItem.id == Verdict.item_id)
                         .where(Verdict.role.in_(("primary", "review")), Verdict.complete.is_(True))).all()
        rules = rule_set(s.scalar(select(Audit.rule_set).limit(1)) or "2015")
        by_item: dict[int, dict[str, tuple[AuditItem, VerdictBody, str]]] = defaultdict(dict)
        for v, item in rows:
            by_item[v.item_id][v.role] = (item, VerdictBody.from_json(v.body), v.auditor)
        both = {i: r for i, r in by_item.items() if "primary" in r and "review" in r}
        report_ids = {r["primary"][0].record_id for r in both.values() if r["primary"][0].kind in REPORT_KINDS}
        received = dict(s.execute(select(ReportRecord.id, ReportRecord.received_at)
                                  .where(ReportRecord.id.in_(report_ids))).all()) if report_ids else {}
        crime_ids = {c.crime_id for r in both.values() for _, body, _ in (r["primary"], r["review"])
                     for c in body.crimes if c.crime_id is not None}
        facts = {c.id: CrimeFacts(c.ho_code, c.recorded_at)
                 for c in s.scalars(select(CrimeRecord).where(CrimeRecord.id.in_(crime_ids)))} if crime_ids else {}

        def results(item: AuditItem, body: VerdictBody) -> list[CrimeResult]:
            if item.kind not in REPORT_KINDS:
                return []
            return [evaluate(c, facts.get(c.crime_id) if c.crime_id else None, received.get(item.record_id), rules)
                    for c in body.crimes]

        pairs: dict[tuple[str, str], list[tuple[int, object, object]]] = defaultdict(list)
        for item_id, roles in sorted(both.items()):
            item, first, auditor = roles["primary"]
            _, second, _ = roles["review"]
            a = _answers(item.kind, first, results(item, first))
            b = _answers(item.kind, second, results(item, second))
            for check in a.keys() & b.keys():
                for who in ("", auditor):
                    pairs[(check, who)].append((item_id, a[check], b[check]))
    out = []
    for (check, who), ps in sorted(pairs.items(), key=lambda kv: (_order(kv[0][0]), kv[0][0], kv[0][1])):
        firsts, seconds = [p[1] for p in ps], [p[2] for p in ps]
        out.append(Agreement(check, who, len(ps), sum(x == y for _, x, y in ps), kappa(firsts, seconds),
                             tuple(p[0] for p in ps), tuple(p[0] for p in ps if p[1] != p[2])))
    return out


def label(check: str) -> str:
    return REPORT_CHECKS.get(check) or next((q for v in CHECKS.values() for k, q in v if k == check), check)
