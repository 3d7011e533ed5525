"""The truth behind the sample: what each report really holds, generated before any record is written.

A Case is one incident or referral as an expert auditor would see it (the crimes that should have been
recorded, and what the force actually did with each). The database records and the answer key are both
derived from it, so they agree by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cdi_workbench.sampling import NO_CRIME, report_stratum

from .places import Place

NO_CRIME_STRATUM = NO_CRIME


@dataclass
class CrimeTruth:
    code: str  # the Home Office code the circumstances call for
    recorded: bool = True
    recorded_code: str = ""  # the code on the crime record (differs when wrongly classified)
    delay_h: float = 2.0  # elapsed hours (UTC) from the report's receipt to recording
    linked: bool = True  # carried in crime_refs and record_link
    reason: str = ""  # why it was not recorded (one of rules.REASONS_NOT_RECORDED)
    domestic: bool = False
    safeguarding: bool | None = None
    investigation: bool | None = None
    victim_sex: str | None = "F"
    victim_age: int | None = 30
    later_h: float | None = None  # disclosed later in the log, this many hours after receipt
    role: str = "main"  # main | also (second crime at the outset) | later
    ref: str = ""  # crime record reference, assigned once all recording times are known
    outcome: str = ""

    def __post_init__(self) -> None:
        if self.recorded and not self.recorded_code:
            self.recorded_code = self.code

    @property
    def late(self) -> bool:
        return self.recorded and self.delay_h > 72


@dataclass
class Case:
    kind: str  # incident | referral
    system: str  # Incident | Guardian | PO1 | DO1
    scenario: str  # narrative builder key
    crimes: list[CrimeTruth] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)  # hard cases, e.g. 'rape_as_lesser', 'unlinked'
    caller: str | None = None
    opening: str | None = None
    closing: str | None = None
    qualifiers: list[str] = field(default_factory=list)
    agency: str | None = None
    category: str | None = None
    place: Place | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def stratum(self) -> str:
        """The offence-group stratum sampling.population will give this report."""
        return report_stratum([c.recorded_code for c in self.crimes if c.recorded and c.linked])


@dataclass
class Slot:
    """A record's place in the extract: its reference and when it was received."""

    ref: str
    received_at: datetime  # aware UTC

    def at(self, hours: float) -> datetime:
        """The time this many hours after receipt, to the minute (as systems store it)."""
        return self.received_at + timedelta(minutes=round(hours * 60))
