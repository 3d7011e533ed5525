"""Agreement between the auditor and the peer reviewer, per check, as published practice reports it:

- percentage agreement with a 95% interval by the report's interval method (statistics.rate);
- Cohen's kappa (Cohen 1960) from the two raters' contingency table, through statsmodels' cohens_kappa,
  with its asymptotic standard error (Fleiss, Cohen and Everitt 1969, as statsmodels and SAS compute it)
  and the 95% interval kappa +/- 1.96 SE; for the ordinal 'crimes identified' check (0, 1, 2, 3 or more)
  the weighted kappa with linear weights 1 - |i - j| / (k - 1) (Cohen 1968; Cicchetti and Allison 1971);
- the prevalence- and bias-adjusted kappa, PABAK = (k po - 1) / (k - 1) for k answers (2 po - 1 for yes/no),
  with the prevalence index |a - d| / n and bias index |b - c| / n of a yes/no table (Byrt, Bishop and
  Carlin 1993), so that high agreement on a rare (or near-universal) answer is not read as poor agreement;
- the band of Landis and Koch (1977), given only from 30 pairs.

The unit is the record: an item counts for a check when the auditor's (primary) and the reviewer's (review)
verdicts are both complete and both answer the check. A blind review counts as it was sealed when completed
(audit.review: the 'seal' row of its history), not as it may stand since: it was changed after the first verdict
was shown to the reviewer only if the lead reopened it, and then it counts as sealed again. For incidents and
referrals the checks are
- crimes identified: how many crimes should have been recorded (0, 1, 2, 3 or more);
- recorded: every crime identified was recorded (compared where both identified at least one crime);
- classification: no recorded crime wrongly classified, as worked out from the expected and recorded codes
  with any override applied (compared where both linked at least one crime record);
- timeliness: no recorded crime outside the time limit, worked out the same way.
Disposal, cancellation and N100 checks compare the yes/no answers where both gave one. Before them all, the whole
record (RECORD_PASSES): does it pass every check, by each verdict (passes()).

A check the reviewer could not decide (VerdictBody.undecided, audit.review_answers) is no pair: it is counted apart,
per check and per auditor (Agreement.undecided, with the records behind it), never silently dropped; the whole
record is undecided only when its pass or fail hangs on such a check. The lead's decisions and each auditor's
agreement with the final verdict are review_outcomes', from the same reading (reviewed()).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .audit.check_table import all_checks, check_kinds, checks_of, find
from .audit.evaluate import CrimeFacts, CrimeResult, evaluate
from .audit.trail import SEAL
from .audit.verdicts import REPORT_KINDS, VerdictBody
from .findings_load import crimes as load_crimes
from .kinds import RecordKind, VerdictRole
from .rules import rule_set
from .statistics import rate
from .storage.database import Database
from .storage.models import AuditItem, ReportRecord, Sample, Verdict, VerdictChange

METHOD = "Cohen's kappa (statsmodels)"
PERCENT_METHOD = "share of records with the same answer"
BANDS_SOURCE = "Landis and Koch (1977)"
KAPPA = "Cohen's kappa"
WEIGHTED_KAPPA = "weighted kappa (linear weights)"
KAPPA_INTERVAL = ("asymptotic normal 95% interval, kappa +/- 1.96 x standard error (Fleiss, Cohen and Everitt "
                  "1969, as computed by statsmodels), cut to -1 to 1")
PABAK_SOURCE = "Byrt, Bishop and Carlin (1993)"
MIN_BAND_PAIRS = 30  # below this many pairs no Landis and Koch band is given
NO_BAND = f"too few pairs for a band (n < {MIN_BAND_PAIRS})"
NO_INTERVAL = "no interval: standard error 0"
PREVALENCE_LIMIT = 0.5  # a prevalence index above this is extreme
PARADOX_AGREEMENT, PARADOX_KAPPA = 0.80, 0.40  # agreement at least 80% with kappa at most 0.40
# Checks whose answers are ordered counts: weighted kappa over every possible answer.
ORDINAL_CHECKS: dict[str, tuple[object, ...]] = {"crimes_identified": (0, 1, 2, 3)}

# The whole record: does it pass every check, by each verdict (agreement per check on 'recorded' can hide a
# disagreement about whether there was a crime at all).
RECORD_PASSES = "record_passes"
RECORD_PASSES_LABEL = "Whole record passes every check (pass or fail)"
WHOLE_RECORD = "Whole record"
UNDECIDED = "could not decide"  # a reviewer's answer to a check they could not decide (VerdictBody.undecided)

REPORT_CHECKS = {
    "crimes_identified": "Crimes identified (number: 0, 1, 2, 3 or more)",
    "all_recorded": "Every crime identified recorded",
    "classification": "No recorded crime wrongly classified",
    "timeliness": "No recorded crime outside the time limit",
}
GROUPS: dict[str, str] = {RecordKind.INCIDENT: "Incidents and referrals", RecordKind.DISPOSAL: "Out-of-court disposals",
                          RecordKind.CANCELLATION: "Cancelled crimes", RecordKind.N100: "N100 records",
                          RecordKind.CRIME: "Crime records"}
# Every check in reading order: the incident and referral checks first, then each kind's record checks (the checks
# table's, audit.check_table).
CHECK_ORDER: list[tuple[RecordKind, str]] = [(RecordKind.INCIDENT, k) for k in REPORT_CHECKS] + [
    (kind, c.key) for kind, c in all_checks()]
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


def _two(x: float) -> str:
    """x to two places, never '-0.00' (a bound of -0.001 reads 0.00)."""
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


@dataclass(frozen=True)
class Agreement:
    check: str
    auditor: str  # '' for everyone
    pairs: int
    agree: int
    kappa: float | None  # None when undefined (one category only on both sides, or no pairs)
    items: tuple[int, ...] = ()  # the audit items compared
    disagreements: tuple[int, ...] = ()  # the audit items where the two answers differ
    kappa_se: float | None = None  # asymptotic standard error (statsmodels' std_kappa)
    kappa_low: float | None = None  # 95% interval, KAPPA_INTERVAL
    kappa_high: float | None = None
    kappa_method: str = KAPPA  # KAPPA, or WEIGHTED_KAPPA for an ordinal check
    categories: int = 2  # the number of possible answers (k in PABAK)
    prevalence_index: float | None = None  # |a - d| / n, yes/no checks only
    bias_index: float | None = None  # |b - c| / n, yes/no checks only
    percent_low: float | None = None  # 95% interval of the % agreement, 0-100
    percent_high: float | None = None
    percent_method: str = ""  # the interval method (statistics.METHODS)
    undecided: int = 0  # records where the reviewer could not decide the check: no pair, counted apart
    undecided_items: tuple[int, ...] = ()

    @property
    def percent(self) -> float | None:
        return self.agree / self.pairs * 100 if self.pairs else None

    @property
    def pabak(self) -> float | None:
        """Byrt, Bishop and Carlin (1993): (k po - 1) / (k - 1), 2 po - 1 for yes/no."""
        if not self.pairs or self.categories < 2:
            return None
        return (self.categories * self.agree / self.pairs - 1) / (self.categories - 1)

    @property
    def prevalence_extreme(self) -> bool:
        """True where kappa misleads through prevalence: a prevalence index above PREVALENCE_LIMIT, or
        agreement of at least 80% with kappa at most 0.40 (the first paradox of Feinstein and Cicchetti 1990:
        with so few disagreements the low kappa comes from the chance agreement of lopsided answers)."""
        if not self.pairs:
            return False
        if self.prevalence_index is not None and self.prevalence_index > PREVALENCE_LIMIT:
            return True
        return (self.kappa is not None and self.agree / self.pairs >= PARADOX_AGREEMENT
                and round(self.kappa, 2) <= PARADOX_KAPPA)

    @property
    def prevalence_note(self) -> str:
        """'prevalence extreme: 88% agreement; PABAK 0.76', or '' when prevalence does not distort kappa."""
        if not self.prevalence_extreme or self.percent is None or self.pabak is None:
            return ""
        return f"prevalence extreme: {self.percent:.0f}% agreement; PABAK {self.pabak:.2f}"

    @property
    def band(self) -> str:
        """The Landis and Koch band; '' when undefined or from fewer than MIN_BAND_PAIRS pairs."""
        return band(self.kappa) if self.pairs >= MIN_BAND_PAIRS else ""

    @property
    def band_text(self) -> str:
        """The band, or why there is none: 'substantial', 'too few pairs for a band (n < 30)'."""
        if self.kappa is None:
            return "one answer only" if self.pairs else ""
        return self.band or NO_BAND

    @property
    def interval_text(self) -> str:
        """'0.09 to 1.00'; NO_INTERVAL where the standard error is 0; '' without a kappa."""
        if self.kappa is None:
            return ""
        if self.kappa_low is None or self.kappa_high is None:
            return NO_INTERVAL
        return f"{_two(self.kappa_low)} to {_two(self.kappa_high)}"

    @property
    def kappa_text(self) -> str:
        """'0.62 (95% CI 0.41 to 0.83; substantial)', '0.00 (prevalence extreme: 88% agreement; PABAK 0.76)',
        or why there is no kappa."""
        if self.kappa is None:
            return "not defined (one answer only)" if self.pairs else "no pairs"
        if self.prevalence_note:
            return f"{self.kappa:.2f} ({self.prevalence_note})"
        ci = f"95% CI {self.interval_text}; " if self.interval_text else ""
        return f"{self.kappa:.2f} ({ci}{self.band_text})"

    @property
    def group(self) -> str:
        if self.check == RECORD_PASSES:
            return WHOLE_RECORD
        # a force's own check (local_config) is in the check table only once its database is opened
        kind = _GROUP_OF.get(self.check) or check_kinds().get(self.check)
        return GROUPS.get(str(kind), "Other checks") if kind else "Other checks"


def compared_checks(kind: str) -> list[str]:
    """The checks a kind's records are compared on (and that a reviewer may say they could not decide)."""
    return list(REPORT_CHECKS) if kind in REPORT_KINDS else [c.key for c in checks_of(kind)]


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
    return {c.key: body.checks.get(c.key) for c in checks_of(kind) if body.checks.get(c.key) is not None}


