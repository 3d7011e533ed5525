"""What every findings export shares: the protective marking, wording, verdict columns and safe file writing.

Pure Python: no Qt, no openpyxl or reportlab here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cdi_workbench.audit.check_table import answer_columns, conditional_columns, find
from cdi_workbench.audit.check_table import labels as answer_labels
from cdi_workbench.classification import CANCELLATION_GROUPS, GROUP_LABELS
from cdi_workbench.findings import Findings, Table
from cdi_workbench.kinds import RecordKind
from cdi_workbench.spreadsheets import MARKING, write_atomically, yes_no  # noqa: F401  (the exports' names for them)

if TYPE_CHECKING:
    from cdi_workbench.agreement import Agreement
    from cdi_workbench.challenges import ChallengeRow
    from cdi_workbench.storage.database import Database

REPORT_TITLE = "Crime data integrity audit: findings"

# Verdict columns in reading order; keys not listed here go between these and TRAILING_COLUMNS. The answer columns
# (each crime's, every record-level check, the follow-ups such as an N100's rape code) are the checks table's.
RECORD_COLUMNS = ["item_id", "kind", "system", "record_ref", "crime_no"]
TRAILING_COLUMNS = ["auditor", "rationale", "updated_at"]


def leading_columns() -> list[str]:
    return RECORD_COLUMNS + answer_columns()


# The labels of the columns the checks table does not hold; the answer columns' labels are the table's.
COLUMN_LABELS = {
    "item_id": "Audit item",
    "kind": "Kind",
    "system": "System / type",
    "record_ref": "Record reference",
    "crime_no": "Crime no.",
    "auditor": "Auditor",
    "rationale": "Rationale",
    "updated_at": "Verdict updated",
}

KIND_LABELS = {
    RecordKind.INCIDENT: "Incident records",
    RecordKind.REFERRAL: "Referrals (other systems)",
    RecordKind.DISPOSAL: "Out-of-court disposals",
    RecordKind.CANCELLATION: "Cancelled crimes",
    RecordKind.N100: "N100 records",
    RecordKind.CRIME: "Crime records",
}


def verdict_columns(verdicts: Iterable[dict[str, Any]]) -> list[str]:
    """The union of the verdicts' keys in a fixed reading order (unknown keys kept in first-seen order)."""
    seen: list[str] = []
    for v in verdicts:
        seen += [k for k in v if k not in seen]
    lead = [k for k in leading_columns() if k in seen]
    trail = [k for k in TRAILING_COLUMNS if k in seen]
    middle = [k for k in seen if k not in lead and k not in trail]
    return lead + middle + trail


def column_label(key: str) -> str:
    return COLUMN_LABELS.get(key) or answer_labels().get(key) or key.replace("_", " ").capitalize()


def period_text(findings: Findings) -> str:
    a = findings.audit
    return f"{a.get('period_start', '')} to {a.get('period_end', '')}"


def audit_name_text(findings: Findings) -> str:
    """The audit of the programme the figures are of, and whether it is closed (final) or still open."""
    a = findings.audit
    name = a.get("audit") or ""
    return f"{name} ({'closed: final' if a.get('audit_closed') else 'open: figures may still change'})" if name \
        else "not named"


def auditors_text(findings: Findings) -> str:
    names = findings.audit.get("auditors") or []
    return ", ".join(names) if names else "no completed verdicts"


def stratum_label(key: str, kind: str = "") -> str:
    """A stratum as the reports name it; cancelled crimes by the groups inspections use for them."""
    if kind == RecordKind.CANCELLATION and key in CANCELLATION_GROUPS:
        return CANCELLATION_GROUPS[key]
    if key == "all":
        return "All records (not stratified)"
    return GROUP_LABELS.get(key, key[:1].upper() + key[1:])  # e.g. 'No crime linked'; disposal types as given


def population_text(sample: dict[str, Any]) -> str:
    """'Violence against the person: 60 (30 drawn); Rape: 28 (28 drawn)' from a sample's frame."""
    frame = sample.get("frame") or {}
    pop = frame.get("population") or {}
    alloc = frame.get("allocated") or {}
    parts = []
    for key, n in pop.items():
        drawn = alloc.get(key)
        label = stratum_label(key, sample.get("kind", ""))
        parts.append(f"{label}: {n}" + (f" ({drawn} drawn)" if drawn is not None else ""))
    return "; ".join(parts)


