"""Crime recording rules the checks rely on: rule sets, time limits and the arithmetic behind each result.

Sources: NCRS / Home Office Counting Rules (HOCR). The 72-hour limit applies to audits under the rules in
force until March 2015 (HMIC crime data integrity inspections, 2014); 24 hours from April 2015 (HOCR
General Rules, section A).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from .timeutil import UK, format_duration, to_utc


@dataclass(frozen=True)
class RuleSet:
    key: str
    title: str
    limit_hours: int
    source: str


RULE_SETS: dict[str, RuleSet] = {
    "2014": RuleSet("2014", "NCRS/HOCR as audited in 2014 (72-hour limit)", 72,
                    "HOCR General Rules (2014): crimes recorded within 72 hours of the report"),
    "2015": RuleSet("2015", "HOCR from April 2015 (24-hour limit)", 24,
                    "HOCR General Rules section A (April 2015): recorded within 24 hours of the report"),
}


def rule_set(key: str) -> RuleSet:
    try:
        return RULE_SETS[key]
    except KeyError:
        raise ValueError(f"unknown rule set {key!r}: choose 2014 or 2015") from None


@dataclass(frozen=True)
class Worked:
    """A result the workbench works out, with the arithmetic shown to the auditor."""

    ok: bool | None
    explanation: str


def timeliness(received_at: datetime | None, recorded_at: datetime | None, rules: RuleSet) -> Worked:
    """Was the crime recorded within the limit of the report's receipt? Subtracts in UTC (clock changes)."""
    if received_at is None or recorded_at is None:
        return Worked(None, "time not known: the report or recording time is missing")
    recorded, received = to_utc(recorded_at), to_utc(received_at)
    delta = recorded - received
    if delta < _ZERO:  # the sign of delta.total_seconds(), without the float
        # an impossible order: neither within nor outside the limit, counted as 'time not known' (inspections
        # count only crimes whose report and recording times are both known and in order)
        return Worked(None, f"time not known: the crime is recorded {format_duration(-delta)} before the report "
                            f"was received, so the times contradict each other")
    within = delta <= _limit(rules.limit_hours)  # delta.total_seconds() <= hours * 3600, in whole microseconds
    verdict = "within" if within else "outside"
    text = f"recorded {format_duration(delta)} after the report: {verdict} {rules.limit_hours} hours"
    # the wall clock's difference: the UTC one plus the change in the UK's offset from UTC between the two
    shift = recorded.astimezone(UK).utcoffset() - received.astimezone(UK).utcoffset()  # type: ignore[operator]
    if shift:
        text += f" (the clocks changed in between: {format_duration(delta + shift)} on the wall clock)"
    return Worked(within, text)


def within_limit(received_at: datetime | None, recorded_at: datetime | None, limit_hours: int) -> bool | None:
    """timeliness(...).ok alone, without its text: True within the limit, False outside, None where a time is
    missing or the crime is recorded before the report. Both times aware (as stored), or both naive in UTC."""
    if received_at is None or recorded_at is None:
        return None
    delta = recorded_at - received_at
    if delta < _ZERO:
        return None
    return delta <= _limit(limit_hours)


_ZERO = timedelta(0)


@lru_cache(maxsize=16)
def _limit(hours: int) -> timedelta:
    return timedelta(hours=hours)


@lru_cache(maxsize=4096)
def normalise_code(code: str | None) -> str:
    """Home Office classification codes compare without case, spaces or leading zeros ('008N' == '8N')."""
    if not code:
        return ""
    text = code.strip().upper().replace(" ", "")
    return text.lstrip("0") or text


def classification(expected_code: str | None, recorded_code: str | None) -> Worked:
    exp, rec = normalise_code(expected_code), normalise_code(recorded_code)
    if not exp or not rec:
        return Worked(None, "cannot be worked out: a code is missing")
    if exp == rec:
        return Worked(True, f"recorded as {rec}, expected {exp}: correctly classified")
    return Worked(False, f"recorded as {rec}, expected {exp}: wrongly classified")


