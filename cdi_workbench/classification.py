"""The Home Office classification list (resources/classifications.csv) and offence groups."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from .rules import normalise_code

RESOURCES = Path(__file__).resolve().parent.parent / "resources"

# Offence groups as inspections report them (HMIC CDI 2016-17): fraud is excluded from the samples.
GROUP_LABELS = {
    "vap": "Violence against the person",
    "sexual": "Sexual offences (excluding rape)",
    "rape": "Rape",
    "other": "All other offences (excluding fraud)",
    "fraud": "Fraud",
}
# A report's stratum is the most serious group among its linked (not cancelled) crimes, in this order.
GROUP_PRIORITY = ("rape", "sexual", "vap", "other", "fraud")
NO_CRIME = "no crime linked"
# The ONS 2018 list holds codes in use until the 2019 reclassifications; the HO 2026-27 list holds current ones.
CHANGEOVER = date(2019, 4, 1)


@dataclass(frozen=True)
class Classification:
    code: str
    label: str
    offence_class: str
    sub_class: str
    group: str
    in_2018: bool
    in_2026: bool

    def valid_during(self, start: date, end: date) -> bool:
        """Approximate validity: ONS 2018 codes before April 2019, HO 2026-27 codes from then on."""
        return (self.in_2018 and start < CHANGEOVER) or (self.in_2026 and end >= CHANGEOVER)

    @property
    def display(self) -> str:
        return f"{self.code} {self.label}"


@lru_cache(maxsize=1)
def all_classifications() -> tuple[Classification, ...]:
    with open(RESOURCES / "classifications.csv", newline="", encoding="utf-8") as fh:
        return tuple(
            Classification(r["code"], r["label"], r["class"], r["sub_class"], r["offence_group"],
                           r["in_2018"] == "Y", r["in_2026"] == "Y")
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Classification]:
    return {normalise_code(c.code): c for c in all_classifications()}


def lookup(code: str | None) -> Classification | None:
    return _by_code().get(normalise_code(code))


def codes_for_period(start: date, end: date) -> list[Classification]:
    return [c for c in all_classifications() if c.valid_during(start, end)]


def group_of(code: str | None) -> str:
    """Offence group of a code; unknown codes count as 'other'."""
    found = lookup(code)
    return found.group if found else "other"


def search(text: str, start: date, end: date, limit: int = 50) -> list[Classification]:
    """Codes valid in the period whose code or label matches every word typed."""
    words = text.lower().split()
    out = []
    for c in codes_for_period(start, end):
        hay = f"{c.code} {c.label} {c.sub_class}".lower()
        if all(w in hay for w in words):
            out.append(c)
    exact = normalise_code(text)
    low = text.lower().strip()
    # the code typed, then codes starting so, then the label typed in full ('assault without injury' offers
    # 105A before 104 Assault without Injury on a Constable), then labels starting with the words; else list order
    out.sort(key=lambda c: (normalise_code(c.code) != exact, not c.code.lower().startswith(low),
                            c.label.lower() != low, not c.label.lower().startswith(low)))
    return out[:limit]


@lru_cache(maxsize=1)
def reported_incident_reasons() -> dict[str, str]:
    """N100 and other notifiable reported incident codes and what they mean (Home Office list, April 2026)."""
    with open(RESOURCES / "ho_notifiable_reported_incidents.csv", newline="", encoding="utf-8") as fh:
        return {r["Home Office code"].strip(): r["Incident"].strip() for r in csv.DictReader(fh)}
