"""A reviewer's own share as an audit package, without retyping positions: "export my assignment".

The records assigned to the person for review (in one sample: a package holds one sample's records), exported with
packages.export_package, which checks the role, binds the package to the person and the items, and writes the
export to the trail. Blindness follows the assignment there: a record assigned blind whose review is not yet
complete travels with nothing of the first verdict; an open one carries the first verdict the review starts from.
The package is issued to the person for the review verdicts they may enter (a lead reviewing may also enter first
verdicts).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..kinds import VerdictRole
from ..storage.database import Database
from ..storage.models import AuditItem, ReviewAssignment, Sample
from .roles import identify
from .service import AuditError


def my_assignment(db: Database, who: str) -> dict[str, list[int]]:
    """The records assigned to the person for review, by sample name (audit items in sample order)."""
    with db.session() as s:
        person = identify(s, who)
        person.require("review")
        rows = s.execute(select(Sample.name, AuditItem.id)
                         .join(AuditItem, AuditItem.sample_id == Sample.id)
                         .join(ReviewAssignment, ReviewAssignment.item_id == AuditItem.id)
                         .where(ReviewAssignment.reviewer == person.name)
                         .order_by(Sample.id, AuditItem.position)).tuples()
        out: dict[str, list[int]] = {}
        for name, item in rows:
            out.setdefault(name, []).append(item)
        return out


def export_my_assignment(db: Database, who: str, dest: str | Path | None = None, sample: str | None = None,
                         overwrite: bool = False):  # noqa: ANN201 (packages.ExportResult)
    """Write the records assigned to `who` for review to one package (the sample named, or the only sample they
    have records assigned in)."""
    from ..packages import export_package

    with db.session() as s:
        name = identify(s, who).name or who
    mine = my_assignment(db, who)
    if not mine:
        raise AuditError(f"no records are assigned to {name} for review")
    if sample is None:
        if len(mine) > 1:
            raise AuditError(f"{name} has records to review in {len(mine)} samples ({', '.join(mine)}): say which "
                             "(--sample NAME)")
        sample = next(iter(mine))
    elif sample not in mine:
        raise AuditError(f"no records of '{sample}' are assigned to {name} for review (they are in: "
                         f"{', '.join(mine)})")
    return export_package(db, sample, dest, who=who, item_ids=mine[sample],
                          roles=[VerdictRole.REVIEW, VerdictRole.PRIMARY], overwrite=overwrite)