def kappa(first: list[object], second: list[object]) -> float | None:
    cats = sorted({*first, *second}, key=repr)
    if len(cats) < 2:
        return None
    import numpy as np
    from statsmodels.stats.inter_rater import cohens_kappa

    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for a, b in zip(first, second, strict=True):
        table[index[a], index[b]] += 1
    return float(cohens_kappa(table, return_results=False))


def _categories(check: str, answers: list[object]) -> list[object]:
    """Every possible answer in order: 0-3 for crimes identified, No/Yes for a yes/no check."""
    if check in ORDINAL_CHECKS:
        return list(ORDINAL_CHECKS[check])
    if all(isinstance(x, bool) for x in answers):
        return [False, True]
    return sorted(set(answers), key=repr)


@dataclass(frozen=True)
class KappaFigures:
    kappa: float | None
    se: float | None
    low: float | None
    high: float | None
    method: str
    categories: int
    prevalence_index: float | None
    bias_index: float | None


def kappa_figures(first: list[object], second: list[object], check: str = "") -> KappaFigures:
    """Kappa with its standard error and 95% interval, the prevalence and bias indices, over the table of
    every possible answer to the check (the weighted kappa with linear weights for an ordinal check)."""
    import numpy as np  # numpy and statsmodels load with the first agreement figures, not with the window
    from statsmodels.stats.inter_rater import cohens_kappa

    cats = _categories(check, [*first, *second])
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for a, b in zip(first, second, strict=True):
        table[index[a], index[b]] += 1
    n = table.sum()
    weighted = check in ORDINAL_CHECKS
    method = WEIGHTED_KAPPA if weighted else KAPPA
    prevalence = bias = None
    if len(cats) == 2 and n:
        prevalence = float(abs(table[0, 0] - table[1, 1]) / n)
        bias = float(abs(table[0, 1] - table[1, 0]) / n)
    if len({*first, *second}) < 2:  # one and the same answer throughout: chance agreement 1, no kappa
        return KappaFigures(None, None, None, None, method, len(cats), prevalence, bias)
    with np.errstate(divide="ignore", invalid="ignore"):  # its z test divides by 0 on a degenerate table
        res = cohens_kappa(table, wt="linear") if weighted else cohens_kappa(table)
    k = float(res.kappa)
    # A standard error of 0 (perfect agreement, or one rater giving one answer throughout) is the formula
    # breaking down at the edge of the table, not certainty: no interval then, and no standard error. With one
    # rater's answers all alike the exact error is 0 but statsmodels' arithmetic leaves a few 1e-8 of rounding
    # (an interval of -0.00000004 to 0.00000004 printed as '0.00 to 0.00'), so that case is told from the table
    # itself, not from the size of the error.
    one_sided = min(np.count_nonzero(table.sum(axis=0)), np.count_nonzero(table.sum(axis=1))) < 2
    se = float(res.std_kappa) if math.isfinite(res.std_kappa) and not one_sided else None
    spread = se is not None and se > 1e-12
    low = max(-1.0, float(res.kappa_low)) if spread else None
    high = min(1.0, float(res.kappa_upp)) if spread else None
    return KappaFigures(k, se, low, high, method, len(cats), prevalence, bias)


