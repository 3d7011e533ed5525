"""The Home Office classification list (cdi_workbench/resources/classifications.csv) and offence groups."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from .rules import normalise_code

# Data files shipped inside the package (package data in pyproject.toml): the checkout and an installed wheel alike.
RESOURCES: Traversable = files("cdi_workbench") / "resources"


def _open_csv(name: str) -> io.TextIOWrapper:
    """A CSV file of RESOURCES opened as the csv module wants it (UTF-8, newline='')."""
    return io.TextIOWrapper(RESOURCES.joinpath(name).open("rb"), encoding="utf-8", newline="")

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
# Offence groups of cancelled crimes (no-crimes), as inspections dip-sample them ("20 per offence group"), in the
# order reports list them. Which codes fall in each: resources/cancellation_groups.csv.
CANCELLATION_GROUPS = {
    "rape": "Rape",
    "sexual": "Sexual offences (excluding rape)",
    "vap": "Violence against the person",
    "robbery": "Robbery",
    "burglary": "Burglary",
    "other": "Other offences",
}


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
    with _open_csv("classifications.csv") as fh:
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


@lru_cache(maxsize=4096)
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
    with _open_csv("ho_notifiable_reported_incidents.csv") as fh:
        return {r["Home Office code"].strip(): r["Incident"].strip() for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _cancellation_rules() -> tuple[tuple[str, str, str], ...]:
    """(match, value, group) rows of resources/cancellation_groups.csv, in order ('#' lines are its notes)."""
    with _open_csv("cancellation_groups.csv") as fh:
        rows = tuple((r["match"].strip(), r["value"].strip().lower(), r["group"].strip())
                     for r in csv.DictReader(line for line in fh if not line.startswith("#")))
    for _match, _value, group in rows:
        if group not in CANCELLATION_GROUPS:
            raise ValueError(f"cancellation_groups.csv names an unknown group {group!r}")
    return rows


_HO_CLASS = re.compile(r"\d+")


def cancellation_group_of_code(ho_code: str | None) -> str | None:
    """The cancellation offence group of a Home Office code ('34B' -> 'robbery'); None for a code not in the list."""
    found = lookup(ho_code)
    if found is None:
        return None
    number = _HO_CLASS.match(normalise_code(found.code))
    for match, value, group in _cancellation_rules():
        if match == "ho_class" and number is not None and int(number.group()) == int(value):
            return group
        if match == "offence_group" and found.group == value:
            return group
    return "other"


# The names reports and forces write for the groups (compared without case, brackets or extra spaces).
_CANCELLATION_NAMES = {
    "rape": "rape",
    "sexual": "sexual", "sexual offences": "sexual", "sexual offences excluding rape": "sexual",
    "other sexual offences": "sexual",
    "vap": "vap", "violence": "vap", "violence against the person": "vap",
    "robbery": "robbery",
    "burglary": "burglary",
    "other": "other", "other offences": "other", "all other offences": "other",
    "all other offences excluding fraud": "other",
}
CANCELLATION_NAMES_ACCEPTED = ("rape; sexual, sexual offences, sexual offences excluding rape; violence, violence "
                               "against the person, VAP; robbery; burglary; other, other offences")


def _name_key(text: str) -> str:
    return " ".join(re.sub(r"[()\[\],;:_-]", " ", text).lower().split())


def parse_cancellation_group(text: str) -> str:
    """The group key for a group as reports and forces write it ('Violence' -> 'vap', 'ROBBERY' -> 'robbery');
    raises ValueError naming the value and the names accepted."""
    found = _CANCELLATION_NAMES.get(_name_key(str(text)))
    if found is None:
        shown = str(text).strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise ValueError(f"unknown offence group {shown!r} (accepted: {CANCELLATION_NAMES_ACCEPTED})")
    return found


def cancellation_group(ho_code: str | None, written: str | None) -> str:
    """A cancelled crime's group: from its Home Office code when the code is in the list, else the group written
    (a name parse_cancellation_group accepts, or a key), else 'other' (also for a written group it does not know)."""
    from_code = cancellation_group_of_code(ho_code)
    if from_code is not None:
        return from_code
    if written and written.strip():
        try:
            return parse_cancellation_group(written)
        except ValueError:
            return "other"
    return "other"
