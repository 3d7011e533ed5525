"""The special samples inspections request beside the main samples (HMICFRS crime data integrity inspections,
2016-17 methodology): modern slavery crimes and referrals, vulnerable adult and vulnerable child records.

A special sample is drawn from the list the force sends (imported as incidents or referrals, e.g. a referral
system 'Modern slavery crimes' holding each crime's source record and linked crime references) and is marked
with its purpose when drawn (`cdi sample --special NAME`). Its records are audited like any incident or
referral (crimes identified, recorded, correctly classified, in time), but they are reported in a table of
their own, and kept out of the main incident tables and the recording rates, which estimate the whole
population from the main random samples only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Special:
    key: str
    label: str
    requested: int  # the size inspections usually request


SPECIAL_SAMPLES: dict[str, Special] = {s.key: s for s in (
    Special("modern_slavery_crimes", "Modern slavery crimes", 20),
    Special("modern_slavery_referrals", "Modern slavery referrals", 20),
    Special("vulnerable_adults", "Vulnerable adult records", 25),
    Special("vulnerable_children", "Vulnerable child records", 25),
)}


def special_key(text: str) -> str:
    """'modern-slavery-crimes', 'Modern slavery crimes' or 'modern_slavery_crimes' -> its key; ValueError else."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    for s in SPECIAL_SAMPLES.values():
        if key in (s.key, s.label.lower().replace(" ", "_")):
            return s.key
    names = ", ".join(k.replace("_", "-") for k in SPECIAL_SAMPLES)
    raise ValueError(f"no special sample called {text!r}: one of {names}")