def sample_size(sample: dict[str, Any]) -> int | None:
    """Records in the sample as it now stands: the first draw plus every extension."""
    frame = sample.get("frame") or {}
    alloc = frame.get("allocated")
    if not alloc:
        return None
    return sum(alloc.values()) + sum(int(e.get("added", 0)) for e in frame.get("extensions") or [])


def extension_text(sample: dict[str, Any]) -> str:
    """'1,000 drawn, extended by 500 (to 1,500)' where a sample was extended; '' otherwise."""
    frame = sample.get("frame") or {}
    alloc = frame.get("allocated") or {}
    added = [int(e.get("added", 0)) for e in frame.get("extensions") or []]
    if not added:
        return ""
    first = sum(alloc.values())
    return (f"{first:,} drawn, extended by {' + '.join(f'{n:,}' for n in added)} "
            f"(to {first + sum(added):,})")


def previous_facts(findings: Findings) -> list[tuple[str, str]]:
    """The previous audit the bracketed figures come from (force, period, rule set, file), for the exports."""
    prev = findings.audit.get("previous")
    if not prev:
        return []
    return [("Previous audit (figures in brackets)",
             (f"the audit '{prev['audit']}': " if prev.get("audit") else "")
             + f"{prev.get('force', '')}, {prev.get('period_start', '')} to {prev.get('period_end', '')}, "
             f"{prev.get('rule_set_title') or prev.get('rule_set', '')}"
             + (f"; file {prev['file']}" if prev.get("file") else ""))]


def trail_facts(findings: Findings) -> list[tuple[str, str]]:
    """The audit trail's head as the figures were read (rows, head digest), and how to check the database against
    it later (audit.anchor), for the exports."""
    trail = findings.audit.get("trail")
    if not isinstance(trail, dict) or "head" not in trail:
        return []
    from cdi_workbench.audit.anchor import head_text

    return [("Audit trail", head_text(int(trail.get("rows") or 0), str(trail["head"])))]


def special_sample(sample: dict[str, Any]) -> str:
    """The special sample's name ('Modern slavery referrals'), or '' for a main sample."""
    from cdi_workbench.special_samples import SPECIAL_SAMPLES

    key = (sample.get("frame") or {}).get("special")
    return SPECIAL_SAMPLES[key].label if key in SPECIAL_SAMPLES else (key or "")


def table_is_empty(table: Table) -> bool:
    """True when nothing was reviewed for the table (every figure is zero)."""
    return all(c.value == 0 for r in table.rows for c in r.cells)


def is_total(label: str) -> bool:
    return label.startswith("Total")


NOT_APPLICABLE = "n/a"


def not_applicable(table_key: str, row_label: str, column: str) -> bool:
    """True for a figure whose check does not apply to the row (e.g. 'outcome appropriate' for a caution),
    so the reports print 'n/a' rather than a 0 that reads as a failure. The columns are those of the checks that
    apply to some record types only (check_table.Check.type_contains); the row label is the record type."""
    found = conditional_columns().get((table_key, column))
    if found is None or is_total(row_label):
        return False
    check = find(found[1])
    return check is not None and not check.applies_to_type(row_label)


def rates_paragraph(a: dict[str, Any]) -> str:
    """How the published-style rates' intervals were worked out, for the method the report was made with."""
    head = ("The 'findings in numbers' tables are counts from the samples. Recording rates (crimes recorded / "
            f"crimes identified) are printed with a 95% confidence interval, the method named beside each one: "
            f"{a.get('interval_method', 'normal')}. ")
    if a.get("method_key", "normal") != "normal":
        return head + ("This interval is not symmetric about the rate: it is printed as its two ends, and the "
                       "number the workbook and the JSON give beside it is half its width, a measure of its size "
                       "only. It applies no finite population correction (the method has no standard form for "
                       "one) and says so. The '+/-' margins printed in this report are the design-weighted rates' "
                       "(below). Inspections publish the normal approximation with the finite population "
                       "correction, which `--method normal` (the default) prints. Rates from fewer than 30 crimes "
                       "carry a caution.")
    return head + ("The symmetric '+/-' margin is the normal approximation inspections publish, "
                   "1.96 x sqrt(p (1 - p) / n), with the finite population correction sqrt((N - n) / (N - 1)) "
                   "where N is the estimated number of crimes in the sampled population (records in the sample "
                   "frame x crimes identified per sampled record). Where the interval would pass 0% or 100% the "
                   "bound is cut there and the text says so; the margin printed is still the formula's. It is "
                   "not defined at 0% or 100% and is unreliable with fewer than 5 recorded or unrecorded crimes, "
                   "where the Wilson or Clopper-Pearson interval should be preferred (they apply no finite "
                   "population correction, and say so). Rates from fewer than 30 crimes carry a caution.")


