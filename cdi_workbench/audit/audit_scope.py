"""Which audit of the programme a command on samples works on (issue 14: every command that works on one audit takes
`--audit NAME`, default the latest): the audit a sample belongs to, a sample refused when it is another audit's,
and the condition restricting a listing to one audit's samples.

Sample names are unique in the programme, so a command that names a sample knows its audit: without an audit named
it works on the sample's own; with one, the sample must be that audit's, or it is refused naming the audit it
belongs to (ProgrammeError, like an unknown audit's name, which lists the audits there are).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..storage.database import Database
from ..storage.models import Audit, AuditItem, Sample
from .programme import ProgrammeError, default_name, of_audit, resolve


def audit_name(a: Audit) -> str:
    """The audit's name as commands give it ('2015-06')."""
    return a.name or default_name(a.period_start, a.period_end)


def owner(s: Session, smp: Sample) -> Audit:
    """The audit the sample belongs to: the one it was drawn for; a sample with no audit, or one naming an audit
    the database does not hold, the programme's first (as programme.of_audit says)."""
    a = s.get(Audit, smp.audit_id) if smp.audit_id is not None else None
    if a is None:
        a = s.get(Audit, s.scalar(select(func.min(Audit.id))))
    if a is None:
        raise ProgrammeError("this database holds no audit")
    return a


def check_sample(s: Session, smp: Sample, audit: str | None) -> Audit:
    """The audit the sample is worked on under: its own; with `audit` named, that one, refused (ProgrammeError,
    naming the audit the sample belongs to) when the sample is another audit's."""
    own = owner(s, smp)
    if audit is None:
        return own
    wanted = resolve(s, audit)
    if wanted.id != own.id:
        raise ProgrammeError(f"the sample {smp.name!r} belongs to the audit {audit_name(own)!r}, not to "
                             f"{audit_name(wanted)!r}: name its own audit, or none")
    return own


def sample_named(s: Session, name: str, audit: str | None = None) -> Sample | None:
    """The sample called `name` (None when there is none), checked against `audit` (check_sample)."""
    smp = s.scalar(select(Sample).where(Sample.name == name))
    if smp is not None:
        check_sample(s, smp, audit)
    return smp


def items_of(s: Session, sample_id: int | None, audit: str | None) -> ColumnElement[bool]:
    """The condition on AuditItem for a listing: the sample's records when one is given (checked against `audit`,
    as check_sample), else those of the audit named, else those of the latest audit (programme.resolve)."""
    if sample_id is not None:
        smp = s.get(Sample, sample_id)
        if smp is not None:
            check_sample(s, smp, audit)
        return AuditItem.sample_id == sample_id
    a = resolve(s, audit)
    return AuditItem.sample_id.in_(select(Sample.id).where(of_audit(s, a.id)))


def assigned_sample(db: Database, who: str, sample: str | None, audit: str) -> str:
    """Exporting one's review assignment of one audit (`cdi package export --mine --audit NAME`): the sample named
    (refused, ProgrammeError, unless it is that audit's), else the only sample of that audit holding records
    assigned to `who` for review (AuditError when there is none, or several: say which)."""
    from .assignment_export import my_assignment
    from .roles import identify
    from .service import AuditError

    with db.session() as s:
        a = resolve(s, audit)
        if sample is not None:
            smp = sample_named(s, sample, audit)
            return sample if smp is None else smp.name  # none of that name: the export says so
        name, label = identify(s, who).name or who, audit_name(a)
        ours = set(s.scalars(select(Sample.name).where(of_audit(s, a.id))))
    mine = [n for n in my_assignment(db, who) if n in ours]
    if not mine:
        raise AuditError(f"no records of the audit {label!r} are assigned to {name} for review")
    if len(mine) > 1:
        raise AuditError(f"{name} has records to review in {len(mine)} samples of the audit {label!r} "
                         f"({', '.join(mine)}): say which (--sample NAME)")
    return mine[0]
