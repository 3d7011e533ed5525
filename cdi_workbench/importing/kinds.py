"""The canonical columns of each kind of extract and where they land in the models (documented in docs/import.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from ..storage.models import N100, Cancellation, CrimeRecord, Disposal, ReportRecord

# value types: text (length-checked), datetime, bool, age, month, code, status, group, cancellation_group, refs,
# unit (the owning unit: length-checked, no control characters), disposal_type (text; a local name mapped to the
# national type: local_config)
KEY = "key"


@dataclass(frozen=True)
class Field:
    name: str  # canonical column name, as in a file that needs no profile
    column: str  # model column
    type: str = "text"
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str  # incidents | referrals | crimes | disposals | cancellations | n100
    table: Table
    key: str  # canonical column holding the reference
    fields: tuple[Field, ...]
    fixed: tuple[tuple[str, str], ...] = ()  # model column -> value, whatever the file says
    label: str = ""

    @property
    def report(self) -> bool:
        """Incidents and referrals share report_record, keyed by (system, ref)."""
        return self.table.name == "report_record"

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def max_length(self, column: str) -> int | None:
        return getattr(self.table.c[column].type, "length", None)


def _t(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


UNIT = Field("unit", "unit", "unit")  # district, local policing area or team: the findings by unit
_REPORT_COMMON = (
    Field("received_at", "received_at", "datetime"),
    Field("narrative", "narrative"),
    Field("crime_refs", "crime_refs", "refs"),
)

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("incidents", _t(ReportRecord), "incident_ref", (
        Field("incident_ref", "ref", required=True), _REPORT_COMMON[0],
        Field("opening_code", "opening_code"), Field("closing_code", "closing_code"),
        Field("caller_type", "caller_type"), Field("location", "location"), *_REPORT_COMMON[1:], UNIT,
    ), fixed=(("kind", "incident"), ("system", "Incident")), label="incident records"),
    Kind("referrals", _t(ReportRecord), "referral_ref", (
        Field("referral_ref", "ref", required=True), Field("system", "system", required=True),
        _REPORT_COMMON[0], Field("agency", "agency"), Field("category", "category"), *_REPORT_COMMON[1:],
        Field("location", "location"), UNIT,
    ), fixed=(("kind", "referral"),), label="referrals"),
    Kind("crimes", _t(CrimeRecord), "crime_ref", (
        Field("crime_ref", "ref", required=True), Field("recorded_at", "recorded_at", "datetime"),
        Field("reported_at", "reported_at", "datetime"), Field("ho_code", "ho_code", "code"),
        Field("offence", "offence"), Field("status", "status", "status"), Field("outcome", "outcome"),
        Field("source_ref", "source_ref"), Field("domestic_abuse", "domestic_abuse", "bool"),
        Field("victim_age", "victim_age", "age"), Field("victim_sex", "victim_sex"),
        Field("month", "month", "month"), Field("location", "location"), UNIT,
    ), label="crime records"),
    Kind("disposals", _t(Disposal), "disposal_ref", (
        Field("disposal_ref", "ref", required=True), Field("crime_ref", "crime_ref"),
        Field("disposal_type", "disposal_type", "disposal_type", required=True),
        Field("issued_at", "issued_at", "datetime"),
        Field("offender_history", "offender_history"), Field("victim", "victim"), Field("notes", "notes"), UNIT,
    ), label="out-of-court disposals"),
    Kind("cancellations", _t(Cancellation), "crime_ref", (
        Field("crime_ref", "crime_ref", required=True), Field("cancelled_at", "cancelled_at", "datetime"),
        Field("reason", "reason"), Field("decided_by_role", "decided_by_role"),
        Field("offence_group", "offence_group", "cancellation_group"), Field("notes", "notes"), UNIT,
    ), label="cancelled crimes"),
    Kind("n100", _t(N100), "n100_ref", (
        Field("n100_ref", "ref", required=True), Field("incident_ref", "incident_ref"),
        Field("recorded_at", "recorded_at", "datetime"), Field("reason_code", "reason_code"),
        Field("narrative", "narrative"), UNIT,
    ), label="N100 records"),
)}

# columns the importer fills itself, never from a file
TRACKING = ("extra", "import_hash", "imported_at", "imported_by")


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind of record {name!r} (one of {', '.join(KINDS)})") from None