def methodology(findings: Findings) -> list[str]:
    """Plain-text paragraphs stating how the figures were counted (shared by the PDF and the workbook)."""
    a = findings.audit
    hours = a.get("limit_hours")
    rules = a.get("rule_set_title") or a.get("rule_set") or ""
    return [
        "Records reviewed counts the sampled records with a completed verdict: the lead's final verdict "
        "where one was given, otherwise the auditor's. Records still being worked on are not counted.",
        "Crimes are counted per crime, not per record: one incident or referral may disclose no crime "
        "('zero status'), one crime or several, and each crime identified is counted once in each column "
        "that applies to it.",
        f"'Wrongly classified' counts recorded crimes whose Home Office offence code differs from the code "
        f"the auditor found the circumstances called for (codes compared ignoring case, spaces and leading "
        f"zeros). 'Outside {hours} hours' counts recorded crimes recorded more than {hours} hours after the "
        f"report was received, the limit under {rules}; the interval is measured in UTC so clock changes do "
        f"not distort it. 'Time not known' counts recorded crimes whose report or recording time is missing, or "
        f"whose crime was recorded before the report was received: they are neither within nor outside the "
        f"limit, and the 'X out of Y recorded within {hours} hours' sentence counts only crimes whose times "
        f"are both known and in order. Where the auditor overrode a worked-out result, the override (with its "
        f"reason) is counted. A crime the verdict links to a crime record since cancelled is counted as the "
        f"verdict says (recorded) and named in the report's notes.",
        "Out-of-court disposal and cancelled-crime figures count the records where the answer to the check "
        "was 'yes'. The victim's views are asked only where there was a victim to consult. Cancelled crimes "
        "are grouped as inspections report them (rape; sexual offences excluding rape; violence against the "
        "person; robbery; burglary; other), from the cancelled crime's Home Office code where the crime record "
        "is known.",
        "Special samples (modern slavery crimes and referrals, vulnerable adult and vulnerable child records) "
        "are reported in tables of their own and are not part of the incident tables or the recording rates.",
        rates_paragraph(a),
        "'Crimes identified' and 'Crimes recorded' are unweighted counts ('X out of Y'). Beside each rate the "
        "design-weighted rate weights every sampled record by its stratum's population in the sample frame over "
        "the records completed in it (a record drawn in two samples of one frame counted once), so that samples "
        "and strata drawn at different rates combine correctly; its interval is the combined ratio estimate's "
        "(Cochran 1977, s. 6.11, with the finite population correction), which also allows for several crimes "
        "in one record not being independent. Where records carry different weights (strata sampled, or "
        "completed, at different rates) the design-weighted rate is the headline, and the annual estimate uses it "
        "and says so.",
        "Times are UK local time (dd/mm/yyyy HH:MM).",
    ]


# ---- peer review agreement and the force's challenges (shared by the JSON, Excel and PDF exports) ---------
AGREEMENT_METHOD = "Cohen's kappa (statsmodels)"
# The Excel sheet's columns (the PDF and the window join each interval to its figure).
AGREEMENT_COLUMNS = ["Check", "Pairs", "Agreed", "% agreement", "% agreement: 95% CI from", "to", "Kappa",
                     "Kappa: standard error", "Kappa: 95% CI from", "to", "Kappa method",
                     "PABAK (Byrt, Bishop and Carlin 1993)", "Prevalence index", "Bias index",
                     "Landis and Koch (1977) band"]
RESOLUTION_COLUMNS = ["Failures before", "Agreed by the force", "Challenged", "No response", "Upheld", "Rejected",
                      "Awaiting decision", "Failures after"]
RESOLUTION_KEYS = ["before", "agreed", "challenged", "no_response", "upheld", "rejected", "pending", "after"]
CHALLENGE_COLUMNS = ["Record", "Crime no.", "Failure", "Force's response", "Force's rationale", "Decision",
                     "Decided by", "Decided", "Reason", "Still a failure"]


