"""Agreement between the auditor and the peer reviewer, per check: percentage agreement and Cohen's kappa
(statsmodels' cohens_kappa on the two raters' contingency table, Cohen 1960)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from statsmodels.stats.inter_rater import cohens_kappa

from .audit.verdicts import CHECKS, VerdictBody
from .storage.database import Database
from .storage.models import AuditItem, Verdict

REPORT_CHECKS = {
    "crimes_identified": "Crimes identified (number)",
    "all_recorded": "Every crime identified recorded",
    "classification": "No crime wrongly classified (as overridden)",
    "timeliness": "No crime recorded late (as overridden)",
}


@dataclass(frozen=True)
class Agreement:
    check: str
    auditor: str  # '' for everyone
    pairs: int
    agree: int
    kappa: float | None  # None when undefined (one category only on both sides, or no pairs)

    @property
    def percent(self) -> float | None:
        return self.agree / self.pairs * 100 if self.pairs else None


def _answers(kind: str, body: VerdictBody) -> dict[str, object]:
    if kind in ("incident", "referral"):
        out: dict[str, object] = {"crimes_identified": min(len(body.crimes), 3)}
        out["all_recorded"] = all(c.crime_id is not None for c in body.crimes)
        out["classification"] = all(c.classified_override is not False for c in body.crimes)
        out["timeliness"] = all(c.timely_override is not False for c in body.crimes)
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


def agreement(db: Database) -> list[Agreement]:
    """Per check (and per auditor): items where the auditor's and the reviewer's verdicts are both complete."""
    with db.session() as s:
        rows = s.execute(select(Verdict, AuditItem.kind).join(AuditItem, AuditItem.id == Verdict.item_id)
                         .where(Verdict.role.in_(("primary", "review")), Verdict.complete.is_(True))).all()
    by_item: dict[int, dict[str, tuple[str, VerdictBody, str]]] = defaultdict(dict)
    for v, kind in rows:
        by_item[v.item_id][v.role] = (kind, VerdictBody.from_json(v.body), v.auditor)
    pairs: dict[tuple[str, str], list[tuple[object, object]]] = defaultdict(list)
    for roles in by_item.values():
        if "primary" not in roles or "review" not in roles:
            continue
        kind, first, auditor = roles["primary"]
        _, second, _ = roles["review"]
        a, b = _answers(kind, first), _answers(kind, second)
        for check in a.keys() & b.keys():
            for who in ("", auditor):
                pairs[(check, who)].append((a[check], b[check]))
    out = []
    for (check, who), ps in sorted(pairs.items()):
        firsts, seconds = [p[0] for p in ps], [p[1] for p in ps]
        out.append(Agreement(check, who, len(ps), sum(x == y for x, y in ps), kappa(firsts, seconds)))
    return out


def label(check: str) -> str:
    return REPORT_CHECKS.get(check) or next((q for v in CHECKS.values() for k, q in v if k == check), check)