def _order(check: str) -> int:
    if check == RECORD_PASSES:
        return -1
    keys = [k for _, k in CHECK_ORDER]
    return keys.index(check) if check in keys else len(keys)


class _Item(NamedTuple):
    kind: str
    record_id: int


def agreement(db: Database, method: str = "normal", audit: str | None = None) -> list[Agreement]:
    """Per check (and per auditor): items where the auditor's and the reviewer's verdicts are both complete.

    method: the interval method of the % agreement (statistics.METHODS). Rows come in CHECK_ORDER, the whole
    record's pass or fail (RECORD_PASSES) first; within a check the everyone row ('' auditor) comes first. A check
    the reviewer could not decide is not a pair: it is counted apart (Agreement.undecided)."""
    return agreement_of(reviewed(db, audit), method)


def agreement_of(rows: list[Reviewed], method: str = "normal") -> list[Agreement]:
    """The agreement rows of reviewed records already read (reviewed())."""
    pairs: dict[tuple[str, str], list[tuple[int, object, object]]] = defaultdict(list)
    undecided: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        first, second = dict(r.first), dict(r.second)
        first[RECORD_PASSES] = passes(r.kind, r.first)
        second[RECORD_PASSES] = passes(r.kind, r.second, r.undecided)
        for check in first:
            if check in r.undecided or (check == RECORD_PASSES and second[check] is None):
                for who in ("", r.auditor):
                    undecided[(check, who)].append(r.item_id)
            elif check in second:
                for who in ("", r.auditor):
                    pairs[(check, who)].append((r.item_id, first[check], second[check]))
    keys = sorted(set(pairs) | set(undecided), key=lambda k: (_order(k[0]), k[0], k[1]))
    return [replace(measure(check, who, pairs.get((check, who), []), method),
                    undecided=len(undecided.get((check, who), [])),
                    undecided_items=tuple(undecided.get((check, who), []))) for check, who in keys]


