"""Where each kind of sampled record is stored, and its date column there (kinds.DATE_COLUMN names it).

The importer checks that date against the audit period (by table), the sampler filters a
population by it and the queue shows it; all three read it here, so a kind's date is named once.
"""

from __future__ import annotations

from typing import Any

from ..kinds import DATE_COLUMN, RecordKind
from .models import N100, Base, Cancellation, CrimeRecord, Disposal, ReportRecord

# incidents and referrals share report_record
RECORD_MODELS: dict[RecordKind, type[Base]] = {
    RecordKind.INCIDENT: ReportRecord,
    RecordKind.REFERRAL: ReportRecord,
    RecordKind.DISPOSAL: Disposal,
    RecordKind.CANCELLATION: Cancellation,
    RecordKind.N100: N100,
    RecordKind.CRIME: CrimeRecord,
}


def date_column(kind: str) -> Any:
    """The model column holding a record kind's date (ReportRecord.received_at, Disposal.issued_at, ...)."""
    k = RecordKind(kind)
    return getattr(RECORD_MODELS[k], DATE_COLUMN[k])


def table_dates() -> dict[str, str]:
    """table name -> the name of its date column, for every table an extract is imported into (crime records
    too: a kind of their own since they can be sampled)."""
    return {RECORD_MODELS[k].__tablename__: DATE_COLUMN[k] for k in RecordKind}