REASONS_NOT_RECORDED = [
    "No discernible reason",
    "Victim not believed",
    "Further offence disclosed later not recorded",
    "One crime recorded for several",
    "Treated as crime-related incident",
    "Victim declined to confirm (no rationale)",
    "Recorded by another force without evidence of transfer",
]

RULE_TEXT: dict[str, tuple[str, str]] = {
    "identified": ("A crime is recorded when, on the balance of probability, the circumstances reported amount "
                   "to a notifiable offence and there is no credible evidence to the contrary. The victim's "
                   "account is believed by default. One crime per victim.", "NCRS; HOCR General Rules A"),
    "recorded": ("Each crime identified must have a matching crime record. Link the record that recorded it; "
                 "if none, give the reason it was not recorded.", "HOCR General Rules A"),
    "classified": ("The crime must carry the correct Home Office offence code for the most serious offence "
                   "disclosed. Missed rapes recorded as lesser offences are a classic failure.",
                   "HOCR classification rules; Home Office notifiable offence list"),
    "timely": ("A crime must be recorded within the limit from receipt of the report: 72 hours (2014 rules) "
               "or 24 hours (from April 2015).", "HOCR General Rules A"),
    "zero": ("A record with no notifiable crime is 'zero status': no crimes identified.", "HMIC CDI method"),
    "not_recorded": ("A crime not recorded needs a reason the rules allow (e.g. the victim cannot be traced or "
                     "will not confirm: a crime-related incident with an auditable rationale). Check that "
                     "safeguarding was considered and an investigation took place.", "HOCR General Rules A; NCRS"),
    "offender_suitable": ("An out-of-court disposal must suit the offender's previous offending history and the "
                          "seriousness of the offence.", "MoJ simple cautions guidance; national OOCD guidance"),
    "offender_made_aware": ("The offender must be told the nature and future implications of accepting the "
                            "disposal (e.g. disclosure on a criminal record check).", "MoJ/NPCC OOCD guidance"),
    "victim_to_consult": ("Where there is a victim, their views should be sought and considered before the "
                          "disposal is given.", "Code of Practice for Victims of Crime; OOCD guidance"),
    "victim_views_considered": ("Record whether the victim's views were sought and taken into account.",
                                "Code of Practice for Victims of Crime"),
    "outcome_appropriate": ("A community resolution's agreed outcome must be meaningful and appropriate to the "
                            "offence and the victim's wishes.", "NPCC community resolution guidance"),
    "decision_correct": ("A recorded crime may be cancelled only on additional verifiable information that it "
                         "did not happen, or that it was recorded in error or belongs to another force.",
                         "HOCR General Rules section C"),
    "authorised_decision_maker": ("Cancellations are decided by the force crime registrar (the final arbiter; "
                                  "always for rape) or a designated decision maker.", "HOCR General Rules C"),
    "victim_informed": ("The victim should be told when a crime is cancelled.", "HOCR; Victims' Code"),
    "n100_needed": ("Since April 2015 a report of rape not immediately recorded as a crime needs an N100 "
                    "record explaining why. An N100 audited that was not needed (no report of rape) was wrongly "
                    "applied: 'no' is a failure.", "HOCR N100 (April 2015)"),
    "should_have_been_rape": ("An N100 is wrong where the report already amounted to a crime of rape on the "
                              "balance of probability: it should have been recorded, and the audit gives the rape "
                              "code it should have carried (19C-19H).", "HOCR N100; NCRS"),
}

# Which rule applies to which answer in the verdict panel (by the widget's name).
RULE_FOR_ANSWER = {
    "expected_code": "classified", "crime_list": "identified", "recorded_by": "recorded",
    "classified_override": "classified", "timely_override": "timely", "override_reason": "timely",
    "reason_not_recorded": "not_recorded", "safeguarding": "not_recorded", "investigation": "not_recorded",
    "domestic_abuse": "identified", "rape_code": "should_have_been_rape",
}