@dataclass
class ReviewFigures:
    """What the findings tables do not hold: auditor/reviewer agreement and the force's challenges.

    Built from the database by review_figures(db); every export takes it as an optional argument."""

    agreement: list[Agreement] = field(default_factory=list)
    challenges: list[ChallengeRow] = field(default_factory=list)
    # what the review came to (review_outcomes): the lead's decisions per check and per auditor, each auditor's
    # agreement with the final verdict; shown after the agreement tables, like the findings' tables
    tables: list[Table] = field(default_factory=list)

    @property
    def has_challenges(self) -> bool:
        """True once any response from the force has been imported."""
        return any(r.response for r in self.challenges)

    @property
    def auditors(self) -> list[str]:
        return sorted({a.auditor for a in self.agreement if a.auditor})

    def agreement_for(self, auditor: str = "") -> list[Agreement]:
        return [a for a in self.agreement if a.auditor == auditor]

    @property
    def percent_method(self) -> str:
        """The interval method of the % agreement ('' with nothing reviewed)."""
        return next((a.percent_method for a in self.agreement if a.percent_method), "")

    def resolution(self) -> list[tuple[str, dict[str, list[int]]]]:
        """(kind of failure, {RESOLUTION_KEYS: items}) rows, then a 'Total' row: len(items) is each figure
        (an item appears once per failure it holds). before = agreed + challenged + no response;
        challenged = upheld + rejected + awaiting decision; after = before - upheld."""
        from cdi_workbench.challenges import resolution_items

        rows = sorted(resolution_items(self.challenges).items())
        unanswered: dict[str, list[int]] = {}
        for r in self.challenges:
            if not r.response:
                unanswered.setdefault(r.failure.failure, []).append(r.failure.item_id)
        for failure, row in rows:
            row["no_response"] = unanswered.get(failure, [])
        total = {k: sorted(i for _, r in rows for i in r[k]) for k in RESOLUTION_KEYS}
        return [*rows, ("Total", total)] if rows else []

    def answered(self) -> list[ChallengeRow]:
        """The failures the force answered, in record order: the records behind the 'after' figures."""
        return [r for r in self.challenges if r.response]


def review_figures(db: Database, method: str = "normal", findings: Findings | None = None,
                   audit: str | None = None) -> ReviewFigures:
    """Agreement per check (overall and per auditor) and the challenge rows of one audit of the programme in db
    (`audit`; None: the findings' audit where given, else the latest).

    method: the interval method of the % agreement (the report's, statistics.METHODS); findings: the
    findings already computed from db, so the challenge rows need not compute them again."""
    from cdi_workbench.challenges import challenge_rows
    from cdi_workbench.review_outcomes import compute

    if audit is None and findings is not None:
        audit = findings.audit.get("audit") or None
    outcomes = compute(db, method=method, audit=audit)
    return ReviewFigures(outcomes.agreement, challenge_rows(db, findings), outcomes.tables)


def agreement_label(a: Agreement) -> str:
    from cdi_workbench.agreement import label

    return label(a.check)


def percent_text(a: Agreement) -> str:
    return "" if a.percent is None else f"{a.percent:.1f}%"


def percent_interval(a: Agreement) -> str:
    """'43.6% to 97.0%', or '' without an interval."""
    if a.percent_low is None or a.percent_high is None:
        return ""
    return f"{a.percent_low:.1f}% to {a.percent_high:.1f}%"


def kappa_figure(a: Agreement) -> str:
    """The kappa as printed: two decimals, or why there is none."""
    if a.kappa is None:
        return "n/a"
    return f"{a.kappa:.2f}"


def kappa_interval(a: Agreement) -> str:
    """'0.09 to 1.00' (the 95% interval), or ''."""
    return a.interval_text


def pabak_figure(a: Agreement) -> str:
    return "" if a.pabak is None else f"{a.pabak:.2f}"


def kappa_band(a: Agreement) -> str:
    """The Landis and Koch band or why there is none, with the prevalence warning where it applies:
    'substantial', 'too few pairs for a band (n < 30)', 'slight (prevalence extreme: 88% agreement; PABAK
    0.76)'."""
    text = a.band_text
    note = a.prevalence_note
    if note:
        return f"{text} ({note})" if text else note
    return text


