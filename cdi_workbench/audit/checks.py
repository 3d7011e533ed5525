"""A verdict split into its checks, each with a readable answer, to show two verdicts side by side.

The checks are those the verdict body holds (cdi_workbench.audit.verdicts): for an incident or referral the
number of crimes identified, zero status, and for each crime its expected code, the crime record that recorded
it (or the reason it was not), the classification and timeliness overrides, safeguarding, investigation and
domestic abuse; for the other kinds the record-level checks (CHECKS), and for an N100 that should
have been a crime of rape the rape code expected. The rationale is shown on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..kinds import RecordKind
from .check_table import follow_ups
from .verdicts import CHECKS, VerdictBody

NOT_APPLICABLE = "does not arise"


@dataclass(frozen=True)
class CheckDiff:
    check: str  # a stable key, e.g. 'crime 1: recorded' or 'victim_informed'
    label: str  # the question as the auditor knows it
    ours: str  # the first answer (this database; the auditor)
    theirs: str  # the second answer (the package; the reviewer)


def _yn(value: bool | None) -> str:
    return {None: "not answered", True: "yes", False: "no"}[value]


def _override(value: bool | None, good: str, bad: str) -> str:
    return {None: "as worked out", True: f"{good} (override)", False: f"{bad} (override)"}[value]


def answers(kind: str, body: dict[str, Any] | None) -> dict[str, tuple[str, str]]:
    """check key -> (label, answer) for one verdict (no verdict: nothing answered)."""
    if body is None:
        return {"verdict": ("Verdict", "none")}
    v = VerdictBody.from_json(body)
    out: dict[str, tuple[str, str]] = {"verdict": ("Verdict", "given")}
    if kind in RecordKind.REPORTS:
        out["crimes_identified"] = ("Crimes identified", str(len(v.crimes)))
        out["zero_status"] = ("Zero status (no crime)", _yn(v.zero_status))
        for n, c in enumerate(v.crimes, 1):
            p = f"Crime {n}"
            out[f"crime {n}: code"] = (f"{p}: Home Office code", c.expected_code or "not given")
            out[f"crime {n}: recorded"] = (f"{p}: recorded by", c.crime_ref or (f"crime record id {c.crime_id}"
                                           if c.crime_id is not None else "not recorded"))
            if c.crime_id is None:
                out[f"crime {n}: reason"] = (f"{p}: reason not recorded", c.not_recorded_reason or "not given")
            out[f"crime {n}: classification"] = (f"{p}: classification",
                                                 _override(c.classified_override, "correct", "wrong"))
            out[f"crime {n}: timeliness"] = (f"{p}: timeliness", _override(c.timely_override, "in time", "late"))
            out[f"crime {n}: override reason"] = (f"{p}: reason for an override", c.override_reason or "none")
            out[f"crime {n}: safeguarding"] = (f"{p}: safeguarding considered", _yn(c.safeguarding))
            out[f"crime {n}: investigation"] = (f"{p}: investigation", _yn(c.investigation))
            out[f"crime {n}: domestic abuse"] = (f"{p}: domestic abuse", _yn(c.domestic_abuse))
    else:
        for key, question in CHECKS.get(kind, []):
            out[key] = (question, _yn(v.checks.get(key)))
        for key, value in v.checks.items():  # answers to checks this version does not list
            out.setdefault(key, (key.replace("_", " ").capitalize(), _yn(value)))
        for check, follow in follow_ups(kind):  # an N100's rape code, once it should have been a crime of rape
            given = str(getattr(v, follow.key) or "")
            if v.checks.get(check.key) is follow.when or given:
                out[follow.key] = (follow.question, given or "not given")
    out["complete"] = ("Complete", _yn(v.complete))
    return out


def differences(kind: str, ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> list[CheckDiff]:
    """The checks on which two verdicts differ, in the order the verdict panel asks them."""
    a, b = answers(kind, ours), answers(kind, theirs)
    keys = list(a) + [k for k in b if k not in a]
    out = []
    for k in keys:
        x = a[k][1] if k in a else NOT_APPLICABLE
        y = b[k][1] if k in b else NOT_APPLICABLE
        if x != y:
            out.append(CheckDiff(k, (a.get(k) or b[k])[0], x, y))
    return out


def rationale(body: dict[str, Any] | None) -> str:
    return VerdictBody.from_json(body).rationale if body is not None else ""