@dataclass(frozen=True)
class Reviewed:
    """A record with a complete first verdict and a complete review (a blind one as sealed), as answers per check
    (the agreement's checks, _answers), with the lead's final verdict's answers once there is one."""

    item_id: int
    kind: str
    auditor: str
    reviewer: str
    first: dict[str, object]
    second: dict[str, object]  # without the checks the reviewer could not decide
    undecided: frozenset[str]  # the checks the reviewer could not decide (the auditor answered them)
    final: dict[str, object] | None  # None: the lead has not decided (or there was nothing to decide)
    comments: tuple[tuple[str, str], ...] = ()  # the reviewer's comment per check
    note: str = ""  # the reviewer's note back to the auditor
    disputed: bool = False  # the two verdicts differ on some answer (audit.checks), or the reviewer could not decide
    upheld: str = ""  # once decided: 'auditor', 'reviewer' or 'neither' (audit.decisions.upheld)

    @property
    def final_answers(self) -> dict[str, object] | None:
        """The answers the audit settled on: the lead's final verdict; the first verdict where the review agreed
        with it on everything; None while a disagreement awaits the lead's decision."""
        if self.final is not None:
            return self.final
        return None if self.disputed else self.first

    @property
    def differs(self) -> tuple[str, ...]:
        """The checks on which the two differ, or which the reviewer could not decide (RECORD_PASSES included)."""
        first = {**self.first, RECORD_PASSES: passes(self.kind, self.first)}
        second = {**self.second, RECORD_PASSES: passes(self.kind, self.second, self.undecided)}
        return tuple(c for c in dict.fromkeys([*first, *second])
                     if c in self.undecided or first.get(c, _ABSENT) != second.get(c, _ABSENT))


