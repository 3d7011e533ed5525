"""A closed audit's verdicts stay as they were closed (issue 14: "a closed audit draws no more samples; its figures
read as final"): any unit of work that would add or change a verdict of a closed audit's records is refused, by
whatever path it comes (the panel, a peer review, a lead's decision, undo, a verdicts file, a package merge), with
the audit named. Deleting is left to the retention purge, which removes a finished audit's data by design.

One listener on every ORM session (registered when the audit package is imported): before a flush that adds or
changes verdicts it looks whether any audit is closed (one small query, the usual answer no), and if one is, which
audits hold those verdicts' items (in chunks of ids), raising ValueError if any is closed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from ..storage.models import Audit, AuditItem, Sample, Verdict


class ClosedAudit(ValueError):
    """A change to a closed audit's verdicts: reopen the audit first."""


CHUNK = 5000  # item ids per IN (...), well below SQLite's limit of 32,766 parameters (a verdicts file of 40,000)


def _closed_among(s: Session, item_ids: set[int]) -> str | None:
    """The name of a closed audit holding one of these items, else None. A sample with no audit, or one naming an
    audit the database does not hold, is the programme's first audit's (audit.programme.of_audit). With no audit
    closed (the usual case) one look at the audit table answers."""
    with s.no_autoflush:
        if s.scalar(select(Audit.id).where(Audit.closed_at.is_not(None)).limit(1)) is None:
            return None
        first = select(func.min(Audit.id)).scalar_subquery()
        known = select(Audit.id)
        wanted = sorted(item_ids)
        for start in range(0, len(wanted), CHUNK):
            owner = (select(Audit.name)
                     .select_from(AuditItem)
                     .join(Sample, Sample.id == AuditItem.sample_id)
                     .join(Audit, or_(Audit.id == Sample.audit_id,
                                      (Audit.id == first) & or_(Sample.audit_id.is_(None),
                                                                Sample.audit_id.not_in(known))))
                     .where(AuditItem.id.in_(wanted[start:start + CHUNK]), Audit.closed_at.is_not(None))
                     .limit(1))
            name = s.scalar(owner)
            if name is not None:
                return name
    return None


def _guard(s: Session, _context: Any, _instances: Any) -> None:  # noqa: ANN401 (SQLAlchemy's flush context)
    items = {o.item_id for o in (*s.new, *s.dirty) if isinstance(o, Verdict) and isinstance(o.item_id, int)}
    name = _closed_among(s, items) if items else None
    if name is not None:
        raise ClosedAudit(f"the audit {name!r} is closed: its verdicts read as final; the lead reopens it to change "
                          "them")


def install() -> None:
    if not event.contains(Session, "before_flush", _guard):
        event.listen(Session, "before_flush", _guard)