def agreement_groups(rows: list[Agreement]) -> list[tuple[str, list[Agreement]]]:
    """The rows grouped by kind of record (incidents and referrals, disposals, cancellations, N100s)."""
    out: list[tuple[str, list[Agreement]]] = []
    for a in rows:
        if not out or out[-1][0] != a.group:
            out.append((a.group, []))
        out[-1][1].append(a)
    return out


def agreement_method(percent_method: str = "") -> list[str]:
    """How the agreement figures are worked out; percent_method names the % agreement's interval method
    (ReviewFigures.percent_method)."""
    from cdi_workbench.agreement import (
        KAPPA_INTERVAL,
        MIN_BAND_PAIRS,
        PARADOX_AGREEMENT,
        PARADOX_KAPPA,
        PREVALENCE_LIMIT,
    )

    interval = f"95% confidence interval: {percent_method}" if percent_method else "95% confidence interval"
    return [
        "Peer review agreement compares the auditor's verdict with the peer reviewer's, record by record, where "
        "both are complete and both answer the check. '% agreement' is the share of those records where the two "
        f"gave the same answer, with its {interval} (the interval method of the report's rates).",
        f"Kappa is Cohen's kappa (Cohen 1960), computed by statsmodels ({AGREEMENT_METHOD}) from the two "
        "answers' contingency table: agreement beyond what the two sets of answers would give by chance. "
        "Crimes identified is a count (0, 1, 2, 3 or more), so it carries the weighted kappa with linear weights "
        "1 - |i - j| / 3 (Cohen 1968): answers one apart count as two-thirds agreement, two apart as one third. "
        "Kappa is not defined when both gave one and the same answer throughout ('n/a'). Its interval is the "
        f"{KAPPA_INTERVAL}; the standard error is asymptotic and unreliable with few pairs. Where it comes "
        "out as 0 (perfect agreement, or one of the two giving one answer throughout) no interval is given.",
        "PABAK is the prevalence- and bias-adjusted kappa of Byrt, Bishop and Carlin (1993), 2 x agreement - 1 "
        "for a yes/no check and (k x agreement - 1) / (k - 1) for k possible answers (k = 4 for crimes "
        "identified). For a yes/no check with a and d the records where both said yes and where both said no, "
        "and b and c those where they differ, the prevalence index is |a - d| / n and the bias index "
        f"|b - c| / n. Prevalence is marked extreme where the prevalence index is above {PREVALENCE_LIMIT:.1f}, "
        f"or where agreement is at least {PARADOX_AGREEMENT:.0%} but kappa at most {PARADOX_KAPPA:.2f} "
        "(Feinstein and Cicchetti 1990): nearly every answer is the same, chance agreement is high and kappa "
        "is low even though the two rarely differ, so read kappa beside the % agreement and PABAK.",
        "Bands follow Landis and Koch (1977): below 0 poor, 0.00-0.20 slight, 0.21-0.40 fair, 0.41-0.60 "
        "moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect. No band is given from fewer than "
        f"{MIN_BAND_PAIRS} pairs ('too few pairs for a band (n < {MIN_BAND_PAIRS})'): read such a kappa with "
        "its interval and the number of pairs.",
        "Crimes identified compares the number of crimes each found (0, 1, 2, 3 or more); recorded compares "
        "whether every crime identified was recorded (where both identified one); classification and "
        "timeliness compare whether any linked crime was wrongly classified or late, worked out from the codes "
        "and times with any override applied (where both linked a crime record).",
    ]


def resolution_method() -> str:
    return ("Before and after the force's challenges: every failure in the findings went to the force, which "
            "agreed or challenged each with a rationale; the audit lead upheld a challenge (the force was right: "
            "the failure is no longer counted) or rejected it (the failure stands). Failures after = failures "
            "before less the challenges upheld; a challenge awaiting decision still counts as a failure. The "
            "findings in section 1 and the recording rates count the verdicts as they stand, that is before the "
            "challenges: an upheld challenge changes them only once the verdict itself is corrected (then the "
            "failure no longer appears in this table either).")


@contextmanager
def without_gc() -> Iterator[None]:
    """Python's cycle collector paused while an export is built and written. openpyxl holds every cell as an
    object (some 450,000 for 20,000 verdicts), reportlab every paragraph, and each full collection walked them
    all: up to half the export's time. Cyclic garbage made meanwhile (the workbook or story itself, once written)
    is collected when the collector resumes; it is left off if it was off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