_ABSENT = object()


def _differ(kind: str, a: VerdictBody, b: VerdictBody) -> bool:
    """Do two verdicts differ on any answer (audit.checks.differences, less whether given and complete)?"""
    from .audit.checks import differences
    from .audit.review import IGNORED

    return any(d.check not in IGNORED for d in differences(kind, a.to_json(), b.to_json()))


def passes(kind: str, answers: dict[str, object], undecided: frozenset[str] = frozenset()) -> bool | None:
    """Does the record pass every check, by these answers: every crime identified recorded, none wrongly classified
    or late (incidents and referrals), no check failed (the other kinds, the checks table's passing answer)? None
    when that hangs on a check the reviewer could not decide."""
    if kind in REPORT_KINDS:
        failed = [k for k in ("all_recorded", "classification", "timeliness") if answers.get(k) is False]
    else:
        failed = [k for k, v in answers.items() if (c := find(k)) is not None and c.failed(v)]  # type: ignore[arg-type]
    if failed:
        return False
    return None if undecided else True


def reviewed(db: Database, audit: str | None = None) -> list[Reviewed]:
    """Every record of one audit of the programme (`audit`: its name; None: the latest) with a complete first
    verdict and a complete (or sealed) review, read as plain rows."""
    with db.session() as s:
        return reviewed_in(s, audit)


def reviewed_in(s: Session, audit: str | None = None) -> list[Reviewed]:
    from .audit.programme import of_audit, resolve

    target = resolve(s, audit)
    in_audit = AuditItem.sample_id.in_(select(Sample.id).where(of_audit(s, target.id)))
    # only items a reviewer has completed, read as plain rows (no ORM objects): a 20,000-verdict audit
    # built 43,000 objects here to compare the few hundred reviewed
    sealed = sealed_bodies(s)
    reviewed_ids = select(Verdict.item_id).where(Verdict.role == VerdictRole.REVIEW, Verdict.complete.is_(True))
    sealed_ids = select(VerdictChange.item_id).where(VerdictChange.action == SEAL)
    reviewed_or_sealed = or_(Verdict.item_id.in_(reviewed_ids), Verdict.item_id.in_(sealed_ids))
    rows = s.execute(select(Verdict.item_id, Verdict.role, Verdict.body, Verdict.auditor, AuditItem.kind,
                            AuditItem.record_id)
                     .join(AuditItem, AuditItem.id == Verdict.item_id)
                     .where(Verdict.role.in_((VerdictRole.PRIMARY, VerdictRole.REVIEW, VerdictRole.FINAL)),
                            Verdict.complete.is_(True), reviewed_or_sealed, in_audit)).tuples()
    from .audit.decisions import upheld as decided_for  # whose verdict the lead's final one is: one rule for both

    rules = rule_set(target.rule_set)  # the audit's own (a programme holds audits under either rule set)
    by_item: dict[int, dict[str, tuple[_Item, VerdictBody, str]]] = defaultdict(dict)
    for item_id, role, body, auditor, kind, record_id in rows:
        by_item[item_id][role] = (_Item(kind, record_id), VerdictBody.from_json(body), auditor)
    for item_id, body in sealed.items():  # a sealed blind review counts as sealed, however it stands now
        # (an item of another audit has no first verdict read here, so it is left out below)
        if VerdictRole.PRIMARY in by_item.get(item_id, {}):
            item = by_item[item_id][VerdictRole.PRIMARY][0]
            now = by_item[item_id].get(VerdictRole.REVIEW)
            by_item[item_id][VerdictRole.REVIEW] = (item, VerdictBody.from_json(body), now[2] if now else "")
    both = {i: r for i, r in by_item.items() if VerdictRole.PRIMARY in r and VerdictRole.REVIEW in r}
    received: dict[int, datetime | None] = {
        rid: at for rid, at in s.execute(
            select(ReportRecord.id, ReportRecord.received_at).where(ReportRecord.id.in_(
                select(AuditItem.record_id).where(AuditItem.kind.in_(REPORT_KINDS),
                                                  or_(AuditItem.id.in_(reviewed_ids),
                                                      AuditItem.id.in_(sealed_ids)))))).tuples()}
    crime_ids = {c.crime_id for r in both.values() for _, body, _ in r.values() for c in body.crimes
                 if c.crime_id is not None}
    facts = {i: CrimeFacts(c.ho_code, c.recorded_at) for i, c in load_crimes(s, crime_ids).items()}

    def answers(item: _Item, body: VerdictBody) -> dict[str, object]:
        results = [] if item.kind not in REPORT_KINDS else [
            evaluate(c, facts.get(c.crime_id) if c.crime_id else None, received.get(item.record_id), rules)
            for c in body.crimes]
        return _answers(item.kind, body, results)

    out = []
    for item_id, roles in sorted(both.items()):
        item, first_body, auditor = roles[VerdictRole.PRIMARY]
        _, second_body, reviewer = roles[VerdictRole.REVIEW]
        first, second = answers(item, first_body), answers(item, second_body)
        undecided = frozenset(c for c in second_body.undecided if c in first)
        final_body = roles[VerdictRole.FINAL][1] if VerdictRole.FINAL in roles else None
        final = answers(item, final_body) if final_body is not None else None
        disputed = bool(second_body.undecided) or _differ(item.kind, first_body, second_body)
        upheld = "" if final_body is None else decided_for(item.kind, final_body.to_json(), first_body.to_json(),
                                                          second_body.to_json())
        out.append(Reviewed(item_id, item.kind, auditor, reviewer, first,
                            {k: v for k, v in second.items() if k not in undecided}, undecided, final,
                            tuple((c, t) for c, t in second_body.comments.items() if t.strip()),
                            second_body.note_to_auditor, disputed, upheld))
    return out


