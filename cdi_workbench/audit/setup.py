"""Creating an audit database: the audit's force, period and rule set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..rules import rule_set
from ..storage.database import Database, DatabaseError
from ..storage.models import Audit
from ..timeutil import now_utc
from .programme import default_name


def init_audit(target: str | Path, force: str, period_start: date, period_end: date, rules: str,
               created_by: str = "") -> Database:
    """Create the schema and the audit record; refuses a database that already holds an audit."""
    rule_set(rules)
    if period_end < period_start:
        raise DatabaseError(f"the audit period ends ({period_end:%d/%m/%Y}) before it starts "
                            f"({period_start:%d/%m/%Y})")
    if not force.strip():
        raise DatabaseError("name the force being audited")
    db = Database(target, create=True)
    with db.session() as s:
        if s.scalar(select(Audit.id).limit(1)) is not None:
            db.close()
            raise DatabaseError(f"{target} already holds an audit")
        s.add(Audit(name=default_name(period_start, period_end), force=force.strip(), period_start=period_start,
                    period_end=period_end, rule_set=rules,
                    created_at=now_utc(), created_by=created_by))
    return db
