"""The words the database stores for record kinds, verdict roles and people's roles, as enums; and the one place
that names each record kind's date column.

StrEnum: every member is the very string stored (AuditItem.kind, Sample.kind, ReportRecord.kind, Verdict.role,
AppUser.role), so members and stored strings compare equal both ways and nothing in the schema changes. Pure
Python: imported by the storage layer, the checks table, the importer and the window alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class _Stored(StrEnum):
    """A word as stored. It also prints as the plain string (repr 'n100'), so a message quoting a kind or role
    (f"{kind!r}", argparse's list of choices) reads the same whether it was given the member or the string."""

    def __repr__(self) -> str:
        return str.__repr__(self.value)


class RecordKind(_Stored):
    """The kinds of record an audit samples and gives verdicts on (AuditItem.kind, Sample.kind)."""

    INCIDENT = "incident"  # an incident log (report_record, system 'Incident')
    REFERRAL = "referral"  # a report held on another system: Guardian, PO1, DO1... (report_record)
    DISPOSAL = "disposal"  # an out-of-court disposal
    CANCELLATION = "cancellation"  # a cancelled crime (no-crime)
    N100 = "n100"  # an N100 record (a report of rape not immediately recorded as a crime)
    CRIME = "crime"  # a recorded crime (crime_record): classification and timeliness dip-samples

    # Incidents and referrals: reports of crime, audited crime by crime (audit.verdicts.CrimeFinding), not by
    # record-level checks (audit.check_table).
    REPORTS: ClassVar[tuple[RecordKind, ...]]

    @property
    def is_report(self) -> bool:
        return self in RecordKind.REPORTS


RecordKind.REPORTS = (RecordKind.INCIDENT, RecordKind.REFERRAL)


class VerdictRole(_Stored):
    """Whose verdict on an audit item (Verdict.role, VerdictChange.role)."""

    PRIMARY = "primary"  # the auditor's first verdict
    REVIEW = "review"  # a peer reviewer's
    FINAL = "final"  # the audit lead's, deciding a disagreement or a challenge

    # The verdicts the findings count: the lead's final verdict where there is one, else the auditor's.
    EFFECTIVE: ClassVar[tuple[VerdictRole, ...]]


VerdictRole.EFFECTIVE = (VerdictRole.PRIMARY, VerdictRole.FINAL)


class PersonRole(_Stored):
    """The four roles of an audit team (AppUser.role); what each may do is audit.roles.PERMISSIONS."""

    AUDITOR = "auditor"
    REVIEWER = "reviewer"
    LEAD = "lead"
    LIAISON = "liaison"


# The column of the record's own model (storage.models.RECORD_MODELS) holding each kind's date: when the report
# was received, the disposal issued, the crime cancelled, the N100 recorded, the crime recorded. The importer checks
# it against the audit period, the sampler filters a population by it and the queue shows it.
# A crime record's date is when it was recorded, not when it was reported: a dip-sample of recorded crime is of the
# crimes the force recorded in the period (the records its recorded-crime figures for the period hold, whose code and
# timeliness the audit checks); a report received late in one period and recorded early in the next belongs to the
# next, and the report time is the one more often missing from an extract (street-level files give neither).
DATE_COLUMN: dict[RecordKind, str] = {
    RecordKind.INCIDENT: "received_at",
    RecordKind.REFERRAL: "received_at",
    RecordKind.DISPOSAL: "issued_at",
    RecordKind.CANCELLATION: "cancelled_at",
    RecordKind.N100: "recorded_at",
    RecordKind.CRIME: "recorded_at",
}
# The crime records' date (the importer checks their import against the period by it), named above.
CRIME_DATE_COLUMN = DATE_COLUMN[RecordKind.CRIME]