def sealed_bodies(s: Session) -> dict[int, dict]:
    """Each audit item's blind review as last sealed (the new value of its last 'seal' history row), unless the
    review went with its sample since (a 'delete' row: an item id used again starts afresh)."""
    last: dict[int, tuple[str, dict | None]] = {}
    for item_id, action, body in s.execute(
            select(VerdictChange.item_id, VerdictChange.action, VerdictChange.new_body)
            .where(or_(VerdictChange.action == SEAL,
                       (VerdictChange.action == "delete") & (VerdictChange.role == VerdictRole.REVIEW)))
            .order_by(VerdictChange.id)).tuples():
        last[item_id] = (action, body)
    return {i: body for i, (action, body) in last.items() if action == SEAL and isinstance(body, dict)}


def measure(check: str, auditor: str, pairs: list[tuple[int, object, object]], method: str = "normal") -> Agreement:
    """The agreement figures of one check from its (audit item, auditor's answer, reviewer's answer) pairs;
    method: the interval method of the % agreement (statistics.METHODS)."""
    firsts, seconds = [p[1] for p in pairs], [p[2] for p in pairs]
    agree = sum(x == y for _, x, y in pairs)
    k = kappa_figures(firsts, seconds, check)
    pct = rate(agree, len(pairs), method)
    return Agreement(check, auditor, len(pairs), agree, k.kappa,
                     tuple(p[0] for p in pairs), tuple(p[0] for p in pairs if p[1] != p[2]),
                     k.se, k.low, k.high, k.method, k.categories, k.prevalence_index, k.bias_index,
                     None if pct.low is None else pct.low * 100,
                     None if pct.high is None else pct.high * 100, pct.method)


def label(check: str) -> str:
    """The check as the agreement tables name it: the question the panel asks (the checks table's)."""
    found = find(check)
    if check == RECORD_PASSES:
        return RECORD_PASSES_LABEL
    return REPORT_CHECKS.get(check) or (found.question if found is not None else check)
